"""Rule R14, public comment (パブリックコメント): PC-01, EC-30 … EC-33, postmark basis, sections, order,
findings and properties."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from compute_builders import sheet_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from bcp_xl.compute.base import Finding
from bcp_xl.compute.pubcomment import (
    DEFAULT_REFLECTION_CODES,
    JUDGEMENT_COLUMNS,
    LIST_COLUMNS,
    OUT_OF_PERIOD_COLUMNS,
    SECTION_COLUMNS,
    SUMMARY_COLUMNS,
    PubCommentInputs,
    PubCommentResult,
    PubCommentSettings,
    natural_key,
    parse_codes,
    public_comment,
    required_end_date,
)
from bcp_xl.schemas.contract import sheet_spec
from bcp_xl.schemas.results import RESULT_SHEETS

D = dt.date
CAMPAIGN_COLUMNS = tuple(c.name for c in sheet_spec("pubcomment", "募集概要").columns)
COMMENT_COLUMNS = tuple(c.name for c in sheet_spec("pubcomment", "意見").columns)


PUBLISH = D(2026, 12, 4)
END = D(2027, 1, 2)


def campaign(cid: str = "PC-01", publish: dt.date = PUBLISH, end: dt.date = END) -> dict[str, Any]:
    return {
        "campaign_id": cid,
        "plan_name": "目黒区業務継続計画(改定案)",
        "publish_date": publish,
        "end_date": end,
        "channels": ("持参", "郵送", "FAX", "電子メール"),
        "owner_org": "防災課",
    }


_next_comment = iter(range(1, 10_000))


def comment(
    sid: str,
    received: dt.date,
    channel: str = "電子メール",
    reflection: str | None = "A",
    *,
    cid: str | None = None,
    postmark: dt.date | None = None,
    submitter: str = "区内在住",
    section: str | None = "第1章",
    ineligible: str | None = None,
    comment_id: str | None = None,
    summary: str | None = "概要",
    response: str | None = "考え方",
) -> dict[str, Any]:
    return {
        "comment_id": comment_id or f"C-{next(_next_comment):04d}",
        "submission_id": sid,
        "campaign_id": cid,
        "received_date": received,
        "postmark_date": postmark,
        "channel": channel,
        "submitter_type": submitter,
        "plan_section": section,
        "original_text": "原文",
        "summary": summary,
        "ward_response": response,
        "reflection": reflection,
        "revision_text": "修正" if reflection == "A" else None,
        "ineligible_reason": ineligible,
    }


def run(
    comments: list[dict[str, Any]],
    campaigns: list[dict[str, Any]] | None = None,
    holidays: dict[dt.date, str] | None = None,
    **params: Any,
) -> PubCommentResult:
    return public_comment(
        PubCommentInputs(
            params=params,
            reflection_codes=DEFAULT_REFLECTION_CODES,
            holidays=holidays or {},
            campaigns=sheet_frame(campaigns if campaigns is not None else [campaign()], CAMPAIGN_COLUMNS),
            comments=sheet_frame(comments, COMMENT_COLUMNS),
        )
    )


def summary(result: PubCommentResult, cid: str = "PC-01") -> dict[str, Any]:
    rows = result.summary[result.summary["campaign_id"] == cid].to_dict("records")
    assert len(rows) == 1
    return rows[0]


def codes(result: PubCommentResult) -> list[tuple[str, int | None]]:
    return [(f.code, f.row) for f in result.findings]


def pc01() -> list[dict[str, Any]]:
    """The PC-01 example of calculations.md R14."""
    s001 = [
        comment("S-001", D(2026, 12, 20), "電子メール", code, comment_id=f"C-000{i}")
        for i, code in enumerate("ABBCE", start=1)
    ]
    return [
        *s001,
        comment("S-002", D(2027, 1, 5), "郵送", "B", postmark=D(2027, 1, 2), comment_id="C-0006"),
        comment("S-003", D(2027, 1, 4), "FAX", "C", comment_id="C-0007"),
        comment("S-003", D(2027, 1, 4), "FAX", "D", comment_id="C-0008"),
        comment("S-004", D(2027, 1, 6), "持参", "B", comment_id="C-0009"),
    ]


# ---- columns --------------------------------------------------------------------------------------


def test_frames_have_the_result_sheet_columns() -> None:
    result = run(pc01())
    expected = {
        "計算_集計": (result.summary, SUMMARY_COLUMNS),
        "計算_意見一覧": (result.comment_list, LIST_COLUMNS),
        "計算_意見判定": (result.judgements, JUDGEMENT_COLUMNS),
        "計算_該当箇所別": (result.by_section, SECTION_COLUMNS),
        "計算_期間外意見": (result.out_of_period, OUT_OF_PERIOD_COLUMNS),
    }
    for sheet, (frame, columns) in expected.items():
        assert list(frame.columns) == list(columns), sheet
        assert list(columns) == [c.name for c in RESULT_SHEETS[sheet]], sheet
    assert {"code_a", "code_e", "unclassified", "ch_jisan", "ch_yuso", "ch_fax", "ch_email", "ch_online"} <= set(
        SUMMARY_COLUMNS
    )
    assert not any(c.startswith("channel_") for c in SUMMARY_COLUMNS)
    assert set(result.rule_results()) == set(expected)


def test_empty_inputs_give_empty_frames() -> None:
    result = run([], campaigns=[])
    assert result.summary.empty and result.judgements.empty and result.findings == []
    assert list(result.summary.columns) == list(SUMMARY_COLUMNS)


def test_unusable_sheet_skips_the_rule() -> None:
    result = public_comment(
        PubCommentInputs(
            params={},
            reflection_codes=DEFAULT_REFLECTION_CODES,
            holidays={},
            campaigns=sheet_frame([campaign()], CAMPAIGN_COLUMNS),
            comments=sheet_frame([], COMMENT_COLUMNS),
            sheets_unusable=frozenset({"意見"}),
        )
    )
    assert result.skipped == "意見 シートにエラーがあるため"
    assert result.summary.empty
    assert result.rule_results()["計算_集計"].skipped == result.skipped


# ---- PC-01 (worked example) ---------------------------------------------------------------------


def test_pc01_defaults() -> None:
    result = run(pc01())
    s = summary(result)
    assert s["period_days"] == 30 and s["period_ok"] == "適合"
    assert s["effective_end"] == D(2027, 1, 2)
    assert (s["submitters"], s["comments"], s["reflected"]) == (1, 5, 1)
    assert [s[c] for c in ("code_a", "code_b", "code_c", "code_d", "code_e", "unclassified")] == [1, 2, 1, 0, 1, 0]
    assert s["ch_email"] == 1 and s["ch_yuso"] == s["ch_fax"] == s["ch_jisan"] == 0
    assert (s["out_of_period"], s["ineligible"]) == (4, 0)
    out = result.out_of_period
    assert sorted(set(out["submission_id"])) == ["S-002", "S-003", "S-004"]
    assert set(out["reason"]) == {"期間後"}
    assert "period-too-short" not in {f.code for f in result.findings}


def test_pc01_rolling_and_postmark() -> None:
    result = run(pc01(), roll_end_to_business_day="はい", postal_date_basis="消印日")
    s = summary(result)
    assert s["effective_end"] == D(2027, 1, 4)
    assert (s["submitters"], s["comments"], s["reflected"]) == (3, 8, 1)
    assert (s["ch_email"], s["ch_yuso"], s["ch_fax"], s["ch_jisan"]) == (1, 1, 1, 0)
    assert list(result.out_of_period["submission_id"]) == ["S-004"]
    j = result.judgements.set_index("comment_id")
    assert j.loc["C-0006", "date_used"] == D(2027, 1, 2)
    assert j.loc["C-0006", "reason"] == "消印日で判定"
    assert bool(j.loc["C-0006", "counted"]) is True
    assert j.loc["C-0009", "reason"] == "期間後"


def test_header_figures_for_the_result_document() -> None:
    result = run(pc01())
    (s,) = result.campaigns
    assert s.plan_name == "目黒区業務継続計画(改定案)" and s.owner_org == "防災課"
    assert s.channels == ("持参", "郵送", "FAX", "電子メール")
    assert (s.publish_date, s.end_date, s.effective_end) == (D(2026, 12, 4), D(2027, 1, 2), D(2027, 1, 2))
    assert s.by_code[0] == ("A", "意見を反映し案を修正", 1)
    assert [n for _, _, n in s.by_code] == [1, 2, 1, 0, 1]
    assert dict(s.by_channel)["電子メール"] == 1
    assert s.required_end_date == D(2027, 1, 2)


# ---- EC-30 … EC-33 -------------------------------------------------------------------------------


def test_ec30_minimum_end_date() -> None:
    publish = D(2025, 12, 15)
    assert required_end_date(publish, PubCommentSettings()) == D(2026, 1, 13)
    assert required_end_date(publish, PubCommentSettings(period_day_one="公表日の翌日")) == D(2026, 1, 14)
    ok = run([], campaigns=[campaign(publish=publish, end=D(2026, 1, 13))])
    assert summary(ok)["period_days"] == 30 and summary(ok)["period_ok"] == "適合"
    assert ok.findings == []
    short = run([], campaigns=[campaign(publish=publish, end=D(2026, 1, 13))], period_day_one="公表日の翌日")
    assert summary(short)["period_days"] == 29 and summary(short)["period_ok"] == "不足"
    (f,) = short.findings
    assert f.code == "period-too-short" and "2026-01-14 以降" in f.message and "公表日の翌日を1日目" in f.message


def test_ec30_closed_end_date_rolls_only_with_the_option() -> None:
    # 2027-01-02 is closed (年始); 2026-12-25 (金) is open
    closed = [campaign("PC-01", D(2026, 12, 4), D(2027, 1, 2)), campaign("PC-02", D(2026, 11, 25), D(2026, 12, 25))]
    plain = run([], campaigns=closed)
    assert summary(plain, "PC-01")["effective_end"] == D(2027, 1, 2)
    rolled = run([], campaigns=closed, roll_end_to_business_day=True)
    assert summary(rolled, "PC-01")["effective_end"] == D(2027, 1, 4)
    assert summary(rolled, "PC-02")["effective_end"] == D(2026, 12, 25)
    # period days count to 締切日, not to the rolled end
    assert summary(rolled, "PC-01")["period_days"] == 30
    # an extra ward holiday (■区の休日追加) is used by the calendar
    extra = run([], campaigns=closed, holidays={D(2027, 1, 4): "臨時休庁"}, roll_end_to_business_day="はい")
    assert summary(extra, "PC-01")["effective_end"] == D(2027, 1, 5)


def test_ec31_one_day_late() -> None:
    result = run([comment("S-001", D(2027, 1, 2)), comment("S-002", D(2027, 1, 3), comment_id="C-0100")])
    s = summary(result)
    assert (s["submitters"], s["comments"], s["out_of_period"]) == (1, 1, 1)
    out = result.out_of_period.to_dict("records")
    assert out == [
        {
            "campaign_id": "PC-01",
            "comment_id": "C-0100",
            "submission_id": "S-002",
            "received_date": D(2027, 1, 3),
            "date_used": D(2027, 1, 3),
            "reason": "期間後",
        }
    ]
    assert "C-0100" not in set(result.comment_list["comment_id"])
    j = result.judgements.set_index("comment_id").loc["C-0100"]
    assert (bool(j["within_period"]), bool(j["counted"])) == (False, False)


def test_comment_before_publication() -> None:
    result = run([comment("S-001", D(2026, 12, 3))])
    assert list(result.out_of_period["reason"]) == ["期間前"]
    assert summary(result)["out_of_period"] == 1


def test_ec32_one_email_five_opinions() -> None:
    result = run([comment("S-001", D(2026, 12, 20), "電子メール", code) for code in "ABBCE"])
    s = summary(result)
    assert (s["submitters"], s["comments"]) == (1, 5)
    assert s["ch_email"] == 1


def test_period_of_29_days_is_flagged_with_the_required_end_date() -> None:
    result = run([comment("S-001", D(2026, 12, 20))], campaigns=[campaign(end=D(2027, 1, 1))])
    s = summary(result)
    assert (s["period_days"], s["period_ok"]) == (29, "不足")
    assert s["comments"] == 1  # nothing is left out
    (f,) = [f for f in result.findings if f.code == "period-too-short"]
    assert f == Finding(
        "period-too-short",
        "error",
        "募集概要",
        2,
        "end_date",
        "意見提出期間が 29 日です(公表日を1日目として数えています)。30 日以上となるよう締切日を 2027-01-02 以降にしてください。",
        "2027-01-01",
        workbook="pubcomment",
    )


def test_min_period_days_parameter() -> None:
    result = run([], campaigns=[campaign(end=D(2027, 1, 2))], min_period_days=31)
    (f,) = result.findings
    assert "31 日以上" in f.message and "2027-01-03" in f.message


def test_ec33_ineligible_and_unknown_submitters() -> None:
    result = run(
        [
            comment("S-001", D(2026, 12, 10)),
            comment("S-002", D(2026, 12, 11), ineligible="匿名のため", submitter="不明"),
            comment("S-003", D(2027, 1, 10), ineligible="区外在住のため"),  # out of period and ineligible
            comment("S-004", D(2026, 12, 12), submitter="不明"),
        ]
    )
    s = summary(result)
    assert (s["submitters"], s["comments"], s["ineligible"], s["out_of_period"]) == (2, 2, 2, 0)
    out = result.out_of_period.set_index("submission_id")
    assert list(out["reason"]) == ["対象外", "対象外"]
    judged = result.judgements.set_index("submission_id")
    assert bool(judged.loc["S-002", "within_period"]) is True and bool(judged.loc["S-002", "counted"]) is False
    assert judged.loc["S-002", "reason"] == "対象外(匿名のため)"
    unknown = [f for f in result.findings if f.code == "submitter-unknown"]
    assert [(f.row, f.column, f.severity, f.sheet) for f in unknown] == [(5, "submitter_type", "warning", "意見")]
    assert (
        unknown[0].message
        == "提出者区分が不明です。要綱上の提出資格を確認し、対象外の場合は対象外理由を入力してください。"
    )


# ---- judging date -----------------------------------------------------------------------------


def test_postmark_basis_applies_to_postal_comments_only() -> None:
    rows = [
        comment("S-001", D(2027, 1, 5), "郵送", postmark=D(2026, 12, 28)),
        comment("S-002", D(2027, 1, 5), "FAX", postmark=D(2026, 12, 28)),
        comment("S-003", D(2027, 1, 5), "郵送"),
    ]
    by_received = run(rows)
    assert summary(by_received)["comments"] == 0
    assert "postmark-missing" not in {f.code for f in by_received.findings}
    by_postmark = run(rows, postal_date_basis="消印日")
    s = summary(by_postmark)
    assert (s["submitters"], s["ch_yuso"], s["ch_fax"]) == (1, 1, 0)
    assert list(by_postmark.out_of_period["submission_id"]) == ["S-002", "S-003"]
    (f,) = [f for f in by_postmark.findings if f.code == "postmark-missing"]
    assert (f.severity, f.row, f.column) == ("info", 4, "postmark_date")
    assert f.message == "郵送の意見ですが消印日がないため、受付日で判定しました。"
    j = by_postmark.judgements.set_index("submission_id")
    assert j.loc["S-003", "reason"] == "期間後、消印日なし(受付日で判定)"
    assert j.loc["S-003", "date_used"] == D(2027, 1, 5)


def test_submission_mismatch_uses_the_earliest_date() -> None:
    result = run(
        [
            comment("S-001", D(2027, 1, 3), "郵送"),
            comment("S-001", D(2027, 1, 2), "郵送"),
        ]
    )
    s = summary(result)
    assert (s["submitters"], s["comments"]) == (1, 2)
    (f,) = [f for f in result.findings if f.code == "submission-mismatch"]
    assert (f.row, f.column, f.severity) == (2, "received_date", "warning")
    assert "2027-01-02" in f.message


# ---- lists and sections ----------------------------------------------------------------------------


def test_counts_by_section_with_unspecified() -> None:
    result = run(
        [
            comment("S-001", D(2026, 12, 10), reflection="A", section="第10章"),
            comment("S-001", D(2026, 12, 10), reflection="B", section="第2章"),
            comment("S-002", D(2026, 12, 11), reflection="A", section=None),
            comment("S-003", D(2026, 12, 12), reflection="A", section="第2章"),
            comment("S-004", D(2027, 2, 1), reflection="A", section="第3章"),  # late: not counted
        ]
    )
    rows = [tuple(r) for r in result.by_section.itertuples(index=False)]
    assert rows == [("PC-01", "第2章", 2, 1), ("PC-01", "第10章", 1, 1), ("PC-01", "(指定なし)", 1, 1)]


def test_publishing_order_of_the_comment_list() -> None:
    result = run(
        [
            comment("S-001", D(2026, 12, 10), section=None, comment_id="C-0001"),
            comment("S-002", D(2026, 12, 10), section="第3章2節(p.15)", comment_id="C-0003"),
            comment("S-003", D(2026, 12, 10), section="第10章", comment_id="C-0002"),
            comment("S-004", D(2026, 12, 10), section="第3章2節(p.15)", comment_id="C-0010"),
            comment("S-005", D(2026, 12, 10), section="第3章10節", comment_id="C-0004"),
            comment("S-006", D(2026, 12, 10), section="第3章2節(p.15)", comment_id="C-0009"),
            comment("S-007", D(2027, 2, 10), section="第1章", comment_id="C-0005"),  # late
        ]
    )
    cl = result.comment_list
    assert list(cl["seq"]) == [1, 2, 3, 4, 5, 6]
    assert list(cl["comment_id"]) == ["C-0003", "C-0009", "C-0010", "C-0004", "C-0002", "C-0001"]
    assert cl.iloc[0]["reflection_label"] == "意見を反映し案を修正"
    assert cl.iloc[-1]["plan_section"] is None


def test_natural_key() -> None:
    sections = ["第10章", None, "第2章", "第2章1節", "付録", "第３章"]
    # text runs compare by code point (付 U+4ED8 < 第 U+7B2C), digit runs as numbers, blanks last
    assert sorted(sections, key=natural_key) == ["付録", "第2章", "第2章1節", "第３章", "第10章", None]


def test_missing_cells_on_counted_comments() -> None:
    result = run(
        [
            comment("S-001", D(2026, 12, 10), reflection=None, summary=None, response=None),
            comment("S-002", D(2027, 2, 10), reflection=None, summary=None, response=None),  # late
        ]
    )
    found = sorted((f.code, f.row, f.column) for f in result.findings)
    assert found == [
        ("missing-reflection", 2, "reflection"),
        ("missing-response", 2, "ward_response"),
        ("missing-summary", 2, "summary"),
    ]
    messages = {f.code: f.message for f in result.findings}
    assert messages["missing-summary"] == "集計対象の意見ですが、意見の概要 が未入力です。"
    assert summary(result)["unclassified"] == 1


def test_reflected_codes_parameter() -> None:
    assert parse_codes("A、b") == ("A", "B")
    assert parse_codes("Ａ，Ｃ; C") == ("A", "C")
    assert parse_codes(["A", "B"]) == ("A", "B")
    rows = [comment("S-001", D(2026, 12, 10), reflection=code) for code in "ABCDE"]
    assert summary(run(rows))["reflected"] == 1
    assert summary(run(rows, reflected_codes="A、B"))["reflected"] == 2
    assert summary(run(rows, reflected_codes=None))["reflected"] == 1


def test_campaigns_are_kept_apart() -> None:
    result = run(
        [
            comment("S-001", D(2026, 12, 10), cid="PC-01"),
            comment("S-002", D(2026, 12, 10), cid="PC-02"),
            comment("S-003", D(2026, 12, 11), cid="PC-02"),
            comment("S-004", D(2026, 12, 11), cid=None),  # left out: no campaign with two of them
        ],
        campaigns=[campaign("PC-02"), campaign("PC-01")],
    )
    assert list(result.summary["campaign_id"]) == ["PC-01", "PC-02"]
    assert list(result.summary["submitters"]) == [1, 2]
    assert list(result.comment_list["seq"]) == [1, 1, 2]
    assert len(result.judgements) == 3


def test_blank_campaign_id_with_one_campaign() -> None:
    result = run([comment("S-001", D(2026, 12, 10), cid=None)])
    assert summary(result)["comments"] == 1
    assert list(result.judgements["campaign_id"]) == ["PC-01"]


def test_settings_defaults_and_bad_values() -> None:
    assert PubCommentSettings.from_params({}) == PubCommentSettings()
    s = PubCommentSettings.from_params(
        {"min_period_days": 0, "period_day_one": "?", "roll_end_to_business_day": "○", "postal_date_basis": "消印日"}
    )
    assert (s.min_period_days, s.period_day_one, s.roll_end_to_business_day, s.postal_date_basis) == (
        30,
        "公表日",
        True,
        "消印日",
    )


# ---- properties -------------------------------------------------------------------------------------

_DAY0 = D(2026, 11, 20)
_comment_rows = st.lists(
    st.tuples(
        st.integers(0, 6),  # submission number
        st.integers(0, 60),  # received, days after _DAY0
        st.sampled_from(["持参", "郵送", "FAX", "電子メール", "電子申請", "その他"]),
        st.sampled_from([None, "A", "B", "C", "D", "E"]),
        st.booleans(),  # ineligible
        st.sampled_from([None, "第1章", "第2章", "第10章"]),
        st.one_of(st.none(), st.integers(0, 60)),  # postmark
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(
    rows=_comment_rows,
    roll=st.booleans(),
    postmark=st.booleans(),
    codes_param=st.sampled_from(["A", "A、B", "C、D、E"]),
)
def test_counts_are_consistent(
    rows: list[tuple[int, int, str, str | None, bool, str | None, int | None]],
    roll: bool,
    postmark: bool,
    codes_param: str,
) -> None:
    frame_rows = []
    for i, (sub, _rec, _channel, code, inel, section, _pm) in enumerate(rows, start=1):
        # one submission keeps its date, channel and submitter (as the contract asks)
        first = next(r for r in rows if r[0] == sub)
        frame_rows.append(
            comment(
                f"S-{sub:03d}",
                _DAY0 + dt.timedelta(days=first[1]),
                first[2],
                code,
                postmark=None if first[6] is None else _DAY0 + dt.timedelta(days=first[6]),
                ineligible="対象外" if inel else None,
                section=section,
                comment_id=f"C-{i:04d}",
            )
        )
    result = run(
        frame_rows,
        roll_end_to_business_day=roll,
        postal_date_basis="消印日" if postmark else "受付日",
        reflected_codes=codes_param,
    )
    s = summary(result)
    per_code = sum(s[c] for c in ("code_a", "code_b", "code_c", "code_d", "code_e"))
    assert s["comments"] == per_code + s["unclassified"]
    assert s["submitters"] <= s["comments"]
    assert s["submitters"] == sum(s[c] for c in ("ch_jisan", "ch_yuso", "ch_fax", "ch_email", "ch_online", "ch_other"))
    assert s["comments"] + s["out_of_period"] + s["ineligible"] == len(rows)
    assert s["reflected"] <= s["comments"]
    assert len(result.comment_list) == s["comments"]
    assert list(result.comment_list["seq"]) == list(range(1, s["comments"] + 1))
    assert result.by_section["comments"].sum() == s["comments"]
    assert result.by_section["reflected"].sum() == s["reflected"]
    assert len(result.out_of_period) == s["out_of_period"] + s["ineligible"]
    assert len(result.judgements) == len(rows)
    counted = result.judgements["counted"].astype(bool)
    assert int(counted.sum()) == s["comments"]
    assert not (counted & ~result.judgements["within_period"].astype(bool)).any()


@pytest.mark.parametrize("publish", [D(2025, 12, 15), D(2026, 2, 1), D(2026, 12, 31)])
def test_required_end_date_gives_exactly_the_minimum(publish: dt.date) -> None:
    for day_one in ("公表日", "公表日の翌日"):
        st_ = PubCommentSettings(period_day_one=day_one)
        end = required_end_date(publish, st_)
        ok = run([], campaigns=[campaign(publish=publish, end=end)], period_day_one=day_one)
        short = run([], campaigns=[campaign(publish=publish, end=end - dt.timedelta(days=1))], period_day_one=day_one)
        assert summary(ok)["period_days"] == 30 and ok.findings == []
        assert summary(short)["period_days"] == 29 and [f.code for f in short.findings] == ["period-too-short"]


def test_frames_are_plain_objects() -> None:
    result = run(pc01())
    assert isinstance(result.summary, pd.DataFrame)
    assert all(dtype is object or str(dtype) == "object" for dtype in result.summary.dtypes)
