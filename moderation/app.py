"""The app factory: settings, extensions, blueprints and error handlers, and nothing else."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from .akismet import Akismet
from .api.converters import CONVERTERS
from .api.limits import storage_options as limit_storage_options
from .api.limits import storage_uri as limit_storage_uri
from .cache import make_cache, make_queue_cache
from .comments.screening import Policy
from .config import ConfigError, Settings, ensure_secret_key, load_settings
from .db import configure_sqlite, db, engine_options, write_intent
from .fastpath import FastReads
from .form_tokens import FormTokens
from .live.hub import Hub
from .rules import RuleSettings, RuleSettingsError

__all__ = ["create_app"]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def templates_folder() -> str:
    """Templates ship inside the wheel as moderation/templates; in a checkout they are the
    repository's top-level templates/."""
    here = Path(__file__).resolve().parent
    packaged = here / "templates"
    return str(packaged if packaged.is_dir() else here.parent / "templates")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application from settings (defaults < TOML < environment < ``config``)."""
    settings = load_settings(config)
    instance = Path(settings.instance_path).resolve()
    settings.instance_path = str(instance)
    app = Flask(__name__, instance_path=str(instance), template_folder=templates_folder())
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=ensure_secret_key(settings),
        SQLALCHEMY_DATABASE_URI=settings.resolved_database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings.resolved_database_url),
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        JSON_SORT_KEYS=False,
        RATELIMIT_ENABLED=settings.rate_limits,
        RATELIMIT_STORAGE_URI=limit_storage_uri(settings.rate_limit_storage, str(instance)),
        RATELIMIT_STORAGE_OPTIONS=limit_storage_options(settings.rate_limit_storage),
        # A rate-limit store that is down must not stop readers from commenting: count in the
        # fallback while it does not answer, and in the store again once it does.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
    )
    logging.getLogger("moderation").setLevel(settings.log_level.upper())
    app.config.update(settings.extra)
    if settings.proxy_count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count
        )
    app.url_map.converters.update(CONVERTERS)
    # Article keys may begin with a slash; keep "//" in paths instead of redirecting.
    app.url_map.merge_slashes = False

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            configure_sqlite(db.engine)
    from .api.limits import limiter

    limiter.init_app(app)
    app.extensions["thread_cache"] = make_cache(settings.cache_url)
    app.extensions["queue_cache"] = make_queue_cache(settings.cache_url)
    app.extensions["form_tokens"] = FormTokens(app.config["SECRET_KEY"])
    app.extensions["screening_policy"] = _screening_policy(settings, app.config["SECRET_KEY"])

    @app.before_request
    def _mark_writes() -> None:
        write_intent.set(request.method not in _SAFE_METHODS)

    @app.before_request
    def _body_limit() -> None:
        # An operation whose shape is larger than the service's limit reads up to its own.
        view = app.view_functions.get(request.endpoint or "")
        operation = getattr(view, "operation", None)
        limit = operation.body_limit(settings) if operation is not None else None
        if limit:
            request.max_content_length = max(limit, settings.max_request_bytes)

    from .api import authors as _authors  # noqa: F401 - the moderation API's people
    from .api import live as _live  # noqa: F401 - live updates (Server-Sent Events)
    from .api import notices as _notices  # noqa: F401 - notices, statements and appeals (DSA)
    from .api import privacy as _privacy  # noqa: F401 - a reader's own data (GDPR)
    from .api import publishing as _publishing  # noqa: F401 - the HTML fragment and the feeds
    from .api import readers as _readers  # noqa: F401 - the widget's routes of readers
    from .api import transparency as _transparency  # noqa: F401 - the DSA report
    from .api.errors import LastResort, register_error_handlers
    from .api.meta import bp as meta_bp
    from .api.moderation import bp as moderation_bp
    from .api.widget import bp as widget_bp
    from .dashboard import bp as dashboard_bp
    from .demo import bp as demo_bp
    from .embed import bp as embed_bp
    from .mail_links import bp as mail_links_bp

    with app.app_context():
        engine = db.engine
    # The streams this process holds open, once the front runs it (``front.FrontWorker``).
    app.extensions["live_hub"] = Hub(engine)
    app.wsgi_app = FastReads(app, engine, app.wsgi_app)  # type: ignore[method-assign]
    app.wsgi_app = LastResort(app.wsgi_app)  # type: ignore[method-assign]

    register_error_handlers(app)
    app.register_blueprint(meta_bp)
    app.register_blueprint(widget_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(demo_bp)
    app.register_blueprint(embed_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(mail_links_bp)
    return app


def _screening_policy(settings: Settings, secret_key: str) -> Policy:
    try:
        RuleSettings.from_mappings(settings.rules)
    except RuleSettingsError as exc:
        raise ConfigError(f"rules: {exc.message}") from None
    akismet = None
    if settings.akismet_key:
        akismet = Akismet(
            settings.akismet_key,
            settings.akismet_blog,
            settings.akismet_url,
            settings.akismet_timeout_ms / 1000,
        )
    return Policy(secret_key=secret_key, rule_defaults=settings.rules, akismet=akismet)
