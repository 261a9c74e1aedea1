"""The mails the service sends: two parts in the reader's language, unsubscribe headers, and
nothing from a reader that can run or link anywhere in a mail client."""

from __future__ import annotations

import html
from email.message import EmailMessage
from html.parser import HTMLParser
from typing import Any

import pytest
from jinja2 import UndefinedError
from markupsafe import Markup

from moderation.config import Settings
from moderation.outbox.mail_words import LANGUAGES, REASONS, WORDS
from moderation.outbox.messages import KINDS, render, safe_url
from moderation.outbox.smtp import send

SENDER = "Comments <comments@news.example>"
READER = "reader@example.org"
UNSUBSCRIBE = "https://comments.news.example/unsubscribe?token=abc"

CONTEXTS: dict[str, dict[str, Any]] = {
    "confirm": {
        "site_name": "The Daily",
        "confirm_url": "https://comments.news.example/confirm?token=xyz",
        "article_title": "Bridges reopen",
        "article_url": "https://news.example/bridges",
    },
    "reply": {
        "site_name": "The Daily",
        "reader_name": "Ann",
        "reply_author": "Bob",
        "reply_text": "I agree with you.",
        "comment_text": "The bridge was closed too long.",
        "article_title": "Bridges reopen",
        "article_url": "https://news.example/bridges",
        "comment_url": "https://news.example/bridges#c42",
    },
    "approved": {
        "site_name": "The Daily",
        "reader_name": "Ann",
        "comment_text": "The bridge was closed too long.",
        "article_title": "Bridges reopen",
        "article_url": "https://news.example/bridges",
        "comment_url": "https://news.example/bridges#c41",
    },
    "decision": {
        "site_name": "The Daily",
        "reader_name": "Ann",
        "comment_text": "Buy cheap watches",
        "action": "reject",
        "reason": "spam",
        "explanation": "Links to shops are not allowed.",
        "article_title": "Bridges reopen",
        "article_url": "https://news.example/bridges",
        "review_url": "https://comments.news.example/review?token=r1",
        "facts": "The comment links to a shop selling watches.",
        "ground": "No advertising (rule 3)",
        "ground_kind": "house_rule",
        "automated": False,
        "appeal_until": "2027-06-03",
    },
    "report": {
        "site_name": "The Daily",
        "comment_text": "You are all idiots",
        "comment_author": "Troll",
        "reason": "abuse",
        "note": "Insults other readers.",
        "article_title": "Bridges reopen",
        "card_url": "https://comments.news.example/dashboard/comments/42",
    },
    "queue": {
        "site_name": "The Daily",
        "count": 12,
        "oldest_minutes": 95,
        "queue_url": "https://comments.news.example/dashboard/queue",
    },
    "digest": {
        "day": "2026-12-03",
        "sites": [
            {
                "name": "The Daily",
                "pending": 3,
                "flagged": 1,
                "decided": 40,
                "queue_url": "https://comments.news.example/dashboard/daily/queue",
            },
            {
                "name": "The Weekly",
                "pending": 0,
                "flagged": 0,
                "decided": 2,
                "queue_url": "https://comments.news.example/dashboard/weekly/queue",
            },
        ],
    },
    "notice_receipt": {
        "site_name": "The Daily",
        "receipt": "N-2026-0042",
        "law": "Incitement to hatred (section 130 StGB)",
        "comment_text": "Those people should all be driven out.",
        "article_title": "Bridges reopen",
        "article_url": "https://news.example/bridges",
    },
    "notice_decision": {
        "site_name": "The Daily",
        "receipt": "N-2026-0042",
        "assessment": "illegal",
        "legal_ground": "Section 130 StGB",
        "comment_text": "Those people should all be driven out.",
        "article_title": "Bridges reopen",
        "article_url": "https://news.example/bridges",
    },
    "appeal_outcome": {
        "site_name": "The Daily",
        "reader_name": "Ann",
        "comment_text": "Buy cheap watches",
        "outcome": "upheld",
        "explanation": "The link is still an advertisement.",
        "article_title": "Bridges reopen",
        "article_url": "https://news.example/bridges",
    },
}

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
BAD_URL = "javascript:alert(1)"
URL_KEYS = {"confirm_url", "article_url", "comment_url", "review_url", "card_url", "queue_url"}
#: Keys that are words chosen by the service, not text a person typed.
FIXED_KEYS = {
    *("action", "reason", "count", "oldest_minutes", "day"),
    *("assessment", "outcome", "ground_kind", "appeal_until"),
}
#: The statement of reasons' keys in a decision mail (DSA Art. 17), all optional.
STATEMENT_KEYS = ("facts", "ground", "ground_kind", "automated", "appeal_until")


def _mail(kind: str, lang: str = "en", unsubscribe_url: str | None = UNSUBSCRIBE, **changes: Any):
    context = {**CONTEXTS[kind], **changes}
    return render(
        kind,
        lang=lang,
        to=READER,
        sender=SENDER,
        context=context,
        unsubscribe_url=unsubscribe_url,
    )


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    page = message.get_body(("html",))
    assert text is not None and page is not None
    return text.get_content(), page.get_content()


def _hostile(value: Any, key: str = "") -> Any:
    """``value`` with every person's text replaced by markup and every URL by a script one."""
    if isinstance(value, dict):
        return {name: _hostile(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_hostile(item, key) for item in value]
    if key in URL_KEYS:
        return BAD_URL
    if isinstance(value, str) and key not in FIXED_KEYS:
        return f"{SCRIPT} {IMG} & \"quoted\" 'single'"
    return value


class _Markup(HTMLParser):
    """The tags and attributes of an HTML part, as a mail client would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)


def _markup(page: str) -> _Markup:
    parser = _Markup()
    parser.feed(page)
    parser.close()
    return parser


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_mail_has_a_text_then_an_html_part_in_utf8(kind, lang):
    message = _mail(kind, lang)

    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert [part.get_content_charset() for part in parts] == ["utf-8", "utf-8"]
    text, page = _parts(message)
    assert WORDS[lang]["automatic"] in text
    assert f'<html lang="{lang}">' in page
    assert message["Subject"].strip()
    assert message["From"] == SENDER
    assert message["To"] == READER
    assert message["Date"]
    assert message["Message-ID"].endswith("@news.example>")
    assert message["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize("kind", KINDS)
def test_the_subject_is_in_the_reader_language(kind):
    subjects = {lang: _mail(kind, lang)["Subject"] for lang in LANGUAGES}

    assert len(set(subjects.values())) == len(LANGUAGES), subjects
    assert all(subject.strip() for subject in subjects.values())


@pytest.mark.parametrize(("lang", "read_as"), [("fr-BE", "fr"), ("de_AT", "de"), ("es", "en")])
def test_a_regional_or_unknown_language_falls_back(lang, read_as):
    assert _mail("approved", lang)["Subject"] == _mail("approved", read_as)["Subject"]


@pytest.mark.parametrize("kind", KINDS)
def test_list_unsubscribe_headers_come_with_an_unsubscribe_url(kind):
    message = _mail(kind, unsubscribe_url=UNSUBSCRIBE)

    assert message["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, page = _parts(message)
    assert f"<{UNSUBSCRIBE}>" in text
    assert ("a", "href", UNSUBSCRIBE) in _markup(page).attributes


@pytest.mark.parametrize("kind", KINDS)
def test_without_an_unsubscribe_url_there_are_no_unsubscribe_headers(kind):
    message = _mail(kind, unsubscribe_url=None)

    assert "List-Unsubscribe" not in message
    assert "List-Unsubscribe-Post" not in message
    assert WORDS["en"]["unsubscribe"] not in _parts(message)[0]


def test_an_unsubscribe_url_that_is_not_http_is_refused():
    with pytest.raises(ValueError, match="unsubscribe_url"):
        _mail("reply", unsubscribe_url=BAD_URL)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_context_is_only_text_in_the_mail(kind, lang):
    message = _mail(kind, lang, **_hostile(CONTEXTS[kind]))
    text, page = _parts(message)

    markup = _markup(page)
    assert markup.tags <= {
        *("html", "head", "meta", "title", "style", "body"),
        *("p", "br", "strong", "blockquote", "a", "table", "tr", "th", "td"),
    }
    for tag, name, value in markup.attributes:
        assert not name.startswith("on"), (tag, name)
        if name == "href":
            assert value == UNSUBSCRIBE, value
    assert "javascript:" not in page.lower()
    assert "javascript:" not in text.lower()
    assert html.escape(SCRIPT, quote=False) in page
    # The text part shows it as typed: nothing runs in text/plain.
    assert SCRIPT in text


def test_markup_from_the_caller_is_escaped_like_any_text():
    message = _mail("reply", reader_name=Markup(SCRIPT), reply_text=Markup(IMG))

    page = _parts(message)[1]
    assert "<script" not in page
    assert "<img" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize("url", [BAD_URL, "JavaScript:alert(1)", "data:text/html,x", "//x.example"])
def test_only_http_urls_become_links(url):
    message = _mail("reply", article_url=url, comment_url=url)

    hrefs = [value for _, name, value in _markup(_parts(message)[1]).attributes if name == "href"]
    assert hrefs == [UNSUBSCRIBE]
    assert safe_url(url) is None


def test_a_safe_article_url_is_a_link_in_both_parts():
    text, page = _parts(_mail("reply"))

    assert ("a", "href", "https://news.example/bridges") in _markup(page).attributes
    assert "Bridges reopen <https://news.example/bridges>" in text


def test_a_subject_is_one_line_whatever_the_site_name():
    message = _mail("approved", site_name="The\r\nBcc: victim@example.org Daily")

    assert message["Subject"] == "Your comment is published on The Bcc: victim@example.org Daily"
    assert "Bcc" not in message


def test_a_missing_context_key_is_an_error():
    context = dict(CONTEXTS["reply"])
    del context["reply_text"]

    with pytest.raises(UndefinedError, match="reply_text"):
        render("reply", lang="en", to=READER, sender=SENDER, context=context)


def test_optional_keys_may_be_left_out():
    required = {"site_name", "reader_name", "comment_text", "action"}
    context = {key: value for key, value in CONTEXTS["decision"].items() if key in required}

    text, _ = _parts(render("decision", lang="en", to=READER, sender=SENDER, context=context))

    assert REASONS["en"]["other"] in text


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown mail kind"):
        render("newsletter", lang="en", to=READER, sender=SENDER, context={})


def test_a_long_reply_and_comment_are_shortened():
    long_reply = "word " * 1000
    text, page = _parts(_mail("reply", reply_text=long_reply, comment_text=long_reply))

    assert len(text) < 2000
    assert text.count("\u2026") == 2
    assert page.count("\u2026") == 2


def test_a_reply_quotes_both_texts_line_by_line():
    text, page = _parts(_mail("reply", reply_text="First line\nSecond line"))

    assert "> First line\n> Second line" in text
    assert "<blockquote>First line<br>\nSecond line</blockquote>" in page
    assert "> The bridge was closed too long." in text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("reason", [*REASONS["en"], None])
def test_the_decision_mail_gives_the_reason_in_words(lang, reason):
    text, page = _parts(_mail("decision", lang, reason=reason))

    words = REASONS[lang][reason or "other"]
    assert words in text
    assert words in html.unescape(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_report_mail_gives_the_reason_in_words(lang):
    text, _ = _parts(_mail("report", lang))

    assert REASONS[lang]["abuse"] in text
    assert "Insults other readers." in text


def test_the_decision_mail_quotes_the_moderator_and_links_the_review():
    text, page = _parts(_mail("decision"))

    assert "> Links to shops are not allowed." in text
    assert "Ask for a review <https://comments.news.example/review?token=r1>" in text
    assert ("a", "href", "https://comments.news.example/review?token=r1") in _markup(
        page
    ).attributes


@pytest.mark.parametrize("lang", LANGUAGES)
def test_without_a_review_url_the_author_is_told_to_reply(lang):
    text, page = _parts(_mail("decision", lang, review_url=None))

    said = WORDS[lang]["review_reply"].format(site="The Daily")
    assert said in text
    assert said in html.unescape(page)
    assert WORDS[lang]["review_link"] not in text


def _said(lang: str, key: str, **values: Any) -> str:
    return WORDS[lang][key].format(**values)


def _in_both(words: str, text: str, page: str) -> None:
    assert words in text
    assert words in html.unescape(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_decision_mail_is_a_statement_of_reasons(lang):
    text, page = _parts(_mail("decision", lang))

    _in_both(_said(lang, "statement_facts"), text, page)
    _in_both("The comment links to a shop selling watches.", text, page)
    _in_both(_said(lang, "statement_moderator"), text, page)
    _in_both(_said(lang, "statement_house_rule", ground="No advertising (rule 3)"), text, page)
    _in_both(_said(lang, "statement_appeal_until", date="2027-06-03"), text, page)
    assert _said(lang, "statement_automated") not in text
    # The deadline comes with the way to contest: the review link follows it.
    assert text.index("2027-06-03") < text.index(_said(lang, "review_link"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_automated_decision_on_a_legal_ground_says_so(lang):
    text, page = _parts(_mail("decision", lang, automated=True, ground_kind="law", ground="§ 130"))

    _in_both(_said(lang, "statement_automated"), text, page)
    _in_both(_said(lang, "statement_law", ground="§ 130"), text, page)
    assert _said(lang, "statement_moderator") not in text
    assert _said(lang, "statement_house_rule", ground="§ 130") not in text


def test_the_facts_keep_their_lines():
    text, page = _parts(_mail("decision", facts="First fact\nSecond fact"))

    assert "First fact\nSecond fact" in text
    assert "<br>First fact" in page
    assert "<br>Second fact" in page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_decision_without_a_statement_reads_as_before(lang):
    context = {
        key: value for key, value in CONTEXTS["decision"].items() if key not in STATEMENT_KEYS
    }
    message = render("decision", lang=lang, to=READER, sender=SENDER, context=context)
    text, page = _parts(message)

    for key in ("statement_facts", "statement_moderator", "statement_automated"):
        assert _said(lang, key) not in text
        assert _said(lang, key) not in html.unescape(page)
    for key in ("statement_law", "statement_house_rule", "statement_appeal_until"):
        before = WORDS[lang][key].split("{")[0]
        assert before not in text
        assert before not in html.unescape(page)
    _in_both(_said(lang, "review_intro"), text, page)


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("decision", "ground_kind", "treaty"),
        ("notice_decision", "assessment", "maybe"),
        ("notice_decision", "assessment", None),
        ("appeal_outcome", "outcome", "partly"),
    ],
)
def test_a_value_that_picks_no_words_is_refused(kind, key, value):
    with pytest.raises(ValueError, match=key):
        _mail(kind, **{key: value})


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_notice_receipt_names_the_receipt_the_site_and_the_law(lang):
    message = _mail("notice_receipt", lang)
    text, page = _parts(message)

    said = _said(lang, "notice_receipt_intro", receipt="N-2026-0042", site="The Daily")
    _in_both(said, text, page)
    _in_both(_said(lang, "notice_law", law="Incitement to hatred (section 130 StGB)"), text, page)
    assert "> Those people should all be driven out." in text
    assert "N-2026-0042" in message["Subject"]
    assert message["Subject"] == _said(lang, "notice_receipt_subject", receipt="N-2026-0042")


def test_a_notice_without_a_law_named_says_nothing_of_it():
    text, _ = _parts(_mail("notice_receipt", law=""))

    assert WORDS["en"]["notice_law"].split("{")[0] not in text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("assessment", "key"),
    [
        ("illegal", "notice_illegal"),
        ("house_rules", "notice_house_rules"),
        ("no_action", "notice_no_action"),
    ],
)
def test_the_notice_decision_tells_the_outcome_and_how_to_contest_it(lang, assessment, key):
    message = _mail("notice_decision", lang, assessment=assessment)
    text, page = _parts(message)

    _in_both(_said(lang, key, ground="Section 130 StGB"), text, page)
    _in_both(
        _said(lang, "notice_decision_intro", receipt="N-2026-0042", site="The Daily"), text, page
    )
    _in_both(_said(lang, "notice_contest"), text, page)
    assert "> Those people should all be driven out." in text
    others = {"notice_illegal", "notice_house_rules", "notice_no_action"} - {key}
    for other in others:
        assert _said(lang, other, ground="Section 130 StGB") not in text
    assert "N-2026-0042" in message["Subject"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_illegal_finding_without_a_legal_ground_has_no_empty_brackets(lang):
    text, page = _parts(_mail("notice_decision", lang, legal_ground=None))

    _in_both(_said(lang, "notice_illegal_no_ground"), text, page)
    assert "()" not in text
    assert "None" not in text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("outcome", "key", "not_key"),
    [
        ("upheld", "appeal_upheld", "appeal_reversed"),
        ("reversed", "appeal_reversed", "appeal_upheld"),
    ],
)
def test_the_appeal_outcome_tells_the_author_and_names_out_of_court_settlement(
    lang, outcome, key, not_key
):
    text, page = _parts(_mail("appeal_outcome", lang, outcome=outcome))

    _in_both(_said(lang, key), text, page)
    assert _said(lang, not_key) not in text
    _in_both(_said(lang, "appeal_odr"), text, page)
    _in_both(_said(lang, "hello", name="Ann"), text, page)
    assert "> The link is still an advertisement." in text
    assert "<blockquote>The link is still an advertisement.</blockquote>" in page
    assert "> Buy cheap watches" in text


def test_an_appeal_outcome_without_the_moderator_words_leaves_them_out():
    text, _ = _parts(_mail("appeal_outcome", explanation=None))

    assert WORDS["en"]["decision_explanation"] not in text
    assert WORDS["en"]["appeal_odr"] in text


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("notice_receipt", "law"),
        ("notice_receipt", "comment_text"),
        ("notice_decision", "comment_text"),
        ("appeal_outcome", "outcome"),
        ("appeal_outcome", "reader_name"),
    ],
)
def test_a_new_kind_missing_a_key_is_an_error(kind, key):
    context = dict(CONTEXTS[kind])
    del context[key]

    with pytest.raises(UndefinedError, match=key):
        render(kind, lang="en", to=READER, sender=SENDER, context=context)


def test_the_confirm_mail_links_the_confirmation_and_says_to_ignore_it_otherwise():
    message = _mail("confirm", unsubscribe_url=None)
    text, page = _parts(message)

    assert "Confirm my address <https://comments.news.example/confirm?token=xyz>" in text
    assert WORDS["en"]["confirm_ignore"] in text
    hrefs = [value for _, name, value in _markup(page).attributes if name == "href"]
    assert "https://comments.news.example/confirm?token=xyz" in hrefs


def test_the_queue_mail_says_how_many_wait_and_for_how_long():
    text, _ = _parts(_mail("queue"))

    assert "Comments waiting for moderation on The Daily: 12." in text
    assert "The oldest has been waiting for 1 h 35 min." in text
    assert "Open the queue <https://comments.news.example/dashboard/queue>" in text


def test_the_digest_lists_every_site_with_its_counts():
    text, page = _parts(_mail("digest"))

    assert "Waiting: 3, Reported: 1, Decided (24 h): 40" in text
    assert "Waiting: 0, Reported: 0, Decided (24 h): 2" in text
    hrefs = [value for _, name, value in _markup(page).attributes if name == "href"]
    assert "https://comments.news.example/dashboard/weekly/queue" in hrefs


def test_an_empty_digest_says_so():
    text, _ = _parts(_mail("digest", sites=[]))

    assert WORDS["en"]["digest_none"] in text


def test_every_language_has_the_same_words():
    for lang in LANGUAGES:
        assert WORDS[lang].keys() == WORDS["en"].keys(), lang
        assert REASONS[lang].keys() == REASONS["en"].keys(), lang


def test_a_mail_sent_through_smtp_arrives_with_both_parts_and_unsubscribe_headers(smtp_server):
    settings = Settings(smtp_url=smtp_server.url, mail_from="bounces@news.example")

    send(settings, _mail("reply", "nl"))

    [received] = smtp_server.wait_for(1)
    assert smtp_server.envelopes == [("bounces@news.example", [READER])]
    assert received["Subject"] == "Bob heeft op je reactie op The Daily geantwoord"
    assert received["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, page = _parts(received)
    assert "> I agree with you." in text
    assert "Hallo Ann," in text
    assert "<blockquote>I agree with you.</blockquote>" in page
