"""What a page may show: the signed-in moderator's sites, and the site and article filters.

Every id or slug in a URL is looked up within the moderator's sites only, so another site's
article or comment is "not found" by any address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import g

from .. import admin
from ..comments.articles import get_article
from ..db import db
from ..errors import NotFound
from ..models import Article, Site
from .forms import optional_id

PAGE_SIZE = 30


def visible_sites() -> dict[int, Site]:
    """The sites the signed-in moderator works on, by id (cached for the request)."""
    sites: dict[int, Site] | None = g.get("visible_sites")
    if sites is None:
        sites = {s.id: s for s in admin.list_sites(db.session(), g.site_ids)}
        g.visible_sites = sites
    return sites


@dataclass(frozen=True)
class Filters:
    """Which comments a page shows: one site or all of the moderator's, maybe one article."""

    site: Site | None
    article: Article | None

    @property
    def site_ids(self) -> list[int]:
        return [self.site.id] if self.site else list(g.site_ids)

    def args(self) -> dict[str, Any]:
        """The filters as query arguments, for links that keep them."""
        out: dict[str, Any] = {}
        if self.site:
            out["site"] = self.site.slug
        if self.article:
            out["article"] = self.article.id
        return out


def read_filters(args: Mapping[str, Any]) -> Filters:
    """The ``site`` (slug) and ``article`` (id) filters; one outside the moderator's sites is
    not found."""
    slug = args.get("site") or None
    site = None
    if slug is not None:
        site = next((s for s in visible_sites().values() if s.slug == slug), None)
        if site is None:
            raise NotFound("There is no such site among the ones you moderate.")
    article_id = optional_id(args, "article")
    article = None
    if article_id is not None:
        article = get_article(db.session(), article_id, [site.id] if site else g.site_ids)
    return Filters(site, article)
