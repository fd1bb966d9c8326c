"""atlas.landing and the overview's landing block: the app's name, one sentence, four facts linking to their pages."""
from atlas import landing
from tests.test_pages import run


def test_facts_are_counted_from_the_package(atlas_data):
    f = landing.facts(atlas_data)
    # delivered, China to US: Table 1 (2,624,076) and Zhang Yichen's 10,000 to Yale; Wuxi's 30,000 were only pledged
    assert f.masks_cn_to_us == 2_634_076
    assert f.donations_cn_to_us == 71  # 72 China-to-US donation records, one of them (Wuxi's) a pledge
    assert (f.top_company, f.top_amount_cny) == ("Citadel", 52_000_000)  # Table 4, row 1: 5,200 x CNY 10,000
    assert (f.support_percent, f.respondents) == (96.74, 1_776)  # key finding 3
    assert f.pairs == 204  # stated or listed; the 22 pairs only inferred from a donation are not 'on record'


def test_overview_opens_with_the_name_the_story_and_links_to_the_pages():
    at = run({}, "pages/overview.py")
    assert any("Cooperation Atlas" in m.value for m in at.markdown)
    links = {el.proto.page: el.proto.label.replace("\\", "") for el in at.get("page_link")}
    assert list(links) == ["flows", "corporate", "survey", "pairings"], links
    texts = " ".join(links.values())
    assert "2.63 million masks" in texts and "1.61 million by provincial and city governments" in texts and "Citadel" in texts and "CNY 52 million" in texts and "96.7%" in texts
    zh = " ".join(el.proto.label.replace("\\", "") for el in run({"lang": "zh"}, "pages/overview.py").get("page_link"))
    assert "口罩263万只" in zh and "161万只由省市政府捐赠" in zh and "城堡投资" in zh and "5,200万元" in zh, zh
