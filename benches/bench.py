"""Benchmark of issue "Speed at ward scale and beyond" (budgets: ../shared/spec/quality.md).

Generates the ``meguro`` and ``large`` samples (seed 1) under ``benches/_work/``, then times
``bcp-xl validate``, ``bcp-xl compute --out`` and ``bcp-xl build --out`` as whole processes (wall time,
median/min/max of N runs after one untimed warm-up run, peak memory of the child from ``os.wait4``),
times R9 (the countermeasure selection) on its own in-process, compares reading the four masters
with ``pandas.read_excel(..., engine="openpyxl")`` against ``bcp_xl``'s own reader (in-process), and
writing the largest document table row by row with python-docx against ``bcp_xl``'s template rendering.

The children run with Python's bytecode cache on (in ``benches/_work/pycache``), as an installed
package does: a development shell with ``PYTHONDONTWRITEBYTECODE=1`` would otherwise recompile every
``bcp_xl`` module on every run.

It reports; it never fails: the exit code is always 0.

    make bench
    .venv/bin/python benches/bench.py --runs 3 --scales meguro
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
BIN = Path(sys.executable).parent
SEED = 1
SCALES = ("meguro", "large")

MB = 1024 * 1024
# Budgets of quality.md: seconds (median of 5 whole-process runs) and bytes of peak memory.
TIME_BUDGET: dict[tuple[str, str], float] = {
    ("validate", "meguro"): 1.5,
    ("validate", "large"): 5.0,
    ("compute", "meguro"): 2.5,
    ("compute", "large"): 10.0,
    ("build", "meguro"): 6.0,
    ("build", "large"): 40.0,
}
MEM_BUDGET: dict[tuple[str, str], int] = {
    ("build", "meguro"): 400 * MB,
    ("build", "large"): 1536 * MB,
}
STEPS = ("validate", "compute", "build")
R9_BUDGET = 5.0  # seconds, R9 on its own at `large` (quality.md)
READER_TARGET = 3.0  # the project's reader must be at least this many times faster than pandas/openpyxl


@dataclass
class Timing:
    """Wall times (s) and peak resident memory (bytes) of the runs of one step."""

    times: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


def bcp_xl() -> str:
    exe = BIN / "bcp-xl"
    return str(exe) if exe.exists() else shutil.which("bcp-xl") or "bcp-xl"


def child_env() -> dict[str, str]:
    """The environment of the timed children: bytecode caching on, in a folder of the benchmark."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    return env


def run_child(cmd: list[str]) -> tuple[float, int, int, str]:
    """Run ``cmd`` as a whole process: (wall s, peak RSS bytes, exit code, stderr)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, env=child_env())
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return wall, usage.ru_maxrss * 1024, proc.returncode, stderr  # ru_maxrss is in KiB on Linux


def generate(scale: str) -> Path:
    folder = WORK / scale
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    res = subprocess.run(
        [bcp_xl(), "sample", str(folder), "--scale", scale, "--seed", str(SEED)],
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - t0
    if res.returncode != 0:
        print(f"  sample {scale} failed (exit {res.returncode}):\n{res.stderr[-2000:]}")
    else:
        print(f"  sample {scale}: {took:.1f} s")
    return folder


def time_step(step: str, folder: Path, runs: int) -> Timing:
    out = WORK / f"out_{folder.name}_{step}"
    cmd = [bcp_xl(), step, str(folder)]
    if step != "validate":
        cmd += ["--out", str(out)]
    t = Timing()
    for i in range(runs + 1):
        if out.exists():
            shutil.rmtree(out)
        wall, peak, code, stderr = run_child(cmd)
        if i == 0:
            continue  # warm-up: fills the bytecode cache and the file cache; not counted
        # Exit 1 means "the data has findings", not a crash; only a traceback (or another code) is one.
        if "Traceback (most recent call last)" in stderr or code not in (0, 1):
            t.notes.append(f"crash (exit {code}): {stderr.strip().splitlines()[-1:] or ['']}")
        elif code == 1:
            t.notes.append("exit 1 (data findings)")
        t.times.append(wall)
        t.peaks.append(peak)
    return t


def task_count(folder: Path) -> int:
    from bcp_xl.schemas.contract import TASK
    from bcp_xl.schemas.validate import load_masters

    sd = load_masters(folder).sheet(*TASK)
    return 0 if sd is None or sd.frame is None else len(sd.frame)


def time_r9(folder: Path, runs: int) -> list[float]:
    """In-process seconds of R9 alone (reading the measures, the selection within the budget and the
    evaluation of every measure for 計算_対策評価), as ``ict_scenarios`` measures it, per run of the
    rules on the sample."""
    from bcp_xl import api, pipeline
    from bcp_xl.schemas.validate import load_masters

    out: list[float] = []
    for _ in range(runs):
        ms = load_masters(folder)
        keep: dict[str, object] = {}
        pipeline.compute_all(ms, api.resolve_as_of(ms, None), api.run_time(), keep=keep)
        scen = keep.get("rule:scenarios")
        extra = getattr(scen, "extra", None) or {}
        if "seconds_r9" in extra:
            out.append(float(extra["seconds_r9"]))
    return out


def time_readers(folder: Path, runs: int) -> tuple[list[float], list[float]]:
    """In-process seconds to read all four masters: (pandas/openpyxl, bcp_xl.load_masters)."""
    import pandas as pd

    from bcp_xl.schemas.contract import WORKBOOKS
    from bcp_xl.schemas.validate import find_workbook, load_masters

    paths = [p for key in WORKBOOKS if (p := find_workbook(folder, key)) is not None]
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for p in paths:
            pd.read_excel(p, sheet_name=None, engine="openpyxl")
        theirs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        load_masters(folder)
        ours.append(time.perf_counter() - t0)
    return theirs, ours


TABLE_SOURCE = """\
# 行動手順
!table [20,70,20,30,30] 表 行動手順
| 手順 | 行動内容 | 期限 | 担当職位 | 代替職位 |
| {%tr for r in rows %} |
| {{ r.id }} | {{ r.action }} | {{ r.due }} | {{ r.role }} | {{ r.alt }} |
| {%tr endfor %} |
!end
"""


def time_tables(folder: Path, runs: int) -> tuple[int, list[float], list[float]]:
    """In-process seconds to write the largest document table (every step of 行動手順, as in the
    行動計画書) into a .docx: (python-docx row by row, bcp_xl's template rendering)."""
    import io

    from docx import Document

    from bcp_xl.docgen.builder import TemplateSource, build_template
    from bcp_xl.docgen.data import records
    from bcp_xl.docgen.render import render_docx
    from bcp_xl.pipeline import typed_frame
    from bcp_xl.schemas.validate import load_masters

    ms = load_masters(folder)
    frame = typed_frame(ms, "bcp_master", "行動手順")
    rows = [
        {"id": f"{r['procedure_id']}-{r['step_no']}", "action": str(r["action"]), "due": str(r["due_hours"]),
         "role": str(r["responsible_role"]), "alt": str(r["alternate_roles"])}
        for r in records(frame)
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "table.docx"
        build_template(TemplateSource("table", tuple(TABLE_SOURCE.splitlines())), template)
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(runs):
            t0 = time.perf_counter()
            doc = Document()
            table = doc.add_table(rows=1, cols=5)
            for cell, text in zip(
                table.rows[0].cells, ("手順", "行動内容", "期限", "担当職位", "代替職位"), strict=True
            ):
                cell.text = text
            for r in rows:
                cells = table.add_row().cells
                for cell, key in zip(cells, ("id", "action", "due", "role", "alt"), strict=True):
                    cell.text = r[key]
            doc.save(io.BytesIO())
            theirs.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            context = {"rows": rows, "municipality": "区", "plan_title": "計画", "version": "1", "provisional": False,
                       "is_sample": False}  # fmt: skip
            render_docx(template, context, Path(tmp) / "out.docx", fixed_time=dt.datetime(2026, 1, 1))
            ours.append(time.perf_counter() - t0)
    return len(rows), theirs, ours


def fmt_s(x: float) -> str:
    return f"{x:.2f}"


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per step (median of these); default 5")
    ap.add_argument(
        "--reader-runs",
        type=int,
        default=None,
        help="runs of the in-process timings (R9 and the reader comparison); default --runs",
    )
    ap.add_argument("--scales", nargs="+", choices=SCALES, default=list(SCALES))
    args = ap.parse_args(argv)
    runs = max(1, args.runs)
    reader_runs = max(1, args.reader_runs or runs)

    import pandas as pd

    import bcp_xl

    print(f"bcp-xl benchmark — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {os.cpu_count()} CPU, Python {platform.python_version()}, pandas {pd.__version__}, "
        f"bcp_xl {getattr(bcp_xl, '__version__', '?')}, {platform.platform()}"
    )
    print(f"runs: {runs} per step (reader comparison: {reader_runs}), seed {SEED}\n")

    results: dict[str, dict[str, Timing]] = {}
    tasks: dict[str, int] = {}
    readers: dict[str, tuple[list[float], list[float]]] = {}
    r9: dict[str, list[float]] = {}
    folders: dict[str, Path] = {}
    for scale in args.scales:
        print(f"== {scale} ==")
        folder = generate(scale)
        folders[scale] = folder
        tasks[scale] = task_count(folder)
        results[scale] = {}
        for step in STEPS:
            results[scale][step] = time_step(step, folder, runs)
            print(f"  {step}: median {results[scale][step].median:.2f} s")
        r9[scale] = time_r9(folder, reader_runs)
        if r9[scale]:
            print(f"  R9 alone: median {statistics.median(r9[scale]):.2f} s")
        readers[scale] = time_readers(folder, reader_runs)
        print()

    for scale in args.scales:
        print(f"### {scale} ({tasks[scale]:,} tasks), whole-process wall time, {runs} runs")
        rows = []
        for step in STEPS:
            t = results[scale][step]
            peak = max(t.peaks) if t.peaks else 0
            budget_s = TIME_BUDGET[(step, scale)]
            budget_m = MEM_BUDGET.get((step, scale))
            ok = t.median <= budget_s and (budget_m is None or peak <= budget_m)
            budget = f"≤ {budget_s:g} s" + (f", ≤ {budget_m // MB} MB" if budget_m else "")
            if any(n.startswith("crash") for n in t.notes):
                ok = False
            rows.append(
                [
                    step,
                    fmt_s(t.median),
                    fmt_s(min(t.times)),
                    fmt_s(max(t.times)),
                    f"{peak / MB:.0f}",
                    budget,
                    "ok" if ok else "OVER",
                ]
            )
        print_table(["step", "median s", "min s", "max s", "peak MB", "budget", "ok?"], rows)
        for step in STEPS:
            for note in sorted(set(results[scale][step].notes)):
                print(f"  note: {step}: {note}")
        print()

    if "meguro" in results and "large" in results and tasks["meguro"]:
        task_ratio = tasks["large"] / tasks["meguro"]
        print(f"### large / meguro (task-count ratio {task_ratio:.1f}×)")
        rows = []
        for step in STEPS:
            m, lg = results["meguro"][step], results["large"][step]
            tr = lg.median / m.median
            mr = max(lg.peaks) / max(m.peaks)
            rows.append([step, f"{tr:.1f}×", f"{mr:.1f}×", f"{task_ratio:.1f}×", "yes" if tr <= task_ratio else "NO"])
        print_table(["step", "time ratio", "peak-memory ratio", "task ratio", "≤ task ratio?"], rows)
        print()

    print(f"### R9 (countermeasure selection) alone, in-process, {reader_runs} runs")
    rows = []
    for scale in args.scales:
        ts = r9.get(scale) or []
        if not ts:
            rows.append([scale, "—", "—", "—", "—", "not measured (no ict_master result)"])
            continue
        budget = f"≤ {R9_BUDGET:g} s" if scale == "large" else "—"
        ok = ("ok" if statistics.median(ts) <= R9_BUDGET else "OVER") if scale == "large" else "—"
        rows.append([scale, fmt_s(statistics.median(ts)), fmt_s(min(ts)), fmt_s(max(ts)), budget, ok])
    print_table(["scale", "median s", "min s", "max s", "budget", "ok?"], rows)
    print("(read_measures + select + the standalone evaluation of every measure, timed inside ict_scenarios.)")
    print()

    print(f"### reading the four masters, in-process, median of {reader_runs}")
    rows = []
    for scale in args.scales:
        theirs, ours = readers[scale]
        ratio = statistics.median(theirs) / statistics.median(ours)
        target = f"≥ {READER_TARGET:g}×" if scale == "large" else "—"
        ok = "ok" if ratio >= READER_TARGET else "BELOW"
        rows.append(
            [
                scale,
                fmt_s(statistics.median(theirs)),
                fmt_s(statistics.median(ours)),
                f"{ratio:.1f}×",
                target,
                ok if scale == "large" else "—",
            ]
        )
    print_table(["scale", "pandas.read_excel(openpyxl) s", "bcp_xl load_masters s", "speed-up", "target", "ok?"], rows)
    print("(load_masters also types and checks every sheet and runs the sheet and reference rules; pandas only reads.)")
    print()

    print(f"### the largest document table (every step of 行動手順 into a .docx), in-process, median of {reader_runs}")
    rows = []
    for scale in args.scales:
        n, theirs, ours = time_tables(folders[scale], reader_runs)
        rows.append(
            [
                scale,
                f"{n:,}",
                fmt_s(statistics.median(theirs)),
                fmt_s(statistics.median(ours)),
                f"{statistics.median(theirs) / statistics.median(ours):.1f}×",
            ]
        )
    print_table(["scale", "rows", "python-docx row by row s", "bcp_xl template (docxtpl) s", "speed-up"], rows)
    print("(python-docx: add_row() and cell.text per cell, then save; bcp_xl: render_docx of a {%tr for %} template.)")
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # it reports; it does not fail
        import traceback

        traceback.print_exc()
        print(f"benchmark stopped early: {exc}")
    sys.exit(0)
