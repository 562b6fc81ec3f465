"""The book's commands. Needs only Python 3.11+ and pip; creates .venv itself.

    python3 scripts/book.py test [PYTEST_ARGS...]   run the whole test suite
    python3 scripts/book.py build                   build the website into _build/html
    python3 scripts/book.py execute [NOTEBOOK...]   re-run notebooks, store their outputs
    python3 scripts/book.py lint [RUFF_ARGS...]     ruff (lint; the code's format), then mypy --strict
    python3 scripts/book.py portability             the notebooks under other CPU kernels and thread counts
    python3 scripts/book.py compat [NOTEBOOK...]    the notebooks on a newer torch (.venv-compat), what changes
    python3 scripts/book.py i18n [check|notebooks]  the Chinese edition: update its catalogs from the English
                                                    (default), check them, or write the Chinese notebooks

Each command first makes sure `.venv` exists and matches requirements.txt,
constraints.txt and pyproject.toml (it reinstalls when one of them changed).
scripts/book.py starts this module (`python3 -m booktools`) with any python3,
before .venv exists: it imports only the standard library.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from booktools import ROOT

VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")  # = _venv_python(VENV)
STAMP_NAME = ".book-requirements.sha256"  # in each environment: the hash of what it was installed from
INPUTS = ("requirements.txt", "constraints.txt", "pyproject.toml", "utils/__init__.py")  # the version


def _requirements_hash() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")


def _needs_install(venv: Path, wanted: str, what: str) -> bool:
    """False if `venv` was installed from inputs hashing to `wanted`; else create it if missing and return True."""
    python, stamp = _venv_python(venv), venv / STAMP_NAME
    if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return False
    if not python.exists():
        print(f"book.py: creating {venv.relative_to(ROOT)}{what} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    return True


def _pip_install(venv: Path, *args: str) -> None:
    pip = [str(_venv_python(venv)), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, *args], check=True, cwd=ROOT)


def ensure_env() -> None:
    """Create or update .venv so that it matches the pinned requirements."""
    wanted = _requirements_hash()
    if not _needs_install(VENV, wanted, ""):
        return
    print("book.py: installing requirements.txt (a few minutes the first time) ...", flush=True)
    _pip_install(VENV, "-r", str(ROOT / "requirements.txt"))
    (VENV / STAMP_NAME).write_text(wanted + "\n")


def run(args: list[str], env: dict[str, str] | None = None) -> int:
    """Run a command from the repository root and return its exit code."""
    return subprocess.run(args, cwd=ROOT, env=env).returncode


# One worker per CPU core, each test file (each notebook) whole on one worker:
# nbval runs a notebook's cells in order in one kernel, so a file must not be
# split (pytest-xdist's --dist loadfile). Arguments given after these win.
PARALLEL = ["-n", "auto", "--dist", "loadfile"]


def cmd_test(extra: list[str]) -> int:
    # conftest.py fixes threads and CPU kernels before any kernel starts.
    return run([str(PYTHON), "-m", "pytest", *PARALLEL, *extra])


# The site serves MathJax itself (no CDN): package.json pins it, `npm ci` installs
# it into node_modules/, and prepare_static() copies the parts a page can load
# into _build/static/, which _config.yml lists in html_static_path and Sphinx
# copies into _build/html/_static/ (mathjax_path: mathjax/tex-mml-chtml.js).
STATIC = ROOT / "_build" / "static"
MATHJAX_PARTS = (
    "tex-mml-chtml.js",  # the component every page with math loads
    "output/chtml/fonts/woff-v2",  # its fonts, found next to the script
    "input/tex/extensions",  # TeX packages loaded on demand (\\require, autoload)
    "input/mml/extensions",
    "ui",  # parts of the right-click menu loaded on demand
    "a11y",  # accessibility options of that menu, with the speech rule engine:
    "sre",
)


# The site's own stylesheet (_config.yml: html_css_files). Kept here, not in a
# root _static/ folder: Jupyter Book adds every .js under each html_static_path
# entry of a book that has _static/ to every page, MathJax's hundreds included.
BOOK_CSS = """\
/* Written by scripts/book.py build (booktools/cli.py). Long inline code (an identifier with its
   arguments) may break anywhere rather than widen a phone's page. */
.bd-article code.literal, .bd-article code.literal span.pre { white-space: pre-wrap; overflow-wrap: anywhere; }
"""


# The site's icon (_config.yml: html_favicon), so that browsers find one and
# do not ask for a missing /favicon.ico: three nodes of a computation graph.
FAVICON_SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
<rect width="64" height="64" rx="12" fill="#1f3b57"/>
<path d="M18 46 L32 18 L46 46" stroke="#f5a25d" stroke-width="5" fill="none"/>
<circle cx="32" cy="18" r="8" fill="#ee4c2c"/><circle cx="18" cy="46" r="8" fill="#f5f5f5"/>
<circle cx="46" cy="46" r="8" fill="#f5f5f5"/>
</svg>
"""


def prepare_static() -> Path:
    """Install node_modules (npm ci) if missing, copy MathJax into _build/static/mathjax, write book.css, the icon."""
    STATIC.mkdir(parents=True, exist_ok=True)
    for name, text in (("book.css", BOOK_CSS), ("favicon.svg", FAVICON_SVG)):
        if not (STATIC / name).is_file() or (STATIC / name).read_text() != text:
            (STATIC / name).write_text(text)
    source = ROOT / "node_modules" / "mathjax" / "es5"
    if not source.is_dir():
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("book.py: npm is needed once to install MathJax (package.json); install Node.js 18+ with npm")
        print("book.py: npm ci (MathJax, served by the site itself) ...", flush=True)
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
    target = STATIC / "mathjax"
    stamp = (source.parent / "package.json").read_text()
    if (target / ".package.json").is_file() and (target / ".package.json").read_text() == stamp:
        return STATIC  # already copied (tests build the site too)
    staging = STATIC / f".mathjax-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    for part in MATHJAX_PARTS:
        src, dst = source / part, staging / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    (staging / ".package.json").write_text(stamp)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return STATIC


def cmd_build(extra: list[str]) -> int:
    started = time.perf_counter()
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    prepare_static()
    code = run([str(BIN / "jupyter-book"), "build", ".", "--warningiserror", "--keep-going", *extra])
    if code == 0:
        print(f"book.py: English site built in {time.perf_counter() - started:.0f} s: _build/html/index.html")
        started = time.perf_counter()
        code = run([str(PYTHON), "-m", "booktools.i18n", "site"])  # the Chinese edition, at _build/html/zh/
        if code == 0:
            print(f"book.py: Chinese site built in {time.perf_counter() - started:.0f} s: _build/html/zh/index.html")
    return code


def cmd_execute(extra: list[str]) -> int:
    return run([str(PYTHON), "-m", "booktools.execute", *extra])


# The newest torch the book is checked on, besides the pin in requirements.txt
# (`compat`, run by CI; intro.md names it, a test checks). On Linux PyPI's
# build of it is the CUDA build, several GB with its NVIDIA wheels.
NEWER_TORCH = "2.14.1"
COMPAT_VENV = ROOT / ".venv-compat"


def ensure_compat_env() -> Path:
    """Create or update .venv-compat: the book's pins, with torch NEWER_TORCH instead of the pinned one."""
    wanted = hashlib.sha256((_requirements_hash() + NEWER_TORCH).encode()).hexdigest()
    if _needs_install(COMPAT_VENV, wanted, f" with torch {NEWER_TORCH}"):
        # requirements.txt and constraints.txt without their torch pin (and without
        # the editable utils, installed afterwards without dependencies).
        keep = [
            ln
            for ln in (ROOT / "requirements.txt").read_text().splitlines()
            if ln.strip() and not ln.startswith(("#", "-c", "-e", "torch=="))
        ]
        pins = [ln for ln in (ROOT / "constraints.txt").read_text().splitlines() if not ln.startswith("torch==")]
        (COMPAT_VENV / "requirements.txt").write_text("\n".join(keep) + "\n")
        (COMPAT_VENV / "constraints.txt").write_text("\n".join(pins) + "\n")
        _pip_install(
            COMPAT_VENV,
            f"torch=={NEWER_TORCH}",
            "-r",
            str(COMPAT_VENV / "requirements.txt"),
            "-c",
            str(COMPAT_VENV / "constraints.txt"),
        )
        _pip_install(COMPAT_VENV, "--no-deps", "-e", str(ROOT))
        (COMPAT_VENV / STAMP_NAME).write_text(wanted + "\n")
    return _venv_python(COMPAT_VENV)


def cmd_compat(extra: list[str]) -> int:
    """Run every notebook on torch NEWER_TORCH: fail on new errors, report new warnings and changed text."""
    python = ensure_compat_env()
    return run([str(python), "-m", "booktools.compat", *extra])


# Keep in step with utils.reproducibility.CPU_VARIANTS (a test checks): this
# module runs before .venv exists, so it cannot import utils (torch). The value is the
# number of threads each notebook kernel uses under that variant.
CPU_VARIANTS = {"baseline-kernels": 1, "two-threads": 2}


def cmd_portability(extra: list[str]) -> int:
    """Run every notebook's nbval check once per simulated machine (utils.CPU_VARIANTS)."""
    failed = []
    for variant, threads in CPU_VARIANTS.items():
        # No more busy threads than cores: oversubscribed OpenMP threads spin
        # and slow a kernel down many times over.
        workers = max(1, (os.cpu_count() or 1) // threads)
        print(f"book.py: notebooks under CPU variant {variant!r} ({workers} workers) ...", flush=True)
        env = {**os.environ, "BOOK_CPU_VARIANT": variant}
        args = ["-n", str(workers), "--dist", "loadfile", "chapters", "front", "-q", *extra]
        if run([str(PYTHON), "-m", "pytest", *args], env=env) != 0:
            failed.append(variant)
    if failed:
        print(f"book.py: stored outputs differ under {failed}: print what is stable (see CONTRIBUTING.md)")
    return 1 if failed else 0


def cmd_i18n(extra: list[str]) -> int:
    return run([str(PYTHON), "-m", "booktools.i18n", *(extra or ["update"])])


def cmd_lint(extra: list[str]) -> int:
    """ruff check (given arguments go to it), ruff format --check, then mypy; each runs, any failure fails lint.

    ruff covers every Python file and notebook that git does not ignore (its
    excludes are in pyproject.toml; notebooks are linted, not formatted);
    mypy checks the files that pyproject's [tool.mypy] lists, strictly.
    """
    steps = {
        "ruff check": [str(BIN / "ruff"), "check", ".", *extra],
        "ruff format": [str(BIN / "ruff"), "format", "--check", "."],
        "mypy": [str(BIN / "mypy")],
    }
    failed = [name for name, command in steps.items() if run(command) != 0]
    if failed:
        print(f"book.py lint: {', '.join(failed)} failed")
    return 1 if failed else 0


COMMANDS = {
    "test": cmd_test,
    "build": cmd_build,
    "execute": cmd_execute,
    "lint": cmd_lint,
    "portability": cmd_portability,
    "compat": cmd_compat,
    "i18n": cmd_i18n,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip())
        return 2
    ensure_env()
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
