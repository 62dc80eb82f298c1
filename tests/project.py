"""The project's own code, for the tests that scan it: every installed app that lives in this repository."""

from pathlib import Path

from django.apps import apps
from django.conf import settings


def project_packages() -> list[str]:
    """Top-level packages of the installed apps kept in the repository (clinic, patients, infusions, ...), in
    INSTALLED_APPS order."""
    base = Path(settings.BASE_DIR).resolve()
    found: list[str] = []
    for config in apps.get_app_configs():
        top = config.name.split(".")[0]
        if (base / top).is_dir() and Path(config.path).resolve().is_relative_to(base / top) and top not in found:
            found.append(top)  # an app of the repository, not one installed in a virtualenv kept under it
    return found
