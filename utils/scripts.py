"""Run a Python script in a fresh process, as the chapter "Lightning at scale" does.

The chapter writes its scripts (distributed training, a ``LightningCLI``) into a
folder and starts them with the kernel's own Python and environment, so that
they see the book's deterministic CPU settings and the installed ``utils``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ._validate import check_positive_int, check_type

__all__ = ["run_script"]

StrPath = str | os.PathLike[str]


def run_script(
    script: StrPath, *args: str, cwd: StrPath | None = None, tail_lines: int = 20
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` with this interpreter and environment; raise with the end of its stderr if it fails.

    Taught in the chapter "Lightning at scale", which starts its DDP and
    LightningCLI scripts this way. The script's output is captured, not shown.

    Args:
        script: The script's path; a relative path is relative to ``cwd``.
        *args: Command-line arguments for the script, each a ``str``.
        cwd: The folder to run in (default: the current folder).
        tail_lines: How many lines from the end of stderr a failure reports.

    Returns:
        The finished process, its ``stdout`` and ``stderr`` as text.

    Raises:
        TypeError: An argument has the wrong type.
        FileNotFoundError: ``cwd`` is not a folder or ``script`` is not a file.
        RuntimeError: The script exited with a non-zero status; the message
            holds the status and the last ``tail_lines`` lines of stderr.
    """
    func = "run_script"
    check_type(func, "script", script, (str, os.PathLike), "a path (str or os.PathLike)")
    for index, arg in enumerate(args):
        check_type(func, f"args[{index}]", arg, str, "a str")
    if cwd is not None:
        check_type(func, "cwd", cwd, (str, os.PathLike), "a path (str or os.PathLike) or None")
    check_positive_int(func, "tail_lines", tail_lines)
    folder = Path(cwd) if cwd is not None else Path.cwd()
    if not folder.is_dir():
        raise FileNotFoundError(f"{func}(): argument 'cwd' must be an existing folder, got {os.fspath(folder)!r}")
    if not (folder / script).is_file():
        raise FileNotFoundError(f"{func}(): argument 'script' must be a file, got {os.fspath(script)!r}")
    command = [sys.executable, os.fspath(script), *args]
    done = subprocess.run(command, cwd=folder, env=dict(os.environ), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.rstrip("\n").split("\n")[-tail_lines:])
        raise RuntimeError(f"{os.fspath(script)} exited with status {done.returncode}; the end of its stderr:\n{tail}")
    return done
