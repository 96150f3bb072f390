"""`bcp-xl encrypt`: password-protected copies of .xlsx/.docx files that Excel, Word and LibreOffice open
with the password and refuse without it."""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import click
import docx
import msoffcrypto
import openpyxl
import pytest
from click.testing import CliRunner, Result
from msoffcrypto.format.ooxml import OOXMLFile

from bcp_xl import office
from bcp_xl.cli import cli
from bcp_xl.encrypt import (
    ENCRYPTED_SUFFIX,
    EncryptError,
    EncryptInputError,
    PasswordError,
    check_inputs,
    encrypt_files,
    encrypted_name,
)
from bcp_xl.errors import BcpXlError

PASSWORD = "ひみつ-Secret#2026"
CELL_TEXT = "優先業務一覧(機密)"
PARA_TEXT = "非常時優先業務の一覧です。取扱注意。"


def make_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "優先業務"
    ws["A1"] = CELL_TEXT
    ws["B2"] = 42
    wb.save(path)
    return path


def make_docx(path: Path) -> Path:
    d = docx.Document()
    d.add_heading("業務継続計画", level=1)
    d.add_paragraph(PARA_TEXT)
    d.save(str(path))
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "送付"
    folder.mkdir()
    return make_xlsx(folder / "優先業務一覧.xlsx"), make_docx(folder / "BCP本編.docx")


def decrypt(path: Path, password: str) -> bytes:
    with path.open("rb") as f:
        office_file = msoffcrypto.OfficeFile(f)
        office_file.load_key(password=password)
        out = io.BytesIO()
        office_file.decrypt(out)
    return out.getvalue()


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as f:
        return bool(msoffcrypto.OfficeFile(f).is_encrypted())


def invoke(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), env=env, input=stdin)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# ---- the library ------------------------------------------------------------------------------------


def test_encrypted_copies_beside_the_originals(files: tuple[Path, Path]) -> None:
    xlsx, docx_path = files
    before = {p: p.read_bytes() for p in files}
    written = encrypt_files(files, PASSWORD)
    assert written == [xlsx.with_name("優先業務一覧_暗号化.xlsx"), docx_path.with_name("BCP本編_暗号化.docx")]
    assert written == [encrypted_name(p) for p in files]
    for original, copy in zip(files, written, strict=True):
        assert original.read_bytes() == before[original]  # the original is never touched
        assert not is_encrypted(original)
        assert is_encrypted(copy)
        assert decrypt(copy, PASSWORD) == before[original]  # exactly the original package
    # no temporary file is left behind
    assert sorted(p.name for p in xlsx.parent.iterdir()) == sorted(
        [xlsx.name, docx_path.name, *(p.name for p in written), "run-log.jsonl"]
    )


def test_decrypted_copies_show_the_same_content(files: tuple[Path, Path], tmp_path: Path) -> None:
    xlsx_enc, docx_enc = encrypt_files(files, PASSWORD)
    wb = openpyxl.load_workbook(io.BytesIO(decrypt(xlsx_enc, PASSWORD)))
    assert wb.sheetnames == ["優先業務"]
    assert wb["優先業務"]["A1"].value == CELL_TEXT
    assert wb["優先業務"]["B2"].value == 42
    d = docx.Document(io.BytesIO(decrypt(docx_enc, PASSWORD)))
    assert PARA_TEXT in [p.text for p in d.paragraphs]


def test_wrong_password_does_not_decrypt(files: tuple[Path, Path]) -> None:
    for copy in encrypt_files(files, PASSWORD):
        with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
            decrypt(copy, "wrong-password")
        with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
            decrypt(copy, PASSWORD[:-1])


def test_rerun_replaces_the_encrypted_copy(files: tuple[Path, Path]) -> None:
    xlsx, _ = files
    first = encrypt_files([xlsx], PASSWORD)[0]
    make_xlsx(xlsx)  # edited since
    second = encrypt_files([xlsx], "新しいパスワード")[0]
    assert first == second
    assert decrypt(second, "新しいパスワード") == xlsx.read_bytes()
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        decrypt(second, PASSWORD)


def test_in_place_encrypts_the_file_itself(files: tuple[Path, Path]) -> None:
    xlsx, _ = files
    plain = xlsx.read_bytes()
    assert encrypt_files([xlsx], PASSWORD, in_place=True) == [xlsx]
    assert is_encrypted(xlsx)
    assert decrypt(xlsx, PASSWORD) == plain
    assert not encrypted_name(xlsx).exists()
    assert (xlsx.parent / ".bcp_xl" / "run-log.jsonl").exists()


def test_other_suffix(files: tuple[Path, Path]) -> None:
    xlsx, _ = files
    assert encrypt_files([xlsx], PASSWORD, suffix="_pw") == [xlsx.with_name("優先業務一覧_pw.xlsx")]
    assert ENCRYPTED_SUFFIX == "_暗号化"


@pytest.mark.parametrize("password", ["", "x" * 256])
def test_unusable_passwords_are_refused(files: tuple[Path, Path], password: str) -> None:
    with pytest.raises(PasswordError):
        encrypt_files(files, password)
    assert not any(encrypted_name(p).exists() for p in files)


def problems(paths: list[Path]) -> dict[str, str]:
    with pytest.raises(EncryptInputError) as info:
        encrypt_files(paths, PASSWORD)
    err = info.value
    assert isinstance(err, EncryptError) and isinstance(err, BcpXlError)
    for p in err.problems:
        assert p.path.name in str(err)  # every message names its file
    return {p.path.name: p.code for p in err.problems}


def test_refused_files_are_named_and_nothing_is_written(files: tuple[Path, Path], tmp_path: Path) -> None:
    xlsx, docx_path = files
    folder = xlsx.parent
    already = folder / "受領済み.xlsx"
    already.write_bytes(encrypted_name_bytes(xlsx))
    old_xls = folder / "古い台帳.xls"
    old_xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    old_doc = folder / "古い文書.doc"
    old_doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    pdf = folder / "本編.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    fake = folder / "名前だけ.xlsx"
    fake.write_text("これは Excel ではない", encoding="utf-8")
    word_as_excel = folder / "中身はWord.xlsx"
    shutil.copy(docx_path, word_as_excel)
    sub = folder / "フォルダ.xlsx"
    sub.mkdir()
    missing = folder / "ない.xlsx"
    found = problems([xlsx, already, old_xls, old_doc, pdf, fake, word_as_excel, sub, missing])
    assert found == {
        "受領済み.xlsx": "already-encrypted",
        "古い台帳.xls": "old-format",
        "古い文書.doc": "old-format",
        "本編.pdf": "unsupported-format",
        "名前だけ.xlsx": "unreadable-file",
        "中身はWord.xlsx": "unreadable-file",
        "フォルダ.xlsx": "not-a-file",
        "ない.xlsx": "missing-file",
    }
    assert not encrypted_name(xlsx).exists()  # the good file waits for the bad ones to be fixed
    assert not (folder / "run-log.jsonl").exists()


def encrypted_name_bytes(path: Path) -> bytes:
    out = io.BytesIO()
    with path.open("rb") as f:
        OOXMLFile(f).encrypt("other", out)
    return out.getvalue()


def test_refusal_messages_say_what_to_do(tmp_path: Path) -> None:
    xls = tmp_path / "台帳.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    doc = tmp_path / "文書.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    enc = tmp_path / "済.xlsx"
    enc.write_bytes(encrypted_name_bytes(make_xlsx(tmp_path / "src.xlsx")))
    messages = {}
    for p in (xls, doc, enc, tmp_path / "ない.docx"):
        with pytest.raises(EncryptInputError) as info:
            check_inputs([p])
        messages[p.name] = str(info.value)
    assert ".xlsx" in messages["台帳.xls"] and "保存" in messages["台帳.xls"]
    assert ".docx" in messages["文書.doc"] and "保存" in messages["文書.doc"]
    assert "すでに" in messages["済.xlsx"] and "暗号化" in messages["済.xlsx"]
    assert "ありません" in messages["ない.docx"]


def test_encrypted_copy_given_together_with_its_original_is_a_clash(files: tuple[Path, Path]) -> None:
    xlsx, _ = files
    clash = encrypted_name(xlsx)
    make_xlsx(clash)  # a plain file that happens to carry the copy's name
    assert problems([xlsx, clash]) == {xlsx.name: "name-clash"}


def test_copy_open_in_excel_is_refused(files: tuple[Path, Path]) -> None:
    xlsx, _ = files
    (xlsx.parent / f"~${encrypted_name(xlsx).name}").write_bytes(b"owner")
    assert problems([xlsx]) == {xlsx.name: "locked"}


def test_run_log_without_password(files: tuple[Path, Path]) -> None:
    written = encrypt_files(files, PASSWORD, argv=[str(p) for p in files])
    log = files[0].parent / "run-log.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["command"].startswith("bcp-xl encrypt ")
    assert entry["result"] == "ok"
    assert [i["file"] for i in entry["inputs"]] == [str(p) for p in files]
    assert entry["outputs"] == [str(p) for p in written]
    assert PASSWORD not in lines[0]


# ---- the command line --------------------------------------------------------------------------------


def test_cli_password_from_environment(files: tuple[Path, Path]) -> None:
    result = invoke("encrypt", *map(str, files), "--password-env", "BCP_PASSWORD", env={"BCP_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    for p in files:
        copy = encrypted_name(p)
        assert str(copy) in result.output
        assert decrypt(copy, PASSWORD) == p.read_bytes()
    log = (files[0].parent / "run-log.jsonl").read_text(encoding="utf-8")
    entry = json.loads(log.splitlines()[-1])
    assert entry["command"] == f"bcp-xl encrypt {files[0]} {files[1]} --password-env BCP_PASSWORD"
    assert PASSWORD not in log
    assert PASSWORD not in result.output


def test_cli_prompts_twice_when_no_variable_is_named(files: tuple[Path, Path]) -> None:
    xlsx, _ = files
    result = invoke("encrypt", str(xlsx), stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("パスワード") >= 2
    assert PASSWORD not in result.output  # hidden input
    assert decrypt(encrypted_name(xlsx), PASSWORD) == xlsx.read_bytes()
    assert PASSWORD not in (xlsx.parent / "run-log.jsonl").read_text(encoding="utf-8")


def test_cli_prompt_asks_again_when_the_two_entries_differ(files: tuple[Path, Path]) -> None:
    xlsx, _ = files
    result = invoke("encrypt", str(xlsx), stdin=f"{PASSWORD}\ntypo\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert decrypt(encrypted_name(xlsx), PASSWORD) == xlsx.read_bytes()


def test_cli_missing_environment_variable(files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BCP_NO_SUCH_PASSWORD", raising=False)
    result = invoke("encrypt", str(files[0]), "--password-env", "BCP_NO_SUCH_PASSWORD")
    assert result.exit_code == 1
    assert "環境変数 BCP_NO_SUCH_PASSWORD が設定されていません" in result.output
    assert not encrypted_name(files[0]).exists()


def test_cli_empty_environment_variable(files: tuple[Path, Path]) -> None:
    result = invoke("encrypt", str(files[0]), "--password-env", "BCP_PASSWORD", env={"BCP_PASSWORD": ""})
    assert result.exit_code == 1
    assert "空" in result.output
    assert not encrypted_name(files[0]).exists()


@pytest.mark.parametrize("option", ["--password", "-p", "--pass", "--password=secret"])
def test_cli_has_no_password_option(files: tuple[Path, Path], option: str) -> None:
    args = ["encrypt", str(files[0]), option] + ([] if "=" in option else ["secret"])
    result = invoke(*args)
    assert result.exit_code == 2
    assert not encrypted_name(files[0]).exists()
    assert "No such option" in result.output
    options = {o for p in cli.commands["encrypt"].params if isinstance(p, click.Option) for o in p.opts}
    assert options == {"--password-env"}  # the password itself never goes on the command line


def test_cli_refused_file_exits_1_with_the_reason(files: tuple[Path, Path], tmp_path: Path) -> None:
    old = tmp_path / "台帳.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    result = invoke(
        "encrypt", str(files[0]), str(old), str(tmp_path / "ない.docx"), "--password-env", "P", env={"P": PASSWORD}
    )
    assert result.exit_code == 1
    assert "台帳.xls" in result.output and ".xlsx" in result.output
    assert "ない.docx" in result.output and "ありません" in result.output
    assert not encrypted_name(files[0]).exists()


def test_cli_refuses_bad_files_before_asking_for_the_password(tmp_path: Path) -> None:
    result = invoke("encrypt", str(tmp_path / "ない.xlsx"))  # no input: a prompt would abort instead
    assert result.exit_code == 1
    assert "ない.xlsx" in result.output and "ありません" in result.output
    assert "パスワード:" not in result.output


def test_cli_already_encrypted_file(files: tuple[Path, Path]) -> None:
    copy = encrypt_files([files[0]], PASSWORD)[0]
    result = invoke("encrypt", str(copy), "--password-env", "P", env={"P": PASSWORD})
    assert result.exit_code == 1
    assert "すでにパスワードで保護" in result.output


def test_cli_help_has_the_example() -> None:
    result = invoke("encrypt", "--help")
    assert result.exit_code == 0
    assert "例:" in result.output
    assert "bcp-xl encrypt out/優先業務一覧.xlsx --password-env BCP_PASSWORD" in result.output


# ---- LibreOffice through the UNO script --------------------------------------------------------------


def test_uno_script_exit_codes_match_the_helper() -> None:
    tree = ast.parse(office.UNO_SCRIPT.read_text(encoding="utf-8"))
    script = {
        t.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for t in node.targets
        if isinstance(t, ast.Name) and t.id.startswith("EXIT_")
    }
    helper = {k: v for k, v in vars(office).items() if k.startswith("EXIT_")}
    assert script == helper
    assert len(set(script.values())) == len(script)


def needs_uno() -> None:
    # .ci/run installs LibreOffice and python3-uno: their absence is a failure, never a skip
    assert office.available(), "LibreOffice or python3-uno is not installed (.ci/run installs them)"


@pytest.mark.libreoffice
def test_libreoffice_opens_the_encrypted_files_only_with_the_password(files: tuple[Path, Path], tmp_path: Path) -> None:
    needs_uno()
    pdfs = tmp_path / "pdf"
    for copy in encrypt_files(files, PASSWORD):
        good = pdfs / f"{copy.stem}.pdf"
        assert office.open_with_password(copy, PASSWORD, good) is True
        assert good.stat().st_size > 0 and good.read_bytes().startswith(b"%PDF")
        for name, password in (("none", None), ("wrong", "wrong-password"), ("almost", PASSWORD[:-1])):
            bad = pdfs / f"{copy.stem}_{name}.pdf"
            assert office.open_with_password(copy, password, bad) is False, name
            assert not bad.exists()


@pytest.mark.libreoffice
def test_libreoffice_pdf_shows_the_content(files: tuple[Path, Path], tmp_path: Path) -> None:
    needs_uno()
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext (poppler-utils) is not installed (.ci/run installs it)"
    pdfs = {}
    for copy in encrypt_files(files, PASSWORD):
        pdfs[copy.suffix] = tmp_path / f"{copy.stem}.pdf"
        assert office.open_with_password(copy, PASSWORD, pdfs[copy.suffix])

    def text(pdf: Path) -> str:
        done = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, check=True, timeout=60)
        return "".join(done.stdout.decode("utf-8").split())

    assert CELL_TEXT in text(pdfs[".xlsx"])
    assert PARA_TEXT in text(pdfs[".docx"])


@pytest.mark.libreoffice
def test_libreoffice_helper_errors(tmp_path: Path) -> None:
    needs_uno()
    plain = make_docx(tmp_path / "平文.docx")
    # a file without a password opens whether or not one is given
    assert office.open_with_password(plain, None, tmp_path / "a.pdf")
    assert office.open_with_password(plain, "unused", tmp_path / "b.pdf")
    with pytest.raises(office.OfficeError) as info:
        office.open_with_password(tmp_path / "ない.docx", PASSWORD, tmp_path / "c.pdf")
    assert "ない.docx" in str(info.value)
    with pytest.raises(office.OfficeError):
        office.export_pdf(encrypt_files([plain], PASSWORD)[0], tmp_path / "d.pdf")  # no password


def processes_in_group(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group ``pgid``, from /proc."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(proc.name))
    return found


@pytest.mark.libreoffice
def test_libreoffice_timeout_leaves_no_office_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    timeout = 0.3  # far below LibreOffice's start-up time; a longer one could race a warm start
    needs_uno()
    plain = make_xlsx(tmp_path / "表.xlsx")
    started: list[int] = []
    real_popen = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> Any:
        process = real_popen(*args, **kwargs)
        started.append(process.pid)
        return process

    monkeypatch.setattr(office.subprocess, "Popen", popen)
    with pytest.raises(office.OfficeError) as info:
        office.open_with_password(plain, None, tmp_path / "t.pdf", timeout=timeout)
    assert "秒以内" in str(info.value)
    assert len(started) == 1
    time.sleep(0.5)
    assert processes_in_group(started[0]) == []
    assert list(Path("/tmp").glob(f"OSL_PIPE_*_bcp_xl_{os.getpid()}_*")) == []  # the killed office's pipe
    monkeypatch.undo()
    assert office.open_with_password(plain, None, tmp_path / "t.pdf")  # the next run is not disturbed
