"""Guards of the code's structure: the import contracts hold, every import inside a function says why, and the
tests are laid out like the source (``tests/<app>/`` mirrors ``src/lanhmanh/<app>/``)."""

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


# The tests of the whole house, which belong to no app: the only test files at the top of tests/.
SITE_WIDE = {
    "test_access_matrix.py": "every role × every URL × records of several jurisdictions, then the bad-input corpus",
    "test_bad_input_items.py": "the bad-input corpus item by item, across the apps' forms and the API",
    "test_glossary.py": "the glossary names only classes defined in src",
    "test_guards.py": "no pending migration; every menu page for every role (one <h1>, CSP); check --deploy",
    "test_layers.py": "import contracts, inline-import reasons, this layout",
    "test_security.py": "sign-in for every role: password hashing, lockout, TOTP before any page, session expiry",
    "test_suite_split.py": "which run of make test takes each browser journey and the matrix",
}
# Folders of tests that mirror no package of src/lanhmanh: the browser journeys (they cross every app).
NOT_AN_APP = {"e2e"}


def misplaced_tests(tests: Path, src: Path) -> list[str]:
    """Test files at the top of ``tests`` that are not site-wide guards, or in a folder that mirrors no package
    of ``src`` (``tests/a/b/`` ↔ ``src/a/b/__init__.py``)."""
    misplaced = []
    for path in sorted(tests.rglob("test_*.py")):
        folders = path.relative_to(tests).parts[:-1]
        if not folders:
            if path.name not in SITE_WIDE:
                misplaced.append(path.name)
        elif folders[0] not in NOT_AN_APP and not src.joinpath(*folders, "__init__.py").is_file():
            misplaced.append("/".join([*folders, path.name]))
    return misplaced


def test_the_tests_are_laid_out_like_the_source():
    assert misplaced_tests(ROOT / "tests", SRC) == []
    assert all((ROOT / "tests" / name).is_file() for name in SITE_WIDE)


def test_the_layout_check_finds_a_test_at_the_top_or_in_a_folder_of_no_app(tmp_path):
    src, tests = tmp_path / "src", tmp_path / "tests"
    for package in ("core", "enforcement/cases"):
        (src / package).mkdir(parents=True)
        (src / package / "__init__.py").write_text("")
    for name in (
        "test_layers.py",
        "test_crypto.py",
        "core/test_text.py",
        "enforcement/cases/test_views.py",
        "cases/test_api.py",
        "e2e/test_sign_in.py",
        "core/helpers.py",
    ):
        (tests / name).parent.mkdir(parents=True, exist_ok=True)
        (tests / name).write_text("")
    assert misplaced_tests(tests, src) == ["cases/test_api.py", "test_crypto.py"]
