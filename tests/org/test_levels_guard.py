"""Levels are data, not code: outside the unit tree's own code (``lanhmanh/org``) nothing compares a
unit's level with a literal number or cuts a path at a fixed width.

Since 1/7/2025 the tree has two levels (city → commune), before it three; code that wrote ``level == 2``
or ``path[:6]`` would treat a 2026 commune as a district. Ask ``lanhmanh.org.levels`` instead.
"""

import re
from pathlib import Path

import lanhmanh

SRC = Path(lanhmanh.__file__).parent
PATTERNS = {
    "literal level comparison": re.compile(r"(\b|unit__)level\w*\s*(==|!=|<=|>=|<|>)\s*\d"),
    "literal level lookup": re.compile(r"(\b|unit__)level(__(exact|gt|gte|lt|lte|in))?\s*=\s*[\[(]?\s*\d"),
    "level arithmetic": re.compile(r"\blevel\s*[+-]\s*1\b"),
    "a fixed path width": re.compile(r"\bCODE_WIDTH\b|\bpath_length\("),
}


def offending_lines(root: Path = SRC) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] == "org" or "migrations" in relative.parts:
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for name, pattern in PATTERNS.items():
                if pattern.search(code):
                    found.append(f"{relative}:{number}: {name}: {line.strip()}")
    return found


def test_no_level_literals_outside_the_unit_tree():
    assert offending_lines() == []


def test_the_guard_catches_a_literal(tmp_path):
    app = tmp_path / "reporting"
    app.mkdir()
    (app / "bad.py").write_text(
        "if unit.level == 2:\n    pass\nqs.filter(unit__level=3)\nx = path[:CODE_WIDTH[1]]\n"
        "ok = unit.level < LOWEST_LEVEL  # level == 2 in a comment is fine\n"
    )
    (tmp_path / "org").mkdir()
    (tmp_path / "org" / "tree.py").write_text("if unit.level == 2:\n    pass\n")
    found = offending_lines(tmp_path)
    assert [line.split(":")[1] for line in found] == ["1", "3", "4"]
