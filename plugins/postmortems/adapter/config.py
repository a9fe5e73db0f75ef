"""The plugin's MkDocs config: one typed option for each entry of
:data:`~postmortems.model.options.OPTIONS`, checked by the same function the command
line uses, so ``mkdocs build`` and ``postmortems validate`` accept the same options."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TypeVar

from mkdocs.config import base, config_options

from postmortems.model.options import OPTIONS
from postmortems.model.settings import (
    BY_NAME,
    Deadline,
    Factor,
    Field,
    Settings,
    SettingsError,
    check_consistent,
    check_option,
)
from postmortems.read.site_file import option_line

T = TypeVar("T")


class Checked(config_options.BaseConfigOption[T]):
    """An option from the table, checked as :func:`check_option` says, to the type the
    settings hold."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.option = BY_NAME[name]
        self.default = self.option.default

    def run_validation(self, value: object) -> T:
        try:
            return check_option(self.option, value)
        except SettingsError as exc:
            raise config_options.ValidationError(without_name(exc)) from exc


def without_name(error: SettingsError) -> str:
    """The message without the option's name before it: MkDocs puts it there already."""
    message, prefix = str(error), f"{error.option}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


class PluginConfig(base.Config):
    """The plugin's options, as MkDocs reads them from mkdocs.yml: one for each entry of
    :data:`~postmortems.model.options.OPTIONS`, in its order (a test holds them together)."""

    enabled = Checked[bool]("enabled")
    folder = Checked[str]("folder")
    severities = Checked[tuple[str, ...]]("severities")
    statuses = Checked[tuple[str, ...]]("statuses")
    reviewed_statuses = Checked[tuple[str, ...]]("reviewed_statuses")
    action_item_statuses = Checked[tuple[str, ...]]("action_item_statuses")
    action_item_done = Checked[tuple[str, ...]]("action_item_done")
    priorities = Checked[tuple[str, ...]]("priorities")
    detection_sources = Checked[tuple[str, ...]]("detection_sources")
    id_pattern = Checked[str]("id_pattern")
    id_series = Checked[str]("id_series")
    timezone = Checked[str]("timezone")
    review_deadlines = Checked[tuple[tuple[str, Deadline], ...] | None]("review_deadlines")
    sections_in_review = Checked[tuple[str, ...]]("sections_in_review")
    sections_reviewed = Checked[tuple[str, ...]]("sections_reviewed")
    timeline_tolerance_minutes = Checked[int]("timeline_tolerance_minutes")
    blameless = Checked[bool]("blameless")
    mitigation_target_minutes = Checked[int]("mitigation_target_minutes")
    mttr_target_minutes = Checked[int | None]("mttr_target_minutes")
    downtime_until = Checked[str]("downtime_until")
    ttr_start = Checked[str]("ttr_start")
    tracker_url = Checked[str]("tracker_url")
    tracker_pattern = Checked[str]("tracker_pattern")
    max_file_size = Checked[int]("max_file_size")
    recent_in_nav = Checked[int]("recent_in_nav")
    trust_html = Checked[bool]("trust_html")
    fields = Checked[tuple[Field, ...]]("fields")
    contributing_factors = Checked[tuple[Factor, ...]]("contributing_factors")
    factors_required_from = Checked[str]("factors_required_from")
    action_item_deadlines = Checked[tuple[tuple[str, Deadline], ...] | None](
        "action_item_deadlines"
    )
    template_variables = Checked[tuple[str, ...]]("template_variables")
    cache_nav = Checked[bool]("cache_nav")
    fast = Checked[bool]("fast")


def settings_of(config: base.Config, written: Collection[str]) -> Settings:
    """The checked options as :class:`Settings`, once they agree with each other."""
    settings = Settings(**{option.name: config[option.name] for option in OPTIONS})
    check_consistent(settings, written)
    return settings


def located(
    errors: list[tuple[str, Exception | str]], config_file_path: str | None
) -> list[tuple[str, config_options.ValidationError]]:
    """Each error with the line of mkdocs.yml where its option is written (or the
    plugin, for an option left to its default), as MkDocs will print it."""
    text = None
    if errors and config_file_path:
        try:
            text = Path(config_file_path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = None
    out = []
    for name, error in errors:
        line = option_line(text, name) if text is not None else None
        where = f" ({Path(config_file_path).name}, line {line})" if line else ""
        out.append((name, config_options.ValidationError(f"{error}{where}")))
    return out
