"""A new team's whole journey, as the team takes it, each step a real command.

An SRE team (SEV0-SEV3, statuses of its own, ids PAY-n, post-mortems in
``docs/incidents``) runs ``postmortems init`` from the published wheel, then:
installs from the ``requirements.txt`` it wrote into a fresh virtual environment, runs
every step of the CI workflow it wrote, commits through the pre-commit hook it wrote
with no virtual environment on PATH, pastes in a real write-up with mistakes, and
validates it from the site, from the post-mortems folder and from outside. Every
check, the hook and ``mkdocs build --strict`` must give the same verdict.
"""

from __future__ import annotations

import re
import shutil
import venv
from pathlib import Path

import pytest
import yaml
from conftest import run_clean

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="the journey needs git")

TEAM = [
    "--severities", "SEV0,SEV1,SEV2,SEV3",
    "--statuses", "Draft,In review,Done",
    "--id-prefix", "PAY",
    "--folder", "incidents",
    "--site-name", "Payments incidents",
]  # fmt: skip
GIT_ID = {
    "GIT_AUTHOR_NAME": "Team",
    "GIT_AUTHOR_EMAIL": "team@example.com",
    "GIT_COMMITTER_NAME": "Team",
    "GIT_COMMITTER_EMAIL": "team@example.com",
}
BANNER = "MkDocs 2.0"  # Material's notice, which the written workflow silences

# GitLab's database incident of 31 January 2017, as the team would write it up, in the
# public write-up's own time forms. {typo} is where a mistake goes.
WRITE_UP = """\
---
id: PAY-1
title: Primary database data removed while repairing replication
severity: {severity}
status: Done
started: 2017-01-31T23:00:00Z
{detected_key}: 2017-01-31T23:27:00Z
mitigated: 2017-02-01T18:14:00Z
resolved: 2017-02-01T18:14:00Z
detected_by: staff
services: [payments-db]
contributing_factors: [manual-step, runbook-gap, missing-alert]
owner: "@db-oncall"
review_meeting: 2017-02-03
impact:
  users_affected: 5000
action_items:
  - title: Test restores from every backup method each week
    owner: "@db-oncall"
    due: 2017-02-28
    status: Open
  - title: Make the prompt name the host and its role
    owner: "@sre"
    due: 2017-02-10
    status: Open
---

## Summary

While repairing replication, the data folder of the primary database was removed.
Six hours of data were lost and the service was down for 18 hours.

## Leadup

A spike of spam load made the secondary fall behind until replication stopped.

## Fault

A command meant for the secondary ran against the primary and removed its data folder.

## Impact

About 5,000 projects lost six hours of changes; the service was down for 18 hours.

## Detection

The engineer saw the removal run on the wrong host and stopped it.

## Response

The team looked for a backup: three of five methods had not been working.

## Recovery

The staging snapshot, taken six hours earlier, was copied back to production.

## Timeline

| Time (UTC) | Event |
| --- | --- |
| 2017/01/31 16:00 | A snapshot of the database is taken by hand for staging. |
| 2017/01/31 21:00 | Spam load on the database begins. |
| 2017/01/31 22:00 | Replication lag alerts; the secondary falls behind. |
| 2017/01/31 23:00-ish | The data folder is removed on the primary by mistake. |
| 2017/01/31 23:27 | The removal is stopped; about 300 GB are gone. |
| 2017/02/01 00:36 | Copying the staging snapshot back begins. |
| 2017/02/01 18:14 | The service is back, with data as of 17:20 UTC the day before. |

## Five whys

1. Why was data lost? The primary's data folder was removed.
2. Why was it removed? A command meant for the secondary ran on the primary.
3. Why could no backup restore it? No backup method was tested.

## Root cause

Backups were never restored in a test, so none was known to work.

## Lessons learned

The staging snapshot saved the data; luck, not design.

## Corrective actions

Both are tracked under action_items above.
"""


def pasted(severity: str = "SEV1", detected_key: str = "detected") -> str:
    return WRITE_UP.format(severity=severity, detected_key=detected_key)


@pytest.fixture(scope="module")
def team(wheel_venv, tmp_path_factory) -> dict:
    """The team's repository, written by init from the wheel, with a fresh virtual
    environment that only the written workflow's steps installed into."""
    home = tmp_path_factory.mktemp("team")
    made = run_clean([str(wheel_venv / "postmortems"), "init", "payments", *TEAM], home)
    assert made.returncode == 0, made.stderr
    root = home / "payments"
    assert "Next: cd payments && python3 -m venv .venv" in made.stderr
    assert "NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs serve" in made.stderr
    assert "The example post-mortem is PAY-0: the team's first is PAY-1." in made.stderr
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "init"]):
        assert run_clean(["git", *args], root, **GIT_ID).returncode == 0
    fresh = tmp_path_factory.mktemp("ci-venv")
    venv.create(fresh, with_pip=True)
    made = {"root": root, "bin": fresh / "bin", "home": home}
    made["workflow"] = run_workflow(made)
    return made


def workflow_steps(root: Path) -> tuple[list[str], dict[str, str]]:
    workflow = yaml.safe_load((root / ".github/workflows/postmortems.yml").read_text())
    steps = [
        step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step
    ]
    return steps, {k: str(v) for k, v in (workflow.get("env") or {}).items()}


def run_workflow(team: dict) -> list:
    """Every ``run:`` step of the written workflow, in order, as CI runs them (the
    checkout and set-up-python steps are the clone and the fresh environment)."""
    steps, env = workflow_steps(team["root"])
    results = []
    for step in steps:
        result = run_clean(["bash", "-e", "-c", step], team["root"], [team["bin"]], **env)
        results.append((step, result))
        if result.returncode != 0:
            break
    return results


def test_requirements_name_the_wheel_the_team_installed(team):
    text = (team["root"] / "requirements.txt").read_text()
    (line,) = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert re.fullmatch(
        r"mkdocs-postmortems @ file:///\S+/mkdocs_postmortems-[\d.]+-py3-none-any\.whl", line
    )
    assert "# installed from the archive this copy came from." in text
    assert "cannot reach it" in text  # a path on this machine, said so


def test_the_written_workflow_runs_green_from_a_fresh_environment(team):
    results = team["workflow"]
    assert [step for step, _ in results] == workflow_steps(team["root"])[0]
    for step, result in results:
        assert result.returncode == 0, (step, result.stdout[-2000:], result.stderr[-2000:])
        assert BANNER not in result.stdout + result.stderr, step
    assert (team["root"] / "site/incidents/2021-09-30-expired-root-certificate/index.html").exists()
    assert (team["root"] / "site/schema/postmortem.schema.json").exists()


@pytest.fixture(scope="module")
def hooked(team, tmp_path_factory) -> dict:
    """The team's clone with the written pre-commit hook installed, and no virtual
    environment on PATH: pre-commit must build the hook's environment itself."""
    import sys

    pre_commit = Path(sys.executable).parent / "pre-commit"  # the user's own pre-commit
    system = ["/usr/local/bin", "/usr/bin", "/bin"]
    assert shutil.which("postmortems", path=":".join(system)) is None
    clone = tmp_path_factory.mktemp("clone") / "payments"
    assert (
        run_clean(["git", "clone", "-q", str(team["root"]), str(clone)], team["home"]).returncode
        == 0
    )
    env = {"PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")), **GIT_ID}
    installed = run_clean([str(pre_commit), "install"], clone, **env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return {"clone": clone, "env": env}


def commit(hooked: dict, name: str, text: str):
    path = hooked["clone"] / "docs/incidents" / name
    path.write_text(text, encoding="utf-8")
    assert run_clean(["git", "add", "-A"], hooked["clone"]).returncode == 0
    return run_clean(["git", "commit", "-q", "-m", f"Add {name}"], hooked["clone"], **hooked["env"])


def verdicts(team: dict, name: str) -> dict[str, tuple[int, str]]:
    """validate as the workflow runs it, from the site, from the post-mortems folder and
    from outside the site, and the strict build: exit code and output of each."""
    root, tools = team["root"], team["bin"]
    _, env = workflow_steps(root)
    out = {}
    for label, cwd, path in (
        ("site", root, f"docs/incidents/{name}"),
        ("folder", root / "docs/incidents", name),
        ("outside", team["home"], f"payments/docs/incidents/{name}"),
    ):
        result = run_clean([str(tools / "postmortems"), "validate", "--strict", path], cwd, **env)
        out[label] = (result.returncode, result.stdout)
    build = run_clean([str(tools / "mkdocs"), "build", "--strict"], root, **env)
    out["build"] = (build.returncode, build.stdout + build.stderr)
    return out


def test_a_pasted_write_up_gets_one_verdict_everywhere(team, hooked):
    name = "2017-01-31-primary-database-removed.md"
    # A misspelled key is a warning: every check fails on it, the hook blocks the commit.
    (team["root"] / "docs/incidents" / name).write_text(pasted(detected_key="detcted"))
    found = verdicts(team, name)
    assert {label: code for label, (code, _) in found.items()} == dict.fromkeys(found, 1), found
    for label, prefix in (
        ("site", "docs/incidents/"),
        ("folder", ""),
        ("outside", "payments/docs/incidents/"),
    ):
        assert found[label][1].splitlines() == [
            f"{prefix}{name}:7: warning: detcted: unknown key; did you mean 'detected'?"
        ], found[label]
    assert "Aborted with 1 warnings in strict mode!" in found["build"][1]
    blocked = commit(hooked, name, pasted(detected_key="detcted"))
    assert blocked.returncode != 0
    said = blocked.stdout + blocked.stderr
    assert f"docs/incidents/{name}:7: warning: detcted: unknown key" in said, said

    # An error too, the same everywhere.
    (team["root"] / "docs/incidents" / name).write_text(pasted(severity="P1"))
    found = verdicts(team, name)
    assert {label: code for label, (code, _) in found.items()} == dict.fromkeys(found, 1), found
    assert found["folder"][1].startswith(f"{name}:4: error: severity: 'P1' is not one of SEV0")
    assert commit(hooked, name, pasted(severity="P1")).returncode != 0

    # Written right: every check passes and the commit goes in, timeline forms and all.
    (team["root"] / "docs/incidents" / name).write_text(pasted())
    found = verdicts(team, name)
    assert {label: code for label, (code, _) in found.items()} == dict.fromkeys(found, 0), found
    done = commit(hooked, name, pasted())
    assert done.returncode == 0, done.stdout + done.stderr
    page = team["root"] / "site/incidents/2017-01-31-primary-database-removed/index.html"
    assert "PAY-1" in page.read_text(encoding="utf-8")


def test_the_hook_leaves_other_pages_alone_and_the_command_refuses_them(team, hooked):
    guide = hooked["clone"] / "docs/guide.md"
    guide.write_text(guide.read_text() + "\nOne more line.\n", encoding="utf-8")
    assert run_clean(["git", "add", "-A"], hooked["clone"]).returncode == 0
    done = run_clean(["git", "commit", "-q", "-m", "Guide"], hooked["clone"], **hooked["env"])
    assert done.returncode == 0, done.stdout + done.stderr
    named = run_clean([str(team["bin"] / "postmortems"), "validate", "docs/guide.md"], team["root"])
    assert named.returncode == 2
    assert "docs/guide.md: not checked: it has no front matter" in named.stderr
