"""deploy/gunicorn.conf.py's hooks, run in-process with a stand-in worker."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.postgres.signals import get_citext_oids, get_hstore_oids
from django.db import connection

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


@pytest.mark.django_db(transaction=True)  # closes and reopens the connection: no test transaction around it
def test_a_new_worker_looks_up_the_postgres_type_ids_before_its_first_request():
    hooks = runpy.run_path(str(CONF))
    connection.close()
    get_hstore_oids.cache_clear()
    get_citext_oids.cache_clear()

    hooks["post_worker_init"](SimpleNamespace(pid=1))

    assert get_hstore_oids.cache_info().currsize == 1
    assert get_citext_oids.cache_info().currsize == 1
    assert connection.connection is None  # the request opens its own; the worker keeps none from start-up
