"""Password protection of .xlsx/.docx files before they are sent out (``bcp-xl encrypt``).

The files are encrypted the way Excel and Word do it themselves ("パスワードを使用して暗号化", ECMA-376
agile encryption, through msoffcrypto-tool), so the recipient opens them in Excel, Word or LibreOffice
by typing the password; nothing else is needed on their side.

The original is never touched: ``優先業務一覧.xlsx`` gives ``優先業務一覧_暗号化.xlsx`` beside it, which
is the file to attach. A clerk keeps working on the original, and the copy that leaves the office is
recognisable by its name. Running the command again replaces that copy (atomically).
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bcp_xl.errors import BcpXlError, OutputError

ENCRYPTED_SUFFIX = "_暗号化"
"""Added to the file name stem of the encrypted copy: ``名簿.xlsx`` → ``名簿_暗号化.xlsx``."""

MAX_PASSWORD_LENGTH = 255
"""Excel and Word refuse longer passwords in their encryption dialog."""

# suffix → the part every package of that kind has (a renamed file of another kind is caught)
OOXML_MAIN_PART = {
    ".xlsx": "xl/workbook.xml",
    ".xlsm": "xl/workbook.xml",
    ".docx": "word/document.xml",
    ".docm": "word/document.xml",
}
OLD_FORMATS = {".xls": "Excel ブック(.xlsx)", ".doc": "Word 文書(.docx)"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class EncryptError(BcpXlError):
    """A file could not be password-protected; the message is Japanese and names the file."""


class PasswordError(EncryptError):
    """The password cannot be used (empty or too long)."""


@dataclass(frozen=True, slots=True)
class FileProblem:
    """Why one input file is refused: a stable ``code`` for tests, a Japanese ``message`` for people."""

    path: Path
    code: str  # missing-file, not-a-file, already-encrypted, old-format, unsupported-format, unreadable-file, ...
    message: str

    def line(self) -> str:
        return f"{self.path}: {self.message}"


class EncryptInputError(EncryptError):
    """One or more input files cannot be encrypted; nothing was written."""

    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems = list(problems)
        head = "" if len(self.problems) == 1 else f"{len(self.problems)} 件のファイルを暗号化できません。\n"
        super().__init__(head + "\n".join(p.line() for p in self.problems) + "\n何も書き込んでいません。")


def encrypted_name(path: Path, suffix: str = ENCRYPTED_SUFFIX) -> Path:
    """The encrypted copy's path: ``out/優先業務一覧.xlsx`` → ``out/優先業務一覧_暗号化.xlsx``."""
    return path.with_name(f"{path.stem}{suffix}{path.suffix}")


def is_encrypted(data: bytes) -> bool:
    """True for an Office file protected with a password (an OLE container holding EncryptionInfo)."""
    return data.startswith(OLE_MAGIC) and (
        "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data
    )


def check_password(password: str) -> None:
    """Refuse a password that Excel and Word would not accept or that protects nothing."""
    if not password:
        raise PasswordError("パスワードが空です。空のパスワードでは暗号化できません。")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordError(
            f"パスワードが長すぎます({len(password)} 文字)。Excel・Word で開けるよう "
            f"{MAX_PASSWORD_LENGTH} 文字以内にしてください。"
        )


def _problem(path: Path) -> tuple[bytes | None, FileProblem | None]:
    """Read ``path`` and say why it cannot be encrypted, if it cannot."""

    def refuse(code: str, message: str) -> tuple[None, FileProblem]:
        return None, FileProblem(path, code, message)

    suffix = path.suffix.lower()
    if not path.exists():
        return refuse("missing-file", "ファイルがありません。ファイル名と場所を確認してください。")
    if not path.is_file():
        return refuse("not-a-file", "ファイルではありません(フォルダです)。暗号化するファイルを指定してください。")
    try:
        data = path.read_bytes()
    except OSError as exc:
        return refuse("unreadable-file", f"ファイルを読めません({exc.strerror})。")
    if is_encrypted(data):
        return refuse("already-encrypted", "すでにパスワードで保護(暗号化)されています。二重には暗号化しません。")
    if suffix in OLD_FORMATS or data.startswith(OLE_MAGIC):
        target = OLD_FORMATS.get(suffix, "Excel ブック(.xlsx)または Word 文書(.docx)")
        return refuse(
            "old-format",
            f"古い Office 形式のファイルは暗号化できません。開いて「名前を付けて保存」で{target}として"
            "保存し直してから実行してください。",
        )
    if suffix not in OOXML_MAIN_PART:
        return refuse(
            "unsupported-format",
            "暗号化できるのは Excel ブック(.xlsx・.xlsm)と Word 文書(.docx・.docm)だけです。"
            "PDF などは元の Excel・Word のファイルを暗号化して送ってください。",
        )
    if not data.startswith(ZIP_MAGIC):
        return refuse(
            "unreadable-file",
            f"{suffix} のファイルとして読めません(壊れているか、名前だけ {suffix} の別の形式です)。",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        names = set()
    if "[Content_Types].xml" not in names or OOXML_MAIN_PART[suffix] not in names:
        return refuse(
            "unreadable-file",
            f"{suffix} のファイルとして読めません(壊れているか、名前だけ {suffix} の別の形式です)。"
            "Excel・Word で開けるか確認してください。",
        )
    return data, None


def _encrypt_bytes(path: Path, data: bytes, password: str) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    try:
        OOXMLFile(io.BytesIO(data)).encrypt(password, out)
        # read it back before anything is written: what leaves the office must open with this password
        check = OOXMLFile(io.BytesIO(out.getvalue()))
        check.load_key(password=password)
        plain = io.BytesIO()
        check.decrypt(plain)
    except Exception as exc:
        raise EncryptError(f"{path}: 暗号化できませんでした({type(exc).__name__}: {exc})。") from exc
    if plain.getvalue() != data:
        raise EncryptError(f"{path}: 暗号化したファイルを復号して確かめたところ、元の内容と一致しませんでした。")
    return out.getvalue()


def _write(dst: Path, data: bytes) -> None:
    from bcp_xl.workbook.fileio import replace_atomically, temp_beside

    tmp: Path | None = None
    try:
        tmp = temp_beside(dst)
        tmp.write_bytes(data)
        replace_atomically(tmp, dst)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise OutputError(
            f"{dst} に書き込めません({exc.strerror})。Excel・Word で開いていれば閉じ、"
            "書き込み権限と空き容量を確認してください。"
        ) from exc


def _unique(paths: Iterable[Path]) -> list[Path]:
    inputs: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            inputs.append(p)
    return inputs


def _plan(paths: Iterable[Path], suffix: str, in_place: bool) -> list[tuple[Path, Path, bytes]]:
    """(input, output, input bytes) for every file, or :class:`EncryptInputError` listing each refused one."""
    from bcp_xl.workbook.reader import is_locked

    if not in_place and not suffix:
        raise ValueError("suffix must not be empty unless in_place")
    inputs = _unique(paths)
    if not inputs:
        raise EncryptError("暗号化するファイルを指定してください。")
    given = {p.resolve() for p in inputs}
    problems: list[FileProblem] = []
    plans: list[tuple[Path, Path, bytes]] = []
    for src in inputs:
        data, problem = _problem(src)
        if problem is not None:
            problems.append(problem)
            continue
        assert data is not None
        dst = src if in_place else encrypted_name(src, suffix)
        if not in_place and dst.resolve() in given:
            problems.append(
                FileProblem(
                    src,
                    "name-clash",
                    f"暗号化した写しの名前 {dst.name} が、同時に指定した別のファイルと同じです。"
                    f"{dst.name} を指定から外してください。",
                )
            )
        elif is_locked(dst):
            problems.append(
                FileProblem(src, "locked", f"{dst.name} が Excel・Word で開かれています。閉じてから実行してください。")
            )
        else:
            plans.append((src, dst, data))
    if problems:
        raise EncryptInputError(problems)
    return plans


def check_inputs(paths: Iterable[Path], *, suffix: str = ENCRYPTED_SUFFIX, in_place: bool = False) -> list[Path]:
    """The files that ``encrypt_files`` would write, after the same checks, without writing anything
    (so that the command asks for a password only when every file can be encrypted)."""
    return [dst for _src, dst, _data in _plan(paths, suffix, in_place)]


def password_from_env(var: str) -> str:
    """The password held by the environment variable ``var``; refuses a missing or empty one."""
    value = os.environ.get(var)
    if value is None:
        raise PasswordError(
            f"環境変数 {var} が設定されていません。パスワードを環境変数 {var} に入れてから実行するか、"
            "--password-env を付けずに実行して画面で入力してください。"
        )
    if not value:
        raise PasswordError(f"環境変数 {var} が空です。空のパスワードでは暗号化できません。")
    return value


def encrypt_files(
    paths: Iterable[Path],
    password: str,
    *,
    suffix: str = ENCRYPTED_SUFFIX,
    in_place: bool = False,
    argv: Sequence[str] = (),
) -> list[Path]:
    """Password-protect each .xlsx/.docx file and return the files written, in the order given.

    By default each file gets an encrypted copy ``<名前><suffix><拡張子>`` beside it (``_暗号化``), and
    the original stays as it is; ``in_place`` encrypts the files themselves instead. Every file is
    checked before anything is written, so a refused file (missing, already encrypted, .xls/.doc, not
    an Office file) leaves all of them untouched. One line goes to ``run-log.jsonl`` in the first
    file's folder (``.bcp_xl/`` there for in-place work); the password never appears in it.
    """
    check_password(password)
    plans = _plan(paths, suffix, in_place)
    inputs = [src for src, _dst, _data in plans]
    encrypted = [(dst, _encrypt_bytes(src, data, password)) for src, dst, data in plans]
    log_dir = inputs[0].parent / ".bcp_xl" if in_place else inputs[0].parent
    log_inputs = [] if in_place else inputs  # in place, the inputs are now the encrypted files
    written: list[Path] = []
    try:
        for dst, blob in encrypted:
            _write(dst, blob)
            written.append(dst)
    except OutputError:
        if written:  # some files were written before the failure: say which
            _log(log_dir, log_inputs, written, "error", argv)
        raise
    _log(log_dir, log_inputs, written, "ok", argv)
    return written


def _log(log_dir: Path, inputs: Sequence[Path], outputs: Sequence[Path], result: str, argv: Sequence[str]) -> None:
    from bcp_xl.api import append_run_log

    try:
        log_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{log_dir} を作成できません({exc.strerror})。") from exc
    append_run_log(log_dir, "encrypt", inputs, outputs, result, argv)
