"""What every document is made from: the validated masters, the computed results and the common facts
(municipality, plan name, version, dates, 改定履歴, sample and provisional marks)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bcp_xl.compute.values import as_number
from bcp_xl.docgen.registry import BCP, ICT, PRJ, PUB, DocSpec
from bcp_xl.docgen.render import wareki, ymd
from bcp_xl.schemas.validate import MasterSet

PLAN_TARGET = {"bcp": "区BCP", "ict": "ICT-BCP"}


@dataclass
class DocData:
    """The validated masters and every computed result a document may print."""

    ms: MasterSet
    as_of: dt.date
    results: Mapping[str, Any]
    provisional: bool = False
    templates: Path | None = None  # the template folder of this run (``--templates`` or the shipped one)
    _frames: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)
    _memo: dict[str, Any] = field(default_factory=dict)

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """A value computed once per run (charts and tables several documents share)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def has(self, workbook: str) -> bool:
        return workbook in self.ms.workbooks

    def param(self, workbook: str, key: str, default: Any = None) -> Any:
        wb = self.ms.workbooks.get(workbook)
        if wb is None:
            return default
        value = wb.settings.params.get(key)
        return default if value is None else value

    def inputs(self, workbook: str, sheet: str) -> pd.DataFrame:
        """The valid rows of an input sheet, defaults filled in (empty when absent or unusable)."""
        from bcp_xl.pipeline import typed_frame

        key = (workbook, sheet)
        if key not in self._frames:
            if workbook not in self.ms.workbooks:
                self._frames[key] = pd.DataFrame()
            else:
                self._frames[key] = typed_frame(self.ms, workbook, sheet)
        return self._frames[key]

    def result(self, sheet: str) -> pd.DataFrame | None:
        """A computed result sheet's frame (None when it could not be computed)."""
        value = self.results.get(sheet)
        return value if isinstance(value, pd.DataFrame) else None

    def rule(self, name: str) -> Any:
        return self.results.get(f"rule:{name}")

    @property
    def municipality(self) -> str:
        for key in (BCP, ICT, PRJ, PUB):
            name = self.param(key, "municipality_name")
            if name:
                return str(name)
        return "(自治体名未設定)"

    @property
    def is_sample(self) -> bool:
        return bool(self.param(BCP, "is_sample", False))


def clean(value: Any) -> Any:
    """A cell value fit for a template: NaN/NaT/None become "" and numpy scalars plain Python."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if value is pd.NaT:
        return ""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            return clean(value.item())
        except (ValueError, AttributeError):
            return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def cell_text(value: Any) -> str:
    """A cell as stripped text ("" when empty)."""
    return "" if value is None else str(value).strip()


def cell_items(value: Any) -> list[str]:
    """A list cell (a tuple after validation) or a single text as a list of non-empty texts."""
    if isinstance(value, list | tuple):
        return [s for s in (cell_text(v) for v in value) if s]
    s = cell_text(value)
    return [s] if s else []


def cell_number(value: Any) -> float | None:
    """A cell as a number; None when blank, NaN, a bool or not a number."""
    return as_number(clean(value))


def records(frame: pd.DataFrame | None, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows of a frame as dicts of clean values (column-wise conversion, no per-cell pandas access)."""
    if frame is None or frame.empty:
        return []
    cols = columns or list(frame.columns)
    data = {c: [clean(v) for v in frame[c].tolist()] for c in cols}
    return [{c: data[c][i] for c in cols} for i in range(len(frame))]


def plan_names(data: DocData, plan: str) -> tuple[str, str]:
    """(plan name, version) of the plan a document belongs to."""
    if plan == "ict":
        return str(data.param(ICT, "plan_name", "ICT業務継続計画")), str(data.param(ICT, "plan_version", "1.0"))
    if plan == "project":
        return "業務継続計画改定支援業務", str(data.param(BCP, "plan_version", "1.0"))
    if plan == "pubcomment":
        return str(data.param(BCP, "plan_name", "業務継続計画")), str(data.param(BCP, "plan_version", "1.0"))
    return str(data.param(BCP, "plan_name", "業務継続計画")), str(data.param(BCP, "plan_version", "1.0"))


def history(data: DocData, plan: str, version: str) -> list[dict[str, str]]:
    """改定履歴 from 変更履歴 rows whose 対象 is this plan; the current version alone without them."""
    target = PLAN_TARGET.get(plan)
    rows: list[tuple[dt.date, str, str]] = []
    if target and data.has(PRJ):
        frame = data.inputs(PRJ, "変更履歴")
        if not frame.empty:
            for item, ver, when, desc in zip(
                frame["item"].tolist(),
                frame["version"].tolist(),
                frame["change_date"].tolist(),
                frame["description"].tolist(),
                strict=True,
            ):
                if str(item).strip() == target and isinstance(when, dt.date):
                    rows.append((when, str(ver), str(desc)))
    rows.sort(key=lambda r: (r[0], r[1]))
    out = [{"version": v, "date": ymd(d), "summary": s} for d, v, s in rows]
    if not any(r["version"] == version for r in out):
        out.append({"version": version, "date": ymd(data.as_of), "summary": "現行版"})
    return out


def common_context(data: DocData, spec: DocSpec) -> dict[str, Any]:
    """The facts every template's cover and header use."""
    plan_title, version = plan_names(data, spec.plan)
    return {
        "municipality": data.municipality,
        "plan_title": plan_title if spec.plan in ("bcp", "ict") else spec.title,
        "doc_title": spec.title if spec.plan in ("bcp", "ict") else "",
        "version": version,
        "issue_date": ymd(data.as_of),
        "issue_date_wareki": wareki(data.as_of),
        "as_of": ymd(data.as_of),
        "is_sample": data.is_sample,
        "provisional": data.provisional,
        "history": history(data, spec.plan, version),
    }


@dataclass
class RenderJob:
    """A Word document to render from ``templates/<template>.docx``."""

    template: str
    context: dict[str, Any]
    file: str


@dataclass
class WriteJob:
    """A file written by a function (Excel annexes, HTML editions)."""

    file: str
    write: Callable[[Path], None]


Job = RenderJob | WriteJob


def file_name(spec: DocSpec, data: DocData, item_id: str = "") -> str:
    return spec.file.format(m=data.municipality, id=item_id)
