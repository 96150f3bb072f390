"""意見募集結果.docx: the result of each public-comment campaign (R14, pubcomment.xlsx).

Every figure comes from the result sheets of R14 (計算_集計, 計算_意見一覧, 計算_期間外意見); the labels
of the 反映区分 come from the ■反映区分 block of the pubcomment 設定 sheet, and the revised text of each
comment reflected in the plan (修正内容) from the 意見 sheet, printed with the comment and listed again by
該当箇所 so that every revision can be traced to the section of the plan. One section per campaign.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bcp_xl.compute.pubcomment import CHANNEL_COLUMNS, DEFAULT_REFLECTION_CODES
from bcp_xl.compute.values import as_number, as_text
from bcp_xl.docgen.data import DocData, Job, RenderJob, clean, common_context, file_name, records
from bcp_xl.docgen.registry import PUB, DocSpec
from bcp_xl.docgen.render import wareki, ymd

NO_SECTION = "(指定なし)"


def reflection_codes(data: DocData) -> list[tuple[str, str]]:
    """(コード, 名称) of ■反映区分 in block order; the defaults of workbooks.md §6 without the block."""
    wb = data.ms.workbooks.get(PUB)
    block = wb.settings.blocks.get("■反映区分") if wb is not None else None
    out: list[tuple[str, str]] = []
    if block is not None:
        for _row, cells in block.rows:
            code = as_text(clean(cells.get("コード")))
            if code:
                out.append((code.upper(), as_text(clean(cells.get("名称"))) or code))
    return out or list(DEFAULT_REFLECTION_CODES)


def _date(value: Any) -> dt.date | None:
    value = clean(value)
    return value if isinstance(value, dt.date) else None


def _both(value: Any) -> str:
    """A date as 和暦 with 西暦 in brackets."""
    d = _date(value)
    return f"{wareki(d)}({ymd(d)})" if d is not None else "—"


def _int(value: Any) -> int:
    n = as_number(clean(value))
    return int(n) if n is not None else 0


def _comment_facts(data: DocData) -> dict[str, dict[str, Any]]:
    cols = ["comment_id", "summary", "revision_text", "ineligible_reason", "plan_section"]
    frame = data.inputs(PUB, "意見")
    if frame.empty:
        return {}
    return {str(r["comment_id"]): r for r in records(frame, cols)}


def _campaign_facts(data: DocData) -> dict[str, dict[str, Any]]:
    frame = data.inputs(PUB, "募集概要")
    if frame.empty:
        return {}
    return {str(r["campaign_id"]): r for r in records(frame, ["campaign_id", "channels", "owner_org", "plan_name"])}


def _channels(value: Any) -> str:
    if isinstance(value, list | tuple):
        items = [t for v in value if (t := as_text(v)) is not None]
        return "、".join(items) if items else "—"
    return as_text(value) or "—"


def campaigns(data: DocData) -> list[dict[str, Any]]:
    """One entry per row of 計算_集計: header figures, the comment table, revisions and late comments."""
    summary = data.result("計算_集計")
    if summary is None or summary.empty:
        return []
    codes = reflection_codes(data)
    comments = _comment_facts(data)
    facts = _campaign_facts(data)
    listed = records(data.result("計算_意見一覧"))
    late = records(data.result("計算_期間外意見"))
    out = []
    for s in records(summary):
        cid = str(s["campaign_id"])
        fact = facts.get(cid, {})
        by_code = [
            {"code": code, "label": label, "count": _int(s.get(f"code_{code.lower()}"))}
            for code, label in codes
            if f"code_{code.lower()}" in s
        ]
        rows = []
        revisions = []
        for r in (x for x in listed if x["campaign_id"] == cid):
            code = str(r["reflection"] or "")
            info = comments.get(str(r["comment_id"]), {})
            revision = str(info.get("revision_text") or "") if code == "A" else ""
            section = str(r["plan_section"] or NO_SECTION)
            row = {
                "seq": _int(r["seq"]),
                "section": section,
                "summary": r["summary"] or "—",
                "response": r["ward_response"] or "—",
                "code": code or "未分類",
                "label": r["reflection_label"] or "—",
                "revision": revision or ("(修正内容が未入力です)" if code == "A" else ""),
                "comment_id": r["comment_id"],
            }
            rows.append(row)
            if code == "A":
                revisions.append(row)
        outside = []
        for r in (x for x in late if x["campaign_id"] == cid):
            info = comments.get(str(r["comment_id"]), {})
            outside.append(
                {
                    "comment_id": r["comment_id"],
                    "received": ymd(_date(r["received_date"])),
                    "date_used": ymd(_date(r["date_used"])),
                    "reason": r["reason"] or "—",
                    "summary": (info.get("summary") or "—")
                    + (f"(対象外の理由: {info['ineligible_reason']})" if info.get("ineligible_reason") else ""),
                }
            )
        effective = _date(s["effective_end"])
        end = _date(s["end_date"])
        out.append(
            {
                "id": cid,
                "plan_name": s["plan_name"] or fact.get("plan_name") or "—",
                "owner": fact.get("owner_org") or "—",
                "channels": _channels(fact.get("channels")),
                "publish": _both(s["publish_date"]),
                "end": _both(s["end_date"]),
                "rolled": _both(effective) if effective is not None and effective != end else "",
                "period_days": _int(s["period_days"]),
                "period_ok": s["period_ok"] or "—",
                "submitters": _int(s["submitters"]),
                "comments": _int(s["comments"]),
                "reflected": _int(s["reflected"]),
                "by_code": by_code,
                "unclassified": _int(s["unclassified"]),
                "by_channel": [{"channel": ch, "count": _int(s.get(col))} for ch, col in CHANNEL_COLUMNS.items()],
                "out_of_period": _int(s["out_of_period"]),
                "ineligible": _int(s["ineligible"]),
                "rows": rows,
                "revisions": sorted(revisions, key=lambda r: r["seq"]),
                "outside": outside,
            }
        )
    return out


def result(data: DocData, spec: DocSpec) -> list[Job]:
    """意見募集結果.docx."""
    ctx = common_context(data, spec)
    items = campaigns(data)
    ctx.update({"campaigns": items, "campaign_count": len(items)})
    return [RenderJob("pubcomment-result", ctx, file_name(spec, data))]
