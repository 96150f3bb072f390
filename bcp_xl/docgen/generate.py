"""Make the documents of ``documents.md`` in one batch.

Every selected document's jobs are prepared first and every template is checked against its context
(pre-flight) before the first file is written, so a template with an unknown tag stops the batch with
nothing half-done. PDFs are made afterwards in one LibreOffice call.
"""

from __future__ import annotations

import datetime as dt
import importlib
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bcp_xl.docgen.data import DocData, Job, RenderJob
from bcp_xl.docgen.registry import BY_KEY, DOCUMENTS, DocSpec
from bcp_xl.docgen.render import DocgenError, DocumentStopped, preflight, render_docx
from bcp_xl.errors import OutputError

Progress = Callable[[int, int, str], None]  # (documents made, documents in all, the file just made)

DEFAULT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass
class GenerateResult:
    """What was written, what was not and why."""

    outputs: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (key, reason): a workbook missing
    held: list[tuple[str, str]] = field(default_factory=list)  # (key, reason): data errors
    provisional: list[str] = field(default_factory=list)
    stopped: list[tuple[str, str]] = field(default_factory=list)  # (key, message): e.g. a redaction hit
    pdfs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def templates_dir(templates: Path | None) -> Path:
    """The folder of templates: ``--templates`` or the ones shipped with the tool."""
    folder = templates or DEFAULT_TEMPLATES
    if not folder.is_dir():
        raise DocgenError(f"テンプレートのフォルダ {folder} がありません。")
    return folder


def select(only: Sequence[str] | None) -> list[DocSpec]:
    """The documents asked for, in the order of documents.md."""
    if not only:
        return list(DOCUMENTS)
    unknown = [k for k in only if k not in BY_KEY]
    if unknown:
        raise DocgenError(f"文書キー {'、'.join(unknown)} はありません。使える文書キー: {'、'.join(BY_KEY)}")
    wanted = set(only)
    return [d for d in DOCUMENTS if d.key in wanted]


def _error_books(data: DocData) -> set[str]:
    names = {wb.path.name: key for key, wb in data.ms.workbooks.items()}
    return {names[i.where.workbook] for i in data.ms.report if i.severity == "error" and i.where.workbook in names}


def _jobs(spec: DocSpec, data: DocData) -> list[Job]:
    module, func = spec.maker.split(":")
    maker = getattr(importlib.import_module(f"bcp_xl.docgen.{module}"), func)
    jobs: list[Job] = maker(data, spec)
    return jobs


# Cost of making each document in 1/10 s (measured on the sample ward): the order work is handed out in.
WEIGHT = {"ict": 22, "project-report": 16, "project-plan": 5, "bcp": 10, "bcp-summary": 2, "exercise-kit": 9,
          "ict-actions": 5, "bcp-actions": 5, "ict-operations": 3, "priority-list": 2, "ict-summary": 2}  # fmt: skip


# Documents that draw the same charts (参集予測 and the priority chart; the WBS Gantt chart).
SHARED = (("bcp", "bcp-summary"), ("project-plan", "project-report"))


@dataclass(frozen=True)
class _Run:
    """What every document of one batch shares (inherited by forked workers, never pickled)."""

    data: DocData
    templates: Path
    staging: Path
    when: dt.datetime


_RUN: _Run | None = None


def _make(key: str, provisional: bool) -> tuple[str, list[str], str | None]:
    """Make one document into the staging folder: its jobs, the pre-flight of every template, then
    the files. Returns (key, file names, stop message)."""
    run = _RUN
    assert run is not None
    spec = BY_KEY[key]
    run.data.provisional = provisional
    try:
        jobs = _jobs(spec, run.data)
    except DocumentStopped as stop:
        return key, [], str(stop)
    finally:
        run.data.provisional = False
    opened = [
        preflight(_template(run.templates, job.template), job.context) if isinstance(job, RenderJob) else None
        for job in jobs
    ]
    files = []
    for job, tpl in zip(jobs, opened, strict=True):
        target = run.staging / job.file
        if isinstance(job, RenderJob):
            render_docx(_template(run.templates, job.template), job.context, target, fixed_time=run.when, checked=tpl)
        else:
            job.write(target)
        files.append(job.file)
    return key, files, None


def _workers(count: int) -> int:
    """Two processes where the machine has the cores and the OS can fork (the budgets assume two
    cores); one elsewhere, e.g. on Windows, where the documents are made one after another."""
    if count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def generate_documents(
    data: DocData,
    out: Path,
    *,
    only: Sequence[str] | None = None,
    templates: Path | None = None,
    allow_errors: bool = False,
    progress: Progress | None = None,
    fixed_time: dt.datetime | None = None,
    workers: int | None = None,
    alongside: Callable[[], None] | None = None,
) -> GenerateResult:
    """Write the selected documents into ``out``; documents fed by a workbook with errors are held back
    (or, with ``allow_errors``, marked 暫定版).

    Every document is made into a staging folder first, its templates checked against its context
    before anything is rendered; only when all are made are they moved into ``out`` (each file in one
    step), so a template error leaves ``out`` as it was. The documents are independent, so they are
    made by two processes in parallel where the machine allows it; the result does not depend on it.
    ``alongside`` is other work of the same command (e.g. ``build`` writing the computed workbooks),
    done by this process while the workers render.
    """
    global _RUN
    result = GenerateResult()
    tdir = templates_dir(templates)
    errors = _error_books(data)
    data.templates = tdir
    todo: list[tuple[str, bool]] = []
    for spec in select(only):
        missing = [k for k in spec.needs if k not in data.ms.workbooks]
        if missing:
            result.skipped.append((spec.key, f"{'・'.join(m + '.xlsx' for m in missing)} がないため作成しません"))
            continue
        bad = [k for k in spec.feeds if k in errors]
        if bad and not allow_errors:
            result.held.append((spec.key, f"{'・'.join(bad)} に検証エラーがあるため作成しません"))
            continue
        if bad:
            result.provisional.append(spec.key)
        todo.append((spec.key, bool(bad)))
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".~bcp_xl.", dir=out))
    except OSError as exc:
        raise OutputError(
            f"{out} に書き込めません({exc.strerror})。書き込み権限と空き容量を確認してください。"
        ) from exc
    when = fixed_time or dt.datetime.combine(data.as_of, dt.time())
    _RUN = _Run(data, tdir, staging, when)
    made: dict[str, tuple[list[str], str | None]] = {}
    try:
        n = workers if workers is not None else _workers(len(todo))
        if progress:
            progress(0, len(todo), "")
        if n > 1:
            with multiprocessing.get_context("fork").Pool(n) as pool:
                pending = pool.imap_unordered(_make_group, _groups(todo))
                if alongside is not None:
                    alongside()
                for group in pending:
                    for key, files, stop in group:
                        made[key] = (files, stop)
                        if progress:
                            progress(len(made), len(todo), files[-1] if files else key)
        else:
            if alongside is not None:
                alongside()
            for key, provisional in todo:
                made[key] = _make(key, provisional)[1:]
                if progress:
                    progress(len(made), len(todo), made[key][0][-1] if made[key][0] else key)
        for key, _ in todo:  # documents.md order, whatever order the workers finished in
            files, stop = made[key]
            if stop is not None:
                result.stopped.append((key, stop))
            for name in files:
                try:
                    os.replace(staging / name, out / name)
                except OSError as exc:
                    raise OutputError(
                        f"{out / name} に書き込めません({exc.strerror})。書き込み権限と空き容量を確認してください。"
                    ) from exc
                result.outputs.append(out / name)
    finally:
        _RUN = None
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _groups(todo: Sequence[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    """The work handed to the workers: documents that share a chart go together (it is drawn once per
    process), heaviest group first, so that the workers finish together."""
    group_of = {key: i for i, keys in enumerate(SHARED) for key in keys}
    groups: dict[object, list[tuple[str, bool]]] = {}
    for item in todo:
        groups.setdefault(group_of.get(item[0], item[0]), []).append(item)
    return sorted(groups.values(), key=lambda g: -sum(WEIGHT.get(key, 1) for key, _ in g))


def _make_group(group: list[tuple[str, bool]]) -> list[tuple[str, list[str], str | None]]:
    return [_make(key, provisional) for key, provisional in group]


def _template(folder: Path, name: str) -> Path:
    path = folder / f"{name}.docx"
    if not path.is_file():
        raise DocgenError(f"テンプレート {path} がありません。--templates のフォルダに {name}.docx を置いてください。")
    return path
