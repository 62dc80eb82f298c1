"""The migrated template (clinic/schema_template.py): a new or changed migration makes a new one; nothing else does,
and the test databases are copies of it."""

from __future__ import annotations

import pytest
from django.db import connection

from clinic import schema_template


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "requirements.txt").write_text("Django==5.2\n")
    for folder in ("patients/migrations", "var/pgdata/migrations", ".venv/django/migrations"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "0001_initial.py").write_text("# first\n")
    (tmp_path / "patients/models.py").write_text("# models\n")
    monkeypatch.setattr(schema_template, "BASE_DIR", tmp_path)
    return tmp_path


def test_a_changed_or_added_migration_changes_the_digest(project):
    first = schema_template.digest()
    (project / "patients/migrations/0001_initial.py").write_text("# first, edited\n")
    edited = schema_template.digest()
    (project / "patients/migrations/0002_more.py").write_text("# second\n")
    assert len({first, edited, schema_template.digest()}) == 3


def test_a_new_requirement_pin_changes_the_digest(project):
    first = schema_template.digest()
    (project / "requirements.txt").write_text("Django==5.2.1\n")
    assert schema_template.digest() != first


def test_models_and_files_outside_the_project_source_leave_the_digest_alone(project):
    first = schema_template.digest()
    (project / "patients/models.py").write_text("# models, edited\n")
    (project / "var/pgdata/migrations/0001_initial.py").write_text("# not ours\n")
    (project / ".venv/django/migrations/0001_initial.py").write_text("# not ours\n")
    assert schema_template.digest() == first


@pytest.mark.django_db
def test_the_test_database_is_a_copy_of_the_current_template():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datistemplate FROM pg_database WHERE datname = %s",
            [schema_template.PREFIX + schema_template.digest()],
        )
        assert cursor.fetchone() == (True,)
    assert connection.settings_dict["TEST"]["TEMPLATE"] == schema_template.PREFIX + schema_template.digest()
