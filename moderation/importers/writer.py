"""Records onto a site: articles found or made, comments written in bulk, replies linked after.

One import is one transaction: any error (a broken file, a record naming an article that never
appears, a cycle of replies) rolls all of it back and the database is as it was. Memory does not
grow with the file: comments go out in batches of ``BATCH`` through Core's executemany, and what
a later record needs of an earlier one (is it imported already? what is its parent's id?) is
asked of the ``import_keys`` table, a batch at a time. Only the articles are held in a dict
(thousands, not millions). Comments whose article comes later in the file, and past decisions
(our own export), wait in a temporary file until the stream ends.

No outbox events are written for imported comments or articles: a million webhooks (and Slack
messages) about comments that are years old would flood every receiver. Statements of reasons are
not written either: the decisions were taken elsewhere, before, and a statement would claim this
service took them.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ..comments import writes
from ..identity import author_key
from ..models import (
    PUBLIC_STATUSES,
    Action,
    Comment,
    Decision,
    ImportKey,
    ImportKind,
    Site,
    Status,
    utcnow,
)
from ..sanitize import normalise_text
from . import replies
from .articles import resolve_articles
from .bulk import BulkInsert, reserve_ids
from .cleaning import Cleaner
from .decisions import write_decisions
from .keys import KeyRule, by_path
from .records import ImportedArticle, ImportedComment, ImportedDecision, ImportFileError, Record
from .spill import Spill
from .summary import ImportSummary

#: Rows a statement writes at once: large enough that the round trips vanish, small enough that
#: a batch's rows and parameters stay a few megabytes.
BATCH = 2000
#: Who the log names for an imported comment's entry.
ACTOR = f"{writes.SYSTEM}:import"
#: The log entry an imported comment gets, by the status it arrives in.
ACTION_OF_STATUS = {
    Status.APPROVED: Action.APPROVE,
    Status.PUBLISHED: Action.PUBLISH,
    Status.PENDING: Action.HOLD,
    Status.SPAM: Action.SPAM,
    Status.REJECTED: Action.REJECT,
    Status.DELETED: Action.DELETE,
}
_DECIDED = frozenset({Status.APPROVED, Status.REJECTED, Status.SPAM})
MAX_NAME, MAX_EMAIL = 100, 254


#: The columns of a comment that differ from one imported comment to the next.
_COMMENT_VARYING = frozenset(
    {"id", "parent_id", "root_id", "depth", "article_id", "author_name", "author_email",
     "author_key", "staff", "badges", "featured", "reactions", "held_because", "body_text",
     "html", "status",
     "edit_token_hash", "created_at", "edited_at", "decided_at"}
)  # fmt: skip


@lru_cache(maxsize=65536)  # an author writes many comments; the HMAC is a tenth of a row's cost
def _author_key(secret_key: str, site_id: int, who: str) -> str:
    return author_key(secret_key, site_id, guest_key=who)


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


# Straight to the driver's executemany (``bulk``): through Core, converting each row's values
# cost more than writing them. Comments are given ids reserved up front, so no row has to come
# back.
_INSERT_COMMENT = BulkInsert(_table(Comment), with_id=True)
_INSERT_KEY = BulkInsert(_table(ImportKey))
_INSERT_DECISION = BulkInsert(_table(Decision))


def import_records(
    session: Session,
    site: Site,
    records: Iterable[Record],
    *,
    source: str,
    secret_key: str,
    key_rule: KeyRule = by_path,
    dry_run: bool = False,
    processes: int | None = None,
) -> ImportSummary:
    """Write a source's records onto ``site`` in the session's transaction (not committed here).

    ``source`` names the format (``disqus``, ``jsonl``...): source ids are unique within it.
    On any error the transaction is rolled back and the error raised; ``dry_run`` rolls back a
    completed import too, and the summary says what it would have written. ``processes``
    sanitize full batches (default: one per core; 1 sanitizes here).
    """
    started = time.perf_counter()
    run = _Run(session, site, source, secret_key, key_rule, ImportSummary(source, dry_run))
    try:
        with Cleaner(processes) as run.clean:
            run.write(records)
    except BaseException:
        session.rollback()
        raise
    if dry_run:
        session.rollback()
    run.summary.seconds = time.perf_counter() - started
    return run.summary


class _Run:
    """One import's state: the articles seen, the batch being filled, the counts."""

    def __init__(
        self,
        session: Session,
        site: Site,
        source: str,
        secret_key: str,
        key_rule: KeyRule,
        summary: ImportSummary,
    ) -> None:
        self.session, self.site, self.source = session, site, source
        self.secret_key, self.key_rule, self.summary = secret_key, key_rule, summary
        self.articles: dict[str, int] = {}  # source id -> our id
        self.pending_articles: dict[str, ImportedArticle] = {}  # the next batch to resolve
        self.public_delta: Counter[int] = Counter()  # article id -> public comments added
        self.touched: set[int] = set()  # articles whose threads changed
        self.batch: list[ImportedComment] = []
        self.first_comment_id: int | None = None  # the smallest id this run wrote
        self.now = utcnow()
        self.clean = Cleaner(1)
        # What every row of a table shares, converted once a batch (``bulk``).
        self.comment_constant = {
            key: value
            for key, value in writes.with_defaults(
                Comment,
                {"site_id": site.id, "reader_id": None, "ip_hash": None},
            ).items()
            if key not in _COMMENT_VARYING
        }
        self.decision_constant = {
            key: value
            for key, value in writes.with_defaults(
                Decision, {"site_id": site.id, "actor": ACTOR, "created_at": self.now}
            ).items()
            if key not in ("comment_id", "action", "to_status", "explanation")
        }
        self.key_constant = {"site_id": site.id, "source": source, "created_at": self.now}

    def write(self, records: Iterable[Record]) -> None:
        self.session.flush()  # what the session holds goes before the driver-level writes
        with tempfile.TemporaryFile() as one, tempfile.TemporaryFile() as two:
            self._write(records, Spill(one), Spill(two))

    def _write(self, records: Iterable[Record], later_comments: Spill, decisions: Spill) -> None:
        for record in records:
            if isinstance(record, ImportedComment):
                if record.article_id in self.pending_articles:
                    self._flush_articles()
                if record.article_id in self.articles:
                    self._add(record)
                else:
                    later_comments.add(record)
            elif isinstance(record, ImportedArticle):
                self._article(record)
            elif isinstance(record, ImportedDecision):
                decisions.add(record)
        self._flush_articles()
        for comment in later_comments.drain():
            if comment.article_id not in self.articles:
                raise ImportFileError(
                    f"comment {comment.source_id} names article {comment.article_id}, "
                    "which is not in the file",
                    comment.line,
                )
            self._add(comment)
        self._flush()
        if self.first_comment_id is not None:
            written, skipped = write_decisions(
                self.session, self.site.id, self.source, decisions.drain(), self.first_comment_id
            )
        else:
            written, skipped = 0, decisions.count
        self.summary.decisions, self.summary.skipped_decisions = written, skipped
        self.summary.orphans, named = replies.link(self.session, self.site.id, self.source)
        for orphan in named:
            self.summary.warn(f"comment {orphan}: its parent is not in the file; made top-level")
        if self.touched:
            # Once, at the end: the threads' versions move on so no cache serves them stale.
            writes.adjust_articles(
                self.session, {a: self.public_delta[a] for a in sorted(self.touched)}
            )
            writes.queue_changed(self.session, [self.site.id])

    def _article(self, record: ImportedArticle) -> None:
        if record.source_id not in self.articles:
            self.pending_articles.setdefault(record.source_id, record)
            if len(self.pending_articles) >= BATCH:
                self._flush_articles()

    def _flush_articles(self) -> None:
        records = list(self.pending_articles.values())
        self.pending_articles.clear()
        if not records:
            return

        def write_keys(pairs: list[tuple[str, int]]) -> None:
            rows = [self._key_row(ImportKind.ARTICLE, s, i) for s, i in pairs]
            _INSERT_KEY.insert_rows(self.session, self.key_constant, rows)

        ids, made = resolve_articles(
            self.session, self.site.id, self.source, records, self.key_rule, write_keys, self.now
        )
        self.articles.update(ids)
        self.summary.articles_new += made
        self.summary.articles_existing += len(records) - made

    def _add(self, record: ImportedComment) -> None:
        self.batch.append(record)
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        known = set(
            self.session.scalars(
                select(ImportKey.source_id).where(
                    *self._key_of(ImportKind.COMMENT, None),
                    ImportKey.source_id.in_({r.source_id for r in batch}),
                )
            )
        )
        fresh: list[ImportedComment] = []
        for record in batch:
            if record.source_id in known:
                self.summary.skipped += 1
                continue
            known.add(record.source_id)  # twice in one batch: the second is a duplicate
            fresh.append(record)
        if not fresh:
            return
        ids = reserve_ids(self.session, len(fresh))
        places = replies.place_batch(
            self.session,
            self.site.id,
            self.source,
            [(r.source_id, r.parent_id, i) for r, i in zip(fresh, ids, strict=True)],
        )
        htmls = self.clean([r.html for r in fresh])
        rows = [
            {"id": i, **self._comment_row(r, h), "parent_id": p, "root_id": root, "depth": depth}
            for r, i, h, (p, root, depth, _later) in zip(fresh, ids, htmls, places, strict=True)
        ]
        self.first_comment_id = min(self.first_comment_id or ids[0], ids[0])
        _INSERT_COMMENT.insert_rows(self.session, self.comment_constant, rows)
        _INSERT_KEY.insert_rows(
            self.session,
            self.key_constant,
            [
                self._key_row(ImportKind.COMMENT, r.source_id, i, later)
                for r, i, (_p, _r, _d, later) in zip(fresh, ids, places, strict=True)
            ],
        )
        _INSERT_DECISION.insert_rows(
            self.session,
            self.decision_constant,
            [
                {
                    "comment_id": row["id"],
                    "action": ACTION_OF_STATUS[row["status"]],
                    "to_status": row["status"],
                    "explanation": f"imported from {self.source} ({record.source_id})",
                }
                for record, row in zip(fresh, rows, strict=True)
            ],
        )
        for row in rows:
            self.touched.add(row["article_id"])
            if row["status"] in PUBLIC_STATUSES:
                self.public_delta[row["article_id"]] += 1
            self.summary.by_status[row["status"].value] = (
                self.summary.by_status.get(row["status"].value, 0) + 1
            )
        self.summary.comments += len(rows)

    def _comment_row(self, record: ImportedComment, html: str) -> dict[str, Any]:
        try:
            status = Status(record.status)
        except ValueError:
            raise ImportFileError(
                f"comment {record.source_id}: unknown status {record.status!r}", record.line
            ) from None
        if record.created_at.tzinfo is None:
            raise ImportFileError(f"comment {record.source_id}: a time without zone", record.line)
        if record.parent_id == record.source_id:
            raise ImportFileError(f"comment {record.source_id} answers itself", record.line)
        name = normalise_text(record.author_name).strip()[:MAX_NAME] or "Anonymous"
        email = normalise_text(record.author_email).strip() if record.author_email else None
        if email is not None and (not email or len(email) > MAX_EMAIL):
            email = None
        body = record.html
        return {
            "article_id": self.articles[record.article_id],
            "author_name": name,
            "author_email": email,
            "author_key": self._author_key(name, email),
            "staff": record.staff,
            "badges": list(record.badges),
            "featured": record.featured,
            "reactions": record.reactions,
            "held_because": list(record.held_because),
            # As a submission stores them: what was written, and its sanitized HTML.
            "body_text": normalise_text(
                record.body_text if record.body_text is not None else body
            ).strip(),
            "html": html,
            "status": status,
            # A random hash of no token anyone holds: imported comments cannot be edited.
            "edit_token_hash": secrets.token_hex(32),
            "created_at": record.created_at,
            "edited_at": record.edited_at,
            "decided_at": record.created_at if status in _DECIDED else None,
        }

    def _author_key(self, name: str, email: str | None) -> str:
        # A submission's author key is its browser's random key, never a typed email or name,
        # because anyone can type anyone's email. An import has no browser key, so the author
        # is known by the source's identity for them (the email, else the name): one key for
        # all their comments of this source, so their record and standing follow them. It
        # cannot be borrowed: a live guest key never holds a ":" (identity.GUEST_KEY), so no
        # submission derives the same key by typing the same email.
        identity = email.casefold() if email else f"name:{name}"
        return _author_key(self.secret_key, self.site.id, f"import:{self.source}:{identity}")

    def _key_of(self, kind: ImportKind, source_id: str | None) -> list[Any]:
        where = [
            ImportKey.site_id == self.site.id,
            ImportKey.source == self.source,
            ImportKey.kind == kind,
        ]
        if source_id is not None:
            where.append(ImportKey.source_id == source_id)
        return where

    def _key_row(
        self, kind: ImportKind, source_id: str, target_id: int, parent: str | None = None
    ) -> dict[str, Any]:
        return {
            "kind": kind,
            "source_id": source_id,
            "target_id": target_id,
            "parent_source_id": parent,
        }
