"""The plugin's MkDocs config: one typed option for each entry of
:data:`~postmortems.model.options.OPTIONS`, checked by the same function the command
line uses, so ``mkdocs build`` and ``postmortems validate`` accept the same options."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from mkdocs.config import base, config_options

from postmortems.model.options import OPTIONS, Option
from postmortems.model.settings import Settings, SettingsError, check_consistent, check_option
from postmortems.read.site_file import option_line


class Checked(config_options.BaseConfigOption[Any]):
    """An option from the table, checked as :func:`check_option` says."""

    def __init__(self, option: Option) -> None:
        super().__init__()
        self.option = option
        self.default = option.default

    def run_validation(self, value: object) -> Any:
        try:
            return check_option(self.option, value)
        except SettingsError as exc:
            raise config_options.ValidationError(without_name(exc)) from exc


def without_name(error: SettingsError) -> str:
    """The message without the option's name before it: MkDocs puts it there already."""
    message, prefix = str(error), f"{error.option}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


PluginConfig = type(
    "PluginConfig",
    (base.Config,),
    {
        "__doc__": "The plugin's options, as MkDocs reads them from mkdocs.yml.",
        **{option.name: Checked(option) for option in OPTIONS},
    },
)


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
