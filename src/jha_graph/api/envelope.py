"""One JSON envelope for every successful API answer.

>>> envelope([{"a": 1}], next_url=None)["ok"]
True
"""
from __future__ import annotations

from typing import Any


def envelope(data: Any, *, next_url: str | None = None, meta: dict | None = None) -> dict:
    body: dict[str, Any] = {"ok": True, "data": data, "next": next_url}
    if meta:
        body["meta"] = meta
    return body
