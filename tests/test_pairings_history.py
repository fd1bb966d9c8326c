"""Issue 32, second round: doubtful states kept out of per-state counts, the record reconciled to the official totals at
both levels, and each relationship as a history (years, what each refers to, the help of 2020 each way). Real figures
from the bundled package."""
import pandas as pd
import pytest

from atlas import pairings
from atlas.filters import Filters
from components import exhibits
from components.charts_pairings import build_pairing_reconciliation_chart, gap_sentence


# --- doubtful states ------------------------------------------------------------------------------

def test_a_pair_whose_state_no_source_names_is_listed_under_no_state(atlas_data, bundled):
    judged = pairings.state_judged(bundled)
    doubtful = set(judged.index[judged])
    assert len(doubtful) == 22 and int(bundled.pairings["doubtful"].sum()) == 24
    # Yichun-Hinesville and Yulin-Gillette are doubtful for their Chinese side only: their states stand
    assert not judged["pr-yichun--hinesville-ga"] and not judged["pr-yulin--gillette-wy"]
    # states now quoted from a public page: Marshfield (Wisconsin), Long Beach (California), New Haven and Greenwich
    # (Connecticut)
    p = bundled.pairings.set_index("pairing_id")
    for pid in ("pr-zhangjiagang--marshfield-wi", "pr-qingdao--long-beach-ca", "pr-changsha--new-haven-ct",
                "pr-hangzhou--greenwich-ct"):
        assert not p.at[pid, "doubtful"], pid
    everything = pairings.view(atlas_data, Filters())
    for state in sorted(set(everything["us_admin1"])):
        shown = pairings.view(atlas_data, Filters(states=(state,)))
        assert not set(shown["pairing_id"]) & doubtful, state
    # of Connecticut's five pairs on record, three are Wikipedia rows with no state named: the filter lists the two a
    # source places in Connecticut (New Haven, Greenwich), not the three the resolver put there
    assert set(pairings.view(atlas_data, Filters(states=("US-CT",)))["pairing_id"]) == {
        "pr-changsha--new-haven-ct", "pr-hangzhou--greenwich-ct"}
    # nationally they are relationships on record (on Wikipedia's lists), their state shown as not stated
    s = pairings.summary(everything, bundled)
    assert s["pairs"] == 204 and s["state_not_stated"] == 22
    assert pairings.summary(pairings.view(atlas_data, Filters(states=("US-WY",))), bundled)["pairs"] == 2  # Gillette counts
    table = pairings.table(everything, "en").set_index("pairing_id")
    assert (table.loc[sorted(doubtful), "us_state"] == "state not stated").all()
    assert table.at["pr-hubei--ohio", "us_state"] == "OH"
    assert pairings.table(everything, "zh").set_index("pairing_id").at["pr-yangzhou--westport-ct", "us_state"] == "未注明州"


def test_per_state_counts_leave_out_the_guessed_states(atlas_data, bundled):
    """Summed over the states, the per-state counts on record are the national count less the pairs with no state."""
    everything = pairings.view(atlas_data, Filters())
    per_state = sum(pairings.summary(pairings.view(atlas_data, Filters(states=(s,))), bundled)["pairs"]
                    for s in sorted(set(everything["us_admin1"])))
    assert per_state == 204 - 22


# --- reconciled to the official totals ----------------------------------------------------------------

def test_every_official_total_is_a_key_figure_with_its_source_and_words(bundled):
    o = pairings.official_totals(bundled).set_index("figure_id")
    assert o["value"].to_dict() == {
        "kf-sister-province-state-2015": 41, "kf-sister-city-2015": 203, "kf-sister-province-state-2017": 43,
        "kf-sister-province-state-2018": 49, "kf-sister-total-2018": 201, "kf-sister-total-2019": 277,
        "kf-sister-city-2022": 234, "kf-sister-province-state-2022": 50, "kf-sister-total-2022": 284,
        "kf-sister-total-2024": 286, "kf-sister-total-2025": 288}
    sources = bundled.sources.set_index("source_id")
    for fid, row in o.iterrows():
        assert row["source_id"] in sources.index and '"' in row["source_ref"], fid
    # the totals first read second-hand now quote the page itself
    assert "has grown into 277 pairs" in o.at["kf-sister-total-2019", "source_ref"]
    assert sources.at["ecns2019", "url"].startswith("http://ecns.cn/")
    assert "have paired 288 sister provinces, states and cities" in o.at["kf-sister-total-2025", "source_ref"]
    assert "41 pairs of sister states/provinces and 203 pairs of sister cities" in o.at["kf-sister-city-2015", "source_ref"]


def test_the_cumulative_lines_count_each_dated_relationship_once(bundled):
    c = pairings.cumulative(bundled)
    on = bundled.pairings[bundled.pairings["evidence_level"].isin(["stated", "listed"])]
    dated = on[on["established"] != ""]
    last = c[c["year"] == c["year"].max()].set_index("level")["on_record_dated"]
    assert c["year"].max() == 2025 and c["year"].min() == 1979
    assert last.to_dict() == {"all": len(dated) == 117 and 117, "province_state": 35, "city": 82}
    assert last["all"] == last["province_state"] + last["city"]
    for level, g in c.groupby("level"):
        assert g["on_record_dated"].is_monotonic_increasing, level
    # Hubei-Ohio (1979; 1985) counts once, in 1979, with Nanjing-St. Louis and one more
    assert c[(c["level"] == "all") & (c["year"] == 1979)]["on_record_dated"].item() == 3


def test_the_gap_sentence_says_the_packages_numbers(bundled):
    g = pairings.gap(bundled)
    on = bundled.pairings[bundled.pairings["evidence_level"].isin(["stated", "listed"])]
    assert g == {"province_state": int((on["level"] == "province_state").sum()), "city": int((on["level"] == "city").sum()),
                 "total": len(on), "dated": int((on["established"] != "").sum()), "state_not_stated": 22,
                 "official_date": "2022-04-29", "official_year": "2022", "official_province_state": 50,
                 "official_city": 234, "official_total": 284, "latest_total": 288, "latest_date": "2025-11-06"}
    assert (g["province_state"], g["city"], g["total"], g["dated"]) == (40, 164, 204, 117)
    en = gap_sentence(g, "en")
    assert en.startswith("The atlas holds 40 of the 50 province-state pairs and 164 of the 234 city pairs the CPAFFC")
    assert "(204 of 284)" in en and "117 of the 204" in en and "22 city pairs" in en and "288 (2025-11-06)" in en
    zh = gap_sentence(g, "zh")
    assert "50对友好省州中的40对" in zh and "234对友好城市中的164对" in zh and "288对" in zh


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_reconciliation_chart_draws_both_levels_beside_the_official_totals(atlas_data, bundled, lang):
    ex = exhibits.BY_NAME["sister-relationships-reconciled"]
    assert ex.kind == "chart" and ex.page == "pairings" and ex.filters == () and ex.key == "pairing_reconcile"
    c = ex.build(exhibits.Ask(atlas_data, {"lang": lang}))
    official = c.data[c.data["series"] == "official_total"]
    assert official.groupby("level")["value"].apply(list).to_dict() == {
        "all": [201, 277, 284, 286, 288], "city": [203, 234], "province_state": [41, 43, 49, 50]}
    now = c.data[c.data["series"] == "on_record_with_or_without_year"].set_index("level")["value"].to_dict()
    assert now == {"all": 204, "province_state": 40, "city": 164}
    dots = [tr for tr in c.figure.data if tr.mode == "markers"]  # dots, values on hover (labels collided at 390 px)
    assert [list(tr.y) for tr in dots] == [[201, 277, 284, 286, 288], [41, 43, 49, 50], [203, 234]]
    assert c.notes[0] == gap_sentence(pairings.gap(bundled), lang)
    # a filter does not change it: the totals are national
    assert ex.build(exhibits.Ask(atlas_data, {"lang": lang, "province": ("CN-FJ",)})).data.equals(c.data)


# --- each relationship as a history -------------------------------------------------------------

def test_fujian_since_when_and_what_went_each_way(atlas_data):
    v = pairings.view(atlas_data, Filters(provinces=("CN-FJ",)))
    h = pairings.history(atlas_data, v, "en").set_index("pairing_id")
    assert len(h) == int(v["on_record"].sum())
    oregon = h.loc["pr-fujian--oregon"]
    assert oregon["since"] == "1984" and oregon["years"].startswith("1984: agreement signed (")
    assert oregon["help_cn_to_us"] == "50,000 surgical masks" and oregon["help_us_to_cn"] == "none on record"
    tacoma = h.loc["pr-fuzhou--tacoma"]
    assert tacoma["since"] == "1994" and "70,000 surgical masks" in tacoma["help_cn_to_us"]
    # Fuzhou-Honolulu became sister cities in 2021: Fuzhou's help of 2020 is not within it
    honolulu = h.loc["pr-fuzhou--honolulu"]
    assert honolulu["since"] == "2021" and honolulu["help_cn_to_us"] == honolulu["help_us_to_cn"] == "none on record"
    assert h.loc["pr-fuzhou--syracuse-ny", "us_state"] == "state not stated"
    assert h.loc["pr-fuzhou--syracuse-ny", "united_states"] == "Syracuse"  # not "Syracuse, NY": no source says NY
    since = pd.to_numeric(h["since"].replace("", None))
    assert since.dropna().is_monotonic_increasing  # oldest first, undated last
    assert since.tail(3).isna().all() and since.head(5).notna().all()


def test_ohio_each_year_says_what_it_refers_to(atlas_data):
    v = pairings.view(atlas_data, Filters(states=("US-OH",)))
    h = pairings.history(atlas_data, v, "en").set_index("pairing_id")
    hubei = h.loc["pr-hubei--ohio"]
    assert hubei["since"] == "1979"
    years = hubei["years"].split(" · ")
    assert [y[:4] for y in years] == ["1979", "1985", "2009"] and years[2].startswith("2009: agreement renewed")
    assert hubei["help_us_to_cn"].startswith("1,000 N95 respirators") and hubei["help_cn_to_us"] == "none on record"
    assert h.at["pr-liuzhou--cincinnati", "years"].startswith("1988: agreement signed")
    zh = pairings.history(atlas_data, v, "zh").set_index("pairing_id")
    assert zh.at["pr-hubei--ohio", "years"].split(" · ")[2].startswith("2009: 续签协议")
    assert zh.at["pr-liuzhou--cincinnati", "help_us_to_cn"] == "慰问信"  # Table 2 prints "Letter": said in Chinese on a Chinese page
    assert h.at["pr-liuzhou--cincinnati", "help_us_to_cn"] == "Letter"  # as Table 2 prints it


def test_wuxi_found_by_name_with_its_help_each_way(atlas_data):
    v = pairings.find(pairings.view(atlas_data, Filters()), "wuxi")
    assert set(v["pairing_id"]) == {"pr-wuxi--san-antonio", "pr-binhu-district-wuxi--norwich-ct",
                                    "pr-huishan-district-wuxi--davis-ca", "pr-wuxi--chattanooga-tn",
                                    "pr-xishan-district-wuxi--west-orange-nj", "pr-xinwu--dublin-ca"}  # Xinwu District, Wuxi
    in_chinese = set(pairings.find(pairings.view(atlas_data, Filters()), "无锡")["pairing_id"])
    assert {"pr-wuxi--san-antonio", "pr-wuxi--chattanooga-tn", "pr-xinwu--dublin-ca"} <= in_chinese <= set(v["pairing_id"])
    h = pairings.history(atlas_data, v, "en").set_index("pairing_id")
    sa = h.loc["pr-wuxi--san-antonio"]
    # Wuxi's 30,000 masks were pledged: a pledge is never help given (atlas.engine)
    assert sa["since"] == "2012" and sa["help_cn_to_us"] == "none on record"
    assert sa["help_us_to_cn"] == "raising funds to purchase needed supplies"


def test_the_history_marks_help_exactly_where_the_view_does(atlas_data):
    v = pairings.view(atlas_data, Filters())
    on = v[v["on_record"]].set_index("pairing_id")
    h = pairings.history(atlas_data, v, "en").set_index("pairing_id").loc[on.index]
    for d in ("cn_to_us", "us_to_cn"):
        assert ((h[f"help_{d}"] != "none on record") == on[f"help_{d}"]).all(), d


def test_the_chinese_history_says_what_went_in_chinese(atlas_data):
    # issue #31: the help columns of the Chinese page printed the sources' English ("21,200 N95/KN95 masks",
    # "Call & email", "1,000 N95 respirators; 3,000 surgical masks"); now the record's category, quantity and unit in
    # Chinese, and an item the vocabulary knows only as "other" keeps the source's words, marked as the original
    import re
    history = pairings.history(atlas_data, pairings.view(atlas_data, Filters()), "zh").set_index(["china", "united_states"])
    assert history.at[("上海市", "旧金山"), "help_cn_to_us"] == "21,200 防护口罩（N95、KN95、FFP2）（个）"
    assert history.at[("上海市", "旧金山"), "help_us_to_cn"] == "电话和邮件"
    hubei = history.at[("湖北省", "俄亥俄州"), "help_us_to_cn"]
    assert hubei.split("；") == ["1,000 防护口罩（N95、KN95、FFP2）（个）", "3,000 外科口罩（个）",
                                "其他物资（原文：8,100 packs of disinfecting wipes）", "50 防护服（件）"]
    for column in ("help_cn_to_us", "help_us_to_cn"):
        for text in history[column]:
            rest = re.sub(r"（原文：[^）]*）|N95|KN95|FFP2", "", text)
            assert not re.search(r"[A-Za-z]", rest), text
