"""Every controlled vocabulary of the data package, once.

The build's table schemas (`atlas.build.schema`), the filters, the aggregations and the charts all
import these; the display names live in the locale catalogues under `<vocabulary>.<code>`.
"""
from __future__ import annotations

COUNTRIES = ("CN", "US")
DIRECTIONS = ("cn_to_us", "us_to_cn")  # the way help went; the filter adds "both"
ITEM_CATEGORIES = ("surgical_mask", "respirator_mask", "mask_unspecified", "protective_clothing", "gloves", "goggles",
                   "shoe_covers", "thermometer", "cash", "other")
MESSAGE_KINDS = ("letter", "voice_support", "video", "call_email")
CATEGORIES = ITEM_CATEGORIES + MESSAGE_KINDS  # what a flow record carries: an item line or a message
MASKS = ("surgical_mask", "respirator_mask", "mask_unspecified")
ACTOR_KINDS = ("government", "company", "foundation_ngo", "university", "individuals")
UNITS = ("pieces", "items", "pairs", "packs", "CNY", "USD")
PHYSICAL_UNITS = ("pieces", "items", "pairs")  # counted things, comparable by quantity
# What the source says of a donation: listed as donated; stated delivered (a dated report says it arrived);
# pledged or committed (promised, never counted as given). Messages of support are "sent".
DONATION_STATUSES = ("donated", "delivered", "pledged", "committed")
PROMISED = ("pledged", "committed")  # never inside a donated measure (atlas.engine)
# What a donation's date is: the date of the event a source states (`event`), or only the date of the list
# that names it (`listed`: it happened on or before that day).
DATE_KINDS = ("event", "listed")
PAIRING_LEVELS = ("province_state", "city")
# How a sister relationship is known: stated in a source's text, listed on a public list, only inferred
# from help between two governments, or inferred and contradicted by a public source.
PAIRING_EVIDENCE = ("stated", "listed", "inferred", "contradicted")
ON_RECORD = ("stated", "listed")  # what counts as a sister relationship "on record"
SURVEY_THEMES = ("support", "awareness", "participation", "media")
FIGURE_SCOPES = ("china_us", "china_domestic", "global")
COORD_PRECISIONS = ("city", "seat_city", "admin1", "none")
URL_NOTES = ("copy_has_none", "print_issue", "article_number_only", "reported_secondhand")  # why a source has no url
CHARTS = ("items", "regions", "timeline", "corporate", "domestic_online", "domestic_multiyear", "domestic_all-donors",
          "domestic_disasters", "survey",
          "pairing_years", "pairing_reconcile", "flows_sankey")  # every chart's key
