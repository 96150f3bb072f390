"""業務一覧: the vocabulary's tasks for every unit, then generic ordinary tasks that can be suspended,
with impact ratings that reproduce each task's typical start band under rule B (θ = 4).
"""

from __future__ import annotations

from bcp_xl.sample.context import BAND_CODES, BAND_HOURS, BAND_ORDER, THETA, VOCAB_BANDS, Row, Unit, World
from bcp_xl.sample.vocab import VTask

# fmt: off
CATEGORY = {"通常業務": "通常業務(休止・縮小)"}
BASIS = {
    "災害応急対策業務": "地域防災計画", "新規発生業務": "発災後新規", "災害復旧・復興業務": "地域防災計画",
    "優先度の高い通常業務": "法令", "通常業務": "事務分掌",
}

# keyword → value tables (first match wins); the words are looked for in the task name
LEGAL_REFS = (
    ("避難所", "災害救助法"), ("救助", "災害救助法"), ("応急給水", "災害救助法"), ("罹災証明", "災害対策基本法第90条の2"),
    ("被災者台帳", "災害対策基本法第90条の3"), ("災害対策本部", "災害対策基本法第23条の2"),
    ("避難指示", "災害対策基本法第60条"), ("生活再建", "被災者生活再建支援法"), ("戸籍", "戸籍法"),
    ("死亡届", "戸籍法"), ("火葬", "墓地、埋葬等に関する法律"), ("住民", "住民基本台帳法"), ("生活保護", "生活保護法"),
    ("保護費", "生活保護法"), ("介護", "介護保険法"), ("国民健康保険", "国民健康保険法"), ("感染症", "感染症の予防及び感染症の患者に対する医療に関する法律"),
    ("食中毒", "食品衛生法"), ("児童虐待", "児童虐待の防止等に関する法律"), ("精神保健", "精神保健及び精神障害者福祉に関する法律"),
    ("税", "地方税法"), ("選挙", "公職選挙法"), ("応急危険度", "建築基準法"), ("道路", "道路法"),
    ("廃棄物", "廃棄物の処理及び清掃に関する法律"), ("ごみ", "廃棄物の処理及び清掃に関する法律"), ("給与", "地方公務員法"),
)
SKILLS = (
    ("感染症", "保健師"), ("保健", "保健師"), ("健康", "保健師"), ("精神", "精神保健福祉士"), ("応急危険度", "建築士(応急危険度判定)"),
    ("被災建築物", "建築士(応急危険度判定)"), ("家屋被害", "建築士または家屋調査経験者"), ("道路", "土木技術"),
    ("橋", "土木技術"), ("児童", "社会福祉士・児童福祉司"), ("虐待", "社会福祉士・児童福祉司"), ("給食", "管理栄養士"),
    ("食品", "食品衛生監視員"), ("食中毒", "食品衛生監視員"), ("医療", "医師・看護師との連携"), ("ネットワーク", "情報処理技術"),
    ("システム", "情報処理技術"),
)
AXES = (
    ("救助", "生命・身体"), ("避難", "生命・身体"), ("医療", "生命・身体"), ("救護", "生命・身体"), ("感染", "生命・身体"),
    ("虐待", "生命・身体"), ("安否", "生命・身体"), ("遺体", "生命・身体"), ("給水", "生命・身体"), ("要配慮", "生命・身体"),
    ("税", "財産・経済"), ("支払", "財産・経済"), ("契約", "財産・経済"), ("産業", "財産・経済"), ("融資", "財産・経済"),
    ("議会", "法令・信用"), ("選挙", "法令・信用"), ("監査", "法令・信用"), ("公表", "法令・信用"), ("届", "法令・信用"),
    ("本部", "行政機能"), ("職員", "行政機能"), ("システム", "行政機能"), ("庁舎", "行政機能"), ("ネットワーク", "行政機能"),
)
CATEGORY_AXIS = {
    "災害応急対策業務": "生命・身体", "新規発生業務": "区民生活", "災害復旧・復興業務": "区民生活",
    "優先度の高い通常業務": "区民生活", "通常業務": "行政機能",
}
FACILITIES = (
    ("窓口", "窓口カウンター・端末・証明用紙"), ("交付", "窓口カウンター・端末・証明用紙"), ("受付", "窓口・受付様式"),
    ("避難所", "避難所(区立小中学校)・備蓄倉庫"), ("本部", "本部室・電話・ホワイトボード"), ("物資", "地域内輸送拠点・車両"),
    ("車", "公用車・燃料"), ("無線", "無線機・非常用電源"), ("システム", "サーバ室・予備端末"), ("相談", "相談室・相談記録様式"),
)
SERVICE_LEVELS = {
    "災害応急対策業務": "発災直後は人命に関わる対応に限定する",
    "新規発生業務": "受付と記録を優先し、審査・交付は順次行う",
    "災害復旧・復興業務": "方針決定と関係機関調整を優先する",
    "優先度の高い通常業務": "受付のみ行い、交付・決定は後日とする",
    "通常業務": "期限のあるものに限り処理する",
}
OVERRIDE_REASONS = (
    "地域防災計画で前倒しの開始が定められているため",
    "東京都との協定により早期に開始するため",
    "区民への影響を考慮し区長の方針で前倒しするため",
)
OVERRIDE_TO_PRIORITY_REASON = "法定期限があり1か月を超えて停止できないため(基準表による判断)"

GENERIC_TASKS = (
    "事業の進行管理", "補助金の交付事務", "計画の策定・改定", "統計調査への回答", "庶務(文書収受・物品管理)", "予算の執行管理",
    "決算資料の作成", "議会答弁資料の作成", "委託契約の事務", "所管施設の維持管理", "区民向け講座・イベントの開催",
    "審議会・協議会の運営", "啓発物品・パンフレットの作成", "課内研修の実施", "情報公開請求への対応", "事業実績の取りまとめ",
    "行政評価シートの作成", "各種照会への回答", "会議資料の作成", "業務マニュアルの改訂", "外部団体との連絡調整",
    "広報記事の作成", "所管例規の改正事務", "事業者・団体への指導", "ホームページ記事の更新", "アンケート調査の実施",
    "業務改善の検討", "監査への対応", "文書の整理・保存年限管理", "備品・消耗品の調達",
)
GENERIC_SUBJECTS = ("所管事業", "補助事業", "委託事業", "所管施設", "関係団体", "啓発事業", "調査研究", "地域連携事業", "新規事業",
                    "受託事業")
GENERIC_ACTIONS = ("の進行管理", "の実績集計", "の予算要求", "の契約事務", "の評価・見直し", "に係る照会対応", "の資料作成",
                   "の記録整理")
# fmt: on


def _lookup(table: tuple[tuple[str, str], ...], name: str) -> str | None:
    return next((v for k, v in table if k in name), None)


def generic_names(count: int) -> list[str]:
    """``count`` distinct names of ordinary tasks for one unit."""
    names = list(GENERIC_TASKS)
    names += [s + a for a in GENERIC_ACTIONS for s in GENERIC_SUBJECTS]
    k = 2
    base = list(names)
    while len(names) < count:
        names += [f"{n}(その{k})" for n in base]
        k += 1
    return names[:count]


def impacts(w: World, band: str) -> list[int]:
    """Six non-decreasing ratings whose first band reaching θ is ``band`` (H0 → H3; X → none)."""
    rng = w.rng
    first = 0 if band == "H0" else (BAND_CODES.index(band) if band in BAND_CODES else 6)
    out: list[int] = []
    level = rng.choice((1, 1, 2)) if first > 0 else 0
    for k in range(6):
        if k < first:
            if k > 0 and rng.random() < 0.35:
                level = min(THETA - 1, level + 1)
            if k == first - 1 and first < 6 and rng.random() < 0.6:
                level = THETA - 1
            out.append(level)
        elif k == first:
            level = THETA + (1 if rng.random() < 0.45 else 0)
            out.append(level)
        else:
            if rng.random() < 0.5:
                level = min(5, level + 1)
            out.append(level)
    return out


def _pick_vocab(w: World) -> dict[str, list[VTask]]:
    """The vocabulary tasks of each unit; fewer than all when the scale asks for fewer tasks."""
    by_section: dict[str, list[VTask]] = {}
    for t in w.vocab.tasks:
        by_section.setdefault(t.section, []).append(t)
    full = {u.org_id: list(by_section.get(u.section, ())) for u in w.units}
    total = sum(len(v) for v in full.values())
    if w.scale.tasks >= total:
        return full
    # round robin over the units, in file order within each, until the number of tasks is reached
    picked: dict[str, list[VTask]] = {u.org_id: [] for u in w.units}
    left = w.scale.tasks
    depth = 0
    while left > 0:
        for u in w.units:
            ts = full[u.org_id]
            if depth < len(ts) and left > 0:
                picked[u.org_id].append(ts[depth])
                left -= 1
        depth += 1
    return picked


def roles(unit: Unit, urgent: bool) -> tuple[str, tuple[str, ...]]:
    """The responsible role of a task and its alternates, in order."""
    if urgent:
        return unit.head, (f"{unit.name}係長", f"{unit.name}主査")
    return f"{unit.name}係長", (f"{unit.name}主査", unit.head)


def build_tasks(w: World) -> None:
    """業務一覧 rows (internal keys: _unit, _start, _priority, _systems, _staff, _vocab)."""
    rng = w.rng
    vocab = _pick_vocab(w)
    n_vocab = sum(len(v) for v in vocab.values())
    n_generic = max(0, w.scale.tasks - n_vocab)
    per_unit = [n_generic // len(w.units)] * len(w.units)
    for i in sorted(rng.sample(range(len(w.units)), n_generic % len(w.units))):
        per_unit[i] += 1
    for unit, n_gen in zip(w.units, per_unit, strict=True):
        for vt in vocab[unit.org_id]:
            _add(w, _vocab_task(w, unit, vt))
        for name in generic_names(n_gen):
            _add(w, _generic_task(w, unit, name))
    _overrides(w)


def _add(w: World, row: Row) -> None:
    row["task_id"] = f"T-{len(w.tasks) + 1:04d}"
    w.tasks.append(row)
    w.task_by_key[(row["org_id"], row["task_name"])] = row


def _vocab_task(w: World, unit: Unit, vt: VTask) -> Row:
    rng = w.rng
    band = VOCAB_BANDS[vt.band_text]
    cat = CATEGORY.get(vt.category, vt.category)
    priority = band != "X"
    if band == "H0":
        cont = "継続"
    elif not priority:
        cont = "休止・縮小"
    elif vt.category in ("優先度の高い通常業務", "通常業務"):
        cont = "再開"
    else:
        cont = "新規開始"
    imp = impacts(w, band)
    urgent = priority and BAND_ORDER[band] <= BAND_ORDER["D1"]
    primary, alts = roles(unit, urgent)
    row: Row = {
        "org_id": unit.org_id,
        "task_name": vt.name,
        "category": cat,
        "basis": BASIS[vt.category],
        "legal_ref": _lookup(LEGAL_REFS, vt.name) if priority or rng.random() < 0.3 else None,
        "continuation": cont,
        "normal_staff": vt.staff + rng.randint(0, 2),
        "impact_axis": _lookup(AXES, vt.name) or CATEGORY_AXIS[vt.category],
        "skills_required": _lookup(SKILLS, vt.name) if priority else None,
        "facility_needs": _lookup(FACILITIES, vt.name) if priority else None,
        "manual_alt": vt.manual_alt or None,
        "min_service_level": SERVICE_LEVELS[vt.category] if priority and rng.random() < 0.6 else None,
        "primary_role": primary,
        "alt_roles": alts,
        "_unit": unit,
        "_band": band,
        "_start": band,
        "_priority": priority,
        "_systems": vt.systems,
        "_staff": vt.staff,
        "_vocab": True,
    }
    if vt.category == "災害応急対策業務" and rng.random() < 0.25:
        row["description"] = f"{unit.name}が担う災害応急対策({vt.band_text}に開始)"
    for code, v in zip(BAND_CODES, imp, strict=True):
        row[f"impact_{code.lower()}"] = v
    _needs(row)
    return row


def _needs(row: Row) -> None:
    start = row["_start"]
    for code in BAND_CODES:
        key = f"need_{code.lower()}"
        if row["_priority"] and BAND_ORDER[code] >= BAND_ORDER[start]:
            row[key] = row["_staff"]
        else:
            row.pop(key, None)


def _generic_task(w: World, unit: Unit, name: str) -> Row:
    rng = w.rng
    primary, _ = roles(unit, False)
    row: Row = {
        "org_id": unit.org_id,
        "task_name": name,
        "category": "通常業務(休止・縮小)",
        "basis": "事務分掌",
        "continuation": "休止・縮小",
        "normal_staff": rng.randint(1, 3),
        "impact_axis": rng.choice(("行政機能", "行政機能", "区民生活", "財産・経済")),
        "primary_role": primary,
        "min_service_level": "休止し、再開後に遡って処理する" if rng.random() < 0.2 else None,
        "_unit": unit,
        "_band": "X",
        "_start": "X",
        "_priority": False,
        "_systems": (),
        "_staff": 0,
        "_vocab": False,
    }
    for code, v in zip(BAND_CODES, impacts(w, "X"), strict=True):
        row[f"impact_{code.lower()}"] = v
    return row


def _overrides(w: World) -> None:
    """A few 開始目標上書き with reasons: earlier starts by policy, and ordinary tasks made priority."""
    rng = w.rng
    earlier = [t for t in w.tasks if t["_vocab"] and t["_band"] in ("D1", "D3", "W1")]
    n = max(2, len(earlier) // 60)
    for t in rng.sample(earlier, min(n, len(earlier))):
        new = BAND_CODES[BAND_CODES.index(t["_band"]) - 1]
        t["start_band_override"] = new
        t["override_reason"] = rng.choice(OVERRIDE_REASONS)
        t["_start"] = new
        _needs(t)
    suspended = [t for t in w.tasks if t["_vocab"] and t["_band"] == "X"]
    for t in rng.sample(suspended, min(2, len(suspended))):
        t["start_band_override"] = "M1"
        t["override_reason"] = OVERRIDE_TO_PRIORITY_REASON
        t["_start"] = "M1"
        t["_priority"] = True
        t["_staff"] = max(1, t["normal_staff"] // 2)
        t["category"] = "優先度の高い通常業務"
        t["continuation"] = "再開"
        _needs(t)


def start_hours(task: Row) -> float | None:
    """Hours of the task's start band (None when it is not a priority task)."""
    return float(BAND_HOURS[task["_start"]]) if task["_priority"] else None
