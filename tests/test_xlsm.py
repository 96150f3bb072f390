"""The ribbon-enabled .xlsm files built from macros/ (issue: ribbon buttons).

Two independent readers are the oracle for the VBA project: oletools' olevba and LibreOffice. The
records of the ``dir`` and ``PROJECT`` streams are compared with the Excel-made ``vbaProject.bin`` of
the quickstart workbook that the installed xlwings package ships.
"""

from __future__ import annotations

import html
import importlib.util
import random
import re
import shutil
import struct
import subprocess
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest
from click.testing import CliRunner

with warnings.catch_warnings():  # oletools still uses pyparsing's old names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser, decompress_stream

from bcp_xl.cli import cli
from bcp_xl.xlsm import MACROS_DIR, build_vba_project, build_xlsm, project_modules, xlwings_module_path
from bcp_xl.xlsm.ovba import CODE_PAGE, compress, decompress, decrypt

XLWINGS_DIR = Path(importlib.util.find_spec("xlwings").origin).parent  # type: ignore[union-attr,arg-type]
QUICKSTART = XLWINGS_DIR / "quickstart.xlsm"
MASTERS = ("bcp_master", "ict_master", "project_master", "pubcomment")


def normalise(source: str) -> str:
    """Module text as both readers give it: LF, no ``Attribute VB_`` lines, no LibreOffice header lines,
    no trailing white space."""
    lines = []
    for line in source.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith("Attribute VB_") or line.startswith("Rem Attribute VBA_ModuleType="):
            continue
        if line.strip() == "Option VBASupport 1":
            continue
        lines.append(line.rstrip())
    return "\n".join(lines).strip("\n")


def expected_sources() -> dict[str, str]:
    srcs = {p.stem: p.read_text("ascii") for p in sorted(MACROS_DIR.glob("*.bas"))}
    srcs["xlwings"] = xlwings_module_path().read_text("ascii")
    return srcs


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import write_valid

    folder = write_valid(tmp_path_factory.mktemp("masters") / "wb")
    out = folder.parent / "xlsm"
    build_xlsm(folder, out)
    return out


# ---- the text sources --------------------------------------------------------------------------------


def test_macro_sources_are_ascii_with_crlf() -> None:
    for path in MACROS_DIR.glob("*.bas"):
        data = path.read_bytes()
        data.decode("ascii")
        assert b"\n" not in data.replace(b"\r\n", b""), f"{path.name}: LF without CR"
        assert data.startswith(f'Attribute VB_Name = "{path.stem}"\r\n'.encode())
    ribbon = (MACROS_DIR / "BcpRibbon.bas").read_text("ascii")
    assert "Sub OnAction(control As IRibbonControl)" in ribbon
    assert "RunPython" in ribbon and "bcp_xl.xl.dispatch(" in ribbon and "control.Id" in ribbon


def test_xlwings_module_is_not_in_the_repository() -> None:
    root = MACROS_DIR.parent
    assert not list(MACROS_DIR.glob("xlwings*"))
    assert len(xlwings_module_path().read_text("ascii").splitlines()) > 1000
    assert [m.name for m in project_modules()][-1] == "xlwings"
    assert not (root / "bcp_xl" / "xlsm" / "xlwings.bas").exists()


# ---- olevba reads every module back ------------------------------------------------------------------


@pytest.mark.parametrize("key", MASTERS)
def test_olevba_extracts_each_module_source(built: Path, key: str) -> None:
    parser = VBA_Parser(str(built / f"{key}.xlsm"))
    try:
        assert parser.detect_vba_macros()
        found = {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    for name, source in expected_sources().items():
        assert name in found, name
        assert normalise(found[name]) == normalise(source), name
    assert set(found) == {*expected_sources(), "ThisWorkbook"}


# ---- LibreOffice reads every module back -------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_sees_the_same_module_sources(built: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None, "LibreOffice is required (.ci/run installs it)"
    src = built / "pubcomment.xlsm"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    with zipfile.ZipFile(tmp_path / "pubcomment.ods") as z:
        modules = {}
        for name in z.namelist():
            m = re.fullmatch(r"Basic/[^/]+/([^/]+)\.xml", name)
            if m and not name.endswith("script-lb.xml"):
                body = z.read(name).decode("utf-8")
                text = re.search(r"<script:module\b[^>]*>(.*)</script:module>", body, re.S)
                assert text is not None
                modules[m.group(1)] = html.unescape(text.group(1))
    for name, source in expected_sources().items():
        assert name in modules, name
        assert normalise(modules[name]) == normalise(source), name


# ---- records compared with Excel's own project --------------------------------------------------------


def dir_records(data: bytes) -> list[tuple[int, bytes]]:
    """The (id, data) records of a decompressed dir stream. PROJECTVERSION's size field is a
    reserved 4 with 6 bytes following; nested reference records parse as records of their own."""
    out = []
    i = 0
    while i < len(data):
        rid, size = struct.unpack_from("<HI", data, i)
        if rid == 0x0009:
            size = 6
        out.append((rid, data[i + 6 : i + 6 + size]))
        i += 6 + size
    return out


def read_project(vba_bin: bytes) -> tuple[list[tuple[int, bytes]], str]:
    ole = olefile.OleFileIO(vba_bin)
    try:
        dir_data = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
        project = ole.openstream("PROJECT").read().decode("cp1252")
    finally:
        ole.close()
    return dir_records(dir_data), project


def excel_project() -> tuple[list[tuple[int, bytes]], str]:
    with zipfile.ZipFile(QUICKSTART) as z:
        return read_project(z.read("xl/vbaProject.bin"))


REFERENCE_KINDS = {0x0016, 0x003E, 0x0033, 0x002F, 0x0030, 0x000D, 0x000E}
MODULE_KINDS = {0x0019, 0x0047, 0x001A, 0x0032, 0x001C, 0x0048, 0x0031, 0x001E, 0x002C, 0x0021, 0x0022, 0x002B}


def sections(records: list[tuple[int, bytes]]) -> tuple[list[int], list[int], list[list[int]], list[int]]:
    """Project information kinds, reference kinds, the kinds of each module, the closing kinds."""
    kinds = [rid for rid, _ in records]
    start_refs = next(i for i, k in enumerate(kinds) if k in REFERENCE_KINDS)
    start_mods = kinds.index(0x000F)
    info, refs = kinds[:start_refs], kinds[start_refs:start_mods]
    modules: list[list[int]] = []
    rest = kinds[start_mods:]
    head = rest[:2]  # PROJECTMODULES, PROJECTCOOKIE
    current: list[int] = []
    for k in rest[2:]:
        if k in MODULE_KINDS:
            current.append(k)
            if k == 0x002B:
                modules.append(current)
                current = []
        else:
            head.append(k)
    return info, refs, modules, head


def test_dir_records_match_excel() -> None:
    ours, _ = read_project(build_vba_project())
    excel, _ = excel_project()
    info, refs, modules, closing = sections(ours)
    e_info, e_refs, e_modules, e_closing = sections(excel)
    assert info == e_info  # same project information records, in the same order
    assert closing == e_closing == [0x000F, 0x0013, 0x0010]
    assert set(refs) <= set(e_refs)  # reference record kinds Excel uses
    procedural = next(m for m in e_modules if 0x0021 in m)
    document = next(m for m in e_modules if 0x0022 in m)
    assert modules[0] == document  # ThisWorkbook
    assert all(m == procedural for m in modules[1:])
    values = dict(ours)
    excel_values = dict(excel)
    for rid in (0x0001, 0x004A, 0x0002, 0x0014, 0x0003, 0x0004, 0x0007, 0x0008):  # syskind ... lib flags
        assert values[rid] == excel_values[rid], hex(rid)
    assert struct.unpack("<H", values[0x0003])[0] == CODE_PAGE == 1252
    assert len(values[0x0009]) == len(excel_values[0x0009]) == 6  # PROJECTVERSION: major (4) and minor (2)
    assert struct.unpack("<H", values[0x000F])[0] == len(expected_sources()) + 1


def project_lines(text: str) -> list[str]:
    return text.split("\r\n")


def test_project_stream_matches_excel() -> None:
    _, ours = read_project(build_vba_project())
    _, excel = excel_project()

    def keys(text: str) -> list[str]:
        out = []
        for line in project_lines(text):
            key = line.split("=", 1)[0] if "=" in line else line
            if key in ("Document", "Module", "Class") or (out and out[-1] == "[Workspace]" and "=" in line):
                continue
            out.append(key)
        return [k for k in out if k]

    assert keys(ours) == keys(excel)
    value = {line.split("=", 1)[0]: line.split("=", 1)[1] for line in project_lines(ours) if "=" in line}
    excel_value = {line.split("=", 1)[0]: line.split("=", 1)[1] for line in project_lines(excel) if "=" in line}
    for key in ("Name", "HelpContextID", "VersionCompatible32", "&H00000001"):
        assert value[key] == excel_value[key], key
    for key in ("CMG", "DPB", "GC"):  # protection, password, visibility: the same plain values as Excel's
        assert decrypt(value[key].strip('"')) == decrypt(excel_value[key].strip('"')), key
    assert "Document=ThisWorkbook/&H00000000" in ours
    for name in expected_sources():
        assert f"Module={name}\r\n" in ours


def test_vba_project_stream_asks_excel_to_compile_from_source() -> None:
    ole = olefile.OleFileIO(build_vba_project(), raise_defects=olefile.DEFECT_INCORRECT)  # strict reading
    try:
        data = ole.openstream("VBA/_VBA_PROJECT").read()
        assert data[:4] == b"\xcc\x61\xff\xff" and len(data) == 7
        names = {"/".join(e) for e in ole.listdir()}
        assert {"PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT", "VBA/ThisWorkbook"} <= names
    finally:
        ole.close()


# ---- compression and container -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_compression_round_trips_through_olevba(seed: int) -> None:
    rnd = random.Random(seed)
    alphabet = [b"Dim ", b"x", b" As ", b"String", b"\r\n", bytes([rnd.randrange(256)])]
    pieces = [rnd.choice(alphabet) if seed % 2 else bytes([rnd.randrange(256)]) for _ in range(rnd.randrange(1, 6000))]
    data = b"".join(pieces)
    packed = compress(data)
    assert bytes(decompress_stream(bytearray(packed))) == data
    assert decompress(packed) == data


def test_compression_of_exact_chunks() -> None:
    for data in (b"", b"a" * 4096, bytes(range(256)) * 16, b"x" * 8193):
        packed = compress(data)
        assert bytes(decompress_stream(bytearray(packed))) == data


def test_build_is_deterministic(built: Path, tmp_path: Path) -> None:
    assert build_vba_project() == build_vba_project()
    from conftest import write_valid

    folder = write_valid(tmp_path / "wb")
    build_xlsm(folder, tmp_path / "a")
    build_xlsm(folder, tmp_path / "b")
    for key in MASTERS:
        assert (tmp_path / "a" / f"{key}.xlsm").read_bytes() == (tmp_path / "b" / f"{key}.xlsm").read_bytes()


# ---- the package ---------------------------------------------------------------------------------------


def test_package_has_ribbon_and_project_and_keeps_other_parts(built: Path) -> None:
    src_folder = built.parent / "wb"
    for key in MASTERS:
        with zipfile.ZipFile(src_folder / f"{key}.xlsx") as zs, zipfile.ZipFile(built / f"{key}.xlsm") as zb:
            names = zb.namelist()
            assert names[0] == "[Content_Types].xml"
            assert "xl/vbaProject.bin" in names and "customUI/customUI.xml" in names
            ct = zb.read("[Content_Types].xml").decode()
            assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in ct
            assert 'Extension="bin" ContentType="application/vnd.ms-office.vbaProject"' in ct
            assert "relationships/ui/extensibility" in zb.read("_rels/.rels").decode()
            assert "relationships/vbaProject" in zb.read("xl/_rels/workbook.xml.rels").decode()
            assert 'codeName="ThisWorkbook"' in zb.read("xl/workbook.xml").decode()
            assert zb.read("customUI/customUI.xml") == (MACROS_DIR / "customUI.xml").read_bytes()
            changed = {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
            for name in zs.namelist():
                if name not in changed:
                    assert zb.read(name) == zs.read(name), name


def test_built_masters_validate_like_the_originals(built: Path) -> None:
    from bcp_xl.api import validate

    def pairs(folder: Path) -> list[tuple[str, str | None, str | None]]:
        return [(i.code, i.where.sheet, i.where.ref) for i in validate(folder).report.sorted()]

    assert pairs(built) == pairs(built.parent / "wb")


def test_openpyxl_keeps_ribbon_and_macros(built: Path, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(built / "pubcomment.xlsm", keep_vba=True)
    wb.save(tmp_path / "resaved.xlsm")
    with zipfile.ZipFile(tmp_path / "resaved.xlsm") as z:
        assert "customUI/customUI.xml" in z.namelist()
        assert "relationships/ui/extensibility" in z.read("_rels/.rels").decode()
        assert "xl/vbaProject.bin" in z.namelist()


def test_cli_xlsm_build(tmp_path: Path) -> None:
    from conftest import write_valid

    folder = write_valid(tmp_path / "wb")
    result = CliRunner().invoke(cli, ["xlsm", "build", str(folder), "--out", str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "x").glob("*.xlsm")) == sorted(f"{k}.xlsm" for k in MASTERS)
    assert (tmp_path / "x" / "run-log.jsonl").exists()
    same = CliRunner().invoke(cli, ["xlsm", "build", str(folder), "--out", str(folder)])
    assert same.exit_code == 1 and "別のフォルダ" in same.output
    missing = CliRunner().invoke(cli, ["xlsm", "build", str(tmp_path / "nowhere"), "--out", str(tmp_path / "y")])
    assert missing.exit_code == 1 and "Traceback" not in missing.output
    helptext = CliRunner().invoke(cli, ["xlsm", "build", "--help"]).output
    assert "例:" in helptext and "bcp-xl xlsm build" in helptext


def test_compute_in_place_keeps_ribbon_and_macros(built: Path, tmp_path: Path) -> None:
    from bcp_xl.api import compute

    folder = tmp_path / "xlsm"
    shutil.copytree(built, folder)
    before = {}
    with zipfile.ZipFile(folder / "bcp_master.xlsm") as z:
        for name in ("xl/vbaProject.bin", "customUI/customUI.xml", "_rels/.rels"):
            before[name] = z.read(name)
    compute(folder, None, in_place=True)
    with zipfile.ZipFile(folder / "bcp_master.xlsm") as z:
        for name, data in before.items():
            assert z.read(name) == data, name
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in z.read("[Content_Types].xml").decode()
