"""`postmortems init`: a new team's site, in its own words, that builds as it stands."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

TEAM = [
    "--severities",
    "SEV0,SEV1,SEV2,SEV3",
    "--statuses",
    "Draft,Review,Published",
    "--id-prefix",
    "INC",
    "--folder",
    "incidents",
    "--site-name",
    "Payments post-mortems",
]


def run(cwd: Path, *args: str, command: str = "postmortems.cli") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", command, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_init_writes_a_site_in_the_teams_words_that_builds_strict(tmp_path):
    root = tmp_path / "payments"
    made = run(tmp_path, "init", str(root), *TEAM)
    assert made.returncode == 0, made.stderr
    for name in (
        "mkdocs.yml",
        "docs/index.md",
        "docs/guide.md",
        "docs/incidents/index.md",
        "docs/incidents/_template.md",
        ".github/workflows/postmortems.yml",
        ".pre-commit-config.yaml",
        ".vscode/tasks.json",
        ".vscode/extensions.json",
        "README.md",
        "requirements.txt",
    ):
        assert (root / name).is_file(), name
    config = yaml.safe_load((root / "mkdocs.yml").read_text())
    options = config["plugins"][1]["postmortems"]
    assert options["severities"] == ["SEV0", "SEV1", "SEV2", "SEV3"]
    assert options["reviewed_statuses"] == ["Published"] and options["folder"] == "incidents"
    assert (
        "# review_deadlines: {SEV0: 3 days, SEV1: 5 business days}"
        in (root / "mkdocs.yml").read_text()
    )

    built = run(root, "build", "--strict", command="mkdocs")
    assert built.returncode == 0, built.stderr
    assert run(root, "validate").returncode == 0
    guide = (root / "site/guide/index.html").read_text()
    assert "SEV0" in guide and "Published" in guide and "In Review" not in guide
    template = (root / "docs/incidents/_template.md").read_text()
    assert "severity: SEV3" in template and "status: Draft" in template and "P1" not in template
    schema = json.loads(run(root, "schema").stdout)
    assert schema["properties"]["severity"]["enum"] == ["SEV0", "SEV1", "SEV2", "SEV3"]
    published = root / "site/schema/postmortem.schema.json"  # on every site, for editors
    assert json.loads(published.read_text()) == schema
    assert (root / ".gitignore").read_text().splitlines()[:2] == [".venv/", "site/"]

    # The team's first post-mortem: the next id of its series, from its template.
    new = run(root, "new", "--title", "Card payments declined", "--severity", "SEV1")
    assert new.returncode == 0, new.stderr
    written = root / new.stdout.strip()
    assert "id: INC-1" in written.read_text()  # the example is INC-0
    # Published straight from the template: the template's text is what is wrong.
    written.write_text(written.read_text().replace("status: Draft", "status: Published"))
    result = run(root, "validate")
    assert result.returncode == 1
    assert "text left from the template: '1. Why ...?'" in result.stdout or (
        "section 'Five whys' is not written yet" in result.stdout
    )


def test_init_with_no_options_builds_too_and_never_overwrites(tmp_path):
    assert run(tmp_path, "init", "site").returncode == 0
    assert run(tmp_path / "site", "build", "--strict", command="mkdocs").returncode == 0
    again = run(tmp_path, "init", "site")
    assert again.returncode == 2
    assert "site: would overwrite mkdocs.yml, docs/index.md" in again.stderr


def test_init_refuses_settings_that_disagree(tmp_path):
    result = run(tmp_path, "init", "x", "--statuses", "Draft,Done", "--reviewed-statuses", "Closed")
    assert result.returncode == 2
    assert "reviewed_statuses: 'Closed' is not one of statuses (Draft, Done)" in result.stderr
    assert not (tmp_path / "x").exists()


# The C/C++ extension's $gcc matcher, as VS Code users know it.
GCC = r"^(.*?):(\d+):(\d*):?\s+(?:fatal\s+)?(warning|error):\s+(.*)$"


def test_the_vscode_task_reads_our_messages_at_their_lines(tmp_path):
    root = tmp_path / "site"
    assert run(tmp_path, "init", str(root), *TEAM).returncode == 0
    tasks = json.loads((root / ".vscode/tasks.json").read_text())["tasks"]
    matcher = tasks[0]["problemMatcher"]["pattern"]
    assert matcher["regexp"] == GCC
    example = next((root / "docs/incidents").glob("2*.md"))
    example.write_text(
        example.read_text()
        .replace("severity: SEV1", "severity: P9")
        .replace("## Root cause\n", "## Root cause\n\nHuman error.\n")
    )
    output = run(root, "validate", str(example.relative_to(root))).stdout.splitlines()
    assert len(output) == 2
    found = [re.match(matcher["regexp"], line) for line in output]
    assert all(found), output
    fields = [
        (m.group(matcher["file"]), int(m.group(matcher["line"])), m.group(matcher["severity"]))
        for m in found
    ]
    assert fields[0] == ("docs/incidents/2021-09-30-expired-root-certificate.md", 4, "error")
    assert fields[1][2] == "warning"
    assert (root / fields[0][0]).is_file()  # relative to the workspace, as the task says
    assert found[0].group(matcher["message"]).startswith("severity: 'P9' is not one of SEV0")
