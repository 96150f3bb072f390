"""The streams of a VBA project (MS-OVBA) built from module sources.

The project carries source code only: every module stream holds the compressed source at offset 0
and the ``_VBA_PROJECT`` stream is the 7-byte form whose version 0xFFFF tells the host that there is
no compiled code, so Excel compiles the modules from source when it opens the workbook.

Record kinds, their order and the values for code page, system kind and version follow what Excel
writes (a test compares them with the Excel-made project of the xlwings quickstart workbook).
"""

from __future__ import annotations

import hashlib
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bcp_xl.xlsm.cfb import Storage, write_compound_file

CODE_PAGE = 1252  # Windows Latin 1, what Excel writes for ASCII module text
LCID = 0x0409
SYS_KIND = 3  # 64-bit Windows, as Excel writes it; VBA recompiles for the running Office anyway
COMPAT_VERSION = 5  # PROJECTCOMPATVERSION written by current Excel
VERSION_COMPATIBLE32 = "393222000"
PROJECT_NAME = "VBAProject"
VBE_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"

# type libraries the modules need: OLE Automation (stdole) and Office (IRibbonControl)
REFERENCES: tuple[tuple[str, str], ...] = (
    ("stdole", r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation"),
    (
        "Office",
        r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files\Microsoft Shared"
        r"\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library",
    ),
)

WORKBOOK_MODULE = "ThisWorkbook"
WORKBOOK_SOURCE = (
    'Attribute VB_Name = "ThisWorkbook"\r\n'
    'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"\r\n'
    "Attribute VB_GlobalNameSpace = False\r\n"
    "Attribute VB_Creatable = False\r\n"
    "Attribute VB_PredeclaredId = True\r\n"
    "Attribute VB_Exposed = True\r\n"
    "Attribute VB_TemplateDerived = False\r\n"
    "Attribute VB_Customizable = True\r\n"
)


@dataclass(frozen=True)
class Module:
    """One module of the project: its name, kind and source text (CRLF, ``Attribute VB_`` lines included)."""

    name: str
    source: str
    kind: Literal["procedural", "document"] = "procedural"


# ---- compression (MS-OVBA 2.4.1) ------------------------------------------------------------------

_CHUNK = 4096


def _bit_count(difference: int) -> int:
    """Bits of a copy token's offset: the smallest n >= 4 with 2**n >= difference."""
    return max((difference - 1).bit_length(), 4)


def _compress_chunk(data: bytes) -> bytes:
    """One compressed chunk (header included) of at most 4096 bytes of ``data``."""
    out = bytearray()
    candidates: dict[bytes, list[int]] = {}
    pos = 0
    n = len(data)
    while pos < n:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            bits = _bit_count(pos) if pos else 4
            max_len = (0xFFFF >> bits) + 3
            best_len, best_off = 0, 0
            key = data[pos : pos + 3]
            if pos and len(key) == 3:
                for cand in reversed(candidates.get(key, ())):
                    length = 0
                    limit = min(max_len, n - pos)
                    while length < limit and data[cand + length] == data[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == limit:
                            break
            step = best_len if best_len >= 3 else 1
            if best_len >= 3:
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
            else:
                out.append(data[pos])
            for p in range(pos, pos + step):
                k = data[p : p + 3]
                if len(k) == 3:
                    candidates.setdefault(k, []).append(p)
            pos += step
        out[flag_at] = flags
    if len(out) > _CHUNK and n == _CHUNK:
        return struct.pack("<H", (_CHUNK - 1) | 0x3000) + data  # raw chunk: flag 0, size 4096
    if len(out) > _CHUNK:  # a short chunk that does not compress: stored raw, padded (never for text)
        return struct.pack("<H", (_CHUNK - 1) | 0x3000) + data.ljust(_CHUNK, b"\x00")
    return struct.pack("<H", (len(out) + 2 - 3) | 0x3000 | 0x8000) + bytes(out)


def compress(data: bytes) -> bytes:
    """An MS-OVBA CompressedContainer of ``data``."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        out += _compress_chunk(data[start : start + _CHUNK])
    return bytes(out)


def decompress(data: bytes) -> bytes:
    """The inverse of :func:`compress` (used by the tests and to read back a built project)."""
    if not data or data[0] != 1:
        raise ValueError("not a compressed container")
    out = bytearray()
    pos = 1
    while pos < len(data):
        (header,) = struct.unpack_from("<H", data, pos)
        size = (header & 0x0FFF) + 3
        end = pos + size
        pos += 2
        start = len(out)
        if not header & 0x8000:
            out += data[pos : pos + _CHUNK]
            pos += _CHUNK
            continue
        while pos < end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if flags & (1 << bit):
                    (token,) = struct.unpack_from("<H", data, pos)
                    pos += 2
                    bits = _bit_count(len(out) - start)
                    length = (token & (0xFFFF >> bits)) + 3
                    offset = (token >> (16 - bits)) + 1
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(data[pos])
                    pos += 1
    return bytes(out)


# ---- the dir stream (MS-OVBA 2.3.4.2) -------------------------------------------------------------


def _rec(rid: int, data: bytes) -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def _mbcs(text: str) -> bytes:
    return text.encode("cp1252")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def dir_stream(modules: Sequence[Module], version: tuple[int, int]) -> bytes:
    """The uncompressed ``dir`` stream: project information, references, modules, terminator."""
    out = bytearray()
    out += _rec(0x0001, struct.pack("<I", SYS_KIND))
    out += _rec(0x004A, struct.pack("<I", COMPAT_VERSION))
    out += _rec(0x0002, struct.pack("<I", LCID))
    out += _rec(0x0014, struct.pack("<I", LCID))
    out += _rec(0x0003, struct.pack("<H", CODE_PAGE))
    out += _rec(0x0004, _mbcs(PROJECT_NAME))
    out += _rec(0x0005, b"") + _rec(0x0040, b"")  # doc string and its Unicode form
    out += _rec(0x0006, b"") + _rec(0x003D, b"")  # help files 1 and 2
    out += _rec(0x0007, struct.pack("<I", 0))  # help context
    out += _rec(0x0008, struct.pack("<I", 0))  # library flags
    out += struct.pack("<HIIH", 0x0009, 4, version[0], version[1])  # PROJECTVERSION: Reserved is 4
    out += _rec(0x000C, b"") + _rec(0x003C, b"")  # conditional compilation constants
    for name, libid in REFERENCES:
        out += _rec(0x0016, _mbcs(name)) + _rec(0x003E, _utf16(name))
        lib = _mbcs(libid)
        body = struct.pack("<I", len(lib)) + lib + struct.pack("<IH", 0, 0)
        out += _rec(0x000D, body)
    out += _rec(0x000F, struct.pack("<H", len(modules)))
    out += _rec(0x0013, struct.pack("<H", 0xFFFF))  # project cookie (ignored by readers)
    for m in modules:
        out += _rec(0x0019, _mbcs(m.name)) + _rec(0x0047, _utf16(m.name))
        out += _rec(0x001A, _mbcs(m.name)) + _rec(0x0032, _utf16(m.name))  # stream name
        out += _rec(0x001C, b"") + _rec(0x0048, b"")  # doc string
        out += _rec(0x0031, struct.pack("<I", 0))  # source starts at offset 0: no compiled code
        out += _rec(0x001E, struct.pack("<I", 0))  # help context
        out += _rec(0x002C, struct.pack("<H", 0xFFFF))  # module cookie
        out += _rec(0x0021 if m.kind == "procedural" else 0x0022, b"")
        out += _rec(0x002B, b"")  # module terminator
    out += _rec(0x0010, b"")  # dir terminator
    return bytes(out)


# ---- the PROJECT stream (MS-OVBA 2.3.1) -----------------------------------------------------------


def _project_key(project_id: str) -> int:
    return sum(project_id.encode("ascii")) & 0xFF


def encrypt(project_id: str, data: bytes, seed: int) -> str:
    """MS-OVBA 2.4.3 data encryption (used for CMG, DPB, GC), as uppercase hex; ``seed`` fixes the
    otherwise random bytes so that builds are reproducible."""
    version = 2
    key = _project_key(project_id)
    version_enc = seed ^ version
    key_enc = seed ^ key
    out = bytearray([seed, version_enc, key_enc])
    unenc1, enc1, enc2 = key, key_enc, version_enc
    ignored = (seed & 6) // 2
    plain = bytes([0] * ignored)
    payload = struct.pack("<I", len(data)) + data
    for byte in plain + payload:
        enc = byte ^ ((enc2 + unenc1) & 0xFF)
        out.append(enc)
        enc2, enc1 = enc1, enc
        unenc1 = byte
    return out.hex().upper()


def decrypt(project_hex: str) -> bytes:
    """The inverse of :func:`encrypt` (checks and tests)."""
    raw = bytes.fromhex(project_hex)
    seed, version_enc, key_enc = raw[0], raw[1], raw[2]
    key = seed ^ key_enc
    unenc1, enc1, enc2 = key, key_enc, version_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((enc2 + unenc1) & 0xFF)
        plain.append(byte)
        enc2, enc1, unenc1 = enc1, enc, byte
    ignored = (seed & 6) // 2
    (length,) = struct.unpack_from("<I", plain, ignored)
    return bytes(plain[ignored + 4 : ignored + 4 + length])


NOT_PROTECTED = struct.pack("<I", 0)  # CMG: ProjectProtectionState
NO_PASSWORD = b"\x00"  # DPB: ProjectPassword
VISIBLE = b"\xff"  # GC: ProjectVisibilityState


def project_stream(modules: Sequence[Module], project_id: str, seed: int) -> bytes:
    """The text ``PROJECT`` stream: module list, name, protection state (none) and the VBE windows."""
    lines = [f'ID="{project_id}"']
    for m in modules:
        lines.append(f"Document={m.name}/&H00000000" if m.kind == "document" else f"Module={m.name}")
    lines += [
        f'Name="{PROJECT_NAME}"',
        'HelpContextID="0"',
        f'VersionCompatible32="{VERSION_COMPATIBLE32}"',
        f'CMG="{encrypt(project_id, NOT_PROTECTED, seed)}"',
        f'DPB="{encrypt(project_id, NO_PASSWORD, seed)}"',
        f'GC="{encrypt(project_id, VISIBLE, seed)}"',
        "",
        "[Host Extender Info]",
        VBE_HOST_EXTENDER,
        "",
        "[Workspace]",
    ]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("cp1252")


def projectwm_stream(modules: Sequence[Module]) -> bytes:
    """Module names in MBCS and UTF-16, as the ``PROJECTwm`` stream lists them."""
    out = bytearray()
    for m in modules:
        out += _mbcs(m.name) + b"\x00" + _utf16(m.name) + b"\x00\x00"
    return bytes(out + b"\x00\x00")


VBA_PROJECT_FROM_SOURCE = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001)


def vba_project_bin(modules: Sequence[Module]) -> bytes:
    """A complete ``vbaProject.bin`` for these modules (plus the ThisWorkbook document module).

    Everything derives from the sources, so the same sources give the same bytes.
    """
    allm = [Module(WORKBOOK_MODULE, WORKBOOK_SOURCE, "document"), *modules]
    names = [m.name.lower() for m in allm]
    if len(set(names)) != len(names):
        raise ValueError("duplicate module names")
    digest = hashlib.sha256(b"".join(m.name.encode() + b"\0" + m.source.encode("cp1252") for m in allm)).digest()
    project_id = "{" + str(uuid.UUID(bytes=digest[:16], version=4)).upper() + "}"
    version = (struct.unpack_from("<I", digest, 16)[0], 1)
    seed = digest[20]
    vba = Storage(
        "VBA",
        streams={
            "_VBA_PROJECT": VBA_PROJECT_FROM_SOURCE,
            "dir": compress(dir_stream(allm, version)),
            **{m.name: compress(m.source.encode("cp1252")) for m in allm},
        },
    )
    root = Storage(
        "Root Entry",
        streams={"PROJECT": project_stream(allm, project_id, seed), "PROJECTwm": projectwm_stream(allm)},
        storages=[vba],
    )
    return write_compound_file(root)
