"""Configuration: defaults, the TOML file, environment overrides, and the documented example."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from moderation.config import ConfigError, Settings, ensure_secret_key, load_settings
from moderation.rules import RuleSettings

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def test_defaults_use_sqlite_in_the_instance_folder(tmp_path):
    settings = load_settings({"instance_path": str(tmp_path)}, environ={})
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'moderation.sqlite3'}"
    assert settings.rate_limits is True
    assert settings.rate_limit_storage == "memory://"
    assert settings.cache_url == ""


def test_toml_then_environment_override(tmp_path):
    config = tmp_path / "moderation.toml"
    config.write_text('database_url = "postgresql://db/x"\nrate_limits = true\nproxy_count = 1\n')
    settings = load_settings(
        environ={
            "MODERATION_CONFIG": str(config),
            "MODERATION_RATE_LIMITS": "false",
            "MODERATION_PROXY_COUNT": "2",
        }
    )
    assert settings.resolved_database_url == "postgresql+psycopg://db/x"
    assert settings.rate_limits is False
    assert settings.proxy_count == 2


@pytest.mark.parametrize(
    ("content", "env", "message"),
    [
        ("nonsense = 1\n", {}, "unknown key"),
        ("rate_limits = \n", {}, "not valid TOML"),
        ("", {"MODERATION_RATE_LIMITS": "perhaps"}, "true or false"),
        ("", {"MODERATION_PROXY_COUNT": "two"}, "whole number"),
        ("proxy_count = -3\n", {}, "proxy_count must be a whole number from 0"),
        ("thread_max_age = -1\n", {}, "thread_max_age must be a whole number from 0"),
        ('log_level = "LOUD"\n', {}, "log_level must be one of DEBUG"),
        ("", {"MODERATION_MAX_REQUEST_BYTES": "0"}, "max_request_bytes must be"),
        ('database_url = "mysql://x/y"\n', {}, "database_url must be"),
        ('cache_url = "memcached://x"\n', {}, "cache_url must be"),
        ('rate_limit_storage = "mongodb://x"\n', {}, "rate_limit_storage must be"),
        ('public_url = "comments.example"\n', {}, "public_url must be"),
        ("", {"MODERATION_WEBHOOK_TIMEOUT_SECONDS": "fast"}, "must be a number"),
        ("webhook_timeout_seconds = 0\n", {}, "webhook_timeout_seconds must be more than 0"),
        ("", {"MODERATION_WEBHOOK_TIMEOUT_SECONDS": "nan"}, "finite number"),
        ('embedded_worker = "maybe"\n', {}, "embedded_worker must be auto, on or off"),
        ('smtp_url = "mail.example:25"\n', {}, "smtp_url must be"),
        ('smtp_url = "smtp://mail.example"\n', {}, "mail_from must name"),
        ("delivery_attempts = 0\n", {}, "delivery_attempts must be a whole number"),
    ],
)
def test_bad_configuration_is_a_clear_error(tmp_path, content, env, message):
    config = tmp_path / "c.toml"
    config.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={"MODERATION_CONFIG": str(config), **env})


def test_example_documents_every_key_with_its_default():
    example = tomllib.loads(EXAMPLE.read_text())
    defaults = Settings()
    keys = {f.name for f in fields(Settings)} - {"extra"}
    assert set(example) == keys
    for key in keys - {"rules"}:
        assert example[key] == getattr(defaults, key), key
    # The rules table spells out every rule setting with its built-in default.
    assert example["rules"] == RuleSettings().to_json()


def test_rule_defaults_from_the_configuration_are_checked(tmp_path):
    from moderation import create_app

    with pytest.raises(ConfigError, match="max_links"):
        create_app({"instance_path": str(tmp_path), "rules": {"max_links": "two"}})


def test_secret_key_is_generated_once_and_kept(tmp_path):
    settings = load_settings({"instance_path": str(tmp_path)}, environ={})
    first = ensure_secret_key(settings)
    assert len(first) >= 40
    assert ensure_secret_key(settings) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
