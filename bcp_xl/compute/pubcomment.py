"""Rule R14, public comment (パブリックコメント), for pubcomment.xlsx.

- **Period.** 期間日数 = 締切日 − 公表日 + 1 when ``period_day_one`` = 公表日 (default), or 締切日 − 公表日
  when 公表日の翌日; 期間判定 is 適合 when 期間日数 ≥ ``min_period_days`` (30), else 不足 with
  ``period-too-short`` naming the earliest acceptable 締切日. The counts are made either way.
- **実効締切日** E = 締切日, or the next business day (R1, with ■区の休日追加) when
  ``roll_end_to_business_day`` is on.
- **Judging date** = 受付日; for 郵送 with ``postal_date_basis`` = 消印日 and a 消印日, the 消印日
  (``postmark-missing`` when it is blank). 期間内 ⇔ 公表日 ≤ judging date ≤ E. A comment is counted when
  it is 期間内 and 対象外理由 is blank; the others are listed in 計算_期間外意見 as 対象外 (対象外理由 filled,
  in or out of the period), 期間前 or 期間後.
- **Counts** per campaign over counted comments: 提出者数 = distinct 提出ID, 意見件数 = rows, 反映件数 =
  rows whose 反映区分 is in ``reflected_codes`` ("A", "A、B", …), rows per 反映区分 and 未分類 (blank),
  submissions per 提出方法; 期間外件数 and 対象外件数 are rows.

Column names of 計算_集計 (``SUMMARY_COLUMNS``): the per-code counts are ``code_a`` … ``code_e`` and
``unclassified`` (未分類); the submitters per channel are ``ch_jisan`` (持参), ``ch_yuso`` (郵送),
``ch_fax`` (FAX), ``ch_email`` (電子メール), ``ch_online`` (電子申請) and ``ch_other`` (その他).
``period_ok`` holds the text 適合 or 不足 (期間判定); ``within_period`` and ``counted`` of
計算_意見判定 are booleans.

Rows that share a 提出ID are one submission: when their 受付日, 消印日, 提出方法 or 提出者区分 differ
(``submission-mismatch``, workbooks.md §6.2), the earliest date and the values of the submission's first
row (Excel order) are used for all of them, so every opinion of a submission is judged alike and
each submission is counted under one channel.

The module is pure: frames in, frames and findings out.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from bcp_xl.compute.base import Finding, RuleResult, Severity
from bcp_xl.compute.calendar import WardCalendar
from bcp_xl.compute.values import as_date, as_number, as_text, last_number_key, row_records

__all__ = [
    "CAMPAIGN_SHEET",
    "CHANNELS",
    "CHANNEL_COLUMNS",
    "COMMENT_SHEET",
    "DEFAULT_REFLECTION_CODES",
    "JUDGEMENT_COLUMNS",
    "LIST_COLUMNS",
    "NO_SECTION",
    "OUT_OF_PERIOD_COLUMNS",
    "REASON_AFTER",
    "REASON_BEFORE",
    "REASON_INELIGIBLE",
    "SECTION_COLUMNS",
    "SUMMARY_COLUMNS",
    "CampaignSummary",
    "PubCommentInputs",
    "PubCommentResult",
    "PubCommentSettings",
    "natural_key",
    "parse_codes",
    "public_comment",
    "required_end_date",
]

CAMPAIGN_SHEET: Final = "募集概要"
COMMENT_SHEET: Final = "意見"
WORKBOOK: Final = "pubcomment"

SUMMARY_SHEET: Final = "計算_集計"
LIST_SHEET: Final = "計算_意見一覧"
JUDGEMENT_SHEET: Final = "計算_意見判定"
SECTION_SHEET: Final = "計算_該当箇所別"
OUT_OF_PERIOD_SHEET: Final = "計算_期間外意見"

CODE_LETTERS: Final = ("A", "B", "C", "D", "E")
CODE_COLUMNS: Final = tuple(f"code_{k.lower()}" for k in CODE_LETTERS)
CHANNELS: Final = ("持参", "郵送", "FAX", "電子メール", "電子申請", "その他")
CHANNEL_COLUMNS: Final[Mapping[str, str]] = {
    "持参": "ch_jisan",
    "郵送": "ch_yuso",
    "FAX": "ch_fax",
    "電子メール": "ch_email",
    "電子申請": "ch_online",
    "その他": "ch_other",
}
POSTAL: Final = "郵送"
UNKNOWN_SUBMITTER: Final = "不明"

SUMMARY_COLUMNS: Final = (
    "campaign_id",
    "plan_name",
    "publish_date",
    "end_date",
    "effective_end",
    "period_days",
    "period_ok",
    "submitters",
    "comments",
    "reflected",
    *CODE_COLUMNS,
    "unclassified",
    *CHANNEL_COLUMNS.values(),
    "out_of_period",
    "ineligible",
)
LIST_COLUMNS: Final = (
    "seq",
    "campaign_id",
    "plan_section",
    "summary",
    "ward_response",
    "reflection",
    "reflection_label",
    "comment_id",
    "submission_id",
)
JUDGEMENT_COLUMNS: Final = (
    "comment_id",
    "submission_id",
    "campaign_id",
    "date_used",
    "within_period",
    "counted",
    "reason",
)
SECTION_COLUMNS: Final = ("campaign_id", "plan_section", "comments", "reflected")
OUT_OF_PERIOD_COLUMNS: Final = (
    "campaign_id",
    "comment_id",
    "submission_id",
    "received_date",
    "date_used",
    "reason",
)

PERIOD_OK: Final = "適合"
PERIOD_SHORT: Final = "不足"
REASON_BEFORE: Final = "期間前"
REASON_AFTER: Final = "期間後"
REASON_INELIGIBLE: Final = "対象外"
NOTE_POSTMARK: Final = "消印日で判定"
NOTE_NO_POSTMARK: Final = "消印日なし(受付日で判定)"
NO_SECTION: Final = "(指定なし)"

DAY_ONE_PUBLISH: Final = "公表日"
DAY_ONE_NEXT: Final = "公表日の翌日"
BASIS_RECEIVED: Final = "受付日"
BASIS_POSTMARK: Final = "消印日"

DEFAULT_REFLECTION_CODES: Final[tuple[tuple[str, str], ...]] = (
    ("A", "意見を反映し案を修正"),
    ("B", "意見の趣旨は既に案に含まれている"),
    ("C", "今後の参考・検討とする"),
    ("D", "反映しない"),
    ("E", "その他(質問・感想等)"),
)

_MISSING: Final = (
    ("summary", "missing-summary", "意見の概要"),
    ("ward_response", "missing-response", "区の考え方"),
    ("reflection", "missing-reflection", "反映区分"),
)
_SPLIT: Final = re.compile(r"[,、，;；\s]+")
_DIGITS: Final = re.compile(r"(\d+)")
_TRUE: Final = frozenset({"○", "◯", "〇", "●", "✓", "✔", "レ", "はい", "有", "あり", "Y", "YES", "TRUE", "1"})
_FALSE: Final = frozenset({"×", "✕", "いいえ", "無", "なし", "N", "NO", "FALSE", "0", "-", "－"})


# ---- inputs, settings and results ---------------------------------------------------------------


@dataclass
class PubCommentInputs:
    """Everything R14 reads, already validated.

    ``params``: ■パラメータ of pubcomment (None or a missing key = the default of workbooks.md §6);
    ``reflection_codes``: ■反映区分 as (コード, 名称) in block order; ``holidays``: ■区の休日追加;
    ``campaigns`` / ``comments``: the valid rows of 募集概要 / 意見 (index = Excel row, snake_case
    columns of the contract, None for blank cells, dates as ``datetime.date``, 募集概要.channels a
    tuple). ``sheets_unusable`` names input sheets with a sheet-level error: the rule is then skipped.
    """

    params: Mapping[str, Any]
    reflection_codes: Sequence[tuple[str, str]] = DEFAULT_REFLECTION_CODES
    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    campaigns: pd.DataFrame = field(default_factory=pd.DataFrame)
    comments: pd.DataFrame = field(default_factory=pd.DataFrame)
    sheets_unusable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PubCommentSettings:
    """The ■パラメータ values R14 uses, defaults filled in."""

    min_period_days: int = 30
    period_day_one: str = DAY_ONE_PUBLISH
    roll_end_to_business_day: bool = False
    postal_date_basis: str = BASIS_RECEIVED
    reflected_codes: tuple[str, ...] = ("A",)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> PubCommentSettings:
        """Settings from ■パラメータ; a blank or unreadable value takes its default."""
        d = cls()
        n = as_number(params.get("min_period_days"))
        min_days = int(n) if n is not None and n >= 1 and float(n).is_integer() else d.min_period_days
        day_one = _enum(params.get("period_day_one"), (DAY_ONE_PUBLISH, DAY_ONE_NEXT), d.period_day_one)
        basis = _enum(params.get("postal_date_basis"), (BASIS_RECEIVED, BASIS_POSTMARK), d.postal_date_basis)
        roll = _bool(params.get("roll_end_to_business_day"), d.roll_end_to_business_day)
        raw_codes = params.get("reflected_codes")
        codes = parse_codes(raw_codes) if as_text(raw_codes) is not None or isinstance(raw_codes, (list, tuple)) else ()
        return cls(min_days, day_one, roll, basis, codes or d.reflected_codes)

    @property
    def day_one_label(self) -> str:
        """How the period is counted, as written in messages (公表日を1日目)."""
        return f"{self.period_day_one}を1日目"


@dataclass(frozen=True)
class CampaignSummary:
    """The header figures of one campaign for the result document (意見募集結果)."""

    campaign_id: str
    plan_name: str | None
    owner_org: str | None
    channels: tuple[str, ...]
    publish_date: dt.date
    end_date: dt.date
    effective_end: dt.date
    period_days: int
    period_ok: bool
    required_end_date: dt.date  # the earliest 締切日 that meets min_period_days
    submitters: int
    comments: int
    reflected: int
    by_code: tuple[tuple[str, str, int], ...]  # (コード, 名称, 件数) in ■反映区分 order
    unclassified: int
    by_channel: tuple[tuple[str, int], ...]  # (提出方法, 提出者数) in the order of CHANNELS
    out_of_period: int
    ineligible: int


@dataclass
class PubCommentResult:
    """R14's five result frames (snake_case columns of workbooks.md §6.3), findings and header figures."""

    summary: pd.DataFrame  # 計算_集計
    comment_list: pd.DataFrame  # 計算_意見一覧
    judgements: pd.DataFrame  # 計算_意見判定
    by_section: pd.DataFrame  # 計算_該当箇所別
    out_of_period: pd.DataFrame  # 計算_期間外意見
    findings: list[Finding] = field(default_factory=list)
    campaigns: tuple[CampaignSummary, ...] = ()
    settings: PubCommentSettings = field(default_factory=PubCommentSettings)
    skipped: str | None = None  # 計算できませんでした: <理由>

    def rule_results(self) -> dict[str, RuleResult]:
        """Result sheet name → RuleResult (all findings go with 計算_集計)."""
        return {
            SUMMARY_SHEET: RuleResult(self.summary, list(self.findings), self.skipped),
            LIST_SHEET: RuleResult(self.comment_list, [], self.skipped),
            JUDGEMENT_SHEET: RuleResult(self.judgements, [], self.skipped),
            SECTION_SHEET: RuleResult(self.by_section, [], self.skipped),
            OUT_OF_PERIOD_SHEET: RuleResult(self.out_of_period, [], self.skipped),
        }


# ---- helpers ----------------------------------------------------------------------------------------


def _enum(value: object, allowed: tuple[str, ...], default: str) -> str:
    text = as_text(value)
    if text is None:
        return default
    text = unicodedata.normalize("NFKC", text)
    return text if text in allowed else default


def _bool(value: object, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    text = as_text(value)
    if text is None:
        return default
    text = unicodedata.normalize("NFKC", text).upper()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return default


def parse_codes(value: object) -> tuple[str, ...]:
    """反映区分 codes from a ■パラメータ cell: "A", "A、B", "a, b" or a list; duplicates dropped."""
    items: list[object] = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
    out: list[str] = []
    for item in items:
        text = as_text(item)
        if text is None:
            continue
        for part in _SPLIT.split(unicodedata.normalize("NFKC", text)):
            code = part.strip().upper()
            if code and code not in out:
                out.append(code)
    return tuple(out)


def natural_key(value: str | None) -> tuple[int, tuple[tuple[int, int, str], ...], str]:
    """Sort key of a 該当箇所: digit runs compared as numbers (第3章 < 第10章), blanks last."""
    if value is None:
        return (1, (), "")
    norm = unicodedata.normalize("NFKC", value)
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _DIGITS.split(norm) if p)
    return (0, parts, value)


def required_end_date(publish: dt.date, settings: PubCommentSettings) -> dt.date:
    """The earliest 締切日 giving at least ``min_period_days`` days."""
    offset = settings.min_period_days - (1 if settings.period_day_one == DAY_ONE_PUBLISH else 0)
    return publish + dt.timedelta(days=offset)


def _period_days(publish: dt.date, end: dt.date, settings: PubCommentSettings) -> int:
    days = (end - publish).days
    return days + 1 if settings.period_day_one == DAY_ONE_PUBLISH else days


def _finding(code: str, severity: Severity, sheet: str, row: int, column: str, message: str, value: object) -> Finding:
    text = value.isoformat() if isinstance(value, dt.date) else as_text(value)
    return Finding(code, severity, sheet, row, column, message, text, workbook=WORKBOOK)


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame([[r[c] for c in columns] for r in rows], columns=list(columns), dtype=object)


@dataclass(frozen=True)
class _Campaign:
    row: int
    campaign_id: str
    plan_name: str | None
    owner_org: str | None
    channels: tuple[str, ...]
    publish: dt.date
    end: dt.date
    effective_end: dt.date
    period_days: int
    period_ok: bool
    required_end: dt.date


@dataclass
class _Comment:
    row: int
    comment_id: str
    submission_id: str
    campaign_id: str
    received: dt.date
    postmark: dt.date | None
    channel: str | None
    submitter_type: str | None
    section: str | None
    summary: str | None
    ward_response: str | None
    reflection: str | None
    ineligible_reason: str | None
    date_used: dt.date = dt.date.min
    within: bool = False
    counted: bool = False
    reason: str | None = None  # 期間前 / 期間後 / 対象外 (None when counted)
    note: str | None = None  # how the judging date was chosen


# ---- the rule ---------------------------------------------------------------------------------------


def public_comment(inp: PubCommentInputs) -> PubCommentResult:
    """R14: period check, judging of every comment, counts per campaign, lists for the result document."""
    settings = PubCommentSettings.from_params(inp.params)
    unusable = [s for s in (CAMPAIGN_SHEET, COMMENT_SHEET) if s in inp.sheets_unusable]
    if unusable:
        return _empty(settings, skipped=f"{'・'.join(unusable)} シートにエラーがあるため")

    calendar = WardCalendar(inp.holidays)
    findings: list[Finding] = []
    campaigns = _campaigns(inp.campaigns, settings, calendar, findings)
    comments = _comments(inp.comments, campaigns, findings)
    code_names = {code.strip().upper(): name for code, name in inp.reflection_codes if as_text(code)}
    block_codes = tuple(code_names)

    for c in comments:
        _judge(c, campaigns[c.campaign_id], settings, findings)
        if c.counted:
            for column, code, label in _MISSING:
                if getattr(c, column) is None:
                    findings.append(
                        _finding(
                            code,
                            "warning",
                            COMMENT_SHEET,
                            c.row,
                            column,
                            f"集計対象の意見ですが、{label} が未入力です。",
                            None,
                        )
                    )
        if c.submitter_type == UNKNOWN_SUBMITTER and c.ineligible_reason is None:
            findings.append(
                _finding(
                    "submitter-unknown",
                    "warning",
                    COMMENT_SHEET,
                    c.row,
                    "submitter_type",
                    "提出者区分が不明です。要綱上の提出資格を確認し、対象外の場合は対象外理由を入力してください。",
                    c.submitter_type,
                )
            )

    summaries: list[CampaignSummary] = []
    summary_rows: list[dict[str, Any]] = []
    list_rows: list[dict[str, Any]] = []
    section_rows: list[dict[str, Any]] = []
    for camp in sorted(campaigns.values(), key=lambda x: last_number_key(x.campaign_id)):
        mine = [c for c in comments if c.campaign_id == camp.campaign_id]
        s = _summarise(camp, mine, settings, code_names, block_codes)
        summaries.append(s)
        summary_rows.append(_summary_row(s))
        counted = [c for c in mine if c.counted]
        list_rows += _list_rows(camp.campaign_id, counted, code_names)
        section_rows += _section_rows(camp.campaign_id, counted, settings)

    judgement_rows = [
        {
            "comment_id": c.comment_id,
            "submission_id": c.submission_id,
            "campaign_id": c.campaign_id,
            "date_used": c.date_used,
            "within_period": c.within,
            "counted": c.counted,
            "reason": "、".join(p for p in (_judgement_reason(c), c.note) if p) or None,
        }
        for c in sorted(comments, key=lambda x: last_number_key(x.comment_id))
    ]
    out_rows = [
        {
            "campaign_id": c.campaign_id,
            "comment_id": c.comment_id,
            "submission_id": c.submission_id,
            "received_date": c.received,
            "date_used": c.date_used,
            "reason": c.reason,
        }
        for c in sorted(comments, key=lambda x: (last_number_key(x.campaign_id), last_number_key(x.comment_id)))
        if not c.counted
    ]
    return PubCommentResult(
        summary=_frame(summary_rows, SUMMARY_COLUMNS),
        comment_list=_frame(list_rows, LIST_COLUMNS),
        judgements=_frame(judgement_rows, JUDGEMENT_COLUMNS),
        by_section=_frame(section_rows, SECTION_COLUMNS),
        out_of_period=_frame(out_rows, OUT_OF_PERIOD_COLUMNS),
        findings=findings,
        campaigns=tuple(summaries),
        settings=settings,
    )


def _judgement_reason(c: _Comment) -> str | None:
    """理由 of 計算_意見判定: 期間前 / 期間後, or 対象外 with the 対象外理由 as entered."""
    if c.reason == REASON_INELIGIBLE:
        return f"{REASON_INELIGIBLE}({c.ineligible_reason})"
    return c.reason


def _empty(settings: PubCommentSettings, skipped: str | None) -> PubCommentResult:
    return PubCommentResult(
        summary=_frame([], SUMMARY_COLUMNS),
        comment_list=_frame([], LIST_COLUMNS),
        judgements=_frame([], JUDGEMENT_COLUMNS),
        by_section=_frame([], SECTION_COLUMNS),
        out_of_period=_frame([], OUT_OF_PERIOD_COLUMNS),
        settings=settings,
        skipped=skipped,
    )


def _campaigns(
    df: pd.DataFrame, settings: PubCommentSettings, calendar: WardCalendar, findings: list[Finding]
) -> dict[str, _Campaign]:
    out: dict[str, _Campaign] = {}
    for row, rec in row_records(df):
        cid = as_text(rec.get("campaign_id"))
        publish = as_date(rec.get("publish_date"))
        end = as_date(rec.get("end_date"))
        if cid is None or publish is None or end is None or cid in out:
            continue  # left out by validation; nothing to judge against
        days = _period_days(publish, end, settings)
        ok = days >= settings.min_period_days
        required = required_end_date(publish, settings)
        effective = calendar.next_business_day(end) if settings.roll_end_to_business_day else end
        raw_channels = rec.get("channels")
        if isinstance(raw_channels, (list, tuple)):
            channels = tuple(t for x in raw_channels if (t := as_text(x)) is not None)
        else:
            channels = tuple(t for t in [as_text(raw_channels)] if t is not None)
        out[cid] = _Campaign(
            row,
            cid,
            as_text(rec.get("plan_name")),
            as_text(rec.get("owner_org")),
            channels,
            publish,
            end,
            effective,
            days,
            ok,
            required,
        )
        if not ok:
            findings.append(
                _finding(
                    "period-too-short",
                    "error",
                    CAMPAIGN_SHEET,
                    row,
                    "end_date",
                    f"意見提出期間が {days} 日です({settings.day_one_label}として数えています)。"
                    f"{settings.min_period_days} 日以上となるよう締切日を {required.isoformat()} 以降にしてください。",
                    end,
                )
            )
    return out


def _comments(df: pd.DataFrame, campaigns: Mapping[str, _Campaign], findings: list[Finding]) -> list[_Comment]:
    """The comments that belong to a known campaign, with each submission's shared cells unified."""
    only = next(iter(campaigns)) if len(campaigns) == 1 else None
    out: list[_Comment] = []
    for row, rec in row_records(df):
        comment_id = as_text(rec.get("comment_id"))
        submission_id = as_text(rec.get("submission_id"))
        received = as_date(rec.get("received_date"))
        campaign_id = as_text(rec.get("campaign_id")) or only
        if comment_id is None or submission_id is None or received is None:
            continue  # left out by validation
        if campaign_id is None or campaign_id not in campaigns:
            continue  # no campaign to judge it against (validation reports it)
        out.append(
            _Comment(
                row=row,
                comment_id=comment_id,
                submission_id=submission_id,
                campaign_id=campaign_id,
                received=received,
                postmark=as_date(rec.get("postmark_date")),
                channel=as_text(rec.get("channel")),
                submitter_type=as_text(rec.get("submitter_type")),
                section=as_text(rec.get("plan_section")),
                summary=as_text(rec.get("summary")),
                ward_response=as_text(rec.get("ward_response")),
                reflection=(r.upper() if (r := as_text(rec.get("reflection"))) is not None else None),
                ineligible_reason=as_text(rec.get("ineligible_reason")),
            )
        )
    _unify_submissions(out, findings)
    return out


def _unify_submissions(comments: list[_Comment], findings: list[Finding]) -> None:
    """Give every row of a submission the same dates (earliest), channel and submitter type (first row)."""
    groups: dict[str, list[_Comment]] = {}
    for c in comments:
        groups.setdefault(c.submission_id, []).append(c)
    for sid, rows in groups.items():
        if len(rows) < 2:
            continue
        first = min(rows, key=lambda x: x.row)
        postmarks = [c.postmark for c in rows if c.postmark is not None]
        chosen: dict[str, Any] = {
            "received": min(c.received for c in rows),
            "postmark": min(postmarks) if postmarks else None,
            "channel": first.channel,
            "submitter_type": first.submitter_type,
        }
        fields = (
            ("received", "received_date", "受付日", "最も早い日付"),
            ("postmark", "postmark_date", "消印日", "最も早い日付"),
            ("channel", "channel", "提出方法", f"{first.row} 行目の値"),
            ("submitter_type", "submitter_type", "提出者区分", f"{first.row} 行目の値"),
        )
        for attr, column, label, rule in fields:
            values = [getattr(c, attr) for c in rows]
            if len(set(values)) < 2:
                continue
            used = chosen[attr]
            shown = "、".join(dict.fromkeys(_show(v) for v in values))
            for c in rows:
                if getattr(c, attr) != used:
                    findings.append(
                        _finding(
                            "submission-mismatch",
                            "warning",
                            COMMENT_SHEET,
                            c.row,
                            column,
                            f"提出ID {sid} の意見で{label}が異なります({shown})。同じ提出の意見は受付日・消印日・"
                            f"提出方法・提出者区分をそろえてください。{rule}({_show(used)})で判定しました。",
                            getattr(c, attr),
                        )
                    )
        for c in rows:
            c.received = chosen["received"]
            c.postmark = chosen["postmark"]
            c.channel = chosen["channel"]
            c.submitter_type = chosen["submitter_type"]


def _show(value: object) -> str:
    if value is None:
        return "空欄"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _judge(c: _Comment, camp: _Campaign, settings: PubCommentSettings, findings: list[Finding]) -> None:
    c.date_used = c.received
    if c.channel == POSTAL and settings.postal_date_basis == BASIS_POSTMARK:
        if c.postmark is not None:
            c.date_used = c.postmark
            c.note = NOTE_POSTMARK
        else:
            c.note = NOTE_NO_POSTMARK
            findings.append(
                _finding(
                    "postmark-missing",
                    "info",
                    COMMENT_SHEET,
                    c.row,
                    "postmark_date",
                    "郵送の意見ですが消印日がないため、受付日で判定しました。",
                    None,
                )
            )
    c.within = camp.publish <= c.date_used <= camp.effective_end
    if c.ineligible_reason is not None:
        c.reason = REASON_INELIGIBLE
    elif c.date_used < camp.publish:
        c.reason = REASON_BEFORE
    elif c.date_used > camp.effective_end:
        c.reason = REASON_AFTER
    c.counted = c.within and c.ineligible_reason is None


def _summarise(
    camp: _Campaign,
    comments: list[_Comment],
    settings: PubCommentSettings,
    code_names: Mapping[str, str],
    block_codes: tuple[str, ...],
) -> CampaignSummary:
    counted = [c for c in comments if c.counted]
    known = set(block_codes) | set(CODE_LETTERS)
    by_code = {code: 0 for code in (*block_codes, *(k for k in CODE_LETTERS if k not in block_codes))}
    unclassified = 0
    for c in counted:
        if c.reflection is not None and c.reflection in known:
            by_code[c.reflection] += 1
        else:
            unclassified += 1  # blank (an unknown code cannot pass validation; counted here if it does)
    channel_subs: dict[str, set[str]] = {ch: set() for ch in CHANNELS}
    for c in counted:
        channel_subs.setdefault(c.channel or "その他", set()).add(c.submission_id)
    return CampaignSummary(
        campaign_id=camp.campaign_id,
        plan_name=camp.plan_name,
        owner_org=camp.owner_org,
        channels=camp.channels,
        publish_date=camp.publish,
        end_date=camp.end,
        effective_end=camp.effective_end,
        period_days=camp.period_days,
        period_ok=camp.period_ok,
        required_end_date=camp.required_end,
        submitters=len({c.submission_id for c in counted}),
        comments=len(counted),
        reflected=sum(1 for c in counted if c.reflection in settings.reflected_codes),
        by_code=tuple((code, code_names.get(code, code), n) for code, n in by_code.items()),
        unclassified=unclassified,
        by_channel=tuple((ch, len(subs)) for ch, subs in channel_subs.items()),
        out_of_period=sum(1 for c in comments if not c.counted and c.reason in (REASON_BEFORE, REASON_AFTER)),
        ineligible=sum(1 for c in comments if c.reason == REASON_INELIGIBLE),
    )


def _summary_row(s: CampaignSummary) -> dict[str, Any]:
    codes = {code: n for code, _, n in s.by_code}
    channels = dict(s.by_channel)
    row: dict[str, Any] = {
        "campaign_id": s.campaign_id,
        "plan_name": s.plan_name,
        "publish_date": s.publish_date,
        "end_date": s.end_date,
        "effective_end": s.effective_end,
        "period_days": s.period_days,
        "period_ok": PERIOD_OK if s.period_ok else PERIOD_SHORT,
        "submitters": s.submitters,
        "comments": s.comments,
        "reflected": s.reflected,
        "unclassified": s.unclassified,
        "out_of_period": s.out_of_period,
        "ineligible": s.ineligible,
    }
    for letter, column in zip(CODE_LETTERS, CODE_COLUMNS, strict=True):
        row[column] = codes.get(letter, 0)
    for channel, column in CHANNEL_COLUMNS.items():
        row[column] = channels.get(channel, 0)
    return row


def _list_rows(campaign_id: str, counted: list[_Comment], code_names: Mapping[str, str]) -> list[dict[str, Any]]:
    ordered = sorted(counted, key=lambda c: (natural_key(c.section), last_number_key(c.comment_id)))
    return [
        {
            "seq": seq,
            "campaign_id": campaign_id,
            "plan_section": c.section,
            "summary": c.summary,
            "ward_response": c.ward_response,
            "reflection": c.reflection,
            "reflection_label": code_names.get(c.reflection) if c.reflection is not None else None,
            "comment_id": c.comment_id,
            "submission_id": c.submission_id,
        }
        for seq, c in enumerate(ordered, start=1)
    ]


def _section_rows(campaign_id: str, counted: list[_Comment], settings: PubCommentSettings) -> list[dict[str, Any]]:
    groups: dict[str | None, list[_Comment]] = {}
    for c in counted:
        groups.setdefault(c.section, []).append(c)
    return [
        {
            "campaign_id": campaign_id,
            "plan_section": NO_SECTION if section is None else section,
            "comments": len(rows),
            "reflected": sum(1 for c in rows if c.reflection in settings.reflected_codes),
        }
        for section, rows in sorted(groups.items(), key=lambda kv: natural_key(kv[0]))
    ]
