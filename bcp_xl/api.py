"""The operations that both the command line and the ribbon call. The library never prints and
never exits: results and issues come back as data, files that cannot be used as exceptions.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcp_xl import __version__
from bcp_xl.diff import DiffResult
from bcp_xl.errors import OutputError, ValidationReport, WorkbookFileError
from bcp_xl.schemas.contract import WORKBOOKS
from bcp_xl.schemas.validate import MasterSet, load_masters
from bcp_xl.workbook.reader import SheetSource, sha256_of

DEFAULT_DIR = Path("workbooks")
DEFAULT_OUT = Path("out")


@dataclass
class Checked:
    """Validated masters with every rule computed (nothing written yet)."""

    masters: MasterSet
    as_of: dt.date
    when: dt.datetime
    sheets: dict[str, list[Any]]
    results: dict[str, Any] = field(default_factory=dict)  # frames and rule objects (pipeline.compute_all keep)


def check(
    folder: Path = DEFAULT_DIR,
    as_of: dt.date | None = None,
    *,
    opened: Mapping[str, SheetSource] | None = None,
    frames: bool = True,
) -> Checked:
    """Read and validate the masters, then run every rule so that rule findings (e.g.
    ``non-monotonic-impact``) join the report; writes nothing. ``opened``: workbooks read from an open
    Excel book (the ribbon) instead of their file. ``frames=False``: only the report is wanted (no
    result sheets; the same issues, faster)."""
    from bcp_xl import pipeline

    if not folder.is_dir():
        raise OutputError(f"フォルダ {folder} がありません。マスタブックのあるフォルダを指定してください。")
    masters = load_masters(folder, opened)
    status_date = resolve_as_of(masters, as_of)
    when = run_time()
    results: dict[str, Any] = {}
    sheets = (
        pipeline.compute_all(masters, status_date, when, keep=results, frames=frames) if not masters.unusable else {}
    )
    return Checked(masters, status_date, when, sheets, results)


def validate(folder: Path = DEFAULT_DIR, as_of: dt.date | None = None) -> MasterSet:
    """Validate every master workbook in ``folder`` and check the rules of calculations.md; writes nothing."""
    return check(folder, as_of, frames=False).masters


def init(folder: Path, municipality: str | None = None, force: bool = False) -> list[Path]:
    """Create the four blank master workbooks in ``folder``."""
    from bcp_xl.workbook.writer import write_master

    paths = [folder / f"{key}.xlsx" for key in WORKBOOKS]
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        names = "、".join(p.name for p in existing)
        raise OutputError(f"{names} は既にあります。上書きする場合は --force を付けてください。")
    _ensure_writable(folder)
    params = {"municipality_name": municipality} if municipality else {}
    for key, path in zip(WORKBOOKS, paths, strict=True):
        write_master(path, key, params=params if key == "bcp_master" else {})
    return paths


def _ensure_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".bcp_xl_write_test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(
            f"フォルダ {folder} に書き込めません({exc.strerror})。書き込み権限と空き容量を確認してください。"
        ) from exc


def resolve_as_of(masters: MasterSet, as_of: dt.date | None) -> dt.date:
    """``--as-of`` wins over as_of_date in the workbooks, which wins over the run date."""
    return as_of or masters.as_of_date() or dt.date.today()


@dataclass
class GenerateRun:
    """The outcome of ``generate``/``build``: the masters, the status date and the documents."""

    masters: MasterSet
    as_of: dt.date
    out: Path
    documents: Any  # bcp_xl.docgen.generate.GenerateResult
    outputs: list[Path] = field(default_factory=list)

    @property
    def report(self) -> ValidationReport:
        return self.masters.report

    @property
    def manifest(self) -> Path:
        return self.out / "manifest.json"


def _generate(
    checked: Checked,
    out: Path,
    only: Sequence[str] | None,
    templates: Path | None,
    pdf: bool,
    allow_errors: bool,
    progress: Any,
    alongside: Any = None,
) -> Any:
    from bcp_xl import office
    from bcp_xl.docgen.data import DocData
    from bcp_xl.docgen.generate import generate_documents

    data = DocData(checked.masters, checked.as_of, checked.results)
    result = generate_documents(
        data, out, only=only, templates=templates, allow_errors=allow_errors, progress=progress, alongside=alongside
    )
    if pdf:
        docs = [p for p in result.outputs if p.suffix == ".docx"]
        if not office.available():
            result.notes.append("LibreOffice がないため PDF は作成しませんでした。")
        elif docs:
            result.pdfs = office.export_pdfs(docs, out)
    return result


def generate(
    folder: Path = DEFAULT_DIR,
    out: Path | None = None,
    *,
    only: Sequence[str] | None = None,
    templates: Path | None = None,
    pdf: bool = False,
    as_of: dt.date | None = None,
    allow_errors: bool = False,
    progress: Any = None,
    argv: Sequence[str] = (),
) -> GenerateRun:
    """Validate and compute, then render the documents of documents.md into ``out`` (default ``out/``).
    Documents fed by a workbook with data errors are held back unless ``allow_errors`` (then 暫定版)."""
    out = out or DEFAULT_OUT
    checked = check(folder, as_of)
    _stop_if_unusable(checked.masters)
    _ensure_writable(out)
    docs = _generate(checked, out, only, templates, pdf, allow_errors, progress)
    outputs = [*docs.outputs, *docs.pdfs]
    append_run_log(
        out,
        "generate",
        [wb.path for wb in checked.masters.workbooks.values()],
        outputs,
        "ok" if checked.masters.report.ok else "errors",
        argv,
    )
    return GenerateRun(checked.masters, checked.as_of, out, docs, outputs)


def build(
    folder: Path = DEFAULT_DIR,
    out: Path = DEFAULT_OUT,
    as_of: dt.date | None = None,
    allow_errors: bool = False,
    argv: Sequence[str] = (),
    *,
    pdf: bool = False,
    progress: Any = None,
) -> GenerateRun:
    """The main job: validate, compute (copies of the masters with their 計算_… sheets in ``out``),
    generate every document, and write ``manifest.json`` (every output and input with its SHA-256,
    the tool version and the time)."""
    from bcp_xl.workbook.results import write_results

    checked = check(folder, as_of)
    masters, status_date = checked.masters, checked.as_of
    _stop_if_unusable(masters)
    _ensure_writable(out)
    computed: list[Path] = []

    def write_computed() -> None:  # while the documents are rendered by the workers
        for wb in masters.workbooks.values():
            computed.append(write_results(wb.path, out / wb.path.name, checked.sheets.get(wb.key, [])))

    docs = _generate(checked, out, None, None, pdf, allow_errors, progress, alongside=write_computed)
    outputs = [*computed, *docs.outputs, *docs.pdfs]
    inputs = [{"file": wb.name, "sha256": wb.sha256} for wb in masters.workbooks.values()]
    manifest = {
        "tool": "bcp_xl",
        "version": __version__,
        "time": checked.when.isoformat(timespec="seconds"),
        "as_of_date": status_date.isoformat(),
        "inputs": inputs,
        "outputs": [{"file": p.name, "sha256": sha256_of(p)} for p in outputs],
        "held_back": [{"document": k, "reason": r} for k, r in docs.held],
        "skipped": [{"document": k, "reason": r} for k, r in docs.skipped],
        "provisional": docs.provisional,
        "stopped": [{"document": k, "reason": r} for k, r in docs.stopped],
        "validation": masters.report.to_dict()["counts"],
    }
    path = out / "manifest.json"
    _write_json(path, manifest)
    append_run_log(
        out,
        "build",
        [folder / i["file"] for i in inputs],
        [*outputs, path],
        "ok" if masters.report.ok else "errors",
        argv,
    )
    return GenerateRun(masters, status_date, out, docs, [*outputs, path])


@dataclass
class ComputeResult:
    """What ``compute`` wrote and found."""

    masters: MasterSet
    as_of: dt.date
    outputs: list[Path]
    backups: list[Path]

    @property
    def report(self) -> ValidationReport:
        return self.masters.report


def _stop_if_unusable(masters: MasterSet) -> None:
    """A file that cannot be used stops every command before anything is written."""
    for issue in masters.unusable.values():
        raise WorkbookFileError(issue)


def run_time() -> dt.datetime:
    """The time recorded in 計算_実行情報; ``SOURCE_DATE_EPOCH`` fixes it for reproducible outputs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC)


def compute(
    folder: Path = DEFAULT_DIR,
    out: Path | None = DEFAULT_OUT,
    in_place: bool = False,
    as_of: dt.date | None = None,
    argv: Sequence[str] = (),
) -> ComputeResult:
    """Validate, compute every rule and write the 計算_… sheets: into copies in ``out``, or into the
    masters themselves with ``in_place`` (backup first, atomic replace, refused while Excel holds a file)."""
    from bcp_xl.workbook.results import backup, refuse_if_locked, write_results

    checked = check(folder, as_of)
    masters, status_date, when, sheets = checked.masters, checked.as_of, checked.when, checked.sheets
    _stop_if_unusable(masters)
    targets = list(masters.workbooks.values())
    if in_place:
        for wb in targets:
            refuse_if_locked(wb.path)
    else:
        assert out is not None
        _ensure_writable(out)
    outputs: list[Path] = []
    backups: list[Path] = []
    stamp = when.astimezone().strftime("%Y%m%d-%H%M%S")
    for wb in targets:
        if in_place:
            backups.append(backup(wb.path, stamp))
            dst = wb.path
        else:
            assert out is not None
            dst = out / wb.path.name
        outputs.append(write_results(wb.path, dst, sheets.get(wb.key, [])))
    log_dir = folder / ".bcp_xl" if in_place else out
    assert log_dir is not None
    log_dir.mkdir(parents=True, exist_ok=True)
    append_run_log(
        log_dir,
        "compute",
        [wb.path for wb in targets] if not in_place else backups,
        outputs,
        "ok" if masters.report.ok else "errors",
        argv,
    )
    return ComputeResult(masters, status_date, outputs, backups)


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(
            f"{path} に書き込めません({exc.strerror})。書き込み権限と空き容量を確認してください。"
        ) from exc


def append_run_log(
    folder: Path, command: str, inputs: Sequence[Path], outputs: Sequence[Path], result: str, argv: Sequence[str] = ()
) -> Path:
    """One line per command that writes files: time, user, command, inputs with SHA-256, outputs, result."""
    log = folder / "run-log.jsonl"
    try:
        user = getpass.getuser()
    except Exception:
        user = ""
    entry = {
        "time": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
        "user": user,
        "command": " ".join(["bcp-xl", command, *argv]),
        "inputs": [{"file": str(p), "sha256": sha256_of(p)} for p in inputs if p.exists()],
        "outputs": [str(p) for p in outputs],
        "result": result,
    }
    try:
        with log.open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise OutputError(f"{log} に書き込めません({exc.strerror})。") from exc
    return log


def diff(old: Path, new: Path, out: Path | None = None, argv: Sequence[str] = ()) -> DiffResult:
    """新旧対照表 of two versions of a master workbook or of a Word document; with ``out`` it is
    written as .xlsx or .docx (by the extension) and the run is logged beside it."""
    from bcp_xl.diff import compare, write_diff

    result = compare(old, new)
    if out is not None:
        write_diff(result, out)
        append_run_log(out.parent, "diff", [old, new], [out], "ok", argv)
    return result
