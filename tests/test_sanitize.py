"""The nbval sanitize rules: well formed, explained, and narrow."""

import re
import tomllib
from pathlib import Path

SANITIZE = Path(__file__).with_name("sanitize.cfg")

# For each rule (by regex), outputs it must normalise and outputs it must leave
# alone. Empty while sanitize.cfg has no rules; a new rule needs an entry here.
EXAMPLES: dict[str, dict[str, list[str]]] = {}


def read_rules() -> list[tuple[list[str], str, str]]:
    """Return (comment lines, regex, replace) for each rule, failing on malformed pairs."""
    rules, comments = [], []
    lines = SANITIZE.read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            comments.append(line)
        elif line.startswith("regex:"):
            assert i + 1 < len(lines) and lines[i + 1].startswith("replace: "), f"rule without replace: {line}"
            rules.append((comments, line[len("regex: ") :], lines[i + 1][len("replace: ") :]))
            comments = []
            i += 1
        elif line.strip():
            raise AssertionError(f"unexpected line in sanitize.cfg: {line!r}")
        else:  # a blank line ends a comment block: each rule needs its own
            comments = []
        i += 1
    return rules


def test_rules_are_explained_and_well_formed():
    for comments, regex, replace in read_rules():
        assert comments, f"rule {regex!r} has no comment explaining it"
        assert replace.strip(), f"rule {regex!r} has an empty replace (nbval drops it)"
        re.compile(regex)


def test_every_rule_has_examples():
    assert sorted(r for _, r, _ in read_rules()) == sorted(EXAMPLES)


def test_rules_match_only_what_varies():
    for _, regex, replace in read_rules():
        for text in EXAMPLES[regex]["varies"]:
            assert re.sub(regex, replace, text) != text, f"rule {regex!r} misses {text!r}"
        for text in EXAMPLES[regex]["stable"]:
            assert re.sub(regex, replace, text) == text, f"rule {regex!r} hides a real change in {text!r}"


def test_pytest_runs_nbval_with_this_file():
    addopts = tomllib.loads((SANITIZE.parent.parent / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "--nbval-sanitize-with=tests/sanitize.cfg" in addopts["addopts"]
