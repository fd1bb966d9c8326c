"""The websocket load benchmark's protocol helpers (benchmarks/ws_load.py): messages built and read as Streamlit 1.67's
front end does. The benchmark itself is run by `python -m benchmarks.ws_load`, not here."""
import pytest
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks import ws_load as w

# as the app's sidebar sends it (read from a real run of app.py)
PROVINCE_ID = "$$ID-1d520a49b0d71c914bbb7696c520677c-filter_province_0"


def multiselect_delta(widget_id: str, options: list[str], cacheable: bool = False, digest: str = "") -> ForwardMsg:
    msg = ForwardMsg()
    msg.delta.new_element.multiselect.id = widget_id
    msg.delta.new_element.multiselect.options.extend(options)
    msg.metadata.cacheable, msg.hash = cacheable, digest
    return msg


def test_widget_key_is_the_user_key_of_a_keyed_widget_id():
    assert w.widget_key(PROVINCE_ID) == "filter_province_0"
    assert w.widget_key("$$ID-e10ec41533aac63360fb247e40db2130-None") is None   # a widget without a key
    assert w.widget_key("plain") is None


def test_rerun_message_carries_page_query_widgets_and_cached_hashes():
    state = w.multiselect_state(PROVINCE_ID, ["Fujian"])
    back = BackMsg()
    back.ParseFromString(w.rerun_message(page_script_hash="abc", query_string="province=Fujian", widgets=[state],
                                         cached={"h2", "h1"}))
    r = back.rerun_script
    assert back.WhichOneof("type") == "rerun_script"
    assert (r.page_script_hash, r.page_name, r.query_string) == ("abc", "", "province=Fujian")
    assert list(r.cached_message_hashes) == ["h1", "h2"]
    [sent] = r.widget_states.widgets
    assert sent.id == PROVINCE_ID and sent.WhichOneof("value") == "string_array_value"
    assert list(sent.string_array_value.data) == ["Fujian"]


def test_clearing_a_multiselect_sends_an_empty_array_not_nothing():
    state = w.multiselect_state(PROVINCE_ID, [])
    assert state.WhichOneof("value") == "string_array_value" and list(state.string_array_value.data) == []


def test_observed_finds_the_province_widget_and_its_options():
    seen = w.Observed()
    seen.start_run()
    seen.read(multiselect_delta(PROVINCE_ID, ["Anhui", "Beijing", "Fujian"]).SerializeToString())
    widget = seen.widgets["filter_province_0"]
    assert (widget.id, widget.kind) == (PROVINCE_ID, "multiselect")
    assert w.option_for(widget, "Fujian") == "Fujian"
    with pytest.raises(LookupError):
        w.option_for(widget, "Guangdong")


def test_observed_reads_pages_query_and_the_end_of_the_run():
    seen = w.Observed()
    nav = ForwardMsg()
    for path, digest, default in (("", "h-overview", True), ("flows", "h-flows", False)):
        page = nav.navigation.app_pages.add()
        page.url_pathname, page.page_script_hash, page.is_default = path, digest, default
    seen.observe(nav)
    assert seen.pages == {"": "h-overview", "flows": "h-flows"}
    info = ForwardMsg()
    info.page_info_changed.query_string = "province=Fujian"
    seen.observe(info)
    assert seen.query_string == "province=Fujian"
    early, done = ForwardMsg(), ForwardMsg()
    early.script_finished = ForwardMsg.FINISHED_EARLY_FOR_RERUN
    done.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    seen.observe(early)
    assert seen.finished is None          # a run cut short for a rerun: the next run's end is awaited
    seen.observe(done)
    assert seen.finished == ForwardMsg.FINISHED_SUCCESSFULLY and not seen.errors


def test_cacheable_messages_are_kept_and_a_reference_replays_them():
    seen = w.Observed()
    seen.observe(multiselect_delta(PROVINCE_ID, ["Fujian"], cacheable=True, digest="big"))
    assert set(seen.cache) == {"big"}
    seen.start_run()
    ref = ForwardMsg()
    ref.ref_hash = "big"
    seen.observe(ref)
    assert seen.widgets["filter_province_0"].id == PROVINCE_ID and seen.refs == 1 and not seen.errors
    ref.ref_hash = "never-sent"
    seen.observe(ref)
    assert seen.errors == ["reference to a message never received (never-sent)"]


def test_uncacheable_messages_are_not_kept():
    seen = w.Observed()
    seen.observe(multiselect_delta(PROVINCE_ID, ["Fujian"], cacheable=False, digest="small"))
    assert seen.cache == {}


def test_exceptions_and_error_boxes_in_deltas_are_errors():
    seen = w.Observed()
    exc = ForwardMsg()
    exc.delta.new_element.exception.type, exc.delta.new_element.exception.message = "KeyError", "'CN-FJ'"
    box = ForwardMsg()
    box.delta.new_element.alert.body, box.delta.new_element.alert.format = "The package is broken", Alert.ERROR
    info = ForwardMsg()
    info.delta.new_element.alert.body, info.delta.new_element.alert.format = "No records", Alert.INFO
    for m in (exc, box, info):
        seen.observe(m)
    assert seen.errors == ["exception: KeyError: 'CN-FJ'", "error box: The package is broken"]


def test_downloads_are_checked_by_content():
    ok = b"HTTP/1.1 200 OK\r\ncontent-type: text/csv"
    rows = "record_id,from_admin1,to_admin1\nt1,CN-FJ,US-OR\nt2,CN-FJ,US-VA\n".encode()
    assert w.check_download("/api/v1/flows.csv?province=Fujian", ok, rows, 2) == []
    assert w.check_download("/api/v1/flows.csv?province=Fujian", ok, rows, 3) != []
    other = "record_id,from_admin1,to_admin1\nt1,CN-GD,US-OR\n".encode()
    assert w.check_download("/api/v1/flows.csv?province=Fujian", ok, other, 1) != []
    chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked"
    assert w.check_download("/charts/corporate-giving.png", chunked, b"8\r\n\x89PNG\r\n\x1a\n\r\n0\r\n\r\n", None) == []
    assert w.check_download("/charts/corporate-giving.png", ok, b"<!doctype html>", None) != []
    assert w.check_download("/charts/corporate-giving.png", b"HTTP/1.1 404 Not Found", b"", None) != []


def test_growth_reads_the_rss_curve_after_warm_up():
    flat = [(t, 300.0 + (5 if t == 30 else 0)) for t in range(0, 1830, 30)]
    g = w.growth(flat)
    assert g["growth_after_warmup_mb"] == 0 and abs(g["slope_second_half_mb_per_10min"]) < 1e-9
    rising = [(t, 300.0 + t / 60) for t in range(0, 1830, 30)]     # 1 MB a minute
    assert w.growth(rising)["slope_second_half_mb_per_10min"] == pytest.approx(10)


def test_cpu_seconds_counts_this_process():
    import os
    spent = w.cpu_seconds([os.getpid()])
    sum(i * i for i in range(2_000_000))
    assert w.cpu_seconds([os.getpid()]) > spent


def test_process_cpu_counts_a_thread_that_has_ended_to_under_a_tick():
    import os
    import threading
    before = w.process_cpu_ns(os.getpid())
    burn = threading.Thread(target=lambda: sum(i * i for i in range(1_000_000)))
    burn.start()
    burn.join()
    spent = w.process_cpu_ns(os.getpid()) - before
    assert spent > 0 and spent % 10_000_000 != 0  # counted after the thread ended, and not in 10 ms ticks
    assert w.process_cpu_ns(2**22 + 12345) is None  # no such process


def test_targets_are_judged_on_the_runs_as_served_and_the_default_gc_is_shown_only():
    pages = lambda ms: {"pages": {"overview": {"cpu_ms": ms}}, "errors": 0}  # noqa: E731
    run = lambda rate: {"4": {"interactions_per_s": rate, "errors": 0}}  # noqa: E731
    report = {"profiles": {"app": pages(90), "floor": pages(30), "app-gc-off": pages(20), "floor-gc-off": pages(16)},
              "load": {"app": run(8), "app-gc-off": run(40)}}
    judged = {t["target"]: (t["pass"], t["judged"]) for t in w.targets(report)}
    assert judged["CPU per interaction within 1.5x the floor (app-gc-off vs floor-gc-off, worst page)"] == (True, True)
    assert judged["CPU per interaction within 1.5x the floor (app vs floor, worst page)"] == (False, False)
    assert judged["at least 20 interactions/s from one process (app, best of >= 4 clients)"] == (False, False)
    assert judged["no errors"] == (True, True)
    report["profiles"]["app-gc-off"] = pages(30)
    assert not all(t["pass"] for t in w.targets(report) if t["judged"])  # a served run over the limit fails
