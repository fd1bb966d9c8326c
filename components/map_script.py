"""What the deck.gl maps do in the browser that their JSON cannot say: tooltips kept inside the map and gone
after a click.

deck.gl places its tooltip with its top-left corner at the pointer, inside the map's box, which Streamlit
clips (`overflow: hidden`): near the right or bottom edge the text was cut. The script watches each
tooltip's position (deck.gl writes it as `transform`) and shifts it with the separate CSS `translate`
property, to the left of or above the pointer when it would not fit, never past the map's top-left corner.
It never touches `transform`, so deck.gl and the script do not fight. A press on the map hides the tooltip
(the click filters the page; the old tooltip would stay over the new map until the pointer moved).

Literal text (no data in it), added once per page by `components.frame.page_setup`.
"""

SCRIPT = """
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
  document.addEventListener("pointerdown", (event) => {
    const chart = event.target.closest && event.target.closest('[data-testid="stDeckGlJsonChart"]');
    if (!chart) return;
    chart.querySelectorAll(".deck-tooltip").forEach((tip) => { tip.style.display = "none"; });
  }, true);
  watch();
  setInterval(watch, 500);
})();
"""
