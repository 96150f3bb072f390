"""The 設定 sheet of each workbook: its blocks, their columns and defaults, and the ■パラメータ keys.

``workbooks.md`` §2.7, §3.1, §4.1, §5 and §6. ``bcp-xl init`` writes every block with these
defaults, so a new workbook is complete; a missing block takes the same defaults at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

from bcp_xl.schemas.contract import BANDS, BCP, ICT, PRJ, PUB, Kind


@dataclass(frozen=True)
class Param:
    """One key of ■パラメータ."""

    key: str
    label: str
    default: object
    kind: Kind
    unit: str = ""
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    enum: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Block:
    """A ■ block: its title, header and default rows (values as written into the sheet)."""

    title: str
    columns: tuple[str, ...]
    defaults: tuple[tuple[object, ...], ...] = ()


PARAM_COLUMNS = ("キー", "項目名", "値", "単位", "説明")
HOLIDAY_BLOCK = Block("■区の休日追加", ("日付", "理由"))

_common_name = Param("municipality_name", "自治体名", None, "text", description="計画書の表題・ファイル名に使います")

BCP_PARAMS: tuple[Param, ...] = (
    _common_name,
    Param("plan_name", "計画名", "業務継続計画", "text"),
    Param("plan_version", "版", "1.0", "text"),
    Param(
        "is_sample", "サンプルデータ", False, "bool", description="はい のとき文書に「サンプルデータによる例示」と表示"
    ),
    Param("as_of_date", "基準日", None, "date", description="空欄は実行日"),
    Param("start_rule", "開始目標の算定規則", "B", "enum", enum=("A", "B")),
    Param("impact_threshold", "許容限界の影響度(θ)", 4, "int", min=1, max=5),
    Param("horizon_hours", "対象期間(h)", 720, "num", "h", min=0, min_exclusive=True),
    Param("walk_speed_kmh", "徒歩速度(km/h)", 2.5, "num", "km/h", min=0, min_exclusive=True),
    Param("prep_hours", "参集準備時間(h)", 1.0, "num", "h", min=0),
    Param("injury_rate", "負傷等による参集不能率", 0.05, "share"),
    Param("max_walk_km", "徒歩参集の上限距離(km)", 20, "num", "km", min=0, min_exclusive=True),
    Param("far_delay_hours", "上限超過者の参集時間(h)", 72, "num", "h", min=0),
    Param("cap_outside_ward", "区外居住者にも上限時間を適用", False, "bool"),
    Param("on_duty_share", "勤務時間内の在庁率(既定)", 0.9, "share"),
    Param("off_hours_share", "勤務時間外の在庁率(既定)", 0.0, "share"),
    Param("succession_min", "代行順位の必要数", 2, "int", min=1),
    Param("succession_recommended", "代行順位の推奨数", 3, "int", min=1),
    Param("generator_target_hours", "非常用発電の目標時間(h)", 72, "num", "h"),
    Param("stock_target_days", "備蓄の目標日数", 3, "num", "日"),
    Param("stock_target_persons", "備蓄の対象人数", None, "int", "人", min=0, description="空欄は算定値"),
    Param("comms_min_means", "通信手段の必要数", 2, "int", min=1),
)

_other_name = Param("municipality_name", "自治体名", None, "text", description="区BCPマスタと同じ名称(任意)")

ICT_PARAMS: tuple[Param, ...] = (
    Param("plan_name", "計画名", "ICT業務継続計画", "text"),
    Param("plan_version", "版", "1.0", "text"),
    Param("as_of_date", "基準日", None, "date", description="空欄は実行日"),
    Param("target_fy", "対象年度", None, "fy", description="空欄は基準日の年度"),
    Param("inspection_hours", "要点検時の停止時間(h)", 24, "num", "h", min=0),
    Param("procure_hours", "再調達時間の既定値(h)", 336, "num", "h", min=0),
    Param("vendor_sla_hours", "保守SLAの既定値(h)", 72, "num", "h", min=0),
    Param("fuel_resupply_hours", "燃料補給開始の既定値(h)", 72, "num", "h", min=0),
    Param("rack_fall_intensity", "未固定ラックが損壊する震度", "6強", "enum", enum=("5弱", "5強", "6弱", "6強", "7")),
    Param("flood_floor_max", "浸水で機器が損壊する最上階", 1, "floor"),
    Param("offsite_min_km", "遠隔保管の最低距離(km)", 0, "num", "km", min=0),
    Param("discount_rate", "割引率", 0.04, "num", min=0),
    Param("yen_per_impact_hour", "影響時間1単位の金額換算(円)", None, "yen", "円"),
    Param("min_marginal_rosi", "選定に必要な最低ROSI", None, "num"),
    Param("accept_threshold", "残存リスク受容基準(レベル)", 6, "int", min=1, max=25),
    _other_name,
)

PRJ_PARAMS: tuple[Param, ...] = (
    Param("as_of_date", "基準日", None, "date", description="空欄は実行日"),
    Param("previous_report_date", "前回報告日", None, "date"),
    Param("minutes_due_business_days", "議事録提出期限(営業日)", 5, "int", "営業日", min=1),
    Param("planned_value_basis", "計画値の按分", "営業日", "enum", enum=("営業日", "暦日")),
    Param("spi_caution", "注意とするSPI", 0.95, "num"),
    Param("spi_alert", "遅延とするSPI", 0.85, "num"),
    Param("security_check_months", "セキュリティ点検の周期(月)", 1, "int", "月", min=1),
    Param("contract_end_date", "契約終了日", None, "date"),
    _other_name,
)

PUB_PARAMS: tuple[Param, ...] = (
    # not in workbooks.md §6, but cli.md asks for the same as_of_date in all four workbooks
    Param("as_of_date", "基準日", None, "date", description="空欄は実行日(他のブックと同じ日付に)"),
    Param("min_period_days", "最低意見提出期間(日)", 30, "int", "日", min=1),
    Param("period_day_one", "期間の数え方", "公表日", "enum", enum=("公表日", "公表日の翌日")),
    Param("roll_end_to_business_day", "締切日が休日のとき翌開庁日まで受け付ける", False, "bool"),
    Param("postal_date_basis", "郵送の期限判定", "受付日", "enum", enum=("受付日", "消印日")),
    Param("reflected_codes", "反映件数に数える区分", "A", "text", description="反映区分のコード(複数は「、」区切り)"),
    _other_name,
)

PARAMS: dict[str, tuple[Param, ...]] = {BCP: BCP_PARAMS, ICT: ICT_PARAMS, PRJ: PRJ_PARAMS, PUB: PUB_PARAMS}

BCP_BLOCKS: tuple[Block, ...] = (
    Block(
        "■時間区分",
        ("コード", "名称", "短縮名", "上限時間(h)", "家族等対応率"),
        tuple((b.code, b.label, b.short, b.hours, 0) for b in BANDS),
    ),
    Block(
        "■影響度",
        ("レベル", "名称", "説明"),
        (
            (1, "Ⅰ", "ほとんど影響なし"),
            (2, "Ⅱ", "小さい"),
            (3, "Ⅲ", "中程度"),
            (4, "Ⅳ", "大きい"),
            (5, "Ⅴ", "甚大"),
        ),
    ),
    Block(
        "■業務区分",
        ("区分名", "既定で優先", "重み"),
        (
            ("災害応急対策業務", "はい", 1.0),
            ("優先度の高い通常業務", "いいえ", 1.0),
            ("新規発生業務", "いいえ", 1.0),
            ("災害復旧・復興業務", "いいえ", 1.0),
            ("通常業務(休止・縮小)", "いいえ", 1.0),
        ),
    ),
    Block(
        "■距離区分",
        ("区分名", "代表距離(km)"),
        (
            ("1km未満", 1),
            ("1〜3km", 3),
            ("3〜5km", 5),
            ("5〜10km", 10),
            ("10〜20km", 20),
            ("20km以上", 30),
        ),
    ),
    Block("■不在想定職位", ("職位",)),
    Block("■被害想定", ("項目", "値", "単位", "出典")),
)
ICT_BLOCKS: tuple[Block, ...] = (
    Block(
        "■対策レベル",
        ("レベル", "目標RTO上限(h)", "説明"),
        (
            ("L4", 3, "冗長化・庁舎外で継続稼働"),
            ("L3", 24, "ウォームスタンバイ又はクラウド、72時間電源、ラック固定、保守SLA 24時間以内"),
            ("L2", 72, "予備機・日次の遠隔バックアップ・24時間以内の復元手順"),
            ("L1", 168, "遠隔バックアップと調達・復元手順"),
            ("L0", None, "手順のみ"),
        ),
    ),
    Block("■発生可能性", ("可能性", "年発生率下限"), ((5, 0.1), (4, 0.03), (3, 0.01), (2, 0.002), (1, 0))),
    Block("■年度予算", ("年度", "予算額(円)")),
    Block("■推進体制", ("役割", "職位", "役割内容")),
)
PRJ_BLOCKS: tuple[Block, ...] = (
    Block("■リスク区分", ("区分名", "下限", "上限"), (("低", 1, 4), ("中", 5, 9), ("高", 10, 25))),
)
PUB_BLOCKS: tuple[Block, ...] = (
    Block(
        "■反映区分",
        ("コード", "名称"),
        (
            ("A", "意見を反映し案を修正"),
            ("B", "意見の趣旨は既に案に含まれている"),
            ("C", "今後の参考・検討とする"),
            ("D", "反映しない"),
            ("E", "その他(質問・感想等)"),
        ),
    ),
)

BLOCKS: dict[str, tuple[Block, ...]] = {
    BCP: (*BCP_BLOCKS, HOLIDAY_BLOCK),
    ICT: (*ICT_BLOCKS, HOLIDAY_BLOCK),
    PRJ: (*PRJ_BLOCKS, HOLIDAY_BLOCK),
    PUB: (*PUB_BLOCKS, HOLIDAY_BLOCK),
}
PARAM_BLOCK = "■パラメータ"


def block_titles(workbook: str) -> tuple[str, ...]:
    return (PARAM_BLOCK, *(b.title for b in BLOCKS[workbook]))
