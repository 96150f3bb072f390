"""The ``bcp-xl`` command: argument handling, one api call, rendering. No logic lives here.

Exit codes (cli.md): 0 done (warnings may have been printed), 1 data errors or a file that could not
be read or written, 2 wrong usage (click).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
import traceback
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from bcp_xl import __version__
from bcp_xl.errors import SEVERITY_LABEL, BcpXlError, ValidationReport, WorkbookFileError

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _parse_date(value: str) -> dt.date:
    from bcp_xl.workbook.normalize import parse_date

    p = parse_date(value)
    if p.is_error or not isinstance(p.value, dt.date) or p.code == "date-as-number":
        raise click.BadParameter(f"日付として読めません: {value}(例: 2026-04-01、令和8年4月1日)")
    return p.value


class DateType(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return _parse_date(str(value))
        except click.BadParameter as exc:
            self.fail(exc.message, param, ctx)


DATE = DateType()


def handle_errors(fn: F) -> F:
    """Turn the library's errors into a Japanese message and exit code 1; tracebacks only with --debug."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            return fn(*args, **kwargs)
        except WorkbookFileError as err:
            click.echo(f"エラー [{err.issue.code}] {err.issue.message}", err=True)
            ctx.exit(1)
        except BcpXlError as err:
            click.echo(f"エラー: {err}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException):
            raise
        except BrokenPipeError:
            # the reader of our output went away (e.g. `| head`): nothing left to say
            sys.stderr.close()
            ctx.exit(1)
        except Exception:
            if (ctx.find_root().obj or {}).get("debug"):
                traceback.print_exc()
            else:
                click.echo(
                    "内部エラーが発生しました。--debug を付けて再実行し、表示内容を担当者に伝えてください。", err=True
                )
            ctx.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="bcp-xl")
@click.option("--debug", is_flag=True, help="内部エラーのときトレースバックを表示します(開発者向け)。")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """区の業務継続計画(BCP)・ICT-BCP のマスタブックを検証・計算し、文書を作成します。

    \b
    例:
      bcp-xl validate workbooks/
      bcp-xl build workbooks/ --out out/
    """
    ctx.obj = {"debug": debug}


def print_report(report: ValidationReport, as_json: bool) -> None:
    """The validation table (ブック / シート / セル / コード / メッセージ), errors first, with a count line."""
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    issues = report.sorted()
    counts = f"エラー {report.count('error')} 件、警告 {report.count('warning')} 件、情報 {report.count('info')} 件"
    if not issues:
        click.echo(f"問題は見つかりませんでした。({counts})")
        return
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(show_lines=False)
        for h in ("重大度", "ブック", "シート", "セル", "コード", "メッセージ"):
            table.add_column(h, overflow="fold")
        for i in issues:
            table.add_row(
                SEVERITY_LABEL[i.severity], i.where.workbook, i.where.sheet or "", i.where.ref or "", i.code, i.message
            )
        Console().print(table)
    else:
        click.echo("重大度\tブック\tシート\tセル\tコード\tメッセージ")
        for i in issues:
            click.echo(
                "\t".join(
                    [
                        SEVERITY_LABEL[i.severity],
                        i.where.workbook,
                        i.where.sheet or "",
                        i.where.ref or "",
                        i.code,
                        i.message,
                    ]
                )
            )
    click.echo(counts)


AS_OF_OPTION = click.option("--as-of", "as_of", type=DATE, help="基準日(設定の as_of_date より優先)。")
DIR_ARG = click.argument(
    "folder", metavar="DIR", required=False, default="workbooks", type=click.Path(file_okay=False, path_type=Path)
)


@cli.command()
@DIR_ARG
@click.option("--json", "as_json", is_flag=True, help="結果を JSON で標準出力に出します。")
@handle_errors
def validate(folder: Path, as_json: bool) -> None:
    """マスタブックを検証し、問題をセル単位で一覧表示します(ファイルは変更しません)。

    \b
    例:
      bcp-xl validate workbooks/
      bcp-xl validate workbooks/ --json > result.json
    """
    from bcp_xl import api

    masters = api.validate(folder)
    print_report(masters.report, as_json)
    if not masters.report.ok:
        click.get_current_context().exit(1)


@cli.command()
@DIR_ARG
@click.option(
    "--out",
    "out",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="結果を書き込んだブックの出力先フォルダ。",
)
@click.option(
    "--in-place", "in_place", is_flag=True, help="マスタブック自体の 計算_ シートを更新します(先にバックアップ)。"
)
@AS_OF_OPTION
@handle_errors
def compute(folder: Path, out: Path, in_place: bool, as_of: dt.date | None) -> None:
    """検証したうえで計算し、計算_ シート(計算結果)を書き込みます。

    既定では out/ にブックの写しを作ります。--in-place ではマスタブックを直接更新します
    (DIR/.backup/ にバックアップを作成し、Excel で開いているブックには書き込みません)。

    \b
    例:
      bcp-xl compute workbooks/ --out out/
      bcp-xl compute workbooks/ --in-place
    """
    from bcp_xl import api

    argv = [str(folder), "--in-place"] if in_place else [str(folder), "--out", str(out)]
    result = api.compute(folder, None if in_place else out, in_place, as_of, argv)
    print_report(result.report, False)
    for p in result.outputs:
        click.echo(f"書き込みました: {p}")
    if not result.report.ok:
        click.get_current_context().exit(1)


@cli.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--municipality", metavar="NAME", help="自治体名(設定の municipality_name に入ります)。")
@click.option("--force", is_flag=True, help="既存のブックを上書きします。")
@handle_errors
def init(folder: Path, municipality: str | None, force: bool) -> None:
    """空のマスタブック4冊(入力規則・ドロップダウン・見出し付き)を作成します。

    \b
    例:
      bcp-xl init masters/ --municipality 目黒区
    """
    from bcp_xl import api

    for p in api.init(folder, municipality, force):
        click.echo(f"作成しました: {p}")


@cli.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--scale",
    default="meguro",
    show_default=True,
    metavar="meguro|large|N",
    help="規模: meguro(約1,500業務)、large(約20,000業務)、または業務数 N。",
)
@click.option("--seed", default=1, show_default=True, type=int, help="乱数の種(同じ種なら同じブック)。")
@handle_errors
def sample(folder: Path, scale: str, seed: int) -> None:
    """架空の区(目黒区・サンプルデータ)のマスタブック4冊を作成します。

    \b
    例:
      bcp-xl sample workbooks/ --scale meguro --seed 1
      bcp-xl sample /tmp/large --scale large
    """
    if scale not in ("meguro", "large") and not (scale.isdigit() and int(scale) > 0):
        raise click.BadParameter("meguro、large または正の整数を指定してください。", param_hint="--scale")
    from bcp_xl.sample import write_sample

    for p in write_sample(folder, scale, seed):
        click.echo(f"作成しました: {p}")


OUT_OPTION = click.option(
    "--out",
    "out",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="出力先フォルダ。",
)
PDF_OPTION = click.option("--pdf", is_flag=True, help="PDF も作成します(LibreOffice が必要。目次を更新してから変換)。")
ALLOW_ERRORS_OPTION = click.option(
    "--allow-errors", is_flag=True, help="検証エラーがあっても文書を作成します(表紙とヘッダーに「暫定版」と表示)。"
)


@contextlib.contextmanager
def progress_bar() -> Iterator[Callable[[int, int, str], None]]:
    """A rich progress bar on a terminal; plain lines (one per document) anywhere else."""
    if not sys.stderr.isatty():

        def plain(done: int, total: int, label: str) -> None:
            if done and label:  # one line per document made
                click.echo(f"[{done}/{total}] {label}", err=True)

        yield plain
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("文書作成"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("", total=None)

        def fancy(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=label)

        yield fancy


def print_documents(run: Any) -> None:
    """What a generate/build run wrote and what it did not (and why)."""
    docs = run.documents
    for path in [*docs.outputs, *docs.pdfs]:
        click.echo(f"作成しました: {path}")
    for key, reason in docs.skipped:
        click.echo(f"お知らせ: 文書 {key} は{reason}。", err=True)
    for key, reason in docs.held:
        click.echo(f"作成しませんでした: 文書 {key} は{reason}(--allow-errors で暫定版を作成できます)。", err=True)
    for _key, message in docs.stopped:
        click.echo(f"作成しませんでした: {message}", err=True)
    for note in docs.notes:
        click.echo(f"お知らせ: {note}", err=True)
    if docs.provisional:
        click.echo(f"暫定版として作成: {'、'.join(docs.provisional)}", err=True)


@cli.command()
@DIR_ARG
@OUT_OPTION
@click.option(
    "--only",
    "only",
    metavar="NAMES",
    help="作成する文書キー(カンマ区切り)。例: bcp,bcp-actions,priority-list",
)
@PDF_OPTION
@click.option(
    "--templates",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="編集したテンプレート(.docx)のフォルダ。",
)
@AS_OF_OPTION
@ALLOW_ERRORS_OPTION
@handle_errors
def generate(
    folder: Path,
    out: Path,
    only: str | None,
    pdf: bool,
    templates: Path | None,
    as_of: dt.date | None,
    allow_errors: bool,
) -> None:
    """計画書などの文書をテンプレートから作成します(documents.md の全文書)。

    文書キー: bcp, bcp-summary, bcp-actions, bcp-training, ict, ict-summary, ict-actions,
    ict-operations, ict-training, exercise-kit, priority-list, system-list, project-plan,
    project-report, minutes, pubcomment-result

    \b
    例:
      bcp-xl generate workbooks/ --out out/ --only bcp,priority-list --pdf
    """
    from bcp_xl import api

    keys = [k.strip() for k in only.split(",") if k.strip()] if only else None
    argv = [str(folder), "--out", str(out), *(["--only", only] if only else []), *(["--pdf"] if pdf else [])]
    with progress_bar() as progress:
        run = api.generate(
            folder,
            out,
            only=keys,
            templates=templates,
            pdf=pdf,
            as_of=as_of,
            allow_errors=allow_errors,
            progress=progress,
            argv=argv,
        )
    print_report(run.report, False)
    print_documents(run)
    if not run.report.ok or run.documents.stopped:
        click.get_current_context().exit(1)


@cli.command()
@DIR_ARG
@OUT_OPTION
@PDF_OPTION
@AS_OF_OPTION
@ALLOW_ERRORS_OPTION
@handle_errors
def build(folder: Path, out: Path, pdf: bool, as_of: dt.date | None, allow_errors: bool) -> None:
    """主処理: 検証・計算・全文書の作成を一括で行い、manifest.json を書きます。

    計算結果付きのマスタブックの写し、documents.md の全文書、manifest.json(各ファイルの SHA-256、
    ツールの版、実行時刻)を出力先に書きます。検証エラーのあるブックから作る文書は作成しません
    (--allow-errors で暫定版を作成)。

    \b
    例:
      bcp-xl build workbooks/ --out out/
      bcp-xl build workbooks/ --out out/ --pdf
    """
    from bcp_xl import api

    argv = [str(folder), "--out", str(out), *(["--pdf"] if pdf else [])]
    with progress_bar() as progress:
        result = api.build(folder, out, as_of, allow_errors, argv, pdf=pdf, progress=progress)
    print_report(result.report, False)
    print_documents(result)
    click.echo(f"manifest: {result.manifest}")
    if not result.report.ok or result.documents.stopped:
        click.get_current_context().exit(1)


@cli.group()
def calendar() -> None:
    """区の開庁日カレンダー(土日・祝日・年末年始・区の休日追加を除く)。"""


def _calendar_for(folder: Path | None) -> Any:
    from bcp_xl.compute.calendar import WardCalendar

    if folder is None:
        return WardCalendar()
    from bcp_xl import api

    return WardCalendar(api.validate(folder).extra_holidays())


@calendar.command("add-business-days")
@click.argument("date", type=DATE)
@click.argument("n", type=click.IntRange(min=1))
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="このフォルダのブックの ■区の休日追加 も休日とします。",
)
@handle_errors
def add_business_days(date: dt.date, n: int, folder: Path | None) -> None:
    """DATE の N 開庁日後の日付を表示します(DATE 自身は数えません)。

    \b
    例:
      bcp-xl calendar add-business-days 2026-12-25 5   # → 2027-01-07
    """
    click.echo(_calendar_for(folder).add_business_days(date, n).isoformat())


@calendar.command("is-open")
@click.argument("date", type=DATE)
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="このフォルダのブックの ■区の休日追加 も休日とします。",
)
@handle_errors
def is_open(date: dt.date, folder: Path | None) -> None:
    """DATE が開庁日なら「開庁日」、休日なら「休日」と理由を表示します。

    \b
    例:
      bcp-xl calendar is-open 2026-05-06   # → 休日(振替休日)
    """
    reason = _calendar_for(folder).closed_reason(date)
    click.echo("開庁日" if reason is None else f"休日({reason})")


@cli.group()
def survey() -> None:
    """業務調査票: 課ごとの業務一覧を配布し(split)、回収した調査票をマスタに取り込みます(merge)。

    \b
    例:
      bcp-xl survey split workbooks/ surveys/
      bcp-xl survey merge workbooks/ surveys/業務調査票_*.xlsx
    """


@survey.command("split")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("out", metavar="OUT", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="OUT にある同名の調査票を上書きします。")
@handle_errors
def survey_split(folder: Path, out: Path, force: bool) -> None:
    """課ごとの業務調査票(業務調査票_<組織ID>_<課名>.xlsx)を OUT に作成します。

    各調査票には、その課と係の業務一覧の行、マスタと同じドロップダウンと入力メッセージが入ります。

    \b
    例:
      bcp-xl survey split workbooks/ surveys/
    """
    from bcp_xl import survey as survey_api

    argv = [str(folder), str(out), *(["--force"] if force else [])]
    paths = survey_api.split(folder, out, force=force, argv=argv)
    for p in paths:
        click.echo(f"作成しました: {p}")
    click.echo(f"{len(paths)} 課の調査票を作成しました。")


@survey.command("merge")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument(
    "returned",
    metavar="RETURNED...",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="取込結果(追加・変更・削除と問題の一覧)を .xlsx で書き出します。",
)
@handle_errors
def survey_merge(folder: Path, returned: tuple[Path, ...], report_file: Path | None) -> None:
    """回収した業務調査票を検証し、bcp_master の業務一覧に取り込みます(バックアップを作成してから上書き)。

    課の行は調査票の内容に置き換わります。エラーのある調査票は取り込まず、終了コード 1 になります。
    変更がなければ何も書き込みません。

    \b
    例:
      bcp-xl survey merge workbooks/ surveys/業務調査票_*.xlsx
      bcp-xl survey merge workbooks/ 返送/*.xlsx --report 取込結果.xlsx
    """
    from bcp_xl import survey as survey_api

    argv = [str(folder), *map(str, returned), *(["--report", str(report_file)] if report_file else [])]
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    result = survey_api.merge(folder, returned, stamp=stamp, argv=argv)
    print_report(result.report, False)
    rows = result.table()
    if rows:
        click.echo("\t".join(("組織ID", "課名", "調査票", "区分", "業務ID", "セル", "列名", "変更前", "変更後")))
        for row in rows:
            click.echo("\t".join(row))
    click.echo(result.summary())
    if result.written:
        click.echo(f"{result.master.name} の業務一覧を更新しました(バックアップ: {result.backup})")
    else:
        click.echo(f"{result.master.name} は変更していません。")
    if report_file is not None:
        click.echo(f"取込結果: {survey_api.write_merge_report(result, report_file, returned)}")
    if not result.ok:
        click.get_current_context().exit(1)


@cli.command()
@click.argument("files", metavar="FILES...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--password-env",
    "password_env",
    metavar="VAR",
    help="パスワードを入れた環境変数の名前。省略すると画面で入力を求めます(表示されません・確認のため2回)。",
)
@handle_errors
def encrypt(files: tuple[Path, ...], password_env: str | None) -> None:
    """.xlsx・.docx ファイルをパスワードで保護(暗号化)します。機密資料を送るときに使います。

    元のファイルは変更せず、同じフォルダに「<名前>_暗号化.xlsx」などの写しを作ります。
    送付するのはこの _暗号化 のファイルです。もう一度実行すると作り直します。

    パスワードはコマンドラインには書けません。--password-env で環境変数の名前を指定するか、画面で入力します。
    パスワードはファイルとは別の手段(電話など)で相手に伝えてください。

    \b
    例:
      bcp-xl encrypt out/優先業務一覧.xlsx --password-env BCP_PASSWORD
      bcp-xl encrypt out/優先業務一覧.xlsx out/BCP本編.docx
    """
    from bcp_xl import encrypt as enc

    enc.check_inputs(files)  # refuse bad files before asking for a password
    if password_env:
        password = enc.password_from_env(password_env)
    else:
        password = click.prompt(
            "パスワード", hide_input=True, confirmation_prompt="パスワード(確認のためもう一度)", type=str
        )
    argv = [*map(str, files), *(["--password-env", password_env] if password_env else [])]
    for p in enc.encrypt_files(files, password, argv=argv):
        click.echo(f"暗号化しました: {p}")
    click.echo("元のファイルは変更していません。パスワードはファイルとは別の手段で伝えてください。")


@cli.command("diff")
@click.argument("old", metavar="OLD", type=click.Path(path_type=Path))
@click.argument("new", metavar="NEW", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="新旧対照表の出力先(.xlsx は一覧表、.docx は 新/旧 の2列の対照表)。省略すると画面に表示します。",
)
@handle_errors
def diff_command(old: Path, new: Path, out: Path | None) -> None:
    """新旧対照表: 2つの版のマスタブック(.xlsx)または文書(.docx)を比べ、違いを示します。

    マスタブックはシートごとに、ID で対応づけた行の追加・削除・変更(セル単位)を示します
    (行の並べ替えは変更になりません。計算_ シートと 検証結果 は比べません)。
    文書は段落ごとに比べ、変わった段落を新旧並べて、変わった文字に印を付けます。

    \b
    例:
      bcp-xl diff 旧/bcp_master.xlsx bcp_master.xlsx
      bcp-xl diff 旧/bcp_master.xlsx bcp_master.xlsx --out 新旧対照表.xlsx
      bcp-xl diff 旧/BCP本編.docx out/BCP本編.docx --out 新旧対照表.docx
    """
    from bcp_xl import api
    from bcp_xl.diff import OUTPUT_SUFFIXES

    if out is not None and out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise click.BadParameter("出力ファイルの拡張子は .xlsx か .docx にしてください。", param_hint="--out")
    argv = [str(old), str(new), *(["--out", str(out)] if out is not None else [])]
    result = api.diff(old, new, out, argv)
    if out is None:
        for line in result.summary():
            click.echo(line)
        return
    n = result.counts()
    counts = f"追加 {n['追加']} 件、削除 {n['削除']} 件、変更 {n['変更']} 件"
    click.echo("差異はありません。" if result.empty else counts)
    click.echo(f"新旧対照表を書き出しました: {out}")


@cli.group()
def xlsm() -> None:
    """リボン(BCP タブ)付きのマスタブック(.xlsm)を作ります。"""


@xlsm.command("build")
@DIR_ARG
@click.option(
    "--out",
    "out",
    default="out/xlsm",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help=".xlsm の出力先フォルダ(入力フォルダとは別にしてください)。",
)
@handle_errors
def xlsm_build(folder: Path, out: Path) -> None:
    """マスタブックから、リボン(検証・再計算・文書生成・表示クリア)付きの .xlsm を作ります。

    VBA(macros/*.bas)とリボンの定義(macros/customUI.xml)、インストール済みの xlwings の
    VBA モジュールを組み込みます。元のマスタブックは変更しません。出力先のフォルダの .xlsm を
    マスタブックとして使ってください(初回の設定は README の「Excel のリボン」を参照)。

    \b
    例:
      bcp-xl xlsm build workbooks/ --out masters/
    """
    from bcp_xl.xlsm import build_xlsm

    result = build_xlsm(folder, out, argv=[str(folder), "--out", str(out)])
    for p in result.outputs:
        click.echo(f"作成しました: {p}")
    click.echo(f"VBA モジュール: {'、'.join(result.modules)}(xlwings {result.xlwings_version})")


def main() -> None:
    cli(prog_name="bcp-xl")


if __name__ == "__main__":
    main()
