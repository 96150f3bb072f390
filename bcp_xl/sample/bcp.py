"""bcp_master apart from 業務一覧: 職員参集, 職務代行, 行動手順, 重要6要素, 訓練計画 and 訓練記録."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from bcp_xl.sample.context import BAND_HOURS, BAND_ORDER, Row, Unit, World
from bcp_xl.sample.model import Targets
from bcp_xl.sample.tasks import start_hours

# fmt: off
BUCKETS = ("1km未満", "1〜3km", "3〜5km", "5〜10km", "10〜20km", "20km以上")
BUCKET_WEIGHTS = (0.06, 0.16, 0.17, 0.25, 0.24, 0.12)
BUCKET_KM = ((0.3, 0.9), (1.1, 2.9), (3.1, 4.9), (5.2, 9.8), (10.5, 19.5), (21.0, 35.0))
JOB_TYPES = (
    (("健康推進課", "保健予防課", "保健センター"), "保健師"), (("道路管理課", "土木工事課", "公園課"), "土木技術"),
    (("建築課", "住宅課", "地区整備課"), "建築技術"), (("生活福祉課", "障害者支援課", "高齢福祉課", "子ども家庭支援センター"), "福祉職"),
    (("清掃事務所", "清掃リサイクル課"), "清掃職"), (("中央図書館",), "司書"), (("保育課",), "保育士"),
    (("情報システム課", "情報政策課"), "情報職"),
)
COUNTER_UNITS = ("戸籍住民課", "税務課", "納税課", "国保年金課", "地区サービス事務所")
DESIGNATED = {
    "危機管理課": "secretariat", "防災課": "secretariat", "人事課": "secretariat", "政策企画課": "secretariat",
    "情報政策課": "ict", "情報システム課": "ict", "広報課": "pr", "地域防災推進課": "shelter", "健康推進課": "relief",
    "保健予防課": "relief", "保健センター": "relief", "契約課": "supply", "庁舎管理課": "supply", "資産経営課": "info",
}
ABSENT_ROLE = "代替職位の順に引き継ぐ。全員不在のときは参集した職員のうち最上位の職位の者が実施し、事後に報告する"
ABSENT_RESOURCE = "紙様式・電話・無線による代替手段で実施する"
# fmt: on


def _job(section: str) -> str:
    return next((job for names, job in JOB_TYPES if section in names), "事務")


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Largest-remainder split of ``total`` by ``weights``."""
    s = sum(weights)
    raw = [total * x / s for x in weights]
    out = [math.floor(r) for r in raw]
    rest = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in rest[: total - sum(out)]:
        out[i] += 1
    return out


# ---- 職員参集 ---------------------------------------------------------------------------------------


def build_staff(w: World) -> None:
    """Aggregated staff groups per unit and distance (no personal data)."""
    rng = w.rng
    ns: dict[str, int] = {}
    for t in w.tasks:
        ns[t["org_id"]] = ns.get(t["org_id"], 0) + int(t["normal_staff"])
    factor = w.scale.staff_total / max(1, sum(ns.values()))
    per_unit_groups = w.scale.staff_groups / len(w.units)
    n_jobs = max(1, round(per_unit_groups / 5))
    for u in w.units:
        head = max(6, round(ns.get(u.org_id, 0) * factor))
        designated = 0
        key = DESIGNATED.get(u.section)
        if key is None and rng.random() < 0.2:
            key = rng.choice(("shelter", "shelter", "info", "supply"))
        if key is not None:
            designated = max(1, min(round(head * 0.2), rng.randint(2, 6)))
            _group(
                w,
                u,
                None,
                round(rng.uniform(0.5, 4.5), 1),
                designated,
                _job(u.section),
                designated_to=w.hq[key],
                off_hours=0.2 if u.section == "防災課" else None,
                note="避難所直行職員" if key == "shelter" else "災害対策本部の指定参集職員",
            )
        jobs = list(dict.fromkeys((_job(u.section), "事務", "技能労務")))[:n_jobs]
        job_heads = _apportion(head - designated, [2.0] + [1.0] * (len(jobs) - 1))
        per_job = max(1, min(6, round((per_unit_groups - (1 if designated else 0)) / len(jobs))))
        for job, jh in zip(jobs, job_heads, strict=True):
            if jh <= 0:
                continue
            idx = sorted(rng.sample(range(6), per_job))
            for i, n in zip(idx, _apportion(jh, [BUCKET_WEIGHTS[i] for i in idx]), strict=True):
                if n <= 0:
                    continue
                km = round(rng.uniform(*BUCKET_KM[i]), 1) if rng.random() < 0.15 else None
                _group(
                    w,
                    u,
                    BUCKETS[i] if km is None or rng.random() < 0.5 else None,
                    km,
                    n,
                    job,
                    outside=i == 5 or (i == 4 and rng.random() < 0.5),
                )


def _group(
    w: World,
    u: Unit,
    bucket: str | None,
    km: float | None,
    n: int,
    job: str,
    designated_to: str | None = None,
    off_hours: float | None = None,
    outside: bool = False,
    note: str | None = None,
) -> None:
    row: Row = {
        "group_id": f"SG-{len(w.staff) + 1:03d}",
        "org_id": u.org_id,
        "distance_bucket": bucket,
        "distance_km": km,
        "headcount": n,
        "job_type": job,
        "note": note,
    }
    if designated_to:
        row.update(disaster_designated=True, designated_org_id=designated_to)
    if off_hours is not None:
        row["off_hours_share"] = off_hours
    if u.section in COUNTER_UNITS:
        row["on_duty_share"] = 0.95
    elif u.section == "清掃事務所":
        row["on_duty_share"] = 0.8
    if outside:
        row["resides_in_ward"] = False
    w.staff.append(row)


# ---- 職務代行 ---------------------------------------------------------------------------------------


def build_succession(w: World) -> None:
    """Successors of the 区長, the 災害対策本部長, every 部 head and two key 課 heads."""
    rng = w.rng
    crisis = next(d for d in w.depts if d["org_name"] == "危機管理部")
    ward = w.orgs[0]["org_id"]
    rows = [
        (
            "区長",
            "副区長(企画経営)",
            ward,
            3.0,
            None,
            "区長の職務の全部(災害対策本部長の職務を含む)",
            "地方自治法第152条第1項",
        ),
        (
            "区長",
            "副区長(区民生活)",
            ward,
            12.0,
            None,
            "区長の職務の全部(災害対策本部長の職務を含む)",
            "地方自治法第152条第1項",
        ),
        (
            "区長",
            crisis["head_position"],
            crisis["org_id"],
            1.0,
            None,
            "災害対策本部の運営に関する緊急の決定",
            "区長の職務代理に関する規則(例示)",
        ),
        ("災害対策本部長", "副区長(企画経営)", w.hq["hq"], None, 2.0, "本部長の職務の全部", "災害対策本部条例(例示)"),
        ("災害対策本部長", "副区長(区民生活)", w.hq["hq"], None, 5.5, "本部長の職務の全部", "災害対策本部条例(例示)"),
        (
            "災害対策本部長",
            crisis["head_position"],
            crisis["org_id"],
            1.0,
            None,
            "本部会議の招集と緊急の決定",
            "災害対策本部条例(例示)",
        ),
    ]
    for pos, succ, org, km, hours, scope, basis in rows:
        _succ(w, pos, succ, org, km, hours, scope, basis)
    units_of: dict[str, list[Unit]] = {}
    for u in w.units:
        units_of.setdefault(u.dept_org_id, []).append(u)
    for d in w.depts:
        us = units_of.get(d["org_id"], [])
        if not us:
            continue
        successors: list[tuple[str, str]] = [(u.head, u.org_id) for u in us[:3]]
        if len(successors) == 1:
            successors.append((f"{us[0].name}庶務担当係長", us[0].org_id))
        for i, (succ, org) in enumerate(successors):
            km = round(rng.uniform(1.0, 4.5) if i == 0 else rng.uniform(1.5, 18.0), 1)
            hours = None
            if i > 0 and rng.random() < 0.1:
                km, hours = None, round(rng.uniform(1.5, 6.0), 1)
            _succ(w, d["head_position"], succ, org, km, hours, "部の所掌事務の決定と職員の指揮", "事務決裁規程(例示)")
    key_sections: tuple[tuple[str, tuple[str, str]], ...] = (
        ("危機管理課", ("防災課長", "危機管理課危機管理係長")),
        ("情報システム課", ("情報政策課長", "情報システム課システム係長")),
    )
    for section, names in key_sections:
        unit = w.main_unit(section)
        for i, succ in enumerate(names):
            org = w.main_unit(succ[:-1]).org_id if succ.endswith("課長") else unit.org_id
            _succ(
                w,
                unit.head,
                succ,
                org,
                round(rng.uniform(1.0, 4.0) if i == 0 else rng.uniform(2.0, 12.0), 1),
                None,
                "課の所掌事務の決定",
                "事務決裁規程(例示)",
            )


def _succ(
    w: World, pos: str, succ: str, org: str, km: float | None, hours: float | None, scope: str, basis: str
) -> None:
    order = 1 + sum(1 for r in w.succession if r["position"] == pos)
    w.succession.append(
        {
            "position": pos,
            "order": order,
            "successor_position": succ,
            "successor_org_id": org,
            "successor_distance_km": km,
            "successor_arrival_hours": hours,
            "authority_scope": scope,
            "basis": basis,
        }
    )


# ---- 行動手順 ---------------------------------------------------------------------------------------

# fmt: off
# ward-wide procedures: name, trigger, steps (phase, due, action, role, alternates, resources, resource fallback,
# related tasks as (課, 業務名), related systems by name, checklist)
WardStep = tuple[str, float, str, str, tuple[str, ...], str | None, str | None, tuple[tuple[str, str], ...], tuple[str, ...], bool]
MAYOR_ALTS = ("副区長(企画経営)", "副区長(区民生活)", "危機管理部長")
WARD_PROCEDURES: tuple[tuple[str, str, tuple[WardStep, ...]], ...] = (
    ("災害対策本部の設置・運営", "区内で震度5強以上を観測したとき、又は区長が必要と認めたとき", (
        ("初動", 0.5, "地震・気象情報と庁舎周辺の被害の第一報を確認し、災害対策本部の設置を判断する", "区長", MAYOR_ALTS,
         "震度情報(J-ALERT・テレビ・ラジオ)", "ラジオ・防災行政無線(移動系)で情報を得る", (), (), True),
        ("初動", 1, "災害対策本部の設置を決定し、庁内放送と安否確認システムで全職員に周知する", "区長", MAYOR_ALTS,
         "本部室(総合庁舎5階)・庁内放送設備", "本部室が使えないときは防災センターに本部を設置する",
         (("危機管理課", "災害対策本部の設置・運営"),), (), False),
        ("初動", 2, "本部員の参集状況を確認し、本部事務局を立ち上げる", "危機管理部長", ("危機管理課長", "防災課長"),
         "参集状況一覧(様式)・ホワイトボード", "様式がないときはホワイトボードに手書きで記録する",
         (("危機管理課", "配備態勢の発令・職員の非常招集"),), (), True),
        ("初動", 3, "被害状況を集約し、東京都へ第一報を報告する", "危機管理課長", ("防災課長", "危機管理課危機管理係長"),
         "東京都災害情報システム(DIS)", "DISが使えないときは東京都防災行政無線・FAXで報告する",
         (("危機管理課", "東京都への被害報告"), ("危機管理課", "被害情報の収集・集約")), ("東京都災害情報システム(DIS)",), True),
        ("初動", 3, "第1回本部会議を開催し、応急対策の重点と職員の配備を決定する", "区長", MAYOR_ALTS,
         "本部室・被害情報集約表", "集約表がないときは口頭報告を本部事務局が記録する",
         (("政策企画課", "災害対策本部長・副本部長の補佐（本部事務局の庶務）"),), (), False),
        ("初動", 24, "応援要請・受援の要否を判断し、東京都・協定自治体に要請する", "区長", MAYOR_ALTS,
         "受援計画・協定先一覧", "一覧がないときは東京都を通じて要請する", (("危機管理課", "応援要請・受援の総合調整"),), (), False),
        ("応急", 168, "本部運営の長期化に備え、本部員の交代制を編成する", "危機管理部長", ("危機管理課長", "防災課長"),
         None, None, (("危機管理課", "本部運営の長期化に備えた交代制の編成"),), (), False),
    )),
    ("職員の参集・安否確認", "区内で震度5強以上を観測したとき(勤務時間外)", (
        ("初動", 0.5, "安否確認システムで全職員に安否確認を一斉送信する", "人事課長", ("人事課人事係長", "危機管理課長"),
         "安否確認システム", "システムが使えないときは電話連絡網で確認する", (("人事課", "職員の安否確認・参集状況の集約"),),
         ("安否確認システム",), False),
        ("初動", 2, "参集した職員の人数を部ごとに集約し、本部事務局に報告する", "人事課長", ("人事課人事係長", "人事課主査"),
         "参集状況一覧(様式)", "様式がないときは部ごとに手書きで集計する", (("人事課", "職員の安否確認・参集状況の集約"),), (), True),
        ("初動", 3, "参集できない職員の状況(負傷・家族対応)を把握する", "人事課長", ("人事課人事係長",), None, None, (), (), False),
        ("初動", 24, "部間の応援配置を調整し、不足する課に職員を配置する", "人事課長", ("人事課人事係長", "総務部長"),
         "参集予測と必要人員の一覧", "一覧がないときは各課の報告をもとに調整する", (("人事課", "災害時の職員配置・部間応援の調整"),),
         (), False),
        ("応急", 72, "職員の食料・休息場所を確保し、交代勤務を編成する", "人事課長", ("人事課人事係長",), "備蓄食料・休息スペース",
         "不足するときは物資輸送班に配分を依頼する", (("人事課", "職員の食料・休息場所の確保と交代勤務の編成"),), (), False),
    )),
    ("庁舎の被害確認と来庁者の安全確保", "勤務時間内に震度5強以上を観測したとき", (
        ("初動", 0.25, "来庁者と職員に身の安全の確保を呼びかける", "庁舎管理課長", ("庁舎管理課管理係長", "総務課長"),
         "庁内放送設備", "放送設備が使えないときはハンドマイクで呼びかける",
         (("庁舎管理課", "来庁者の避難誘導・庁舎内の安全確保"),), (), True),
        ("初動", 1, "来庁者を避難誘導し、負傷者の有無を確認する", "庁舎管理課長", ("庁舎管理課管理係長", "総務課長"), None, None,
         (("庁舎管理課", "来庁者の避難誘導・庁舎内の安全確保"),), (), True),
        ("初動", 2, "庁舎の被害と安全を点検し、使用の可否を判断する", "庁舎管理課長", ("庁舎管理課管理係長",), "庁舎点検チェックリスト",
         "チェックリストがないときは目視で危険箇所を記録する", (("庁舎管理課", "庁舎の被害状況確認・安全点検"),), (), True),
        ("初動", 3, "非常用発電設備の起動と燃料の残量を確認する", "庁舎管理課長", ("庁舎管理課管理係長",), "非常用発電設備・燃料",
         "燃料が不足するときは燃料の優先供給を要請する", (("庁舎管理課", "非常用発電設備の運転・燃料の確保"),), (), True),
        ("初動", 24, "総合庁舎が使用できないときは代替庁舎(防災センター)を開設する", "庁舎管理課長", ("総務課長",),
         "防災センターの鍵・備品", "鍵がないときは防災センターの管理委託事業者に開錠を依頼する",
         (("庁舎管理課", "代替庁舎の確保・開設"),), (), False),
    )),
    ("避難所の開設・運営", "区内で震度5強以上を観測したとき、又は避難指示を発令したとき", (
        ("初動", 1, "避難所直行職員が担当の避難所に参集し、施設の安全を確認する", "地域防災推進課長",
         ("地域防災推進課係長", "避難所運営班長"), "避難所開設キット", "キットがないときは学校の備品で受付を設ける",
         (("地域防災推進課", "避難所の開設"),), (), True),
        ("初動", 3, "避難所を開設し、避難者の受付を始める", "地域防災推進課長", ("地域防災推進課係長", "避難所運営班長"),
         "避難者受付簿", "受付簿がないときは白紙に氏名と人数を記録する", (("地域防災推進課", "避難所の開設"),), (), False),
        ("初動", 24, "避難者数とニーズを集約し、本部に報告する", "地域防災推進課長", ("地域防災推進課係長",), "避難所管理システム",
         "システムが使えないときは電話・無線で報告する", (("地域防災推進課", "避難者数・避難所ニーズの集約"),),
         ("避難所管理システム",), True),
        ("初動", 24, "避難所運営協議会と運営体制を立ち上げる", "地域防災推進課長", ("避難所運営班長",), None, None,
         (("地域防災推進課", "避難所の運営支援（避難所運営協議会との連携）"),), (), False),
        ("応急", 72, "救援物資を受け入れ、避難所に配分する", "地域防災推進課長", ("物資輸送班長",), "地域内輸送拠点・車両",
         "車両が不足するときは協定事業者に輸送を依頼する", (("地域防災推進課", "救援物資の受入・配分（地域内輸送拠点の運営）"),), (),
         False),
    )),
    ("災害情報の発信", "災害対策本部を設置したとき", (
        ("初動", 1, "防災行政無線で避難情報等を伝達する", "防災課長", ("防災課防災係長", "危機管理課長"), "防災行政無線(同報系)",
         "使えないときは広報車と緊急メールで伝達する", (("防災課", "防災行政無線による避難情報等の伝達"),),
         ("防災行政無線(同報系)",), False),
        ("初動", 3, "区ホームページ・SNSで被害と避難所の情報を発信する", "広報課長", ("広報課広報係長", "広報課主査"),
         "区ホームページ・SNS", "使えないときは掲示板と避難所への掲示で周知する",
         (("広報課", "区ホームページ・SNSによる災害情報の発信"),), ("区ホームページ", "SNS・LINE配信システム"), False),
        ("初動", 24, "報道機関への発表資料を作成し、記者発表を行う", "広報課長", ("広報課広報係長",), None, None,
         (("広報課", "報道機関への対応・記者発表"),), (), False),
        ("初動", 24, "区民からの問合せに応じる臨時コールセンターを開設する", "広報課長", ("広報課広報係長",), "臨時電話回線",
         "回線が確保できないときは災害時優先電話を割り当てる", (("広報課", "区民からの問合せ対応（臨時コールセンター）"),), (), False),
        ("応急", 72, "外国人向けの多言語情報を発信する", "広報課長", ("広報課主査",), None, None,
         (("広報課", "外国人向け多言語情報の発信"),), (), False),
    )),
    ("通信手段の確保", "固定電話・携帯電話が使えないとき", (
        ("初動", 1, "防災行政無線(移動系)を起動し、無線統制を始める", "防災課長", ("防災課防災係長",), "防災行政無線(移動系)",
         "使えないときは衛星携帯電話で本部と連絡する", (("防災課", "防災行政無線(移動系)の運用・無線統制"),),
         ("防災行政無線(移動系)",), True),
        ("初動", 2, "衛星携帯電話を本部と防災センターに配備し、通話を確認する", "防災課長", ("防災課防災係長",), "衛星携帯電話",
         "通話できないときは防災行政無線で代替する", (), ("衛星携帯電話",), True),
        ("初動", 3, "災害時優先電話の発信を確認する", "庁舎管理課長", ("庁舎管理課管理係長",), "電話交換機",
         "交換機が停止したときは直通の災害時優先電話を使う", (("庁舎管理課", "電話交換機・庁舎通信設備の確認"),), ("電話交換機",),
         True),
        ("初動", 24, "本部・避難所の通信環境(回線・Wi-Fi)を確保する", "情報政策課長", ("情報政策課係長",), "モバイルルータ",
         "回線が確保できないときは衛星通信端末を使う", (("情報政策課", "災害対策本部・避難所の通信環境の確保"),), (), False),
    )),
    ("代替庁舎への移転", "総合庁舎が使用できないと判断したとき", (
        ("初動", 2, "総合庁舎の使用停止と代替庁舎への移転を決定する", "区長", MAYOR_ALTS, None, None, (), (), False),
        ("初動", 6, "防災センターの執務スペース・電源・通信を確認する", "庁舎管理課長", ("総務課長",), "防災センター",
         "防災センターも使えないときは地区サービス事務所に分散する", (("庁舎管理課", "代替庁舎の確保・開設"),), (), True),
        ("初動", 12, "本部機能と非常時優先業務の担当課を順次移転する", "総務課長", ("総務課総務係長", "庁舎管理課長"),
         "公用車・移転物品リスト", "車両が不足するときは徒歩と協定事業者の車両で移送する", (), (), False),
        ("初動", 24, "移転先と窓口の変更を区民に周知する", "広報課長", ("広報課広報係長",), None, None, (), (), False),
    )),
)
UNIT_EXTRA_PROCEDURES = (
    ("執務環境の復旧手順", (
        ("応急", 24, "執務室の什器・書類の被害を確認し、危険箇所を立入禁止にする", True),
        ("応急", 48, "重要書類・台帳の保全状況を確認する", True),
        ("応急", 72, "業務端末・プリンタの動作を確認し、故障を情報システム課に報告する", False),
        ("復旧", 168, "執務室の復旧状況を本部事務局に報告する", False),
    )),
    ("窓口業務の縮小・再開手順", (
        ("初動", 3, "窓口の一時休止を掲示し、来庁者に案内する", True),
        ("応急", 24, "紙様式による受付の準備を整える", False),
        ("応急", 72, "縮小した窓口を再開し、受付を紙様式で始める", False),
        ("復旧", 336, "システム復旧後に紙で受け付けた内容を入力する", False),
        ("復旧", 720, "通常の窓口体制に戻し、本部に報告する", True),
    )),
    ("応援職員の受入手順", (
        ("応急", 72, "応援が必要な業務と人数を人事課に報告する", False),
        ("応急", 96, "応援職員の執務場所・端末・資料を準備する", False),
        ("応急", 120, "応援職員に業務内容と安全上の注意を説明する", True),
        ("復旧", 336, "応援の終了時期を判断し、引継ぎを行う", False),
    )),
)
# fmt: on


class _Procedures:
    def __init__(self, w: World) -> None:
        self.w = w
        self.n = 0
        self.task_procs: dict[str, list[str]] = {}

    def new(self) -> str:
        self.n += 1
        return f"PR-{self.n:03d}"

    def step(
        self,
        pid: str,
        name: str,
        phase: str,
        due: float,
        action: str,
        role: str,
        alts: Sequence[str],
        resources: str | None,
        res_fallback: str | None,
        tasks: Sequence[str] = (),
        systems: Sequence[str] = (),
        trigger: str | None = None,
        checklist: bool = False,
    ) -> None:
        steps = self.w.steps
        no = 1 + sum(1 for s in steps[-20:] if s["procedure_id"] == pid)
        steps.append(
            {
                "procedure_id": pid,
                "procedure_name": name if no == 1 or self.w.rng.random() < 0.3 else None,
                "phase": phase,
                "step_no": no,
                "action": action,
                "trigger": trigger,
                "due_hours": due,
                "responsible_role": role,
                "alternate_roles": tuple(alts),
                "required_resources": resources,
                "fallback_if_role_absent": ABSENT_ROLE,
                "fallback_if_resource_missing": (res_fallback or ABSENT_RESOURCE) if resources else None,
                "related_task_ids": tuple(tasks) or None,
                "related_system_ids": tuple(systems) or None,
                "is_checklist": checklist,
            }
        )
        for t in tasks:
            self.task_procs.setdefault(t, [])
            if pid not in self.task_procs[t]:
                self.task_procs[t].append(pid)


def _phase(due: float) -> str:
    return "初動" if due <= 24 else ("応急" if due <= 168 else "復旧")


def build_procedures(w: World, tg: Targets) -> None:
    """行動手順: ward-wide procedures, ICT recovery procedures of the priority systems, then per unit."""
    p = _Procedures(w)
    for name, trigger, steps in WARD_PROCEDURES:
        pid = p.new()
        for i, (phase, due, action, role, alts, res, res_fb, task_refs, sys_names, check) in enumerate(steps):
            tasks = []
            for section, tname in task_refs:
                t = w.task_by_key.get((w.main_unit(section).org_id, tname))
                sh = start_hours(t) if t else None
                if t is not None and sh is not None and sh >= due:
                    tasks.append(t["task_id"])
            systems = [w.system_by_name[n]["system_id"] for n in sys_names]
            p.step(
                pid,
                name,
                phase,
                due,
                action,
                role,
                alts,
                res,
                res_fb,
                tasks,
                systems,
                trigger if i == 0 else None,
                check,
            )
    _ict_procedures(w, p, tg)
    _unit_procedures(w, p)
    for t in w.tasks:
        procs = p.task_procs.get(t["task_id"])
        if procs:
            t["procedure_ids"] = tuple(procs)


def _ict_procedures(w: World, p: _Procedures, tg: Targets) -> None:
    target = max(10, round(w.scale.steps * 0.2 / 6))
    ranked = sorted(
        (s for s in w.systems if tg.is_priority(s["system_id"]) and s["kind"] != "端末"),
        key=lambda s: (tg.rto[s["system_id"]], s["system_id"]),
    )[:target]
    units = {u.org_id: u for u in w.units}
    head, lead, staff = "情報システム課長", "情報システム課システム係長", "情報システム課主査"
    for s in ranked:
        pid = p.new()
        name = f"{s['name']}の復旧"
        sys_id = (s["system_id"],)
        rto = tg.rto[s["system_id"]]
        owner = units.get(s.get("owner_org_id") or "")
        place = "設置場所" if s["hosting"] == "庁舎内" else "接続経路"
        p.step(
            pid,
            name,
            "初動",
            1,
            f"{s['name']}の稼働状況と{place}の被害を確認する",
            head,
            (lead, "情報政策課長"),
            "被害確認シート",
            "シートがないときは確認結果を白紙に記録する",
            systems=sys_id,
            trigger="優先システムの停止を確認したとき",
            checklist=True,
        )
        p.step(
            pid,
            name,
            "初動",
            2,
            "保守事業者に障害を連絡し、技術者の派遣と代替機の手配を依頼する",
            lead,
            (staff, head),
            "保守事業者の緊急連絡先一覧(紙)",
            "電話が通じないときは衛星携帯電話・災害時優先電話で連絡する",
            systems=sys_id,
        )
        if owner is not None and s["kind"] == "業務":
            p.step(
                pid,
                name,
                "初動",
                3,
                "主管課に停止を連絡し、窓口を紙様式による代替手段に切り替える",
                owner.head,
                (f"{owner.name}係長", f"{owner.name}主査"),
                "紙様式・受付簿",
                "様式がないときは白紙で受け付け、後日転記する",
                systems=sys_id,
            )
        due = max(6.0, rto)
        p.step(
            pid,
            name,
            _phase(due),
            due,
            "電源・ネットワーク・依存システムの復旧を確認し、システムを起動する",
            lead,
            (staff, head),
            None,
            None,
            systems=sys_id,
            checklist=True,
        )
        if s.get("backup_method") not in (None, "なし"):
            due += float(s["restore_hours"])
            p.step(
                pid,
                name,
                _phase(due),
                due,
                "バックアップからデータを復元し、整合性を確認する",
                lead,
                (staff, head),
                "バックアップ媒体・復元手順書",
                "媒体が使えないときは遠隔保管の複製から復元する",
                systems=sys_id,
                checklist=True,
            )
        due = max(due + 24, 72.0)
        p.step(
            pid,
            name,
            _phase(due),
            due,
            "停止中に紙で受け付けた処理を入力し、主管課に復旧を通知する",
            head,
            (lead,),
            None,
            None,
            systems=sys_id,
        )


def _unit_procedures(w: World, p: _Procedures) -> None:
    rng = w.rng
    used = len(w.steps)
    left = max(0, w.scale.steps - used)
    budgets = [left // len(w.units)] * len(w.units)
    for i in sorted(rng.sample(range(len(w.units)), left % len(w.units))):
        budgets[i] += 1
    by_unit: dict[str, list[Row]] = {}
    for t in w.tasks:
        if t["_priority"]:
            by_unit.setdefault(t["org_id"], []).append(t)
    for u, budget in zip(w.units, budgets, strict=True):
        tasks = sorted(by_unit.get(u.org_id, []), key=lambda t: (BAND_ORDER[t["_start"]], t["task_id"]))
        plans: list[tuple[str, list[tuple[Any, ...]]]] = []
        first = [t for t in tasks if BAND_HOURS[t["_start"]] <= 24]
        middle = [t for t in tasks if 24 < BAND_HOURS[t["_start"]] <= 168]
        late = [t for t in tasks if BAND_HOURS[t["_start"]] > 168]
        initial: list[tuple[Any, ...]] = [("task", t) for t in first if t["_start"] == "H0"]
        initial.append(("safety",))
        initial += [("task", t) for t in first if t["_start"] != "H0"]
        initial.append(("report", 24.0))
        plans.append(("初動対応手順", initial))
        if middle:
            plans.append(("応急対応手順", [*(("task", t) for t in middle), ("report", 168.0)]))
        if late:
            plans.append(("復旧対応手順", [*(("task", t) for t in late), ("report", 720.0)]))
        k = 0
        while sum(len(s) for _, s in plans) < budget and k < 30:
            extra_name, extra_steps = UNIT_EXTRA_PROCEDURES[k % len(UNIT_EXTRA_PROCEDURES)]
            suffix = "" if k < len(UNIT_EXTRA_PROCEDURES) else f"(その{k // len(UNIT_EXTRA_PROCEDURES) + 1})"
            plans.append((extra_name + suffix, [("extra", s) for s in extra_steps]))
            k += 1
        for name, steps in plans:
            if budget <= 0:
                break
            pid = p.new()
            full = f"{u.name} {name}"
            for i, item in enumerate(steps[:budget]):
                _unit_step(w, p, u, pid, full, item, i == 0)
            budget -= min(len(steps), budget)


def _unit_step(w: World, p: _Procedures, u: Unit, pid: str, name: str, item: tuple[Any, ...], first: bool) -> None:
    trigger = "区内で震度5強以上を観測したとき" if first and name.endswith("初動対応手順") else None
    alts = (f"{u.name}係長", f"{u.name}主査")
    if item[0] == "task":
        t = item[1]
        due = float(BAND_HOURS[t["_start"]])
        verb = "を中断せずに継続する" if t["_start"] == "H0" else "に着手する"
        res = t.get("facility_needs")
        p.step(
            pid,
            name,
            _phase(due),
            due,
            f"{t['task_name']}{verb}",
            t["primary_role"],
            t["alt_roles"],
            res,
            t.get("manual_alt"),
            (t["task_id"],),
            trigger=trigger,
        )
    elif item[0] == "safety":
        p.step(
            pid,
            name,
            "初動",
            2,
            "課員の安否と参集状況を確認し、人事課(本部事務局)に報告する",
            u.head,
            alts,
            None,
            None,
            trigger=trigger,
            checklist=True,
        )
    elif item[0] == "report":
        due = item[1]
        p.step(
            pid,
            name,
            _phase(due),
            due,
            "業務の実施状況と不足する人員・資源を本部事務局に報告する",
            u.head,
            alts,
            "報告様式",
            "様式がないときは電話で口頭報告し、後日提出する",
            checklist=True,
        )
    else:
        phase, due, action, check = item[1]
        p.step(pid, name, phase, due, action, u.head, alts, None, None, trigger=trigger, checklist=check)


# ---- 重要6要素 --------------------------------------------------------------------------------------


def build_six(w: World) -> None:
    """Facts of the six elements that no other sheet holds (buildings from ict_master 庁舎)."""
    staff_total = sum(int(g["headcount"]) for g in w.staff)
    persons = max(100, round(staff_total, -2))  # every member of staff, enough for all who can come by D3
    main, alt = w.buildings[0], w.buildings[1]
    north = next(b for b in w.buildings if b["_key"] == "north")
    facts = (
        (
            1,
            "参集体制",
            "震度5強以上で全職員が自動参集する配備基準",
            None,
            None,
            None,
            None,
            False,
            "済",
            "職員配備計画(例示)",
            None,
        ),
        (
            1,
            "参集体制",
            "安否確認システムによる参集可否の把握",
            None,
            None,
            None,
            "安否確認サービス事業者",
            False,
            "済",
            "安否確認システム運用要領(例示)",
            "年2回の訓練で回答率を確認",
        ),
        (
            2,
            "代替庁舎",
            f"{alt['name']}(災害対策本部の代替拠点)",
            alt["building_id"],
            None,
            None,
            None,
            False,
            "済",
            "庁舎管理規程(例示)",
            "本部室・執務スペース約300㎡",
        ),
        (
            2,
            "代替庁舎",
            f"{north['name']}(窓口業務の代替)",
            north["building_id"],
            None,
            None,
            None,
            False,
            "一部",
            None,
            "端末・回線の追加が必要",
        ),
        (
            3,
            "非常用発電",
            f"{main['name']} 非常用発電設備",
            main["building_id"],
            float(main["generator_hours"]),
            None,
            None,
            False,
            "済",
            "設備台帳",
            "燃料タンク容量から算定",
        ),
        (
            3,
            "非常用発電",
            f"{alt['name']} 非常用発電設備",
            alt["building_id"],
            float(alt["generator_hours"]),
            None,
            None,
            False,
            "済",
            "設備台帳",
            None,
        ),
        (
            3,
            "燃料",
            "非常用発電機の燃料優先供給(協定)",
            None,
            24.0,
            None,
            "燃料販売事業者A",
            False,
            "一部",
            "協定書(例示)",
            "協定締結に向けて調整中",
        ),
        (
            3,
            "飲料水",
            "職員用飲料水の備蓄",
            main["building_id"],
            3.0,
            int(persons),
            None,
            False,
            "済",
            "備蓄品台帳",
            "1人1日3リットル",
        ),
        (3, "食料", "職員用食料の備蓄", main["building_id"], 3.0, int(persons), None, False, "済", "備蓄品台帳", None),
        (
            3,
            "飲料水",
            "防災センターの飲料水備蓄",
            alt["building_id"],
            3.0,
            300,
            None,
            False,
            "一部",
            "備蓄品台帳",
            None,
        ),
        (
            4,
            "通信手段",
            "防災行政無線(移動系)",
            main["building_id"],
            None,
            None,
            None,
            True,
            "済",
            "無線局免許状",
            "自営網",
        ),
        (4, "通信手段", "東京都防災行政無線", main["building_id"], None, None, "東京都", True, "済", None, None),
        (
            4,
            "通信手段",
            "衛星携帯電話",
            None,
            None,
            None,
            "通信事業者A",
            True,
            "済",
            "契約書",
            "本部・防災センターに配備",
        ),
        (
            4,
            "通信手段",
            "災害時優先電話",
            main["building_id"],
            None,
            None,
            "通信事業者B",
            False,
            "済",
            "指定通知",
            None,
        ),
        (
            4,
            "通信手段",
            "MCA無線",
            alt["building_id"],
            None,
            None,
            "無線通信事業者C",
            True,
            "一部",
            None,
            "避難所との連絡用",
        ),
        (
            5,
            "バックアップ",
            "標準準拠システムのデータはガバメントクラウド事業者が遠隔地に複製",
            None,
            None,
            None,
            None,
            False,
            "済",
            "クラウド利用契約(例示)",
            None,
        ),
        (
            5,
            "バックアップ",
            "ファイルサーバ・仮想化基盤のバックアップを庁舎外に保管",
            None,
            None,
            None,
            None,
            False,
            "一部",
            None,
            "遠隔保管は未実施。対策案で検討",
        ),
        (
            6,
            "その他",
            "非常時優先業務一覧を各課に配布し、年1回見直す",
            None,
            None,
            None,
            None,
            False,
            "一部",
            None,
            None,
        ),
    )
    for no, ftype, name, bld, qty, persons_, provider, power, status, evidence, note in facts:
        w.six.append(
            {
                "fact_id": f"SIX-{len(w.six) + 1:02d}",
                "element_no": no,
                "fact_type": ftype,
                "name": name,
                "building_id": bld,
                "quantity": qty,
                "persons": persons_,
                "provider": provider,
                "backup_power": power,
                "status": status,
                "evidence": evidence,
                "note": note,
            }
        )


# ---- 訓練計画・訓練記録 --------------------------------------------------------------------------------

# fmt: off
# fiscal-year offset, name, plan, type, scenario ("main" / SCN index / text), month, day, holiday, participants,
# owner, procedures (ward procedure numbers), objectives
TRAININGS = (
    (0, "全職員安否確認訓練", "区BCP", "安否確認訓練", "勤務時間外の地震", 6, 15, False, 2000, "人事課長", (2,),
     "安否確認システムの回答率と所要時間を確認する"),
    (0, "勤務時間外参集訓練(徒歩参集)", "区BCP", "参集訓練", "main", 9, 5, True, 350, "危機管理課長", (2,),
     "徒歩参集の所要時間と参集率を計測する"),
    (0, "災害対策本部運営机上訓練(主シナリオ)", "両方", "机上訓練", "main", 11, 10, False, 45, "危機管理課長", (1, 3, 7),
     "本部設置から第1回本部会議までの判断と情報共有を確認する"),
    (0, "衛星携帯電話・防災行政無線通信訓練", "区BCP", "通信訓練", "通信途絶", 10, 15, False, 30, "防災課長", (6,),
     "地上回線が使えない状況での通信手段を確認する"),
    (0, "基幹系・内部情報系システム復旧訓練", "ICT-BCP", "システム復旧訓練", 6, 2, 10, False, 20, "情報システム課長", (),
     "バックアップからの復元手順と所要時間を確認する"),
    (0, "ICT-BCP机上演習(ランサムウェア)", "ICT-BCP", "机上訓練", 6, 3, 5, False, 30, "情報政策課長", (),
     "ネットワーク遮断の判断と窓口の紙運用への切替を確認する"),
    (1, "全職員安否確認訓練", "区BCP", "安否確認訓練", "勤務時間外の地震", 6, 14, False, 2000, "人事課長", (2,),
     "前年度の課題(回答率)の改善を確認する"),
    (1, "各課BCP机上訓練(非常時優先業務の確認)", "区BCP", "机上訓練", "main", 7, 14, False, 120, "危機管理課長", (),
     "各課の非常時優先業務と代替手段を確認する"),
    (1, "総合防災訓練(本部運営・避難所開設)", "両方", "総合訓練", "main", 9, 4, True, 600, "危機管理部長", (1, 4, 5),
     "本部運営・避難所開設・情報発信を一体で行う"),
    (1, "代替庁舎移転訓練", "区BCP", "代替庁舎移転訓練", "総合庁舎の使用不可", 10, 20, False, 80, "庁舎管理課長", (7,),
     "防災センターへの本部移転の手順と所要時間を確認する"),
    (1, "サーバ室被災を想定したシステム復旧訓練", "ICT-BCP", "システム復旧訓練", 7, 11, 17, False, 25, "情報システム課長", (),
     "庁舎内サーバの再構築手順と保守事業者との連携を確認する"),
    (1, "災害対策本部図上訓練(勤務時間内)", "両方", "図上訓練", 2, 1, 26, False, 60, "危機管理課長", (1, 3),
     "来庁者対応と本部運営の同時進行を図上で確認する"),
    (2, "全職員安否確認訓練", "区BCP", "安否確認訓練", "勤務時間外の地震", 6, 12, False, 2000, "人事課長", (2,),
     "安否確認と参集予測の精度を確認する"),
    (2, "勤務時間外参集訓練(徒歩参集)", "区BCP", "参集訓練", "main", 9, 2, True, 350, "危機管理課長", (2,),
     "指定参集職員の追加指定後の参集率を確認する"),
    (2, "避難所開設・運営実動訓練", "区BCP", "実動訓練", "main", 10, 18, False, 200, "地域防災推進課長", (4,),
     "避難所直行職員による開設手順を確認する"),
    (2, "ICT-BCP机上演習(長時間停電)", "ICT-BCP", "机上訓練", 4, 11, 15, False, 30, "情報政策課長", (),
     "発電機の運転時間を超える停電での優先システムの継続を確認する"),
    (2, "総合防災訓練(代替庁舎での本部運営)", "両方", "総合訓練", "main", 1, 24, False, 400, "危機管理部長", (1, 7),
     "代替庁舎での本部運営と優先システムの利用を確認する"),
)
# fmt: on


def build_training(w: World) -> None:
    """訓練計画 for the fiscal year of the status date and the two after it, and 訓練記録 of held ones."""
    fy0 = w.fiscal_year
    main = next(s for s in w.scenarios if s["is_main"])
    ward_pids = sorted({s["procedure_id"] for s in w.steps})
    ict_pids = [
        s["procedure_id"]
        for s in w.steps
        if s["step_no"] == 1 and s.get("trigger") == "優先システムの停止を確認したとき"
    ]
    hq_orgs = tuple(w.hq.values())
    for off, name, plan, ttype, scenario, month, day, holiday, people, owner, procs, objectives in TRAININGS:
        fy = fy0 + off
        year = fy if month >= 4 else fy + 1
        date = dt.date(year, month, day)
        if not holiday:
            date = w.business_day(date)
        elif w.calendar.is_business_day(date):
            date += dt.timedelta(days=(5 - date.weekday()) % 7)  # the Saturday of that week
        if scenario == "main":
            scen = main["scenario_id"]
        elif isinstance(scenario, int):
            scen = w.scenarios[scenario - 1]["scenario_id"]
        else:
            scen = scenario
        pids = tuple(ward_pids[i - 1] for i in procs) if procs else tuple(ict_pids[:3])
        orgs = hq_orgs if ttype in ("机上訓練", "図上訓練", "総合訓練") and plan != "ICT-BCP" else None
        if plan == "ICT-BCP":
            orgs = (w.hq["ict"], w.main_unit("情報政策課").org_id, w.main_unit("情報システム課").org_id)
        w.trainings.append(
            {
                "training_id": f"TR-{len(w.trainings) + 1:03d}",
                "fiscal_year": fy,
                "name": name,
                "plan": plan,
                "type": ttype,
                "scenario": scen,
                "objectives": objectives,
                "procedure_ids": pids,
                "org_ids": orgs,
                "planned_date": date,
                "holiday_scenario": holiday,
                "planned_participants": people,
                "owner_role": owner,
            }
        )
    _records(w)


def _records(w: World) -> None:
    by_name = {t["name"]: t for t in w.trainings if t["fiscal_year"] == w.fiscal_year}
    rows = (
        (
            "全職員安否確認訓練",
            1850,
            "1時間以内の安否回答率",
            0.72,
            0.8,
            "以上",
            "登録アドレスが未更新の職員が多い",
            "人事異動時に安否確認システムの登録更新を必須にする",
            "人事課長",
            90,
            "完了",
            "第5章 参集体制",
        ),
        (
            "全職員安否確認訓練",
            1850,
            "3時間以内の安否回答率",
            0.93,
            0.9,
            "以上",
            "目標を達成した",
            None,
            None,
            None,
            None,
            None,
        ),
        (
            "勤務時間外参集訓練(徒歩参集)",
            320,
            "1時間参集率",
            0.18,
            0.25,
            "以上",
            "近隣に住む職員が少なく初動の人員が不足する",
            "近隣居住職員を指定参集職員に追加する",
            "危機管理課長",
            110,
            "対応中",
            "第5章 参集体制",
        ),
        (
            "勤務時間外参集訓練(徒歩参集)",
            320,
            "3時間参集率",
            0.46,
            0.4,
            "以上",
            "目標を達成した",
            None,
            None,
            None,
            None,
            None,
        ),
        (
            "勤務時間外参集訓練(徒歩参集)",
            320,
            "参集報告の集約時間(分)",
            75,
            60,
            "以下",
            "部ごとの報告様式が異なり集約に時間がかかった",
            "参集報告様式を統一し、安否確認システムで集約する",
            "人事課長",
            60,
            "未着手",
            "行動計画書 職員の参集・安否確認",
        ),
        (
            "災害対策本部運営机上訓練(主シナリオ)",
            45,
            "本部設置の判断までの時間(分)",
            20,
            30,
            "以下",
            "目標を達成した",
            None,
            None,
            None,
            None,
            None,
        ),
        (
            "災害対策本部運営机上訓練(主シナリオ)",
            45,
            None,
            None,
            None,
            None,
            "代替庁舎への移転判断の基準が行動手順に明記されていない",
            "移転判断の基準を行動手順書に追記する",
            "危機管理課長",
            80,
            "対応中",
            "行動計画書 代替庁舎への移転",
        ),
        (
            "災害対策本部運営机上訓練(主シナリオ)",
            45,
            "優先システムの停止情報の本部共有(分)",
            90,
            60,
            "以下",
            "システムの停止状況が本部に伝わるまで時間がかかった",
            "情報システム課から本部への報告様式を定める",
            "情報システム課長",
            100,
            "未着手",
            "ICT業務継続計画 復旧手順",
        ),
    )
    for tname, people, metric, measured, target, direction, finding, action, owner, due_days, status, plan_ref in rows:
        t = by_name.get(tname)
        if t is None or t["planned_date"] >= w.as_of:
            continue
        held = t["planned_date"]
        row: Row = {
            "record_id": f"EX-{len(w.records) + 1:04d}",
            "training_id": t["training_id"],
            "held_date": held,
            "participants": people,
            "metric": metric,
            "measured": measured,
            "target": target,
            "target_direction": direction,
            "finding": finding,
            "plan_ref": plan_ref,
        }
        if action and due_days is not None:
            row.update(
                corrective_action=action,
                action_owner=owner,
                action_due=w.business_day(held + dt.timedelta(days=due_days)),
                action_status=status,
            )
        w.records.append(row)
