"""Importing any module of the package changes nothing global: logging, warnings filters
and the garbage collector are set up by the plugin's events or the command's main."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import gc, logging, pkgutil, importlib, warnings, json

def state():
    loggers = {name: (
        [type(h).__name__ for h in logger.handlers],
        [type(f).__name__ for f in logger.filters],
        logger.propagate,
        logger.level,
    ) for name, logger in logging.Logger.manager.loggerDict.items()
      if isinstance(logger, logging.Logger)}
    root = logging.getLogger()
    return {
        "root": ([type(h).__name__ for h in root.handlers], root.level),
        "loggers": loggers,
        "warnings": [repr(f) for f in warnings.filters],
        "gc": (gc.isenabled(), gc.get_freeze_count()),
    }

import mkdocs.plugins, markdown, jinja2, yaml  # what MkDocs itself sets up, first
import mkdocs_macros.plugin
before = state()
import postmortems
for m in pkgutil.walk_packages(postmortems.__path__, "postmortems."):
    if not m.name.endswith("__main__"):
        importlib.import_module(m.name)
after = state()
new = {k: v for k, v in after["loggers"].items() if k not in before["loggers"]}
changed = {k: (before["loggers"][k], v) for k, v in after["loggers"].items()
           if k in before["loggers"] and before["loggers"][k] != v}
# A logger that only now exists is fine as long as it is untouched (no handler, no filter).
touched = {k: v for k, v in new.items() if v[0] or v[1] or not v[2]}
print(json.dumps({
    "changed": changed, "touched": touched,
    "root": before["root"] == after["root"],
    "warnings": before["warnings"] == after["warnings"],
    "gc": before["gc"] == after["gc"],
}))
"""


def test_importing_every_module_changes_nothing_global():
    import json

    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found == {"changed": {}, "touched": {}, "root": True, "warnings": True, "gc": True}


def test_the_plugin_undoes_its_logging_set_up():
    import logging
    import warnings

    from postmortems.adapter.plugin import PostmortemsPlugin

    core = logging.getLogger("postmortems")
    before = (list(core.handlers), core.propagate, list(warnings.filters))
    plugin = PostmortemsPlugin()
    plugin.on_startup(command="build", dirty=False)
    assert core.handlers != before[0] and core.propagate is False
    plugin.on_shutdown()
    assert (list(core.handlers), core.propagate, list(warnings.filters)) == before
