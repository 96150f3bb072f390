"""Open one document in a headless LibreOffice through its UNO bridge and export it to PDF.

Run with the system Python, which has Debian's ``python3-uno`` (the tool's own virtualenv cannot import
``uno``); :mod:`bcp_xl.office` does that as a subprocess. This file imports nothing from ``bcp_xl``.

    /usr/bin/python3 uno_open.py IN.docx --pdf OUT.pdf [--password-stdin] [--update-indexes]
    /usr/bin/python3 uno_open.py A.docx B.docx ... --pdf-dir DIR [--update-indexes]   (one office, many files)

Plain ``soffice --convert-to`` can do neither of the two things this exists for: open a
password-protected file (the password goes into the ``Password`` property of the load call) and
refresh tables of contents before exporting (``--update-indexes``).

The script starts its own ``soffice --headless`` with the profile given by ``--profile`` (a fresh one in
a temporary folder if omitted) and a private pipe, or connects to a running office with ``--connect``.
The password is read from standard input, never from the command line (where ``ps`` would show it).

Exit codes: 0 done; 2 wrong usage; 3 the document needs a password and none or a wrong one was given;
4 the document could not be loaded for another reason; 5 the PDF could not be written or the document
not updated; 6 LibreOffice could not be started or reached. A one-line reason goes to standard error.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import uno  # only under the system Python (python3-uno)
import unohelper
from com.sun.star.task import XInteractionHandler

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_PASSWORD = 3
EXIT_LOAD = 4
EXIT_EXPORT = 5
EXIT_OFFICE = 6

PDF_FILTERS = {
    "com.sun.star.text.TextDocument": "writer_pdf_Export",
    "com.sun.star.sheet.SpreadsheetDocument": "calc_pdf_Export",
    "com.sun.star.presentation.PresentationDocument": "impress_pdf_Export",
    "com.sun.star.drawing.DrawingDocument": "draw_pdf_Export",
}


class Failure(Exception):
    """Ends the run with ``code`` and a one-line reason on standard error."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


def props(**values: Any) -> tuple[Any, ...]:
    """A UNO media descriptor / property sequence from keyword arguments."""
    out = []
    for name, value in values.items():
        p = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
        p.Name = name
        p.Value = value
        out.append(p)
    return tuple(out)


# ---- office process and connection (kept general: also used for refreshing tables of contents) ----


class Office:
    """A headless LibreOffice reached through a UNO connection string.

    ``Office.start`` launches a private instance (own profile, own pipe) and ``close`` ends it;
    ``Office.connect`` attaches to one started elsewhere and leaves it running.
    """

    def __init__(self, ctx: Any, process: subprocess.Popen[bytes] | None, profile_tmp: str | None) -> None:
        self.ctx = ctx
        self.process = process
        self._profile_tmp = profile_tmp
        smgr = ctx.ServiceManager
        self.desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

    @staticmethod
    def _resolve(accept: str, deadline: float, process: subprocess.Popen[bytes] | None) -> Any:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:{accept};urp;StarOffice.ComponentContext"
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                return resolver.resolve(url)
            except Exception as exc:  # NoConnectException until the office listens
                last = exc
            if process is not None and process.poll() is not None:
                raise Failure(EXIT_OFFICE, f"LibreOffice が終了しました(終了コード {process.returncode})。")
            time.sleep(0.25)
        raise Failure(EXIT_OFFICE, f"LibreOffice に接続できません({type(last).__name__ if last else 'timeout'})。")

    @classmethod
    def start(
        cls, soffice: str = "soffice", profile: str | None = None, timeout: float = 60, pipe: str | None = None
    ) -> Office:
        """Start ``soffice --headless`` with its own profile folder and pipe (named ``pipe`` or a fresh
        unique name), and connect to it."""
        exe = shutil.which(soffice) or soffice
        profile_tmp = None
        if profile is None:
            profile_tmp = profile = tempfile.mkdtemp(prefix="bcp_xl_lo_")
        accept = f"pipe,name={pipe or f'bcp_xl_{os.getpid()}_{uuid.uuid4().hex[:12]}'}"
        cmd = [
            exe,
            f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            "--nofirststartwizard",
            f"--accept={accept};urp;StarOffice.ComponentContext",
        ]
        try:
            process = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except OSError as exc:
            raise Failure(EXIT_OFFICE, f"LibreOffice ({exe}) を起動できません: {exc}") from exc
        try:
            ctx = cls._resolve(accept, time.monotonic() + timeout, process)
        except BaseException:
            _stop(process)
            _remove(profile_tmp)
            raise
        return cls(ctx, process, profile_tmp)

    @classmethod
    def connect(cls, accept: str, timeout: float = 30) -> Office:
        """Attach to an office started with ``--accept=<accept>;urp;...``."""
        return cls(cls._resolve(accept, time.monotonic() + timeout, None), None, None)

    def load(self, path: Path, password: str | None = None, *, read_only: bool = True) -> tuple[Any, PasswordAsker]:
        """Load ``path`` hidden, macros off; raise :class:`Failure` with EXIT_PASSWORD when it needs a
        password that was not given or was wrong."""
        asker = PasswordAsker()
        descriptor: dict[str, Any] = {
            "Hidden": True,
            "ReadOnly": read_only,
            "MacroExecutionMode": 0,  # NEVER_EXECUTE
            "UpdateDocMode": 0,  # NO_UPDATE: leave links to other files alone
            "InteractionHandler": asker,
        }
        if password is not None:
            descriptor["Password"] = password
        try:
            doc = self.desktop.loadComponentFromURL(path.resolve().as_uri(), "_blank", 0, props(**descriptor))
        except Exception as exc:
            doc = None
            error: str = f"{type(exc).__name__}: {getattr(exc, 'Message', '') or exc}"
        else:
            error = "読み込み結果が空です"
        if doc is None:
            if asker.password_requests:
                what = "パスワードが違います" if password else "パスワードが必要です"
                raise Failure(EXIT_PASSWORD, f"{path.name}: {what}。")
            raise Failure(EXIT_LOAD, f"{path.name} を読み込めません({error})。")
        return doc, asker

    def close(self) -> None:
        """End a started office (a connected one keeps running) and remove its temporary profile."""
        if self.process is not None:
            with contextlib.suppress(Exception):  # the bridge goes down while the office exits
                self.desktop.terminate()
            _stop(self.process)
        _remove(self._profile_tmp)


def _stop(process: subprocess.Popen[bytes], grace: float = 30) -> None:
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _remove(folder: str | None) -> None:
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


class PasswordAsker(unohelper.Base, XInteractionHandler):  # type: ignore[misc]
    """Answers every question of the office with "abort", counting the password requests, so that a
    missing or wrong password ends the load instead of waiting for someone to type."""

    def __init__(self) -> None:
        self.password_requests = 0
        self.other: list[str] = []

    def handle(self, request: Any) -> None:
        # The request itself (DocumentMSPasswordRequest2, an exception struct) does not convert to
        # Python under pyuno 7.x ("returned a result with an exception set"), so the kind of question
        # is told by its continuations: a password request offers an XInteractionPassword.
        continuations = request.getContinuations()
        kinds = [{t.typeName for t in getattr(c, "Types", ())} for c in continuations]
        if any(
            k & {"com.sun.star.task.XInteractionPassword", "com.sun.star.task.XInteractionPassword2"} for k in kinds
        ):
            self.password_requests += 1
        else:
            self.other.append(", ".join(sorted(set().union(*kinds))))
        for cont, k in zip(continuations, kinds, strict=True):
            if "com.sun.star.task.XInteractionAbort" in k:
                cont.select()
                return


# ---- what can be done with a loaded document ----


def update_indexes(doc: Any) -> int:
    """Refresh every table of contents and index of a text document; returns how many there were."""
    if not hasattr(doc, "getDocumentIndexes"):
        return 0
    indexes = doc.getDocumentIndexes()
    for i in range(indexes.getCount()):
        indexes.getByIndex(i).update()
    # page numbers in the refreshed entries need the layout of the updated text
    if hasattr(doc, "refresh"):
        doc.refresh()
    for i in range(indexes.getCount()):
        indexes.getByIndex(i).update()
    return int(indexes.getCount())


def export_pdf(doc: Any, out: Path) -> None:
    """Store ``doc`` as PDF with the export filter of its kind."""
    filter_name = next((f for svc, f in PDF_FILTERS.items() if doc.supportsService(svc)), None)
    if filter_name is None:
        raise Failure(EXIT_EXPORT, "PDF に変換できない種類の文書です。")
    try:
        doc.storeToURL(out.resolve().as_uri(), props(FilterName=filter_name))
    except Exception as exc:
        raise Failure(
            EXIT_EXPORT, f"PDF を書き込めません({type(exc).__name__}: {getattr(exc, 'Message', '')})。"
        ) from exc
    if not out.exists() or out.stat().st_size == 0:
        raise Failure(EXIT_EXPORT, "PDF が作成されませんでした。")


def _convert(
    office: Office, src: Path, pdf_target: Path | None, password: str | None, scratch: Path, update: bool
) -> None:
    """Load one document (from a scratch copy), refresh its indexes if asked, export it to PDF."""
    if not src.is_file():
        raise Failure(EXIT_LOAD, f"{src} がありません。")
    work = scratch / src.name
    shutil.copyfile(src, work)
    doc, _ = office.load(work, password, read_only=not update)
    try:
        if update:
            try:
                update_indexes(doc)
            except Exception as exc:
                raise Failure(EXIT_EXPORT, f"目次・索引を更新できません({type(exc).__name__})。") from exc
        if pdf_target is not None:
            pdf = scratch / "out.pdf"
            export_pdf(doc, pdf)
            try:
                pdf_target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(pdf, pdf_target)
            except OSError as exc:
                raise Failure(EXIT_EXPORT, f"{pdf_target} に書き込めません({exc.strerror})。") from exc
    finally:
        with contextlib.suppress(Exception):
            doc.close(True)
        with contextlib.suppress(OSError):
            work.unlink()


def run(args: argparse.Namespace) -> None:
    password = None
    if args.password_stdin:
        password = sys.stdin.buffer.read().decode("utf-8")
        if password.endswith("\n"):
            password = password[:-1].removesuffix("\r")
    sources = [Path(i) for i in args.input]
    for src in sources:
        if not src.is_file():
            raise Failure(EXIT_LOAD, f"{src} がありません。")
    if len(sources) > 1 and not args.pdf_dir:
        raise Failure(EXIT_USAGE, "複数の文書には --pdf-dir を指定してください。")
    # LibreOffice works on a copy and writes the PDF into a scratch folder (inside the profile when one
    # is given, so the caller removes it even after a kill): lock files and half-written output of a
    # killed run then never land beside the user's files.
    scratch = Path(tempfile.mkdtemp(prefix="bcp_xl_uno_", dir=args.profile or None))
    try:
        office = (
            Office.connect(args.connect, args.timeout)
            if args.connect
            else Office.start(args.soffice, args.profile, args.timeout, args.pipe)
        )
        try:
            for src in sources:
                if args.pdf_dir:
                    target: Path | None = Path(args.pdf_dir) / f"{src.stem}.pdf"
                else:
                    target = Path(args.pdf) if args.pdf else None
                _convert(office, src, target, password, scratch, args.update_indexes)
        finally:
            office.close()
    finally:
        _remove(str(scratch))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Open a document in headless LibreOffice (UNO) and export it to PDF.")
    p.add_argument("input", nargs="+", help="the document(s) to open")
    p.add_argument("--pdf", help="write the document as PDF to this path")
    p.add_argument("--pdf-dir", help="write each document as <stem>.pdf into this folder (one office for all)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--update-indexes", action="store_true", help="refresh tables of contents and indexes first")
    p.add_argument("--soffice", default="soffice", help="the LibreOffice program (default: soffice on PATH)")
    p.add_argument("--profile", help="profile folder for the started office (default: a temporary one)")
    p.add_argument("--pipe", help="name of the pipe the started office listens on (default: a unique one)")
    p.add_argument("--connect", metavar="ACCEPT", help="use a running office, e.g. 'pipe,name=x' (not started)")
    p.add_argument("--timeout", type=float, default=60, help="seconds to wait for the office to listen")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        run(args)
    except Failure as f:
        print(str(f), file=sys.stderr)
        return f.code
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
