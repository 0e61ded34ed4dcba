"""Typed reads from a parsed TOML table that collect problems by key (used by campaign.py)."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ektp.regions.wilayah import dotted

WEEKDAY_NAMES = {
    "senin": 0,
    "selasa": 1,
    "rabu": 2,
    "kamis": 3,
    "jumat": 4,
    "sabtu": 5,
    "minggu": 6,
}


class _Missing(enum.Enum):
    REQUIRED = enum.auto()


REQUIRED = _Missing.REQUIRED


def _key(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class Fields:
    """Reads values out of tables, noting each problem as "key.path: what is wrong"."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        """Note a problem at a key path."""
        self.problems.append(f"{where}: {message}")

    def _value(self, table: Mapping[str, Any], key: str, where: str, default: object) -> Any:
        if key in table:
            return table[key]
        if default is REQUIRED:
            self.fail(_key(where, key), "is required")
        return default

    def table(self, raw: Any, where: str, allowed: Collection[str]) -> Mapping[str, Any] | None:
        """Return ``raw`` as a table whose keys are all ``allowed``, or None."""
        if raw is None:
            self.fail(where, "is required")
            return None
        if not isinstance(raw, Mapping):
            self.fail(where, "must be a table")
            return None
        for key in raw:
            if key not in allowed:
                self.fail(_key(where, str(key)), "unknown key")
        return raw

    def items(
        self, table: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> Sequence[Any]:
        """Return an array (of tables, usually); an empty one when absent and optional."""
        raw = self._value(table, key, where, REQUIRED if required else [])
        if raw is REQUIRED or raw is None:
            return []
        if not isinstance(raw, list):
            self.fail(_key(where, key), "must be an array")
            return []
        if required and not raw:
            self.fail(_key(where, key), "needs at least one entry")
        return raw

    def text(
        self, table: Mapping[str, Any], key: str, where: str, default: str | _Missing = REQUIRED
    ) -> str | None:
        """Return a non-empty string (or the default)."""
        raw = self._value(table, key, where, default)
        if raw is REQUIRED:
            return None
        if not isinstance(raw, str) or (key in table and not raw.strip()):
            self.fail(_key(where, key), "must be a non-empty string")
            return None
        return raw.strip()

    def integer(
        self,
        table: Mapping[str, Any],
        key: str,
        where: str,
        *,
        minimum: int | None = None,
        default: int | _Missing | None = REQUIRED,
    ) -> int | None:
        """Return an integer at least ``minimum`` (or the default, which may be None)."""
        raw = self._value(table, key, where, default)
        if raw is REQUIRED or (raw is None and key not in table):
            return None
        kind = {None: "an integer", 0: "a non-negative integer", 1: "a positive integer"}.get(
            minimum, f"an integer of at least {minimum}"
        )
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.fail(_key(where, key), f"must be {kind}")
            return None
        if minimum is not None and raw < minimum:
            self.fail(_key(where, key), f"must be {kind}")
            return None
        return raw

    def boolean(
        self, table: Mapping[str, Any], key: str, where: str, *, default: bool
    ) -> bool | None:
        """Return true or false (or the default)."""
        raw = self._value(table, key, where, default)
        if not isinstance(raw, bool):
            self.fail(_key(where, key), "must be true or false")
            return None
        return raw

    def _as_date(self, raw: Any, where: str) -> dt.date | None:
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                pass
        self.fail(where, "must be a date (2011-10-03)")
        return None

    def date(self, table: Mapping[str, Any], key: str, where: str) -> dt.date | None:
        """Return a required date (TOML date or ISO string)."""
        raw = self._value(table, key, where, REQUIRED)
        return None if raw is REQUIRED else self._as_date(raw, _key(where, key))

    def dates(self, table: Mapping[str, Any], key: str, where: str) -> tuple[dt.date, ...] | None:
        """Return an optional array of dates (empty when absent)."""
        raw = self._value(table, key, where, [])
        if not isinstance(raw, list):
            self.fail(_key(where, key), "must be an array of dates")
            return None
        found = [self._as_date(item, f"{_key(where, key)}[{i}]") for i, item in enumerate(raw)]
        return None if None in found else tuple(day for day in found if day is not None)

    def time(self, table: Mapping[str, Any], key: str, where: str) -> dt.time | None:
        """Return a required time of day ("08:00" or a TOML local time)."""
        raw = self._value(table, key, where, REQUIRED)
        if raw is REQUIRED:
            return None
        if isinstance(raw, dt.time):
            return raw
        if isinstance(raw, str) and re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", raw):
            try:
                return dt.time.fromisoformat(raw)
            except ValueError:
                pass
        self.fail(_key(where, key), 'must be a time of day ("08:00")')
        return None

    def share(self, raw: Any, key: str, where: str, *, default: float) -> float | None:
        """Return a number from 0 to 1 (or the default)."""
        if not isinstance(raw, Mapping):
            return None
        value = self._value(raw, key, where, default)
        return self._share_value(value, _key(where, key))

    def _share_value(self, value: Any, where: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            self.fail(where, "must be a number from 0 to 1")
            return None
        return float(value)

    def shares(
        self, table: Mapping[str, Any], key: str, where: str, names: Collection[str]
    ) -> dict[str, float] | None:
        """Return an optional table of session name -> share."""
        raw = self._value(table, key, where, {})
        if not isinstance(raw, Mapping):
            self.fail(_key(where, key), "must be a table of session name = share")
            return None
        found: dict[str, float] = {}
        for name, value in raw.items():
            at = f"{_key(where, key)}.{name}"
            if name not in names:
                self.fail(at, "no session has this name")
                continue
            share = self._share_value(value, at)
            if share is not None:
                found[str(name)] = share
        return found

    def weekdays(
        self, table: Mapping[str, Any], key: str, where: str, *, default: frozenset[int]
    ) -> frozenset[int] | None:
        """Return weekday numbers from Indonesian day names (senin ... minggu)."""
        if key not in table:
            return default
        raw = table[key]
        names = raw if isinstance(raw, list) else None
        if not names or any(
            not isinstance(name, str) or name.lower() not in WEEKDAY_NAMES for name in names
        ):
            self.fail(_key(where, key), f"must list day names from {', '.join(WEEKDAY_NAMES)}")
            return None
        return frozenset(WEEKDAY_NAMES[name.lower()] for name in names)

    def choice(
        self, table: Mapping[str, Any], key: str, where: str, options: Sequence[str]
    ) -> str | None:
        """Return one of ``options``."""
        raw = self._value(table, key, where, REQUIRED)
        if raw is REQUIRED:
            return None
        if raw not in options:
            self.fail(_key(where, key), f"must be one of {', '.join(options)}")
            return None
        return str(raw)

    def code(
        self,
        table: Mapping[str, Any],
        key: str,
        where: str,
        pattern: re.Pattern[str],
        description: str,
    ) -> str | None:
        """Return a region code in dotted form (plain digits accepted)."""
        raw = self._value(table, key, where, REQUIRED)
        if raw is REQUIRED:
            return None
        return self._code_value(raw, _key(where, key), pattern, description)

    def _code_value(
        self, raw: Any, where: str, pattern: re.Pattern[str], description: str
    ) -> str | None:
        if isinstance(raw, str) and pattern.fullmatch(dotted(raw)):
            return dotted(raw)
        self.fail(where, f"must be {description}")
        return None

    def codes(
        self,
        table: Mapping[str, Any],
        key: str,
        where: str,
        pattern: re.Pattern[str],
        description: str,
    ) -> tuple[str, ...] | None:
        """Return an optional array of region codes (empty when absent)."""
        raw = self._value(table, key, where, [])
        if not isinstance(raw, list):
            self.fail(_key(where, key), f"must be an array of {description}s")
            return None
        found = [
            self._code_value(item, f"{_key(where, key)}[{index}]", pattern, description)
            for index, item in enumerate(raw)
        ]
        return None if None in found else tuple(code for code in found if code is not None)


@dataclass(frozen=True)
class AlertThresholds:
    """The ``[alerts]`` table of a campaign file: when the dashboards raise an alert."""

    below_target_days: int = 3  # a kecamatan below its daily target this many working days
    idle_share: float = 0.5  # a set idle for more than this share of its open time
    attendance_min: float = 0.6  # an RT whose attended / invited is under this share...
    attendance_min_invited: int = 20  # ...once this many of its turns were due
    card_stage_days: int = 14  # cards waiting at one stage longer than this many days


ALERT_KEYS = frozenset(
    {
        "below_target_days",
        "idle_share",
        "attendance_min",
        "attendance_min_invited",
        "card_stage_days",
    }
)


def alert_thresholds(fields: Fields, raw: Any) -> AlertThresholds:
    """Return the thresholds of an ``[alerts]`` table (defaults for what is absent)."""
    default = AlertThresholds()
    if raw is None:
        return default
    table = fields.table(raw, "alerts", ALERT_KEYS)
    if table is None:
        return default
    days = fields.integer(
        table, "below_target_days", "alerts", minimum=1, default=default.below_target_days
    )
    idle = fields.share(table, "idle_share", "alerts", default=default.idle_share)
    attendance = fields.share(table, "attendance_min", "alerts", default=default.attendance_min)
    invited = fields.integer(
        table,
        "attendance_min_invited",
        "alerts",
        minimum=1,
        default=default.attendance_min_invited,
    )
    stage_days = fields.integer(
        table, "card_stage_days", "alerts", minimum=1, default=default.card_stage_days
    )
    return AlertThresholds(
        below_target_days=days or default.below_target_days,
        idle_share=default.idle_share if idle is None else idle,
        attendance_min=default.attendance_min if attendance is None else attendance,
        attendance_min_invited=invited or default.attendance_min_invited,
        card_stage_days=stage_days or default.card_stage_days,
    )
