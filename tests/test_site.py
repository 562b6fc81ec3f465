"""The website: no broken link, nothing loaded from another host, and (marker
`browser`) every page checked in headless Chromium.

The site is built once per test session into a temporary folder, exactly as
`python3 scripts/book.py build` builds it (set BOOK_SITE_HTML=_build/html to
check an existing build instead). The browser tests need the Debian packages
`chromium` and `chromium-driver`: without them they are skipped, unless the
environment variable CI is set, where they fail.
Screenshots (desktop and phone width) are saved into _build/screenshots/.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import shutil
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from booktools import ROOT
from booktools.checks import repository_branch, repository_url
from booktools.site import (
    SiteServer,
    build_site,
    check_local_ref,
    css_urls,
    is_off_host,
    is_valid_external,
    read_pages,
)

REPOSITORY = urlsplit(repository_url()).path.strip("/")  # owner/name, from _config.yml
COLAB = f"https://colab.research.google.com/github/{REPOSITORY}/blob/{repository_branch()}/{{folder}}{{name}}.ipynb"
SCREENSHOTS = ROOT / "_build" / "screenshots"
# Found on PATH (Debian's packages put them in /usr/bin; other systems elsewhere).
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM = next(filter(None, map(shutil.which, BROWSER_NAMES)), None)
CHROMEDRIVER = shutil.which("chromedriver")
PHONE = (390, 844)
#: Most a page may weigh, everything it fetches counted as a server would send
#: it gzip-compressed (issue 11's goal; the theme's icon font alone is 0.54 MB).
MAX_PAGE_BYTES_COMPRESSED = 1_000_000
DESKTOP = (1280, 900)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def pages(site):
    found = read_pages(site)
    assert "intro.html" in found and any(p.startswith("chapters/") for p in found), sorted(found)
    return found


def _skip_scheme(url: str) -> bool:
    return urlsplit(url).scheme in ("mailto", "javascript", "data", "tel")


# -- The built HTML, read with html.parser ------------------------------------------------


def test_internal_links_and_anchors(site, pages):
    """Every href/src to a file of the site exists, and every #anchor is an id in its page."""
    problems, checked = [], 0
    for page in pages.values():
        for ref in page.refs:
            if _skip_scheme(ref.url) or is_off_host(ref.url):
                continue
            if urlsplit(ref.url).scheme:
                problems.append(f"{ref}: unexpected URL scheme")
                continue
            checked += 1
            problem = check_local_ref(site, pages, ref)
            if problem:
                problems.append(problem)
    assert checked > 100, f"only {checked} same-site links found: is the parser reading the pages?"
    assert not problems, f"{len(problems)} broken links:\n" + "\n".join(problems)


def test_external_links_are_well_formed(pages):
    """Links to other hosts are listed (-s shows them) and must be valid http(s) URLs."""
    external = sorted({ref.url for page in pages.values() for ref in page.refs if is_off_host(ref.url)})
    print(f"\n{len(external)} external links (not fetched):", *external, sep="\n  ")
    bad = [url for url in external if not is_valid_external(url)]
    assert not bad, "malformed external links:\n" + "\n".join(bad)


def test_pages_load_nothing_from_other_hosts(site, pages):
    """No script, stylesheet, font, image or frame comes from another host (links to them are fine)."""
    problems = []
    for page in pages.values():
        problems += [f"{ref}: fetched from another host" for ref in page.refs if ref.fetched and is_off_host(ref.url)]
        problems += [f"{page.path}: CSS loads {url}" for css in page.css for url in css_urls(css) if is_off_host(url)]
    for css in sorted(site.glob("_static/**/*.css")):
        for url in css_urls(css.read_text(encoding="utf-8", errors="replace")):
            if is_off_host(url):
                problems.append(f"{css.relative_to(site)}: loads {url}")
            elif not url.startswith(("data:", "#")) and not (css.parent / urlsplit(url).path).exists():
                problems.append(f"{css.relative_to(site)}: {url} does not exist")
    assert not problems, "\n".join(problems)


def test_mathjax_is_served_by_the_site_and_only_where_there_is_math(site, pages):
    """Pages with math load the local MathJax copy, its fonts are next to it, and other pages load none."""
    with_math = [page for page in pages.values() if page.math]
    assert with_math, "no page has math: the check below would prove nothing"
    for page in pages.values():
        scripts = [ref.url for ref in page.refs if ref.tag == "script" and "mathjax" in ref.url.lower()]
        if not page.math:
            assert not scripts, f"{page.path} has no math but loads {scripts} (_ext/book_site.py)"
            continue
        assert scripts and all(not is_off_host(url) for url in scripts), (page.path, scripts)
        assert any("_static/mathjax/tex-mml-chtml.js" in url for url in scripts), (page.path, scripts)
    fonts = site / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert (fonts / "MathJax_Main-Regular.woff").is_file() and (fonts / "MathJax_Math-Italic.woff").is_file()


# -- In a real browser ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def server(site):
    with SiteServer(site) as running:
        yield running


@pytest.fixture(scope="session")
def driver(tmp_path_factory):
    missing = [name for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)) if path is None]
    if missing:
        message = f"{', '.join(missing)} not on PATH: apt-get install -y chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    browser.set_page_load_timeout(30)
    browser.get("about:blank")  # leave the new-tab page, which fetches from Google by itself
    time.sleep(0.5)
    browser.get_log("browser"), browser.get_log("performance")
    yield browser
    browser.quit()


def _wait(driver, condition, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(condition)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} on {driver.current_url}")


def _open(driver, url: str) -> None:
    """Load a page and wait until it and MathJax (if any) are done."""
    driver.get(url)
    _wait(driver, "return document.readyState === 'complete'", what="page load")
    driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        const mj = window.MathJax;
        if (mj && mj.startup && mj.startup.promise) {
            mj.startup.promise.then(() => document.fonts.ready).then(() => done(true), () => done(false));
        } else { document.fonts.ready.then(() => done(true)); }"""
    )


def _network(driver, host: str) -> tuple[list[str], list[str]]:
    """Requests since the last call: (requested URLs, failures), from the DevTools performance log."""
    requested, failed, urls = [], [], {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        method, params = message["method"], message.get("params", {})
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            urls[params["requestId"]] = url
            requested.append(url)
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            failed.append(f"HTTP {params['response']['status']} {params['response']['url']}")
        elif method == "Network.loadingFailed" and not params.get("canceled") and params["requestId"] in urls:
            failed.append(f"{params.get('errorText')} {urls.get(params['requestId'], params['requestId'])}")
    web = [url for url in requested if urlsplit(url).scheme in ("http", "https", "ws", "wss")]
    off_host = [url for url in web if urlsplit(url).netloc != host]
    return requested, failed + [f"request to another host: {url}" for url in off_host]


@functools.cache
def _compressed_size(root: Path, url: str) -> int:
    """Bytes a server would send for a file of the site, gzip-compressed (images: already compressed, as is)."""
    path = root / unquote(urlsplit(url).path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    data = path.read_bytes()
    return len(data) if path.suffix in (".png", ".jpg", ".woff", ".woff2") else len(gzip.compress(data))


RAW_MATH = """
const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
const skip = 'pre, code, script, style, mjx-container, .cell_output, .output, .highlight';
const found = [];
while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest(skip)) continue;
    const m = node.textContent.match(/\\$\\$?[^$\\s][^$]*\\$|\\\\\\(|\\\\\\[/);
    if (m) found.push(m[0].slice(0, 60));
}
return found;
"""


@pytest.mark.browser
def test_every_page_in_the_browser(driver, server, pages):
    """No console error, no failed or off-host request, every image decoded, all math rendered."""
    host = urlsplit(server.url).netloc
    driver.get_log("browser"), driver.get_log("performance")  # start clean
    problems, font_requests, weights = [], [], {}
    for path, page in pages.items():
        _open(driver, server.url + path)
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")  # lazy images, if any
        _wait(driver, "return [...document.images].every(i => i.complete)", what="images")
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        problems += [f"{path}: console: {message}" for message in errors]
        requested, failed = _network(driver, host)
        problems += [f"{path}: {failure}" for failure in failed]
        font_requests += [url for url in requested if url.endswith(".woff")]
        broken = driver.execute_script(
            "return [...document.images].filter(i => !(i.naturalWidth > 0)).map(i => i.getAttribute('src'))"
        )
        problems += [f"{path}: image not shown: {src}" for src in broken]
        fetched = driver.execute_script(
            "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
            ".map(e => e.name)"
        )
        weights[path] = sum(_compressed_size(server.root, url) for url in dict.fromkeys(fetched))
        if page.math:
            counts = driver.execute_script(
                "const m = [...document.querySelectorAll('.math')];"
                "return [m.length, m.filter(e => e.querySelector('mjx-container')).length,"
                " document.querySelectorAll('mjx-container').length]"
            )
            if counts[0] != counts[1] or counts[2] < page.math:
                problems.append(f"{path}: {counts[1]} of {counts[0]} formulas rendered by MathJax")
            raw = driver.execute_script(RAW_MATH)
            problems += [f"{path}: raw TeX left in the text: {text!r}" for text in raw]
    print(
        "\npage weights (everything fetched, gzip-compressed):",
        *(f"{w / 1e6:.2f} MB {p}" for p, w in sorted(weights.items(), key=lambda item: -item[1])),
        sep="\n  ",
    )
    problems += [
        f"{p}: {w / 1e6:.2f} MB compressed, over {MAX_PAGE_BYTES_COMPRESSED / 1e6:.1f} MB"
        for p, w in weights.items()
        if w > MAX_PAGE_BYTES_COMPRESSED
    ]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
    assert any("/_static/mathjax/" in url for url in font_requests), "no MathJax font was loaded"


@pytest.mark.browser
def test_search_finds_autograd(driver, server):
    driver.get(server.url + "search.html?q=autograd")
    hrefs = _wait(
        driver,
        "const a = [...document.querySelectorAll('#search-results li a')].map(a => a.href);"
        "return document.querySelector('.search-summary') && a.length ? a : null",
        what="search results",
    )
    assert any(urlsplit(href).path.endswith("/chapters/03_autograd.html") for href in hrefs), hrefs
    text = driver.execute_script("return document.getElementById('search-results').innerText")
    assert "autograd" in text.lower()


@pytest.mark.browser
def test_launch_and_download_buttons(driver, server, pages):
    """Each chapter's Colab button opens its notebook; its download button offers the .ipynb.

    On a Chinese page (zh/chapters/...) both give the Chinese notebook, zh/chapters/<name>.ipynb.
    """
    chapters = [path for path in pages if path.startswith(("chapters/", "zh/chapters/"))]
    assert len(chapters) == 2 * len(list((ROOT / "chapters").glob("*.ipynb")))
    for path in chapters:
        name, chinese = Path(path).stem, path.startswith("zh/")
        driver.get(server.url + path)
        hrefs = driver.execute_script("return [...document.querySelectorAll('a')].map(a => a.href)")
        colab = [href for href in hrefs if href.startswith("https://colab.research.google.com/")]
        folder = "zh/chapters/" if chinese else "chapters/"
        assert colab == [COLAB.format(folder=folder, name=name)], (path, colab)
        download = driver.execute_script(
            "return [...document.querySelectorAll('.dropdown-download-buttons a')].map(a => a.href)"
        )
        notebooks = [href for href in download if urlsplit(href).path.endswith(f"/{name}.ipynb")]
        assert notebooks, (path, download)
        for href in notebooks:
            assert href.startswith(server.url), href
            with urllib.request.urlopen(href, timeout=10) as response:
                notebook = json.load(response)
            assert notebook["nbformat"] == 4 and notebook["cells"], href
            title = notebook["cells"][0]["source"]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in title) == chinese, (href, title)  # the Chinese title


@pytest.mark.browser
def test_phone_width_has_no_sideways_scroll(driver, server, pages):
    """At 390 px wide, no page is wider than the screen."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 2, "mobile": True},
    )
    try:
        too_wide = []
        for path in pages:
            _open(driver, server.url + path)
            sizes = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
            # A phone zooms out to fit content that is too wide: innerWidth then grows past 390 too.
            if sizes[0] > sizes[1] or sizes[1] != PHONE[0]:
                too_wide.append(f"{path}: {sizes[0]} px wide, viewport {sizes[1]} px (screen {PHONE[0]})")
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not too_wide, "\n".join(too_wide)


@pytest.mark.browser
def test_screenshots(driver, server, pages):
    """Landing page and a chapter (English and Chinese) at desktop and phone width, into _build/screenshots/."""
    chapter = next((p for p in pages if p.startswith("chapters/") and pages[p].math), "chapters/01_tensors.html")
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    saved = []
    for label, (width, height), mobile in (("desktop", DESKTOP, False), ("phone", PHONE, True)):
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )
        try:
            for name, path in (("landing", ""), ("chapter", chapter), ("chapter-zh", f"zh/{chapter}")):
                _open(driver, urljoin(server.url, path))
                file = SCREENSHOTS / f"{name}-{label}.png"
                assert driver.save_screenshot(str(file)), file
                saved.append(file)
        finally:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert all(file.stat().st_size > 10_000 for file in saved), [(f.name, f.stat().st_size) for f in saved]


def test_every_page_links_to_the_other_edition(site, pages):
    """Each English page starts with a link to its Chinese page (zh/...), and each Chinese page back."""
    problems = []
    generated = {"genindex.html", "search.html", "zh/genindex.html", "zh/search.html"}  # Sphinx's, without a body
    for path in (p for p in pages if p not in generated):
        if (site / path).read_text(encoding="utf-8").count('class="book-language"') == 0:
            if 'http-equiv="Refresh"' not in (site / path).read_text(encoding="utf-8"):
                problems.append(f"{path}: no language switch")
            continue
        other = path[3:] if path.startswith("zh/") else f"zh/{path}"
        if other not in pages:
            problems.append(f"{path}: the other edition has no {other}")
    assert sum(path.startswith("zh/") for path in pages) >= 18
    assert not problems, "\n".join(problems)


def test_chinese_pages_are_in_chinese(site, pages):
    """The Chinese edition declares its language and its chapters' text is Chinese."""
    for path in (p for p in pages if p.startswith("zh/chapters/")):
        text = (site / path).read_text(encoding="utf-8")
        assert '<html lang="zh-CN"' in text or '<html lang="zh_CN"' in text, path
        han = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
        assert han > 1000, (path, han)


def test_every_page_has_the_icon(site, pages):
    """Browsers ask for /favicon.ico (a failed request) unless the page names an icon."""
    icon = site / "_static" / "favicon.svg"
    assert icon.is_file() and icon.read_text().startswith("<svg")
    redirect = 'http-equiv="Refresh"'  # index.html only forwards to intro.html
    missing = [
        page.path
        for page in pages.values()
        if not any("favicon.svg" in ref.url for ref in page.refs) and redirect not in (site / page.path).read_text()
    ]
    assert not missing, f"pages without the icon link: {missing}"


@pytest.mark.browser
def test_icons_are_drawn_by_the_stylesheet(driver, server, pages):
    """No page loads fontawesome.js (_ext/book_site.py); the theme's CSS and web fonts draw its icons."""
    assert not [p for p, page in pages.items() if any("fontawesome.js" in ref.url for ref in page.refs)]
    _open(driver, server.url + "chapters/01_tensors.html")
    icons = driver.execute_script(
        "return [...document.querySelectorAll('i.fa-solid, i.fas, i.fab')].map(i => {"
        " const s = getComputedStyle(i, '::before');"
        " return [i.className, s.fontFamily, s.content, i.getBoundingClientRect().width]; })"
    )
    assert len(icons) >= 5, icons
    for name, family, content, _ in icons:
        assert "Font Awesome" in family and content not in ("", "none", "normal"), (name, family, content)
    assert any(width > 0 for *_, width in icons), "no icon is visible"
    _wait(
        driver,
        "return [...document.fonts].some(f => f.family.includes('Font Awesome') && f.status === 'loaded')",
        what="the icon font",
    )
