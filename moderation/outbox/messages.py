"""Building every mail the service sends: a plain-text part then an HTML part, from the
templates under ``templates/mail/``, in the reader's language.

What reaches a mail comes from readers (names, comments, notes) and is hostile until shown
otherwise, so it goes in as text only: every value is made a plain ``str`` (escaped in HTML,
however it was marked), and a URL becomes a link only if it is http(s) (:func:`safe_url`, the one
place that decides).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    pass_eval_context,
    select_autoescape,
)
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from markupsafe import Markup, escape

from .mail_words import WORDS, language, reason_words

KINDS = (
    "confirm",
    "reply",
    "approved",
    "decision",
    "report",
    "queue",
    "digest",
    "notice_receipt",
    "notice_decision",
    "appeal_outcome",
)

#: Context keys a caller may leave out: they read as None. Any other key a template uses must be
#: given (StrictUndefined), so a caller that forgets one fails in tests, not in a reader's inbox.
_OPTIONAL: dict[str, tuple[str, ...]] = {
    "confirm": ("article_title", "article_url"),
    "reply": ("article_title", "article_url", "comment_url"),
    "approved": ("article_title", "article_url", "comment_url"),
    # The statement of reasons (DSA Art. 17): facts, ground, ground_kind, automated and
    # appeal_until are optional so a mail without a statement still reads as before.
    "decision": (
        *("reason", "explanation", "article_title", "article_url", "review_url"),
        *("facts", "ground", "ground_kind", "automated", "appeal_until"),
    ),
    "report": ("note", "article_title"),
    "queue": (),
    "digest": (),
    "notice_receipt": ("article_title", "article_url"),
    "notice_decision": ("legal_ground", "article_title", "article_url"),
    "appeal_outcome": ("explanation", "article_title", "article_url"),
}
#: Context keys that pick the words of a mail, and the values each may take (None: left out).
#: Anything else is refused, rather than a mail that says nothing or the wrong thing.
_CHOICES: dict[str, dict[str, tuple[str | None, ...]]] = {
    "decision": {"ground_kind": ("law", "house_rule", None)},
    "notice_decision": {"assessment": ("illegal", "house_rules", "no_action")},
    "appeal_outcome": {"outcome": ("upheld", "reversed")},
}
#: How much of a comment a mail quotes: enough to recognise it, not a copy of the thread.
QUOTE_CHARS = 500


def render(
    kind: str,
    *,
    lang: str,
    to: str,
    sender: str,
    context: Mapping[str, Any],
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """The mail ``kind`` to ``to``, ready for :func:`moderation.outbox.smtp.send`.

    With ``unsubscribe_url`` the mail carries RFC 8058 one-click unsubscribe headers and a
    footer link, so a mail client can offer "unsubscribe" without the reader finding it.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    if unsubscribe_url is not None and safe_url(unsubscribe_url) is None:
        raise ValueError("unsubscribe_url must be an http:// or https:// address")
    lang = language(lang)
    values: dict[str, Any] = dict.fromkeys(_OPTIONAL[kind])
    values.update(_as_text(dict(context)))
    values.update(lang=lang, unsubscribe_url=unsubscribe_url)
    for key, allowed in _CHOICES.get(kind, {}).items():
        if key in values and values[key] not in allowed:
            raise ValueError(f"{kind} mail: {key} must be one of {allowed}, not {values[key]!r}")
    # A subject is one line whatever the values hold (a newline would end the header).
    subject = " ".join(WORDS[lang][f"{kind}_subject"].format(**values).split())
    values["subject"] = subject
    env = _environment()
    text = env.get_template(f"mail/{kind}.txt").render(values)
    html = env.get_template(f"mail/{kind}.html").render(values)

    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    # The sender's domain, not this host's name (which make_msgid would look up and disclose).
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url is not None:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Quoted-printable keeps the mail 7-bit, so any server takes it without 8BITMIME.
    message.set_content(_tidy(text), subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    # After the parts: making the message multipart drops the Content-* headers set before.
    message["Content-Language"] = lang
    return message


def safe_url(url: object) -> str | None:
    """``url`` if a mail client may link to it (http or https, nothing that runs), else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")):
        return None
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        return None
    return url


def templates_folder() -> str:
    """Templates ship inside the wheel as moderation/templates; in a checkout they are the
    repository's top-level templates/ (as in ``moderation.app``, which imports all of Flask)."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "templates"
    return str(packaged if packaged.is_dir() else package.parent / "templates")


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_folder()),
        # Only the HTML escapes: the text part is shown as text, where escaping would show "&lt;".
        autoescape=select_autoescape(["html"], default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(safe_url=safe_url, quote=_quote, duration=_duration)
    env.globals.update(t=_t, link=_link, reason_words=_reason_words)
    return env


def _as_text(value: Any) -> Any:
    """``value`` with every string a plain str: Markup (or anything with ``__html__``) from a
    caller would otherwise go into the HTML unescaped."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, Mapping):
        return {str(key): _as_text(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_text(item) for item in value]
    return str(value)


@pass_context
def _t(context: Context, key: str, **values: Any) -> str:
    """The words ``key`` in the mail's language, with ``values`` escaped in the HTML part."""
    words = WORDS[context["lang"]][key]
    if context.eval_ctx.autoescape:
        return escape(words).format(**values)
    return words.format(**values)


@pass_context
def _reason_words(context: Context, code: str | None) -> str:
    return reason_words(context["lang"], code)


@pass_eval_context
def _link(eval_ctx: EvalContext, url: str | None, text: str | None = None) -> str:
    """A link to ``url`` reading ``text``; an unsafe ``url`` leaves the text alone, no link."""
    href = safe_url(url)
    if not eval_ctx.autoescape:
        if href is None:
            return text or ""
        return f"{text} <{href}>" if text else f"<{href}>"
    if href is None:
        return escape(text or "")
    return Markup('<a href="{}">{}</a>').format(href, text or href)


@pass_eval_context
def _quote(eval_ctx: EvalContext, text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` shortened to about ``limit`` characters and set off as a quotation."""
    text = _shorten(text.strip(), limit)
    if not eval_ctx.autoescape:
        return "\n".join(f"> {line}".rstrip() for line in text.splitlines())
    lines = Markup("<br>\n").join(escape(line) for line in text.splitlines())
    return Markup("<blockquote>{}</blockquote>").format(lines)


def _shorten(text: str, limit: int) -> str:
    """Cut at a word near ``limit`` so the quote does not end mid-word."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "\u2026"


def _duration(minutes: int) -> str:
    """Minutes as "45 min" or "3 h 05 min": the same in all four languages, and no plurals."""
    hours, rest = divmod(max(int(minutes), 0), 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def _tidy(text: str) -> str:
    """One blank line at most between paragraphs, whatever the template's conditionals leave."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _domain(address: str) -> str:
    domain = parseaddr(address)[1].rpartition("@")[2]
    return domain or "moderation.invalid"
