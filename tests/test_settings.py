"""The plugin's options: one table, the same checks in `mkdocs build` and `postmortems
validate`, and the configuration page's list of options is the table's."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import REPO, Site, good

from postmortems.model.options import OPTIONS
from postmortems.model.settings import Deadline, Settings, SettingsError


def _documented_options() -> str:
    """The first YAML block of the configuration page, options only."""
    page = (REPO / "docs/reference/configuration.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", page, re.S).group(1)
    return block


def test_the_configuration_page_lists_every_option_and_no_other():
    options = yaml.safe_load(_documented_options())["plugins"][0]["postmortems"]
    assert list(options) == [option.name for option in OPTIONS]


def test_the_documented_defaults_are_the_defaults():
    options = yaml.safe_load(_documented_options())["plugins"][0]["postmortems"]
    assert Settings.from_mapping(options) == Settings()


def test_both_commands_accept_the_documented_options_as_written(tmp_path):
    block = _documented_options().split("  - postmortems:\n", 1)[1]
    options = "\n".join(line[6:] for line in block.splitlines())  # as Site indents them
    site = Site(tmp_path / "s", options=options + "\n")
    site.add("2025-03-04-a.md", good(id="HOT-1"))
    validated = site.validate("validate")
    assert validated.returncode == 0, validated.stderr
    built = site.build("--strict")
    assert built.returncode == 0, built.stderr


@pytest.mark.parametrize(
    ("options", "message", "line"),
    [
        ("serverities: [P1]\n", "unknown option 'serverities'; did you mean 'severities'?", 9),
        (
            "statuses: [Draft, Review, Published]\n",
            # the default names what the site renamed: the option written is to blame
            "statuses: the default reviewed_statuses names 'Reviewed', which is not one of "
            "statuses (Draft, Review, Published); set reviewed_statuses as well",
            9,
        ),
        (
            "reviewed_statuses: [Done]\n",
            "reviewed_statuses: 'Done' is not one of statuses (Draft, In Review, Reviewed, Closed)",
            9,
        ),
        (
            "severities: [SEV0, SEV1, SEV2, SEV3]\nreview_deadlines: {P1: 3 days, SEV2: 5 days}\n",
            "review_deadlines: 'P1' is not one of severities (SEV0, SEV1, SEV2, SEV3)",
            10,
        ),
        (
            "action_item_done: [Complete]\n",
            "action_item_done: 'Complete' is not one of action_item_statuses "
            "(Open, In Progress, Completed, Verified); did you mean 'Completed'?",
            9,
        ),
        ("recent_in_nav: -1\n", "expected a whole number >= 0, got -1", 9),
        ("blameless: maybe\n", "expected true or false, got 'maybe'", 9),
        ("ttr_start: begun\n", "expected 'detected' or 'started', got 'begun'", 9),
        ("id_pattern: '(['\n", "is not a valid regular expression", 9),
        ("tracker_url: jira.example/{id}\n", "expected an http(s) URL with {id} in it", 9),
        ("timezone: Pacific\n", "'Pacific' is not a time zone", 9),
        ("fast: 0\n", "expected true or false, got 0", 9),
    ],
)
def test_a_wrong_option_stops_both_commands_with_the_same_words(tmp_path, options, message, line):
    site = Site(tmp_path / "s", options=options)
    site.add("2025-03-04-a.md", good(id="HOT-1"))
    validated = site.validate("validate")
    assert validated.returncode == 2
    assert message in validated.stderr
    # at the line of mkdocs.yml that holds the option (the first is on line 9)
    assert validated.stderr.startswith(f"postmortems: mkdocs.yml:{line}: plugins: postmortems: ")
    built = site.build()
    assert built.returncode == 1
    assert message.split(": ", 1)[-1] in built.stderr
    assert f"(mkdocs.yml, line {line})" in built.stderr
    assert "Traceback" not in validated.stderr + built.stderr


def test_default_deadlines_follow_the_sites_own_severities():
    settings = Settings.from_mapping({"severities": ["SEV0", "SEV1", "SEV2", "SEV3"]})
    assert settings.deadline_for("SEV0") == Deadline(3, False)
    assert settings.deadline_for("SEV1") == Deadline(5, True)
    assert settings.deadline_for("SEV2") is None
    assert Settings().deadline_for("P1") == Deadline(3, False)


def test_settings_are_values():
    one = Settings.from_mapping({"severities": ["A", "B"], "mttr_target_minutes": None})
    assert one == Settings(severities=("A", "B"))
    assert hash(one) == hash(Settings(severities=("A", "B")))
    assert {one: 1}[Settings(severities=("A", "B"))] == 1
    assert one.severity_rank("B") == 1 and one.severity_rank("Z") == 2


def test_empty_lists_where_an_option_may_be_empty():
    settings = Settings.from_mapping({"sections_reviewed": [], "template_variables": []})
    assert settings.sections_reviewed == () and settings.template_variables == ()
    with pytest.raises(SettingsError, match="severities: expected a non-empty list"):
        Settings.from_mapping({"severities": []})


def test_enabled_false_builds_the_site_without_the_plugin(tmp_path):
    site = Site(tmp_path / "s", options="enabled: false\n")
    site.add("2025-03-04-a.md", good(id="HOT-1", severity="P9"))
    built = site.build("--strict")
    assert built.returncode == 0, built.stderr
    assert not (site.root / "site" / "postmortems.json").exists()


def test_messages_and_the_schema_give_an_example_id_of_the_sites_series():
    from postmortems.read.schema import json_schema

    assert Settings.from_mapping({"id_series": "PAY-"}).example_id == "PAY-1"
    assert Settings().example_id == "HOT-13432"
    assert Settings.from_mapping({"id_pattern": r"^INC-\d{4}$"}).example_id == ""  # none fits
    schema = json_schema(Settings.from_mapping({"id_series": "PAY-"}))
    assert schema["properties"]["id"]["examples"] == ["PAY-1"]


def test_the_typed_config_and_the_settings_are_the_options_table():
    """Both are written out for editors and type checkers; this holds them to the table:
    the same names in the same order, the same defaults once checked."""
    import dataclasses

    from postmortems.adapter.config import Checked, PluginConfig
    from postmortems.model.settings import DEFAULTS, check_option

    names = [option.name for option in OPTIONS]
    declared = [name for name, value in vars(PluginConfig).items() if isinstance(value, Checked)]
    assert declared == names
    assert all(vars(PluginConfig)[name].option.name == name for name in names)
    fields = [field.name for field in dataclasses.fields(Settings)]
    assert fields == [*names, "template"]
    checked = {option.name: check_option(option, option.default) for option in OPTIONS}
    assert Settings() == Settings(**checked) == Settings(**DEFAULTS)
    for option in OPTIONS:  # each written default is the checked one
        field = next(f for f in dataclasses.fields(Settings) if f.name == option.name)
        if option.name != "review_deadlines":  # made for the site's own severities
            assert field.default == checked[option.name], option.name
