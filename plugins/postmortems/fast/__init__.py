"""The fast paths: work shared with forked processes, the disk cache, the line-by-line
YAML reader and, in the MkDocs adapter, the forked renderer and the nav cache.

Each is an optimisation only: with the switch off the site and the messages are the same
(a test builds the example site both ways). README.md beside this file says how they
work, what they rely on and how to test a change to them.
"""

from __future__ import annotations

import os

OFF = ("0", "false", "no", "off")


def enabled(option: bool = True) -> bool:
    """Whether the fast paths may run: the plugin's ``fast`` option, unless
    ``POSTMORTEMS_FAST=0`` in the environment turns them all off."""
    return option and os.environ.get("POSTMORTEMS_FAST", "1").strip().lower() not in OFF
