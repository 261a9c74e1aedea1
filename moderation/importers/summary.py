"""What an import wrote, or in a dry run would have written: the counts the command reports."""

from __future__ import annotations

from dataclasses import dataclass, field

#: How many warnings the summary keeps word for word (the rest are counted).
MAX_WARNINGS = 20


@dataclass
class ImportSummary:
    """What an import wrote (or, in a dry run, would have written)."""

    source: str
    dry_run: bool = False
    articles_new: int = 0
    articles_existing: int = 0
    comments: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    decisions: int = 0
    #: Comments (and their decisions) already imported by an earlier run, or twice in the file.
    skipped: int = 0
    skipped_decisions: int = 0
    #: Replies whose parent never appeared, kept as top-level comments.
    orphans: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    def line(self) -> str:
        """The one-line summary the command prints."""
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(self.by_status.items())) or "none"
        rate = self.comments / self.seconds if self.seconds else 0.0
        verb = "Would import" if self.dry_run else "Imported"
        return (
            f"{verb} {self.comments} comments ({statuses}) from {self.source} on "
            f"{self.articles_new} new and {self.articles_existing} existing articles, "
            f"{self.decisions} past decisions; skipped {self.skipped} already imported, "
            f"{self.orphans} replies without their parent made top-level; "
            f"{self.seconds:.1f} s ({rate:.0f} comments/s)."
        )
