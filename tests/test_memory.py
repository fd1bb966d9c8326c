"""The server's allocator setting (atlas/memory.py): set at start, and large freed arrays leave the process."""
import subprocess
import sys
import textwrap

from tests.conftest import ROOT


def test_a_freed_large_array_is_returned_to_the_system():
    """With glibc's default, once a 24 MB array has been freed, 2 MB arrays come from the heap and stay with the
    process when freed (the last one, still held, keeps the heap from being trimmed); with the threshold fixed
    each has its own mapping and leaves when freed. RSS is read in a process of its own for each setting."""
    code = """
        import sys
        from pathlib import Path
        from atlas import memory
        if sys.argv[1:] == ["fixed"]:
            assert memory.configure()
        import numpy as np
        rss = lambda: int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) // 1024
        big = np.ones(24 << 20, np.uint8); del big      # a freed mapping under 32 MiB: glibc raises its threshold
        before = rss()
        held = [np.ones(2 << 20, np.uint8) for _ in range(8)]
        del held[:7]                                    # 14 MB freed, the last array held
        print(rss() - before)
    """
    run = lambda *args: int(subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT,
                                           capture_output=True, text=True, check=True, timeout=120).stdout)
    default, fixed = run(), run("fixed")
    assert default >= 12 and fixed <= 4, (default, fixed)


def test_the_app_sets_it_before_the_package_is_loaded():
    """app.py, imported by the server, calls memory.configure before it starts the warm-up that loads the package."""
    text = (ROOT / "app.py").read_text()
    assert text.index("memory.configure()") < text.index("warm.in_background()")
