"""components.streamlit_fixes: the one workaround of Streamlit 1.67's internals.

A page run outside app.py's navigation leaves legacy pages mode and reruns (`routed`, `router_guard`);
tests/e2e/test_concurrent.py checks it end to end.
"""
from components.streamlit_fixes import routed, router_guard

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


def test_leaving_legacy_pages_mode_before_any_session(monkeypatch):
    from streamlit.runtime.pages_manager import PagesManager
    from components.streamlit_fixes import leave_legacy_pages
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    leave_legacy_pages()
    assert PagesManager.uses_pages_directory is False
    # a pages manager made afterwards (a new session) keeps it off although pages/ exists
    PagesManager("app.py")
    assert PagesManager.uses_pages_directory is False
