from pathlib import Path

from conftest import codes


def test_valid_masters_have_no_issue(masters: Path) -> None:
    assert codes(masters, ("error", "warning", "info")) == set()
