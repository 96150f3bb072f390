"""Render a Word template with a context: sandboxed, escaped, checked before and after.

Templates are files ward staff edit, so they run in Jinja's sandbox (no file access, no imports, no
Python internals) with autoescaping on (a task named ``A&B <仮>`` prints as written) and with strict
undefined values. Before anything is written, the template's tags are compared with the context and
unknown names stop generation with a message naming them; after rendering, the text is checked for
leftover tags and for ``None``/``nan`` that would mean an empty fact.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from bcp_xl.errors import BcpXlError
from bcp_xl.workbook.writer import write_deterministic


class DocgenError(BcpXlError):
    """A template or a context that cannot make a document (message in Japanese)."""


class DocumentStopped(DocgenError):
    """One document must not be written (e.g. a public edition with a forbidden item); the others go on."""


@dataclass(frozen=True)
class Chart:
    """A picture for a document: PNG bytes with its alternative text."""

    png: bytes
    alt: str
    width_mm: float = 150.0


class _Template(DocxTemplate):  # type: ignore[misc]
    """docxtpl's template, skipping the paragraph-by-paragraph pass for tabs, line and page breaks in
    values when the rendered XML holds none of those characters (most documents): same output."""

    def resolve_listing(self, xml: str) -> str:
        if not any(ch in xml for ch in "\t\a\n\f"):
            return xml
        resolved: str = super().resolve_listing(xml)
        return resolved


# The tags of a template depend on the template alone: found once per file and version in a process.
_TAGS: dict[tuple[str, int, int], frozenset[str]] = {}


class _AltImage(InlineImage):  # type: ignore[misc]
    """docxtpl's inline image with the alternative text (``descr``) screen readers read out."""

    def __init__(self, tpl: DocxTemplate, chart: Chart) -> None:
        super().__init__(tpl, io.BytesIO(chart.png), width=Mm(chart.width_mm))
        self.chart = chart

    def _insert_image(self) -> str:
        inline = self.tpl.current_rendering_part.new_pic_inline(io.BytesIO(self.chart.png), self.width, self.height)
        doc_pr = inline.find(qn("wp:docPr"))
        doc_pr.set("descr", self.chart.alt)
        return f'</w:t></w:r><w:r><w:drawing>{inline.xml}</w:drawing></w:r><w:r><w:t xml:space="preserve">'


_ERAS = ((dt.date(2019, 5, 1), "令和", 2018), (dt.date(1989, 1, 8), "平成", 1988))


def wareki(value: dt.date) -> str:
    """和暦 (令和8年4月1日; 元年 for the first year)."""
    for start, era, offset in _ERAS:
        if value >= start:
            year = value.year - offset
            y = "元" if year == 1 else str(year)
            return f"{era}{y}年{value.month}月{value.day}日"
    return f"{value.year}年{value.month}月{value.day}日"


def ymd(value: dt.date | None) -> str:
    """西暦 (2026年4月1日); empty dates print as —."""
    if value is None:
        return "—"
    return f"{value.year}年{value.month}月{value.day}日"


def num(value: Any, digits: int = 0) -> str:
    """A number with thousands separators; None/NaN print as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "—"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    if digits == 0 or float(value).is_integer():
        return f"{round(value):,}" if digits == 0 else f"{int(value):,}"
    return f"{value:,.{digits}f}"


def hours(value: Any) -> str:
    """A duration in hours as a clerk says it (3時間, 3日, 2週間); None prints as —."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    h = float(value)
    if math.isinf(h):
        return "復旧見込みなし"
    if h >= 24 and h % 24 == 0:
        days = int(h // 24)
        return f"{days // 7}週間" if days % 7 == 0 and days >= 14 else f"{days}日"
    return f"{num(h, 1)}時間"


def text(value: Any) -> str:
    """Any value as text; None/NaN as —."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return "—"
    if isinstance(value, dt.date):
        return ymd(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return num(value, 1)
    return str(value)


def environment() -> SandboxedEnvironment:
    """The one Jinja environment every template renders in."""
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False)
    env.filters.update({"wareki": wareki, "ymd": ymd, "n": num, "h": hours, "t": text})
    return env


def _bind_charts(tpl: DocxTemplate, value: Any) -> Any:
    if isinstance(value, Chart):
        return _AltImage(tpl, value)
    if isinstance(value, Mapping):
        return {k: _bind_charts(tpl, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_bind_charts(tpl, v) for v in value]
    return value


_LEFTOVER = re.compile(r"\{\{|\{%|\}\}|%\}|(?<![A-Za-z])(?:None|nan|NaN)(?![A-Za-z])")


def _parts_text(tpl: DocxTemplate) -> str:
    """The visible text of the body, headers and footers (paragraphs separated by newlines)."""
    chunks = []
    package = tpl.docx.part.package
    for part in package.iter_parts():
        name = str(part.partname)
        if not (name.startswith("/word/document") or "/word/header" in name or "/word/footer" in name):
            continue
        element = getattr(part, "_element", None)
        xml = element.xml if element is not None else part.blob.decode("utf-8")
        xml = re.sub(r"<w:instrText[^>]*>.*?</w:instrText>", "", xml, flags=re.S)
        xml = xml.replace("</w:p>", "\n")
        chunks.append(re.sub(r"<[^>]+>", "", xml))
    return "\n".join(chunks)


def _check_leftovers(tpl: DocxTemplate, name: str) -> None:
    from html import unescape

    body = unescape(_parts_text(tpl))
    m = _LEFTOVER.search(body)
    if m:
        line = next(ln for ln in body.splitlines() if m.group(0) in ln)
        raise DocgenError(
            f"{name}: 出力に未処理のタグまたは空の値「{m.group(0)}」が残っています(該当箇所: 「{line.strip()[:60]}」)。"
            "テンプレートか入力データを確認してください。"
        )


def preflight(template: Path, context: Mapping[str, Any]) -> DocxTemplate:
    """Open ``template`` and stop with the unknown tag names when the context lacks them."""
    try:
        tpl = _Template(str(template))
        stat = template.stat()
        key = (str(template.resolve()), stat.st_mtime_ns, stat.st_size)
        if key not in _TAGS:
            _TAGS[key] = frozenset(tpl.get_undeclared_template_variables(environment()))
        unknown = _TAGS[key] - set(context)
    except TemplateError as exc:
        raise DocgenError(f"テンプレート {template.name} のタグに誤りがあります: {exc}") from None
    except (OSError, KeyError, ValueError) as exc:
        raise DocgenError(
            f"テンプレート {template.name} を開けません({exc})。Word 文書(.docx)か確認してください。"
        ) from None
    if unknown:
        names = "、".join(f"{{{{ {n} }}}}" for n in sorted(unknown))
        raise DocgenError(
            f"テンプレート {template.name} に、データにない項目のタグがあります: {names}。"
            "タグ名の綴りを確認するか、タグを削除してください。"
        )
    return tpl


def render_docx(
    template: Path,
    context: Mapping[str, Any],
    target: Path,
    *,
    fixed_time: dt.datetime,
    checked: DocxTemplate | None = None,
) -> None:
    """Render ``template`` with ``context`` into ``target`` deterministically (``checked``: the template
    as the pre-flight opened and checked it for this context, rendered without opening it again)."""
    tpl = checked if checked is not None else preflight(template, context)
    bound = {k: _bind_charts(tpl, v) for k, v in context.items()}
    try:
        tpl.render(bound, jinja_env=environment(), autoescape=True)
    except UndefinedError as exc:
        raise DocgenError(
            f"テンプレート {template.name} のタグがデータにない値を参照しています({exc.message})。"
        ) from None
    except SecurityError as exc:
        raise DocgenError(f"テンプレート {template.name} に許可されていない操作があります({exc})。") from None
    except TemplateError as exc:
        raise DocgenError(f"テンプレート {template.name} のタグに誤りがあります: {exc}") from None
    _check_leftovers(tpl, target.name)
    core = tpl.docx.core_properties
    core.created = fixed_time
    core.modified = fixed_time
    core.last_printed = fixed_time
    core.revision = 1
    buf = io.BytesIO()
    tpl.docx.save(buf)
    write_deterministic(buf.getvalue(), target)
