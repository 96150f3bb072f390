"""project_master: the procurement project that revises the BCP and writes the ICT-BCP (WBS, issues, risks,
quality criteria, change log, meetings, security checks, confidential-material ledger, project team).

Dates are laid out relative to the status date so that the sample stays meaningful for any as_of_date:
the contract starts about seven months before it, the consultation closes three weeks before it.
"""

from __future__ import annotations

import datetime as dt

from bcp_xl.sample.context import Row, World

# fmt: off
# WBS: (id, name, deliverable, owner, start offset, finish offset (days from contract start), effort, state)
# state: "done" (100 %), "late" (behind, finish before the status date), "run" (in progress), "plan" (0 %)
WBS = (
    ("1", "プロジェクト管理", None, None),
    ("1.1", "プロジェクト計画書の作成・承認", "プロジェクト計画書", "受託者PM", (0, 13, 8, "done")),
    ("1.2", "進捗・課題・リスク・品質の管理", "進捗報告書", "受託者PM", (0, 1064, 60, "run")),
    ("1.3", "定例会の運営と議事録の作成", "議事録", "受託者PM", (7, 1064, 40, "run")),
    ("1.4", "中間報告", "中間報告書", "受託者PM", (231, 245, 4, "plan")),
    ("1.5", "最終報告", "最終報告書", "受託者PM", (1036, 1064, 4, "plan")),
    ("2", "業務継続計画(BCP)改定等支援", None, None),
    ("2.1", "実施計画書の作成・説明", "BCP改定実施計画書", "BCP担当リーダー", (7, 27, 6, "done")),
    ("2.2", "非常時優先業務の選定", None, None),
    ("2.2.1", "業務調査票の配布・回収", "業務調査票", "BCP担当メンバー", (17, 70, 15, "done")),
    ("2.2.2", "影響度評価と開始目標の算定", "業務影響度分析結果", "BCP担当メンバー", (63, 105, 12, "done")),
    ("2.2.3", "非常時優先業務一覧の確定", "非常時優先業務一覧", "BCP担当リーダー", (98, 120, 6, "done")),
    ("2.3", "業務継続計画書の改定", None, None),
    ("2.3.1", "素案の作成", "業務継続計画書(素案)", "BCP担当リーダー", (91, 140, 20, "done")),
    ("2.3.2", "レビュー・パブリックコメント案の確定", "業務継続計画書(案)", "BCP担当リーダー", (140, 155, 5, "done")),
    ("2.3.3", "完成版・概要版の作成", "業務継続計画書・概要版", "BCP担当リーダー", (210, 315, 18, "run")),
    ("2.4", "行動計画書(行動手順書)の策定", "行動計画書", "BCP担当メンバー", (154, 273, 20, "run")),
    ("2.5", "訓練計画の策定", "BCP訓練計画", "訓練担当", (186, 301, 10, "run")),
    ("3", "ICT業務継続計画(ICT-BCP)策定等支援", None, None),
    ("3.1", "実施計画書の作成・説明", "ICT-BCP策定実施計画書", "ICT担当リーダー", (7, 27, 5, "done")),
    ("3.2", "優先システムの選定", "優先システム一覧", "ICT担当メンバー", (28, 91, 12, "done")),
    ("3.3", "目標対策レベル・目標復旧時間の設定", "復旧目標一覧", "ICT担当メンバー", (84, 203, 10, "late")),
    ("3.4", "リスクシナリオと現状の課題把握", "リスクシナリオ分析結果", "ICT担当リーダー", (91, 154, 14, "done")),
    ("3.5", "リスク対策案と費用対効果の整理", "対策案一覧", "ICT担当リーダー", (147, 245, 14, "run")),
    ("3.6", "ICT業務継続計画書の策定", "ICT業務継続計画書", "ICT担当リーダー", (133, 315, 20, "run")),
    ("3.7", "行動計画書・運用手順書の策定", "ICT行動計画書・運用手順書", "ICT担当メンバー", (196, 301, 16, "run")),
    ("3.8", "ICT-BCP訓練計画の策定", "ICT-BCP訓練計画", "訓練担当", (210, 301, 6, "plan")),
    ("4", "パブリックコメント実施支援", None, None),
    ("4.1", "意見募集資料の作成", "意見募集資料", "BCP担当メンバー", (133, 154, 4, "done")),
    ("4.2", "意見募集の実施と受付", None, "BCP担当メンバー", (157, 188, 3, "done")),
    ("4.3", "意見の整理と区の考え方(案)の作成", "意見募集結果(案)", "BCP担当リーダー", (189, 224, 6, "run")),
    ("4.4", "計画書への反映", None, "BCP担当リーダー", (217, 245, 4, "plan")),
    ("5", "訓練の実施及び見直し", None, None),
    ("5.1", "初年度訓練の実施支援", None, None),
    ("5.1.1", "BCP訓練(机上訓練・実動訓練)の実施", "訓練実施報告書", "訓練担当", (400, 560, 20, "plan")),
    ("5.1.2", "ICT-BCP訓練(システム復旧訓練)の実施", "ICT-BCP訓練実施報告書", "訓練担当", (420, 580, 12, "plan")),
    ("5.1.3", "訓練結果の計画への反映", None, "訓練担当", (580, 640, 6, "plan")),
    ("5.2", "次年度訓練の実施支援", None, None),
    ("5.2.1", "BCP訓練(机上訓練・実動訓練)の実施", None, "訓練担当", (765, 925, 20, "plan")),
    ("5.2.2", "ICT-BCP訓練(システム復旧訓練)の実施", None, "訓練担当", (785, 945, 12, "plan")),
    ("5.2.3", "訓練結果の計画への反映", None, "訓練担当", (945, 1005, 6, "plan")),
)

PHASES = {"1": "プロジェクト管理", "2": "BCP改定", "3": "ICT-BCP策定", "4": "パブリックコメント", "5": "訓練"}
CONTRACT_DAYS_BEFORE_AS_OF = 210
CONTRACT_DAYS = 1064
CONSULTATION_START = 157  # days after the contract start (4.2 above)
CONSULTATION_DAYS = 32  # the publication day counts as day 1
# fmt: on


def contract_start(w: World) -> dt.date:
    return w.business_day(w.as_of - dt.timedelta(days=CONTRACT_DAYS_BEFORE_AS_OF))


def _d(w: World, offset: int) -> dt.date:
    return w.business_day(contract_start(w) + dt.timedelta(days=offset))


def build_project(w: World) -> dict[str, list[Row]]:
    """Every sheet of project_master."""
    rng = w.rng
    start = contract_start(w)
    wbs: list[Row] = []
    deliverables: list[tuple[str, str, dt.date, dt.date, str]] = []
    for wid, name, deliverable, owner, *plan in WBS:
        row: Row = {"wbs_id": wid, "name": name, "deliverable": deliverable, "owner": owner}
        if plan:
            s_off, f_off, effort, state = plan[0]
            s, f = _d(w, s_off), _d(w, f_off)
            row.update(planned_start=s, planned_finish=f, planned_effort=float(effort))
            if state == "done":
                row["percent_complete"] = 1.0
                row["actual_finish"] = min(f, w.as_of - dt.timedelta(days=1))
                while not w.calendar.is_business_day(row["actual_finish"]):
                    row["actual_finish"] -= dt.timedelta(days=1)
            elif state == "late":
                row["percent_complete"] = 0.85
                row["note"] = "主管課ヒアリングの追加により遅延(課題 ISS-003)"
            elif state == "run":
                total = max(1, w.calendar.business_days_between(s, f))
                done = w.calendar.business_days_between(s, w.as_of)
                row["percent_complete"] = round(min(0.95, max(0.05, done / total * rng.uniform(0.85, 1.1))), 2)
            else:
                row["percent_complete"] = 0.0
            if deliverable:
                deliverables.append((wid, deliverable, s, f, state))
        wbs.append(row)
    return {
        "WBS": wbs,
        "課題": _issues(w, start),
        "リスク": _risks(w),
        "品質基準": _quality(w, deliverables),
        "変更履歴": _changes(w, start),
        "会議": _meetings(w, start),
        "セキュリティ点検": _security(w, start),
        "機密情報授受": _confidential(w, start),
        "体制": _team(w, start),
    }


def _issues(w: World, start: dt.date) -> list[Row]:
    a = w.as_of
    rows = (
        (
            "業務調査票の回収が遅れている課がある",
            -150,
            "高",
            -120,
            "BCP担当リーダー",
            "完了",
            "督促と個別説明会を実施",
            "全課回収",
            -118,
        ),
        (
            "標準準拠システムの構成情報が事業者から提供されていない",
            -110,
            "中",
            -60,
            "ICT担当リーダー",
            "完了",
            "情報システム課経由で提供を依頼",
            "構成図を受領",
            -65,
        ),
        (
            "目標復旧時間の算定に主管課ヒアリングの追加が必要",
            -40,
            "高",
            -7,
            "ICT担当メンバー",
            "対応中",
            "ヒアリング日程を調整中",
            None,
            None,
        ),
        (
            "パブリックコメントで寄せられた意見の分類基準の確認",
            -20,
            "中",
            10,
            "BCP担当リーダー",
            "対応中",
            "反映区分の考え方を発注者と協議",
            None,
            None,
        ),
        ("訓練計画の対象年度の範囲", -10, "低", 30, "訓練担当", "未着手", None, None, None),
        (
            "重要6要素の燃料協定の締結見込み",
            -35,
            "中",
            25,
            "BCP担当メンバー",
            "対応中",
            "庁舎管理課と協議中",
            None,
            None,
        ),
        (
            "代替庁舎の回線増設の要否",
            -90,
            "低",
            -30,
            "ICT担当メンバー",
            "取下げ",
            "対策案として整理することで合意",
            None,
            None,
        ),
    )
    out: list[Row] = []
    for content, raised, prio, due, owner, status, action, result, resolved in rows:
        out.append(
            {
                "issue_id": f"ISS-{len(out) + 1:03d}",
                "content": content,
                "raised_date": w.business_day(a + dt.timedelta(days=raised)),
                "priority": prio,
                "due_date": w.business_day(a + dt.timedelta(days=due)),
                "owner": owner,
                "status": status,
                "action": action,
                "result": result,
                "resolved_date": w.business_day(a + dt.timedelta(days=resolved)) if resolved is not None else None,
            }
        )
    return out


def _risks(w: World) -> list[Row]:
    a = w.as_of
    rows = (
        (
            "主管課の業務調査への協力が得られず優先業務の選定が遅れる",
            "繁忙期との重複",
            3,
            4,
            "説明会と個別支援",
            "BCP担当リーダー",
            30,
            "クローズ",
        ),
        (
            "システム事業者からの情報提供が遅れる",
            "契約上の義務がない",
            3,
            3,
            "情報システム課から依頼文を発出",
            "ICT担当リーダー",
            20,
            "監視中",
        ),
        (
            "パブリックコメントの意見が多く反映作業が遅れる",
            "関心の高まり",
            2,
            3,
            "分類基準を事前に合意",
            "BCP担当リーダー",
            14,
            "対応中",
        ),
        ("主要要員の交代で品質が低下する", "要員の異動", 2, 4, "1か月前の通知と引継書の作成", "受託者PM", 60, "監視中"),
        ("訓練日程が他の行事と重なる", "年間行事の変更", 3, 2, "年度当初に日程を確定", "訓練担当", 90, "監視中"),
        ("機密情報の紛失", "資料の持出し", 1, 5, "持出記録と暗号化の徹底", "受託者PM", 28, "監視中"),
        (
            "予算編成の時期に対策案の費用が確定しない",
            "見積の遅れ",
            4,
            3,
            "概算で予算要求し精査する",
            "ICT担当リーダー",
            21,
            "顕在化",
        ),
    )
    return [
        {
            "risk_id": f"RSK-{i:03d}",
            "event": e,
            "cause": c,
            "probability": p,
            "impact": im,
            "mitigation": m,
            "owner": o,
            "review_date": w.business_day(a + dt.timedelta(days=r)),
            "status": s,
        }
        for i, (e, c, p, im, m, o, r, s) in enumerate(rows, start=1)
    ]


def _quality(w: World, deliverables: list[tuple[str, str, dt.date, dt.date, str]]) -> list[Row]:
    out: list[Row] = []
    criteria = ("様式・用語が発注者の指定に沿っていること", "根拠となるマスタブックの検証エラーが0件であること")
    for wid, deliverable, _s, f, state in deliverables:
        for j, crit in enumerate(criteria[: 2 if state == "done" and w.rng.random() < 0.5 else 1]):
            row: Row = {
                "criterion_id": f"QC-{len(out) + 1:03d}",
                "deliverable": deliverable,
                "wbs_id": wid,
                "phase": PHASES[wid.split(".")[0]],
                "criterion": crit,
                "method": "発注者レビュー" if j == 0 else "bcp-xl validate の結果確認",
            }
            if state == "done":
                row.update(
                    result="合格" if j == 0 or w.rng.random() < 0.7 else "条件付合格",
                    checked_date=min(f, w.as_of - dt.timedelta(days=1)),
                    approver="危機管理課長",
                )
                while not w.calendar.is_business_day(row["checked_date"]):
                    row["checked_date"] -= dt.timedelta(days=1)
            else:
                row["result"] = "未評価"
            out.append(row)
    return out


def _changes(w: World, start: dt.date) -> list[Row]:
    draft = _d(w, 140)
    consult = _d(w, 154)
    rows = (
        ("区BCP", "1.0", dt.date(2016, 3, 31), "業務継続計画(震災編)を策定", "区長", dt.date(2016, 3, 31)),
        ("区BCP", "2.0", dt.date(2021, 3, 31), "組織改正と新型感染症の経験を反映", "区長", dt.date(2021, 3, 31)),
        ("区BCP", "2.1", draft, "改定素案を作成(非常時優先業務の全面見直し)", "危機管理部長", draft),
        ("区BCP", "2.2", consult, "パブリックコメント案を確定", "区長", consult),
        ("ICT-BCP", "0.1", draft, "ICT業務継続計画の素案を作成", "情報政策推進部長", draft),
        ("ICT-BCP", "0.2", consult, "パブリックコメント案を確定", "最高情報統括責任者(CIO)", consult),
        ("bcp_master.xlsx", "2026.1", _d(w, 120), "業務調査の結果を業務一覧に統合", "危機管理課長", _d(w, 121)),
        ("ict_master.xlsx", "2026.1", _d(w, 154), "リスクシナリオと対策案を登録", "情報政策課長", None),
    )
    return [
        {
            "change_id": f"CHG-{i:03d}",
            "item": item,
            "version": v,
            "change_date": d,
            "description": desc,
            "approver": ap,
            "approved_date": ad,
        }
        for i, (item, v, d, desc, ap, ad) in enumerate(rows, start=1)
    ]


def _meetings(w: World, start: dt.date) -> list[Row]:
    """Kick-off, monthly progress meetings (minutes mostly on time, two late, the last one pending) and reviews."""
    rng = w.rng
    out: list[Row] = []
    people = ("区担当A", "区担当B", "受託者PM", "BCP担当リーダー", "ICT担当リーダー")

    def add(day: dt.date, mtype: str, title: str, lateness: int | None) -> None:
        row: Row = {
            "meeting_id": f"MTG-{len(out) + 1:03d}",
            "held_date": day,
            "type": mtype,
            "title": title,
            "attendees": people if mtype != "レビュー" else (*people[:3], "情報政策課長"),
        }
        sub = w.add_business_days(day, lateness) if lateness is not None else None
        if sub is not None and sub < w.as_of:
            row["minutes_submitted"] = sub
            approved = w.add_business_days(sub, 2)
            if sub + dt.timedelta(days=5) < w.as_of and approved < w.as_of:
                row["minutes_approved"] = approved
        out.append(row)

    kickoff = w.business_day(start + dt.timedelta(days=7))
    add(kickoff, "キックオフ", "キックオフ会議", 3)
    y, m = start.year, start.month
    n = 0
    while (y, m) < (w.as_of.year, w.as_of.month):
        day = w.business_day(dt.date(y, m, 20))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        if day <= kickoff:
            continue
        n += 1
        add(day, "定例会", f"第{n}回定例会", rng.randint(6, 9) if n in (2, 5) else rng.randint(2, 5))
    # the latest meeting: held a few business days ago, its minutes are not due yet
    last = w.as_of - dt.timedelta(days=1)
    for _ in range(3):
        last -= dt.timedelta(days=1)
        while not w.calendar.is_business_day(last):
            last -= dt.timedelta(days=1)
    add(last, "定例会", f"第{n + 1}回定例会", None)
    add(_d(w, 138), "レビュー", "BCP・ICT-BCP素案レビュー", 4)
    out.sort(key=lambda r: r["held_date"])
    for i, r in enumerate(out, start=1):
        r["meeting_id"] = f"MTG-{i:03d}"
    return out


def _security(w: World, start: dt.date) -> list[Row]:
    """A monthly check of every item, the last one in the month of the status date."""
    items = (
        "機密情報の保管状況(施錠保管)",
        "パスワード・アクセス権の管理",
        "機密情報の持出記録",
        "端末のワイヤー固定・施錠",
        "送受信時の暗号化",
    )
    out: list[Row] = []
    y, m = start.year, start.month
    k = 0
    while True:
        day = w.business_day(dt.date(y, m, 10))
        if day >= w.as_of:
            break
        for item in items:
            row: Row = {
                "check_id": f"SEC-{len(out) + 1:03d}",
                "checked_date": day,
                "item": item,
                "result": "適合",
                "checker": "受託者PM",
            }
            if k == 3 and item.startswith("機密情報の持出"):
                row.update(
                    result="不適合",
                    finding="持出記録に返却日の記載漏れがあった",
                    corrective_action="記録様式に必須欄を設けた",
                    action_due=w.add_business_days(day, 10),
                    action_done=w.add_business_days(day, 6),
                )
            if (y, m) == (w.as_of.year, w.as_of.month) and item.startswith("送受信"):
                row.update(
                    result="不適合",
                    finding="暗号化せずに送付した資料が1件あった",
                    corrective_action="送付前の二重確認を徹底する",
                    action_due=w.add_business_days(w.as_of, 10),
                )
            out.append(row)
        k += 1
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _confidential(w: World, start: dt.date) -> list[Row]:
    a = w.as_of
    rows = (
        ("現行の業務継続計画(電子データ)", "電子データ", 10, None, None, None),
        ("職員参集の集計データ(個人情報を含まない)", "電子データ", 30, 180, "廃棄(データ消去)", True),
        ("システム構成図・ネットワーク構成図", "紙", 45, 120, "返却", True),
        ("業務調査票(回収分)", "電子媒体", 75, None, None, None),
        ("庁舎の設備台帳(写し)", "紙", 95, 150, "廃棄(裁断)", True),
        ("保守契約書の写し", "紙", 120, None, None, None),
    )
    out = []
    for i, (item, medium, recv, disposed, method, _) in enumerate(rows, start=1):
        received = _d(w, recv)
        row: Row = {
            "item_id": f"CNF-{i:03d}",
            "received_date": received,
            "item": item,
            "medium": medium,
            "provider": "区担当A" if i % 2 else "区担当B",
            "receiver": "受託者PM",
            "due_date": w.business_day(a + dt.timedelta(days=120)) if disposed is None else _d(w, disposed + 10),
        }
        if disposed is not None and _d(w, disposed) < a:
            row.update(disposed_date=_d(w, disposed), method=method, verifier="区担当A")
        out.append(row)
    return out


def _team(w: World, start: dt.date) -> list[Row]:
    left = _d(w, 150)
    rows = (
        ("受託者", "プロジェクト管理者", "受託者PM", "全体統括", True, start, None, None),
        ("受託者", "プロジェクトリーダー", "BCP担当リーダー", "BCP", True, start, None, None),
        ("受託者", "プロジェクトリーダー", "ICT担当リーダー", "ICT-BCP", True, start, None, None),
        ("受託者", "プロジェクトメンバー", "BCP担当メンバー", "BCP・パブリックコメント", True, start, None, None),
        (
            "受託者",
            "プロジェクトメンバー",
            "ICT担当メンバー(前任)",
            "ICT-BCP",
            False,
            start,
            left,
            w.business_day(left - dt.timedelta(days=40)),
        ),
        (
            "受託者",
            "プロジェクトメンバー",
            "ICT担当メンバー",
            "ICT-BCP",
            False,
            w.business_day(left + dt.timedelta(days=1)),
            None,
            None,
        ),
        ("受託者", "プロジェクトメンバー", "訓練担当", "訓練", True, start, None, None),
        ("発注者", "発注者責任者", "危機管理課長", "BCP", False, start, None, None),
        ("発注者", "発注者担当", "区担当A", "BCP", False, start, None, None),
        ("発注者", "発注者担当", "区担当B", "ICT-BCP", False, start, None, None),
    )
    return [
        {
            "member_id": f"ORGM-{i:02d}",
            "side": side,
            "role": role,
            "name": name,
            "responsibility": resp,
            "municipal_experience": exp,
            "start_date": s,
            "end_date": e,
            "change_notified": n,
        }
        for i, (side, role, name, resp, exp, s, e, n) in enumerate(rows, start=1)
    ]


def consultation_dates(w: World) -> tuple[dt.date, dt.date]:
    """Publication and closing day of the public consultation (4.2 of the WBS)."""
    publish = _d(w, CONSULTATION_START)
    return publish, w.business_day(publish + dt.timedelta(days=CONSULTATION_DAYS - 1))


def contract_end(w: World) -> dt.date:
    return _d(w, CONTRACT_DAYS)
