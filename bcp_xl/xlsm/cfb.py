"""A writer for compound files (MS-CFB version 3, 512-byte sectors), the container of ``vbaProject.bin``.

Only what a VBA project needs: storages and streams written once, in memory. Streams shorter than
4096 bytes go into the mini stream (64-byte mini sectors), longer ones into regular sectors. The
siblings of each storage form a balanced binary tree coloured as a valid red-black tree. Times and
class ids are zero, so the same content always gives the same bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
HEADER_DIFAT = 109
STORAGE, STREAM, ROOT = 1, 2, 5
RED, BLACK = 0, 1


@dataclass
class Storage:
    """A storage: named streams and child storages."""

    name: str
    streams: dict[str, bytes] = field(default_factory=dict)
    storages: list[Storage] = field(default_factory=list)


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def _sort_key(name: str) -> tuple[int, str]:
    """MS-CFB order of sibling names: shorter first, then by upper-cased code points."""
    return (len(name.encode("utf-16-le")), name.upper())


def _flatten(root: Storage) -> list[_Entry]:
    entries = [_Entry(root.name, ROOT)]

    def add(storage: Storage, index: int) -> None:
        for name, data in storage.streams.items():
            entries.append(_Entry(name, STREAM, data))
            entries[index].children.append(len(entries) - 1)
        for sub in storage.storages:
            entries.append(_Entry(sub.name, STORAGE))
            entries[index].children.append(len(entries) - 1)
            add(sub, len(entries) - 1)

    add(root, 0)
    for e in entries:
        if len(e.name) > 31:
            raise ValueError(f"name too long for a compound file: {e.name}")
    return entries


def _tree(entries: list[_Entry], ids: list[int], depth: int, max_depth: int) -> int:
    """Link ``ids`` (sorted) as a balanced tree; nodes on an incomplete last level are red."""
    if not ids:
        return NOSTREAM
    mid = len(ids) // 2
    node = entries[ids[mid]]
    node.left = _tree(entries, ids[:mid], depth + 1, max_depth)
    node.right = _tree(entries, ids[mid + 1 :], depth + 1, max_depth)
    node.color = RED if depth == max_depth and depth > 0 else BLACK
    return ids[mid]


def _link(entries: list[_Entry]) -> None:
    for e in entries:
        if not e.children:
            continue
        ids = sorted(e.children, key=lambda i: _sort_key(entries[i].name))
        n = len(ids)
        height = n.bit_length() - 1  # depth of the deepest level of a median-split tree
        full = (1 << (height + 1)) - 1 == n
        e.child = _tree(entries, ids, 0, -1 if full else height)


def _chain(fat: list[int], start: int, count: int) -> None:
    for k in range(count):
        fat[start + k] = start + k + 1 if k < count - 1 else ENDOFCHAIN


def _sectors(size: int, unit: int) -> int:
    return (size + unit - 1) // unit


def write_compound_file(root: Storage) -> bytes:
    """The bytes of a compound file holding ``root``'s streams and storages."""
    entries = _flatten(root)
    _link(entries)

    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for e in entries:
        if e.kind != STREAM:
            continue
        e.size = len(e.data)
        if e.size == 0:
            continue
        if e.size < MINI_CUTOFF:
            first = len(minifat)
            n = _sectors(e.size, MINI_SECTOR)
            minifat.extend([0] * n)
            _chain(minifat, first, n)
            e.start = first
            mini += e.data.ljust(n * MINI_SECTOR, b"\x00")
        else:
            big.append(e)

    n_dir = _sectors(len(entries) * 128, SECTOR)
    n_minifat = _sectors(len(minifat) * 4, SECTOR)
    n_mini = _sectors(len(mini), SECTOR)
    n_big = [_sectors(e.size, SECTOR) for e in big]
    payload = n_dir + n_minifat + n_mini + sum(n_big)
    n_fat = 1
    while n_fat * (SECTOR // 4) < n_fat + payload:
        n_fat += 1
    if n_fat > HEADER_DIFAT:
        raise ValueError("VBA project too large for this writer")

    total = n_fat + payload
    fat = [FREESECT] * (n_fat * (SECTOR // 4))
    for k in range(n_fat):
        fat[k] = FATSECT
    pos = n_fat
    dir_start = pos
    _chain(fat, pos, n_dir)
    pos += n_dir
    minifat_start = pos if n_minifat else ENDOFCHAIN
    _chain(fat, pos, n_minifat)
    pos += n_minifat
    if n_mini:
        entries[0].start = pos
        entries[0].size = len(mini)
        _chain(fat, pos, n_mini)
    pos += n_mini
    for e, n in zip(big, n_big, strict=True):
        e.start = pos
        _chain(fat, pos, n)
        pos += n
    assert pos == total

    header = bytearray()
    header += SIGNATURE + bytes(16)
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIII", 0, n_fat, dir_start, 0, MINI_CUTOFF)
    header += struct.pack("<IIII", minifat_start, n_minifat, ENDOFCHAIN, 0)
    difat = list(range(n_fat)) + [FREESECT] * (HEADER_DIFAT - n_fat)
    header += struct.pack(f"<{HEADER_DIFAT}I", *difat)
    assert len(header) == SECTOR

    body = bytearray(header)
    body += struct.pack(f"<{len(fat)}I", *fat)
    body += b"".join(_dir_entry(e) for e in entries)
    body += _empty_entry() * (n_dir * SECTOR // 128 - len(entries))
    mf = minifat + [FREESECT] * (n_minifat * (SECTOR // 4) - len(minifat))
    body += struct.pack(f"<{len(mf)}I", *mf)
    body += bytes(mini).ljust(n_mini * SECTOR, b"\x00")
    for e, n in zip(big, n_big, strict=True):
        body += e.data.ljust(n * SECTOR, b"\x00")
    assert len(body) == SECTOR * (total + 1)
    return bytes(body)


def _dir_entry(e: _Entry) -> bytes:
    name = e.name.encode("utf-16-le") + b"\x00\x00"
    out = name.ljust(64, b"\x00")
    out += struct.pack("<HBB", len(name), e.kind, e.color)
    out += struct.pack("<III", e.left, e.right, e.child)
    out += bytes(16)  # class id
    out += struct.pack("<I", 0)  # state bits
    out += bytes(16)  # creation and modification times
    out += struct.pack("<IQ", e.start if e.kind != STORAGE else 0, e.size)
    assert len(out) == 128
    return out


def _empty_entry() -> bytes:
    out = bytes(64) + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM)
    return out + bytes(16 + 4 + 16) + struct.pack("<IQ", 0, 0)
