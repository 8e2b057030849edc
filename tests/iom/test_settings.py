"""Settings read the environment; outside development nothing insecure is assumed."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SECRET_KEY": "x" * 60,
    "DJANGO_ALLOWED_HOSTS": "iom.example",
    "DATABASE_URL": "postgres://iom@db.example/iom",
    "REDIS_URL": "redis://redis.example:6379/0",
}


def settings_in(environment: dict[str, str], expression: str) -> subprocess.CompletedProcess[str]:
    """Import the settings module afresh in a process with exactly this environment."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "iom.settings", **environment}
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False
    )


def test_production_needs_a_secret_key():
    environment = {key: value for key, value in PRODUCTION.items() if key != "DJANGO_SECRET_KEY"}

    result = settings_in(environment, "settings.DEBUG")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_needs_a_redis_broker():
    environment = {key: value for key, value in PRODUCTION.items() if key != "REDIS_URL"}

    result = settings_in(environment, "settings.DEBUG")

    assert "REDIS_URL must be set" in result.stderr


def test_production_is_secure_by_default():
    result = settings_in(
        PRODUCTION,
        "settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "settings.SECURE_SSL_REDIRECT, settings.PASSWORD_HASHERS[0].endswith('Argon2PasswordHasher'), "
        "settings.LOG_FORMAT",
    )

    assert result.stdout.strip() == "False True True True True json", result.stderr


def test_session_limits_are_configurable():
    result = settings_in(
        {**PRODUCTION, "SESSION_IDLE_TIMEOUT_SECONDS": "600", "SESSION_ABSOLUTE_LIFETIME_SECONDS": "3600"},
        "settings.SESSION_COOKIE_AGE, settings.SESSION_ABSOLUTE_LIFETIME_SECONDS",
    )

    assert result.stdout.strip() == "600 3600", result.stderr


def test_a_malformed_number_is_a_clear_error():
    result = settings_in({**PRODUCTION, "SESSION_IDLE_TIMEOUT_SECONDS": "half an hour"}, "1")

    assert "SESSION_IDLE_TIMEOUT_SECONDS must be a whole number" in result.stderr


def test_development_runs_with_no_secrets_and_debug_on():
    result = settings_in(
        {"IOM_DEVELOPMENT": "1", "DATABASE_URL": "postgres://postgres@localhost/iom"},
        "settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CELERY_BROKER_URL",
    )

    assert result.stdout.strip() == "True False filesystem://", result.stderr
