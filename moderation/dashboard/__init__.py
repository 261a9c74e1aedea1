"""The moderators' dashboard: server-rendered pages under ``/dashboard/``, enhanced by
``static/dashboard.js``.

Every view needs a signed-in moderator except the login page; every state-changing request
needs the session's CSRF token; every answer carries the Content-Security-Policy. A moderator
sees and decides only the comments of their own sites (an admin: every site), and anything
else is "not found", whatever the URL.
"""

from . import (  # noqa: F401  (routes)
    account,
    admin_views,
    articles,
    authors,
    dsa,
    live,
    log,
    moderate,
    notices,
    people,
    transparency,
)
from .blueprint import bp

__all__ = ["bp"]
