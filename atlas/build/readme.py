"""Step 5 of the build: ``<out>/README.md``, the package's description, with every count taken from the package.

    python -m atlas.build --only readme [--out data] [--pairs CSV]

Input: ``curation/data_readme_template.md`` (the prose, with ``{placeholders}``; Python `str.format`
syntax), the tables the previous steps wrote (``<out>/*.csv``, ``<out>/datapackage.json``) and the
resolved Wikipedia pairs (step 2). Output: ``<out>/README.md`` (also the README of the app's ZIP download).

Numbers in the text are never typed into the template: each is a placeholder filled here from the
tables, so the README cannot disagree with the package it describes. Some sentences of the template
state facts that are not numbers ("Table 3 prints no rows", "no item line says face masks"); `expect`
checks those against the tables and stops the build, naming the sentence, when one no longer holds.
Placeholders:

- plain values: ``{version}``, ``{n_t1}`` ... (see `values`);
- ``{n[resource]}``: rows of a resource;
- ``{kf[figure_id].value}`` / ``.date`` / ``.source_ref`` of a key figure; a value formats as
  ``1,776`` or, with a spec, ``{...value:million}`` as ``538 million`` (also ``thousand``, ``billion``);
  a date as printed (``2020-02-17``), ``:long`` (``17 February 2020``) or ``:year``;
- ``{t1[category]}``: the sum of Table 1's item lines of a category; ``{t1_rows[category]}`` those
  lines one by one (quantity, donor to recipient).
"""
from __future__ import annotations

import json
import re
import string
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from atlas import vocab
from .schema import YEAR_REFERS

from .files import CURATION, read_csv

TEMPLATE = CURATION / "data_readme_template.md"
WORDS = "no one two three four five six seven eight nine ten eleven twelve".split()
MONTHS = ("January February March April May June July August September October November December").split()
SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9}


class TemplateOutOfDate(ValueError):
    """A sentence of the README template that the package no longer bears out."""


def expect(condition: bool, sentence: str) -> None:
    if not condition:
        raise TemplateOutOfDate(f"{TEMPLATE.name} says {sentence!r}, which the package no longer bears out: "
                                "edit the template")


# --------------------------------------------------------------------------- formatting

class Num:
    """A number from a table: ``1,776``, ``25.74``; ``:million`` gives ``538 million``, ``2.11 million``."""

    def __init__(self, value):
        self.value = Decimal(str(value))

    def __format__(self, spec: str) -> str:
        if not spec:
            return plain(self.value)
        if spec in SCALES:
            return f"{plain(self.value / SCALES[spec])} {spec}"
        raise ValueError(f"unknown number format {spec!r} (use {', '.join(SCALES)})")

    def __str__(self) -> str:
        return plain(self.value)


def plain(d: Decimal) -> str:
    return format(d.normalize() if d != d.to_integral() else d.to_integral(), ",f")


class Date:
    """A date as stored (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``); ``:long`` in words, ``:year`` the year."""

    def __init__(self, text: str):
        self.text = text

    def __format__(self, spec: str) -> str:
        parts = self.text.split("-")
        if not spec:
            return self.text
        if spec == "year":
            return parts[0]
        if spec == "long":
            if len(parts) == 3:
                return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
            if len(parts) == 2:
                return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
            return parts[0]
        raise ValueError(f"unknown date format {spec!r} (use long or year)")


@dataclass(frozen=True)
class Figure:
    value: Num | None
    date: Date
    unit: str
    description: str
    source_ref: str


def words(n: int) -> str:
    """Small counts in words, as in running text ("six donations"); larger ones in figures."""
    return WORDS[n] if 0 <= n < len(WORDS) else f"{n:,}"


def join(items: list[str], last: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def code(text: str) -> str:
    return f"`{text}`"


def counted(rows: list[dict], field: str, order: tuple[str, ...] = (), last: str = "or") -> str:
    """```a` (3), `b` (2) or `c` (1)``: the values of ``field`` with their counts, in ``order`` or by count."""
    counts = Counter(r[field] for r in rows)
    values = [v for v in order if v in counts] + sorted((v for v in counts if v not in order), key=lambda v: (-counts[v], v))
    return join([f"{code(v)} ({counts[v]:,})" for v in values], last)


def short_name(publisher: str) -> str:
    """``The Diplomat (Trans-Pacific View)`` -> ``The Diplomat``; ``CCG (...), supported by ...`` -> ``CCG``."""
    return re.sub(r" \(.*?\)|,.*", "", publisher)


def by_basis(pairings: list[dict]) -> str:
    counts = Counter(p["basis"] for p in pairings)
    if len(counts) == 1:
        return f"all of them {code(next(iter(counts)))}"
    return join([f"{n:,} {code(b)}" for b, n in sorted(counts.items())])


def cell(text: str) -> str:
    return text.replace("|", "\\|")


# --------------------------------------------------------------------------- the values

def corrections_table(donations, messages, corporate, places) -> tuple[str, int, int]:
    """The rows with a ``correction_note``: where, what was printed, how it was read, the note, doubtful."""
    lines, n, doubtful = ["| where | printed | read as | note | doubtful |", "|---|---|---|---|---|"], 0, 0
    sides = ((donations, ("donor", "recipient")), (messages, ("sender", "recipient")))
    rows = []
    for table, (a, b) in sides:
        for r in table:
            if not r["correction_note"]:
                continue
            hit = [(r[f"{s}_as_printed"], r[f"{s}_place_id"]) for s in (a, b) if f"'{r[f'{s}_as_printed']}'" in r["correction_note"]]
            if not hit:
                raise TemplateOutOfDate(f"{r['source_ref']}: its correction_note quotes neither printed name "
                                        f"(expected \"printed '...'\"): {r['correction_note']!r}")
            rows.append((r["source_ref"], [p for p, _ in hit], [f"{places[pid]['name_en']} ({code(pid)})" for _, pid in hit],
                         r["correction_note"], r["doubtful"] == "true"))
    rows += [(r["source_ref"], [r["company_as_printed"]], [r["company"]], r["correction_note"], r["doubtful"] == "true")
             for r in corporate if r["correction_note"]]
    for where, printed, read, note, doubt in rows:
        lines.append(f"| {where} | {cell('; '.join(printed))} | {cell('; '.join(read))} | {cell(note)} | {'yes' if doubt else 'no'} |")
        n += 1
        doubtful += doubt
    return "\n".join(lines), n, doubtful


def values(out: Path, pairs_csv: Path) -> dict:
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    tables = {r["name"]: read_csv(out / r["path"]) for r in package["resources"]}
    places = {p["place_id"]: p for p in tables["places"]}
    donations, items, messages = tables["donations"], tables["donation_items"], tables["support_messages"]
    pairings, corporate, survey, figures = (tables["pairings"], tables["corporate_donations"],
                                            tables["survey_findings"], tables["key_figures"])
    sources = tables["sources"]
    wiki = read_csv(pairs_csv)
    v: dict = {"version": package["version"], "n": {name: len(rows) for name, rows in tables.items()}}
    expect([lic["name"] for lic in package["licenses"]] == ["CC-BY-SA-4.0"], "Package: CC BY-SA 4.0")

    # sources: the seed documents, the Wikipedia list, totals known only as reported in ../shared/data/README.md
    seeds = [s for s in sources if s["local_copy"].startswith("seeds/")]
    reported = [s for s in sources if s["local_copy"] == "data/README.md"]
    web = [s for s in sources if not s["local_copy"] and s["url"]]
    wiki_ids = {p["source_id"] for p in pairings if p["basis"].startswith("wikipedia_list")}
    expect(wiki_ids <= {"wikipedia-sister-cities"} and len(seeds) + len(reported) + 1 + len(web) == len(sources),
           "the seed documents, the Wikipedia sister-city lists (`wikipedia-sister-cities`), press reports")
    expect(all(s["url"] for s in web), "public web pages, each with its address (`url`) and no local copy")
    v["n_web"] = f"{len(web):,}"
    expect(seeds[0]["source_id"] == "ccg2020", "The main source is the CCG report, cited as `ccg2020`")
    v.update(n_seeds=words(len(seeds)), n_articles=words(len(seeds) - 1), n_reported=words(len(reported)),
             seed_list="; ".join(f"{code(s['source_id'])}, {short_name(s['publisher'])}" for s in seeds),
             reported_list=join([code(s["source_id"]) for s in reported]))
    cited = [r["name"] for r in package["resources"] if "source_ref" in [f["name"] for f in r["schema"]["fields"]]]
    v["cited_resources"] = join([code(name) for name in cited])
    printed_tables = sorted({int(m[1]) for rows in tables.values() for r in rows
                             for m in [re.match(r"Table (\d+), row \d+$", r.get("source_ref", ""))] if m})
    expect(3 not in printed_tables, "Table 3 prints a heading but no rows, so it is not in the package")
    v.update(n_printed_tables=words(len(printed_tables)), printed_tables=join([str(t) for t in printed_tables]))
    v["survey_ref"] = survey[0]["source_ref"]

    # regions and places
    by_country = lambda rows: ", ".join(f"{n:,} {c}" for c, n in sorted(Counter(r["country"] for r in rows).items()))
    v["regions_by_country"] = by_country(tables["regions"])
    v["regions_method"] = counted(tables["regions"], "method", last="and")
    v["places_by_country"] = by_country(tables["places"])
    from_wiki = [p for p in tables["places"] if p["note"].startswith("from the Wikipedia sister-city list")]
    v.update(n_wiki_places=f"{len(from_wiki):,}", n_register_places=f"{len(places) - len(from_wiki):,}",
             levels=counted(tables["places"], "level", last="and"),
             actor_kinds=counted(tables["places"], "actor_kind", vocab.ACTOR_KINDS))
    precision = Counter(p["coord_precision"] for p in tables["places"])
    expect(set(precision) <= set(vocab.COORD_PRECISIONS), "coord_precision says what the point is: city, seat_city, admin1 or none")
    expect(all(p["geonameid"] for p in tables["places"] if p["coord_precision"] == "city"), "city (the place's own GeoNames point, `geonameid` given)")
    v["cp"] = {k: f"{precision[k]:,}" for k in vocab.COORD_PRECISIONS}
    orgs = [p for p in tables["places"] if p["level"] == "organization"]
    v["org_seat"] = f"{sum(p['coord_precision'] == 'seat_city' for p in orgs):,}"
    v["org_admin1"] = f"{sum(p['coord_precision'] == 'admin1' for p in orgs):,}"
    at_other_city = [p for p in tables["places"] if p["coord_precision"] == "seat_city" and p["level"] != "organization"]
    v["n_at_other_city"] = f"{len(at_other_city):,}"
    v["at_other_city"] = join([f"{p['name_en']} ({p['level'].replace('_', ' ')})" for p in at_other_city])
    unlocated = [p for p in tables["places"] if p["coord_precision"] == "none"]
    v["n_unlocated"] = words(len(unlocated)).capitalize()
    v["unlocated"] = "\n".join(f"  - {p['name_en']} ({code(p['place_id'])}): {p['note']}" for p in unlocated)

    # donations and their items
    t1 = [d for d in donations if d["source_ref"].startswith("Table 1, ")]
    text = [d for d in donations if not d["source_ref"].startswith("Table ")]
    expect(all(d["donation_id"].startswith("t-") for d in text), "six donations described in the text (`t-*`)")
    expect(any(d["donation_id"] == "t-ohio-hubei" for d in text), "such as the Ohio Development Service Agency's supplies to Hubei")
    v.update(n_t1=f"{len(t1):,}", n_text_donations=words(len(text)), n_text_donations_n=f"{len(text):,}", t1_first=t1[0]["donation_id"], t1_last=t1[-1]["donation_id"],
             directions=counted(donations, "direction", vocab.DIRECTIONS), statuses=counted(donations, "status", vocab.DONATION_STATUSES),
             categories=counted(items, "category", vocab.ITEM_CATEGORIES, last="and"), units=counted(items, "unit", vocab.UNITS),
             n_no_quantity=words(sum(not i["quantity"] for i in items)))
    expect(any(i["as_printed"] == "a batch of protective suits" and not i["quantity"] for i in items),
           'quantity is empty where the text gives none ("a batch of protective suits")')
    t1_ids = {d["donation_id"]: d for d in t1}
    t1_items = [i for i in items if i["donation_id"] in t1_ids]
    sums = Counter()
    for i in t1_items:
        sums[i["category"]] += int(i["quantity"] or 0)
    v["t1"] = {c: Num(sums[c]) for c in vocab.ITEM_CATEGORIES}
    masks = sums["surgical_mask"] + sums["respirator_mask"] + sums["mask_unspecified"]
    v["t1_masks"] = Num(masks)
    as_of = {d["as_of"] for d in t1}
    expect(len(as_of) == 1, "Table 1 is a partial list as of one date")
    v["t1_as_of"] = Date(as_of.pop())

    def lines_of(category: str) -> str:
        lines = [i for i in t1_items if i["category"] == category]
        ends = [f"{places[t1_ids[i['donation_id']]['donor_place_id']]['name_en']} to "
                f"{places[t1_ids[i['donation_id']]['recipient_place_id']]['name_en']}" for i in lines]
        if len(lines) == 1:
            return f"one row: {ends[0]}"
        return " + ".join(f"{Num(i['quantity'])} {end}" for i, end in zip(lines, ends))

    v["t1_rows"] = {c: lines_of(c) for c in vocab.ITEM_CATEGORIES}
    expect(not any("face mask" in i["as_printed"].lower() for i in t1_items), 'no line says "face masks"')
    row20 = [i["as_printed"] for i in t1_items if i["donation_id"] == "t1-20"]
    expect("200 masks" in row20 and "10,000 surgical masks" in row20, 'row 20 lists "200 masks" beside 10,000 surgical masks')
    unseparated = [m for i in t1_items for m in re.findall(r"\b\d{4,}\b", i["as_printed"])]
    v["unseparated"] = join([f'"{m}"' for m in unseparated])
    biggest = max((i for i in t1_items if i["category"] in ("surgical_mask", "respirator_mask", "mask_unspecified")),
                  key=lambda i: int(i["quantity"]))
    big = t1_ids[biggest["donation_id"]]
    donor = places[big["donor_place_id"]]
    v.update(biggest_masks=Num(biggest["quantity"]), biggest_ref=big["source_ref"], biggest_donor=donor["name_en"],
             biggest_donor_kind=code(donor["actor_kind"]), biggest_recipient=places[big["recipient_place_id"]]["name_en"])
    v["n_us_to_cn"] = words(sum(d["direction"] == "us_to_cn" for d in donations))

    # support messages
    v["kinds"] = counted(messages, "kind", vocab.MESSAGE_KINDS)

    # pairings
    bases = Counter(p["basis"] for p in pairings)
    has = lambda basis: [p for p in pairings if basis in p["basis"].split("+")]
    stated, table_pairs, listed = has("stated_in_text"), has("table_pair"), has("wikipedia_list")
    doubtful_pairings = [p for p in pairings if p["doubtful"] == "true"]
    v.update(pairing_levels=counted(pairings, "level", vocab.PAIRING_LEVELS),
             pairings_by_basis=join([f"{n:,} {code(b)}" for b, n in sorted(bases.items(), key=lambda kv: (-kv[1], kv[0]))]),
             n_doubtful_pairings=f"{len(doubtful_pairings):,}",
             doubtful_by_basis=by_basis(doubtful_pairings),
             n_stated=words(len(stated)), n_table_pairs=f"{len(table_pairs):,}",
             n_table_and_listed=f"{sum(p in listed for p in table_pairs):,}", n_listed=f"{len(listed):,}",
             n_only_listed=f"{bases['wikipedia_list']:,}",
             pairing_evidence=counted(pairings, "evidence_level", vocab.PAIRING_EVIDENCE, last="and"),
             n_on_record=f"{sum(p['evidence_level'] in vocab.ON_RECORD for p in pairings):,}",
             n_dated=words(sum(bool(p["established"]) for p in pairings)),
             n_disputed=words(sum(";" in p["established"] for p in pairings)),
             stated_pairs=join([f"{places[p['cn_place_id']]['name_en']}-{places[p['us_place_id']]['name_en']}" for p in stated]))
    expect(all(p["source_id"] == "ccg2020" for p in pairings if p["basis"].split("+")[0] in ("stated_in_text", "table_pair")),
           "A pair found both in the report and on Wikipedia keeps the report as `source_id`")
    web_stated = has("stated_in_source")
    years, evidence = tables["pairing_years"], tables["pairing_evidence"]
    expect(all(e["quote"] for e in evidence if e["basis"].startswith("stated")), "`quote` (the exact words of a text that states the pair)")
    on_record = [p for p in pairings if p["evidence_level"] in vocab.ON_RECORD]
    ps_stated = [p for p in pairings if p["level"] == "province_state" and p["evidence_level"] == "stated"]
    kf = {f["figure_id"]: f for f in figures}
    v.update(n_web_stated=f"{len(web_stated):,}", n_web_stated_ps=f"{sum(p['level'] == 'province_state' for p in web_stated):,}",
             n_ps_stated=f"{len(ps_stated):,}", n_ps_all=f"{sum(p['level'] == 'province_state' for p in pairings):,}",
             n_city_on_record=f"{sum(p['level'] == 'city' for p in on_record):,}",
             n_on_record_dated=f"{sum(bool(p['established']) for p in on_record):,}", n_on_record_n=f"{len(on_record):,}",
             n_year_rows=f"{len(years):,}", year_refers=counted(years, "refers_to", YEAR_REFERS, last="and"),
             n_renewals=words(sum(y["refers_to"] == "renewal" for y in years)),
             n_doubtful_on_record=f"{sum(p['doubtful'] == 'true' for p in on_record):,}")
    # a state the resolver chose that no source names (its note: "chose NY: ...", and no "state stated by source"), the
    # rule atlas.pairings.state_judged applies; the other doubtful rows are doubtful for their Chinese name only
    judged = [p for p in on_record if p["doubtful"] == "true" and re.search(r"; chose [A-Z]{2}: ", places[p["us_place_id"]]["note"])
              and "state stated by source" not in places[p["us_place_id"]]["note"]]
    v.update(n_state_not_stated=f"{len(judged):,}",
             n_doubtful_cn_only=words(sum(p["doubtful"] == "true" for p in on_record) - len(judged)))
    expect(int(kf["kf-sister-province-state-2022"]["value"]) == 50 and int(kf["kf-sister-city-2022"]["value"]) == 234,
           "50 sister province-state pairs and 234 city pairs")
    expect(all("Wikipedia list, row" in p["evidence"] for p in listed), "cites the list row in `evidence`")
    resolution = Counter(w["resolution"] for w in wiki)
    v.update(n_wiki_rows=f"{len(wiki):,}", n_wiki_duplicates=words(sum(bool(w["duplicate_of_wiki_row"]) for w in wiki)),
             wiki_resolution=counted(wiki, "resolution", ("certain", "doubtful", "unresolved"), last="and"),
             n_unresolved=words(resolution["unresolved"]))

    # corporate donations
    ranks = Counter(int(r["rank"]) for r in corporate)
    ties = [(rank, n) for rank, n in sorted(ranks.items()) if n > 1]
    untied = [rank for rank, n in sorted(ranks.items()) if n == 1]
    expect(len(ties) == 1 and untied == list(range(1, ties[0][0])), "ranks 1 to N and several companies tied at the last rank")
    printed = sum(Decimal(r["amount_as_printed"].replace(",", "")) for r in corporate)
    v.update(rank_last_untied=untied[-1], n_tied=words(ties[0][1]), tied_rank=ties[0][0],
             t4_printed=Num(printed), t4_cny=Num(sum(int(r["amount_cny"]) for r in corporate)))

    # survey
    respondents = {r["respondents"] for r in survey}
    expect(len(respondents) == 1, "`respondents` is the base on every row")
    v.update(n_findings=words(len(survey)), respondents=Num(respondents.pop()),
             percents=join([r["percent"] for r in survey]))

    # key figures
    v["kf"] = {f["figure_id"]: Figure(Num(f["value"]) if f["value"] else None, Date(f["date"]), f["unit"], f["description"],
                                      f["source_ref"]) for f in figures}
    kinds = {s["source_id"]: ("ccg" if s is seeds[0] else "article" if s in seeds else "reported" if s in reported
                                  else "web" if s["url"] and not s["local_copy"] else "other")
             for s in sources}
    by_kind = Counter(kinds[f["source_id"]] for f in figures)
    v.update(n_kf_ccg=f"{by_kind['ccg']:,}", n_kf_articles=f"{by_kind['article']:,}", n_kf_reported=words(by_kind["reported"]),
             n_kf_web=words(by_kind["web"]),
             scopes=counted(figures, "scope", vocab.FIGURE_SCOPES))
    expect(by_kind["other"] == 0, "figures from the CCG report, the articles, the reported totals and quoted web pages")
    expect(not next(s for s in sources if s["source_id"] == "teets")["published"],
           "the Teets essay, whose copy is undated")

    def agree(figure_id: str, total: int) -> str:
        return "yes" if Decimal(total) == v["kf"][figure_id].value.value else "no"

    v["agree"] = {"masks": agree("kf-cpaffc-cn-masks", masks), "clothing": agree("kf-cpaffc-cn-clothing", sums["protective_clothing"]),
                  "gloves": agree("kf-cpaffc-cn-gloves", sums["gloves"]), "goggles": agree("kf-cpaffc-cn-goggles", sums["goggles"]),
                  "shoe_covers": agree("kf-cpaffc-cn-shoe-covers", sums["shoe_covers"])}
    expect(masks > v["kf"]["kf-cpaffc-cn-masks"].value.value, "Table 1 holds more masks than the text's total")

    # corrections
    v["corrections"], n_corr, n_corr_doubtful = corrections_table(donations, messages, corporate, places)
    v.update(n_corrections=words(n_corr), n_corrections_doubtful=words(n_corr_doubtful))
    return v


def render(template: str, v: dict, resources: list[str]) -> str:
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    unknown = sorted({re.split(r"[.\[]", f)[0] for f in fields} - set(v))
    if unknown:
        raise KeyError(f"{TEMPLATE.name}: no value for {', '.join(unknown)}")
    missing = [name for name in resources if f"| `{name}.csv` |" not in template]
    if missing:
        raise TemplateOutOfDate(f"{TEMPLATE.name}: the Tables section does not list {', '.join(missing)}")
    return reflow(template.format(**v))


# A line starting with one of these would turn prose into a list item, a quote or a heading.
LINE_STARTS_BLOCK = re.compile(r"^([-+*>=#]+|\d+[.)])$")


def wrap(text: str, prefix: str, indent: str, width: int) -> list[str]:
    """Greedy word wrap that never starts a line with a word Markdown would read as block syntax."""
    lines: list[list[str]] = [[]]
    used = len(prefix)
    for word in text.split():
        if lines[-1] and used + 1 + len(word) > width:
            carry = []
            while LINE_STARTS_BLOCK.match(word if not carry else carry[0]) and len(lines[-1]) > 1:
                carry.insert(0, lines[-1].pop())
            lines.append(carry)
            used = len(indent) + sum(len(w) + 1 for w in carry) - (1 if carry else 0)
        used += (1 if lines[-1] else 0) + len(word)
        lines[-1].append(word)
    return [(prefix if n == 0 else indent) + " ".join(ws) for n, ws in enumerate(lines)]


def reflow(text: str, width: int = 100) -> str:
    """Re-wrap prose paragraphs and list items (placeholders make lines uneven); tables, code, headings
    and quotes are left as they are."""
    out: list[str] = []
    item: tuple[str, str, list[str]] | None = None  # (first-line prefix, continuation indent, words)
    fenced = False

    def flush():
        nonlocal item
        if item:
            out.extend(wrap(" ".join(item[2]), item[0], item[1], width))
            item = None

    for line in text.split("\n"):
        if line.startswith("```"):
            flush()
            fenced = not fenced
            out.append(line)
            continue
        bullet = re.match(r"^(\s*)- ", line)
        if fenced or not line.strip() or line.lstrip().startswith(("|", "#", ">")):
            flush()
            out.append(line)
        elif bullet:
            flush()
            item = (bullet.group(0), " " * len(bullet.group(0)), [line[bullet.end():]])
        elif item:
            item[2].append(line.strip())
        else:
            item = ("", "", [line.strip()])
    flush()
    return "\n".join(out)


def build(out: Path, pairs_csv: Path) -> dict[str, int]:
    """Write ``<out>/README.md`` from the template and the tables in ``out``; return how many values were filled in."""
    template = TEMPLATE.read_text(encoding="utf-8")
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    text = render(template, values(out, pairs_csv), [r["name"] for r in package["resources"]])
    (out / "README.md").write_text(text, encoding="utf-8")
    return {"values": sum(1 for _, name, _, _ in string.Formatter().parse(template) if name)}
