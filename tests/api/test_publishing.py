"""Publishing through the HTTP layer: the thread as an HTML fragment for the publisher's page
(valid HTML5, schema.org microdata, public comments only, cached and conditional, hostile fields
escaped) and the Atom feeds of an article and of a site."""

from __future__ import annotations

from urllib.parse import quote

import feedparser
import html5lib
import pytest

from ..conftest import ORIGIN, PUBLISH_AT_ONCE, browser_key

ARTICLE = "/2026/11/belgium-eu-peace-talks"
ARTICLE_URL = f"{ORIGIN}/2026/11/belgium-eu-peace-talks"
HOSTILE_NAME = '<img src=x onerror="window.__pwned()">"\'&'
HOSTILE_TITLE = '</title><script>window.__pwned()</script> & "quotes"'
MICRODATA = "https://schema.org/"


def fragment_url(site: str, article: str = ARTICLE) -> str:
    return f"/api/v1/sites/{site}/articles/{quote(article, safe='')}/comments.html"


def feed_url(site: str, article: str | None = ARTICLE) -> str:
    if article is None:
        return f"/api/v1/sites/{site}/feed.atom"
    return f"/api/v1/sites/{site}/articles/{quote(article, safe='')}/feed.atom"


def parse_strictly(html: str):  # type: ignore[no-untyped-def]
    """The fragment as HTML5's parser reads it; any parse error fails."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parseFragment(html)


@pytest.fixture
def thread(site, post, decide) -> dict[str, int]:
    """An approved comment with an approved reply, and a pending one, on ARTICLE."""
    meta = {"article_url": ARTICLE_URL, "article_title": "Peace talks"}
    root = post(ARTICLE, body="Root <em>comment</em>", **meta).get_json()["comment"]["id"]
    decide(root)
    reply = post(ARTICLE, body="A reply", parent_id=root).get_json()["comment"]["id"]
    decide(reply)
    pending = post(ARTICLE, body="Still held").get_json()["comment"]["id"]
    return {"root": root, "reply": reply, "pending": pending}


def _items(tree, itemtype: str):  # type: ignore[no-untyped-def]
    return [e for e in tree.iter() if e.get("itemtype") == MICRODATA + itemtype]


def _props(item):  # type: ignore[no-untyped-def]
    """An item's properties as microdata scopes them: not those of the items nested in it."""
    found = {}
    for child in item:
        if child.get("itemprop"):
            found.setdefault(child.get("itemprop"), child)
        if child.get("itemscope") is None:
            for name, value in _props(child).items():
                found.setdefault(name, value)
    return found


def test_fragment_is_valid_html5_with_comment_microdata(client, thread):
    response = client.get(fragment_url("news"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    tree = parse_strictly(response.get_data(as_text=True))
    [container] = [e for e in tree.iter() if e.get("data-moderation-thread") == ARTICLE]
    assert container.get("itemtype") == MICRODATA + "Article"
    assert container.get("itemid") == ARTICLE_URL
    comments = {int(e.get("data-id")): e for e in _items(tree, "Comment")}
    assert set(comments) == {thread["root"], thread["reply"]}, "only public comments"
    root, reply = comments[thread["root"]], comments[thread["reply"]]
    assert root.get("id") == f"comment-{thread['root']}" and "c" in root.get("class").split()
    props = _props(root)
    assert {"text", "author", "dateCreated", "url", "comment"} <= set(props)
    assert props["author"].get("itemtype") == MICRODATA + "Person"
    assert props["author"].find(".//*[@itemprop='name']").text == "Ann Reader"
    assert props["url"].get("href") == f"{ARTICLE_URL}#comment-{thread['root']}"
    assert props["dateCreated"].get("datetime").endswith("Z")
    body = "".join(props["text"].itertext())
    assert body == "Root comment" and props["text"].find(".//em") is not None
    # The reply is the root's `comment`, and names its parent.
    assert props["comment"] is reply
    assert _props(reply)["parentItem"].get("href") == f"{ARTICLE_URL}#comment-{thread['root']}"
    assert "Still held" not in response.get_data(as_text=True)


def test_fragment_shows_reactions_as_upvote_count(client, thread):
    reacted = client.post(
        f"/api/v1/comments/{thread['root']}/reactions",
        headers={"X-Guest-Key": browser_key("a reader")},
    )
    assert reacted.status_code == 201, reacted.get_json()
    tree = parse_strictly(client.get(fragment_url("news")).get_data(as_text=True))
    counts = {e.get("itemprop"): e.text for e in tree.iter() if e.get("itemprop") == "upvoteCount"}
    assert counts == {"upvoteCount": "1"}


def test_fragment_is_conditional_and_changes_with_an_approval(client, thread, decide):
    first = client.get(fragment_url("news"))
    etag = first.headers["ETag"]
    assert (
        first.headers["Cache-Control"]
        == client.get(f"/api/v1/sites/news/articles/{quote(ARTICLE, safe='')}/comments").headers[
            "Cache-Control"
        ]
    )
    again = client.get(fragment_url("news"), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    decide(thread["pending"])
    changed = client.get(fragment_url("news"), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "Still held" in changed.get_data(as_text=True)


def test_fragment_and_json_never_share_an_etag(client, thread):
    html = client.get(fragment_url("news")).headers["ETag"]
    json_etag = client.get(
        f"/api/v1/sites/news/articles/{quote(ARTICLE, safe='')}/comments"
    ).headers["ETag"]
    assert html != json_etag
    plain = client.get(fragment_url("news"), headers={"If-None-Match": json_etag})
    assert plain.status_code == 200


def test_nosnippet_marks_the_thread(client, thread):
    plain = client.get(fragment_url("news"))
    marked = client.get(fragment_url("news") + "?nosnippet=1")
    assert "data-nosnippet" not in plain.get_data(as_text=True)
    tree = parse_strictly(marked.get_data(as_text=True))
    [container] = [e for e in tree.iter() if e.get("data-moderation-thread")]
    assert container.get("data-nosnippet") == ""
    assert marked.headers["ETag"] != plain.headers["ETag"]


def test_fragment_takes_the_threads_sort_and_size(client, make_site, post):
    make_site("open", mode="post", rules=PUBLISH_AT_ONCE)
    ids = [post(ARTICLE, site="open", body=f"N{n}").get_json()["comment"]["id"] for n in range(3)]
    response = client.get(fragment_url("open") + "?sort=newest&limit=2")
    tree = parse_strictly(response.get_data(as_text=True))
    assert [int(e.get("data-id")) for e in _items(tree, "Comment")] == ids[::-1][:2]


def test_hostile_author_names_and_titles_are_escaped(client, make_site, post):
    make_site("open", mode="post", rules=PUBLISH_AT_ONCE)
    post(
        ARTICLE,
        site="open",
        body="<script>window.__pwned()</script><img src=x onerror=alert(1)> text",
        author_name=HOSTILE_NAME,
        article_url=ARTICLE_URL,
        article_title=HOSTILE_TITLE,
    )
    html = client.get(fragment_url("open")).get_data(as_text=True)
    tree = parse_strictly(html)
    # Nothing but text: no element, no attribute that could run anything.
    assert {e.tag for e in tree.iter()}.isdisjoint({"script", "img", "title"})
    assert not [k for e in tree.iter() for k in e.attrib if k.lower().startswith("on")]
    [name] = [e for e in tree.iter() if e.get("itemprop") == "name"]
    assert name.text == HOSTILE_NAME
    [headline] = [e for e in tree.iter() if e.get("itemprop") == "headline"]
    assert headline.get("content") == HOSTILE_TITLE
    for url in (feed_url("open"), feed_url("open", None)):
        xml = client.get(url).get_data(as_text=True)
        assert "<script" not in xml and "<img" not in xml
        parsed = feedparser.parse(xml)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        [entry] = parsed.entries
        assert entry.author == HOSTILE_NAME


def test_unknown_site_is_the_threads_404(client, site):
    for url in (fragment_url("nowhere"), feed_url("nowhere"), feed_url("nowhere", None)):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_an_article_without_comments_is_an_empty_thread_and_feed(client, site):
    response = client.get(fragment_url(site, "/no/comments/yet"))
    tree = parse_strictly(response.get_data(as_text=True))
    assert response.status_code == 200 and not _items(tree, "Comment")
    feed = feedparser.parse(client.get(feed_url(site, "/no/comments/yet")).get_data())
    assert feed.bozo == 0 and feed.entries == []


def test_fragment_has_cors_for_the_sites_origins(client, thread):
    allowed = client.get(fragment_url("news"), headers={"Origin": ORIGIN})
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    other = client.get(fragment_url("news"), headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_article_feed_is_valid_atom_newest_first(client, thread):
    response = client.get(feed_url("news"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Comments on Peace talks"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"].endswith(feed_url("news"))
    assert links["alternate"] == ARTICLE_URL
    ids = [thread["reply"], thread["root"]]
    assert [e.link for e in feed.entries] == [f"{ARTICLE_URL}#comment-{i}" for i in ids]
    assert len({e.id for e in feed.entries}) == 2 and feed.entries[0].id.startswith("tag:")
    assert feed.entries[1].author == "Ann Reader"
    [content] = feed.entries[1].content
    assert content.type == "text/html" and content.value == "<p>Root <em>comment</em></p>"
    assert "Still held" not in response.get_data(as_text=True)


def test_site_feed_carries_every_articles_comments(client, thread, post, decide):
    other = post("/another/story", body="Elsewhere").get_json()["comment"]["id"]
    decide(other)
    feed = feedparser.parse(client.get(feed_url("news", None)).get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title == "Comments on News"
    assert [e.id.rsplit("/", 1)[1] for e in feed.entries] == [
        str(i) for i in (other, thread["reply"], thread["root"])
    ]


@pytest.mark.parametrize("article", [ARTICLE, None], ids=["article", "site"])
def test_feeds_are_conditional_and_change_with_an_approval(client, thread, decide, article):
    first = client.get(feed_url("news", article))
    etag = first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get(feed_url("news", article), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    decide(thread["pending"])
    changed = client.get(feed_url("news", article), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert len(feedparser.parse(changed.get_data()).entries) == 3


def test_queries_do_not_grow_with_the_thread(client, make_site, post, count_queries):
    make_site("open", mode="post", rules=PUBLISH_AT_ONCE)

    def cost() -> list[int]:
        spent = []
        for url in (fragment_url("open"), feed_url("open"), feed_url("open", None)):
            with count_queries() as missed:
                assert client.get(url).status_code == 200
            with count_queries() as cached:
                assert client.get(url).status_code == 200
            spent += [len(missed), len(cached)]
        return spent

    root = post(ARTICLE, site="open").get_json()["comment"]["id"]
    small = cost()
    for n in range(6):
        post(ARTICLE, site="open", body=f"More {n}", parent_id=root if n % 2 else None)
    assert cost() == small
    assert small[1::2] == [1, 1, 1], "a cached answer costs the version's query alone"
