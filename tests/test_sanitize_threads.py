"""Sanitizing is safe from several threads at once, as gunicorn's threaded workers run it."""

from __future__ import annotations

import threading

from moderation.sanitize import sanitize_comment

BODIES = [
    "<blockquote>quoted</blockquote>\n\nand <em>mine</em>, see https://example.org/x",
    "<p>one</p><p>two</p></blockquote></p>\n\n<ul><li>a</li><li>b</li></ul>",
    "plain text\nwith a line break\n\n<pre>code\n  kept</pre>",
    "<b>bold <i>nested</b></i> <a href='javascript:alert(1)'>x</a> <script>x()</script>",
]


def test_threads_sanitizing_at_once_get_what_one_thread_gets():
    expected = [sanitize_comment(body) for body in BODIES]
    failures: list[BaseException] = []
    wrong: list[str] = []
    start = threading.Barrier(8)

    def work(offset: int) -> None:
        start.wait()
        try:
            for n in range(300):
                index = (n + offset) % len(BODIES)
                if sanitize_comment(BODIES[index]) != expected[index]:
                    wrong.append(BODIES[index])
        except BaseException as exc:  # what a shared parser raised under load
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert wrong == []
