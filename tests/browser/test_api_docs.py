"""The API's documentation page in Debian's Chromium: it renders every operation of the document
from the service's own files, under its Content-Security-Policy, and asks nothing of elsewhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_documentation_page_shows_every_operation(open_page, service):
    document = service.app.test_client().get("/api/v1/openapi.json").get_json()
    operations = sum(len(item) for item in document["paths"].values())
    watched = open_page(f"{service.url}/api/v1/docs")
    page = watched.page
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("moderation")
    expect(page.locator(".opblock")).to_have_count(operations)
    page.locator(".opblock-summary", has_text="/api/v1/sites/{site}/counts").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    missing = [a.url for a in watched.answers if a.status >= 400]
    assert watched.errors() == [], (watched.console, missing)
    assert watched.violations() == []
    assert all(url.startswith(service.url) for url in watched.requests), watched.requests
