"""LibreOffice through its UNO bridge, for what ``soffice --convert-to`` cannot do: open a
password-protected file, refresh a table of contents before exporting.

Debian's ``python3-uno`` only imports under the system Python, not in the tool's virtualenv, so the
work is done by the small script ``uno_open.py`` beside this file, run with that interpreter as a
subprocess. Each run starts its own headless LibreOffice with a throw-away profile and a private pipe,
so it neither disturbs nor waits for an office the user has open. The password travels on the
script's standard input, never on a command line.

The interpreter is ``/usr/bin/python3`` unless ``BCP_XL_UNO_PYTHON`` names another (on Windows, the
``program/python.exe`` of the LibreOffice installation).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path

from bcp_xl.errors import BcpXlError

UNO_SCRIPT = Path(__file__).with_name("uno_open.py")
DEFAULT_UNO_PYTHON = "/usr/bin/python3"
DEFAULT_TIMEOUT = 180.0

# exit codes of uno_open.py (kept equal to the constants there; a test compares them)
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_PASSWORD = 3
EXIT_LOAD = 4
EXIT_EXPORT = 5
EXIT_OFFICE = 6


class OfficeError(BcpXlError):
    """LibreOffice could not do what was asked (not installed, timed out, file not loadable)."""


class OfficeUnavailableError(OfficeError):
    """LibreOffice or its Python bridge (python3-uno) is not installed."""


def soffice_program() -> str | None:
    """The LibreOffice program on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@functools.cache
def _python_has_uno(python: str) -> bool:
    try:
        done = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=60, env=_child_env())
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def uno_python() -> str | None:
    """The interpreter that can ``import uno`` (``BCP_XL_UNO_PYTHON`` or the system Python), or None."""
    python = os.environ.get("BCP_XL_UNO_PYTHON") or DEFAULT_UNO_PYTHON
    return python if _python_has_uno(python) else None


def available() -> bool:
    """True when LibreOffice and its UNO bridge can be used."""
    return soffice_program() is not None and uno_python() is not None


def _child_env() -> dict[str, str]:
    # the system Python must not pick up this virtualenv's settings; UTF-8 for Japanese file names
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONUTF8"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """End the script and every LibreOffice process it started (they share its process group)."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    elif process.poll() is None:
        process.kill()


def _remove_pipe(name: str) -> None:
    """The socket file of the office's pipe, which a killed office leaves in /tmp."""
    if os.name == "posix":
        with contextlib.suppress(OSError):
            Path(f"/tmp/OSL_PIPE_{os.getuid()}_{name}").unlink(missing_ok=True)


def run_uno_script(
    args: Sequence[str], *, password: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run ``uno_open.py`` with ``args`` under the UNO-capable Python, in a private LibreOffice.

    ``password`` goes to the script's standard input. Whatever LibreOffice processes are left when the
    script ends or times out are killed, and the temporary profile is removed. Raises
    :class:`OfficeUnavailableError` when LibreOffice or python3-uno is missing and :class:`OfficeError`
    on a timeout; any other outcome comes back as the completed process (see the ``EXIT_`` codes).
    """
    soffice = soffice_program()
    if soffice is None:
        raise OfficeUnavailableError(
            "LibreOffice が見つかりません。LibreOffice をインストールしてください(Debian/Ubuntu: "
            "apt-get install libreoffice-calc-nogui libreoffice-writer-nogui)。"
        )
    python = uno_python()
    if python is None:
        raise OfficeUnavailableError(
            "LibreOffice の Python 連携(UNO)が使えません。Debian/Ubuntu では apt-get install python3-uno を"
            "実行してください(それ以外では環境変数 BCP_XL_UNO_PYTHON に LibreOffice 付属の python を指定)。"
        )
    with tempfile.TemporaryDirectory(prefix="bcp_xl_lo_", ignore_cleanup_errors=True) as profile:
        pipe = f"bcp_xl_{os.getpid()}_{uuid.uuid4().hex[:12]}"
        cmd = [python, str(UNO_SCRIPT), *args, "--soffice", soffice, "--profile", profile, "--pipe", pipe]
        if password is not None:
            cmd.append("--password-stdin")
        process = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_child_env(),
            start_new_session=os.name == "posix",
        )
        try:
            out, err = process.communicate((password or "").encode("utf-8"), timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            raise OfficeError(
                f"LibreOffice が {timeout:.0f} 秒以内に終わりませんでした。LibreOffice を終了してから再実行してください。"
            ) from None
        finally:
            _kill_group(process)
            _remove_pipe(pipe)
    return subprocess.CompletedProcess(
        cmd, process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    )


def export_pdf(
    path: Path,
    pdf_out: Path,
    *,
    password: str | None = None,
    update_indexes: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Open ``path`` in LibreOffice (with ``password`` if given), optionally refresh its tables of
    contents and indexes, and write it as PDF to ``pdf_out``. Raises :class:`OfficeError` (with the
    reason LibreOffice gave) when that fails, including a missing or wrong password."""
    args = [str(path), "--pdf", str(pdf_out)]
    if update_indexes:
        args.append("--update-indexes")
    done = run_uno_script(args, password=password, timeout=timeout)
    if done.returncode != EXIT_OK:
        reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"終了コード {done.returncode}"
        raise OfficeError(f"{path}: LibreOffice で PDF にできませんでした({reason})。")


def export_pdfs(paths: Sequence[Path], pdf_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> list[Path]:
    """Convert every document of ``paths`` to ``pdf_dir/<stem>.pdf`` in one LibreOffice run (own profile),
    refreshing tables of contents first. Returns the PDFs written."""
    if not paths:
        return []
    args = [*(str(p) for p in paths), "--pdf-dir", str(pdf_dir), "--update-indexes"]
    done = run_uno_script(args, timeout=timeout + 20 * len(paths))
    if done.returncode != EXIT_OK:
        reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"終了コード {done.returncode}"
        raise OfficeError(f"LibreOffice で PDF にできませんでした({reason})。")
    return [pdf_dir / f"{p.stem}.pdf" for p in paths]


def open_with_password(path: Path, password: str | None, pdf_out: Path, *, timeout: float = DEFAULT_TIMEOUT) -> bool:
    """Open ``path`` in headless LibreOffice with ``password`` (None: without one) and export it to
    ``pdf_out``. True when it opened and the PDF was written; False when LibreOffice asked for a
    password that was missing or wrong. Other failures raise :class:`OfficeError`."""
    done = run_uno_script([str(path), "--pdf", str(pdf_out)], password=password, timeout=timeout)
    if done.returncode == EXIT_OK:
        return True
    if done.returncode == EXIT_PASSWORD:
        return False
    reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"終了コード {done.returncode}"
    raise OfficeError(f"{path}: LibreOffice で開けませんでした({reason})。")
