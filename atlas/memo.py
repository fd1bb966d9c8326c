"""A bounded, thread-safe memo: each value computed once per key, even when many threads ask at once.

The app's one cache (`components/data.py`) is built on it. Script runs of every session and the HTTP
routes (`components/http.py`, which run outside any script run) share it, so a value computed for one
reader or one API call is there for all. A key being computed is locked on its own: concurrent callers
of the same key wait for the first one instead of computing it again (and get its value even when it is
too large to keep); other keys go on. A computation that raises caches nothing. The least recently used
entry goes when `max_entries` is passed, or when the kept values' sizes (`size_of`) pass `max_bytes`; a
value larger than `max_value_bytes` is returned to its callers but not kept.

(Hand-written rather than `cachetools.LRUCache(getsizeof=...)`: the once-per-key locking, which the library
leaves to its callers, is most of this class; the byte accounting is a dozen lines beside it.)
"""
from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable


def size_of(value: Any, _depth: int = 0) -> int:
    """About how many bytes `value` holds: the length of bytes and text, pandas' deep memory use of a frame,
    polars' estimate, the sum over a tuple, list or dict; `sys.getsizeof` of anything else (its shell only)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return len(value) + 64
    if isinstance(value, str):
        return sys.getsizeof(value)
    if hasattr(value, "estimated_size") and callable(value.estimated_size):  # polars
        try:
            return int(value.estimated_size())
        except Exception:  # noqa: BLE001 - a size is an estimate; the shell below
            pass
    if hasattr(value, "memory_usage") and callable(value.memory_usage):  # pandas DataFrame/Series/Index
        try:
            used = value.memory_usage(deep=True)
            return int(used.sum() if hasattr(used, "sum") else used)
        except Exception:  # noqa: BLE001
            pass
    if _depth < 6:
        if isinstance(value, (tuple, list, set, frozenset)):
            return sys.getsizeof(value) + sum(size_of(v, _depth + 1) for v in value)
        if isinstance(value, dict):
            return sys.getsizeof(value) + sum(size_of(k, _depth + 1) + size_of(v, _depth + 1) for k, v in value.items())
    return sys.getsizeof(value)


def fingerprint(df) -> bytes:
    """A pandas table's content as a key (XXH3, 128 bits, of its columns' names and types and every cell, by
    value; not its index): two tables that hold the same cells have the same key, whatever objects they are."""
    import pandas as pd
    import xxhash
    h = xxhash.xxh3_128()
    h.update(repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode())
    if len(df.columns):
        try:
            cells = pd.util.hash_pandas_object(df, index=False)
        except TypeError:  # cells pandas cannot hash (lists, dicts): by their text
            cells = pd.util.hash_pandas_object(df.astype(str), index=False)
        h.update(cells.to_numpy().tobytes())
    return h.digest()


class _Computing:
    """A key being computed: its lock, and its value once made (for callers that waited, if it was not kept)."""
    __slots__ = ("lock", "done", "value")

    def __init__(self):
        self.lock, self.done, self.value = threading.Lock(), False, None


class Memo:
    def __init__(self, max_entries: int, max_bytes: int | None = None, max_value_bytes: int | None = None):
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        if max_bytes is not None and max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_value_bytes = max_value_bytes if max_value_bytes is not None else max_bytes
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self.bytes = 0                 # the kept values' sizes, summed (0 when max_bytes is None: nothing is sized)
        self._lock = threading.Lock()
        self._computing: dict[Hashable, _Computing] = {}
        self.hits = self.misses = self.not_kept = 0

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def get(self, key: Hashable, make: Callable[[], Any], size: Callable[[Any], int] | None = None) -> Any:
        """The value for `key`, made by `make()` if none is kept. `size`: how to size the value (default `size_of`)."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                self.hits += 1
                return self._values[key]
            computing = self._computing.setdefault(key, _Computing())
        with computing.lock:
            with self._lock:
                if key in self._values:  # computed by the caller we waited for
                    self.hits += 1
                    return self._values[key]
            if computing.done:  # computed by the caller we waited for, too large to keep
                return computing.value
            try:
                value = make()
                nbytes = (size or size_of)(value) if self.max_bytes is not None else 0
                with self._lock:
                    self.misses += 1
                    self._keep(key, value, nbytes)
                computing.value, computing.done = value, True
            finally:
                with self._lock:
                    if self._computing.get(key) is computing:
                        del self._computing[key]
        return value

    def _keep(self, key: Hashable, value: Any, nbytes: int) -> bool:
        """Keep `value` (the lock held), unless it is larger than one value may be; then evict to the bounds."""
        if self.max_value_bytes is not None and nbytes > self.max_value_bytes:
            self.not_kept += 1
            return False
        self._values[key] = value
        self._sizes[key] = nbytes
        self.bytes += nbytes
        while len(self._values) > self.max_entries or (self.max_bytes is not None and self.bytes > self.max_bytes):
            old, _ = self._values.popitem(last=False)
            self.bytes -= self._sizes.pop(old)
        return True

    def peek(self, key: Hashable, missing: Any = None) -> Any:
        """The value kept for `key` (`missing` if none), neither computed nor counted as a hit."""
        with self._lock:
            return self._values.get(key, missing)

    def put(self, key: Hashable, value: Any) -> bool:
        """Keep `value` for `key` unless one is already kept or being computed (a value read back from disk: the
        first one wins, as in `get`). True if it was kept."""
        nbytes = size_of(value) if self.max_bytes is not None else 0
        with self._lock:
            if key in self._values or key in self._computing:
                return False
            return self._keep(key, value, nbytes)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._sizes.clear()
            self.bytes = 0
