"""Small exports of each source format, written into a test's tmp_path from Python data.

Each follows its format's documentation (or the source program's own exporter where there is
no documentation): Disqus's ``<disqus>`` export, WordPress's WXR, Isso's SQLite schema and
Remark42's JSON-lines backup. Every field is escaped as the real exporters escape it, so
hostile values reach the readers the way they would in a real file.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

HOSTILE_HTML = (
    '<script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>'
)
HOSTILE_NAME = "\"Bobby\" <b>Tables</b> <script>alert('n')</script> & co"
HOSTILE_EMAIL = '"x<y>"@example.com'
HOSTILE_URL = 'javascript:alert("u")//<x>\''
HOSTILE_TITLE = "<img src=x onerror=alert(1)> \"quoted\" & 'single' <title>"


def cdata(text: str) -> str:
    """``text`` as CDATA, as Disqus writes a message (a ``]]>`` inside split across two)."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


# --- Disqus -------------------------------------------------------------------------------


@dataclass
class DisqusThread:
    id: str
    link: str | None = "https://news.example/story"
    title: str | None = "A story"
    created: str | None = "2020-01-02T03:04:05Z"
    closed: bool = False
    deleted: bool = False


@dataclass
class DisqusPost:
    id: str | None
    thread: str | None
    parent: str | None = None
    message: str = "<p>Hello</p>"
    created: str | None = "2020-01-02T04:05:06Z"
    deleted: bool = False
    spam: bool = False
    name: str | None = "Ann"
    email: str | None = "ann@example.com"
    username: str | None = "ann"
    anonymous: bool = False


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _element(tag: str, value: str | None) -> str:
    return "" if value is None else f"<{tag}>{escape(value)}</{tag}>"


def disqus_thread_xml(thread: DisqusThread) -> str:
    return (
        f"<thread dsq:id={quoteattr(thread.id)}>\n"
        f'<id></id><forum>news</forum><category dsq:id="1"/>\n'
        f"{_element('link', thread.link)}\n"
        f"{_element('title', thread.title)}\n"
        f"<message></message>\n"
        f"{_element('createdAt', thread.created)}\n"
        f"<author><name>Staff</name><isAnonymous>false</isAnonymous></author>\n"
        f"<isClosed>{_flag(thread.closed)}</isClosed>\n"
        f"<isDeleted>{_flag(thread.deleted)}</isDeleted>\n"
        f"</thread>\n"
    )


def disqus_post_xml(post: DisqusPost) -> str:
    dsq_id = "" if post.id is None else f" dsq:id={quoteattr(post.id)}"
    thread = "" if post.thread is None else f"<thread dsq:id={quoteattr(post.thread)}/>\n"
    parent = "" if post.parent is None else f"<parent dsq:id={quoteattr(post.parent)}/>\n"
    return (
        f"<post{dsq_id}>\n"
        f"<id></id>\n"
        f"<message>{cdata(post.message)}</message>\n"
        f"{_element('createdAt', post.created)}\n"
        f"<isDeleted>{_flag(post.deleted)}</isDeleted>\n"
        f"<isSpam>{_flag(post.spam)}</isSpam>\n"
        f"<author>\n{_element('name', post.name)}{_element('email', post.email)}"
        f"<isAnonymous>{_flag(post.anonymous)}</isAnonymous>"
        f"{_element('username', post.username)}\n</author>\n"
        f"<ipAddress>127.0.0.1</ipAddress>\n"
        f"{thread}{parent}"
        f"</post>\n"
    )


DISQUS_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    '<category dsq:id="1"><forum>news</forum><title>General</title>'
    "<isDefault>true</isDefault></category>\n"
)


def disqus_xml(records: Iterable[DisqusThread | DisqusPost]) -> Iterator[str]:
    """The export's text, piece by piece, with the records in the order given."""
    yield DISQUS_HEAD
    for record in records:
        if isinstance(record, DisqusThread):
            yield disqus_thread_xml(record)
        else:
            yield disqus_post_xml(record)
    yield "</disqus>\n"


def disqus_export(tmp_path: Path, *records: DisqusThread | DisqusPost) -> Path:
    path = tmp_path / "disqus.xml"
    with path.open("w", encoding="utf-8") as file:
        file.writelines(disqus_xml(records))
    return path


def big_disqus_export(tmp_path: Path, posts: int) -> Path:
    """A Disqus export of one thread and ``posts`` posts, written without holding it."""
    path = tmp_path / "big.xml"
    thread = DisqusThread("t1")
    with path.open("w", encoding="utf-8") as file:
        file.write(DISQUS_HEAD)
        file.write(disqus_thread_xml(thread))
        for n in range(posts):
            file.write(
                f'<post dsq:id="{n}"><message><![CDATA[<p>Comment {n}</p>]]></message>'
                f"<createdAt>2020-01-02T04:05:06Z</createdAt><isDeleted>false</isDeleted>"
                f"<isSpam>false</isSpam><author><name>Reader {n}</name></author>"
                f'<thread dsq:id="t1"/></post>\n'
            )
        file.write("</disqus>\n")
    return path


# --- WordPress (WXR) ----------------------------------------------------------------------


@dataclass
class WpComment:
    id: str | None
    content: str = "Nice post"
    approved: str = "1"
    author: str = "Ann"
    email: str | None = "ann@example.com"
    url: str | None = "https://ann.example"
    date_gmt: str = "2020-01-02 04:05:06"
    date: str = "2020-01-02 05:05:06"
    type: str | None = None
    parent: str = "0"


@dataclass
class WpItem:
    post_id: str | None
    title: str = "A post"
    link: str = "https://blog.example/?p=1"
    date_gmt: str = "2020-01-01 10:00:00"
    comment_status: str = "open"
    status: str = "publish"
    post_type: str = "post"
    comments: list[WpComment] = field(default_factory=list)
    post_id_after_comments: bool = False


def _wp_cdata(tag: str, value: str | None) -> str:
    return "" if value is None else f"<wp:{tag}>{cdata(value)}</wp:{tag}>"


def wp_comment_xml(comment: WpComment) -> str:
    comment_id = "" if comment.id is None else f"<wp:comment_id>{comment.id}</wp:comment_id>\n"
    return (
        "<wp:comment>\n"
        f"{comment_id}"
        f"{_wp_cdata('comment_author', comment.author)}\n"
        f"{_wp_cdata('comment_author_email', comment.email)}\n"
        f"{_wp_cdata('comment_author_url', comment.url)}\n"
        f"<wp:comment_author_IP>{cdata('127.0.0.1')}</wp:comment_author_IP>\n"
        f"<wp:comment_date>{cdata(comment.date)}</wp:comment_date>\n"
        f"<wp:comment_date_gmt>{cdata(comment.date_gmt)}</wp:comment_date_gmt>\n"
        f"{_wp_cdata('comment_content', comment.content)}\n"
        f"<wp:comment_approved>{cdata(comment.approved)}</wp:comment_approved>\n"
        f"<wp:comment_type>{cdata(comment.type or '')}</wp:comment_type>\n"
        f"<wp:comment_parent>{comment.parent}</wp:comment_parent>\n"
        "<wp:comment_user_id>0</wp:comment_user_id>\n"
        "</wp:comment>\n"
    )


def wordpress_export(tmp_path: Path, *items: WpItem, version: str = "1.2") -> Path:
    """A WXR file of ``items``, in the layout WordPress's export.php writes."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        "<!-- This is a WordPress eXtended RSS file generated by WordPress. -->\n"
        '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/'
        f'{version}/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:wfw="http://wellformedweb.org/CommentAPI/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        f' xmlns:wp="http://wordpress.org/export/{version}/">\n'
        "<channel>\n<title>A blog</title>\n<link>https://blog.example</link>\n"
        f"<wp:wxr_version>{version}</wp:wxr_version>\n"
    ]
    for item in items:
        post_id = "" if item.post_id is None else f"<wp:post_id>{item.post_id}</wp:post_id>\n"
        parts.append(
            "<item>\n"
            f"<title>{escape(item.title)}</title>\n"
            f"<link>{escape(item.link)}</link>\n"
            "<dc:creator><![CDATA[admin]]></dc:creator>\n"
            f"<content:encoded>{cdata('<p>Body</p>')}</content:encoded>\n"
            + ("" if item.post_id_after_comments else post_id)
            + f"<wp:post_date_gmt>{cdata(item.date_gmt)}</wp:post_date_gmt>\n"
            f"<wp:comment_status>{cdata(item.comment_status)}</wp:comment_status>\n"
            f"<wp:status>{cdata(item.status)}</wp:status>\n"
            f"<wp:post_type>{cdata(item.post_type)}</wp:post_type>\n"
        )
        parts.extend(wp_comment_xml(comment) for comment in item.comments)
        parts.append((post_id if item.post_id_after_comments else "") + "</item>\n")
    parts.append("</channel>\n</rss>\n")
    path = tmp_path / "wordpress.xml"
    path.write_text("".join(parts), encoding="utf-8")
    return path


# --- Isso ---------------------------------------------------------------------------------

ISSO_SCHEMA = """
CREATE TABLE preferences (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
    notification INTEGER DEFAULT 0);
"""


@dataclass
class IssoThread:
    id: int
    uri: str = "/blog/post/"
    title: str | None = "A post"


@dataclass
class IssoComment:
    id: int
    tid: int | None
    text: str = "Hello *world*"
    parent: int | None = None
    created: float = 1577934306.0  # 2020-01-02T03:05:06Z
    modified: float | None = None
    mode: int = 1
    author: str | None = "Ann"
    email: str | None = "ann@example.com"
    website: str | None = None


def isso_database(
    tmp_path: Path, threads: Iterable[IssoThread], comments: Iterable[IssoComment]
) -> Path:
    """An Isso database (its schema as ``isso/db/__init__.py`` creates it) holding the rows."""
    path = tmp_path / "comments.db"
    connection = sqlite3.connect(path)
    with connection:
        # NOT NULL on created is Isso's; a test of a missing value drops it by rebuilding.
        connection.executescript(ISSO_SCHEMA)
        connection.executemany(
            "INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)",
            [(t.id, t.uri, t.title) for t in threads],
        )
        connection.executemany(
            "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text,"
            " author, email, website, voters) VALUES (?, ?, ?, ?, ?, ?, '127.0.0.0', ?, ?, ?, ?,"
            " x'00')",
            [
                (
                    c.tid,
                    c.id,
                    c.parent,
                    c.created,
                    c.modified,
                    c.mode,
                    c.text,
                    c.author,
                    c.email,
                    c.website,
                )
                for c in comments
            ],
        )
    connection.close()
    return path


# --- Remark42 -----------------------------------------------------------------------------


def remark42_comment(
    id: str,
    url: str = "https://blog.example/post/",
    *,
    pid: str = "",
    text: str = "<p>Hello</p>",
    name: str = "Ann",
    user_id: str = "github_ann",
    admin: bool = False,
    block: bool = False,
    time: str = "2020-01-02T04:05:06.123456789+03:00",
    delete: bool = False,
    pin: bool = False,
    title: str = "A post",
    edit_time: str | None = None,
) -> dict[str, Any]:
    """A comment as Remark42's ``store.Comment`` encodes it."""
    comment: dict[str, Any] = {
        "id": id,
        "pid": pid,
        "text": text,
        "orig": "Hello",
        "user": {"name": name, "id": user_id, "picture": "", "admin": admin},
        "locator": {"site": "remark", "url": url},
        "score": 0,
        "vote": 0,
        "time": time,
        "title": title,
    }
    if block:
        comment["user"]["block"] = True
    if delete:
        comment["delete"] = True
    if pin:
        comment["pin"] = True
    if edit_time:
        comment["edit"] = {"time": edit_time, "summary": ""}
    return comment


def remark42_backup(
    tmp_path: Path,
    comments: Iterable[dict[str, Any]],
    *,
    read_only: Iterable[str] = (),
    blocked: Iterable[str] = (),
    compress: bool = False,
    name: str = "backup-remark-20200102.gz",
) -> Path:
    """A backup as ``remark42 backup`` writes it: the header line, then a comment a line."""
    header = {
        "version": 1,
        "users": [{"id": "github_ann", "verified": False, "blocked": {"status": False}}]
        + [
            {"id": user, "blocked": {"status": True, "until": "2030-01-01T00:00:00Z"}}
            for user in blocked
        ],
        "posts": [{"url": url, "read_only": True} for url in read_only],
    }
    lines = [json.dumps(header)] + [json.dumps(c, ensure_ascii=False) for c in comments]
    data = ("\n".join(lines) + "\n").encode()
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


# --- Hostile XML --------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE {root} [
<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<{root}>&lol9;</{root}>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<{root}>&xxe;</{root}>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE {root} SYSTEM "http://attacker.invalid/evil.dtd">
<{root}>&ent;</{root}>
"""


def hostile_xml(tmp_path: Path, template: str, root: str) -> Path:
    path = tmp_path / "hostile.xml"
    path.write_text(template.replace("{root}", root), encoding="utf-8")
    return path
