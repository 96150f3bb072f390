"""The tool-owned result sheets (``計算_…``) of workbooks.md §3.10, §4.8, §5.4 and §6.3: headers,
snake_case names and display formats. Rules return frames with these names; the writer puts the
Japanese headers on them.
"""

from __future__ import annotations

from bcp_xl.workbook.results import ResultColumn as C

BAND_COLUMNS = tuple(C(code, code.lower(), "0", 6) for code in ("H0", "H3", "D1", "D3", "W1", "W2", "M1", "X"))

RESULT_SHEETS: dict[str, tuple[C, ...]] = {
    # ---- bcp_master ----
    "計算_優先業務": (
        C("業務ID", "task_id"),
        C("組織ID", "org_id"),
        C("業務名", "task_name", width=30),
        C("業務区分", "category", width=20),
        C("到達区分", "threshold_band"),
        C("算定区分", "start_band_calc"),
        C("適用規則", "rule_applied"),
        C("開始目標区分", "start_band"),
        C("開始目標時間(h)", "start_hours", "0"),
        C("非常時優先業務", "is_priority"),
        C("確認事項", "remark", width=40),
    ),
    "計算_優先業務集計": (
        C("集計軸", "axis"),
        C("値", "value", width=24),
        *BAND_COLUMNS,
        C("優先業務計", "priority_total", "0"),
        C("総数", "total", "0"),
    ),
    "計算_参集": (
        C("想定時間帯", "condition"),
        C("組織ID", "org_id"),
        C("組織名", "org_name", width=20),
        C("階層", "level"),
        C("時間区分", "band"),
        C("参集見込数", "available", "0"),
        C("参集見込数(小数)", "available_exact", "0.00"),
        C("必要人員", "need", "0"),
        C("過不足", "gap", "0"),
        C("充足率", "coverage", "0%"),
        C("判定", "status"),
        C("応援候補組織ID", "helper_org_ids", width=24),
    ),
    "計算_参集率": (
        C("想定時間帯", "condition"),
        C("時間区分", "band"),
        C("総職員数", "total_staff", "0"),
        C("参集見込数", "available", "0"),
        C("参集率", "attendance_rate", "0.0%"),
        C("必要人員", "need", "0"),
        C("過不足", "gap", "0"),
    ),
    "計算_職務代行": (
        C("想定時間帯", "condition"),
        C("対象職位", "position", width=18),
        C("時間区分", "band"),
        C("代行職位", "acting_position", width=18),
        C("順位", "order", "0"),
        C("参集見込時間(h)", "arrival_hours", "0.0"),
        C("判定", "status"),
    ),
    "計算_手順点検": (
        C("手順ID", "procedure_id"),
        C("手順番号", "step_no", "0"),
        C("点検項目", "check", width=18),
        C("判定", "status"),
        C("内容", "detail", width=50),
    ),
    "計算_6要素": (
        C("要素番号", "element_no", "0"),
        C("要素名", "element_name", width=18),
        C("判定", "status"),
        C("根拠", "reasons", width=60),
        C("関連シート", "sources", width=24),
    ),
    "計算_訓練": (
        C("区分", "kind"),
        C("訓練ID", "training_id"),
        C("記録ID", "record_id"),
        C("内容", "detail", width=50),
        C("期限", "due", "yyyy/m/d"),
        C("判定", "status"),
    ),
    # ---- ict_master ----
    "計算_システム目標": (
        C("システムID", "system_id"),
        C("システム名", "name", width=24),
        C("種別", "kind"),
        C("必要RTO(h)", "rto_hours", "0.#"),
        C("起因業務ID", "driving_task_id"),
        C("起因規則", "driving_rule"),
        C("継承元システムID", "inherited_from"),
        C("依存優先業務数", "priority_task_count", "0"),
        C("必要RPO(h)", "rpo_hours", "0.#"),
        C("RPO起因業務ID", "rpo_task_id"),
        C("優先システム", "is_priority_system"),
        C("優先順位", "priority_rank", "0"),
        C("目標対策レベル", "target_level"),
        C("現行対策レベル", "current_level"),
        C("レベル差", "level_gap", "0"),
        C("バックアップ判定", "backup_status", width=20),
        C("必要端末数計", "terminals_total", "0"),
    ),
}

RUN_INFO_SHEET = "計算_実行情報"
RUN_INFO_COLUMNS = (C("項目", "item", width=36), C("値", "value", width=60))
