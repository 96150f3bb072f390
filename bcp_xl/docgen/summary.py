"""The public summaries (概要版) of the ward BCP and the ICT-BCP: a Word edition and an accessible HTML edition.

Both editions are made from one context. The Word edition renders ``templates/<key>.docx`` (built from
``templates/src/<key>.txt``); the HTML edition renders the same source text, translated line by line into
HTML (headings, paragraphs, lists, tables with header cells and captions, charts as images whose
alternative text gives the numbers), inside the page layout ``templates/summary.html.j2`` (landmarks,
inline CSS, print styles) that staff may restyle. Both render in the sandboxed, autoescaping Jinja
environment of ``render.py``.

Every text that flows into the context is recorded with where it came from and checked by
``redaction.py`` before any job is returned, so a forbidden item stops the document before anything is
written.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from markupsafe import Markup

from bcp_xl.docgen import charts
from bcp_xl.docgen.bcp_docs import attendance, bands, priority_chart, priority_counts, training_summary
from bcp_xl.docgen.builder import _elements, _Table, read_source
from bcp_xl.docgen.data import DocData, Job, RenderJob, WriteJob, common_context, file_name, records
from bcp_xl.docgen.redaction import Redactor, forbidden_values, walk
from bcp_xl.docgen.registry import BCP, ICT, DocSpec
from bcp_xl.docgen.render import Chart, DocgenError, environment

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
HTML_LAYOUT = "summary.html.j2"
EXAMPLES_PER_BAND = 3
COUNTER_ROWS = 8
# Categories shown first as examples (their order in ■業務区分 is the ward's; these are the guide's terms).
_EXAMPLE_ORDER = ("災害応急対策業務", "優先度の高い通常業務", "新規発生業務", "災害復旧・復興業務")


class Sources:
    """Texts put into a public context, each with the field it came from (for the redaction message)."""

    def __init__(self) -> None:
        self.origins: dict[str, str] = {}

    def add(self, value: Any, origin: str) -> str:
        text = "" if value is None else str(value)
        if text:
            self.origins.setdefault(text, origin)
        return text


# ---- context: ward BCP --------------------------------------------------------------------------------


def _band_of(hours_value: float, band_list: Sequence[dict[str, Any]]) -> str | None:
    for b in band_list:
        if hours_value <= float(b["hours"]):
            return str(b["code"])
    return None


def _priority_tasks(data: DocData) -> list[dict[str, Any]]:
    prio = data.result("計算_優先業務")
    tasks = data.inputs(BCP, "業務一覧")
    rows = records(prio, ["task_id", "task_name", "category", "start_band", "start_hours", "is_priority"])
    extra: dict[str, dict[str, Any]] = {}
    if not tasks.empty:
        cols = [c for c in ("task_id", "manual_alt", "min_service_level", "facility_needs", "continuation")]
        extra = {r["task_id"]: r for r in records(tasks, cols)}
    out = []
    for r in rows:
        if r["is_priority"] is True:
            out.append({**extra.get(r["task_id"], {}), **r})
    return out


def _timeline(data: DocData, tasks: list[dict[str, Any]], src: Sources) -> list[dict[str, Any]]:
    """Per start band: how many priority tasks start and a few example task names."""
    rank = {c: i for i, c in enumerate(_EXAMPLE_ORDER)}
    by_band: dict[str, list[dict[str, Any]]] = {}
    for t in tasks:
        by_band.setdefault(str(t["start_band"]), []).append(t)
    out = []
    for b in bands(data):
        items = by_band.get(b["code"], [])
        ordered = sorted(items, key=lambda t: (rank.get(str(t["category"]), len(rank)), str(t["task_id"])))
        names = [src.add(t["task_name"], f"業務一覧.業務名 ({t['task_id']})") for t in ordered[:EXAMPLES_PER_BAND]]
        out.append(
            {
                "label": b["label"],
                "short": b["short"],
                "count": len(items),
                "examples": names or ["—"],
            }
        )
    return out


def _counters(data: DocData, tasks: list[dict[str, Any]], src: Sources) -> list[dict[str, Any]]:
    """Priority tasks with an alternative means: what residents meet at the counters."""
    labels = {b["code"]: b["label"] for b in bands(data)}
    chosen = [t for t in tasks if t.get("manual_alt") and "窓口" in str(t.get("facility_needs", ""))]
    if len(chosen) < COUNTER_ROWS:
        seen = {t["task_id"] for t in chosen}
        chosen += [t for t in tasks if t.get("manual_alt") and t["task_id"] not in seen][: COUNTER_ROWS - len(chosen)]
    chosen = sorted(chosen, key=lambda t: (float(t["start_hours"] or 0), str(t["task_id"])))[:COUNTER_ROWS]
    out = []
    for t in chosen:
        tid = t["task_id"]
        out.append(
            {
                "name": src.add(t["task_name"], f"業務一覧.業務名 ({tid})"),
                "start": labels.get(str(t["start_band"]), str(t["start_band"])),
                "alt": src.add(t["manual_alt"], f"業務一覧.代替手段 ({tid})"),
                "level": src.add(t.get("min_service_level") or "—", f"業務一覧.最低限の業務水準 ({tid})"),
            }
        )
    return out


def _continuation(data: DocData) -> list[dict[str, Any]]:
    tasks = data.inputs(BCP, "業務一覧")
    if tasks.empty or "continuation" not in tasks:
        return []
    counts = tasks["continuation"].fillna("").astype(str).value_counts()
    order = ("継続", "再開", "新規開始", "休止・縮小")
    return [{"name": k, "count": int(counts.get(k, 0))} for k in order if int(counts.get(k, 0)) > 0]


def _attendance_rates(att: dict[str, Any]) -> list[dict[str, Any]]:
    worst = att.get("worst_condition")
    return [r for r in att["rates"] if r["condition"] == worst]


def bcp_context(data: DocData, spec: DocSpec, src: Sources) -> dict[str, Any]:
    ctx = common_context(data, spec)
    counts = priority_counts(data)
    tasks = _priority_tasks(data)
    att = attendance(data)
    for c in counts["by_category"]:
        src.add(c["name"], "設定.■業務区分")
    ctx.update(
        {
            "task_total": counts["task_total"],
            "priority_total": len(tasks),
            "paused_total": max(int(counts["task_total"]) - len(tasks), 0),
            "categories": [c for c in counts["by_category"] if c["priority"] > 0],
            "timeline": _timeline(data, tasks, src),
            "first_day": sum(1 for t in tasks if float(t["start_hours"] or 0) <= 24),
            "continuation": _continuation(data),
            "counters": _counters(data, tasks, src),
            "chart_priority": priority_chart(data, counts) or "",
            "chart_attendance": att["chart"] or "",
            "worst_condition": att.get("worst_condition", "—"),
            "rates": _attendance_rates(att),
            "training": training_summary(data, ("区BCP", "両方")),
        }
    )
    return ctx


# ---- context: ICT-BCP ---------------------------------------------------------------------------------


def _systems(data: DocData, src: Sources) -> tuple[list[dict[str, Any]], int, Chart | None]:
    frame = data.result("計算_システム目標")
    rows = records(frame, ["system_id", "name", "rto_hours", "is_priority_system", "priority_rank"])
    band_list = bands(data)
    groups: dict[str, list[dict[str, Any]]] = {b["code"]: [] for b in band_list}
    later: list[dict[str, Any]] = []
    total = 0
    for r in rows:
        if r["is_priority_system"] is not True or r["rto_hours"] == "":
            continue
        total += 1
        src.add(r["name"], f"システム一覧.システム名 ({r['system_id']})")
        code = _band_of(float(r["rto_hours"]), band_list)
        (groups[code] if code else later).append(r)
    out = []
    for b in band_list:
        items = sorted(groups[b["code"]], key=lambda r: (float(r["rto_hours"]), int(r["priority_rank"] or 0)))
        if b["code"] == "H0" and not items:
            continue
        out.append(
            {
                "label": b["label"],
                "short": b["short"],
                "count": len(items),
                "names": [str(r["name"]) for r in items] or ["—"],
            }
        )
    if later:
        out.append(
            {
                "label": "1か月を超える",
                "short": "1か月超",
                "count": len(later),
                "names": [str(r["name"]) for r in later],
            }
        )
    chart = None
    if out:
        chart = charts.grouped_bars(
            "目標復旧時間の区分別の優先システム数",
            [g["short"] for g in out],
            [("優先システム数", [float(g["count"]) for g in out])],
            ylabel="システム数",
            unit="システム",
        )
    return out, total, chart


def _manual(data: DocData, src: Sources) -> list[dict[str, Any]]:
    """Counter tasks that depend on a system and how they continue while it is down."""
    links = data.inputs(ICT, "業務システム依存")
    tasks = {t["task_id"]: t for t in _priority_tasks(data)}
    systems = {
        r["system_id"]: src.add(r["name"], f"システム一覧.システム名 ({r['system_id']})")
        for r in records(data.inputs(ICT, "システム一覧"), ["system_id", "name"])
    }
    if links.empty:
        return []
    per_task: dict[str, dict[str, Any]] = {}
    for r in records(links, ["task_id", "system_id", "manual_alt"]):
        t = tasks.get(r["task_id"])
        if t is None or not r["manual_alt"]:
            continue
        item = per_task.setdefault(
            r["task_id"],
            {"task": t, "systems": [], "alt": r["manual_alt"], "origin": f"{r['task_id']}/{r['system_id']}"},
        )
        if r["system_id"] in systems and systems[r["system_id"]] not in item["systems"]:
            item["systems"].append(systems[r["system_id"]])
    chosen = sorted(
        per_task.values(),
        key=lambda i: ("窓口" not in str(i["task"].get("facility_needs", "")), str(i["task"]["task_id"])),
    )[:COUNTER_ROWS]
    out = []
    for i in sorted(chosen, key=lambda i: str(i["task"]["task_id"])):
        tid = i["task"]["task_id"]
        out.append(
            {
                "name": src.add(i["task"]["task_name"], f"業務一覧.業務名 ({tid})"),
                "systems": i["systems"] or ["—"],
                "alt": src.add(i["alt"], f"業務システム依存.代替手段 ({i['origin']})"),
            }
        )
    return out


def _measures(data: DocData, src: Sources) -> list[str]:
    frame = data.result("計算_対策評価")
    out = []
    for r in records(frame, ["measure_id", "name", "selection"]):
        if r["selection"] in ("選定", "必須"):
            out.append(src.add(r["name"], f"対策案.対策名 ({r['measure_id']})"))
    return out


def ict_context(data: DocData, spec: DocSpec, src: Sources) -> dict[str, Any]:
    ctx = common_context(data, spec)
    groups, total, chart = _systems(data, src)
    scen = records(data.inputs(ICT, "リスクシナリオ"), ["scenario_id", "name"])
    ctx.update(
        {
            "bcp_title": str(data.param(BCP, "plan_name", "業務継続計画")),
            "system_total": len(records(data.inputs(ICT, "システム一覧"), ["system_id"])),
            "priority_systems": total,
            "rto_groups": groups,
            "first_day_systems": sum(g["count"] for g in groups[:3]) if groups else 0,
            "chart_rto": chart or "",
            "scenarios": [src.add(s["name"], f"リスクシナリオ.シナリオ名 ({s['scenario_id']})") for s in scen],
            "manual": _manual(data, src),
            "measures": _measures(data, src),
            "training": training_summary(data, ("ICT-BCP", "両方")),
        }
    )
    return ctx


# ---- redaction -------------------------------------------------------------------------------------


def check_public(redactor: Redactor, ctx: dict[str, Any], src: Sources, document: str) -> None:
    """Stop ``document`` when any text of its context holds an item ``quality.md`` forbids."""
    for h in ctx.get("history", []):
        src.add(h.get("summary"), "変更履歴.変更内容")
    src.add(ctx.get("municipality"), "設定.自治体名")
    src.add(ctx.get("plan_title"), "設定.計画名")
    redactor.check(walk(ctx, "", src.origins), document)


# ---- HTML edition ----------------------------------------------------------------------------------

_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\})")


def _text(line: str) -> str:
    """Source text as Jinja/HTML: the prose escaped, the tags kept."""
    return "".join(part if _TAG.fullmatch(part) else html.escape(part, quote=False) for part in _TAG.split(line))


def _stmt(tag: str) -> str:
    """A docxtpl paragraph/row tag (``{%p if x %}``, ``{%tr for … %}``) as a plain Jinja statement."""
    return re.sub(r"^\{%(?:p|tr|tc|r)\s", "{% ", tag.strip())


def _html_table(table: _Table) -> list[str]:
    out = ["<table>", f"<caption>{_text(table.caption)}</caption>"]
    rows = list(table.rows)
    if rows:
        head = rows.pop(0)
        cells = "".join(f'<th scope="col">{_text(c)}</th>' for c in head)
        out.append(f"<thead><tr>{cells}</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        if len(row) == 1 and row[0].strip().startswith("{%"):
            out.append(_stmt(row[0]))
            continue
        first, *rest = row
        out.append(f'<tr><th scope="row">{_text(first)}</th>' + "".join(f"<td>{_text(c)}</td>" for c in rest) + "</tr>")
    out.append("</tbody></table>")
    return out


def html_body(lines: Sequence[str]) -> tuple[str, str]:
    """(table of contents, main content) as Jinja source, from a template source's lines."""
    nav: list[str] = []
    body: list[str] = []
    sections = 0
    level_of = {"# ": 2, "#! ": 2, "## ": 3, "### ": 4}
    for kind, item in _elements(lines):
        if kind == "table":
            assert isinstance(item, _Table)
            body.extend(_html_table(item))
            continue
        s = str(item)
        if s in ("!cover", "!history", "!toc", "!newpage"):
            continue
        marker = next((m for m in ("#! ", "### ", "## ", "# ") if s.startswith(m)), None)
        if marker:
            level = level_of[marker]
            title = _text(s[len(marker) :].strip())
            if level == 2:
                sections += 1
                body.append(f'<h2 id="s{sections}">{title}</h2>')
                nav.append(f'<li><a href="#s{sections}">{title}</a></li>')
            else:
                body.append(f"<h{level}>{title}</h{level}>")
        elif s.startswith("{%"):
            body.append(_stmt(s))
        elif s.startswith("!figure"):
            body.append(f'<div class="figure">{s[len("!figure") :].strip().replace("}}", "| figure }}")}</div>')
        elif s.startswith("!caption"):
            body.append(f'<p class="caption">{_text(s[len("!caption") :].strip())}</p>')
        elif s.startswith("- "):
            body.append(f"<ul><li>{_text(s[2:].strip())}</li></ul>")
        elif s.startswith("> "):
            body.append(f'<p class="note">{_text(s[2:].strip())}</p>')
        else:
            body.append(f"<p>{_text(s)}</p>")
    return "\n".join(nav), "\n".join(body)


def figure(value: Any) -> Markup:
    """A chart as an embedded PNG image whose alternative text states its numbers."""
    if not isinstance(value, Chart):
        return Markup("")
    data = base64.b64encode(value.png).decode("ascii")
    return Markup('<img src="data:image/png;base64,{}" alt="{}">').format(data, value.alt)


def render_html(key: str, ctx: dict[str, Any], templates: Path = TEMPLATES) -> str:
    """The HTML edition of a summary: its source text inside the page layout."""
    source = templates / "src" / f"{key}.txt"
    layout = templates / HTML_LAYOUT
    if not source.is_file() or not layout.is_file():
        raise DocgenError(f"概要版の HTML 版に必要な {source} または {layout} がありません。")
    env = environment()
    env.filters["figure"] = figure
    nav_src, body_src = html_body(read_source(source).lines)
    try:
        nav = env.from_string(nav_src).render(ctx)
        main = env.from_string(body_src).render(ctx)
        page = env.from_string(layout.read_text(encoding="utf-8")).render(
            {**ctx, "toc": Markup(nav), "content": Markup(re.sub(r"</ul>\s*<ul>", "", main))}
        )
    except TemplateError as exc:
        raise DocgenError(f"概要版の HTML 版({key})を作成できません: {exc}") from None
    return page


def visible_text(page: str) -> str:
    """The text a reader sees in an HTML page (styles, tags and embedded data removed)."""
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "\n", body))


def _jobs(data: DocData, spec: DocSpec, ctx: dict[str, Any], src: Sources) -> list[Job]:
    redactor = Redactor(forbidden_values(data))
    check_public(redactor, ctx, src, spec.key)
    file = file_name(spec, data)
    own = data.templates
    # An edited template folder may carry its own HTML source and layout; otherwise the shipped ones.
    tdir = (
        own
        if own is not None and (own / "src" / f"{spec.key}.txt").is_file() and (own / HTML_LAYOUT).is_file()
        else TEMPLATES
    )
    page = render_html(spec.key, ctx, tdir)
    # The layout and the prose are user-editable too: check the whole page as a reader sees it.
    lines = [ln for ln in visible_text(page).splitlines() if ln.strip()]
    redactor.check(((ln, f"概要版の文面(templates/src/{spec.key}.txt または {HTML_LAYOUT})") for ln in lines), spec.key)

    def write(target: Path) -> None:
        target.write_bytes(page.encode("utf-8"))

    return [RenderJob(spec.key, ctx, file), WriteJob(str(Path(file).with_suffix(".html")), write)]


def bcp_summary(data: DocData, spec: DocSpec) -> list[Job]:
    """{自治体名}業務継続計画_概要版.docx and .html."""
    src = Sources()
    return _jobs(data, spec, bcp_context(data, spec, src), src)


def ict_summary(data: DocData, spec: DocSpec) -> list[Job]:
    """{自治体名}ICT業務継続計画_概要版.docx and .html."""
    src = Sources()
    return _jobs(data, spec, ict_context(data, spec, src), src)
