"""Time zones by IANA name. `ZoneInfo` refuses an unknown name in more ways than
ZoneInfoNotFoundError: a malformed one raises ValueError, and a name that is a folder of
the zone database ("Europe") raises IsADirectoryError when the tzdata package is
installed; each of them is an unknown zone here."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC_ZONE = ZoneInfo("UTC")


def known_zone(name: str) -> ZoneInfo | None:
    """The zone named `name`, or None when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone_or_utc(name: str) -> ZoneInfo:
    """The zone named `name`; an unknown one reads as UTC."""
    return known_zone(name) or UTC_ZONE
