"""The workbook contract of ``workbooks.md``: sheets, headers, snake_case names, kinds and rules.

This table is the one place that knows the headers. The reader, the pandera models, ``init`` (blank
masters with drop-down lists) and the sample generator are all driven by it, so a header changes in
one place only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bcp_xl.compute.bands import DEFAULT_BANDS, Band

Kind = Literal[
    "id", "wbs", "text", "enum", "int", "num", "yen", "share", "bool", "date", "fy", "band",
    "floor", "impact", "list",
]  # fmt: skip
Req = Literal["required", "optional", "conditional"]

BCP = "bcp_master"
ICT = "ict_master"
PRJ = "project_master"
PUB = "pubcomment"
WORKBOOKS = (BCP, ICT, PRJ, PUB)
WORKBOOK_LABELS = {
    BCP: "区BCPマスタ",
    ICT: "ICT-BCPマスタ",
    PRJ: "プロジェクト管理",
    PUB: "パブリックコメント",
}

SETTINGS_SHEET = "設定"
RESULT_PREFIX = "計算_"
REPORT_SHEET = "検証結果"


@dataclass(frozen=True)
class Column:
    """One defined column of an input sheet."""

    header: str
    name: str
    kind: Kind
    req: Req = "optional"
    id_prefix: str | None = None  # for kind id: "T-" …
    id_digits: int = 0
    enum: tuple[str, ...] = ()
    enum_block: str | None = None  # values come from this 設定 block (■業務区分 …) when present
    synonyms: tuple[tuple[str, str], ...] = ()
    item_kind: Kind | None = None  # for kind list
    ref: tuple[str, str] | None = None  # (workbook, sheet) the IDs must exist in
    ref_allows_all: bool = False  # a list that may be 「全」
    key: bool = False
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    default: object = None
    width: int = 14
    note: str = ""  # the input message shown in Excel

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("int", "num", "yen", "share", "floor", "impact", "fy")


@dataclass(frozen=True)
class SheetSpec:
    """One input sheet: its columns and its key."""

    workbook: str
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    optional: bool = False
    note: str = ""
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})

    def column(self, name: str) -> Column:
        return self.by_name[name]

    @property
    def id_column(self) -> Column:
        """The first key column: the cell that names a row in messages."""
        return self.by_name[self.key[0]] if self.key else self.columns[0]


def c(header: str, name: str, kind: Kind, req: Req = "optional", **kw: object) -> Column:
    return Column(header, name, kind, req, **kw)  # type: ignore[arg-type]


def ident(header: str, name: str, prefix: str, digits: int, req: Req = "required", **kw: object) -> Column:
    return c(header, name, "id", req, id_prefix=prefix, id_digits=digits, **kw)


def enum(header: str, name: str, values: str, req: Req = "required", **kw: object) -> Column:
    return c(header, name, "enum", req, enum=tuple(values.split("/")), **kw)


def ref(
    header: str, name: str, prefix: str, digits: int, target: tuple[str, str], req: Req = "optional", **kw: object
) -> Column:
    return ident(header, name, prefix, digits, req, ref=target, **kw)


def reflist(header: str, name: str, prefix: str, digits: int, target: tuple[str, str], **kw: object) -> Column:
    return c(header, name, "list", "optional", item_kind="id", id_prefix=prefix, id_digits=digits, ref=target, **kw)


def text(header: str, name: str, req: Req = "optional", **kw: object) -> Column:
    return c(header, name, "text", req, **kw)


# ---- time bands (workbooks.md §2.5) -------------------------------------------------------------


# the default bands of workbooks.md §2.5 are defined once, with the rules that use them
BANDS: tuple[Band, ...] = DEFAULT_BANDS
BAND_CODES = tuple(b.code for b in BANDS)
TIMED_BANDS = tuple(b for b in BANDS if b.short)

# ---- shared enumerations ------------------------------------------------------------------------

TASK_CATEGORIES = (
    "災害応急対策業務",
    "優先度の高い通常業務",
    "新規発生業務",
    "災害復旧・復興業務",
    "通常業務(休止・縮小)",
)
DISTANCE_BUCKETS = ("1km未満", "1〜3km", "3〜5km", "5〜10km", "10〜20km", "20km以上")
REFLECTION_CODES = ("A", "B", "C", "D", "E")
CHANNELS = "持参/郵送/FAX/電子メール/電子申請/その他"

# ---- bcp_master -----------------------------------------------------------------------------------

ORG = (BCP, "組織")
TASK = (BCP, "業務一覧")
PROC = (BCP, "行動手順")
TRAIN = (BCP, "訓練計画")
BLD = (ICT, "庁舎")
SYS = (ICT, "システム一覧")
SCN = (ICT, "リスクシナリオ")
WBS = (PRJ, "WBS")
CAMPAIGN = (PUB, "募集概要")

_impacts = tuple(
    c(
        f"影響度({b.short})",
        f"impact_{b.code.lower()}",
        "impact",
        "conditional",
        min=1,
        max=5,
        width=10,
        note="1〜5(5が最大)。時間とともに同じか大きく",
    )
    for b in TIMED_BANDS
)
_needs = tuple(
    c(
        f"必要人員({b.short})",
        f"need_{b.code.lower()}",
        "int",
        "optional",
        min=0,
        width=10,
        note="その時間帯に必要な人数(空欄は0)",
    )
    for b in TIMED_BANDS
)

BCP_SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        BCP,
        "組織",
        (
            ident("組織ID", "org_id", "ORG-", 2, key=True),
            text("組織名", "org_name", "required", width=22),
            enum("階層", "level", "区/本部/部/課/係"),
            ref("上位組織ID", "parent_org_id", "ORG-", 2, ORG, "conditional"),
            text("長の職名", "head_position", width=16),
            ref("建物ID", "building_id", "BLD-", 2, BLD),
            c("階", "floor", "floor"),
            text("備考", "note", width=24),
        ),
        key=("org_id",),
    ),
    SheetSpec(
        BCP,
        "業務一覧",
        (
            ident("業務ID", "task_id", "T-", 4, key=True),
            ref("組織ID", "org_id", "ORG-", 2, ORG, "required"),
            text("業務名", "task_name", "required", width=30),
            text("業務概要", "description", width=30),
            c("業務区分", "category", "enum", "required", enum=TASK_CATEGORIES, enum_block="■業務区分", width=20),
            enum("根拠区分", "basis", "地域防災計画/法令/事務分掌/発災後新規/その他", "optional"),
            text("根拠法令等", "legal_ref"),
            enum("業務継続区分", "continuation", "継続/再開/新規開始/休止・縮小"),
            c("通常配置人数", "normal_staff", "int", min=0),
            *_impacts,
            enum("主な影響分野", "impact_axis", "生命・身体/区民生活/財産・経済/行政機能/法令・信用", "optional"),
            c("開始目標上書き", "start_band_override", "band"),
            text("上書き理由", "override_reason", "conditional", width=24),
            *_needs,
            text("必要資格", "skills_required"),
            text("必要施設・資源", "facility_needs"),
            text("代替手段", "manual_alt", width=24),
            text("最低限の業務水準", "min_service_level", width=20),
            text("担当職位", "primary_role"),
            c("代替職位", "alt_roles", "list", item_kind="text"),
            reflist("関連手順ID", "procedure_ids", "PR-", 3, PROC),
        ),
        key=("task_id",),
    ),
    SheetSpec(
        BCP,
        "職員参集",
        (
            ident("集計ID", "group_id", "SG-", 3, key=True),
            ref("組織ID", "org_id", "ORG-", 2, ORG, "required"),
            c("距離区分", "distance_bucket", "enum", "conditional", enum=DISTANCE_BUCKETS, enum_block="■距離区分"),
            c("距離(km)", "distance_km", "num", "conditional", min=0),
            c("人数", "headcount", "int", "required", min=0),
            c("災害時指定", "disaster_designated", "bool", default=False),
            ref("指定参集先組織ID", "designated_org_id", "ORG-", 2, ORG, "conditional"),
            c("在庁率(勤務時間内)", "on_duty_share", "share"),
            c("在庁率(勤務時間外)", "off_hours_share", "share"),
            c("区内居住", "resides_in_ward", "bool", default=True),
            text("職種", "job_type"),
            text("備考", "note"),
        ),
        key=("group_id",),
        note="個人名・住所・職員番号・生年月日は入力しないでください",
    ),
    SheetSpec(
        BCP,
        "職務代行",
        (
            text("対象職位", "position", "required", width=18),
            c("順位", "order", "int", "required", min=1),
            text("代行職位", "successor_position", "required", width=18),
            ref("代行者組織ID", "successor_org_id", "ORG-", 2, ORG),
            c("代行者距離(km)", "successor_distance_km", "num", "conditional", min=0),
            c("代行者参集時間(h)", "successor_arrival_hours", "num", "conditional", min=0),
            text("権限範囲", "authority_scope"),
            text("根拠", "basis"),
        ),
        key=("position", "order"),
    ),
    SheetSpec(
        BCP,
        "行動手順",
        (
            ident("手順ID", "procedure_id", "PR-", 3),
            text("手順名", "procedure_name", "conditional", width=24),
            enum("段階", "phase", "初動/応急/復旧"),
            c("手順番号", "step_no", "int", "required", min=1),
            text("行動内容", "action", "required", width=36),
            text("発動条件", "trigger"),
            c("期限(h)", "due_hours", "num", "required", min=0),
            text("担当職位", "responsible_role", "required"),
            c("代替職位", "alternate_roles", "list", item_kind="text"),
            text("必要資源", "required_resources"),
            text("担当不在時の対応", "fallback_if_role_absent", width=24),
            text("資源欠如時の対応", "fallback_if_resource_missing", width=24),
            reflist("関連業務ID", "related_task_ids", "T-", 4, TASK),
            reflist("関連システムID", "related_system_ids", "SYS-", 3, SYS),
            c("確認項目", "is_checklist", "bool", default=False),
        ),
        key=("procedure_id", "step_no"),
    ),
    SheetSpec(
        BCP,
        "重要6要素",
        (
            ident("項目ID", "fact_id", "SIX-", 2, key=True),
            c("要素番号", "element_no", "int", "required", min=1, max=6),
            enum("区分", "fact_type", "参集体制/代替庁舎/非常用発電/燃料/飲料水/食料/通信手段/バックアップ/その他"),
            text("名称", "name", "required", width=20),
            ref("建物ID", "building_id", "BLD-", 2, BLD, "conditional"),
            c("数量", "quantity", "num", "conditional", min=0),
            c("対象人数", "persons", "int", "conditional", min=0),
            text("事業者", "provider"),
            c("非常用電源", "backup_power", "bool", default=False),
            enum("状態", "status", "未/一部/済"),
            text("根拠資料", "evidence"),
            text("備考", "note"),
        ),
        key=("fact_id",),
    ),
    SheetSpec(
        BCP,
        "訓練計画",
        (
            ident("訓練ID", "training_id", "TR-", 3, key=True),
            c("年度", "fiscal_year", "fy", "required"),
            text("訓練名", "name", "required", width=24),
            enum("対象計画", "plan", "区BCP/ICT-BCP/両方", "optional", default="区BCP"),
            enum(
                "種別",
                "type",
                "机上訓練/図上訓練/実動訓練/参集訓練/安否確認訓練/通信訓練/代替庁舎移転訓練/システム復旧訓練/総合訓練",
            ),
            text("想定シナリオ", "scenario", width=20),
            text("目的", "objectives", width=24),
            reflist("対象手順ID", "procedure_ids", "PR-", 3, PROC),
            reflist("対象組織ID", "org_ids", "ORG-", 2, ORG),
            c("予定日", "planned_date", "date", "required"),
            c("休日想定", "holiday_scenario", "bool", default=False),
            c("参加予定人数", "planned_participants", "int", min=0),
            text("担当職位", "owner_role"),
        ),
        key=("training_id",),
    ),
    SheetSpec(
        BCP,
        "訓練記録",
        (
            ident("記録ID", "record_id", "EX-", 4, key=True),
            ref("訓練ID", "training_id", "TR-", 3, TRAIN, "required"),
            c("実施日", "held_date", "date", "required"),
            c("参加人数", "participants", "int", min=0),
            text("計測項目", "metric"),
            c("計測値", "measured", "num", "conditional"),
            c("目標値", "target", "num"),
            enum("目標の向き", "target_direction", "以上/以下", "optional", default="以上"),
            text("所見", "finding", width=30),
            text("是正措置", "corrective_action", width=24),
            text("是正担当", "action_owner", "conditional"),
            c("是正期限", "action_due", "date", "conditional"),
            enum("是正状況", "action_status", "未着手/対応中/完了", "conditional"),
            text("計画反映先", "plan_ref"),
        ),
        key=("record_id",),
    ),
)

# ---- ict_master -------------------------------------------------------------------------------------

LEVELS = "L0/L1/L2/L3/L4"
ICT_SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        ICT,
        "庁舎",
        (
            ident("建物ID", "building_id", "BLD-", 2, key=True),
            text("名称", "name", "required", width=20),
            enum("種類", "kind", "本庁舎/庁舎/出張所等/外部DC/その他"),
            c("竣工年", "completed_year", "int", "conditional", min=1868, max=2100),
            enum("耐震基準", "seismic_standard", "旧耐震/新耐震", "conditional"),
            c("耐震補強", "retrofitted", "bool", default=False),
            c("補強年", "retrofit_year", "int", min=1868, max=2100),
            c("Is値", "is_value", "num", min=0),
            c("浸水想定深(m)", "flood_depth_m", "num", min=0, default=0.0),
            c("発電機稼働時間(h)", "generator_hours", "num", "required", min=0),
            c("燃料供給契約", "fuel_contract", "bool", default=False),
            c("燃料補給開始(h)", "fuel_resupply_hours", "num", min=0),
            c("代替拠点", "is_alternate_site", "bool", default=False),
            text("備考", "note"),
        ),
        key=("building_id",),
    ),
    SheetSpec(
        ICT,
        "システム一覧",
        (
            ident("システムID", "system_id", "SYS-", 3, key=True),
            text("システム名", "name", "required", width=24),
            text("概要", "summary", width=24),
            enum("種別", "kind", "業務/庁内LAN/外部回線/端末/認証/その他基盤"),
            ref("主管組織ID", "owner_org_id", "ORG-", 2, ORG),
            text("保守事業者", "vendor", width=18),
            c("保守SLA(h)", "vendor_sla_hours", "num", min=0),
            enum("ホスティング", "hosting", "庁舎内/外部DC/ガバメントクラウド/SaaS"),
            ref("建物ID", "building_id", "BLD-", 2, BLD, "conditional"),
            c("階", "floor", "floor"),
            text("設置室", "room"),
            c("ラック固定", "rack_anchored", "bool", "conditional"),
            c("UPS(分)", "ups_minutes", "int", min=0, default=0),
            c("回線冗長", "redundant_line", "bool", default=False),
            reflist("依存システムID", "depends_on", "SYS-", 3, SYS),
            c("必要端末数", "terminals_required", "int", min=0),
            enum("バックアップ方式", "backup_method", "なし/テープ/ディスク/クラウド/レプリケーション"),
            c("バックアップ間隔(h)", "backup_interval_hours", "num", "conditional", min=0, min_exclusive=True),
            c("遠隔保管", "backup_offsite", "bool", "conditional"),
            c("遠隔保管距離(km)", "backup_offsite_km", "num", min=0),
            c("復旧時間(h)", "restore_hours", "num", "required", min=0),
            c("再調達時間(h)", "procure_hours", "num", min=0),
            enum("現行対策レベル", "current_level", LEVELS, "optional"),
            text("備考", "note"),
        ),
        key=("system_id",),
    ),
    SheetSpec(
        ICT,
        "業務システム依存",
        (
            ref("業務ID", "task_id", "T-", 4, TASK, "required"),
            ref("システムID", "system_id", "SYS-", 3, SYS, "required"),
            enum("依存度", "dependency", "A/B/C"),
            c("手作業許容時間(h)", "manual_tolerance_hours", "num", "conditional", min=0),
            c("必要RPO(h)", "rpo_need_hours", "num", min=0),
            text("代替手段", "manual_alt", width=24),
            text("備考", "note"),
        ),
        key=("task_id", "system_id"),
    ),
    SheetSpec(
        ICT,
        "リスクシナリオ",
        (
            ident("シナリオID", "scenario_id", "SCN-", 2, key=True),
            text("シナリオ名", "name", "required", width=24),
            enum("ハザード", "hazard", "地震/風水害/停電/通信障害/サイバー攻撃/感染症/火災/その他"),
            enum("時間帯", "time_condition", "勤務時間内/勤務時間外"),
            enum("想定震度", "intensity", "なし/5弱/5強/6弱/6強/7", "optional", default="なし"),
            c("浸水", "flooding", "bool", default=False),
            c("発生確率", "probability", "num", "conditional", min=0, max=1),
            c("確率の期間(年)", "probability_years", "num", "conditional", min=0, min_exclusive=True),
            c("年間発生頻度", "annual_rate", "num", "conditional", min=0),
            c("停電時間(h)", "power_outage_hours", "num", min=0, default=0.0),
            c("通信途絶時間(h)", "telecom_outage_hours", "num", min=0, default=0.0),
            c("断水日数", "water_outage_days", "num", min=0),
            c("ベンダー到着不能時間(h)", "vendor_blocked_hours", "num", min=0, default=0.0),
            text("庁舎被害", "building_states", width=30),
            c(
                "強制復旧対象",
                "forced_restore",
                "list",
                item_kind="id",
                id_prefix="SYS-",
                id_digits=3,
                ref=SYS,
                ref_allows_all=True,
            ),
            c("主シナリオ", "is_main", "bool", default=False),
            text("備考", "note"),
        ),
        key=("scenario_id",),
    ),
    SheetSpec(
        ICT,
        "対策案",
        (
            ident("対策ID", "measure_id", "CM-", 3, key=True),
            text("対策名", "name", "required", width=28),
            enum("種別", "type", "予防/代替/復旧"),
            c("対象ID", "target_ids", "list", "required", item_kind="id"),
            text("効果", "effect", "required", width=30),
            c("初期費用(円)", "initial_cost", "yen", "required", min=0),
            c("年間費用(円)", "annual_cost", "yen", min=0, default=0),
            c("耐用年数", "life_years", "int", "required", min=1),
            c("必須", "mandatory", "bool", default=False),
            c("実施年度", "fiscal_year", "fy"),
            enum("状況", "status", "検討中/要求中/予算化/実施済/見送り"),
            text("備考", "note"),
        ),
        key=("measure_id",),
    ),
    SheetSpec(
        ICT,
        "残存リスク",
        (
            ident("残存リスクID", "residual_id", "RR-", 3, key=True),
            ref("シナリオID", "scenario_id", "SCN-", 2, SCN, "required"),
            ref("システムID", "system_id", "SYS-", 3, SYS, "required"),
            enum("対応方針", "treatment", "受容/移転/低減継続/回避"),
            text("暫定措置", "interim_measure", width=24),
            text("承認者", "approver"),
            c("承認日", "approved_date", "date"),
            c("次回見直し日", "next_review", "date"),
            text("備考", "note"),
        ),
        key=("residual_id",),
    ),
)

# ---- project_master -----------------------------------------------------------------------------

PRJ_SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        PRJ,
        "WBS",
        (
            c("WBS番号", "wbs_id", "wbs", "required", key=True),
            text("作業名", "name", "required", width=28),
            text("成果物", "deliverable", width=20),
            text("担当", "owner"),
            c("予定開始日", "planned_start", "date", "conditional"),
            c("予定終了日", "planned_finish", "date", "conditional"),
            c("予定工数(人日)", "planned_effort", "num", "conditional", min=0),
            c("進捗率", "percent_complete", "share", "conditional"),
            c("実績終了日", "actual_finish", "date"),
            text("備考", "note"),
        ),
        key=("wbs_id",),
    ),
    SheetSpec(
        PRJ,
        "課題",
        (
            ident("課題ID", "issue_id", "ISS-", 3, key=True),
            text("課題内容", "content", "required", width=30),
            c("起票日", "raised_date", "date", "required"),
            enum("優先度", "priority", "高/中/低"),
            c("期限", "due_date", "date", "required"),
            text("担当", "owner", "required"),
            enum("状況", "status", "未着手/対応中/完了/取下げ"),
            text("対応内容", "action", width=24),
            text("結果", "result"),
            c("解決日", "resolved_date", "date", "conditional"),
        ),
        key=("issue_id",),
    ),
    SheetSpec(
        PRJ,
        "リスク",
        (
            ident("リスクID", "risk_id", "RSK-", 3, key=True),
            text("リスク内容", "event", "required", width=30),
            text("原因", "cause"),
            c("発生可能性", "probability", "int", "required", min=1, max=5),
            c("影響度", "impact", "int", "required", min=1, max=5),
            text("対応策", "mitigation", width=24),
            text("担当", "owner", "required"),
            c("見直し日", "review_date", "date", "required"),
            enum("状況", "status", "監視中/対応中/顕在化/クローズ"),
        ),
        key=("risk_id",),
    ),
    SheetSpec(
        PRJ,
        "品質基準",
        (
            ident("基準ID", "criterion_id", "QC-", 3, key=True),
            text("対象成果物", "deliverable", "required", width=20),
            c("WBS番号", "wbs_id", "wbs", ref=WBS),
            text("工程", "phase"),
            text("品質基準", "criterion", "required", width=30),
            text("確認方法", "method"),
            enum("結果", "result", "未評価/合格/条件付合格/不合格"),
            c("確認日", "checked_date", "date", "conditional"),
            text("承認者", "approver", "conditional"),
        ),
        key=("criterion_id",),
    ),
    SheetSpec(
        PRJ,
        "変更履歴",
        (
            ident("変更ID", "change_id", "CHG-", 3, key=True),
            text("対象", "item", "required", width=20),
            text("版", "version", "required"),
            c("変更日", "change_date", "date", "required"),
            text("変更内容", "description", "required", width=30),
            text("承認者", "approver", "required"),
            c("承認日", "approved_date", "date"),
        ),
        key=("change_id",),
    ),
    SheetSpec(
        PRJ,
        "会議",
        (
            ident("会議ID", "meeting_id", "MTG-", 3, key=True),
            c("開催日", "held_date", "date", "required"),
            enum("種別", "type", "定例会/キックオフ/レビュー/臨時/その他"),
            text("会議名", "title", width=24),
            c("出席者", "attendees", "list", item_kind="text", width=24),
            c("議事録提出日", "minutes_submitted", "date"),
            c("議事録承認日", "minutes_approved", "date"),
        ),
        key=("meeting_id",),
    ),
    SheetSpec(
        PRJ,
        "セキュリティ点検",
        (
            ident("点検ID", "check_id", "SEC-", 3, key=True),
            c("実施日", "checked_date", "date", "required"),
            text("点検項目", "item", "required", width=24),
            enum("結果", "result", "適合/不適合/該当なし"),
            text("指摘事項", "finding", "conditional", width=24),
            text("是正措置", "corrective_action", width=24),
            c("是正期限", "action_due", "date", "conditional"),
            c("是正完了日", "action_done", "date"),
            text("点検者", "checker", "required"),
        ),
        key=("check_id",),
    ),
    SheetSpec(
        PRJ,
        "機密情報授受",
        (
            ident("授受ID", "item_id", "CNF-", 3, key=True),
            c("授受日", "received_date", "date", "required"),
            text("資料名", "item", "required", width=24),
            enum("媒体", "medium", "紙/電子媒体/電子データ"),
            text("提供者", "provider", "required"),
            text("受領者", "receiver", "required"),
            c("返却・廃棄期限", "due_date", "date"),
            c("返却・廃棄日", "disposed_date", "date"),
            enum("方法", "method", "返却/廃棄(裁断)/廃棄(溶解)/廃棄(データ消去)/その他", "conditional"),
            text("確認者", "verifier", "conditional"),
        ),
        key=("item_id",),
    ),
    SheetSpec(
        PRJ,
        "体制",
        (
            ident("体制ID", "member_id", "ORGM-", 2, key=True),
            enum("区分", "side", "受託者/発注者"),
            enum(
                "役割", "role", "プロジェクト管理者/プロジェクトリーダー/プロジェクトメンバー/発注者責任者/発注者担当"
            ),
            text("氏名", "name", "required"),
            text("担当", "responsibility"),
            c("自治体BCP経験", "municipal_experience", "bool", default=False),
            c("着任日", "start_date", "date"),
            c("離任日", "end_date", "date"),
            c("変更通知日", "change_notified", "date", "conditional"),
        ),
        key=("member_id",),
        optional=True,
    ),
)

# ---- pubcomment -----------------------------------------------------------------------------------

PUB_SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        PUB,
        "募集概要",
        (
            ident("案件ID", "campaign_id", "PC-", 2, key=True),
            text("計画名", "plan_name", "required", width=24),
            c("公表日", "publish_date", "date", "required"),
            c("締切日", "end_date", "date", "required"),
            c("提出方法", "channels", "list", "required", item_kind="enum", enum=tuple(CHANNELS.split("/")), width=24),
            text("所管課", "owner_org"),
            text("備考", "note"),
        ),
        key=("campaign_id",),
    ),
    SheetSpec(
        PUB,
        "意見",
        (
            ident("意見ID", "comment_id", "C-", 4, key=True),
            ident("提出ID", "submission_id", "S-", 3),
            ref("案件ID", "campaign_id", "PC-", 2, CAMPAIGN, "conditional"),
            c("受付日", "received_date", "date", "required"),
            c("消印日", "postmark_date", "date"),
            enum("提出方法", "channel", CHANNELS),
            enum("提出者区分", "submitter_type", "区内在住/区内在勤/区内在学/区内事業者・団体/利害関係者/不明"),
            text("該当箇所", "plan_section", width=16),
            text("意見原文", "original_text", "required", width=40),
            text("意見の概要", "summary", width=30),
            text("区の考え方", "ward_response", width=30),
            c("反映区分", "reflection", "enum", enum=REFLECTION_CODES, enum_block="■反映区分"),
            text("修正内容", "revision_text", "conditional", width=24),
            text("対象外理由", "ineligible_reason"),
        ),
        key=("comment_id",),
    ),
)

SHEETS: dict[str, tuple[SheetSpec, ...]] = {BCP: BCP_SHEETS, ICT: ICT_SHEETS, PRJ: PRJ_SHEETS, PUB: PUB_SHEETS}
SETTINGS_REQUIRED = {BCP: True, ICT: True, PRJ: False, PUB: False}


def sheet_spec(workbook: str, sheet: str) -> SheetSpec:
    for s in SHEETS[workbook]:
        if s.name == sheet:
            return s
    raise KeyError((workbook, sheet))


def sheet_order(workbook: str) -> list[str]:
    """Sheet names in the order they are written and reported (設定 first)."""
    return [SETTINGS_SHEET, *(s.name for s in SHEETS[workbook])]
