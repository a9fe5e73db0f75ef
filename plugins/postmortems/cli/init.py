"""`postmortems init [DIR]`: a new site for a team, in the team's own words.

Everything it writes is made from one :class:`Settings` (the team's severities,
statuses, id prefix and folder), so the template, the example, the guide, the
deadlines and the schema agree with ``mkdocs.yml``, and the site builds with
``mkdocs build --strict`` as it stands.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import yaml

from postmortems import __version__
from postmortems.model.options import OPTIONS
from postmortems.model.paths import TEMPLATE
from postmortems.model.settings import Settings
from postmortems.read import template
from postmortems.render.guide import WORKFLOW_MARKER
from postmortems.render.pages import MARKER as INDEX_MARKER

# The example: Let's Encrypt's expired root on 30 September 2021 as a team met it.
EXAMPLE_BODY = {
    "summary": "The public API's certificate chain still named the expired DST Root CA X3. "
    "Older clients could not connect for 1 h 35 min.",
    "leadup": "The chain was set up in 2019 and never reviewed.",
    "fault": "The load balancer served the long chain to every client.",
    "impact": "About 12,000 requests from older Android clients failed.",
    "detection": "A synthetic check from an old client image failed within 5 minutes.",
    "response": "The on-call engineer confirmed the chain with openssl and paged the edge team.",
    "recovery": "The short chain was deployed to the load balancers.",
    "five whys": "1. Why did clients fail? The chain named an expired root.\n"
    "2. Why was it still named? Nobody owned the chain after the 2019 set-up.\n"
    "3. Why did nobody own it? Certificate work had no owner on the rota.",
    "root cause": "No one owned the certificate chain, so its expiry went unwatched.",
    "lessons learned": "The synthetic check from an old client caught it early.",
    "corrective actions": "Both actions are tracked under action_items above.",
}


class InitError(ValueError):
    """The folder already holds a site, or an option is wrong; the message says which."""


def settings_for(
    severities: list[str] | None,
    statuses: list[str] | None,
    reviewed: list[str] | None,
    id_prefix: str,
    folder: str,
) -> tuple[Settings, dict]:
    """The team's settings, and the options to write as set in ``mkdocs.yml``."""
    written: dict = {"folder": folder, "id_series": f"{id_prefix}-"}
    if severities:
        written["severities"] = severities
    if statuses:
        written["statuses"] = statuses
        written["reviewed_statuses"] = reviewed or statuses[-1:]
    elif reviewed:
        written["reviewed_statuses"] = reviewed
    # Factors are asked for from the first status after the meeting, as the example does.
    first_reviewed = (written.get("reviewed_statuses") or Settings().reviewed_statuses)[0]
    written["factors_required_from"] = first_reviewed
    vocabulary = {
        name: {"description": about, "group": group} for name, about, group in STARTER_FACTORS
    }
    return Settings.from_mapping({**written, "contributing_factors": vocabulary}), written


def write_site(
    root: Path, settings: Settings, written: dict, site_name: str, source: Requirement
) -> list[Path]:
    """Write every file of the new site; refuses to overwrite any. Returns them."""
    folder = Path("docs") / settings.folder
    files = {
        Path("mkdocs.yml"): mkdocs_yml(settings, written, site_name),
        Path("docs/index.md"): home(settings, site_name),
        Path("docs/guide.md"): guide(settings),
        folder / "index.md": f"# Post-mortems\n\n{INDEX_MARKER}\n",
        folder / TEMPLATE: template.written_for(settings),
        folder / "2021-09-30-expired-root-certificate.md": example(settings),
        Path("requirements.txt"): requirements(source),
        Path(".gitignore"): gitignore(),
        Path(".github/workflows/postmortems.yml"): workflow(),
        Path(".pre-commit-config.yaml"): pre_commit(settings, source),
        Path(".vscode/tasks.json"): vscode_tasks(),
        Path(".vscode/extensions.json"): vscode_extensions(),
        Path("README.md"): readme(settings, site_name),
    }
    taken = [str(path) for path in files if (root / path).exists()]
    if taken:
        raise InitError(f"{root}: would overwrite {', '.join(taken)}; choose an empty folder")
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return [root / path for path in files]


def _flow(value: object) -> str:
    """A value as one line of YAML (a mapping's value: no document end marker)."""
    text = yaml.safe_dump({"v": value}, default_flow_style=True, allow_unicode=True, width=1000)
    return text.strip()[len("{v: ") : -1]


# A starting vocabulary of contributing factors, for a team to edit: an incident lists any
# number of them, and the themes page counts them across incidents.
STARTER_FACTORS = (
    ("config-change", "A configuration change", "change"),
    ("deploy-without-canary", "A change reached every user at once", "change"),
    ("dependency-upgrade", "An upgraded library, platform or firmware", "change"),
    ("capacity-limit", "A pool, limit or node ran out", "capacity"),
    ("traffic-peak", "Traffic well above the usual peak", "capacity"),
    ("retry-storm", "Retries multiplied the load", "capacity"),
    ("third-party", "A provider failed or changed", "dependency"),
    ("certificate-expiry", "A certificate expired or was incomplete", "dependency"),
    ("missing-alert", "No alert fired, or too late", "detection"),
    ("misleading-signal", "A dashboard or status page said all was well", "detection"),
    ("manual-step", "A manual step was missed or done wrong", "process"),
    ("runbook-gap", "No runbook, or one that did not fit", "process"),
)


def _factors_block() -> str:
    rows = "".join(
        f"        {name}: {{description: {_flow(about)}, group: {group}}}\n"
        for name, about, group in STARTER_FACTORS
    )
    return "      contributing_factors:    # your team's vocabulary: edit, add, remove\n" + rows


def mkdocs_yml(settings: Settings, written: dict, site_name: str) -> str:
    """The site's configuration: the team's options set, every other one commented with
    the value in force and what it does; a starting vocabulary of contributing factors."""
    lines = []
    for option in OPTIONS:
        if option.name == "contributing_factors":
            lines.append(_factors_block().rstrip("\n"))
        elif option.name in written:
            lines.append(f"      {option.name}: {_flow(written[option.name])}")
        else:
            value = option.default
            if option.name.endswith("_deadlines"):  # the default, for the team's levels
                value = {k: str(d) for k, d in getattr(settings, option.name)}
            default = "" if value is None else f" {_flow(value)}"
            lines.append(f"      # {option.name}:{default}    # {option.help}")
    return f"""site_name: {_flow(site_name)}
theme:
  name: material
  font: false            # no web fonts: the site needs no outside network
  features: [navigation.indexes, navigation.sections, navigation.top, content.tooltips]
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle: {{icon: material/weather-night, name: Switch to dark mode}}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle: {{icon: material/weather-sunny, name: Switch to light mode}}

markdown_extensions:
  - tables
  - admonition
  - attr_list
  - md_in_html
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.superfences

plugins:
  - search
  - postmortems:
{chr(10).join(lines)}
"""


def example_id(settings: Settings, number: int = 0) -> str:
    """An id of the team's series. The example is number 0, so the team's own first
    post-mortem is number 1 whether the example is kept or deleted."""
    return f"{settings.id_series or 'INC-'}{number}"


def example(settings: Settings) -> str:
    """One finished post-mortem, valid under the settings as they stand."""
    status = (settings.reviewed_statuses or settings.statuses)[-1]
    severity = settings.severities[min(1, len(settings.severities) - 1)]
    done = (settings.action_item_done or settings.action_item_statuses)[0]
    ident = example_id(settings)
    parts = [
        f"""---
id: {ident}
title: Older clients could not reach the API after a root certificate expired
severity: {severity}
status: {status}
started: 2021-09-30T14:05:00Z
detected: 2021-09-30T14:10:00Z
mitigated: 2021-09-30T15:40:00Z
resolved: 2021-09-30T16:20:00Z
detected_by: {settings.detection_sources[0]}
services: [public-api]
contributing_factors: [certificate-expiry, missing-alert]
owner: "@edge-oncall"
review_meeting: 2021-10-01
impact:
  users_affected: 12000
action_items:
  - title: Serve the short chain from every load balancer
    owner: "@edge-oncall"
    due: 2021-10-08
    status: {done}
    completed: 2021-10-05
  - title: Alert 30 days before any certificate in a served chain expires
    owner: "@edge-oncall"
    due: 2021-10-29
    status: {done}
    completed: 2021-10-20
---
"""
    ]
    for name in template.sections(settings):
        parts.append(f"## {template.title(name)}\n")
        if name == "timeline":
            parts.append(
                f"| Time ({settings.timezone}) | Event |\n| --- | --- |\n"
                "| 2021-09-30 14:05 | Older clients start failing the TLS handshake. |\n"
                "| 14:10 | The synthetic check pages the on-call engineer. |\n"
                "| 15:40 | The short chain is live; errors stop. |\n"
                "| 16:20 | Every load balancer checked; resolved. |\n"
            )
        else:
            parts.append(EXAMPLE_BODY.get(name, "Written by the team.") + "\n")
    return "\n".join(parts)


def home(settings: Settings, site_name: str) -> str:
    return f"""# {site_name}

Our incident post-mortems, written as Markdown files in git and reviewed in pull
requests.

- [All post-mortems]({settings.folder}/index.md): sortable and filterable
- [How to write one](guide.md): the workflow, the deadlines, blameless writing
"""


def guide(settings: Settings) -> str:
    return f"""# Writing a post-mortem

Every post-mortem is a Markdown file in `docs/{settings.folder}/`, reviewed in a pull
request like code and published once merged.

## Start one

```sh
postmortems new --title "Checkout errors after the pool change" \\
    --severity {settings.severities[-1]} --services checkout-api
```

This copies `docs/{settings.folder}/{TEMPLATE}` with the next free id and status
**{settings.statuses[0]}**. Run `postmortems validate` as often as you like: it needs
no build and prints every problem as `file:line: error|warning: field: message`.

## Statuses and deadlines

{WORKFLOW_MARKER}

## The meeting

Walk through the timeline, ask how it could have been caught earlier, check the
impact figures, and give every action item an owner and a due date, or a priority:
an item with a priority and no `due` is due that priority's deadline after the
meeting (`action_item_deadlines` in `mkdocs.yml`). Then set `review_meeting:` to the
date and move the status on.

## Contributing factors, not one root cause

An incident seldom has one cause. List every condition that let it happen or made it
worse under `contributing_factors`, with names from the vocabulary in `mkdocs.yml`
(edit it to your team's words): `contributing_factors: [config-change, missing-alert]`.
The Themes page counts them across incidents, so the review can see what keeps
hurting and whether it is growing. Each post-mortem's page also lists the earlier
incidents most like it, and `postmortems new` prints them: link one under
`recurrence:` when it had the same cause.

## Writing the timeline from the incident channel

```sh
postmortems timeline slack-export.zip --channel inc-1234 --into docs/{settings.folder}/<file>.md
```

writes the channel's messages from `started` to `resolved` as the Timeline table (a
plain-text log of the channel works too).

## Blameless writing

Write about systems and decisions, not about people's failings: the validator
warns about wording that blames ("human error", "should have known").
"""


class Requirement(NamedTuple):
    """How a fresh environment installs the plugin that is running: a pip requirement,
    and a sentence saying where it comes from."""

    line: str
    origin: str
    local: bool = False  # a path on this machine: CI elsewhere cannot reach it


DISTRIBUTION = "mkdocs-postmortems"


def plugin_requirement() -> Requirement:
    """The running copy's source, as pip recorded it (PEP 610 ``direct_url.json``): a git
    URL at its commit, a wheel or archive, a local folder; none means a package index."""
    from importlib import metadata  # 15 ms, that every other command would pay at start

    try:
        recorded = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:  # run from a source tree that was not installed
        folder = Path(__file__).resolve().parents[3]
        if (folder / "pyproject.toml").is_file():
            return Requirement(
                f"{DISTRIBUTION} @ {folder.as_uri()}", "the source folder this copy runs from", True
            )
        recorded = None
    if not recorded:
        return Requirement(f"{DISTRIBUTION}=={__version__}", "a package index (PyPI or a mirror)")
    direct = json.loads(recorded)
    url = direct.get("url", "")
    vcs = direct.get("vcs_info")
    if vcs:
        return Requirement(
            f"{DISTRIBUTION} @ {vcs.get('vcs', 'git')}+{url}@{vcs['commit_id']}",
            "its git repository, at the commit this copy came from",
            url.startswith("file:"),
        )
    what = "archive" if "archive_info" in direct else "folder"
    return Requirement(
        f"{DISTRIBUTION} @ {url}", f"the {what} this copy came from", url.startswith("file:")
    )


def requirements(source: Requirement) -> str:
    warning = (
        "#   That is a path on this machine: CI and teammates cannot reach it. Publish the\n"
        "#   plugin (a package index, a git URL) and write that here instead.\n"
        if source.local
        else ""
    )
    return f"""# The site's tools: the post-mortems plugin (which brings MkDocs and Material),
# installed from {source.origin}.
{warning}{source.line}
"""


def gitignore() -> str:
    return ".venv/\nsite/\n__pycache__/\n.cache/\n"


# Material for MkDocs prints a notice about MkDocs 2.0 on every command; this silences it.
QUIET = {"NO_MKDOCS_2_WARNING": "1"}


def workflow() -> str:
    return f"""name: post-mortems
on: [push, pull_request]
env:
  # Silences Material for MkDocs' notice about MkDocs 2.0, printed on every command.
  NO_MKDOCS_2_WARNING: "{QUIET["NO_MKDOCS_2_WARNING"]}"
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0   # each page shows its last change, from git
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install -r requirements.txt
      # Warnings fail, as errors do, here, in the pre-commit hook and in the build.
      - run: postmortems validate --strict --format github
      - run: mkdocs build --strict
"""


def pre_commit(settings: Settings, source: Requirement) -> str:
    return f"""# pip install pre-commit && pre-commit install: checks post-mortems on each commit.
# pre-commit installs the plugin into an environment of its own, from the same source
# as requirements.txt: no virtual environment needs to be active.
repos:
  - repo: local
    hooks:
      - id: postmortems-validate
        name: validate post-mortems
        entry: postmortems validate --strict --only-postmortems
        language: python
        additional_dependencies: [{json.dumps(source.line)}]
        files: ^docs/{re.escape(settings.folder)}/.*\\.md$
        require_serial: true
"""


# Our messages are in the form of a compiler's (``file:line: error: message``); this is the
# pattern of the ``$gcc`` matcher of the C/C++ extension, written out so that the tasks
# need no extension.
PROBLEM_MATCHER = {
    "owner": "postmortems",
    "source": "postmortems",
    "fileLocation": ["relative", "${workspaceFolder}"],
    "pattern": {
        "regexp": r"^(.*?):(\d+):(\d*):?\s+(?:fatal\s+)?(warning|error):\s+(.*)$",
        "file": 1,
        "line": 2,
        "column": 3,
        "severity": 4,
        "message": 5,
    },
}


def vscode_tasks() -> str:
    """Tasks whose messages VS Code shows in the editor, at their lines."""
    tasks = {
        "version": "2.0.0",
        "tasks": [
            {
                "label": "Validate this post-mortem",
                "type": "shell",
                "command": "postmortems validate '${file}'",
                "problemMatcher": PROBLEM_MATCHER,
                "presentation": {"reveal": "silent"},
            },
            {
                "label": "Validate all post-mortems",
                "type": "shell",
                "command": "postmortems validate",
                "problemMatcher": PROBLEM_MATCHER,
                "group": {"kind": "test", "isDefault": True},
            },
            {
                "label": "Preview the site",
                "type": "shell",
                "command": "mkdocs serve",
                "isBackground": True,
                "problemMatcher": [],
            },
        ],
    }
    return json.dumps(tasks, indent=2) + "\n"


def vscode_extensions() -> str:
    # Front Matter CMS reads the YAML at the top of Markdown files; the YAML extension
    # does not, so its schema mapping gives no checks there.
    recommended = {"recommendations": ["eliostruyf.vscode-front-matter"]}
    return json.dumps(recommended, indent=2) + "\n"


def readme(settings: Settings, site_name: str) -> str:
    return f"""# {site_name}

Incident post-mortems as code: one Markdown file per incident in
`docs/{settings.folder}/`, checked by `postmortems validate` and published with MkDocs.

```sh
python3 -m venv .venv && .venv/bin/pip install --upgrade pip
.venv/bin/pip install -r requirements.txt
export NO_MKDOCS_2_WARNING=1          # silences Material's notice about MkDocs 2.0
.venv/bin/postmortems new --title "What happened" --severity {settings.severities[-1]}
.venv/bin/postmortems validate        # file:line: error|warning: field: message
.venv/bin/mkdocs serve                # preview at http://127.0.0.1:8000/
```

Severities: {", ".join(settings.severities)} (worst first). Statuses:
{" → ".join(settings.statuses)}. The site's `guide` page says what each status requires
and when the review meeting is due; `mkdocs.yml` holds every option, commented. The
example post-mortem is {example_id(settings)}, so your first is number 1.

Warnings fail like errors, everywhere: CI (`.github/workflows/postmortems.yml`) runs
`postmortems validate --strict` and `mkdocs build --strict`, and the pre-commit hook
(`.pre-commit-config.yaml`) passes `--strict` too. To let warnings pass, remove
`--strict` from all three places; `postmortems validate` alone reports them without
failing.

- `pip install pre-commit && pre-commit install` checks post-mortems on each commit; the
  hook installs the plugin on its own, from the same source as `requirements.txt`.
- VS Code: the task "Validate this post-mortem" puts each problem on its line.
"""
