"""The redaction rule of the public editions (quality.md): each forbidden form, and what stays allowed."""

from __future__ import annotations

import pandas as pd
import pytest

from bcp_xl.docgen.redaction import Redactor, forbidden_values, pattern_hits, walk
from bcp_xl.docgen.registry import ICT, PRJ
from bcp_xl.docgen.render import Chart, DocgenError


def kinds(text: str) -> list[str]:
    return [h.kind for h in pattern_hits(text)]


@pytest.mark.parametrize(
    "text",
    [
        "問合せ 03-1234-5678 まで",
        "フリーダイヤル0120-123-456",
        "代表(03)1234-5678",
        "携帯 090-1234-5678",
        "全角 ０３－１２３４－５６７８",
        "全角括弧 （０３）１２３４－５６７８",
        "全角携帯 ０９０ー１２３４ー５６７８",
        "区切りなし 0312345678",
        "国際 +81-3-1234-5678",
        "市外局番4桁 0422-12-3456",
    ],
)
def test_phone_numbers_in_every_form_and_width(text: str) -> None:
    assert "電話番号" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "2026-04-01 に開始",
        "1,500件のうち373件",
        "発災直後・継続 8件、3時間 36件",
        "T-0001 の業務",
        "令和8年4月1日",
        "SYS-001 と SYS-002",
        "3時間 0件、1日 12件",
    ],
)
def test_numbers_that_are_not_phone_numbers(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize("text", ["連絡は bcp-team@city.example.jp へ", "ｂｃｐ＠ｃｉｔｙ．ｅｘａｍｐｌｅ．ｊｐ"])
def test_email_addresses(text: str) -> None:
    assert kinds(text) == ["メールアドレス"]


@pytest.mark.parametrize(
    "text", ["3階サーバ室", "B1Fサーバ室", "地下1階サーバー室", "４階サーバ室", "本庁舎6F サーバ室", "三階サーバ室"]
)
def test_server_room_next_to_a_floor(text: str) -> None:
    assert kinds(text) == ["サーバ室の所在(階)"]


@pytest.mark.parametrize(
    "text", ["1階窓口", "2階の区民課窓口", "サーバ室UPSの更新・増強", "庁舎火災(サーバ室)", "3階会議室"]
)
def test_ordinary_words_stay_allowed(text: str) -> None:
    assert kinds(text) == []


class FakeData:
    """Just what forbidden_values reads: which workbooks exist and their input rows."""

    def __init__(self, frames: dict[tuple[str, str], pd.DataFrame]) -> None:
        self.frames = frames

    def has(self, workbook: str) -> bool:
        return any(w == workbook for w, _ in self.frames)

    def inputs(self, workbook: str, sheet: str) -> pd.DataFrame:
        return self.frames.get((workbook, sheet), pd.DataFrame())


def sample_index() -> dict[str, str]:
    return forbidden_values(
        FakeData(
            {
                (PRJ, "体制"): pd.DataFrame({"name": ["山田太郎"]}),
                (PRJ, "会議"): pd.DataFrame({"attendees": [("区担当A", "受託者PM")]}),
                (PRJ, "課題"): pd.DataFrame({"owner": ["課題担当者"]}),
                (PRJ, "リスク"): pd.DataFrame({"owner": ["リスク担当者"]}),
                (PRJ, "セキュリティ点検"): pd.DataFrame({"checker": ["点検者X"]}),
                (PRJ, "機密情報授受"): pd.DataFrame(
                    {"provider": ["提供者P"], "receiver": ["受領者R"], "verifier": [None]}
                ),
                (ICT, "システム一覧"): pd.DataFrame(
                    {"vendor": ["保守事業者A", None], "room": ["電算室", "執務室(窓口)"]}
                ),
            }
        )
    )


def test_index_names_the_column_of_every_value() -> None:
    index = sample_index()
    assert index["山田太郎"] == "体制.氏名"
    assert index["区担当A"] == "会議.出席者"
    assert index["受託者PM"] == "会議.出席者"
    assert index["課題担当者"] == "課題.担当"
    assert index["リスク担当者"] == "リスク.担当"
    assert index["点検者X"] == "セキュリティ点検.点検者"
    assert index["提供者P"] == "機密情報授受.提供者"
    assert index["受領者R"] == "機密情報授受.受領者"
    assert index["保守事業者A"] == "システム一覧.保守事業者"
    assert index["電算室"] == "システム一覧.設置室"
    assert "None" not in index and "" not in index


def test_a_room_name_stops_the_document_naming_text_and_columns() -> None:
    red = Redactor(sample_index())
    with pytest.raises(DocgenError) as exc:
        red.check([("端末は電算室に置きます", "業務一覧.必要施設・資源 (T-0009)")], "ict-summary")
    msg = str(exc.value)
    assert "電算室" in msg and "システム一覧.設置室" in msg and "業務一覧.必要施設・資源 (T-0009)" in msg
    assert "端末は電算室に置きます" in msg


def test_a_vendor_in_full_width_is_found() -> None:
    red = Redactor(sample_index())
    assert [h.kind for h in red.hits("保守事業者Ａに連絡")] == ["システム一覧.保守事業者"]


def test_a_phone_number_message_names_the_source_field() -> None:
    red = Redactor({})
    with pytest.raises(DocgenError) as exc:
        red.check(
            [("住民票の交付", "業務一覧.業務名 (T-0002)"), ("問合せ 03-1234-5678", "業務一覧.業務名 (T-0001)")], "x"
        )
    msg = str(exc.value)
    assert "電話番号「03-1234-5678」" in msg and "業務一覧.業務名 (T-0001)" in msg


def test_clean_texts_pass() -> None:
    Redactor(sample_index()).check([("1階窓口で受付します", "a"), ("住民票の写しの交付", "b")], "x")


def test_walk_reaches_nested_texts_and_chart_alt_texts() -> None:
    ctx = {"a": [{"b": "住民票"}], "chart": Chart(b"", "図(3時間 36件)"), "n": 3}
    found = dict(walk(ctx, "", {"住民票": "業務一覧.業務名 (T-0001)"}))
    assert found["住民票"] == "業務一覧.業務名 (T-0001)"
    assert found["図(3時間 36件)"].startswith("図の代替テキスト")
