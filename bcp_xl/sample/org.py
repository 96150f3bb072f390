"""組織 (bcp_master) and 庁舎 (ict_master): the ward, its 災害対策本部, the 部 and 課 of the vocabulary
(repeated with a district prefix for the larger scales) and the buildings they work in.
"""

from __future__ import annotations

from bcp_xl.sample.context import Unit, World

WARD_NAME = "目黒区"
WARD_HEAD = "区長"

# fmt: off
# 災害対策本部 and its 班: (key, name, parent key or None for the ward, head)
HQ_ROWS = (
    ("hq", "災害対策本部", None, "災害対策本部長"),
    ("secretariat", "本部事務局", "hq", "本部事務局長"),
    ("info", "情報連絡班", "hq", "情報連絡班長"),
    ("pr", "広報班", "hq", "広報班長"),
    ("shelter", "避難所運営班", "hq", "避難所運営班長"),
    ("supply", "物資輸送班", "hq", "物資輸送班長"),
    ("relief", "救援救護班", "hq", "救援救護班長"),
    ("ict", "ICT復旧班", "hq", "ICT復旧班長"),
)

# floor of each 部 in the main building (counters low, the 本部室 and the executive floor high)
DEPT_FLOOR = {
    "区民生活部": 1, "会計管理室": 1, "健康福祉部": 2, "子育て支援部": 2, "産業経済部": 3, "教育委員会事務局": 3,
    "都市整備部": 4, "環境清掃部": 4, "情報政策推進部": 4, "政策企画部": 5, "総務部": 5, "危機管理部": 5,
    "区議会事務局": 6, "選挙管理委員会事務局": 6, "監査事務局": 6,
}

# sections working outside the main building (vocabulary 課 → building key)
SECTION_SITE = {"地区サービス事務所": "north", "保健センター": "health", "清掃事務所": "depot", "中央図書館": "library"}

DISTRICT_PREFIXES = ("", "北部", "南部", "東部", "西部", "中部")

# the fixed buildings: key, name, kind, completed, seismic, retrofitted, retrofit year, Is, flood depth,
# generator hours, fuel contract, resupply hours, alternate site, note
BASE_BUILDINGS = (
    ("main", "総合庁舎", "本庁舎", 1966, "旧耐震", True, 2003, 0.75, 0.5, 48, False, None, False,
     "旧耐震基準で竣工し耐震補強済み。地下に受変電設備と電話交換機室がある(例示)"),
    ("alt", "防災センター", "庁舎", 1995, "新耐震", False, None, None, 0.0, 72, True, 24, True,
     "災害対策本部の代替拠点。非常用発電機と備蓄倉庫を備える(例示)"),
    ("north", "北部地区サービス事務所", "出張所等", 1982, "新耐震", False, None, None, 0.0, 0, False, None, False,
     "地区サービス事務所の代表として計上(例示)"),
    ("south", "南部地区サービス事務所", "出張所等", 1978, "旧耐震", True, 2010, 0.68, 0.3, 0, False, None, False,
     "低地にあり浸水想定区域に含まれる(例示)"),
    ("health", "保健センター", "庁舎", 1990, "新耐震", False, None, None, 0.0, 24, False, None, False, None),
    ("depot", "清掃事務所", "その他", 1985, "新耐震", False, None, None, 1.0, 0, False, None, False,
     "河川沿いの浸水想定区域にある(例示)"),
    ("library", "中央図書館", "その他", 1976, "旧耐震", True, 2008, 0.62, 0.0, 0, False, None, False, None),
    ("dc", "外部データセンター", "外部DC", None, None, False, None, None, 0.0, 72, True, 24, False,
     "民間データセンター(ティア3相当)のハウジング区画(例示)"),
)
# fmt: on


def district_prefix(copy: int) -> str:
    """The prefix that keeps a repeated 部 or 課 distinguishable (北部政策企画課 …)."""
    if copy < len(DISTRICT_PREFIXES):
        return DISTRICT_PREFIXES[copy]
    return f"第{copy + 1}地区"


def dept_head(dept: str) -> str:
    return "会計管理者" if dept == "会計管理室" else f"{dept}長"


def org_id(n: int) -> str:
    return f"ORG-{n:02d}"


def build_buildings(w: World, copies: int) -> dict[str, str]:
    """庁舎 rows; returns building key → 建物ID."""
    ids: dict[str, str] = {}
    n = 0
    for (
        key,
        name,
        kind,
        built,
        seismic,
        retro,
        retro_year,
        is_value,
        flood,
        gen,
        fuel,
        resupply,
        alt,
        note,
    ) in BASE_BUILDINGS:
        n += 1
        bid = f"BLD-{n:02d}"
        ids[key] = bid
        w.buildings.append(
            {
                "building_id": bid,
                "name": name,
                "kind": kind,
                "completed_year": built,
                "seismic_standard": seismic,
                "retrofitted": retro,
                "retrofit_year": retro_year,
                "is_value": is_value,
                "flood_depth_m": flood,
                "generator_hours": gen,
                "fuel_contract": fuel,
                "fuel_resupply_hours": resupply,
                "is_alternate_site": alt,
                "note": note,
                "_key": key,
            }
        )
    for copy in range(1, copies):
        n += 1
        bid = f"BLD-{n:02d}"
        ids[f"branch{copy}"] = bid
        built = w.rng.choice((1984, 1992, 1998, 2005, 2012))
        w.buildings.append(
            {
                "building_id": bid,
                "name": f"{district_prefix(copy)}分庁舎",
                "kind": "庁舎",
                "completed_year": built,
                "seismic_standard": "新耐震",
                "retrofitted": False,
                "flood_depth_m": w.rng.choice((0.0, 0.0, 0.5)),
                "generator_hours": w.rng.choice((24, 48, 72)),
                "fuel_contract": w.rng.random() < 0.5,
                "is_alternate_site": False,
                "note": "大規模サンプル用に複製した地区の庁舎(例示)",
                "_key": f"branch{copy}",
            }
        )
    w.hq_building = ids["main"]
    w.alt_building = ids["alt"]
    w.dc_building = ids["dc"]
    return ids


def build_organisation(w: World) -> None:
    """組織 rows and the units (課) the other sheets hang on; also the 庁舎 rows."""
    sections = w.vocab.orgs
    n_units = w.scale.units
    copies = -(-n_units // len(sections))
    bld = build_buildings(w, copies)
    n = 1
    w.orgs.append(
        {
            "org_id": org_id(1),
            "org_name": WARD_NAME,
            "level": "区",
            "head_position": WARD_HEAD,
            "building_id": bld["main"],
            "floor": 6,
            "note": "区全体",
        }
    )
    for key, name, parent, head in HQ_ROWS:
        n += 1
        oid = org_id(n)
        w.hq[key] = oid
        w.orgs.append(
            {
                "org_id": oid,
                "org_name": name,
                "level": "本部",
                "parent_org_id": w.hq[parent] if parent else org_id(1),
                "head_position": head,
                "building_id": bld["main"],
                "floor": 5,
                "note": "災害対策本部の設置時に編成" if parent else "本部室は総合庁舎5階、代替は防災センター",
            }
        )
    made = 0
    for copy in range(copies):
        prefix = district_prefix(copy)
        current_dept: str | None = None
        dept_id = ""
        for i, vo in enumerate(sections):
            if made >= n_units:
                break
            if vo.dept != current_dept:
                current_dept = vo.dept
                n += 1
                dept_id = org_id(n)
                dept_name = prefix + vo.dept
                site = bld["main"] if copy == 0 else bld[f"branch{copy}"]
                floor = DEPT_FLOOR.get(vo.dept, 3) if copy == 0 else 1 + i % 5
                row = {
                    "org_id": dept_id,
                    "org_name": dept_name,
                    "level": "部",
                    "parent_org_id": org_id(1),
                    "head_position": prefix + dept_head(vo.dept),
                    "building_id": site,
                    "floor": floor,
                }
                w.orgs.append(row)
                w.depts.append(row)
            n += 1
            oid = org_id(n)
            name = prefix + vo.section
            if copy == 0:
                site = bld[SECTION_SITE[vo.section]] if vo.section in SECTION_SITE else bld["main"]
                floor = 1 if vo.section in SECTION_SITE else DEPT_FLOOR.get(vo.dept, 3)
            else:
                site, floor = bld[f"branch{copy}"], 1 + i % 5
            unit = Unit(oid, name, vo.section, dept_id, prefix + vo.dept, copy, site, floor, f"{name}長")
            w.units.append(unit)
            if copy == 0:
                w.unit_by_section[vo.section] = unit
            w.orgs.append(
                {
                    "org_id": oid,
                    "org_name": name,
                    "level": "課",
                    "parent_org_id": dept_id,
                    "head_position": unit.head,
                    "building_id": site,
                    "floor": floor,
                }
            )
            made += 1
