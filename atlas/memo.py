"""A bounded, thread-safe memo: each value computed once per key, even when many threads ask at once.

The app's one cache (`components/data.py`) is built on it. Script runs of every session and the HTTP
routes (`components/http.py`, which run outside any script run) share it, so a value computed for one
reader or one API call is there for all. A key being computed is locked on its own: concurrent callers
of the same key wait for the first one instead of computing it again; other keys go on. A computation
that raises caches nothing. The least recently used entry goes when `max_entries` is passed.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable


class Memo:
    def __init__(self, max_entries: int):
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}
        self.hits = self.misses = 0

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                self.hits += 1
                return self._values[key]
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values:  # computed by the caller we waited for
                    self.hits += 1
                    return self._values[key]
            try:
                value = make()
                with self._lock:
                    self.misses += 1
                    self._values[key] = value
                    while len(self._values) > self.max_entries:
                        self._values.popitem(last=False)
            finally:
                with self._lock:
                    if self._computing.get(key) is key_lock:
                        del self._computing[key]
        return value

    def peek(self, key: Hashable, missing: Any = None) -> Any:
        """The value kept for `key` (`missing` if none), neither computed nor counted as a hit."""
        with self._lock:
            return self._values.get(key, missing)

    def put(self, key: Hashable, value: Any) -> bool:
        """Keep `value` for `key` unless one is already kept or being computed (a value read back from disk: the
        first one wins, as in `get`). True if it was kept."""
        with self._lock:
            if key in self._values or key in self._computing:
                return False
            self._values[key] = value
            while len(self._values) > self.max_entries:
                self._values.popitem(last=False)
            return True

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
