"""components.streamlit_fixes: the one module that relies on Streamlit's internals, each reliance with its reason.

A page run outside app.py's navigation leaves legacy pages mode and reruns (`routed`, `router_guard`);
tests/e2e/test_concurrent.py checks it end to end. The figures and decks Streamlit reads through one method each
are drawn through Streamlit here; the version they were all checked against is pinned; no other module of the app
imports Streamlit's internals.
"""
import ast
import json
from pathlib import Path

import streamlit

from components import streamlit_fixes
from components.streamlit_fixes import routed, router_guard

ROOT = Path(__file__).resolve().parents[1]

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


def test_the_work_arounds_were_checked_against_the_streamlit_the_app_runs():
    """An upgrade of Streamlit fails here first: each numbered work-around of streamlit_fixes is to be checked
    against the new version (and CHECKED_AGAINST moved) before the lock file is."""
    assert streamlit.__version__ == streamlit_fixes.CHECKED_AGAINST
    pins = [line for line in (ROOT / "requirements.txt").read_text().splitlines() if line.startswith("streamlit==")]
    assert pins == [f"streamlit=={streamlit_fixes.CHECKED_AGAINST}"]


def test_no_other_module_imports_streamlits_internals():
    """Only `streamlit` itself (its public API: `st.*`, `st.components.v2`) is imported elsewhere; any import of a
    module under it (streamlit.runtime, streamlit.file_util, streamlit.web ...) is streamlit_fixes' alone."""
    found = []
    for folder in ("atlas", "components", "pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "streamlit_fixes.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                if isinstance(node, ast.ImportFrom) and node.module == "streamlit":
                    names = [f"streamlit.{a.name}" for a in node.names]
                found += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n.startswith("streamlit.")]
    app = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    found += [f"app.py:{n.lineno}" for n in ast.walk(app) if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("streamlit.")]
    assert not found, f"Streamlit's internals imported outside components/streamlit_fixes.py: {found}"


def test_in_script_run_is_true_in_a_page_and_false_outside():
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st
        from components.streamlit_fixes import in_script_run
        st.write(f"in a script run: {in_script_run()}")

    at = AppTest.from_function(page).run()
    assert not at.exception and at.markdown[0].value == "in a script run: True"
    assert streamlit_fixes.in_script_run() is False


def test_a_frozen_figure_is_drawn_by_st_plotly_chart_from_its_dict():
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st
        from components.streamlit_fixes import FrozenFigure
        st.plotly_chart(FrozenFigure({"data": [{"type": "bar", "x": ["Fujian"], "y": [1000000]}],
                                      "layout": {"height": 321, "title": {"text": "frozen"}}}))

    at = AppTest.from_function(page).run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"][0]["x"] == ["Fujian"] and spec["data"][0]["y"] == [1000000]
    assert spec["layout"]["height"] == 321 and spec["layout"]["title"]["text"] == "frozen"


def test_a_compact_deck_is_drawn_by_st_pydeck_chart_from_its_one_json():
    import pydeck as pdk
    from streamlit.testing.v1 import AppTest

    def page():
        import pydeck as pdk
        import streamlit as st
        from components.streamlit_fixes import CompactDeck
        layer = pdk.Layer("ScatterplotLayer", id="places", data=[{"name": "Fuzhou </script>", "lon": 119.3, "lat": 26.1}])
        st.pydeck_chart(CompactDeck(layers=[layer], map_provider=None))

    at = AppTest.from_function(page).run()
    assert not at.exception
    sent = at.get("deck_gl_json_chart")[0].proto.json
    assert "\n" not in sent[:200] and "  " not in sent, "the deck's JSON is compact"
    assert "</script>" not in sent and json.loads(sent)["layers"][0]["data"][0]["name"] == "Fuzhou </script>"
    deck = streamlit_fixes.CompactDeck(layers=[pdk.Layer("ScatterplotLayer", id="x", data=[])], map_provider=None)
    assert deck.to_json() is deck.to_json(), "made once per deck"


def test_streamlits_page_is_read_from_its_static_folder():
    html = streamlit_fixes.index_html()
    # components/http.page_html rewrites exactly these two tags (the language, and the boot script in the head)
    assert html.count('<html lang="en">') == 1 and html.count("<head>") == 1 and '<div id="root">' in html
    assert (streamlit_fixes.static_dir() / "static").is_dir()
