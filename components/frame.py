"""What frames every page: title, purpose, link warnings, which filters apply, sources, empty states."""
from __future__ import annotations

import streamlit as st

from atlas.filters import active, describe_shown
from atlas.i18n import md, md_link, t

from . import data, url_state
from .site import BY_KEY
from .streamlit_fixes import router_guard


def header(key: str) -> str:
    """A page's header; returns the reader's language.

    A page calls this first, before touching the data: a page run outside app.py (see
    streamlit_fixes) must go back through app.py, which shows a clear error page if the package is broken."""
    router_guard()
    page = BY_KEY[key]
    lang = url_state.lang()
    page_setup(lang)
    st.title(t(f"page.{key}", lang))
    st.markdown(t(f"purpose.{key}", lang))
    from .versions_panel import notice
    notice(lang)  # an earlier version of the data (an old citation's link): which, and that a newer one exists
    # The notes that come and go with the URL (link warnings, which filters apply) in one container: the page's
    # elements after it keep their places whatever the filters, so the browser updates them instead of building
    # them again (a map that moved one place down was a new map: its canvas, outlines and seconds of drawing).
    with st.container():
        for param, value, reason in url_state.warnings():
            st.warning(t(f"warning.{reason}", lang, param=md(param), value=md(value)), icon=":material/link_off:")
        set_filters = active(url_state.state())
        used = [n for n in set_filters if n in page.applies]
        ignored = [n for n in set_filters if n not in page.applies]
        if used:
            st.caption(t("filters.applied", lang, filters=md(describe(used))))
        if ignored:
            st.info(t("filters.not_applicable", lang, filters=t("list.comma", lang).join(t(f"filter.{n}", lang) for n in ignored),
                      page=t(f"page.{key}", lang), reason=t(f"reason.{key}", lang)), icon=":material/filter_alt_off:")
    return lang


def describe(names: tuple[str, ...] | list[str] | None = None) -> str:
    """The set filters among `names` (all if None) in words: plain text, for chart subtitles (escape it for markdown).
    A chart that shows only some filters says which set ones it ignores (`atlas.filters.describe_shown`)."""
    return describe_shown(url_state.state(), url_state.lang(), data.vocab(), names)


def page_setup(lang: str) -> None:
    """The page's language attribute, its skip links and the few style rules the layout needs.

    Downloads (links with `download=1`) are fetched by the script, which names the file from the answer's
    Content-Disposition and saves it: past one second it shows "Preparing the file…" on the link and in a status
    region for screen readers (issue #31: the first map PNG took seconds with no sign of progress). A failed fetch
    falls back to the plain link.

    The copy buttons of code boxes ("Link, embed, cite") are always shown (Streamlit shows them on hover only, so
    on a touch screen they were invisible until the box was tapped), and the box's text keeps clear of them.

    The style and script are literal (the app lets no data into raw HTML): the script reads the language
    and the links' words from a hidden container the page writes as plain text, and checks it again
    after every rerun (a language switch).

    The maps' tooltips: deck.gl puts its tooltip's corner at the pointer inside the map's box, which Streamlit
    clips (`overflow: hidden`), so near the right or bottom edge the text was cut. The script watches each
    tooltip's position and shifts it with the separate CSS `translate` property (left of or above the pointer
    when it would not fit, never past the map's top-left corner); a press on the map hides it (the click filters
    the page, and the old tooltip would otherwise stay over the new map until the pointer moved).

    Double-click or double tap on a map zooms in and never filters (issue #31): deck.gl reports a double click to
    Streamlit as a click too, so it added `state=Ohio` while the reader only meant to zoom. The script holds a press
    on a map until it knows it is a single one (released, and no second press within 300 ms, near it): a single tap
    is then passed on as it was (a click: it filters), a second one is dropped and zooms in one step at that point
    instead (the ctrl + wheel step deck.gl already zooms with); a press that moves is passed on at once (a drag
    pans). The decks' own double-click zoom is off (components/decks.py, CONTROLLER)."""
    # Cards and their labels wrap instead of cutting numbers off ("538,0…"); skip links show when focused.
    st.markdown("""<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *, [data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; overflow-wrap: anywhere; }
.st-key-landing [data-testid="stPageLink"] *, .st-key-landing a, .st-key-landing p, .st-key-landing span {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; overflow-wrap: anywhere; height: auto !important; }
[data-testid="stMetricValue"] { font-size: clamp(1.5rem, 1.1rem + 1.2vw, 2.25rem) !important; line-height: 1.2; }
.stElementContainer:has(.atlas-style), [class*="st-key-atlas_meta_"], [class*="st-key-atlas_width_"] { display: none !important; }
.atlas-skip { position: fixed; left: 8px; top: -60px; z-index: 1000100; padding: 8px 14px; background: #0072B2; color: #fff !important;
  border-radius: 4px; font-weight: 600; text-decoration: none; }
.atlas-skip:focus { top: 8px; outline: 3px solid #E69F00; }
.atlas-status { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
a[data-atlas-busy]:not([data-atlas-busy="pending"])::after { content: attr(data-atlas-busy); margin-left: 0.5em; font-size: 0.85em; opacity: 0.85; }
a[data-atlas-busy]:not([data-atlas-busy="pending"]) { cursor: progress; }
[data-testid="stCode"] > div:last-child, [data-testid="stCode"] [data-testid="stElementToolbarButton"] { opacity: 1 !important; visibility: visible !important; }
[data-testid="stCode"] pre { padding-right: 2.75rem !important; }
</style><span class="atlas-style"></span>""", unsafe_allow_html=True)
    # <html lang> follows the reader's language, and two skip links become the first stops of the Tab key:
    # to the page's content and to its first download button (past the sidebar's filters and every table).
    with st.container(key=f"atlas_meta_{lang}"):
        for key in ("a11y.skip_nav", "a11y.skip_content", "a11y.skip_downloads", "a11y.preparing"):
            st.markdown(md(t(key, lang)))
    st.html("""<script>
(() => {
  const doc = document;
  const go = (target) => {
    const main = doc.querySelector('[data-testid="stMainBlockContainer"]') || doc.querySelector("main");
    let el = target === "downloads" ? doc.querySelector('[data-testid="stMainBlockContainer"] [data-testid="stLinkButton"] a:not([inert] *)') : null;
    if (!el && main) { main.setAttribute("tabindex", "-1"); el = main; }
    if (el) { el.scrollIntoView({block: "center"}); el.focus(); }
  };
  const update = () => {
    const meta = doc.querySelector('[class*="st-key-atlas_meta_"]');
    if (!meta) return;
    const lang = /st-key-atlas_meta_(\w+)/.exec(meta.className)[1];
    const text = [...meta.querySelectorAll("p")].map((p) => p.textContent);
    const code = lang === "zh" ? "zh-Hans" : "en";
    if (doc.documentElement.lang !== code) doc.documentElement.lang = code;
    let box = doc.getElementById("atlas-skip-links");
    if (!box) {
      box = doc.createElement("nav"); box.id = "atlas-skip-links";
      for (const target of ["content", "downloads"]) {
        const a = doc.createElement("a");
        a.href = "#"; a.className = "atlas-skip"; a.dataset.target = target;
        a.addEventListener("click", (event) => { event.preventDefault(); go(target); });
        box.appendChild(a);
      }
      doc.body.prepend(box);
    }
    if (box.dataset.lang !== lang && text.length === 4) {
      box.dataset.lang = lang;
      box.setAttribute("aria-label", text[0]);
      box.querySelectorAll("a").forEach((a, i) => { a.textContent = text[i + 1]; });
      box.dataset.preparing = text[3];
    }
  };
  if (!window.atlasDownloads) {
    window.atlasDownloads = true;
    const status = doc.createElement("div");
    status.setAttribute("role", "status");
    status.className = "atlas-status";
    doc.body.appendChild(status);
    doc.addEventListener("click", async (event) => {
      const a = event.target.closest && event.target.closest('[data-testid="stLinkButton"] a[href*="download=1"]');
      if (!a || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      event.stopPropagation();
      if (a.dataset.atlasBusy) return;
      const words = (doc.getElementById("atlas-skip-links") || {dataset: {}}).dataset.preparing || "…";
      a.dataset.atlasBusy = "pending";
      a.setAttribute("aria-busy", "true");
      const started = performance.now();
      const timer = setTimeout(() => { a.dataset.atlasBusy = words; status.textContent = words; }, 1000);
      try {
        const res = await fetch(a.href, {credentials: "same-origin"});
        if (!res.ok) throw new Error(String(res.status));
        const blob = await res.blob();
        const cd = res.headers.get("content-disposition") || "";
        const star = /filename\*=UTF-8''([^;]+)/i.exec(cd), plain = /filename="([^"]+)"/i.exec(cd);
        const name = star ? decodeURIComponent(star[1]) : (plain ? plain[1] : "");
        const url = URL.createObjectURL(blob);
        const save = doc.createElement("a");
        save.href = url; save.download = name; save.style.display = "none";
        doc.body.appendChild(save); save.click(); save.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
      } catch (error) {
        window.location.assign(a.href);
      } finally {
        clearTimeout(timer);
        window.atlasLastDownloadMs = performance.now() - started;
        delete a.dataset.atlasBusy;
        a.removeAttribute("aria-busy");
        status.textContent = "";
      }
    }, true);
  }
  update();
  setInterval(update, 300);
})();
(() => {
  if (window.atlasMapScript) return;
  window.atlasMapScript = true;
  const GAP = 14;
  const place = (tip) => {
    if (tip.style.display === "none") return;
    const m = /translate\\(([-\\d.]+)px,\\s*([-\\d.]+)px\\)/.exec(tip.style.transform || "");
    const box = tip.offsetParent;
    if (!m || !box) return;
    const x = parseFloat(m[1]), y = parseFloat(m[2]);
    const w = tip.offsetWidth, h = tip.offsetHeight, W = box.clientWidth, H = box.clientHeight;
    let dx = x + GAP + w <= W ? GAP : -GAP - w;
    let dy = y + GAP + h <= H ? GAP : -GAP - h;
    dx = Math.max(dx, -x); dy = Math.max(dy, -y);
    const value = `${Math.round(dx)}px ${Math.round(dy)}px`;
    if (tip.style.translate !== value) tip.style.translate = value;
  };
  const watch = () => {
    document.querySelectorAll('[data-testid="stDeckGlJsonChart"] .deck-tooltip').forEach((tip) => {
      if (tip.dataset.atlasWatched) return;
      tip.dataset.atlasWatched = "1";
      new MutationObserver(() => place(tip)).observe(tip, {attributes: true, attributeFilter: ["style"],
                                                           childList: true, characterData: true, subtree: true});
    });
  };
  window.addEventListener("wheel", (event) => {
    if (event.ctrlKey || event.metaKey) return;
    const chart = event.target.closest && event.target.closest('[data-testid="stDeckGlJsonChart"]');
    if (chart) event.stopPropagation();
  }, {capture: true, passive: true});
  document.addEventListener("pointerdown", (event) => {
    const chart = event.target.closest && event.target.closest('[data-testid="stDeckGlJsonChart"]');
    if (!chart) return;
    chart.querySelectorAll(".deck-tooltip").forEach((tip) => { tip.style.display = "none"; });
  }, true);
  watch();
  setInterval(watch, 500);
  const HOLD = 300, NEAR = 16, MOVE = 6;
  const replayed = new WeakSet();
  let pending = null, swallow = null;
  const onMap = (event) => {
    const t = event.target;
    if (!t || !t.closest || t.closest("button")) return null;
    return t.closest('[data-testid="stDeckGlJsonChart"]') ? t : null;
  };
  const copy = (e, type) => new PointerEvent(type || e.type, {bubbles: true, cancelable: true, composed: true,
    clientX: e.clientX, clientY: e.clientY, screenX: e.screenX, screenY: e.screenY, pointerId: e.pointerId,
    pointerType: e.pointerType, isPrimary: e.isPrimary, button: e.button, buttons: e.buttons, width: e.width,
    height: e.height, pressure: e.pressure, ctrlKey: e.ctrlKey, shiftKey: e.shiftKey, altKey: e.altKey, metaKey: e.metaKey});
  const replay = (target, e) => { const c = copy(e); replayed.add(c); target.dispatchEvent(c); };
  const release = () => {
    if (!pending) return;
    const p = pending; pending = null;
    clearTimeout(p.timer);
    replay(p.target, p.down);
    if (p.up) replay(p.target, p.up);
  };
  const zoomIn = (target, e) => {
    const w = new WheelEvent("wheel", {bubbles: true, cancelable: true, composed: true, clientX: e.clientX,
      clientY: e.clientY, screenX: e.screenX, screenY: e.screenY, deltaY: -1000, deltaMode: 0, ctrlKey: true});
    target.dispatchEvent(w);
  };
  window.addEventListener("pointerdown", (event) => {
    if (replayed.has(event) || event.button !== 0) return;
    const target = onMap(event);
    if (!target) { release(); return; }
    if (pending && pending.up && event.timeStamp - pending.up.timeStamp < HOLD
        && Math.hypot(event.clientX - pending.down.clientX, event.clientY - pending.down.clientY) < NEAR) {
      clearTimeout(pending.timer);
      pending = null;
      swallow = event.pointerId;
      event.stopImmediatePropagation();
      zoomIn(target, event);
      return;
    }
    release();
    event.stopImmediatePropagation();
    pending = {target, down: event, up: null, timer: null};
  }, true);
  window.addEventListener("pointermove", (event) => {
    if (replayed.has(event) || !pending || pending.up) return;
    if (Math.hypot(event.clientX - pending.down.clientX, event.clientY - pending.down.clientY) > MOVE) release();
  }, true);
  window.addEventListener("pointerup", (event) => {
    if (replayed.has(event)) return;
    if (swallow !== null && event.pointerId === swallow) { swallow = null; event.stopImmediatePropagation(); return; }
    if (!pending || pending.up) return;
    event.stopImmediatePropagation();
    pending.up = event;
    pending.timer = setTimeout(release, HOLD);
  }, true);
  window.addEventListener("pointercancel", () => { release(); swallow = null; }, true);
})();
</script>""", unsafe_allow_javascript=True)


def sources(key: str) -> None:
    """The sources of what the page shows, at its foot."""
    lang = url_state.lang()

    def lines() -> list[str]:
        ids = BY_KEY[key].sources
        rows = data.get().package.sources.set_index("source_id")
        return [source_line(rows.loc[sid], lang) for sid in (list(rows.index) if "*" in ids else ids) if sid in rows.index]

    with st.expander(t("sources.heading", lang), icon=":material/menu_book:"):
        for line in data.rendered(("sources", key, lang), lines):  # made once per page and language
            st.markdown(line)
        st.caption(t("sources.row_level", lang))


def source_line(r, lang: str) -> str:
    """One source as markdown: publisher, original title (and in Chinese a translation, marked as such),
    date, and its web address or why there is none."""
    if lang == "zh" and r.get("title_zh"):
        # Chinese first (issue #31: the CCG report's English title led every Chinese source line); the original
        # title follows, marked as such; the publisher is a name.
        line = f"**{md(r['publisher'])}**，" + t("sources.title_zh_first", lang, title_zh=md(r["title_zh"]),
                                                   title=f"*{md(r['title'])}*")
        line += f"（{md(str(r['published']).split('.')[0])}年）" if r["published"] else ""
    else:
        line = f"**{md(r['publisher'])}**, *{md(r['title'])}*"
        line += f" ({md(r['published'])})" if r["published"] else ""
    if r["url"]:
        return line + f" — {md_link(r['url'])}"
    reason = r.get("url_note") or ""
    return line + " — " + t(f"sources.no_url.{reason}" if reason else "sources.no_url", lang)


def show_passage(passage, lang: str, chosen: bool) -> None:
    """Where the chosen row came from: its source, the place in it, the quoted words and the cells as printed."""
    with st.container(border=True, key="passage"):
        st.markdown(f"**{t('passage.heading', lang)}**")
        if passage is None:
            st.caption(t("passage.no_source" if chosen else "passage.hint", lang))
            return
        st.markdown(t("passage.where", lang, source=md(passage.source), where=md(passage.where)))
        for quote in passage.quotes:
            st.markdown("> " + md(quote))
        if passage.printed:
            st.markdown(t("passage.printed", lang) + "\n\n" + "\n".join(f"- {md(field)}: {md(value)}" for field, value in passage.printed))


def empty(message_key: str = "empty.no_records") -> None:
    lang = url_state.lang()
    st.info(t(message_key, lang) + " " + t("empty.hint", lang), icon=":material/search_off:")



def date_aside(filters) -> None:
    """What the date range leaves out but may hold (atlas.engine.aside), beside the figures it changes."""
    from atlas import engine
    text = engine.aside_words(data.view(engine.aside, filters), url_state.lang())
    if text:
        st.info(md(text), icon=":material/event_busy:")
