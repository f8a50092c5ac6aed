"""Audit the installed dependencies for known vulnerabilities with pip-audit.

    .venv/bin/python scripts/audit.py            # what `make audit` and CI run

pip-audit reads the Python Packaging Advisory Database through PyPI's JSON API for
every package installed in the virtual environment (the environment *is* the lock: the
exact versions that the tests ran against). A finding fails the run unless its id is
listed in ``audit-ignore.txt`` with a reason. When the advisory service cannot be
reached (on a machine that sees only a package mirror, every package comes back
"not found"), the run says so plainly and passes: nothing was audited, and that is not
reported as "no vulnerabilities".
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / "audit-ignore.txt"


def ignored_ids(path: Path = IGNORE_FILE) -> dict[str, str]:
    """Vulnerability ids to accept, each with its reason (``ID  reason`` per line)."""
    ids: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                vuln_id, _, reason = line.partition(" ")
                ids[vuln_id] = reason.strip()
    return ids


def judge(report: dict[str, Any], ignore: dict[str, str]) -> tuple[int, list[str]]:
    """Exit status and the lines to print for a pip-audit JSON report."""
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    lines: list[str] = []
    findings = 0
    for dep in audited:
        for vuln in dep.get("vulns", []):
            names = {vuln.get("id", ""), *vuln.get("aliases", [])}
            accepted = next((ignore[n] for n in names if n in ignore), None)
            fix = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
            where = f"{dep['name']} {dep['version']}: {vuln.get('id')} (fixed in {fix})"
            if accepted is not None:
                lines.append(f"accepted  {where}: {accepted}")
            else:
                findings += 1
                lines.append(f"FOUND     {where}")
    if not audited:
        lines.append(
            f"audit: the advisory service was not reachable, so none of the {len(deps)} "
            "installed packages was audited (this machine sees only a package mirror). "
            "Run `make audit` where pypi.org's JSON API answers."
        )
        return 0, lines
    skipped = len(deps) - len(audited)
    lines.append(
        f"audit: {len(audited)} packages audited, {skipped} not found on the index "
        f"(the packaged model parts), {findings} unaccepted finding(s)"
    )
    if findings:
        lines.append(
            "Upgrade the package (pyproject.toml), or, when it cannot affect Newsdesk, add "
            "the id and the reason to audit-ignore.txt."
        )
    return (1 if findings else 0), lines


def main() -> int:
    site = sysconfig.get_paths()["purelib"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--path",
            site,
            "--format",
            "json",
            "--progress-spinner",
            "off",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr.strip() or "pip-audit gave no report", file=sys.stderr)
        return 2
    status, lines = judge(report, ignored_ids())
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
