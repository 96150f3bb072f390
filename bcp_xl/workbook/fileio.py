"""Atomic file replacement shared by every writer."""

from __future__ import annotations

import os
import stat
from pathlib import Path


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
