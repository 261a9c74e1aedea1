"""The Digital Services Act in the API: the author contests a decision (an appeal, with the
edit token or their reader token), and a site's tools handle notices of illegal content and
appeals (moderation tokens). The dashboard has the same in its Notices and Appeals tabs."""

from __future__ import annotations

from flask import Response
from sqlalchemy import select

from .. import dsa_serializers as dsa
from ..comments import appeals, notices
from ..comments import edit as own
from ..db import db
from ..errors import Forbidden, InvalidEditToken, InvalidReaderToken, InvalidTransition, NotFound
from ..models import Article, Assessment, Comment, Reason, Statement
from ..schemas import requests, responses
from .moderation import _actor, _json, _token_for_site, bp
from .operations import Answer, operation
from .payload import json_body, reader_token
from .widget import AUTHOR_TOKENS, _allow_origins, _edit_token
from .widget import bp as widget_bp


@widget_bp.post("/comments/<id:comment_id>/appeals")
@operation(
    id="fileAppeal",
    summary="The author contests the decision on their comment, within six months of it.",
    tag="widget",
    headers=AUTHOR_TOKENS,
    body=requests.FileAppeal,
    answers={201: Answer(responses.AppealCreated)},
    errors=(InvalidEditToken, InvalidReaderToken, NotFound, appeals.AppealClosed),
)
def file_appeal(comment_id: int) -> Response:
    wanted = json_body(requests.FileAppeal)
    comment, site = own.load_for_author(
        db.session(), comment_id, edit_token=_edit_token(), reader_token=reader_token()
    )
    appeal = appeals.file_appeal(db.session(), comment, wanted.body)
    db.session.commit()
    _allow_origins(site.origins)
    return _json(responses.AppealCreated, {"appeal": dsa.appeal_state(appeal)}, 201)


def _articles(ids: set[int]) -> dict[int, Article]:
    return {a.id: a for a in db.session.scalars(select(Article).where(Article.id.in_(ids)))}


@bp.get("/sites/<slug:site>/notices")
@operation(
    id="listNotices",
    summary="The site's notices of illegal content waiting for an assessment, oldest first.",
    tag="moderation",
    bearer=True,
    answers={200: Answer(responses.NoticeList)},
    errors=(Forbidden,),
)
def list_notices(site: str) -> Response:
    token = _token_for_site(site)
    found = notices.list_notices(db.session(), [token.site_id])
    articles = _articles({c.article_id for _f, c in found})
    listed = [dsa.notice(f, c, articles[c.article_id]) for f, c in found]
    return _json(responses.NoticeList, {"notices": listed})


@bp.post("/sites/<slug:site>/notices/<id:notice_id>/assessment")
@operation(
    id="assessNotice",
    summary="Assess a notice: illegal (removed, with the legal ground), against the house rules "
    "(removed), or no action; the notifier is told.",
    tag="moderation",
    bearer=True,
    body=requests.AssessNotice,
    answers={200: Answer(responses.NoticeAssessed)},
    errors=(Forbidden, NotFound, InvalidTransition),
)
def assess_notice(site: str, notice_id: int) -> Response:
    token = _token_for_site(site)
    wanted = json_body(requests.AssessNotice)
    flag = notices.assess(
        db.session(),
        notice_id,
        [token.site_id],
        assessment=Assessment(wanted.assessment),
        actor=_actor(token),
        legal_ground=wanted.legal_ground,
        explanation=wanted.explanation,
        reason=Reason(wanted.reason) if wanted.reason else None,
    )
    flag, comment = notices.get_notice(db.session(), flag.id, [token.site_id])
    answer = dsa.notice(flag, comment, db.session.get_one(Article, comment.article_id))
    db.session.commit()
    return _json(responses.NoticeAssessed, {"notice": answer})


@bp.get("/sites/<slug:site>/appeals")
@operation(
    id="listAppeals",
    summary="The site's open appeals, oldest first.",
    tag="moderation",
    bearer=True,
    answers={200: Answer(responses.AppealList)},
    errors=(Forbidden,),
)
def list_appeals(site: str) -> Response:
    token = _token_for_site(site)
    found = appeals.list_appeals(db.session(), [token.site_id])
    articles = _articles({c.article_id for _a, _s, c in found})
    listed = [dsa.appeal(a, s, c, articles[c.article_id]) for a, s, c in found]
    return _json(responses.AppealList, {"appeals": listed})


@bp.post("/sites/<slug:site>/appeals/<id:appeal_id>/decision")
@operation(
    id="decideAppeal",
    summary="Decide an appeal against an automated decision (a person's is decided in the "
    "dashboard, by another moderator): reverse publishes the comment, uphold keeps it down.",
    tag="moderation",
    bearer=True,
    body=requests.DecideAppeal,
    answers={200: Answer(responses.AppealDecided)},
    errors=(Forbidden, NotFound, InvalidTransition, appeals.SameModerator),
)
def decide_appeal(site: str, appeal_id: int) -> Response:
    token = _token_for_site(site)
    wanted = json_body(requests.DecideAppeal)
    appeal = appeals.decide_appeal(
        db.session(),
        appeal_id,
        [token.site_id],
        reverse=wanted.outcome == "reverse",
        actor=_actor(token),
        moderator_id=None,
        explanation=wanted.explanation,
    )
    statement = db.session.get_one(Statement, appeal.statement_id)
    comment = db.session.get_one(Comment, appeal.comment_id)
    answer = dsa.appeal(appeal, statement, comment, db.session.get_one(Article, comment.article_id))
    db.session.commit()
    return _json(responses.AppealDecided, {"appeal": answer})
