"""How /embed.js is served: cacheable, versioned, compressed, within its size budget."""

from __future__ import annotations

import gzip
import re

from moderation.embed import widget_script

# The script and its styles, gzipped: 15 KB until readers signed in, badges, picks, reactions and
# permalinks came (16.1 KB with them); 19.0 KB with the mail opt-in and the decisions told to
# authors, in four languages; 22.4 KB with the notice of illegal content and the statement of
# reasons with its appeal (DSA Art. 16, 17, 20); 23.6 KB with the takeover of a thread the
# publisher's server rendered (comments.html) and the feed links, and live updates (Server-Sent
# Events, shown on a click). Coral's embed is ten times that.
BUDGET = 25 * 1024


def test_script_is_cacheable_and_revalidates(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "max-age" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get("/embed.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_script_is_served_gzipped_to_those_who_accept_it(client):
    plain = client.get("/embed.js")
    packed = client.get("/embed.js", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in packed.headers["Vary"]


def test_script_and_styles_fit_the_budget():
    assert len(widget_script().gzipped) <= BUDGET


def test_script_has_no_eval_no_inline_handlers_and_no_third_parties():
    source = widget_script().body.decode()
    assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*['\"]", source)
    assert not re.search(r"""\son[a-z]+\s*=\s*["']""", source), "no inline event handlers"
    # The one origin it talks to is its own; the only URL in it is the SVG namespace.
    usage_note = "https://HOST/embed.js"
    urls = set(re.findall(r"https?://[^\s\"'`)]+", source)) - {usage_note}
    assert urls == {"http://www.w3.org/2000/svg"}
    # innerHTML is assigned once, for the comment HTML the service sanitized.
    assert source.count(".innerHTML") == 1
