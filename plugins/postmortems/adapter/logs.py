"""What the plugin changes in logging while MkDocs runs, set up in ``on_startup`` and
undone in ``on_shutdown``: importing the plugin changes nothing.

- The core's own records (logger ``postmortems``) go to MkDocs' logger, which prints
  them as MkDocs does and counts warnings for ``--strict``.
- mkdocs-macros' start-up traces are shown at debug level (``mkdocs -v``), so a serve
  rebuild prints MkDocs' lines and the site's problems.
- pathspec's deprecation of the pattern name mkdocs-macros uses is not printed with its
  stack on every rebuild.
"""

from __future__ import annotations

import logging
import warnings

log = logging.getLogger("mkdocs.plugins.postmortems")  # under mkdocs.*: counts for --strict
CORE_LOGGER = "postmortems"
MACROS_LOGGER = "mkdocs.plugins.mkdocs_macros.util"
PATHSPEC_NOTICE = r".*GitWildMatchPattern"


class _ToMkDocs(logging.Handler):
    """Hands the core's records to MkDocs' logger."""

    def emit(self, record: logging.LogRecord) -> None:
        log.handle(record)


class _Demote(logging.Filter):
    """INFO records at debug level, shown only when MkDocs itself shows debug."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO:
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger("mkdocs").isEnabledFor(logging.DEBUG)


class Logging:
    """The plugin's logging set-up, installed once for a command and removed after it."""

    def __init__(self) -> None:
        self._handler = _ToMkDocs()
        self._filter = _Demote()
        self._saved: tuple[bool, list] | None = None

    def install(self) -> None:
        if self._saved is not None:
            return
        core = logging.getLogger(CORE_LOGGER)
        self._saved = (core.propagate, list(warnings.filters))
        core.addHandler(self._handler)
        core.propagate = False
        logging.getLogger(MACROS_LOGGER).addFilter(self._filter)
        warnings.filterwarnings("ignore", message=PATHSPEC_NOTICE, category=DeprecationWarning)

    def remove(self) -> None:
        if self._saved is None:
            return
        core = logging.getLogger(CORE_LOGGER)
        core.removeHandler(self._handler)
        logging.getLogger(MACROS_LOGGER).removeFilter(self._filter)
        core.propagate, warnings.filters[:] = self._saved
        self._saved = None
