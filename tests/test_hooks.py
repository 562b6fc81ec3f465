"""The git hooks of .pre-commit-config.yaml: a valid configuration, nothing to fetch, and the repository passes."""

import os
import subprocess
import sys

import yaml

from booktools import ROOT

CONFIG = ROOT / ".pre-commit-config.yaml"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def test_the_configuration_is_valid():
    result = subprocess.run([*PRE_COMMIT, "validate-config", str(CONFIG)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_hook_runs_a_tool_of_the_environment():
    """Offline, as CI is: no hook repository to clone, no environment for pre-commit to build."""
    for repo in yaml.safe_load(CONFIG.read_text())["repos"]:
        assert repo["repo"] == "local", f"{repo['repo']}: pre-commit would fetch it; run a tool from .venv instead"
        for hook in repo["hooks"]:
            program = hook["entry"].split()[0]
            assert hook["language"] == "system" and program.startswith(".venv/bin/"), hook
            assert (ROOT / program).is_file(), f"hook {hook['id']}: {program} is not installed (requirements.txt)"


def test_the_hooks_pass_on_every_file(tmp_path):
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    command = [*PRE_COMMIT, "run", "--all-files", "--color", "never"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
