"""The project's shape, checked: the apps' import contracts, and production without the development app."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PRODUCTION_ENVIRONMENT = {
    "DJANGO_SECRET_KEY": "layout-test-not-secret-0000000000000000000000000000000000",
    "DJANGO_ALLOWED_HOSTS": "iom.example",
    "DATABASE_URL": "postgres://unused@localhost/unused",
    "REDIS_URL": "redis://localhost:6379/0",
}


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120, check=False
    )


def source_copy(destination: Path) -> Path:
    """The project's Python packages and its pyproject.toml, as a tree to break on purpose."""
    for package in ROOT.iterdir():
        if (package / "__init__.py").exists() and package.name != "tests":
            shutil.copytree(package, destination / package.name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", destination / "pyproject.toml")
    return destination


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_import_contracts_fail_on_a_planted_cycle(tmp_path):
    tree = source_copy(tmp_path)
    roles = tree / "sharing" / "roles.py"
    roles.write_text(roles.read_text() + "\nimport cohorts.models  # noqa\n")

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "sharing is not allowed to import cohorts" in result.stdout


def test_the_import_contracts_fail_when_an_app_imports_the_configuration(tmp_path):
    tree = source_copy(tmp_path)
    services = tree / "cohorts" / "records" / "services.py"
    services.write_text(services.read_text() + "\nimport iom.settings  # noqa\n")

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "cohorts is not allowed to import iom" in result.stdout


def test_production_loads_nothing_from_the_development_app():
    """Production's settings, URLs, tasks and admin load without a module of demo/ (it is not shipped)."""
    environment = {key: value for key, value in os.environ.items() if key != "IOM_DEVELOPMENT"}
    environment.update(PRODUCTION_ENVIRONMENT)
    script = (
        "import sys, django; django.setup(); "
        "from django.conf import settings; from django.urls import get_resolver; "
        "get_resolver().url_patterns; import iom.celery; iom.celery.app.loader.import_default_modules(); "
        "from django.contrib import admin; admin.autodiscover(); "
        "assert 'demo' not in settings.INSTALLED_APPS; "
        "print(sorted(m for m in sys.modules if m == 'demo' or m.startswith('demo.')))"
    )

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_production_image_copies_every_installed_app_and_not_the_development_one():
    copied = re.findall(r"^COPY (?!--)(\S+) ", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    ours = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()}

    assert "." not in copied, "COPY . . would ship the development app"
    assert "demo" in ours, "the tests run with the development app installed"
    assert ours - {"demo"} <= set(copied)
    assert not {"demo", "tests", "docs"} & set(copied)
