"""The redaction check of the public editions (``*-summary``), run before anything is written.

``quality.md`` forbids exactly these in a public edition: phone numbers (Japanese forms such as
03-1234-5678, 0120-123-456, (03)1234-5678, 090-1234-5678, in any digit width), e-mail addresses, every
value of the name, vendor and room columns listed in ``FORBIDDEN_COLUMNS``, and サーバ室 next to a floor
(3階サーバ室, B1Fサーバ室). Ordinary words such as 1階窓口 stay allowed.

Every text that goes into a public edition is checked together with where it came from (an origin label
such as 「業務一覧.業務名 (T-0001)」); a hit stops the document with a Japanese message naming the text,
the field it was found in and, for a forbidden value, the column that value belongs to.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bcp_xl.docgen.registry import ICT, PRJ
from bcp_xl.docgen.render import Chart, DocumentStopped

# (workbook, sheet, internal column, label as the message names it)
FORBIDDEN_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    (PRJ, "体制", "name", "体制.氏名"),
    (PRJ, "会議", "attendees", "会議.出席者"),
    (PRJ, "課題", "owner", "課題.担当"),
    (PRJ, "リスク", "owner", "リスク.担当"),
    (PRJ, "セキュリティ点検", "checker", "セキュリティ点検.点検者"),
    (PRJ, "機密情報授受", "provider", "機密情報授受.提供者"),
    (PRJ, "機密情報授受", "receiver", "機密情報授受.受領者"),
    (PRJ, "機密情報授受", "verifier", "機密情報授受.確認者"),
    (ICT, "システム一覧", "vendor", "システム一覧.保守事業者"),
    (ICT, "システム一覧", "room", "システム一覧.設置室"),
)

_DASH = r"[-‐‑‒–—―−ｰー－ 　]"  # hyphens and dashes a clerk may type between digit groups (after NFKC)
_PHONE = re.compile(
    rf"""(?<![\d.,])(?:
        \+81{_DASH}?\(?\d{{1,4}}\)?{_DASH}?\d{{1,4}}{_DASH}\d{{3,4}}      # +81-3-1234-5678
      | \(0\d{{1,4}}\){_DASH}?\d{{1,4}}{_DASH}\d{{3,4}}                   # (03)1234-5678
      | 0\d{{1,4}}{_DASH}\d{{1,4}}{_DASH}\d{{3,4}}                         # 03-1234-5678, 0120-123-456
      | 0\d{{9,10}}                                                          # 0312345678
    )(?![\d])""",
    re.VERBOSE,
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_SERVER_ROOM = re.compile(
    r"(?:(?:地下|B)\s*\d+\s*(?:階|F)|\d+\s*(?:階|F)|[一二三四五六七八九十]+階|地下[一二三四五六七八九十]+階)"
    r"\s*(?:の)?\s*サーバー?室"
)


def normalise(text: str) -> str:
    """NFKC: full-width digits, letters, @ and parentheses become their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def _digits(match: str) -> int:
    return sum(ch.isdigit() for ch in match)


@dataclass(frozen=True)
class Hit:
    """A forbidden item found in a public text."""

    found: str  # the forbidden piece as it appears (normalised)
    kind: str  # 電話番号 / メールアドレス / サーバ室の所在 / the column label of a forbidden value


def pattern_hits(text: str) -> list[Hit]:
    """Phone numbers, e-mail addresses and サーバ室 with a floor in ``text`` (any width)."""
    norm = normalise(text)
    hits: list[Hit] = []
    for m in _PHONE.finditer(norm):
        if 10 <= _digits(m.group(0).replace("+81", "0")) <= 11:
            hits.append(Hit(m.group(0), "電話番号"))
    hits.extend(Hit(m.group(0), "メールアドレス") for m in _EMAIL.finditer(norm))
    hits.extend(Hit(m.group(0), "サーバ室の所在(階)") for m in _SERVER_ROOM.finditer(norm))
    return hits


def _values(cell: Any) -> list[str]:
    if isinstance(cell, list | tuple):
        return [str(v).strip() for v in cell if str(v).strip()]
    text = "" if cell is None else str(cell).strip()
    if not text or text.lower() == "nan":
        return []
    parts = [p.strip() for p in re.split(r"[、,，;；\n]", text)]
    return [text, *[p for p in parts if p and p != text]]


def forbidden_values(data: Any) -> dict[str, str]:
    """Every value of the forbidden columns (normalised) with the column it came from."""
    out: dict[str, str] = {}
    for workbook, sheet, column, label in FORBIDDEN_COLUMNS:
        if not data.has(workbook):
            continue
        frame = data.inputs(workbook, sheet)
        if frame is None or frame.empty or column not in frame.columns:
            continue
        for cell in frame[column].tolist():
            for value in _values(cell):
                out.setdefault(normalise(value), label)
    return out


class Redactor:
    """Finds the forbidden items of ``quality.md`` in texts; one compiled pattern for all values."""

    def __init__(self, forbidden: Mapping[str, str]) -> None:
        self.forbidden = dict(forbidden)
        names = sorted((v for v in self.forbidden if v), key=lambda v: (-len(v), v))
        self._values = re.compile("|".join(re.escape(v) for v in names)) if names else None

    def hits(self, text: str) -> list[Hit]:
        found = pattern_hits(text)
        if self._values is not None:
            found.extend(Hit(m.group(0), self.forbidden[m.group(0)]) for m in self._values.finditer(normalise(text)))
        return found

    def check(self, items: Iterable[tuple[str, str]], document: str) -> None:
        """Stop ``document`` at the first text (with its origin) that holds a forbidden item."""
        for text, origin in items:
            found = self.hits(text)
            if not found:
                continue
            hit = found[0]
            excerpt = text if len(text) <= 60 else text[:57] + "…"
            if hit.kind in ("電話番号", "メールアドレス", "サーバ室の所在(階)"):
                what = f"{hit.kind}「{hit.found}」"
            else:
                what = f"「{hit.found}」({hit.kind} の値)"
            raise DocumentStopped(
                f"{document}: 公開用の概要版に載せられない{what}が、{origin} の「{excerpt}」に含まれています。"
                "概要版は作成しませんでした。元の欄の記載を見直してから、もう一度作成してください。"
            )


def walk(value: Any, path: str, origins: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    """Every text inside a context value, with its recorded origin (else its place in the context)."""
    if isinstance(value, str):
        if value:
            yield value, origins.get(value, f"概要版の項目 {path}")
    elif isinstance(value, Chart):
        yield value.alt, origins.get(value.alt, f"図の代替テキスト {path}")
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from walk(v, f"{path}.{k}" if path else str(k), origins)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from walk(v, f"{path}[{i}]", origins)
