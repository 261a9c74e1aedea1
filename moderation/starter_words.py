"""A starter word list for a new site, in English, French, Dutch and German.

A short, curated list of common insults and spam phrases, so a new site holds the obvious cases
from its first comment. Everything goes to the *suspect* list: a moderator decides, nothing is
rejected by default. Sites edit the list as they learn what their readers write. Plurals and
simple inflections, look-alike letters and digits for letters are matched by the word list
itself, so only the base forms are listed.
"""

from __future__ import annotations

from typing import Any

#: Insults, by language (base forms; "idiots" and "Idioten" are matched through "idiot").
STARTER_INSULTS: dict[str, tuple[str, ...]] = {
    "en": ("idiot", "moron", "imbecile", "dickhead", "asshole", "bastard", "scumbag"),
    "fr": ("crétin", "connard", "connasse", "abruti", "salaud", "enfoiré", "débile"),
    "nl": ("klootzak", "eikel", "lul", "sukkel", "debiel", "oetlul", "kankerlijer"),
    "de": ("Arschloch", "Vollidiot", "Trottel", "Depp", "Wichser", "Drecksau", "Spast"),
}

#: Spam phrases, in any of the languages.
STARTER_SPAM: tuple[str, ...] = (
    "cheap viagra",
    "buy viagra",
    "casino bonus",
    "online casino",
    "free spins",
    "work from home",
    "make money fast",
    "crypto giveaway",
    "acheter viagra",
    "casino en ligne",
    "gratis geld",
    "geld verdienen",
    "schnell geld",
    "kostenlose spins",
)


def starter_words() -> tuple[str, ...]:
    """Every starter entry, insults first, in a stable order without repeats."""
    insults = [word for words in STARTER_INSULTS.values() for word in words]
    return tuple(dict.fromkeys([*insults, *STARTER_SPAM]))


def starter_rule_overrides() -> dict[str, Any]:
    """Rule settings overrides for a new site (``Site.rule_settings``): the starter list as
    suspect words, held for a moderator, never rejected."""
    return {"suspect_words": list(starter_words())}
