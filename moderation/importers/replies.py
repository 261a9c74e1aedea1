"""Replies placed under their parents: at once where the parent is known, else after the stream.

Most exports hold a parent before its replies: the writer places such a reply as it writes it
(:func:`place_batch`: the parent looked up in the keys table, or earlier in the same batch). A
reply whose parent is not known yet is written top-level, its source's parent id kept in its
import key (``ImportKey.parent_source_id``), and linked by :func:`link` once every comment is
written: parents looked up in the keys table a batch at a time (never a dict of all the ids),
then roots and depths set in SQL a level at a time, from the comments already placed
downwards. A reply whose parent never appears stays a top-level comment, with a warning:
its text is worth keeping, and the thread it answered is lost anyway. Replies that answer each
other in a ring have no place in a thread: the import stops.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from ..models import Comment, ImportKey, ImportKind
from ..prepared import Prepared
from .records import ImportFileError

BATCH = 2000
#: How many orphans the caller is told of by name.
NAMED = 20
#: Depth of a reply linked but not placed yet: only inside the import's transaction.
UNPLACED = -1

_comments: Any = Comment.__table__
_keys: Any = ImportKey.__table__


def link(session: Session, site_id: int, source: str) -> tuple[int, list[str]]:
    """Link this import's replies: their parent, root and depth. Returns how many replies had
    no parent in the file (made top-level), and the first few of their source ids."""
    ours = (_keys.c.site_id == site_id, _keys.c.source == source)
    pending = (*ours, _keys.c.parent_source_id.is_not(None))
    orphans, named = _link_parents(session, ours, pending)
    _place(session, pending)
    return orphans, named


#: A parent as a reply needs it: its id, its root (None: it is top-level) and its depth
#: (UNPLACED: it waits for its own parent).
Parent = tuple[int, int | None, int]


def parents_of(session: Session, ours: tuple[Any, ...], source_ids: set[str]) -> dict[str, Parent]:
    """The comments of these source ids that this site has imported from this source."""
    if not source_ids:
        return {}
    parent = _comments.alias("parent")
    return {
        r.source_id: (r.target_id, r.root_id, r.depth if r.placed else UNPLACED)
        for r in session.execute(
            select(
                _keys.c.source_id,
                _keys.c.target_id,
                parent.c.root_id,
                parent.c.depth,
                _keys.c.parent_source_id.is_(None).label("placed"),
            )
            .join(parent, parent.c.id == _keys.c.target_id)
            .where(
                *ours,
                _keys.c.kind == ImportKind.COMMENT.value,
                _keys.c.source_id.in_(source_ids),
            )
        )
    }


def place_batch(
    session: Session, site_id: int, source: str, batch: list[tuple[str, str | None, int]]
) -> list[tuple[int | None, int | None, int, str | None]]:
    """Where each comment of a batch about to be written goes: ``(source id, source parent id,
    our id)`` in, ``(parent_id, root_id, depth, parent source id still to link)`` out."""
    ours = (_keys.c.site_id == site_id, _keys.c.source == source)
    found = parents_of(session, ours, {p for _s, p, _i in batch if p is not None})
    placed: list[tuple[int | None, int | None, int, str | None]] = []
    for source_id, parent_source_id, comment_id in batch:
        known = found.get(parent_source_id) if parent_source_id is not None else None
        if parent_source_id is None:
            placed.append((None, None, 0, None))
        elif known is None or known[2] == UNPLACED:
            placed.append((None, None, 0, parent_source_id))  # for link, after the stream
            found[source_id] = (comment_id, None, UNPLACED)
            continue
        else:
            parent_id, root_id, depth = known
            placed.append((parent_id, root_id or parent_id, depth + 1, None))
        _parent, root, depth = placed[-1][0], placed[-1][1], placed[-1][2]
        # Its replies further down the batch find it placed.
        found[source_id] = (comment_id, root, depth)
    return placed


def _link_parents(
    session: Session, ours: tuple[Any, ...], pending: tuple[Any, ...]
) -> tuple[int, list[str]]:
    """Each pending reply gets its parent; and its root and depth too where the parent is
    placed already (top-level, or placed by this pass earlier: the parent came first in the
    file, as in most exports). The others wait for :func:`_place`."""
    orphans, last = 0, 0
    named: list[str] = []
    while True:
        rows = session.execute(
            select(_keys.c.id, _keys.c.source_id, _keys.c.target_id, _keys.c.parent_source_id)
            .where(*pending, _keys.c.id > last)
            .order_by(_keys.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return orphans, named
        last = rows[-1].id
        found = parents_of(session, ours, {r.parent_source_id for r in rows})
        linked, done = [], []
        for row in rows:
            if row.parent_source_id not in found:
                done.append({"b_key": row.id})
                orphans += 1
                if len(named) < NAMED:
                    named.append(row.source_id)
                continue
            parent_id, root_id, depth = found[row.parent_source_id]
            if depth == UNPLACED:
                linked.append({"b_id": row.target_id, "b_parent": parent_id,
                               "b_root": None, "b_depth": UNPLACED})  # fmt: skip
                continue
            placed = (root_id or parent_id, depth + 1)
            linked.append({"b_id": row.target_id, "b_parent": parent_id,
                           "b_root": placed[0], "b_depth": placed[1]})  # fmt: skip
            done.append({"b_key": row.id})
            # Its own replies further down this batch find it placed.
            found[row.source_id] = (row.target_id, *placed)
        _SET_PARENT.run_many(session, linked)
        _FORGET.run_many(session, done)


_SET_PARENT = Prepared(
    update(_comments)
    .where(_comments.c.id == bindparam("b_id"))
    .values(
        parent_id=bindparam("b_parent"), root_id=bindparam("b_root"), depth=bindparam("b_depth")
    )
)
_FORGET = Prepared(
    update(_keys).where(_keys.c.id == bindparam("b_key")).values(parent_source_id=None)
)


def _place(session: Session, pending: tuple[Any, ...]) -> None:
    """Roots and depths, a level at a time: each pass places the replies whose parent is
    placed, so a thread ``n`` deep takes ``n`` passes."""
    parent = _comments.alias("parent")
    of_parent = parent.c.id == _comments.c.parent_id
    place = (
        update(_comments)
        .where(
            _comments.c.id.in_(select(_keys.c.target_id).where(*pending)),
            _comments.c.depth == UNPLACED,
            select(parent.c.depth).where(of_parent).scalar_subquery() >= 0,
        )
        .values(
            root_id=select(func.coalesce(parent.c.root_id, parent.c.id))
            .where(of_parent)
            .scalar_subquery(),
            depth=select(parent.c.depth + 1).where(of_parent).scalar_subquery(),
        )
    )
    placed = (
        update(_keys)
        .where(
            *pending,
            select(_comments.c.depth).where(_comments.c.id == _keys.c.target_id).scalar_subquery()
            >= 0,
        )
        .values(parent_source_id=None)
    )
    while session.execute(place).rowcount:  # type: ignore[attr-defined]
        session.execute(placed)
    left = session.scalars(select(_keys.c.source_id).where(*pending).limit(NAMED)).all()
    if left:
        raise ImportFileError(f"comments {', '.join(left)} answer each other in a ring")
