"""Time zones as people write them: UTC, an offset, a common abbreviation, an IANA name.

The one reader of zone names: the site's ``timezone`` option, timestamps' offsets and the
timeline's headers and cells all come here, so they accept the same forms and refuse the
same names (``Pacific``, a folder of the zone database, is not a zone).
"""

from __future__ import annotations

import functools
import re
from datetime import timedelta, timezone, tzinfo

# Common abbreviations, each a fixed offset in hours: UTC's names and the North American
# and European ones. Ambiguous ones (IST, CST in China, BST in Bangladesh) are the
# meaning a Western write-up gives them; anything else needs an offset or an IANA name.
ABBREVIATIONS = {
    "UTC": 0, "UT": 0, "GMT": 0, "Z": 0,
    "NST": -3.5, "NDT": -2.5, "AST": -4, "ADT": -3,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
    "WET": 0, "WEST": 1, "BST": 1, "IST": 1, "CET": 1, "CEST": 2,
    "EET": 2, "EEST": 3, "MSK": 3,
}  # fmt: skip
# Names that follow daylight saving time ("9:37 AM PT"): the zone, not one offset.
GENERIC = {
    "PT": "America/Los_Angeles", "MT": "America/Denver", "CT": "America/Chicago",
    "ET": "America/New_York", "AKT": "America/Anchorage",
}  # fmt: skip
_OFFSET_RE = re.compile(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?")


class ZoneError(ValueError):
    """A name that is no time zone; the message says what would be one."""


def fixed(hours: float = 0, minutes: int = 0) -> tzinfo:
    """A fixed offset (UTC itself for zero)."""
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone.utc if not delta else timezone(delta)


@functools.lru_cache(maxsize=256)  # a site uses a handful of zones
def offset(text: str) -> tzinfo:
    """An offset as written after a time: ``Z``, ``+01:00``, ``-0800``, ``+1``, ``UTC+2``."""
    if text in ("Z", "z"):
        return timezone.utc
    match = _OFFSET_RE.fullmatch(text.strip())
    if match is None:
        raise ZoneError(f"{text!r} is not an offset; write one such as +01:00 or -08:00")
    sign = -1 if match.group(1) == "-" else 1
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 23 or minutes > 59:
        raise ZoneError(f"the offset {text} is out of range")
    return fixed(sign * hours, sign * minutes)


@functools.lru_cache(maxsize=64)
def zone(name: str) -> tzinfo:
    """The zone a name means, or :class:`ZoneError`. UTC, the usual choice, is Python's own:
    the zone database is loaded only for an IANA name."""
    text = name.strip()
    upper = text.upper()
    if upper in ABBREVIATIONS:
        return fixed(ABBREVIATIONS[upper])
    if text[:1] in ("+", "-") or upper.startswith(("UTC+", "UTC-", "GMT+", "GMT-")):
        return offset(text)
    from zoneinfo import ZoneInfo  # 5 ms at every start; most sites write UTC

    try:
        return ZoneInfo(GENERIC.get(upper, text))
    except Exception:  # unknown, malformed, or a folder of the database (IsADirectoryError)
        raise ZoneError(
            f"{name!r} is not a time zone; write an IANA name such as 'Europe/Berlin' or "
            "'America/Los_Angeles', an offset such as +01:00, or UTC"
        ) from None
