"""The nbval sanitize rules: well formed, explained, and narrow."""

import re
from pathlib import Path

import pytest

SANITIZE = Path(__file__).with_name("sanitize.cfg")

# For each rule (by regex), outputs it must normalise and outputs it must leave alone.
EXAMPLES = {
    r"\bat 0x[0-9a-fA-F]+>": {
        "varies": [
            "<torch.utils.benchmark.utils.common.Measurement object at 0x7f3b2c1d0e50>",
            "<function f at 0x10a2b3c4d>",
        ],
        "stable": [
            "tensor([[1., 2.],\n        [3., 4.]])",
            "0x10 is 16",
            "stride=(3, 1) at offset 0",
            "value at 0x1f",
        ],
    },
}


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
    rules = read_rules()
    assert rules, "sanitize.cfg has no rules"
    for comments, regex, replace in rules:
        assert comments, f"rule {regex!r} has no comment explaining it"
        assert replace.strip(), f"rule {regex!r} has an empty replace (nbval drops it)"
        re.compile(regex)


def test_every_rule_has_examples():
    assert sorted(r for _, r, _ in read_rules()) == sorted(EXAMPLES)


@pytest.mark.parametrize("regex", sorted(EXAMPLES))
def test_rule_matches_only_what_varies(regex):
    replace = dict((r, rep) for _, r, rep in read_rules())[regex]
    for text in EXAMPLES[regex]["varies"]:
        assert re.sub(regex, replace, text) != text, f"rule {regex!r} misses {text!r}"
    for text in EXAMPLES[regex]["stable"]:
        assert re.sub(regex, replace, text) == text, f"rule {regex!r} hides a real change in {text!r}"
