"""Past decisions (our own export's log) written onto the comments this import created.

A decision names its comment by the source's id; the keys table turns that into ours, a batch at
a time. Only comments this import created get their decisions (their ids are at least the first
one it wrote): a comment skipped as already imported has its log already.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..comments.writes import with_defaults
from ..models import Action, Decision, ImportKey, ImportKind, Reason, Status
from .records import ImportedDecision, ImportFileError

BATCH = 2000
_decisions: Any = Decision.__table__


def write_decisions(
    session: Session,
    site_id: int,
    source: str,
    records: Iterable[ImportedDecision],
    first_comment_id: int,
) -> tuple[int, int]:
    """Write the decisions; returns how many were written and how many skipped."""
    written = skipped = 0
    batch: list[ImportedDecision] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            written, skipped = _tally(
                (written, skipped), _write(session, site_id, source, batch, first_comment_id)
            )
            batch = []
    if batch:
        written, skipped = _tally(
            (written, skipped), _write(session, site_id, source, batch, first_comment_id)
        )
    return written, skipped


def _tally(total: tuple[int, int], more: tuple[int, int]) -> tuple[int, int]:
    return total[0] + more[0], total[1] + more[1]


def _write(
    session: Session,
    site_id: int,
    source: str,
    batch: list[ImportedDecision],
    first_comment_id: int,
) -> tuple[int, int]:
    targets = dict(
        session.execute(
            select(ImportKey.source_id, ImportKey.target_id).where(
                ImportKey.site_id == site_id,
                ImportKey.source == source,
                ImportKey.kind == ImportKind.COMMENT,
                ImportKey.source_id.in_({d.comment_id for d in batch}),
            )
        ).all()
    )
    rows = []
    for record in batch:
        target = targets.get(record.comment_id)
        if target is None:
            raise ImportFileError(
                f"a decision names comment {record.comment_id}, which is not in the file"
            )
        if target < first_comment_id:
            continue
        rows.append(with_defaults(Decision, _values(site_id, target, record)))
    if rows:
        session.execute(insert(_decisions), rows)
    return len(rows), len(batch) - len(rows)


def _values(site_id: int, comment_id: int, record: ImportedDecision) -> dict[str, Any]:
    try:
        return {
            "site_id": site_id,
            "comment_id": comment_id,
            "moderator_id": None,  # the moderator of another installation is no one here
            "actor": record.actor[:300],
            "action": Action(record.action),
            "from_status": Status(record.from_status) if record.from_status else None,
            "to_status": Status(record.to_status or ""),
            "reason": Reason(record.reason) if record.reason else None,
            "explanation": record.explanation,
            "created_at": record.created_at,
        }
    except ValueError as exc:
        raise ImportFileError(f"a decision on comment {record.comment_id}: {exc}") from None
