"""Where an option of the plugin is written in mkdocs.yml, for messages about it.

Read with YAML's composer, which keeps lines and builds no values, so tags such as
``!ENV`` or ``!!python/name:`` in the rest of the file do not matter.
"""

from __future__ import annotations

import yaml

PLUGIN_NAME = "postmortems"


def option_line(config_text: str, option: str, plugin: str = PLUGIN_NAME) -> int | None:
    """The line (from 1) of ``option`` under the plugin in ``plugins:``, or of the plugin
    itself where the option is not written; None where neither is found."""
    try:
        root = yaml.compose(config_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    plugins = _value(root, "plugins")
    entries = plugins.value if isinstance(plugins, yaml.SequenceNode) else [plugins]
    for entry in entries:
        if isinstance(entry, yaml.MappingNode):
            for key, value in entry.value:
                if key.value == plugin:
                    found = _key(value, option)
                    return (found or key).start_mark.line + 1
        elif isinstance(entry, yaml.ScalarNode) and entry.value == plugin:
            return entry.start_mark.line + 1
    return None


def _value(node: yaml.Node | None, name: str) -> yaml.Node | None:
    key = _key(node, name)
    if key is None:
        return None
    return next(v for k, v in node.value if k is key)  # type: ignore[union-attr]


def _key(node: yaml.Node | None, name: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((k for k, _ in node.value if getattr(k, "value", None) == name), None)
