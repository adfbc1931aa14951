"""The one date every output carries: SOURCE_DATE_EPOCH, else the guide's date (handed on in Resources)."""

from __future__ import annotations

import datetime as dt
import os

from studyguide.model import Meta


def build_epoch(meta: Meta) -> int:
    """Return the document date in Unix seconds: SOURCE_DATE_EPOCH, else the guide's date (ValueError if invalid)."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env.isdigit():
        return int(env)
    day = dt.date.fromisoformat(meta.date)
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
