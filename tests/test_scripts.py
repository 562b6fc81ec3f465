"""utils.scripts: run_script, which the chapter "Lightning at scale" starts its scripts with."""

import os
import sys
from pathlib import Path

import pytest

from utils.scripts import run_script


def write(folder: Path, source: str, name: str = "script.py") -> Path:
    path = folder / name
    path.write_text(source)
    return path


def test_runs_in_cwd_with_arguments_and_returns_output(tmp_path):
    write(tmp_path, "import os, sys\nprint(os.getcwd(), *sys.argv[1:])\n")
    done = run_script("script.py", "a", "b c", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == f"{os.path.realpath(tmp_path)} a b c\n"
    assert done.stderr == ""


def test_uses_this_interpreter_and_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_TEST_VALUE", "42")
    write(tmp_path, "import os, sys\nprint(sys.executable, os.environ['BOOK_TEST_VALUE'])\n")
    done = run_script(tmp_path / "script.py")
    assert done.stdout == f"{sys.executable} 42\n"


def test_failure_raises_with_status_and_last_lines_of_stderr(tmp_path):
    write(tmp_path, "import sys\nsys.stderr.write('one\\ntwo\\nthree\\n')\nsys.exit(3)\n")
    with pytest.raises(RuntimeError) as caught:
        run_script("script.py", cwd=tmp_path, tail_lines=2)
    assert str(caught.value) == "script.py exited with status 3; the end of its stderr:\ntwo\nthree"


def test_default_tail_is_20_lines(tmp_path):
    write(tmp_path, "import sys\nsys.stderr.write(''.join(f'line {i}\\n' for i in range(30)))\nsys.exit(1)\n")
    with pytest.raises(RuntimeError) as caught:
        run_script("script.py", cwd=tmp_path)
    assert str(caught.value).split(":\n", 1)[1] == "\n".join(f"line {i}" for i in range(10, 30))


PATH = r"a path \(str or os.PathLike\)"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        ({"script": 3}, TypeError, rf"^run_script\(\): argument 'script' must be {PATH}, got int$"),
        ({"args": ("--x", 1)}, TypeError, r"^run_script\(\): argument 'args\[1\]' must be a str, got int$"),
        ({"cwd": 1.5}, TypeError, rf"^run_script\(\): argument 'cwd' must be {PATH} or None, got float$"),
        ({"tail_lines": 0}, ValueError, r"^run_script\(\): argument 'tail_lines' must be a positive int, got 0$"),
        ({"script": "missing.py"}, FileNotFoundError, r"argument 'script' must be a file, got 'missing.py'$"),
        ({"cwd": "no/such/dir"}, FileNotFoundError, r"argument 'cwd' must be an existing folder, got 'no/such/dir'$"),
    ],
)
def test_bad_input_is_refused_before_anything_runs(tmp_path, call, error, message):
    marker = tmp_path / "ran"
    write(tmp_path, f"open({str(marker)!r}, 'w').close()\n")
    given = {"script": "script.py", "args": (), "cwd": tmp_path, "tail_lines": 20, **call}
    with pytest.raises(error, match=message):
        run_script(given["script"], *given["args"], cwd=given["cwd"], tail_lines=given["tail_lines"])
    assert not marker.exists()
