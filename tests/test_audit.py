"""The dependency audit's verdict on pip-audit reports (scripts/audit.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts" / "audit.py")
assert spec and spec.loader
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

VULN = {"id": "GHSA-xxxx", "aliases": ["CVE-2099-1"], "fix_versions": ["2.0"]}


def test_a_finding_fails_and_says_what_to_do() -> None:
    report = {"dependencies": [{"name": "foo", "version": "1.0", "vulns": [VULN]}]}
    status, lines = audit.judge(report, {})
    assert status == 1
    assert any("foo 1.0: GHSA-xxxx (fixed in 2.0)" in line for line in lines)
    assert "audit-ignore.txt" in lines[-1]


def test_an_accepted_finding_passes_by_any_alias(tmp_path: Path) -> None:
    ignore = tmp_path / "audit-ignore.txt"
    ignore.write_text("# reviewed\nCVE-2099-1  only in a server mode we never start\n")
    report = {
        "dependencies": [
            {"name": "foo", "version": "1.0", "vulns": [VULN]},
            {"name": "bar", "version": "3.1", "vulns": []},
        ]
    }
    status, lines = audit.judge(report, audit.ignored_ids(ignore))
    assert status == 0
    assert any(line.startswith("accepted") and "never start" in line for line in lines)
    assert "2 packages audited" in lines[-1]


def test_an_unreachable_service_is_not_reported_as_clean() -> None:
    report = {
        "dependencies": [
            {"name": "foo", "skip_reason": "Dependency not found on PyPI"},
            {"name": "bar", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    status, lines = audit.judge(report, {})
    assert status == 0
    assert "none of the 2 installed packages was audited" in lines[-1]


def test_the_committed_ignore_file_parses() -> None:
    assert all(reason for reason in audit.ignored_ids().values())
