"""Helpers for tests/test_site.py: build the website, read its pages, serve it.

Only the standard library: pages are read with html.parser, served with
http.server. The website is built the way `python3 scripts/book.py build`
builds it (booktools.cli: same MathJax copy, same flags), into a folder of the
caller's choice.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from booktools import ROOT
from booktools.cli import prepare_static

BIN = Path(sys.executable).parent  # the venv's bin, where jupyter-book is


def build_site(out: Path, source: Path = ROOT) -> Path:
    """Build the book in `source` into `out`; return the folder holding index.html.

    The environment variable BOOK_SITE_HTML names an already built site to
    use instead (for example _build/html after `python3 scripts/book.py build`).
    """
    if os.environ.get("BOOK_SITE_HTML"):
        html = Path(os.environ["BOOK_SITE_HTML"]).resolve()
        if not (html / "index.html").is_file():
            raise FileNotFoundError(f"BOOK_SITE_HTML={html} holds no index.html")
        return html
    prepare_static()  # MathJax into _build/static (npm ci the first time)
    jb = BIN / "jupyter-book"
    command = [str(jb), "build", str(source), "--path-output", str(out), "--warningiserror", "--keep-going"]
    result = subprocess.run(command, cwd=source, capture_output=True, text=True)
    if result.returncode != 0:
        log = f"{result.stdout[-4000:]}\n{result.stderr}"
        raise RuntimeError(f"jupyter-book build failed ({result.returncode}):\n{log}")
    html = out / "_build" / "html"
    from booktools.i18n import build_chinese_site

    build_chinese_site(source, out / "zh_CN", html)  # the Chinese edition, at html/zh/
    return html


# -- Reading pages --------------------------------------------------------------

# Attributes that make the browser fetch something when the page is shown
# (as opposed to <a href>, which the reader follows by choice).
FETCHING = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("input", "src"),
}
LINKING = {("a", "href"), ("area", "href")}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE)


@dataclass
class Ref:
    page: str  # the page, relative to the site's root
    line: int
    tag: str
    attr: str
    url: str
    rel: str = ""

    @property
    def fetched(self) -> bool:
        return (self.tag, self.attr) in FETCHING

    def __str__(self) -> str:
        return f"{self.page}:{self.line} <{self.tag} {self.attr}={self.url!r}>"


@dataclass
class Page:
    path: str
    ids: set[str] = field(default_factory=set)
    refs: list[Ref] = field(default_factory=list)
    css: list[str] = field(default_factory=list)  # contents of <style> and style=""
    inline_scripts: list[str] = field(default_factory=list)
    math: int = 0  # elements of class "math" (rendered by MathJax)


class _PageParser(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value for name, value in attrs if value is not None}  # <a href> without a value: no link
        line = self.getpos()[0]
        if a.get("id"):
            self.page.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.page.ids.add(a["name"])
        if "math" in (a.get("class") or "").split():
            self.page.math += 1
        if a.get("style"):
            self.page.css.append(a["style"])
        for attr in ("href", "src", "srcset", "data", "poster"):
            value = a.get(attr)
            if value is None or ((tag, attr) not in FETCHING and (tag, attr) not in LINKING):
                continue
            if attr == "srcset":  # "a.png 1x, b.png 2x"
                urls = [part.strip().split()[0] for part in value.split(",") if part.strip()]
            else:
                urls = [value]
            for url in urls:
                self.page.refs.append(Ref(self.page.path, line, tag, attr, url.strip(), a.get("rel") or ""))
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            match = re.search(r"url=(.+)$", a.get("content") or "", re.IGNORECASE)
            if match:
                self.page.refs.append(Ref(self.page.path, line, "meta", "refresh", match.group(1).strip()))
        if tag in ("style", "script") and not (tag == "script" and a.get("src")):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.page.css.append(data)
        elif self._in == "script":
            self.page.inline_scripts.append(data)


def read_pages(html_root: Path) -> dict[str, Page]:
    """Every .html page under html_root, parsed, keyed by its path relative to the root."""
    pages = {}
    for file in sorted(html_root.rglob("*.html")):
        rel = file.relative_to(html_root).as_posix()
        if rel.startswith(("_static/", "zh/_static/")):
            continue  # the theme's Jinja snippets (webpack-macros.html), not pages
        page = Page(rel)
        _PageParser(page).feed(file.read_text(encoding="utf-8"))
        pages[rel] = page
    return pages


def css_urls(text: str) -> list[str]:
    """The url(...) and @import targets in a piece of CSS."""
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in CSS_URL.finditer(text)]


def is_off_host(url: str) -> bool:
    """Whether a URL as written in a page points at another host (http(s):// or //host)."""
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme in ("http", "https", "ftp", "ws", "wss")


def is_valid_external(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and parts.hostname is not None
        and "." in parts.hostname
        and not re.search(r"[\s<>\"]", url)
    )


def check_local_ref(html_root: Path, pages: dict[str, Page], ref: Ref) -> str | None:
    """None if a same-site link resolves (file, and #anchor when given); else the problem."""
    parts = urlsplit(ref.url)
    path, fragment = unquote(parts.path), unquote(parts.fragment)
    base = (html_root / ref.page).parent
    target = (html_root / path.lstrip("/")) if path.startswith("/") else (base / path if path else html_root / ref.page)
    target = Path(os.path.normpath(target))
    if html_root not in (target, *target.parents):
        return f"{ref}: points outside the site ({target})"
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"{ref}: no such file {target.relative_to(html_root).as_posix()}"
    if fragment and target.suffix == ".html":
        page = pages.get(target.relative_to(html_root).as_posix())
        if page is not None and fragment not in page.ids:
            return f"{ref}: no id {fragment!r} in {page.path}"
    return None


# -- Serving --------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


class SiteServer:
    """http.server on 127.0.0.1 (a free port) in a background thread."""

    def __init__(self, html_root: Path):
        self.root = Path(html_root)
        handler = functools.partial(_QuietHandler, directory=str(html_root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
