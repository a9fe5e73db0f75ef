"""The postmortems command: exit codes, formats, and the site's own settings."""

from __future__ import annotations

import json

from conftest import good


def test_clean_site_exits_zero(site):
    site.add("a.md", good(id="HOT-1"))
    result = site.validate("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "1 post-mortem(s) checked: 0 error(s), 0 warning(s)" in result.stderr


def test_errors_exit_one_and_list_every_file(site):
    site.add("a.md", good(id="HOT-1", severity="P9"))
    site.add("b.md", good(id="HOT-2").replace("owner:", "serverity: P1\nowner:", 1))
    site.add("c.md", "")
    result = site.validate("validate")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "docs/postmortems/a.md:4: error: severity: 'P9' is not one of P1, P2, P3, P4",
        "docs/postmortems/b.md:12: warning: serverity: unknown key; did you mean 'severity'?",
        "docs/postmortems/c.md:1: error: the file is empty; a post-mortem starts with front "
        "matter between '---' lines",
    ]


def test_warnings_fail_only_with_strict(site):
    site.add("b.md", good(id="HOT-2").replace("owner:", "serverity: P1\nowner:", 1))
    assert site.validate("validate").returncode == 0
    assert site.validate("validate", "--strict").returncode == 1


def test_github_format(site):
    site.add("a.md", good(id="HOT-1", severity="P9"))
    result = site.validate("validate", "--format", "github")
    assert result.stdout.strip() == (
        "::error file=docs/postmortems/a.md,line=4,title=severity::severity: 'P9' is not one "
        "of P1, P2, P3, P4"
    )


def test_json_format(site):
    site.add("a.md", good(id="HOT-1", severity="P9"))
    result = site.validate("validate", "--format", "json")
    assert json.loads(result.stdout) == [
        {
            "path": "docs/postmortems/a.md",
            "line": 4,
            "level": "error",
            "field": "severity",
            "message": "'P9' is not one of P1, P2, P3, P4",
        }
    ]


def test_named_file_is_checked_against_the_whole_site(site):
    site.add("a.md", good(id="HOT-1"))
    site.add("b.md", good(id="HOT-2").replace("owner:", "recurrence: [HOT-1]\nowner:", 1))
    site.add("c.md", good(id="HOT-3", severity="P9"))
    result = site.validate("validate", "docs/postmortems/b.md")
    assert result.returncode == 0, result.stdout  # HOT-1 is known; c.md is not reported
    assert result.stdout == ""


def test_site_settings_come_from_mkdocs_yml(tmp_path):
    from conftest import Site

    site = Site(tmp_path / "s", options="severities: [SEV1, SEV2]\n")
    site.add("a.md", good(id="HOT-1", severity="SEV2"))
    site.add("b.md", good(id="HOT-2", severity="P2"))
    result = site.validate("validate")
    assert result.stdout.splitlines() == [
        "docs/postmortems/b.md:4: error: severity: 'P2' is not one of SEV1, SEV2"
    ]


def test_bad_setting_is_a_clear_error(tmp_path):
    from conftest import Site

    site = Site(tmp_path / "s", options="timezone: Mars/Olympus\n")
    result = site.validate("validate")
    assert result.returncode == 2
    assert (
        "mkdocs.yml:9: plugins: postmortems: timezone: 'Mars/Olympus' is not a time zone; "
        "write an IANA name such as 'Europe/Berlin'" in result.stderr
    )


def test_missing_path(site):
    result = site.validate("validate", "nope.md")
    assert result.returncode == 2
    assert "nope.md: error: no such file or folder" in result.stderr


def test_templates_and_index_are_not_post_mortems(site):
    site.add("_template.md", "---\nid: _REPLACE_WITH_ID_\n---\n")
    site.add("index.md", "# Our post-mortems\n")
    site.add("a.md", good(id="HOT-1"))
    result = site.validate("validate")
    assert result.returncode == 0
    assert "1 post-mortem(s) checked" in result.stderr


def test_parsing_on_several_cores_reports_exactly_what_one_core_does(site):
    """Files are split over forked workers when there are many; the report must not change."""
    import shutil

    from conftest import REPO

    for source in (REPO / "tests/fixtures/hostile").glob("*.md"):
        shutil.copy(source, site.pm / source.name)
    for source in (REPO / "docs/postmortems").glob("2*.md"):
        shutil.copy(source, site.pm / source.name)
    site.add("dup.md", good(id="HOT-13432"))  # an id an example also uses: a cross-file check
    outputs = []
    for workers in ("1", "3"):
        result = site.validate(
            "validate", "--no-cache", "--format", "json", POSTMORTEMS_WORKERS=workers
        )
        assert result.returncode == 1
        outputs.append(json.loads(result.stdout))
    assert len(outputs[0]) > 20
    assert any("HOT-13432 is also used by" in p["message"] for p in outputs[0])
    assert outputs[0] == outputs[1]


def _run(site, *args, cache_dir):
    return site.validate(*args, POSTMORTEMS_CACHE_DIR=str(cache_dir))


def test_a_second_run_reuses_unchanged_files_and_follows_changes(site, tmp_path):
    cache = tmp_path / "cache"
    site.add("a.md", good(id="HOT-1", severity="P9"))
    site.add("b.md", good(id="HOT-1"))  # the same id: a check across files, made every run
    before = set(site.root.rglob("*"))
    first = _run(site, "validate", cache_dir=cache)
    second = _run(site, "validate", cache_dir=cache)
    assert first.returncode == second.returncode == 1
    assert first.stdout == second.stdout and "'P9' is not one of" in first.stdout
    assert "HOT-1 is also used by" in second.stdout
    assert len(list(cache.glob("*.pickle"))) == 1 and set(site.root.rglob("*")) == before

    site.add("a.md", good(id="HOT-1", severity="P8"))  # same size, new bytes
    assert "'P8' is not one of P1, P2, P3, P4" in _run(site, "validate", cache_dir=cache).stdout
    config = site.config.read_text(encoding="utf-8")
    site.config.write_text(
        config.replace(
            "  - postmortems\n", "  - postmortems:\n      severities: [P1, P2, P3, P4, P8]\n"
        ),
        encoding="utf-8",
    )
    third = _run(site, "validate", cache_dir=cache)
    assert "'P8'" not in third.stdout and "HOT-1 is also used by" in third.stdout
    assert _run(site, "validate", "--no-cache", cache_dir=cache).stdout == third.stdout


def test_a_cache_file_others_can_write_is_never_read(site, tmp_path):
    import pickle

    cache = tmp_path / "cache"
    site.add("a.md", good(id="HOT-1", severity="P9"))
    assert _run(site, "validate", cache_dir=cache).returncode == 1
    [kept] = cache.glob("*.pickle")
    entries = pickle.loads(kept.read_bytes())
    for _, _, parsed in entries.values():
        parsed.problems.clear()  # a forged cache that hides the error
    forged = pickle.dumps(entries)
    kept.write_bytes(forged)
    kept.chmod(0o666)
    assert _run(site, "validate", cache_dir=cache).returncode == 1
    kept.write_bytes(forged)
    kept.chmod(0o600)  # the user's own file is trusted: the forgery shows that it is read
    assert _run(site, "validate", cache_dir=cache).returncode == 0


def test_a_cache_folder_that_cannot_be_written_changes_nothing(site, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    site.add("a.md", good(id="HOT-1", severity="P9"))
    result = _run(site, "validate", cache_dir=blocker / "cache")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "'P9' is not one of" in result.stdout


def test_help_fits_the_terminal_it_is_printed_in(site, tmp_path):
    """Help and errors wrap to the terminal's width (argparse is not left to ask it early)."""

    def helped(columns: int, *args: str):
        return site.validate(*args, COLUMNS=str(columns))

    narrow, wide = helped(50, "validate", "--help"), helped(200, "validate", "--help")
    assert narrow.returncode == wide.returncode == 0
    assert wide.stdout.splitlines()[0].endswith("[--only-postmortems] [--no-cache] [paths ...]")
    assert narrow.stdout.splitlines()[:2] == [
        "usage: postmortems validate [-h]",
        " " * 28 + "[--format {text,github,json}]",
    ]
    assert len(narrow.stdout.splitlines()) > len(wide.stdout.splitlines())
    error = helped(40, "validate", "--format", "yaml")
    assert error.returncode == 2 and "invalid choice: 'yaml'" in error.stderr
    assert error.stderr.splitlines()[0] == "usage: postmortems validate [-h]"  # wrapped


def test_settings_are_read_past_tags_other_tools_define(tmp_path):
    """mkdocs.yml may hold tags only MkDocs knows (!ENV, !!python/name for Material's
    emoji): the command line reads our options all the same."""
    from conftest import Site

    site = Site(tmp_path / "s", options="severities: [SEV1, SEV2]\n")
    config = site.root / "mkdocs.yml"
    config.write_text(
        config.read_text() + "extra:\n  key: !ENV [SOME_KEY, none]\n"
        "  emoji: !!python/name:material.extensions.emoji.twemoji\n"
    )
    site.add("b.md", good(id="HOT-2", severity="P2"))
    result = site.validate("validate")
    assert result.stdout.splitlines() == [
        "docs/postmortems/b.md:4: error: severity: 'P2' is not one of SEV1, SEV2"
    ]


def test_validate_that_finds_nothing_says_where_it_looked(tmp_path):
    from conftest import Site

    site = Site(tmp_path / "s")
    site.add("_template.md", good(id="HOT-1"))  # a template is no post-mortem
    result = site.validate("validate")
    assert result.returncode == 2
    assert "no post-mortem found in docs/postmortems" in result.stderr
    assert "'folder' option in mkdocs.yml" in result.stderr


def test_the_folder_is_an_option_of_both_commands(tmp_path):
    from conftest import Site

    site = Site(tmp_path / "s", options="folder: incidents/reports\n")
    folder = site.docs / "incidents" / "reports"
    folder.mkdir(parents=True)
    (folder / "2025-03-04-a.md").write_text(good(id="HOT-1", severity="P9"), encoding="utf-8")
    (site.pm / "2025-03-04-b.md").write_text(good(id="HOT-2", severity="P9"), encoding="utf-8")
    result = site.validate("validate")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "docs/incidents/reports/2025-03-04-a.md:4: error: severity: 'P9' is not one of P1, P2, P3, P4"
    ]
    built = site.build()
    assert built.returncode == 0, built.stderr
    assert "docs/incidents/reports/2025-03-04-a.md:4: error" in built.stderr
    out = site.root / "site"
    assert (out / "incidents" / "reports" / "index.html").exists()  # the generated index
    rows = json.loads((out / "postmortems.json").read_text(encoding="utf-8"))["postmortems"]
    assert [(r["id"], r["url"]) for r in rows] == [("HOT-1", "incidents/reports/2025-03-04-a/")]


def _validate_in(cwd, *args: str):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "postmortems.cli", "validate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_file_named_gets_the_same_verdict_from_any_folder(tmp_path):
    """From the site's root, from the post-mortems folder, and from outside the site: the
    site is found from the file's own place, and the path is shown from where one stands."""
    from conftest import Site

    site = Site(tmp_path / "payments", options="folder: incidents\nseverities: [SEV0, SEV1]\n")
    folder = site.docs / "incidents"
    folder.mkdir()
    (folder / "2017-01-31-db.md").write_text(good(id="PAY-1", severity="P9"), encoding="utf-8")
    message = "2017-01-31-db.md:4: error: severity: 'P9' is not one of SEV0, SEV1"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for cwd, name in (
        (site.root, "docs/incidents/2017-01-31-db.md"),
        (folder, "2017-01-31-db.md"),
        (elsewhere, "../payments/docs/incidents/2017-01-31-db.md"),
        (tmp_path, "payments/docs/incidents/2017-01-31-db.md"),
        (elsewhere, str(folder / "2017-01-31-db.md")),  # shown as typed
    ):
        result = _validate_in(cwd, name)
        assert result.returncode == 1, (cwd, result.stderr)
        assert result.stdout.splitlines() == [name.removesuffix("2017-01-31-db.md") + message]
    # The whole site from inside its folder, too: the nearest mkdocs.yml above.
    result = _validate_in(folder)
    assert result.returncode == 1 and result.stdout.splitlines() == [
        "2017-01-31-db.md" + message[16:]
    ]


def test_a_named_file_outside_any_folder_is_checked_or_refused_never_passed(tmp_path):
    loose = tmp_path / "notes"
    loose.mkdir()
    (loose / "written-elsewhere.md").write_text(good(id="HOT-1", severity="P9"), encoding="utf-8")
    (loose / "readme.md").write_text("# Notes\n", encoding="utf-8")
    checked = _validate_in(loose, "written-elsewhere.md")
    assert checked.returncode == 1
    assert checked.stdout.splitlines() == [
        "written-elsewhere.md:4: error: severity: 'P9' is not one of P1, P2, P3, P4"
    ]
    refused = _validate_in(loose, "readme.md")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith(
        "readme.md: not checked: it has no front matter (a first line '---'), and there is "
        "no mkdocs.yml above it"
    )
    # Both named: the one is checked, the other refused; the run still fails.
    both = _validate_in(loose, "readme.md", "written-elsewhere.md")
    assert both.returncode == 1 and "readme.md: not checked" in both.stderr
    # The hook's flag leaves the other out without a word.
    hook = _validate_in(loose, "--only-postmortems", "readme.md")
    assert hook.returncode == 0 and "not checked" not in hook.stderr


def test_a_site_page_or_template_named_is_refused_with_the_reason(site):
    site.add("a.md", good(id="HOT-1"))
    site.add("_template.md", good(id="HOT-3", severity="P8"))
    (site.docs / "guide.md").write_text("# Guide\n", encoding="utf-8")
    for name, why in (
        ("docs/postmortems/_template.md", "it is the site's template, not a post-mortem"),
        (
            "docs/guide.md",
            "it has no front matter (a first line '---'), this site's post-mortems are in docs/postmortems/",
        ),
        ("docs", None),
    ):
        result = site.validate("validate", name)
        if why is None:  # a folder holding the post-mortems folder: its post-mortems
            assert result.returncode == 0 and "1 post-mortem(s) checked" in result.stderr
        else:
            assert result.returncode == 2, result.stderr
            assert f"{name}: not checked: {why}" in result.stderr


def test_help_speaks_the_sites_own_words(tmp_path):
    from conftest import Site

    site = Site(tmp_path / "s", options="folder: incidents\nseverities: [SEV0, SEV1, SEV2]\n")
    new_help = site.validate("new", "--help").stdout
    assert "one of SEV0, SEV1, SEV2" in " ".join(new_help.split())
    validate_help = " ".join(site.validate("validate", "--help").stdout.split())
    assert "(default: docs/incidents)" in validate_help


def test_interactive_new_asks_again_after_a_wrong_answer(site):
    """In a terminal, a severity or start time that is wrong is said at once and asked
    again; the post-mortem is written with the answers that were right."""
    import os
    import pty
    import subprocess
    import sys

    site.add("a.md", good(id="HOT-1"))
    leader, follower = pty.openpty()
    answers = "Card payments declined\nP9\nP2\nyesterday\n2025-03-04T10:00:00Z\ncheckout\n"
    os.write(leader, answers.encode())
    result = subprocess.run(
        [sys.executable, "-m", "postmortems.cli", "new"],
        cwd=site.root,
        stdin=follower,
        capture_output=True,
        text=True,
        timeout=60,
    )
    os.close(follower)
    os.close(leader)
    assert result.returncode == 0, result.stderr
    assert "'P9' is not one of P1, P2, P3, P4" in result.stderr
    assert "'yesterday' is not an ISO 8601 date and time" in result.stderr
    written = (site.root / result.stdout.strip().splitlines()[-1].split(": ")[-1]).read_text()
    assert "severity: P2" in written and "started: 2025-03-04T10:00:00+00:00" in written
    assert "id: HOT-2" in written


def test_config_is_taken_before_or_after_the_command(site, tmp_path):
    import subprocess
    import sys

    site.add("a.md", good(id="HOT-1", severity="P9"))
    config = str(site.config)
    for args in (["--config", config, "validate"], ["validate", "--config", config]):
        result = subprocess.run(
            [sys.executable, "-m", "postmortems.cli", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1, (args, result.stderr)
        assert "severity: 'P9' is not one of P1, P2, P3, P4" in result.stdout
