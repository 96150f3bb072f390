"""Building the ribbon-enabled ``.xlsm`` copies of the master workbooks from text sources.

The VBA modules (``macros/*.bas``) and the ribbon (``macros/customUI.xml``) are kept as text and
reviewed like code; the xlwings VBA module comes from the installed xlwings package at build time
(it is never copied into the repository). :func:`build_xlsm` puts them into a ``vbaProject.bin``
written here (:mod:`bcp_xl.xlsm.ovba`, :mod:`bcp_xl.xlsm.cfb`) and into each workbook package
(:mod:`bcp_xl.xlsm.package`).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bcp_xl.errors import OutputError
from bcp_xl.xlsm.ovba import Module, vba_project_bin

MACROS_DIR = Path(__file__).resolve().parents[2] / "macros"
CUSTOM_UI = "customUI.xml"
_VB_NAME = re.compile(r'^Attribute VB_Name = "([A-Za-z][A-Za-z0-9_]*)"\r?$', re.M)


@dataclass
class XlsmBuild:
    """What ``bcp-xl xlsm build`` wrote."""

    outputs: list[Path]
    modules: list[str]
    xlwings_version: str


def find_macros(macros: Path | None = None) -> Path:
    """The folder of the VBA sources: ``macros`` if given, else the repository's ``macros/``, else ``./macros``."""
    for cand in [macros] if macros else [MACROS_DIR, Path.cwd() / "macros"]:
        if cand is not None and (cand / CUSTOM_UI).is_file():
            return cand
    where = macros or MACROS_DIR
    raise OutputError(
        f"VBA とリボンの定義({where}/{CUSTOM_UI})が見つかりません。bcp_xl のリポジトリで実行してください。"
    )


def xlwings_module_path() -> Path:
    """``xlwings.bas`` of the installed xlwings package, found without importing xlwings."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise OutputError("xlwings がインストールされていません。pip install 'bcp_xl[excel]' を実行してください。")
    path = Path(spec.origin).with_name("xlwings.bas")
    if not path.is_file():
        raise OutputError(f"xlwings の VBA モジュール {path} がありません。xlwings を入れ直してください。")
    return path


def xlwings_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xlwings")
    except PackageNotFoundError:
        return ""


def read_module(path: Path) -> Module:
    """A ``.bas`` file as a module: ASCII text, CRLF line ends, named by its ``Attribute VB_Name`` line."""
    data = path.read_bytes()
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise OutputError(
            f"{path.name}: VBA のソースは ASCII 文字だけで書いてください({exc.start + 1} バイト目)。"
        ) from exc
    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    m = _VB_NAME.search(text)
    if m is None:
        raise OutputError(f'{path.name}: 1行目に Attribute VB_Name = "モジュール名" が必要です。')
    return Module(m.group(1), text)


def project_modules(macros: Path | None = None) -> list[Module]:
    """The standard modules of the project: ``macros/*.bas`` (by file name), then the xlwings module."""
    folder = find_macros(macros)
    mods = [read_module(p) for p in sorted(folder.glob("*.bas"))]
    mods.append(read_module(xlwings_module_path()))
    return mods


def build_vba_project(macros: Path | None = None) -> bytes:
    """The ``vbaProject.bin`` of the ribbon-enabled masters."""
    return vba_project_bin(project_modules(macros))


def build_xlsm(folder: Path, out: Path, *, macros: Path | None = None, argv: Sequence[str] = ()) -> XlsmBuild:
    """Write ``OUT/<master>.xlsm`` for every master workbook in ``folder``: the workbook with the BCP
    ribbon, the ribbon macro and the xlwings module. The masters in ``folder`` are not changed."""
    from bcp_xl.api import append_run_log
    from bcp_xl.schemas.contract import WORKBOOKS
    from bcp_xl.schemas.validate import find_workbook
    from bcp_xl.workbook.results import refuse_if_locked
    from bcp_xl.xlsm.package import write_xlsm

    if not folder.is_dir():
        raise OutputError(f"フォルダ {folder} がありません。マスタブックのあるフォルダを指定してください。")
    if out.resolve() == folder.resolve():
        raise OutputError(
            "出力先を入力フォルダと別のフォルダにしてください(同じフォルダに .xlsx と .xlsm があると、どちらが正本か分からなくなります)。"
        )
    sources = [(key, p) for key in WORKBOOKS if (p := find_workbook(folder, key)) and p.suffix.lower() != ".xls"]
    if not sources:
        raise OutputError(f"フォルダ {folder} にマスタブック(bcp_master.xlsx など)がありません。")
    mods = project_modules(macros)
    vba = vba_project_bin(mods)
    ui = (find_macros(macros) / CUSTOM_UI).read_bytes()
    outputs: list[Path] = []
    for key, src in sources:
        dst = out / f"{key}.xlsm"
        refuse_if_locked(dst)
        outputs.append(write_xlsm(src, dst, vba, ui))
    append_run_log(out, "xlsm build", [p for _, p in sources], outputs, "ok", argv)
    return XlsmBuild(outputs, [m.name for m in mods], xlwings_version())
