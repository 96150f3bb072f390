"""Atomic file replacement shared by every writer."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from bcp_xl.errors import OutputError


def temp_beside(dst: Path) -> Path:
    """The temporary file for ``dst``, in its folder (same file system, so the replace is atomic).

    Its name is fixed per destination, so what a killed run left behind is simply overwritten by
    the next run instead of piling up.
    """
    tmp = dst.with_name(f".~bcp_xl.{dst.name}")
    tmp.write_bytes(b"")
    return tmp


def replace_atomically(tmp: Path, dst: Path) -> None:
    """Move ``tmp`` over ``dst`` in one step, keeping ``dst``'s permissions (a new file gets the
    usual ones for the user's umask rather than the private mode of a temporary file)."""
    if dst.exists():
        mode = stat.S_IMODE(dst.stat().st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
    os.replace(tmp, dst)


@contextlib.contextmanager
def atomic_write(dst: Path) -> Iterator[Path]:
    """Write ``dst`` through a temporary file beside it: the body writes the yielded path, which then
    replaces ``dst`` in one step. A failure leaves ``dst`` as it was and no temporary file behind; an
    OS error becomes :class:`OutputError` with a message a clerk can act on."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(dst)
    try:
        yield tmp
        replace_atomically(tmp, dst)
    except OSError as exc:
        raise OutputError(
            f"{dst} に書き込めません({exc.strerror})。書き込み権限と空き容量を確認してください。"
        ) from exc
    finally:
        if tmp.exists():
            tmp.unlink()
