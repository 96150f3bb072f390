"""Atomic file replacement shared by every writer."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def temp_beside(dst: Path) -> Path:
    """A new empty temporary file in the folder of ``dst`` (same file system, so the replace is atomic)."""
    fd, name = tempfile.mkstemp(prefix=".~bcp_xl_", suffix=dst.suffix, dir=dst.parent)
    os.close(fd)
    return Path(name)


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
