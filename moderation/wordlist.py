"""Whole-word, Unicode-aware matching of word lists (blocked and suspect words and phrases).

Text and entries are normalised the same way (NFKC, then case folding), so a fullwidth ``Spam``
and ``SPAM`` match ``spam``, and split into words. An entry matches a run of whole words, so
``Scunthorpe`` never matches ``cunt``, and punctuation or spacing between the words of a phrase
does not matter (``buy, cheap -- pills`` matches ``buy cheap pills``).

Matching also sees through disguises, with the entries left as they were given: a word of the
text is looked up as itself and as a few folded forms (see ``_variants``): look-alike letters of
other scripts read as the Latin letter they imitate (Cyrillic i and a, from Unicode's confusables
data), digits and symbols inside a word with letters read as letters ("1d10t", "ki11", "@ss"),
while a number stays a number ("2026", "3rd", "mp3"). The last word of an entry also matches its
simple plurals and inflections ("idiots", "idiot's", "Idioten", "crétines"): those forms are made
when the entry is added, so matching still looks each word up a few times, never more.

Entries are kept in a trie of words. Matching walks it from each word of the text, so the cost is
linear in the length of the text (times the longest phrase, a small constant) whatever the size
of the list, and nothing can backtrack: there is no regular expression built from the entries.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import confusable_homoglyphs

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


# --- Folding what matching sees ---------------------------------------------------------------
#
# A word of the text is looked up as itself and, when it could be disguised, as a few variants
# (a small constant number): its Latin skeleton (look-alike letters of other scripts replaced by
# the Latin letter they imitate) and that skeleton with digits and symbols read as letters. The
# entries stay as they were given, so a Cyrillic entry still matches Cyrillic text.


def _skeleton_map() -> dict[int, str]:
    """Letters of other scripts that Unicode's confusables data says look like one Latin letter
    (Cyrillic a, Greek omicron, dotless i...), to that letter. Built once, at import."""
    path = Path(confusable_homoglyphs.__file__).with_name("confusables.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    table: dict[int, str] = {}
    for char, lookalikes in data.items():
        if len(char) != 1 or char.isascii() or unicodedata.category(char)[0] not in "LM":
            continue
        latin = {
            c["c"].casefold()
            for c in lookalikes
            if len(c["c"]) == 1 and c["c"].isascii() and c["c"].isalpha()
        }
        if len(latin) == 1:  # never a guess between two letters
            table[ord(char)] = latin.pop()
    # A capital reads as its small letter where that has a look-alike (Cyrillic capital I is "i",
    # as its small letter is, not the "l" its shape alone suggests); capitals keep their own
    # otherwise (Cyrillic capital Te is "t").
    for code in list(table):
        small = chr(code).lower()
        if len(small) == 1 and ord(small) != code and ord(small) in table:
            table[code] = table[ord(small)]
    return table


_SKELETON = _skeleton_map()

# Digits and symbols written for letters. "1" is "i" or "l" ("1d10t", "ki11"): both are tried.
_LEET = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
_LEET_I = str.maketrans({**_LEET, "1": "i"})
_LEET_L = str.maketrans({**_LEET, "1": "l"})
_LEET_CHARS = frozenset("013457@$")
# A number with a unit or an ordinal ("3rd", "10am", "100km", "1980s") is not a disguised word.
# Nor is a model name ("mp3", "ps5").
_NUMBER_WITH_UNIT = re.compile(
    r"\d+(?:st|nd|rd|th|s|am|pm|h|m|km|kg|g|k|d|p|x|mb|gb|cm|mm|ml|l|kw|v|w)|[a-z]{2,}\d"
)

# Endings of simple plurals and inflections (en: s, es, 's; fr: s, e, es, x; nl: en, s, 's;
# de: e, en, n, er, ern, es): each entry word also matches these forms of it.
_ENDINGS = ("s", "es", "'s", "e", "en", "er", "ers", "ern")
_SHORT_ENDINGS = ("s", "es", "'s")  # a word of three letters takes only these ("asses")


def _inflections(word: str) -> list[str]:
    """The forms of an entry word that match it: "idiot" -> "idiots", "idiote", "idioten"..."""
    if not word.isalpha() or len(word) < 3:
        return []
    forms = [word + e for e in (_ENDINGS if len(word) > 3 else _SHORT_ENDINGS)]
    if word.endswith("e"):
        forms.append(word + "n")  # German "Tante" -> "Tanten"
    if word.endswith("u"):
        forms.append(word + "x")  # French "-eau" -> "-eaux"
    return forms


def _variants(word: str, skeleton: str) -> tuple[str, ...]:
    """The forms one normalised word of the text is looked up as."""
    if skeleton == word and (word.isalpha() or not _LEET_CHARS.intersection(word)):
        return (word,)
    found = [word, skeleton]
    letters = any(c.isalpha() for c in skeleton)
    if letters and _LEET_CHARS.intersection(skeleton) and not _NUMBER_WITH_UNIT.fullmatch(word):
        found += [skeleton.translate(_LEET_I), skeleton.translate(_LEET_L)]
    return tuple(dict.fromkeys(found))


Token = tuple[int, int, tuple[str, ...]]  # start and end in the text, the forms to look up


def _run_tokens(run: str, start: int, end: int, email: bool) -> list[Token]:
    """The words of one run of word characters (and "@", "$") of the text, with their forms."""
    text = unicodedata.normalize("NFKC", run)
    folded = text.casefold()
    plain = _words_by_character(folded)  # "@" and "$" split words here
    if ("@" in text or "$" in text) and not email and any(c.isalpha() for c in text):
        # "@ss", "a$$hole": symbols for letters, read as one word.
        joined = folded.replace("\u2019", "'")
        skeleton = text.translate(_SKELETON).casefold().replace("\u2019", "'")
        variants = _variants(joined, skeleton)
        if len(plain) == 1:  # "@idiot" is also "idiot"
            variants = tuple(dict.fromkeys((plain[0], *variants)))
        return [(start, end, variants)]
    translated = text.translate(_SKELETON)
    skeletons = plain if translated == text else _words_by_character(translated.casefold())
    if len(skeletons) != len(plain):
        skeletons = plain
    return [(start, end, _variants(w, s)) for w, s in zip(plain, skeletons, strict=True)]


# The same runs as words() finds, plus "@" and "$" inside them, with where they are.
_ASCII_RUN = re.compile(r"[a-z0-9@$]+(?:'[a-z0-9@$]+)*")


def _tokens(text: str) -> list[Token]:
    """The words of a text as matching sees them, in one pass. ASCII words of letters alone (most
    of them) are found by the regex engine and looked up as they are, with no folding."""
    if text.isascii():
        lowered = text.lower()
        found: list[Token] = []
        for m in _ASCII_RUN.finditer(lowered):
            word = m.group()
            if word.isalpha():
                found.append((m.start(), m.end(), (word,)))
            else:
                found += _run_tokens(word, m.start(), m.end(), _is_email(text, m.end(), word))
        return found
    return _tokens_by_character(text)


def _is_email(text: str, end: int, run: str) -> bool:
    """An address ("jan@example.org") rather than "@" for "a": split at the "@"."""
    after = text[end + 1 : end + 2]
    return "@" in run and text[end : end + 1] == "." and after != "" and _is_word_char(after)


# Characters of a run: word characters, and "@" and "$" (a memo, as _is_word_char's).
_IN_RUN: dict[str, bool] = {"@": True, "$": True}


def _in_run(char: str) -> bool:
    known = _IN_RUN.get(char)
    if known is None:
        known = _IN_RUN[char] = _is_word_char(char)
    return known


def _tokens_by_character(text: str) -> list[Token]:
    found: list[Token] = []
    length = len(text)
    start = -1
    memo = _IN_RUN
    for i, char in enumerate(text):
        inside = memo.get(char)
        if inside is None:
            inside = _in_run(char)
        if not inside and char in _APOSTROPHES and start >= 0 and i + 1 < length:
            inside = _in_run(text[i + 1])
        if inside:
            if start < 0:
                start = i
        elif start >= 0:
            run = text[start:i]
            if run.isascii() and run.isalpha():  # most words of most texts
                found.append((start, i, (run.lower(),)))
            else:
                found += _run_tokens(run, start, i, _is_email(text, i, run))
            start = -1
    if start >= 0:
        found += _run_tokens(text[start:], start, length, False)
    return found


@dataclass(frozen=True)
class Match:
    entry: str  # the entry as it was given
    start: int  # index of its first word among the text's words
    span: tuple[int, int] = (0, 0)  # where it is in the text: text[span[0]:span[1]]


class WordList:
    """A set of words and phrases, matched as whole words, through look-alike letters, digits
    written for letters and simple plurals."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self._trie: dict[str, dict] = {}
        self._size = 0
        # Inflected form -> the words of entries it inflects ("idiots" -> ("idiot",)), made when
        # entries are added so matching looks a word up once instead of stripping endings.
        self._stems: dict[str, list[str]] = {}
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
        # Only the last word inflects: "stupid idiots", but not "buy cheaper pills".
        for form in _inflections(tokens[-1]):
            stems = self._stems.setdefault(form, [])
            if tokens[-1] not in stems:
                stems.append(tokens[-1])
        if _END not in node:
            self._size += 1
        node[_END] = entry.strip()  # type: ignore[assignment]

    def finditer(self, text: str) -> Iterator[Match]:
        """Every entry found in ``text``, by position; overlapping phrases are all reported."""
        tokens = _tokens(text)
        stems = self._stems
        choices = [_with_stems(variants, stems) for _, _, variants in tokens]
        trie = self._trie
        count = len(tokens)
        for start in range(count):
            nodes = [trie]
            position = start
            while nodes and position < count:
                found: list[dict] = []
                for node in nodes:
                    for word in choices[position]:
                        child = node.get(word)
                        if child is not None and all(child is not f for f in found):
                            found.append(child)
                for node in found:
                    if _END in node:
                        span = (tokens[start][0], tokens[position][1])
                        yield Match(node[_END], start, span)  # type: ignore[arg-type]
                nodes = found
                position += 1

    def find(self, text: str) -> list[str]:
        """The distinct entries found in ``text``, in the order they first appear."""
        return list(dict.fromkeys(m.entry for m in self.finditer(text)))


def _with_stems(variants: tuple[str, ...], stems: dict[str, list[str]]) -> tuple[str, ...]:
    if len(variants) == 1:
        more = stems.get(variants[0])
        return variants if more is None else (*variants, *more)
    found = list(variants)
    for variant in variants:
        found.extend(stems.get(variant, ()))
    return tuple(dict.fromkeys(found))
