"""Synthetic post-mortems for the benchmark: realistic front matter, about 1,000 words
of body, recurrences and action items, spread over 24 months. Deterministic per seed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

WORDS = (
    "the checkout service timed out while the orders database failed over and retries "
    "from the mobile app multiplied traffic until the connection pool was exhausted so "
    "responders rolled back the deploy raised the pool size and added backoff with jitter "
    "before traffic recovered and the backlog drained across every region"
).split()
SECTIONS = [
    "Summary",
    "Leadup",
    "Fault",
    "Impact",
    "Detection",
    "Response",
    "Recovery",
    "Five whys",
    "Root cause",
    "Backlog check",
    "Lessons learned",
    "Corrective actions",
]
SERVICES = [
    f"svc-{name}"
    for name in (
        "checkout",
        "orders",
        "payments",
        "tracking",
        "search",
        "auth",
        "labels",
        "routes",
        "notify",
        "billing",
        "edge",
        "dns",
        "kafka",
        "k8s",
        "grafana",
        "partner",
        "address",
        "fraud",
        "reports",
        "depot",
    )
] + [f"team-{n}" for n in range(20)]
STATUSES = ["Closed"] * 6 + ["Reviewed"] * 2 + ["In Review", "Draft"]
ITEM_STATES = ["Open", "In Progress", "Completed", "Verified"]


def sentence(rng: random.Random, ids: list[str]) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(10, 18))]
    if ids and rng.random() < 0.05:
        words.insert(rng.randint(0, len(words)), rng.choice(ids))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."  # not str.capitalize(): it lowercases the ids


def body(rng: random.Random, ids: list[str], moments: list[datetime], words: int = 1000) -> str:
    parts, count = [], 0
    for section in SECTIONS:
        paragraph = []
        while count < words * (SECTIONS.index(section) + 1) / len(SECTIONS):
            text = sentence(rng, ids)
            paragraph.append(text)
            count += len(text.split())
        parts.append(f"## {section}\n\n" + " ".join(paragraph))
    # A realistic timeline: rows from start to resolution, in order, crossing midnight when the
    # incident does, so the benchmark measures a clean site rather than 1,000 warnings.
    stamps = sorted(moments + [moments[0] + (moments[-1] - moments[0]) * k / 4 for k in (1, 3)])
    rows = "\n".join(
        f"| {stamp.strftime('%Y-%m-%d %H:%M')} | {sentence(rng, [])} |" for stamp in stamps
    )
    parts.insert(7, "## Timeline\n\n| Time (UTC) | Event |\n| --- | --- |\n" + rows)
    return "\n\n".join(parts)


def write_site(
    root: Path, count: int, seed: int = 1, plugin: bool = True, words: int = 1000
) -> None:
    """A site of ``count`` post-mortems of about ``words`` words each; ``plugin=False``
    writes the plain Material config."""
    rng = random.Random(seed)
    docs = root / "docs"
    folder = docs / "postmortems"
    folder.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Post-mortems\n\nThe benchmark site.\n", encoding="utf-8")
    end = datetime(2026, 10, 31, tzinfo=timezone.utc)
    ids: list[str] = []
    for n in range(count):
        ident = f"BEN-{10000 + n}"
        start = end - timedelta(minutes=int((count - n) * 24 * 30 * 24 * 60 / count))
        detected = start + timedelta(minutes=rng.randint(1, 60))
        mitigated = detected + timedelta(minutes=rng.randint(5, 240))
        resolved = mitigated + timedelta(minutes=rng.randint(5, 600))
        status = rng.choice(STATUSES)
        recurrence = [rng.choice(ids)] if ids and rng.random() < 0.1 else []
        items = []
        for k in range(rng.randint(1, 4)):
            state = rng.choice(ITEM_STATES)
            due = (resolved + timedelta(days=rng.randint(5, 60))).date()
            line = (
                f"  - title: Corrective action {k} for {ident}\n"
                f'    owner: "@eng{rng.randint(1, 60)}"\n'
                f"    priority: {rng.choice(['High', 'Medium', 'Low'])}\n    due: {due}\n"
                f"    status: {state}\n"
            )
            if state in ("Completed", "Verified"):
                line += f"    completed: {due - timedelta(days=2)}\n"
            items.append(line)
        services = rng.sample(SERVICES, rng.randint(1, 3))
        front = (
            f'---\nid: {ident}\ntitle: "Incident {n}: {rng.choice(WORDS)} {rng.choice(WORDS)} '
            f'degraded"\nseverity: P{rng.choice([1, 2, 2, 3, 3, 3, 4])}\nstatus: {status}\n'
            f"started: {start.isoformat()}\ndetected: {detected.isoformat()}\n"
            f"mitigated: {mitigated.isoformat()}\nresolved: {resolved.isoformat()}\n"
            f"detected_by: {rng.choice(['monitoring', 'monitoring', 'staff', 'customer'])}\n"
            f'services: [{", ".join(services)}]\ntags: [bench]\nowner: "@eng{rng.randint(1, 60)}"\n'
            f'incident_commander: "@ic{rng.randint(1, 9)}"\nreview_meeting: '
            f"{(resolved + timedelta(days=2)).date()}\nimpact:\n"
            f"  users_affected: {rng.randint(10, 90000)}\n"
            + (f"recurrence: [{recurrence[0]}]\n" if recurrence else "")
            + "action_items:\n"
            + "".join(items)
            + "---\n"
        )
        path = folder / f"{start.strftime('%Y-%m-%d')}-incident-{n}.md"
        path.write_text(
            front + body(rng, ids[-50:], [start, detected, mitigated, resolved], words) + "\n",
            encoding="utf-8",
        )
        ids.append(ident)
    write_config(root, plugin)


def write_config(root: Path, plugin: bool) -> None:
    base = (
        "site_name: Benchmark\ntheme:\n  name: material\n  font: false\n"
        "markdown_extensions: [tables, admonition, attr_list, md_in_html, toc]\n"
    )
    if plugin:
        config = base + "plugins:\n  - search\n  - postmortems\n"
    else:
        config = base + "plugins:\n  - search\nnot_in_nav: |\n  /postmortems/\n"
    (root / ("mkdocs.yml" if plugin else "plain.yml")).write_text(config, encoding="utf-8")
