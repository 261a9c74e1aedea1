"""Hostile input through the HTTP API: what is stored and served can never run script.

The stored HTML is parsed and checked against the allowlist (tags, attributes, URL schemes);
hostile names, titles, URLs and article keys come back as the literal text in JSON. The browser
tests (tests/browser/) render the same kind of input in a real Chromium.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from moderation.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

from ..conftest import ORIGIN, thread_url

HOSTILE_BODIES = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script\x00>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">ent</a>',
    '<a href=" javascript:alert(1)">space</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<a href="https://ok.example" onclick="alert(1)" onmouseover="alert(1)">ok</a>',
    '<a href="https://ok.example" style="position:fixed;top:0">cover</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">CLICKME</math>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<input autofocus onfocus="alert(1)">',
    '<details open ontoggle="alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="import" href="https://evil.example">',
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<p title='</p><script>alert(1)</script>'>x</p>",
    "<em><strong>unclosed <a href='https://ok.example'>link",
    "</p></em></a></blockquote><script>alert(1)</script>",
    "<blockquote><blockquote><blockquote>deep</blockquote>",
    '<code onclick="alert(1)">code</code>',
    "<pre><script>alert(1)</script></pre>",
    '<ul><li onmouseover="alert(1)">item</li></ul>',
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "javascript:alert(1)",
    "https://ok.example/<script>alert(1)</script>",
    '<a href="https://ok.example/" target="_top" rel="opener">rel</a>',
]

HOSTILE_TEXT = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</title><script>alert(1)</script>",
    "{{7*7}} ${7*7} <%= 7*7 %>",
]


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        allowed = set(ALLOWED_ATTRIBUTES.get(tag, []))
        for name, value in attrs:
            if name not in allowed or name.startswith("on"):
                self.problems.append(f"attribute {name} on {tag}")
            if name == "href" and not (value or "").startswith(("http://", "https://", "mailto:")):
                self.problems.append(f"href {value!r}")
            if name == "rel" and value != "nofollow ugc noopener":
                self.problems.append(f"rel {value!r}")

    def handle_comment(self, data):
        self.problems.append("comment")

    def handle_decl(self, decl):
        self.problems.append(f"declaration {decl}")

    def unknown_decl(self, data):
        self.problems.append(f"declaration {data}")


def assert_safe_html(html: str) -> None:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.problems == [], (html, checker.problems)


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_hostile_body_is_stored_and_served_harmless(client, site, post, decide, body):
    created = post("hostile", body=body, expect=None)
    if created.status_code == 400:
        # Nothing visible is left (an HTML comment, say): refused with the reason, not stored.
        assert created.get_json()["error"]["field"] == "body"
        assert client.get(thread_url(site, "hostile")).get_json()["total"] == 0
        return
    assert created.status_code == 201, created.get_json()
    comment = created.get_json()["comment"]
    assert_safe_html(comment["html"])
    decide(comment["id"])
    [served] = client.get(thread_url(site, "hostile")).get_json()["comments"]
    assert served["html"] == comment["html"], "served exactly what was stored"
    assert_safe_html(served["html"])


def test_moderators_get_the_original_text_verbatim(client, site, post, auth):
    body = HOSTILE_BODIES[0]
    post("hostile", body=body)
    [item] = client.get(f"/api/v1/sites/{site}/queue", headers=auth).get_json()["comments"]
    assert item["body_text"] == body
    assert "<script>" not in item["html"]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_names_and_titles_come_back_as_text(client, site, post, decide, text):
    created = post(
        "/hostile/meta",
        author_name=text,
        article_title=text,
        article_url=f"{ORIGIN}/a?q={quote(text)}",
    )
    decide(created.get_json()["comment"]["id"])
    response = client.get(thread_url(site, "/hostile/meta"))
    assert response.mimetype == "application/json"
    thread = response.get_json()
    assert thread["article"]["title"] == text
    assert thread["comments"][0]["author_name"] == text
    assert "<" not in thread["article"]["url"]


@pytest.mark.parametrize("key", [*HOSTILE_TEXT, "/2026/11/<svg onload=alert(1)>", "a/../../b"])
def test_hostile_article_keys_are_just_keys(client, site, post, key):
    created = post(key)
    assert created.status_code == 201
    thread = client.get(thread_url(site, key)).get_json()
    assert thread["article"]["key"] == key
    counts = client.get(f"/api/v1/sites/{site}/counts", query_string={"article": key})
    assert counts.get_json() == {"counts": {key: 0}}


@pytest.mark.parametrize(
    ("url", "status"),
    [
        # Not an http(s) address at all: malformed.
        ("javascript:alert(1)//https://news.example", 400),
        ("data:text/html,<script>alert(1)</script>", 400),
        ("//news.example/a", 400),
        # An address, but off the site's origins: not allowed.
        ("https://news.example.evil.example/", 403),
        ("https://evil.example/?https://news.example", 403),
    ],
)
def test_article_urls_off_the_site_are_refused(client, site, post, url, status):
    response = post("/a", article_url=url, expect=status)
    assert response.get_json()["error"]["field"] == "article_url"
