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
