"""The ``postmortems`` command: validate, export and the JSON Schema, with no site build."""

from __future__ import annotations

import argparse
import gc
import json
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from postmortems import fast
from postmortems.catalog import catalog, similar
from postmortems.catalog.catalog import display_path
from postmortems.catalog.diskcache import DiskCache
from postmortems.model import problems
from postmortems.model.settings import Settings, SettingsError
from postmortems.read.schema import json_schema
from postmortems.render import export

from . import init, timeline
from . import new as new_postmortem
from .named import resolve
from .site_config import SiteConfig, find_config, load_site_config


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    config = _config_named(argv)
    try:
        site: SiteConfig | None = load_site_config(config or find_config(Path.cwd()))
        problem = ""
    except SettingsError as exc:  # said when a command needs the site, not for --help
        site, problem = None, f"postmortems: {exc}"
    args = _parser(site).parse_args(argv)
    if args.command == "init":  # a new site: there is no mkdocs.yml to read yet
        return _init(args)
    if site is None:
        print(problem, file=sys.stderr)
        return 2
    try:
        return int(args.run(args, site) or 0)
    except SettingsError as exc:  # the mkdocs.yml of a site a named file belongs to
        print(f"postmortems: {exc}", file=sys.stderr)
        return 2


def _config_named(argv: list[str]) -> str | None:
    """The value of --config/-f, read before the parser exists (its help needs the site)."""
    for index, word in enumerate(argv):
        if word in ("--config", "-f") and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--config="):
            return word.split("=", 1)[1]
        if word == "--":
            break
    return None


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that asks the terminal's width only to print help, usage or an
    error. argparse formats each argument as it is added, to check it, and would ask the
    width (importing shutil) each time. Commands are parsers of this class too
    (add_subparsers makes them of the parent's class)."""

    _printing = False

    def _get_formatter(self) -> argparse.HelpFormatter:
        if self._printing:
            return super()._get_formatter()
        return self.formatter_class(prog=self.prog, width=80)  # type: ignore[call-arg]

    def format_usage(self) -> str:
        self._printing = True
        return super().format_usage()

    def format_help(self) -> str:
        self._printing = True
        return super().format_help()


def _parser(site: SiteConfig | None) -> argparse.ArgumentParser:
    """The command's parser; its help names the site's own severities and folder."""
    settings = site.settings if site is not None else Settings()
    folder = display_path(site.postmortems_dir) if site is not None else "docs/postmortems"
    parser = _Parser(
        prog="postmortems",
        description="Check, start and export incident post-mortems, with no site build.",
    )
    parser.add_argument(
        "--config",
        "-f",
        help="the site's mkdocs.yml, for its settings (default: the nearest one above the "
        "current folder, or above each file named)",
    )
    # --config is read before the parser exists; each command takes it too, after its name.
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--config", "-f", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser(
        "validate",
        parents=[shared],
        help="check post-mortem files; exit 1 on errors, 2 when it cannot check",
    )
    validate.add_argument(
        "paths",
        nargs="*",
        help=f"files or folders (default: {folder}); a file named is checked even outside "
        "that folder when it has front matter, and refused (exit 2) when it has none",
    )
    validate.add_argument(
        "--format",
        choices=("text", "github", "json"),
        default="text",
        help="text: file:line: messages (default); github: workflow annotations; json: a list",
    )
    validate.add_argument(
        "--strict", action="store_true", help="warnings fail too, as in mkdocs build --strict"
    )
    validate.add_argument(
        "--only-postmortems",
        action="store_true",
        help="leave out named files that are not post-mortems of their site, without a "
        "word (for hooks that hand over every changed Markdown file)",
    )
    validate.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="parse every file afresh instead of reusing results of unchanged "
        "files from earlier runs (kept in POSTMORTEMS_CACHE_DIR or "
        "~/.cache/postmortems)",
    )
    validate.set_defaults(run=_validate)

    new = commands.add_parser(
        "new", parents=[shared], help="start a new post-mortem from the site's template"
    )
    new.add_argument("--title", help="what happened, in one line")
    new.add_argument("--severity", help=f"one of {', '.join(settings.severities)}")
    new.add_argument(
        "--started", help="when impact began, e.g. 2026-06-15T14:02:00Z (default: now)"
    )
    new.add_argument("--services", help="comma-separated services, e.g. checkout-api,orders-db")
    new.set_defaults(run=_new)

    export = commands.add_parser(
        "export", parents=[shared], help="write the catalog as JSON or CSV"
    )
    export.add_argument("paths", nargs="*", help=f"files or folders (default: {folder})")
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.add_argument("--output", "-o", help="write to this file instead of standard output")
    export.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="parse every file afresh (see validate --no-cache)",
    )
    export.set_defaults(run=_export)

    init = commands.add_parser(
        "init", help="write a new site: mkdocs.yml, template, example, guide, CI, hooks"
    )
    init.add_argument("dir", nargs="?", default=".", help="where (default: here)")
    init.add_argument("--severities", help="worst first, e.g. SEV0,SEV1,SEV2,SEV3")
    init.add_argument("--statuses", help="in order, e.g. Draft,Review,Published")
    init.add_argument(
        "--reviewed-statuses", help="statuses after the meeting (default: the last status)"
    )
    init.add_argument("--id-prefix", default="INC", help="ids like INC-1 (default: %(default)s)")
    init.add_argument("--folder", default="postmortems", help="below docs/ (default: %(default)s)")
    init.add_argument("--site-name", default="Post-mortems", help="the site's title")

    schema = commands.add_parser(
        "schema", parents=[shared], help="print the front matter's JSON Schema"
    )
    schema.add_argument("--output", "-o", help="write it to this file instead")
    schema.set_defaults(run=_schema)
    timeline.add_parser(commands, shared).set_defaults(
        run=lambda args, site: timeline.run(args, site.settings)
    )
    return parser


def _sources(paths: list[str], site: SiteConfig) -> list[catalog.Source]:
    """The post-mortems in ``paths`` (default: the site's folder), for commands that read
    one site (export)."""
    if not paths:
        return catalog.discover(site.postmortems_dir, repository=site.root)
    named = resolve(paths, str(site.config_file) if site.config_file else None, True)
    return [source for _, sources in named.groups.values() for source in sources]


def _cache(args: argparse.Namespace, site: SiteConfig) -> catalog.ParseCache | None:
    """Results of unchanged files are reused from earlier runs unless --no-cache (then
    nothing is kept: a run parses each file once)."""
    if not args.cache or not fast.enabled(site.settings.fast):
        return None
    return catalog.ParseCache(DiskCache(str(site.root), site.settings))


def _validate(args: argparse.Namespace, site: SiteConfig) -> int:
    missing = [p for p in args.paths if not Path(p).exists()]
    for path in missing:
        print(f"{path}: error: no such file or folder", file=sys.stderr)
    if missing:
        return 2
    if not args.paths:
        sources = catalog.discover(site.postmortems_dir, repository=site.root)
        if not sources:
            return _nothing_found(args.paths, site)
        result = catalog.load(sources, site.settings, cache=_cache(args, site), bodies=False)
        return _report(result.problems, len(sources), args)
    named = resolve(args.paths, args.config, args.only_postmortems)
    for refusal in named.refused:
        print(refusal, file=sys.stderr)
    found: list[problems.Problem] = []
    checked = 0
    for group_site, sources in named.groups.values():
        found.extend(_check_named(sources, group_site, args))
        checked += len(sources)
    if not checked and not named.refused and not args.only_postmortems:
        return _nothing_found(args.paths, site)
    code = _report(found, checked, args)
    return 2 if named.refused and code == 0 else code


def _check_named(
    sources: list[catalog.Source], site: SiteConfig, args: argparse.Namespace
) -> list[problems.Problem]:
    """The problems of the files named, checked against the whole site: references may
    point at any post-mortem of it, and ids must be unique across it."""
    if not sources:
        return []
    named = {s.abs_path for s in sources}
    context = [
        s
        for s in catalog.discover(site.postmortems_dir, repository=site.root)
        if s.abs_path not in named
    ]
    result = catalog.load(sources + context, site.settings, cache=_cache(args, site), bodies=False)
    return [p for r in result.records if r.source.abs_path in named for p in r.problems]


def _report(found: list[problems.Problem], checked: int, args: argparse.Namespace) -> int:
    found = sorted(found)
    if found:
        print(problems.render(found, args.format))
    elif args.format == "json":
        print("[]")
    errors, warnings = problems.count(found)
    sys.stdout.flush()  # the summary comes last where both streams share one pipe
    print(
        f"{checked} post-mortem(s) checked: {errors} error(s), {warnings} warning(s)",
        file=sys.stderr,
    )
    return 1 if errors or (args.strict and warnings) else 0


def _nothing_found(paths: list[str], site: SiteConfig) -> int:
    """No post-mortem to check is a mistake (a wrong folder), not a clean run."""
    if paths:
        where = ", ".join(paths)
        hint = "post-mortems are .md files other than index.md, not starting with _ or ."
    else:
        where = display_path(site.postmortems_dir)
        hint = (
            f"the plugin's 'folder' option in {site.config_file} sets the folder below docs_dir"
            if site.config_file
            else "there is no mkdocs.yml here or in a folder above, so that is the default "
            "folder: run it inside the site, or name the files or --config"
        )
    print(f"postmortems validate: no post-mortem found in {where}; {hint}", file=sys.stderr)
    return 2


def _ask(
    value: str | None,
    prompt: str,
    default: str | None = None,
    check: Callable[[str], str] | None = None,
) -> str | None:
    """A flag's value, or the answer to a prompt when run in a terminal, asked again
    until ``check`` (which returns what is wrong, or "") finds nothing wrong."""
    if value is not None or not sys.stdin.isatty():
        return value if value is not None else default
    while True:
        answer = input(f"{prompt}{f' [{default}]' if default else ''}: ").strip() or default
        wrong = check(answer or "") if check is not None else ""
        if not wrong:
            return answer
        print(f"  {wrong}", file=sys.stderr)


def _new(args: argparse.Namespace, site: SiteConfig) -> int:
    settings = site.settings
    title = _ask(args.title, "Title", check=lambda t: "" if t else "a title is required")
    severity = _ask(
        args.severity,
        f"Severity ({', '.join(settings.severities)})",
        settings.severities[-1],
        lambda answer: new_postmortem.severity_problem(answer, settings),
    )
    started = _ask(
        args.started,
        "Started (ISO 8601; empty for now)",
        check=lambda answer: new_postmortem.started_problem(answer, settings),
    )
    services = _ask(args.services, "Services (comma-separated)", "")
    if title is None:
        print(
            "postmortems new: --title is required (or run it in a terminal to be asked)",
            file=sys.stderr,
        )
        return 2
    existing = catalog.load(_sources([], site), settings, bodies=False)
    try:
        path = new_postmortem.create(
            site.postmortems_dir,
            existing,
            settings,
            title,
            severity or "",
            started,
            [s.strip() for s in (services or "").split(",") if s.strip()],
        )
    except ValueError as exc:
        print(f"postmortems new: {exc}", file=sys.stderr)
        return 2
    print(display_path(path))
    _print_similar(existing, title, services or "")
    result = catalog.load(catalog.discover(path, repository=site.root), settings, bodies=False)
    for problem in result.problems:
        print(problem.text(), file=sys.stderr)
    return 1 if any(p.is_error for p in result.problems) else 0


def _print_similar(existing: catalog.Catalog, title: str, services: str) -> None:
    """The earlier incidents most like the new one, so that linking one under recurrence
    or related is one copy away."""
    found = similar.features(title, [s.strip() for s in services.split(",") if s.strip()])
    suggestions = similar.Index(existing.records).like(found)
    if not suggestions:
        return
    print("Possibly related earlier incidents (list one under recurrence: or related: if so):")
    for suggestion in suggestions:
        record = suggestion.record
        print(f"  {record.id}  {record.title}  ({suggestion.why})")


def _export(args: argparse.Namespace, site: SiteConfig) -> int:
    """The same rows as the site's postmortems.json; problems go to standard error."""
    result = catalog.load(
        _sources(args.paths, site), site.settings, cache=_cache(args, site), bodies=False
    )
    for problem in result.problems:
        print(problem.text(), file=sys.stderr)
    text = export.to_csv(result) if args.format == "csv" else export.to_json(result) + "\n"
    _write(text, args.output)
    return 0


def _init(args: argparse.Namespace) -> int:
    names = lambda text: [n.strip() for n in text.split(",") if n.strip()] if text else None  # noqa: E731
    root = Path(args.dir)
    source = init.plugin_requirement()
    try:
        settings, written = init.settings_for(
            names(args.severities),
            names(args.statuses),
            names(args.reviewed_statuses),
            args.id_prefix.rstrip("-"),
            args.folder,
        )
        files = init.write_site(root, settings, written, args.site_name, source)
    except (SettingsError, init.InitError) as exc:
        print(f"postmortems init: {exc}", file=sys.stderr)
        return 2
    for path in files:
        print(display_path(path))
    here = Path(os.path.abspath(root)) == Path.cwd()
    steps = [] if here else [f"cd {shlex.quote(display_path(root))}"]
    steps += [
        "python3 -m venv .venv",
        ".venv/bin/pip install --quiet --upgrade pip",  # an older pip refuses git+file URLs
        ".venv/bin/pip install -r requirements.txt",
        "NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs serve",
    ]
    print(
        f"\nThe plugin is installed from {source.origin}: {source.line}"
        + (" (a path on this machine: CI cannot reach it)" if source.local else "")
        + f"\nThe example post-mortem is {init.example_id(settings)}: the team's first is "
        f"{init.example_id(settings, 1)}." + f"\nNext: {' && '.join(steps)}",
        file=sys.stderr,
    )
    return 0


def _schema(args: argparse.Namespace, site: SiteConfig) -> int:
    _write(json.dumps(json_schema(site.settings), indent=2) + "\n", args.output)
    return 0


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def run() -> NoReturn:
    """The console script. With the fast paths on, garbage collection is off for the run
    (its records live until the end, and collections would walk them all) and the exit
    does not free each object (the system takes the memory back at once): 45 ms of a
    1,000-file validate (fast/README.md)."""
    if not fast.enabled():
        sys.exit(main())
    gc.disable()
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
