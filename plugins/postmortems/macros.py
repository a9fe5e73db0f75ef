"""The module sites name in mkdocs-macros' ``modules: [postmortems.macros]``."""

from postmortems.adapter.macros import define_env

__all__ = ["define_env"]
