"""A chapter runs in a simulated Colab, from a folder outside the repository.

The simulation: a separate virtual environment that sees this environment's
packages (torch, numpy, ...) but not the book's `utils`; a stand-in
`google.colab` module, so the setup cell takes its Colab branch; and
BOOK_UTILS_SOURCE pointing at this checkout, so its `%pip install` takes
`utils` from here instead of from GitHub. The chapter must run to the end,
import `utils` from what it installed, and leave torch alone.
"""

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from booktools import ROOT
from booktools.checks import CELL_TIMEOUT_S

CHAPTER = ROOT / "chapters" / "01_tensors.ipynb"

PROBE = """\
import google.colab, torch, utils
print("colab stand-in:", google.colab.__file__)
print("utils from:", utils.__file__)
print("torch from:", torch.__file__)
"""


def make_colab_env(tmp: Path) -> Path:
    """Create the stand-in environment; return its Python."""
    venv = tmp / "colab-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Packages Colab already has come from this environment (a plain path, so
    # the editable install of `utils` here, a .pth hook, stays invisible).
    Path(site, "book_base.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    fake = tmp / "fake-colab" / "google" / "colab"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('"""Stand-in for Colab\'s google.colab module."""\n')
    kernel = tmp / "jupyter" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (kernel / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "colab", "language": "python"}))
    return python


def test_chapter_runs_in_simulated_colab(tmp_path, monkeypatch):
    python = make_colab_env(tmp_path)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "fake-colab"))
    monkeypatch.setenv("BOOK_UTILS_SOURCE", str(ROOT))
    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")

    workdir = tmp_path / "colab"
    workdir.mkdir()
    shutil.copy(CHAPTER, workdir)
    nb = nbformat.read(workdir / CHAPTER.name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    # Raises CellExecutionError on any error not tagged raises-exception.
    resources = {"metadata": {"path": str(workdir)}}
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources=resources)
    client.execute()

    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "not every cell ran"
    probe = "".join(o.get("text", "") for o in code[-1].outputs)
    colab_site = str(python.parent.parent)
    assert f"colab stand-in: {tmp_path / 'fake-colab'}" in probe, probe
    assert "utils from: " + colab_site in probe, "utils was not installed by the setup cell:\n" + probe
    assert "torch from: " + sysconfig.get_paths()["purelib"] in probe, probe
    installed = list(Path(colab_site).glob("lib/python*/site-packages/torch"))
    assert not installed, "the setup cell installed torch in Colab"
