"""The committed sample workbooks: valid, and exactly what `bcp-xl sample --scale meguro --seed 1` writes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from click.testing import CliRunner

from bcp_xl.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def test_committed_workbooks_validate_with_no_error() -> None:
    result = CliRunner().invoke(cli, ["validate", str(ROOT / "workbooks")])
    assert result.exit_code == 0, result.output
    # notes (情報) are allowed: e.g. residual risks the selected countermeasures resolve
    assert re.search(r"エラー 0 件、警告 0 件、情報 \d+ 件", result.output.strip().splitlines()[-1])


def test_committed_workbooks_are_the_meguro_sample(tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["sample", str(tmp_path), "--scale", "meguro", "--seed", "1"]).exit_code == 0
    for name in ("bcp_master.xlsx", "ict_master.xlsx", "project_master.xlsx", "pubcomment.xlsx"):
        made = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        committed = hashlib.sha256((ROOT / "workbooks" / name).read_bytes()).hexdigest()
        assert made == committed, f"{name}: run `make sample` and commit workbooks/"
