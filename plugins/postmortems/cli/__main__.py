"""``python -m postmortems.cli``: the same as the ``postmortems`` command."""

from .main import run

run()
