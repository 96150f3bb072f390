"""ict_master: システム一覧 (the vocabulary's systems, a few extra lines, generic systems for the larger
scales), 業務システム依存, リスクシナリオ, 対策案 and 残存リスク.
"""

from __future__ import annotations

import datetime as dt
import math

from bcp_xl.sample.context import BAND_CODES, BAND_HOURS, HORIZON, Row, World, sid
from bcp_xl.sample.model import Outages, Targets, targets
from bcp_xl.sample.vocab import BUILDING_FACILITIES, VMeasure, VScenario, VSystem

# fmt: off
INFRA_KIND = {
    "庁内LAN": "庁内LAN", "マイナンバー利用事務系ネットワーク": "庁内LAN", "LGWAN接続系ネットワーク": "庁内LAN",
    "インターネット接続系ネットワーク": "庁内LAN", "LGWAN": "外部回線", "東京都セキュリティクラウド": "外部回線",
    "ガバメントクラウド接続回線": "外部回線", "拠点間WAN": "外部回線", "教育ネットワーク": "外部回線", "認証基盤": "認証",
}
HOSTING = {"庁舎内サーバ室": "庁舎内", "外部DC": "外部DC", "ガバメントクラウド": "ガバメントクラウド", "SaaS": "SaaS"}
WARD_DC_SYSTEMS = ("財務会計システム", "人事給与システム", "文書管理システム", "電子決裁システム", "図書館システム")
# lines added to the vocabulary so that every system outside the building names the line it is reached through
EXTRA_LINES = (
    ("データセンター接続回線", "情報システム課", "総合庁舎と外部データセンターを結ぶ専用線", False),
    ("携帯電話回線", "情報政策課", "公用スマートフォン・安否確認に使う携帯電話事業者の回線", False),
    ("衛星通信回線", "防災課", "衛星携帯電話・衛星通信端末の回線", True),
)
FLOOR = {"電話交換機": -1, "防災行政無線(同報系)": 6, "防災行政無線(移動系)": 6, "東京都防災行政無線": 6, "業務端末": 2, "基幹系端末": 1}
ROOM = {-1: "地下1階電話交換機室", 6: "6階無線室", 4: "4階サーバ室", 2: "執務室", 1: "執務室(窓口)"}
NO_DATA = ("庁内LAN", "外部回線", "端末")
NO_DATA_NAMES = ("インターネット分離基盤", "電話交換機", "防災行政無線(同報系)", "防災行政無線(移動系)", "東京都防災行政無線",
                 "全国瞬時警報システム(J-ALERT)")
RESTORE = {"庁内LAN": 12, "仮想化基盤": 24, "認証基盤": 12, "バックアップシステム": 24}
UNANCHORED = ("庁内LAN", "電話交換機")
TOLERANCE = {"H0": 3, "H3": 3, "D1": 24, "D3": 48, "W1": 72, "W2": 72, "M1": 168}
COMMON_POOL = ("ファイルサーバ", "グループウェア", "文書管理システム", "電子決裁システム", "財務会計システム", "業務端末")
GENERIC_SYSTEM_SUFFIXES = ("業務管理システム", "台帳管理システム", "相談記録システム", "統計集計システム", "予約受付システム",
                           "事業管理データベース")

SCENARIO_SPEC: dict[str, dict[str, object]] = {
    "首都直下地震（冬18時）": {"hazard": "地震", "intensity": "6強", "prob": (0.70, 30), "vendor": 72, "states": "quake",
                           "main": True},
    "首都直下地震（勤務時間内）": {"hazard": "地震", "intensity": "6強", "prob": (0.70, 30), "vendor": 72, "states": "quake"},
    "大規模風水害（内水氾濫）": {"hazard": "風水害", "flooding": True, "rate": 0.01, "vendor": 12, "states": "flood"},
    "長時間広域停電": {"hazard": "停電", "rate": 0.03, "vendor": 0},
    "通信事業者障害": {"hazard": "通信障害", "rate": 1.0, "vendor": 0},
    "ランサムウェア感染": {"hazard": "サイバー攻撃", "rate": 0.03, "vendor": 24, "forced": "ransomware"},
    "庁舎火災（サーバ室）": {"hazard": "火災", "rate": 0.001, "vendor": 0, "states": "fire"},
    "新型感染症の大流行": {"hazard": "感染症", "rate": 0.02, "vendor": 24},
}
RANSOMWARE_TARGETS = ("仮想化基盤", "認証基盤", "ファイルサーバ", "バックアップシステム", "統合型GIS", "生活衛生業務システム",
                      "文書管理システム", "電子決裁システム", "財務会計システム", "人事給与システム", "業務端末")
# scenarios added for the larger scales: name, hazard, time, intensity, flooding, annual rate, power, telecom,
# water days, vendor blocked, building states, forced restore, note
EXTRA_SCENARIOS = (
    ("多摩東部直下地震(勤務時間外)", "地震", "勤務時間外", "6弱", False, 0.005, 72, 48, 14, 48, "quake", None, "区内は震度6弱程度(例示)"),
    ("立川断層帯地震(勤務時間内)", "地震", "勤務時間内", "5強", False, 0.0005, 24, 24, 3, 24, "none", None, "区内は震度5強程度(例示)"),
    ("元禄型関東地震(勤務時間外)", "地震", "勤務時間外", "6弱", False, 0.002, 120, 72, 21, 72, "quake", None, "長周期地震動を伴う(例示)"),
    ("大型台風・高潮", "風水害", "勤務時間内", "なし", True, 0.005, 48, 24, 2, 24, "flood", None, "事前配備が可能(例示)"),
    ("局地的豪雨(地下浸水)", "風水害", "勤務時間外", "なし", True, 0.05, 6, 6, 0, 12, "flood", None, "夜間の短時間豪雨(例示)"),
    ("落雷による庁舎停電", "停電", "勤務時間内", "なし", False, 0.1, 6, 0, 0, 0, "none", None, "受変電設備の故障(例示)"),
    ("外部データセンター障害", "その他", "勤務時間内", "なし", False, 0.02, 0, 0, 0, 0, "dc", None, "データセンターの設備障害(例示)"),
    ("ガバメントクラウド障害", "その他", "勤務時間内", "なし", False, 0.05, 0, 12, 0, 0, "none", "cloud", "クラウド事業者側の障害(例示)"),
    ("DDoS攻撃", "サイバー攻撃", "勤務時間内", "なし", False, 0.1, 0, 24, 0, 0, "none", None, "インターネット接続の途絶(例示)"),
    ("標的型攻撃(認証基盤の侵害)", "サイバー攻撃", "勤務時間内", "なし", False, 0.05, 0, 48, 0, 24, "none", "auth", "認証基盤の再構築(例示)"),
    ("大雪・交通途絶", "その他", "勤務時間外", "なし", False, 0.05, 12, 6, 0, 48, "none", None, "保守事業者の到着遅延(例示)"),
    ("富士山噴火(降灰)", "その他", "勤務時間外", "なし", False, 0.001, 72, 24, 3, 72, "none", None, "区内で数cmの降灰(例示)"),
)

# countermeasures of the vocabulary: name → (targets or None for its 関連システム, 効果, mandatory, fixed status)
MEASURE_SPEC: dict[str, tuple[tuple[str, ...] | None, str, bool, str | None]] = {
    "非常用発電機の燃料優先供給協定": (("@main",), "燃料供給契約=はい; 燃料補給開始=24", False, None),
    "非常用発電機の増強・燃料タンク増設（72時間運転）": (("@main",), "発電機稼働時間=72", False, "要求中"),
    "サーバ室UPSの更新・増強": (("@server_room",), "UPS=60", False, None),
    "サーバ室空調の冗長化": (("@main",), "なし", False, None),
    "蓄電池・ポータブル電源の配備（避難所・出先機関）": (None, "UPS=240", False, None),
    "サーバラックの耐震固定・免震装置の設置": (None, "ラック固定=はい", False, "予算化"),
    "サーバ室の浸水対策（止水板・機器のかさ上げ）": (("@low_floor",), "階=2", False, None),
    "サーバ室の消火設備（ガス系）の更新": (("@main",), "なし", False, None),
    "代替拠点（予備サーバ室・代替本部）の確保": (None, "建物ID=@alt", False, None),
    "庁内サーバの外部データセンターへの移設": (None, "ホスティング=外部DC; 建物ID=@dc", False, None),
    "標準準拠システムのガバメントクラウド移行": (None, "ホスティング=ガバメントクラウド", False, "実施済"),
    "クラウド型グループウェア・Web会議への移行": (None, "なし", False, None),
    "重要データのバックアップ媒体の遠隔地保管": (None, "遠隔保管=はい; 遠隔保管距離=50", False, None),
    "改ざんできないバックアップ（イミュータブル・クラウド）の導入": (
        None, "バックアップ方式=クラウド; バックアップ間隔=24; 遠隔保管=はい; 復旧時間=12", False, None),
    "ガバメントクラウド接続回線の冗長化（2経路・異キャリア）": (None, "回線冗長=はい", False, None),
    "LGWAN・インターネット回線の二重化（異キャリア）": (None, "回線冗長=はい", False, None),
    "衛星通信端末（低軌道衛星インターネット）の配備": (None, "回線冗長=はい", False, None),
    "衛星携帯電話の増設": (None, "なし", False, None),
    "モバイルルータの配備（複数キャリア）": (None, "回線冗長=はい", False, None),
    "災害時優先電話の追加指定": (None, "なし", False, "実施済"),
    "避難所の通信環境（公衆無線LAN）の整備": (None, "なし", False, None),
    "防災行政無線のデジタル化・更新": (None, "UPS=4320", False, None),
    "ノートPC予備機（災害用端末）の備蓄": (None, "再調達時間=0", False, None),
    "テレワーク・リモートアクセス環境の整備": (None, "なし", False, None),
    "EDR・ログ監視（SOC）の導入": (None, "なし", False, None),
    "VPN機器等の脆弱性管理と多要素認証の徹底": (None, "なし", False, "予算化"),
    "ネットワークのセグメント分割の強化": (None, "なし", False, None),
    "紙様式による窓口代替手順の整備": (None, "なし", False, None),
    "避難行動要支援者名簿等の定期的な紙出力・分散保管": (None, "なし", False, None),
    "システム別の復旧手順書・構成情報の整備（紙保管を含む）": (None, "復旧時間=8", False, None),
    "ICT-BCP訓練（システム復旧訓練・机上演習）の定期実施": (None, "なし", False, None),
    "情報部門職員の参集ルールと代行者の指定": (("@main",), "なし", True, "予算化"),
    "安否確認システムの導入・定期訓練": (None, "なし", False, "実施済"),
    "証明書コンビニ交付・オンライン申請の利用促進": (None, "なし", False, None),
    "ベンダーとの緊急時保守契約（駆付け・優先復旧）": (None, "保守SLA=4; 再調達時間=24", False, None),
    "他自治体・関係団体とのICT相互応援協定": (("@main",), "なし", False, None),
}
# extra measures of the sample (name, type, targets, effect, initial range, annual range, life)
EXTRA_MEASURES = (
    ("データセンター接続回線の二重化", "予防", ("データセンター接続回線",), "回線冗長=はい", (2_000_000, 6_000_000),
     (2_000_000, 6_000_000), 5),
    ("防災センター非常用発電機の燃料タンク増設", "予防", ("@alt",), "発電機稼働時間=120", (8_000_000, 20_000_000),
     (100_000, 300_000), 20),
    ("ファイルサーバのバックアップ間隔の短縮", "復旧", ("ファイルサーバ",), "バックアップ間隔=4", (500_000, 2_000_000),
     (200_000, 600_000), 5),
    ("電話交換機の保守契約見直し(予備部品の確保)", "復旧", ("電話交換機",), "再調達時間=0",
     (1_000_000, 3_000_000), (300_000, 900_000), 5),
)
# per-system measures for the larger scales: name suffix, type, effect, initial range, annual range, life, condition
GENERIC_MEASURES = (
    ("の遠隔バックアップ", "復旧", "遠隔保管=はい; 遠隔保管距離=100", (500_000, 3_000_000), (200_000, 1_000_000), 5, "backup"),
    ("の予備機配備", "復旧", "再調達時間=0", (1_000_000, 8_000_000), (0, 300_000), 5, "site"),
    ("の保守契約見直し", "復旧", "保守SLA=8", (0, 500_000), (500_000, 3_000_000), 1, "sla"),
    ("のラック固定", "予防", "ラック固定=はい", (100_000, 800_000), (0, 0), 15, "unanchored"),
    ("のクラウド移行", "予防", "ホスティング=SaaS", (5_000_000, 40_000_000), (2_000_000, 10_000_000), 5, "onprem"),
)
STATUSES = ("検討中", "検討中", "検討中", "要求中", "要求中", "予算化", "実施済", "見送り")
VENDORS = tuple(f"保守事業者{c}" for c in "ABCDEFGHJK")
# fmt: on


def build_systems(w: World) -> None:
    """システム一覧: vocabulary systems (the building facilities excepted), extra lines, generic systems."""
    rng = w.rng
    vocab = [s for s in w.vocab.systems if s.name not in BUILDING_FACILITIES]
    for vs in vocab:
        _add_system(w, _vocab_system(w, vs))
    for name, owner, summary, redundant in EXTRA_LINES:
        _add_system(
            w,
            {
                "name": name,
                "summary": summary,
                "kind": "外部回線",
                "owner_org_id": w.main_unit(owner).org_id,
                "vendor": rng.choice(("通信事業者A", "通信事業者B")),
                "vendor_sla_hours": 24,
                "hosting": "SaaS",
                "redundant_line": redundant,
                "backup_method": "なし",
                "restore_hours": 2,
                "current_level": "L2" if redundant else "L1",
                "_deps": (),
            },
        )
    _line_dependencies(w)
    _generic_systems(w)
    for s in w.systems:
        s["depends_on"] = tuple(w.system_by_name[d]["system_id"] for d in s.pop("_deps"))


def _add_system(w: World, row: Row) -> None:
    row["system_id"] = sid(len(w.systems) + 1)
    w.systems.append(row)
    w.system_by_name[row["name"]] = row


def _vocab_system(w: World, vs: VSystem) -> Row:
    rng = w.rng
    if vs.kind == "基盤":
        kind = INFRA_KIND.get(vs.name, "その他基盤")
    elif vs.kind == "端末":
        kind = "端末"
    else:
        kind = "業務"
    hosting = HOSTING[vs.hosting]
    row: Row = {
        "name": vs.name,
        "kind": kind,
        "owner_org_id": w.main_unit(vs.owner).org_id,
        "hosting": hosting,
        "_deps": tuple(d for d in vs.depends_on if d not in BUILDING_FACILITIES),
    }
    if vs.standard:
        row["summary"] = f"標準準拠システム({vs.standard.strip('()（）')})"
    if hosting == "庁舎内":
        floor = FLOOR.get(vs.name, 4)
        row.update(
            {
                "building_id": w.hq_building,
                "floor": floor,
                "room": ROOM[floor],
                "rack_anchored": vs.name not in UNANCHORED and (kind == "端末" or rng.random() < 0.8),
                "ups_minutes": 0 if kind == "端末" else (600 if "無線" in vs.name else rng.choice((15, 30))),
                "vendor": rng.choice(VENDORS),
                "vendor_sla_hours": rng.choice((4, 8, 24, 24, 72)),
                "procure_hours": 72 if kind == "端末" else rng.choice((None, 168, 336)),
            }
        )
    elif hosting == "外部DC":
        row.update({"vendor": rng.choice(VENDORS), "vendor_sla_hours": rng.choice((4, 8, 24))})
        if vs.name in WARD_DC_SYSTEMS:
            row.update(
                {
                    "building_id": w.dc_building,
                    "floor": 2,
                    "room": "ハウジング区画",
                    "rack_anchored": True,
                    "ups_minutes": 30,
                }
            )
    elif hosting == "ガバメントクラウド":
        row.update({"vendor": "標準準拠システム事業者(ASP)", "vendor_sla_hours": 4})
    else:
        row.update({"vendor": "サービス提供事業者" + rng.choice("ABCDE"), "vendor_sla_hours": rng.choice((2, 4, 8))})
    if kind == "外部回線":
        row["vendor"] = (
            rng.choice(("通信事業者A", "通信事業者B", "地方公共団体情報システム機構(J-LIS)"))
            if vs.name == "LGWAN"
            else rng.choice(("通信事業者A", "通信事業者B"))
        )
        row["redundant_line"] = False
    if kind == "業務":
        row["terminals_required"] = 20 if vs.name == "住民記録システム" else rng.randint(2, 12)
    _backup(w, row)
    row["restore_hours"] = RESTORE.get(vs.name) or _restore(w, row)
    row["current_level"] = _level(row)
    return row


def _backup(w: World, row: Row) -> None:
    rng = w.rng
    hosting, kind = row["hosting"], row["kind"]
    if kind in NO_DATA or (row["name"] in NO_DATA_NAMES and kind != "業務"):
        row["backup_method"] = "なし"
        return
    if row["name"] in NO_DATA_NAMES:  # radios and alerts: only their configuration is kept
        row.update(
            backup_method="ディスク",
            backup_interval_hours=720,
            backup_offsite=True,
            backup_offsite_km=10,
            note="設定データのみ保守事業者が保管",
        )
        return
    if hosting == "ガバメントクラウド":
        row.update(
            backup_method="レプリケーション", backup_interval_hours=1, backup_offsite=True, backup_offsite_km=400
        )
    elif hosting == "SaaS":
        row.update(backup_method="クラウド", backup_interval_hours=24, backup_offsite=True, backup_offsite_km=300)
    elif hosting == "外部DC":
        row.update(backup_method="ディスク", backup_interval_hours=24, backup_offsite=True, backup_offsite_km=30)
    elif row["name"] in ("仮想化基盤", "バックアップシステム", "ファイルサーバ"):
        row.update(backup_method="ディスク", backup_interval_hours=24, backup_offsite=False)
    elif rng.random() < 0.4:
        row.update(backup_method="テープ", backup_interval_hours=24, backup_offsite=False)
    else:
        row.update(
            backup_method="ディスク",
            backup_interval_hours=rng.choice((12, 24)),
            backup_offsite=True,
            backup_offsite_km=15,
        )


def _restore(w: World, row: Row) -> int:
    hosting = row["hosting"]
    if row["kind"] in ("外部回線",):
        return 2
    if hosting == "ガバメントクラウド":
        return 4
    if hosting == "SaaS":
        return 2
    if hosting == "外部DC":
        return 8
    return 8 if row["kind"] == "端末" else w.rng.choice((12, 16, 24, 48))


def _level(row: Row) -> str:
    hosting = row["hosting"]
    if hosting in ("ガバメントクラウド", "SaaS"):
        return "L3"
    if hosting == "外部DC":
        return "L2"
    if row.get("backup_offsite") and row.get("rack_anchored"):
        return "L2"
    return "L1"


def _line_dependencies(w: World) -> None:
    """Every system hosted outside the building depends directly on the line it is reached through."""
    kinds = {s["name"]: s["kind"] for s in w.systems}
    for s in w.systems:
        if s["hosting"] == "庁舎内" or s["kind"] == "外部回線":
            continue
        deps = list(s["_deps"])
        if any(kinds.get(d) == "外部回線" for d in deps):
            continue
        if s["name"] == "衛星携帯電話":
            line = "衛星通信回線"
        elif s["kind"] == "端末" or not deps:
            line = "携帯電話回線"
        elif s.get("building_id") == w.dc_building:
            line = "データセンター接続回線"
        elif any(d in ("インターネット接続系ネットワーク", "インターネット分離基盤") for d in deps):
            line = "東京都セキュリティクラウド"
        else:
            line = "LGWAN"
        s["_deps"] = (*deps, line)


def _generic_systems(w: World) -> None:
    """Systems of the units for the larger scales (``<課名>業務管理システム`` …)."""
    rng = w.rng
    need = w.scale.systems - len(w.systems)
    if need <= 0:
        return
    units = list(w.units)
    rounds = 0
    while need > 0:
        suffix = GENERIC_SYSTEM_SUFFIXES[rounds % len(GENERIC_SYSTEM_SUFFIXES)]
        tag = "" if rounds < len(GENERIC_SYSTEM_SUFFIXES) else f"({rounds // len(GENERIC_SYSTEM_SUFFIXES) + 1})"
        for u in units:
            if need <= 0:
                break
            hosting = rng.choice(("庁舎内", "庁舎内", "外部DC", "SaaS", "SaaS"))
            row: Row = {
                "name": f"{u.name}{suffix}{tag}",
                "summary": f"{u.name}の所管業務を処理する(例示)",
                "kind": "業務",
                "owner_org_id": u.org_id,
                "hosting": hosting,
                "terminals_required": rng.randint(1, 6),
            }
            if hosting == "庁舎内":
                row.update(
                    {
                        "building_id": u.building_id,
                        "floor": 4 if u.building_id == w.hq_building else 2,
                        "room": "4階サーバ室" if u.building_id == w.hq_building else "2階サーバ室",
                        "rack_anchored": rng.random() < 0.8,
                        "ups_minutes": rng.choice((10, 15, 30)),
                        "vendor": rng.choice(VENDORS),
                        "vendor_sla_hours": rng.choice((8, 24, 72)),
                        "_deps": ("仮想化基盤", "LGWAN接続系ネットワーク", "業務端末"),
                    }
                )
                if u.building_id != w.hq_building:
                    row["_deps"] = ("拠点間WAN", "LGWAN接続系ネットワーク", "業務端末")
            elif hosting == "外部DC":
                row.update(
                    {
                        "building_id": w.dc_building,
                        "floor": 2,
                        "room": "ハウジング区画",
                        "rack_anchored": True,
                        "ups_minutes": 30,
                        "vendor": rng.choice(VENDORS),
                        "vendor_sla_hours": rng.choice((4, 8, 24)),
                        "_deps": ("データセンター接続回線", "LGWAN接続系ネットワーク", "業務端末"),
                    }
                )
            else:
                row.update(
                    {
                        "vendor": "サービス提供事業者" + rng.choice("ABCDE"),
                        "vendor_sla_hours": rng.choice((2, 4, 8)),
                        "_deps": ("LGWAN", "LGWAN接続系ネットワーク", "業務端末"),
                    }
                )
            _backup(w, row)
            row["restore_hours"] = _restore(w, row)
            row["current_level"] = _level(row)
            _add_system(w, row)
            need -= 1
        rounds += 1


# ---- 業務システム依存 -------------------------------------------------------------------------------


def build_links(w: World) -> None:
    """業務システム依存: the vocabulary's systems of each task, then ordinary links of the generic tasks."""
    rng = w.rng
    seen: set[tuple[str, str]] = set()

    def add(row: Row) -> None:
        key = (row["task_id"], row["system_id"])
        if key not in seen:
            seen.add(key)
            w.links.append(row)

    generic = []
    for t in w.tasks:
        if not t["_vocab"]:
            generic.append(t)
            continue
        for name in t["_systems"]:
            if name in BUILDING_FACILITIES:
                continue
            s = w.system_by_name[name]
            add(_vocab_link(w, t, s))
    owned: dict[str, list[str]] = {}
    for s in w.systems:
        owned.setdefault(s["owner_org_id"], []).append(s["name"])
    by_section = {u.section: u.org_id for u in w.units if u.copy == 0}
    left = max(0, w.scale.links - len(w.links))
    per = left / len(generic) if generic else 0.0
    carry = 0.0
    for t in generic:
        unit = t["_unit"]
        carry += per
        k = min(4, int(carry))
        carry -= k
        pool = list(
            dict.fromkeys([*owned.get(unit.org_id, ()), *owned.get(by_section[unit.section], ()), *COMMON_POOL])
        )
        for name in rng.sample(pool, min(k, len(pool))):
            add(
                {
                    "task_id": t["task_id"],
                    "system_id": w.system_by_name[name]["system_id"],
                    "dependency": "C",
                    "note": None,
                }
            )


def _vocab_link(w: World, t: Row, s: Row) -> Row:
    rng = w.rng
    row: Row = {"task_id": t["task_id"], "system_id": s["system_id"]}
    if not t["_priority"]:
        row["dependency"] = "C"
        return row
    start = t["_start"]
    alt = t.get("manual_alt")
    if start == "H0" and s["hosting"] == "庁舎内":
        # a task that must not stop cannot lean on one building's server room: it keeps a manual
        # fallback and uses the system only as an aid (else R6 reports continuous-in-building)
        row["dependency"] = "C"
        row["manual_alt"] = alt or "電話・紙様式による対応に切り替える"
        return row
    if start == "H0" or alt:
        row["dependency"] = "B"
        row["manual_tolerance_hours"] = TOLERANCE[start]
        row["manual_alt"] = alt or "電話・紙様式による対応に切り替える"
    else:
        row["dependency"] = "A"
    if s["kind"] == "業務" and s.get("backup_method") not in (None, "なし") and rng.random() < 0.9:
        if s["name"] in NO_DATA_NAMES:
            row["rpo_need_hours"] = 720  # only settings are kept
        else:
            row["rpo_need_hours"] = 1 if s["hosting"] == "ガバメントクラウド" and rng.random() < 0.3 else 24
    return row


# ---- リスクシナリオ -----------------------------------------------------------------------------------


def _time_condition(text: str) -> str:
    return "勤務時間外" if text.startswith("夜間") else "勤務時間内"


def _states(w: World, kind: str) -> str:
    parts = []
    for b in w.buildings:
        key = b["_key"]
        state = "使用可"
        if kind == "quake":
            state = {
                "main": "要点検/24",
                "north": "要点検/24",
                "south": "要点検/48",
                "depot": "要点検/24",
                "library": "使用不可",
            }.get(key, "要点検/24" if key.startswith("branch") else "使用可")
        elif kind == "flood":
            state = {"main": "要点検/12", "south": "要点検/48", "depot": "使用不可/168"}.get(key, "使用可")
            if key.startswith("branch") and b.get("flood_depth_m"):
                state = "要点検/24"
        elif kind == "fire":
            state = "使用不可/168" if key == "main" else "使用可"
        elif kind == "dc":
            state = "使用不可/48" if key == "dc" else "使用可"
        parts.append(f"{b['building_id']}={state}")
    return "; ".join(parts)


def _forced(w: World, kind: object) -> tuple[str, ...] | None:
    if kind == "ransomware":
        return tuple(w.system_by_name[n]["system_id"] for n in RANSOMWARE_TARGETS)
    if kind == "cloud":
        return tuple(s["system_id"] for s in w.systems if s["hosting"] == "ガバメントクラウド" and s["kind"] == "業務")
    if kind == "auth":
        return (w.system_by_name["認証基盤"]["system_id"],)
    return None


def build_scenarios(w: World) -> None:
    """リスクシナリオ: the eight of the vocabulary (the first is the main one), more for larger scales."""
    for i, vs in enumerate(w.vocab.scenarios, start=1):
        w.scenarios.append(_vocab_scenario(w, i, vs))
    for extra in EXTRA_SCENARIOS[: max(0, w.scale.scenarios - len(w.scenarios))]:
        name, hazard, time, intensity, flooding, rate, power, telecom, water, vendor, states, forced, note = extra
        w.scenarios.append(
            {
                "scenario_id": f"SCN-{len(w.scenarios) + 1:02d}",
                "name": name,
                "hazard": hazard,
                "time_condition": time,
                "intensity": intensity,
                "flooding": flooding,
                "annual_rate": rate,
                "power_outage_hours": power,
                "telecom_outage_hours": telecom,
                "water_outage_days": water,
                "vendor_blocked_hours": vendor,
                "building_states": _states(w, states),
                "forced_restore": _forced(w, forced),
                "is_main": False,
                "note": note,
            }
        )


def _vocab_scenario(w: World, i: int, vs: VScenario) -> Row:
    spec = SCENARIO_SPEC.get(vs.name, {"hazard": "その他", "rate": 0.01, "vendor": 0})
    row: Row = {
        "scenario_id": f"SCN-{i:02d}",
        "name": vs.name,
        "hazard": spec["hazard"],
        "time_condition": _time_condition(vs.time_condition),
        "intensity": spec.get("intensity", "なし"),
        "flooding": bool(spec.get("flooding", False)),
        "power_outage_hours": vs.power_hours,
        "telecom_outage_hours": vs.telecom_hours,
        "water_outage_days": vs.water_days,
        "vendor_blocked_hours": spec["vendor"],
        "building_states": _states(w, str(spec.get("states", "none"))),
        "forced_restore": _forced(w, spec.get("forced")),
        "is_main": bool(spec.get("main", False)),
        "note": f"{vs.assumption}(確率の表現: {vs.probability_text})",
    }
    prob = spec.get("prob")
    if isinstance(prob, tuple):
        row["probability"], row["probability_years"] = prob
    else:
        row["annual_rate"] = spec["rate"]
    return row


# ---- 対策案 ----------------------------------------------------------------------------------------


def _cost(w: World, lo: int, hi: int) -> int:
    step = 10_000
    return w.rng.randint(lo // step, hi // step) * step if hi > lo else lo


def _target_ids(w: World, names: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for n in names:
        if n == "@main" or n == "庁舎非常用発電設備" or n == "サーバ室電源・空調設備":
            out.append(w.hq_building)
        elif n == "@alt":
            out.append(w.alt_building)
        elif n == "@server_room":
            out += [
                s["system_id"]
                for s in w.systems
                if s.get("building_id") == w.hq_building
                and s.get("floor") == 4
                and s["kind"] != "端末"
                and s["hosting"] == "庁舎内"
            ]
        elif n == "@low_floor":
            out += [
                s["system_id"]
                for s in w.systems
                if s.get("building_id") == w.hq_building and (s.get("floor") or 1) <= 1 and s["kind"] != "端末"
            ]
        else:
            out.append(w.system_by_name[n]["system_id"])
    return tuple(dict.fromkeys(out))


def build_measures(w: World) -> None:
    """対策案 with structured 効果, costs picked inside the vocabulary's ranges."""
    rng = w.rng
    target_fy = w.fiscal_year + 1
    for vm in w.vocab.measures:
        targets_spec, effect, mandatory, status = MEASURE_SPEC.get(vm.name, (None, "なし", False, None))
        names = targets_spec if targets_spec is not None else (vm.systems or ("@main",))
        if effect.startswith("回線冗長") or effect.startswith("UPS=240"):
            names = tuple(n for n in names if n not in BUILDING_FACILITIES) or names
        ids = _target_ids(w, names)
        if effect != "なし" and not ids:
            effect = "なし"
        _add_measure(
            w,
            vm.name,
            vm.type,
            ids or (w.hq_building,),
            effect,
            _cost(w, vm.initial_min, vm.initial_max),
            _cost(w, vm.annual_min, vm.annual_max),
            vm.life_years,
            mandatory,
            status or _status(w, effect),
            None if mandatory else rng.choice((None, target_fy, target_fy, target_fy + 1)),
            _note(vm),
        )
    for name, mtype, names, effect, init, annual, life in EXTRA_MEASURES:
        _add_measure(
            w,
            name,
            mtype,
            _target_ids(w, names),
            effect,
            _cost(w, *init),
            _cost(w, *annual),
            life,
            False,
            _status(w, effect),
            rng.choice((None, target_fy)),
            "サンプルで追加した対策(例示)",
        )
    _generic_measures(w, target_fy)


def _status(w: World, effect: str) -> str:
    """A random 状況; 実施済 only for measures without a modelled effect (the current data would show it)."""
    status = w.rng.choice(STATUSES)
    return "予算化" if status == "実施済" and effect != "なし" else status


def _note(vm: VMeasure) -> str:
    note = f"期待効果: {vm.effect_text}"
    return f"{note}。{vm.note}" if vm.note else note


def _add_measure(
    w: World,
    name: str,
    mtype: str,
    targets: tuple[str, ...],
    effect: str,
    initial: int,
    annual: int,
    life: int,
    mandatory: bool,
    status: str,
    fy: int | None,
    note: str | None,
) -> None:
    effect = effect.replace("@alt", w.alt_building).replace("@dc", w.dc_building)
    w.measures.append(
        {
            "measure_id": f"CM-{len(w.measures) + 1:03d}",
            "name": name,
            "type": mtype,
            "target_ids": targets,
            "effect": effect,
            "initial_cost": initial,
            "annual_cost": annual,
            "life_years": life,
            "mandatory": mandatory,
            "fiscal_year": fy,
            "status": status,
            "note": note,
        }
    )


def _generic_measures(w: World, target_fy: int) -> None:
    rng = w.rng
    need = w.scale.measures - len(w.measures)
    if need <= 0:
        return
    candidates = [s for s in w.systems if s["kind"] == "業務"]
    i = 0
    while need > 0 and i < len(candidates) * len(GENERIC_MEASURES):
        s = candidates[i % len(candidates)]
        suffix, mtype, effect, init, annual, life, cond = GENERIC_MEASURES[
            (i // len(candidates)) % len(GENERIC_MEASURES)
        ]
        i += 1
        site = s["hosting"] in ("庁舎内", "外部DC") and s.get("building_id")
        ok = {
            "backup": s.get("backup_method") not in (None, "なし") and not s.get("backup_offsite"),
            "site": bool(site),
            "unanchored": bool(site) and s.get("rack_anchored") is False,
            "sla": float(s.get("vendor_sla_hours") or 72) > 8,
            "onprem": s["hosting"] == "庁舎内",
        }[cond]
        if not ok:
            continue
        _add_measure(
            w,
            f"{s['name']}{suffix}",
            mtype,
            (s["system_id"],),
            effect,
            _cost(w, *init),
            _cost(w, *annual),
            life,
            False,
            _status(w, effect),
            rng.choice((None, target_fy, target_fy + 1)),
            None,
        )
        need -= 1


# ---- 残存リスク ------------------------------------------------------------------------------------


def likelihood(scenario: Row) -> int:
    """■発生可能性 (defaults) of a scenario's annual rate."""
    if scenario.get("annual_rate") is not None:
        aro = float(scenario["annual_rate"])
    else:
        aro = -math.log(1 - float(scenario["probability"])) / float(scenario["probability_years"])
    for level, floor in ((5, 0.1), (4, 0.03), (3, 0.01), (2, 0.002)):
        if aro >= floor:
            return level
    return 1


def build_residuals(w: World, tg: Targets | None = None) -> Targets:
    """残存リスク: a decision for every (scenario, priority business system) pair with a gap today."""
    tg = tg or targets(w)
    tasks = {t["task_id"]: t for t in w.tasks}
    links_of: dict[str, list[Row]] = {}
    for link in w.links:
        if link["dependency"] in ("A", "B") and tasks[link["task_id"]]["_priority"]:
            links_of.setdefault(link["system_id"], []).append(link)
    business = [s for s in w.systems if s["kind"] == "業務" and tg.is_priority(s["system_id"])]
    review = w.as_of.replace(year=w.as_of.year + 1)
    approved = _week_before(w)
    for k in w.scenarios:
        out = Outages(w, k)
        like = likelihood(k)
        for s in business:
            rto = tg.rto[s["system_id"]]
            if out.gap(s["system_id"], rto) <= 1e-9:
                continue
            last = out.last_outage(s["system_id"], rto) or HORIZON
            impact = max(
                (_impact_at(tasks[link["task_id"]], last) for link in links_of.get(s["system_id"], ())), default=5
            )
            level = like * impact
            alt = next(
                (link.get("manual_alt") for link in links_of.get(s["system_id"], ()) if link.get("manual_alt")), None
            )
            row: Row = {
                "residual_id": f"RR-{len(w.residuals) + 1:03d}",
                "scenario_id": k["scenario_id"],
                "system_id": s["system_id"],
                "interim_measure": alt or "紙様式による受付と復旧後の一括入力",
            }
            if level <= 6:
                row.update(
                    treatment="受容",
                    approver="最高情報統括責任者(CIO)",
                    approved_date=approved,
                    next_review=review,
                    note=f"発生可能性が低いため受容(想定レベル {level})",
                )
            elif k["hazard"] in ("サイバー攻撃",):
                row.update(treatment="移転", note="サイバー保険と保守契約による補償・支援で対応")
            else:
                row.update(treatment="低減継続", note="次年度以降の対策案で継続して低減する")
            w.residuals.append(row)
    return tg


def _week_before(w: World) -> dt.date:
    """A business day about a week before the status date (approval of the accepted risks)."""
    day = w.as_of - dt.timedelta(days=7)
    while not w.calendar.is_business_day(day):
        day -= dt.timedelta(days=1)
    return day


def _impact_at(task: Row, hours: float) -> int:
    for code in BAND_CODES:
        if hours <= BAND_HOURS[code] + 1e-9:
            v = task.get(f"impact_{code.lower()}")
            return int(v) if v is not None else 4
    v = task.get("impact_m1")
    return int(v) if v is not None else 4
