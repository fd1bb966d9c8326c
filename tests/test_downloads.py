"""components.downloads: "Cite this chart" cites the atlas and the source the chart draws (issue #31)."""
import pytest

from atlas.i18n import t
from components import downloads


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_citation_of_a_chart_names_the_report_and_the_table_it_draws(lang):
    text = downloads.source_citation(t("source.ccg_table4", lang), lang)
    if lang == "en":
        assert text.startswith("Original source: Center for China and Globalization (CCG). (2020). China-US non-governmental")
        assert "Table 4" in text
    else:
        assert text.startswith("原始来源：全球化智库（CCG）（2020年）：《新冠疫情下的中美民间合作")
        assert "表4" in text


def test_a_source_that_is_not_the_report_is_cited_as_its_line_says():
    text = downloads.source_citation("Source: news reports and official pages cited per row (see the table).", "en")
    assert text == "Original source: news reports and official pages cited per row (see the table)"
