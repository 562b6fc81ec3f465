"""Sphinx tweaks for the book's website, loaded from _config.yml (``sphinx.local_extensions``).

MathJax only on pages with math. Sphinx adds MathJax to a page when the page
*or any page in its table of contents* has an equation, so the landing page,
whose table of contents is the whole book, loaded about 1.2 MB of MathJax
without a single formula. This handler runs after Sphinx's own and removes
MathJax again from every page that has no formula of its own.

No Font Awesome script. The theme's template loads ``fontawesome.js`` (1.5 MB,
0.54 MB compressed) on every page to turn its icons into SVG, although the
theme's stylesheet already draws the same icons with the Font Awesome web
fonts. Once the site is written, the script tag is removed from every page;
the icons are then drawn by the stylesheet (tests/test_site.py checks both).

A language switch. The book has an English edition at the site's root and a
Chinese one below ``zh/`` (booktools/i18n.py builds it with ``language:
zh_CN``); every page starts with a link to the same page in the other edition.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def drop_unused_mathjax(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    scripts = context.get("script_files")
    if scripts is None or app.env.get_domain("math").data["has_equations"].get(pagename, False):
        return

    def is_mathjax(js: Any) -> bool:
        filename = getattr(js, "filename", js)
        body = getattr(js, "attributes", {}).get("body", "")
        return str(filename or "").endswith(app.config.mathjax_path) or body.startswith("window.MathJax")

    scripts[:] = [js for js in scripts if not is_mathjax(js)]


FONTAWESOME_SCRIPT = re.compile(r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?')


def drop_fontawesome_script(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        trimmed = FONTAWESOME_SCRIPT.sub("", text)
        if trimmed != text:
            page.write_text(trimmed, encoding="utf-8")


def add_language_switch(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if "body" not in context:
        return
    root = "../" * pagename.count("/")
    if (app.config.language or "en").startswith("zh"):
        href, label, lang = f"{root}../{pagename}.html", "English", "en"
    else:
        href, label, lang = f"{root}zh/{pagename}.html", "中文", "zh-CN"
    switch = f'<p class="book-language"><a href="{href}" hreflang="{lang}" lang="{lang}">{label}</a></p>\n'
    context["body"] = switch + context["body"]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", add_language_switch)
    app.connect("html-page-context", drop_unused_mathjax, priority=900)  # after sphinx.ext.mathjax (500)
    app.connect("build-finished", drop_fontawesome_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
