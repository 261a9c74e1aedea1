"""Whole-word, Unicode-aware matching of word lists (blocked and suspect words and phrases).

Text and entries are normalised the same way (NFKC, then case folding), so a fullwidth ``Spam``
and ``SPAM`` match ``spam``, and split into words. An entry matches a run of whole words, so
``Scunthorpe`` never matches ``cunt``, and punctuation or spacing between the words of a phrase
does not matter (``buy, cheap -- pills`` matches ``buy cheap pills``).

Entries are kept in a trie of words. Matching walks it from each word of the text, so the cost is
linear in the length of the text (times the longest phrase, a small constant) whatever the size
of the list, and nothing can backtrack: there is no regular expression built from the entries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_APOSTROPHES = "'\u2019"
_END = ""  # trie key marking the end of an entry; never a word, since words are non-empty


def normalise(text: str) -> str:
    """NFKC then case folding: compatibility forms and case stop mattering."""
    return unicodedata.normalize("NFKC", text).casefold()


def _is_word_char(char: str, cache: dict[str, bool] = {}) -> bool:  # noqa: B006 - a memo
    known = cache.get(char)
    if known is None:
        # Letters, numbers and marks: a combining accent or an Indic vowel sign belongs to its
        # word (Python's \w would split the word there).
        known = cache[char] = unicodedata.category(char)[0] in "LNM"
    return known


# For ASCII text the same words, found by the regex engine rather than a loop over characters
# (five times faster on a comment): ASCII letters and digits are exactly its characters of
# categories L and N, and no ASCII character is a mark.
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def words(text: str) -> list[str]:
    """The normalised words of a text, in order, in one pass over it. An apostrophe between
    letters stays inside the word ("don't")."""
    text = normalise(text)
    if text.isascii():
        return _ASCII_WORD.findall(text)
    return _words_by_character(text)


def _words_by_character(text: str) -> list[str]:
    found: list[str] = []
    current: list[str] = []
    length = len(text)
    for i, char in enumerate(text):
        if _is_word_char(char):
            current.append(char)
        elif char in _APOSTROPHES and current and i + 1 < length and _is_word_char(text[i + 1]):
            current.append("'")
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found


@dataclass(frozen=True)
class Match:
    entry: str  # the entry as it was given
    start: int  # index of its first word in ``words(text)``


class WordList:
    """A set of words and phrases, matched as whole words."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self._trie: dict[str, dict] = {}
        self._size = 0
        for entry in entries:
            self.add(entry)

    def __len__(self) -> int:
        return self._size

    def add(self, entry: str) -> None:
        tokens = words(entry)
        if not tokens:
            return
        node = self._trie
        for token in tokens:
            node = node.setdefault(token, {})
        if _END not in node:
            self._size += 1
        node[_END] = entry.strip()  # type: ignore[assignment]

    def finditer(self, text: str) -> Iterator[Match]:
        """Every entry found in ``text``, by position; overlapping phrases are all reported."""
        tokens = words(text)
        for start in range(len(tokens)):
            node = self._trie
            for token in tokens[start:]:
                child = node.get(token)
                if child is None:
                    break
                node = child
                if _END in node:
                    yield Match(node[_END], start)  # type: ignore[arg-type]

    def find(self, text: str) -> list[str]:
        """The distinct entries found in ``text``, in the order they first appear."""
        return list(dict.fromkeys(m.entry for m in self.finditer(text)))
