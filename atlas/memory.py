"""How the server process gives back memory it has finished with (one call, at the server's start).

glibc's malloc (pandas, numpy) raises its mmap threshold each time a large block is freed, up to 32 MiB; after that,
large arrays come from the heap, and freed ones stay with the process. At a million records that kept 80-100 MB of
freed temporaries in the server's first minute (peak 1,274-1,295 MB from the CSVs, 1,182-1,206 with the threshold
fixed, in benchmarks/cold_start.py). A fixed threshold of 1 MiB keeps every large array in its own mapping, returned
to the system when it is freed. It changes when memory is returned, never what is computed.

(Polars' own allocator, jemalloc, was tried too: returning its pages at once made the flows aggregation 50% slower,
after one second made no difference to the peak.)
"""
from __future__ import annotations

import ctypes
import sys

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
MMAP_THRESHOLD = 1 << 20


def configure() -> bool:
    """Fix glibc's mmap threshold at 1 MiB. False where that cannot be done (not Linux, not glibc)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    except (OSError, AttributeError):  # another C library (musl): the allocator's defaults stay
        return False
