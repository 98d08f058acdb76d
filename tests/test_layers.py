"""Guards of the code's structure: the import contracts hold, and every import inside a function says why."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "lanhmanh"

# The reasons an import may sit inside a function (ruff PLC0415), written `# noqa: PLC0415 -- reason: …`.
ALLOWED_REASONS = {
    "cycle": "two modules of one app need each other (a task and the service that enqueues it)",
    "heavy": "a large library loaded only where it is used (Word, PDF)",
    "entry-point": "a command-line entry point, before Django is configured",
}
NOQA = re.compile(r"#\s*noqa:[^#\n]*\bPLC0415\b(?P<rest>[^\n]*)")
REASON = re.compile(r"^\s*--\s*(?P<reason>[a-z-]+):\s*\S")


def inline_import_exemptions() -> list[tuple[str, int, str]]:
    """(file, line, reason or the whole comment when it gives none) for every PLC0415 exemption in src."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if match := NOQA.search(line):
                reason = REASON.match(match.group("rest"))
                found.append(
                    (str(path.relative_to(ROOT)), number, reason.group("reason") if reason else line.strip())
                )
    return found


def test_every_import_inside_a_function_gives_an_allowed_reason():
    unexplained = [(f, n, r) for f, n, r in inline_import_exemptions() if r not in ALLOWED_REASONS]
    assert unexplained == []


def test_the_reason_check_refuses_a_bare_or_unknown_reason():
    assert REASON.match(NOQA.search("import x  # noqa: PLC0415").group("rest")) is None
    unknown = REASON.match(NOQA.search("import x  # noqa: PLC0415 -- lazy: faster").group("rest"))
    assert unknown.group("reason") == "lazy"
    assert "lazy" not in ALLOWED_REASONS


def test_the_import_contracts_are_kept():
    """Layers core < org < api < indicators < people < domain apps < demo; migrations
    import no live code (pyproject.toml, [tool.importlinter])."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(  # noqa: S603 - our own linter, fixed arguments
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout
