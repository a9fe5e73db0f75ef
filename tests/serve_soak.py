"""An afternoon of writing under `make serve`, compressed.

Random edits of every kind an author makes (titles, severities, statuses, dates moved
across months, ids changed with and without their references, files added, deleted and
renamed, YAML broken and fixed, services renamed, body text, references added and
removed) on a copy of the example site, with a team's own page of macro tables added,
under a real `mkdocs serve --dirty`. After each edit every file the server serves is
compared with a fresh `mkdocs build` of the same files, the search index entry by entry,
the problems the rebuild printed with the fresh build's, and every page the fresh build
no longer has must answer 404.

`make test` runs a short fixed-seed soak; `make soak` a long one with a random seed it
prints (`make soak SEED=… EDITS=…` repeats one).
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from serving import Serve, get, problems

REPO = Path(__file__).resolve().parent.parent
# What a served page has that a built one has not.
LIVE_RELOAD = re.compile(r"<script[^>]*>[^<]*livereload[^<]*</script>")
CANONICAL = re.compile(r'<link rel="canonical"[^>]*>')
TEAM_PAGE = """# Our open incidents

The team's own tables, made by the plugin's macros.

## P1

{{ postmortems_table(severity='P1') }}

## Payments

{{ postmortems_table(service='payments-gateway') }}
"""
TITLES = [
    "Checkout requests failed while the orders database failed over",
    "Tracking events delayed by a consumer group rebalance",
    "Partner API rejected by clients after a certificate rotation",
    "Search results empty after an index alias swap & <reindex>",
    "Label printing slowed by DNS resolver saturation",
]
BREAKS = [
    ("severity: ", "severity: [P2\nx: "),  # an unclosed flow sequence
    ("title: ", "title: 'unclosed\n  "),  # an unclosed quote
    ("status: ", "status:\tDraft\n\tstatus: "),  # a tab where YAML wants spaces
]
KINDS = (
    "title",
    "severity",
    "status",
    "move",
    "id",
    "id_everywhere",
    "add",
    "delete",
    "rename",
    "break",
    "fix",
    "service",
    "body",
    "reference_add",
    "reference_remove",
)
DATETIME = re.compile(r"^([a-z_]+: )(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(?::\d{2})?Z)?$", re.M)


def front_end(text: str) -> int:
    """Where the front matter's closing fence starts (0 when there is none)."""
    end = text.find("\n---\n", 4)
    return end if text.startswith("---\n") and end > 0 else 0


@dataclass
class Author:
    """Edits the post-mortems of ``root`` the way a person does, one at a time."""

    root: Path
    rng: random.Random
    broken: dict[str, str] = field(default_factory=dict)  # file name -> its good text
    count: int = 0
    bag: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # of each edit made, in order

    @property
    def folder(self) -> Path:
        return self.root / "docs" / "postmortems"

    def healthy(self) -> list[Path]:
        return [
            p
            for p in sorted(self.folder.glob("*.md"))
            if not p.name.startswith("_") and p.name != "index.md" and p.name not in self.broken
        ]

    def ids(self) -> list[str]:
        found = (
            re.search(r"^id: (\S+)", p.read_text(encoding="utf-8"), re.M) for p in self.healthy()
        )
        return [m.group(1) for m in found if m]

    def edit(self) -> str:
        """One edit of a kind drawn from a shuffled bag of all kinds, so that every kind
        comes once in each round of them; says what it did."""
        self.count += 1
        while True:
            if not self.bag:
                self.bag = list(KINDS)
                self.rng.shuffle(self.bag)
            kind = self.bag.pop()
            done = getattr(self, f"do_{kind}")()
            if done:
                self.kinds.append(kind)
                return done

    # Each do_* edit returns what it did, or "" when it does not apply now.

    def _pick(self) -> Path:
        return self.rng.choice(self.healthy())

    def _set(self, path: Path, key: str, value: str) -> str:
        text = path.read_text(encoding="utf-8")
        end = front_end(text)
        head, n = re.subn(rf"^{key}:.*$", f"{key}: {value}", text[:end], count=1, flags=re.M)
        if not n:
            head = text[:end] + f"\n{key}: {value}"
        path.write_text(head + text[end:], encoding="utf-8")
        return f"{key} of {path.name} set to {value}"

    def do_title(self) -> str:
        title = f"{self.rng.choice(TITLES)} ({self.count})"
        return self._set(self._pick(), "title", json.dumps(title))

    def do_severity(self) -> str:
        return self._set(self._pick(), "severity", self.rng.choice(["P1", "P2", "P3", "P4"]))

    def do_status(self) -> str:
        statuses = ["Draft", "In Review", "Reviewed", "Closed"]
        return self._set(self._pick(), "status", self.rng.choice(statuses))

    def do_move(self) -> str:
        """Every date of the front matter moved by the same weeks, across months."""
        path, days = self._pick(), self.rng.choice([-75, -40, 35, 62])
        text = path.read_text(encoding="utf-8")
        end = front_end(text)

        def moved(match: re.Match) -> str:
            day = date.fromisoformat(match.group(2)) + timedelta(days=days)
            return match.group(1) + day.isoformat() + (match.group(3) or "")

        path.write_text(DATETIME.sub(moved, text[:end]) + text[end:], encoding="utf-8")
        return f"dates of {path.name} moved {days} days"

    def do_id(self) -> str:
        return self._set(self._pick(), "id", f"HOT-{30000 + self.count}")

    def do_id_everywhere(self) -> str:
        """An id changed in its file and everywhere the site mentions it."""
        old, new = self.rng.choice(self.ids()), f"HOT-{40000 + self.count}"
        for path in (self.root / "docs").rglob("*.md"):
            text = path.read_text(encoding="utf-8")
            if old in text:
                path.write_text(re.sub(rf"\b{old}\b", new, text), encoding="utf-8")
        return f"{old} renamed to {new} everywhere"

    def do_add(self) -> str:
        source = self._pick()
        text = re.sub(
            r"^id: .*$", f"id: HOT-{50000 + self.count}", source.read_text(), count=1, flags=re.M
        )
        name = source.name[:11] + f"added-{self.count}.md"
        (self.folder / name).write_text(text, encoding="utf-8")
        return f"{name} added"

    def do_delete(self) -> str:
        if len(self.healthy()) < 25:
            return ""
        path = self._pick()
        path.unlink()
        return f"{path.name} deleted"

    def do_rename(self) -> str:
        path = self._pick()
        new = path.with_name(path.name[:11] + f"renamed-{self.count}.md")
        path.rename(new)
        return f"{path.name} renamed to {new.name}"

    def do_break(self) -> str:
        path = self._pick()
        text = path.read_text(encoding="utf-8")
        key, bad = self.rng.choice(BREAKS)
        self.broken[path.name] = text
        path.write_text(text.replace(key, bad, 1), encoding="utf-8")
        return f"front matter of {path.name} broken at {key.strip()}"

    def do_fix(self) -> str:
        if not self.broken:
            return ""
        name = self.rng.choice(sorted(self.broken))
        (self.folder / name).write_text(self.broken.pop(name), encoding="utf-8")
        return f"front matter of {name} fixed"

    def do_service(self) -> str:
        """A service renamed in every post-mortem that lists it."""
        paths = self.healthy()
        names = sorted(
            {
                s.strip()
                for p in paths
                for line in re.findall(r"^services: \[(.*)\]$", p.read_text(), re.M)
                for s in line.split(",")
            }
        )
        if not names:
            return ""
        old = self.rng.choice(names)
        new = f"{old.split('-v')[0]}-v{self.count}"
        for path in paths:
            text = path.read_text(encoding="utf-8")
            line = re.compile(rf"^(services: \[.*?)\b{re.escape(old)}\b", re.M)
            path.write_text(line.sub(rf"\g<1>{new}", text), encoding="utf-8")
        return f"service {old} renamed to {new}"

    def do_body(self) -> str:
        """A sentence added to the summary, now and then naming another incident."""
        path, other = self._pick(), self.rng.choice(self.ids())
        text = path.read_text(encoding="utf-8")
        said = f"Edit {self.count}: the pool recovered" + (
            f", as in {other}." if self.rng.random() < 0.5 else "."
        )
        path.write_text(text.replace("## Summary\n\n", f"## Summary\n\n{said} ", 1), "utf-8")
        return f"summary of {path.name} edited"

    def do_reference_add(self) -> str:
        path, other = self._pick(), self.rng.choice(self.ids())
        text = path.read_text(encoding="utf-8")
        if re.search(r"^related: \[", text, re.M):
            path.write_text(
                re.sub(r"^related: \[", f"related: [{other}, ", text, count=1, flags=re.M)
            )
        else:
            end = front_end(text)
            path.write_text(text[:end] + f"\nrelated: [{other}]" + text[end:], encoding="utf-8")
        return f"{path.name} now related to {other}"

    def do_reference_remove(self) -> str:
        with_refs = [
            p for p in self.healthy() if re.search(r"^(related|recurrence): ", p.read_text(), re.M)
        ]
        if not with_refs:
            return ""
        path = self.rng.choice(with_refs)
        text = re.sub(r"^(related|recurrence): .*\n", "", path.read_text(), count=1, flags=re.M)
        path.write_text(text, encoding="utf-8")
        return f"references of {path.name} removed"


def shown(html: str) -> str:
    """A page as a fresh build writes it: without live reload and the canonical address
    of the server, whitespace folded."""
    html = CANONICAL.sub("", LIVE_RELOAD.sub("", html))
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def outputs(site: Path) -> list[str]:
    """The files of a build a preview must serve alike: pages and the plugin's data. The
    theme's assets are the same files; sitemaps carry the day they were made."""
    return sorted(
        str(p.relative_to(site))
        for p in site.rglob("*")
        if p.is_file()
        and p.suffix in (".html", ".json", ".xml", ".js")
        and not str(p.relative_to(site)).startswith(("assets/", "sitemap", "search/"))
    )


def url(base: str, path: str) -> str:
    return base + re.sub(r"(^|/)index\.html$", r"\1", path)


def index_entries(data: bytes) -> list[tuple[str, str, str]]:
    return sorted((e["location"], e["title"], e["text"]) for e in json.loads(data)["docs"])


def differences(served: Serve, fresh: Path, built_log: str, gone: list[str]) -> list[str]:
    """What `serve` shows now that the fresh build in ``fresh`` does not."""
    found = []
    for path in outputs(fresh):
        status, body = get(url(served.base, path))
        want = (fresh / path).read_text(encoding="utf-8")
        have = body.decode("utf-8", errors="replace").replace(served.base, "")
        if path.endswith(".html"):
            want, have = shown(want), shown(have)
        if status != 200 or have != want:
            diff = difflib.unified_diff(
                re.sub(r"><", ">\n<", want).splitlines(),
                re.sub(r"><", ">\n<", have).splitlines(),
                "fresh build",
                "served",
                n=1,
                lineterm="",
            )
            found.append(f"{path} ({status}):\n" + "\n".join(list(diff)[:20]))
    for path in gone:
        status = get(url(served.base, path))[0]
        if status != 404:
            found.append(f"{path}: a fresh build no longer has it, yet it answered {status}")
    index = get(served.base + "search/search_index.json")[1]
    fresh_index = (fresh / "search/search_index.json").read_bytes()
    have, want = index_entries(index), index_entries(fresh_index)
    if have != want:
        extra = sorted(set(have) - set(want))[:5]
        missing = sorted(set(want) - set(have))[:5]
        twice = len(have) - len(set(have))
        found.append(f"search index: extra {extra}, missing {missing}, {twice} twice")
    if problems(served.last_build()) != problems(built_log):
        found.append(
            f"problems: served {sorted(problems(served.last_build()))}, "
            f"fresh {sorted(problems(built_log))}"
        )
    return found


def snapshot(root: Path, to: Path) -> subprocess.Popen:
    """A fresh `mkdocs build` of the files as they are now, in the background."""
    shutil.copytree(root, to, ignore=shutil.ignore_patterns("site", "*.log"))
    return subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(to / "site")],
        cwd=to,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def prepare(root: Path) -> Path:
    """A copy of the example site with a team's own page of macro tables."""
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copy(REPO / "hooks.py", root / "hooks.py")
    (root / "docs" / "team.md").write_text(TEAM_PAGE, encoding="utf-8")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace(
        "force_render_paths: guide/macros.md",
        "force_render_paths: |\n        guide/macros.md\n        team.md",
    )
    assert "team.md" in config, "the example site's macros settings moved"
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    return root


@dataclass
class Report:
    edits: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def soak(workdir: Path, seed: int, edits: int, say=lambda text: None) -> Report:
    """``edits`` edits with ``seed``; stops at the first edit whose preview is wrong."""
    root = prepare(workdir / "site")
    author = Author(root, random.Random(seed))
    report = Report(kinds=author.kinds)  # the same list: filled as the author edits
    with Serve(root, workdir / "serve.log", dirty=True) as served:
        if not served.started():
            report.failures.append("serve did not start:\n" + served.text()[-2000:])
            return report
        previous: list[str] = []
        for step in range(edits + 1):
            before = served.builds()
            what = author.edit() if step else "the site as it is"
            report.edits.append(what)
            fresh = snapshot(root, workdir / f"fresh-{step}")
            if step and not served.rebuilt(before):
                report.failures.append(f"edit {step} ({what}): no rebuild")
                return report
            _, log = fresh.communicate(timeout=600)
            built = workdir / f"fresh-{step}" / "site"
            now = outputs(built)
            gone = sorted(set(previous) - set(now))
            found = differences(served, built, log, gone)
            if found and served.builds() != before + (1 if step else 0):
                time.sleep(1)  # a later rebuild came: look again once it settled
                found = differences(served, built, log, gone)
            report.rss_mib.append(served.rss_mib())
            say(f"{step:4} {report.rss_mib[-1]:6.1f} MiB  {what}")
            if found or not served.alive():
                report.failures.append(
                    f"after edit {step} ({what}), seed {seed}:\n" + "\n".join(found or ["exited"])
                )
                return report
            previous = now
            shutil.rmtree(workdir / f"fresh-{step - 1}", ignore_errors=True)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=300)
    parser.add_argument("--seed", type=int, default=None, help="random when not given")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    print(f"seed {seed} (repeat: make soak SEED={seed} EDITS={args.edits})", flush=True)
    import tempfile

    with tempfile.TemporaryDirectory() as temp:
        workdir = args.workdir or Path(temp)
        workdir.mkdir(parents=True, exist_ok=True)
        started = datetime.now()
        report = soak(workdir, seed, args.edits, say=lambda text: print(text, flush=True))
    memory = report.rss_mib
    print(f"{len(report.edits) - 1} edits in {datetime.now() - started}")
    if len(memory) > 10:
        print(
            f"memory: {memory[10]:.1f} MiB after 10 rebuilds, {memory[-1]:.1f} after {len(memory) - 1}"
        )
    for failure in report.failures:
        print(failure)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
