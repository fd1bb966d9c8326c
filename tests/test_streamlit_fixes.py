"""components.streamlit_fixes: the two workarounds of Streamlit 1.67's internals.

2. Exports made on click survive other sessions' reruns: Streamlit deletes an unreferenced generated
download at the second cleanup after it was made, and every session's script run ends with a cleanup,
so under load the browser could ask too late. (These tests drive Streamlit's MediaFileManager and read
its `_deferred_callables`: what the fix patches is Streamlit's internals.)
1. A page run outside app.py's navigation leaves legacy pages mode and reruns (`routed`, `router_guard`);
tests/e2e/test_concurrent.py checks it end to end.
"""
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from components.streamlit_fixes import keep_generated_downloads, routed, router_guard


def generated_file(mgr: MediaFileManager, execute) -> tuple[str, str]:
    """Register an export as a download button does, run it as a click does; (file id, session id)."""
    placeholder = mgr.add_deferred(lambda: b"\x89PNG chart", "image/png", "1.2.3", file_name="chart.png")
    session = mgr._deferred_callables[placeholder]["session_id"]
    url = execute(mgr, placeholder)
    return url.rsplit("/", 1)[-1].split(".", 1)[0], session


def other_sessions_rerun(mgr: MediaFileManager, times: int = 2) -> None:
    for _ in range(times):
        mgr.remove_orphaned_files()


@pytest.fixture
def patched():
    assert keep_generated_downloads()
    assert keep_generated_downloads()  # idempotent: a second call does not wrap again
    assert not hasattr(MediaFileManager.execute_deferred.__wrapped__, "__wrapped__")
    return MediaFileManager.execute_deferred


def test_without_the_fix_a_generated_download_is_gone_after_two_other_reruns(patched):
    storage = MemoryMediaFileStorage("/media")
    mgr = MediaFileManager(storage)
    file_id, _ = generated_file(mgr, patched.__wrapped__)
    assert storage.get_file(file_id).content == b"\x89PNG chart"
    other_sessions_rerun(mgr)
    with pytest.raises(Exception):
        storage.get_file(file_id)  # what the browser then gets is a 404: a cancelled download


def test_the_asking_session_keeps_its_download_until_its_own_next_run(patched):
    storage = MemoryMediaFileStorage("/media")
    mgr = MediaFileManager(storage)
    file_id, session = generated_file(mgr, MediaFileManager.execute_deferred)
    other_sessions_rerun(mgr, 5)
    assert storage.get_file(file_id).content == b"\x89PNG chart"
    # The session's next full run drops its references; the file goes like any other media file.
    mgr.clear_session_refs(session)
    other_sessions_rerun(mgr)
    with pytest.raises(Exception):
        storage.get_file(file_id)


def test_a_second_click_gets_a_fresh_file_and_both_are_kept(patched):
    storage = MemoryMediaFileStorage("/media")
    mgr = MediaFileManager(storage)
    placeholder = mgr.add_deferred(lambda: b"csv,1\r\n", "text/csv", "1.2.4", file_name="t.csv")
    first = mgr.execute_deferred(placeholder)
    second = mgr.execute_deferred(placeholder)
    other_sessions_rerun(mgr, 3)
    for url in (first, second):
        assert storage.get_file(url.rsplit("/", 1)[-1].split(".", 1)[0]).content == b"csv,1\r\n"


def test_a_page_run_by_app_py_is_left_alone(monkeypatch):
    import streamlit
    from streamlit.runtime.pages_manager import PagesManager
    reruns = []
    monkeypatch.setattr(streamlit, "rerun", lambda *a, **k: reruns.append(1))
    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    with routed():
        router_guard()
    assert reruns == [] and PagesManager.uses_pages_directory is True


def test_a_page_run_alone_leaves_legacy_pages_mode_and_reruns(monkeypatch):
    import streamlit
    from streamlit.runtime.pages_manager import PagesManager
    reruns = []
    monkeypatch.setattr(streamlit, "rerun", lambda *a, **k: reruns.append(1))
    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    with routed():
        pass  # leaving the block ends the routed run
    router_guard()
    assert reruns == [1] and PagesManager.uses_pages_directory is False
