"""The one cache's memo: once per key under concurrency, bounded, nothing cached from a failure."""
import threading
import time

import pytest

from atlas.memo import Memo


def test_each_key_is_computed_once_when_many_threads_ask_at_once():
    memo, calls = Memo(8), []

    def make():
        calls.append(1)
        time.sleep(0.05)
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(memo.get("k", make))) for _ in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(calls) == 1
    assert len({id(r) for r in results}) == 1 and len(results) == 16


def test_other_keys_are_not_held_up_by_a_slow_one():
    memo = Memo(8)
    started = threading.Event()

    def slow():
        started.set()
        time.sleep(0.5)
        return "slow"

    th = threading.Thread(target=lambda: memo.get("slow", slow))
    th.start()
    started.wait()
    t0 = time.perf_counter()
    assert memo.get("fast", lambda: "fast") == "fast"
    assert time.perf_counter() - t0 < 0.25
    th.join()


def test_least_recently_used_entry_goes_first():
    memo = Memo(2)
    memo.get("a", lambda: 1)
    memo.get("b", lambda: 2)
    memo.get("a", lambda: 99)     # touches a
    memo.get("c", lambda: 3)      # evicts b
    assert "a" in memo and "c" in memo and "b" not in memo
    assert memo.get("a", lambda: 99) == 1


def test_a_failure_caches_nothing_and_the_next_caller_retries():
    memo = Memo(2)
    with pytest.raises(ZeroDivisionError):
        memo.get("k", lambda: 1 / 0)
    assert "k" not in memo
    assert memo.get("k", lambda: 5) == 5


# --- bounded in bytes (issue #30 item 7: each distinct export stayed in memory, 120 MB apiece at a million rows) ---

def test_kept_bytes_stay_within_the_budget_and_the_oldest_go_first():
    from atlas.memo import size_of
    memo = Memo(1_000, max_bytes=10_000, max_value_bytes=4_000)
    for i in range(50):
        memo.get(("csv", i), lambda i=i: bytes([i % 256]) * 1_500)
        assert memo.bytes <= 10_000, (i, memo.bytes)
    kept = [i for i in range(50) if ("csv", i) in memo]
    assert kept == list(range(50 - len(kept), 50)) and 4 <= len(kept) < 50   # the newest, in order
    assert memo.bytes == sum(size_of(memo.peek(("csv", i))) for i in kept)
    memo.get(("csv", kept[0]), lambda: b"never")   # touched: now the newest, so the next one in goes without it
    memo.get(("csv", "new"), lambda: b"x" * 1_500)
    assert ("csv", kept[0]) in memo and ("csv", kept[1]) not in memo


def test_a_value_larger_than_the_keep_limit_is_served_but_not_kept():
    memo = Memo(8, max_bytes=10_000, max_value_bytes=2_500)
    memo.get("small", lambda: b"s" * 100)
    big = memo.get("big", lambda: b"b" * 5_000)
    assert big == b"b" * 5_000                     # the caller gets it all
    assert "big" not in memo and "small" in memo   # it pushed nothing out and was not kept
    assert memo.not_kept == 1 and memo.bytes < 2_500
    calls = []
    assert memo.get("big", lambda: calls.append(1) or b"again") == b"again" and calls == [1]  # made again when asked again


def test_callers_waiting_for_a_value_too_large_to_keep_get_it_without_computing_it_again():
    memo, calls = Memo(8, max_bytes=1_000, max_value_bytes=500), []
    started = threading.Event()

    def make():
        calls.append(1)
        started.set()
        time.sleep(0.2)
        return b"x" * 10_000

    results = []
    first = threading.Thread(target=lambda: results.append(memo.get("k", make)))
    first.start()
    started.wait()
    others = [threading.Thread(target=lambda: results.append(memo.get("k", make))) for _ in range(4)]
    for th in others:
        th.start()
    for th in [first, *others]:
        th.join()
    assert len(calls) == 1 and len(results) == 5 and all(r == b"x" * 10_000 for r in results)
    assert "k" not in memo


def test_frames_are_sized_by_their_contents():
    import pandas as pd
    from atlas.memo import size_of
    small = pd.DataFrame({"a": ["x"] * 10})
    large = pd.DataFrame({"a": ["x" * 100] * 10_000})
    assert size_of(large) > 1_000_000 > size_of(small)
    assert size_of((b"a" * 1_000, "b" * 1_000, [large])) > size_of(large) + 2_000


def test_the_exports_cache_has_a_byte_budget_from_the_environment(monkeypatch):
    from components import data
    monkeypatch.setenv("ATLAS_CACHE_BYTES", str(64 << 20))
    assert data.cache_bytes() == 64 << 20
    for wrong in ("lots", "-5", "1000"):
        monkeypatch.setenv("ATLAS_CACHE_BYTES", wrong)
        assert data.cache_bytes() == data.DEFAULT_CACHE_BYTES
    monkeypatch.delenv("ATLAS_CACHE_BYTES")
    assert data.cache_bytes() == 256 << 20
    assert data._rendered.max_bytes == data.cache_bytes() and data._rendered.max_value_bytes == data.cache_bytes() // 4


def test_rendered_exports_beyond_the_budget_are_evicted(monkeypatch):
    from components import data
    small = Memo(data.MAX_RENDERED, max_bytes=3 << 20, max_value_bytes=1 << 20)
    monkeypatch.setattr(data, "_rendered", small)
    monkeypatch.setitem(data._MEMOS, "rendered", small)
    for i in range(20):
        data.rendered(("test-budget", i), lambda i=i: bytes([i]) * 500_000)
    assert small.bytes <= 3 << 20 and len(small) < 20
    assert data.rendered(("test-budget", 19), lambda: b"not again") == bytes([19]) * 500_000
    whole = data.rendered(("test-budget", "whole"), lambda: b"w" * (2 << 20))
    assert len(whole) == 2 << 20 and small.peek((str(data.data_dir()), "test-budget", "whole")) is None
