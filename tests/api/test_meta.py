"""Health, and the promise that no request gets an HTML page or a stack trace from /api/."""

from __future__ import annotations

from moderation import create_app


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {
        "status": "ok", "database": "ok", "storage": "ok", "cache": "ok", "limits": "ok",
    }  # fmt: skip


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = create_app(
        {
            "database_url": f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}",
            "instance_path": str(tmp_path),
            "secret_key": "k",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_unexpected_failure_is_a_json_500_without_details(app, client, site, monkeypatch):
    from moderation import threads

    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(threads, "load_thread", explode)
    response = client.get("/api/v1/sites/news/articles/a/comments")
    assert response.status_code == 500
    assert response.get_json() == {
        "error": {
            "code": "internal_error",
            "message": "Something went wrong on our side; try again.",
        }
    }
    assert b"secret internals" not in response.data
