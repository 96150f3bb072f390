"""The documents of ``documents.md``: key, file name, feeding workbooks and the function that makes them.

Decision (``documents.md`` "Which workbooks feed which documents"): a document is fed by the workbooks it
needs (``needs``: without them it is not produced) and by those it prints from when they are present
(``optional``: the 改定履歴 from project_master, the six-element checks from ict_master). A data error in
any feeding workbook that is present holds the document back unless ``--allow-errors``.
"""

from __future__ import annotations

from dataclasses import dataclass

BCP = "bcp_master"
ICT = "ict_master"
PRJ = "project_master"
PUB = "pubcomment"


@dataclass(frozen=True)
class DocSpec:
    """One document key of ``documents.md``."""

    key: str
    title: str  # the document's own title on the cover (after the plan name)
    file: str  # file name; ``{m}`` is the municipality name
    needs: tuple[str, ...]
    optional: tuple[str, ...] = ()
    kind: str = "docx"  # docx | xlsx | many (one file per item) | html (with a .docx twin)
    maker: str = ""  # "module:function" in bcp_xl.docgen, imported when the document is made
    plan: str = "bcp"  # whose settings name the plan: bcp | ict | project | pubcomment

    @property
    def feeds(self) -> tuple[str, ...]:
        return self.needs + self.optional


DOCUMENTS: tuple[DocSpec, ...] = (
    DocSpec("bcp", "計画書", "{m}業務継続計画書.docx", (BCP,), (ICT, PRJ), maker="bcp_docs:bcp_plan"),
    DocSpec(
        "bcp-summary",
        "概要版",
        "{m}業務継続計画_概要版.docx",
        (BCP,),
        (PRJ,),
        kind="html",
        maker="summary:bcp_summary",
    ),
    DocSpec(
        "bcp-actions", "行動計画書", "{m}業務継続計画_行動計画書.docx", (BCP,), (PRJ,), maker="actions:bcp_actions"
    ),
    DocSpec("bcp-training", "訓練計画", "{m}業務継続計画_訓練計画.docx", (BCP,), (PRJ,), maker="training:bcp_training"),
    DocSpec(
        "priority-list",
        "非常時優先業務一覧",
        "非常時優先業務一覧.xlsx",
        (BCP,),
        kind="xlsx",
        maker="annex:priority_list",
    ),
    DocSpec("ict", "計画書", "{m}ICT業務継続計画書.docx", (ICT, BCP), (PRJ,), plan="ict", maker="ict_docs:ict_plan"),
    DocSpec(
        "ict-summary",
        "概要版",
        "{m}ICT業務継続計画_概要版.docx",
        (ICT, BCP),
        (PRJ,),
        kind="html",
        plan="ict",
        maker="summary:ict_summary",
    ),
    DocSpec(
        "ict-actions",
        "行動計画書",
        "{m}ICT業務継続計画_行動計画書.docx",
        (ICT, BCP),
        (PRJ,),
        plan="ict",
        maker="actions:ict_actions",
    ),
    DocSpec(
        "ict-operations",
        "運用手順書",
        "{m}ICT業務継続計画_運用手順書.docx",
        (ICT, BCP),
        (PRJ,),
        plan="ict",
        maker="ict_docs:ict_operations",
    ),
    DocSpec(
        "ict-training",
        "訓練計画",
        "{m}ICT業務継続計画_訓練計画.docx",
        (ICT, BCP),
        (PRJ,),
        plan="ict",
        maker="training:ict_training",
    ),
    DocSpec(
        "exercise-kit",
        "訓練状況付与",
        "訓練状況付与_{id}.docx",
        (ICT, BCP),
        kind="many",
        maker="exercise:exercise_kits",
    ),
    DocSpec(
        "system-list",
        "優先システム一覧",
        "優先システム一覧.xlsx",
        (ICT, BCP),
        kind="xlsx",
        plan="ict",
        maker="annex:system_list",
    ),
    DocSpec(
        "project-plan",
        "プロジェクト計画書",
        "プロジェクト計画書.docx",
        (PRJ,),
        plan="project",
        maker="project_docs:project_plan",
    ),
    DocSpec(
        "project-report",
        "プロジェクト進捗報告",
        "プロジェクト進捗報告.docx",
        (PRJ,),
        plan="project",
        maker="project_docs:project_report",
    ),
    DocSpec("minutes", "議事録", "議事録_{id}.docx", (PRJ,), kind="many", plan="project", maker="project_docs:minutes"),
    DocSpec(
        "pubcomment-result",
        "意見募集結果",
        "意見募集結果.docx",
        (PUB,),
        plan="pubcomment",
        maker="pubcomment_docs:result",
    ),
)

BY_KEY: dict[str, DocSpec] = {d.key: d for d in DOCUMENTS}
KEYS: tuple[str, ...] = tuple(d.key for d in DOCUMENTS)


def documents_fed_by(workbook_kind: str) -> list[str]:
    """The document keys that a workbook feeds (for the ribbon's 文書生成 button)."""
    return [d.key for d in DOCUMENTS if workbook_kind in d.feeds]
