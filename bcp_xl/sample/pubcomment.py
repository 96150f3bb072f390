"""pubcomment: one consultation on the revised BCP and the new ICT-BCP and the opinions received.

The opinions are written for this sample; submitters are categories, never people.
"""

from __future__ import annotations

import datetime as dt

from bcp_xl.sample.context import Row, World
from bcp_xl.sample.project import consultation_dates

# fmt: off
PLAN_NAME = "目黒区業務継続計画(改定案)及び目黒区ICT業務継続計画(案)"
CHANNELS = ("持参", "郵送", "FAX", "電子メール", "電子申請")

# 該当箇所, 意見原文, 意見の概要, 区の考え方, 反映区分, 修正内容
OPINIONS = (
    ("第1章3節(p.4)", "計画の対象に区立保育園や学校の業務が含まれるのか分かりにくいです。対象範囲を明記してほしい。",
     "計画の対象範囲を明確にしてほしい。", "区の全ての組織の業務を対象としています。対象範囲の記載を補います。", "A",
     "第1章3節に「区立施設を所管する課の業務を含む」旨を追記"),
    ("第2章1節(p.8)", "被害想定が冬の夕方だけなのはなぜですか。平日の昼間に起きた場合の想定も必要だと思います。",
     "勤務時間内に発災した場合の想定も必要ではないか。", "勤務時間内の発災も想定に含めており、第2章2節に記載しています。", "B", None),
    ("第2章2節(p.10)", "停電が1週間続くという前提は厳しすぎるのではないか。", "停電1週間の前提は厳しすぎないか。",
     "東京都の被害想定を踏まえ、最も厳しい条件で備える考え方をとっています。", "D", None),
    ("第3章1節(p.14)", "職員が参集できる人数の見込みが示されているが、家族の安否確認で遅れる職員のことも考えてほしい。",
     "家族の安否確認による参集の遅れを考慮してほしい。", "参集予測に家族等への対応による不参集を見込む設定を設けました。", "A",
     "第3章1節の参集予測の説明に家族等対応率の考え方を追記"),
    ("第3章2節(p.16)", "区長が不在のときに誰が判断するのかが分かるようにしてほしい。", "区長不在時の代行順位を明確にしてほしい。",
     "職務代行の順位を第5章に定めています。", "B", None),
    ("第3章3節(p.18)", "非常用発電機が48時間しかもたないのは不安です。燃料の確保をどうするのか。", "非常用発電機の燃料確保策を示してほしい。",
     "燃料の優先供給協定の締結を進めるとともに、発電機の増強を検討します。", "C", None),
    ("第3章4節(p.20)", "携帯電話がつながらないときの連絡手段を区民にも知らせてほしい。", "通信途絶時の連絡手段を区民に周知してほしい。",
     "防災行政無線や掲示による情報提供を行います。周知方法は今後の参考とします。", "C", None),
    ("第4章1節(p.24)", "窓口が再開する目安を区民が分かるように示してほしい。", "窓口業務の再開目安を示してほしい。",
     "概要版に主な窓口業務の再開目安を掲載します。", "A", "概要版に「主な窓口の再開目安」の表を追加"),
    ("第4章2節(p.26)", "住民票の発行が3日後というのは遅いのではないか。", "住民票の交付開始が遅いのではないか。",
     "人命に関わる業務を優先するため、証明書の交付は3日以内の再開としています。コンビニ交付の活用も進めます。", "D", None),
    ("第4章2節(p.27)", "避難所の開設に必要な職員が足りないのではないか。", "避難所開設の人員が不足しないか。",
     "避難所直行職員を指定し、不足する場合は他部からの応援で対応します。", "B", None),
    ("第4章3節(p.29)", "要配慮者の安否確認をもっと早く始めるべきだと思います。", "要配慮者の安否確認を早めてほしい。",
     "避難行動要支援者の安否確認は発災後1日以内に開始することとしています。", "B", None),
    ("第5章1節(p.32)", "職員の参集訓練の結果を公表してほしい。", "参集訓練の結果を公表してほしい。",
     "訓練結果の概要を毎年度公表することを検討します。", "C", None),
    ("第5章2節(p.34)", "代替庁舎として防災センターを使うとあるが、区民の窓口はどこになるのか。", "代替庁舎での区民窓口の場所を示してほしい。",
     "窓口は地区サービス事務所で代替することを追記します。", "A", "第5章2節に窓口の代替場所を追記"),
    ("第6章1節(p.38)", "訓練に地域の防災区民組織も参加させてほしい。", "訓練に地域の団体も参加させてほしい。",
     "総合防災訓練では防災区民組織と連携して実施しています。", "B", None),
    ("第6章2節(p.40)", "計画を毎年見直すのか、何年ごとに見直すのか書いてほしい。", "計画の見直し周期を明記してほしい。",
     "毎年度の点検と、組織改正や訓練結果を踏まえた見直しを行う旨を追記します。", "A", "第6章2節に見直しの周期と契機を追記"),
    ("ICT第1章(p.3)", "ICT-BCPという言葉が分かりにくい。やさしい言葉で説明してほしい。", "用語を分かりやすくしてほしい。",
     "概要版に用語の解説を加えます。", "A", "ICT概要版に用語解説を追加"),
    ("ICT第2章(p.7)", "サイバー攻撃への備えはどうなっていますか。", "サイバー攻撃への備えを示してほしい。",
     "ランサムウェア感染をリスクシナリオに含め、対策を整理しています。", "B", None),
    ("ICT第3章(p.12)", "システムが止まったときに窓口で紙の申請書を使えるようにしてほしい。", "システム停止時に紙で受け付けてほしい。",
     "行動計画書に紙様式による受付手順を定めています。", "B", None),
    ("ICT第4章(p.18)", "バックアップを庁舎の外に保管しているのか心配です。", "バックアップの保管場所を示してほしい。",
     "標準準拠システムは遠隔地に複製しています。庁内サーバは遠隔保管を進めます。", "C", None),
    ("ICT第5章(p.24)", "対策の費用が大きすぎるのではないか。優先順位を付けてほしい。", "対策の優先順位を示してほしい。",
     "費用対効果に基づき予算の範囲で選定する考え方を示しています。", "B", None),
    ("ICT第6章(p.30)", "残ったリスクを区民に分かるように説明してほしい。", "残存リスクを区民に説明してほしい。",
     "概要版で主な残存リスクと当面の対応を説明します。", "A", "ICT概要版に残存リスクの説明を追加"),
    ("概要版(p.2)", "概要版の文字をもっと大きくしてほしい。", "概要版の文字を大きくしてほしい。",
     "概要版は12ポイント以上とし、音声読み上げに対応したウェブ版も用意します。", "B", None),
    ("概要版(p.5)", "イラストがあると分かりやすい。", "イラストを入れてほしい。", "今後の参考とします。", "C", None),
    (None, "区の防災についていつも丁寧に説明してくれてありがとうございます。", "区の取組への感謝。", "ご意見ありがとうございます。", "E",
     None),
    (None, "計画はいつから実施されるのですか。", "計画の実施時期を知りたい。", "令和9年4月から運用を開始する予定です。", "E", None),
    ("第4章4節(p.30)", "ごみの収集がいつ再開されるか知りたい。", "ごみ収集の再開時期を示してほしい。",
     "ごみ収集は発災後1週間以内の再開を目標としています。", "B", None),
    ("第3章5節(p.22)", "備蓄食料が職員分しかないのは問題ではないか。", "区民向けの備蓄も必要ではないか。",
     "区民向けの備蓄は地域防災計画で定めています。本計画は職員の備蓄を対象としています。", "D", None),
    ("第2章3節(p.12)", "水害のときに地下にある設備が浸水しないか心配です。", "庁舎地下の設備の浸水対策を示してほしい。",
     "浸水対策を対策案として整理しており、優先度に応じて実施します。", "C", None),
)
SUBMITTERS = ("区内在住", "区内在住", "区内在住", "区内在勤", "区内在学", "区内事業者・団体", "利害関係者")
# fmt: on


def build_pubcomment(w: World) -> dict[str, list[Row]]:
    """募集概要 (one campaign of 30 days or more) and 意見 (several opinions per submission)."""
    rng = w.rng
    publish, end = consultation_dates(w)
    campaign = {
        "campaign_id": "PC-01",
        "plan_name": PLAN_NAME,
        "publish_date": publish,
        "end_date": end,
        "channels": CHANNELS,
        "owner_org": "危機管理部防災課・情報政策推進部情報政策課",
        "note": "区報・区ホームページ・区政情報コーナーで周知",
    }
    comments: list[Row] = []
    target = w.scale.comments
    order = list(range(len(OPINIONS)))
    rng.shuffle(order)
    k = 0
    submission = 0
    days = (end - publish).days
    specials = {3: "unknown", 7: "late", 11: "ineligible"}
    while len(comments) < target:
        submission += 1
        kind = specials.get(submission)
        channel = rng.choice(CHANNELS)
        submitter = rng.choice(SUBMITTERS)
        n = min(target - len(comments), rng.choice((1, 1, 1, 2, 2, 3, 5)))
        received = publish + dt.timedelta(days=rng.randint(1, days))
        reason = None
        if kind == "unknown":
            submitter, channel, n = "不明", "電子メール", 1
            reason = "氏名・住所の記載がなく、要綱に定める提出資格を確認できないため"
        elif kind == "late":
            channel, n = "持参", 1
            received = w.add_business_days(end, 2)
        elif kind == "ineligible":
            channel, n = "FAX", 1
            reason = "計画案と関係のない個別の要望であり、意見募集の対象外のため"
        if channel in ("持参", "郵送") and kind != "late":
            received = w.business_day(received)
            if received > end:
                received = end
        postmark = received - dt.timedelta(days=rng.randint(1, 2)) if channel == "郵送" else None
        if postmark is not None and postmark < publish:
            postmark = publish
        for _ in range(n):
            op = OPINIONS[order[k % len(OPINIONS)]]
            k += 1
            section, text, summary, response, reflection, revision = op
            counted = kind not in ("late", "unknown", "ineligible")
            row: Row = {
                "comment_id": f"C-{len(comments) + 1:04d}",
                "submission_id": f"S-{submission:03d}",
                "campaign_id": campaign["campaign_id"],
                "received_date": received,
                "postmark_date": postmark,
                "channel": channel,
                "submitter_type": submitter,
                "plan_section": section,
                "original_text": text,
                "summary": summary,
                "ineligible_reason": reason,
            }
            if counted:
                row.update(
                    ward_response=response, reflection=reflection, revision_text=revision if reflection == "A" else None
                )
            else:
                row["ward_response"] = "意見募集の期間外または対象外のため、参考として取り扱います。"
            comments.append(row)
    return {"募集概要": [campaign], "意見": comments}
