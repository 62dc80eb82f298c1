"""Every page about one patient writes exactly one access-log row for that patient (security.md F1, F4).

The pages come from the URL × role matrix: every URL whose path names one of the patient's records (the patient, a
course, a session, a side effect, a questionnaire), opened by each role the matrix lets in. A new page of that kind
is checked here as soon as it is in the matrix. The requests are plain server calls (no browser), so the log is
written by the server itself (F4).
"""

from __future__ import annotations

from http import HTTPStatus

import pytest

from clinic.audit.models import PatientAccessEvent
from tests.security.support import signed_in
from tests.test_url_permissions import MATRIX, OK, make_objects, url_for, url_kwargs

pytestmark = pytest.mark.django_db


def pages_about_one_patient(objs: dict) -> list[str]:
    """URL names whose path names one patient's record (stock pages name vials and ledger entries)."""
    return sorted(
        name
        for name in MATRIX
        if url_kwargs(name, objs) is not None and not name.startswith(("infusions:stock_", "admin:"))
    )


# The number of such pages each role opens: the walk finds them (the clinic admin opens none).
EXPECTED_AT_LEAST = {"front_desk": 8, "nurse": 34, "clinician": 42}


@pytest.mark.parametrize("role", sorted(EXPECTED_AT_LEAST))
def test_every_page_about_one_patient_logs_exactly_one_access_for_that_patient(role):
    objs = make_objects()
    names = [name for name in pages_about_one_patient(objs) if MATRIX[name][1][role] == OK]
    assert len(names) >= EXPECTED_AT_LEAST[role], names
    client, user = signed_in(role)

    failures = []
    for name in names:
        url = url_for(name, objs)
        before = PatientAccessEvent.objects.count()
        response = client.get(url)
        new = list(PatientAccessEvent.objects.order_by("-id")[: PatientAccessEvent.objects.count() - before])
        if response.status_code != HTTPStatus.OK:
            failures.append(f"{url} -> {response.status_code}")
        elif [(e.patient_id, e.user_id, e.path) for e in new] != [(objs["patient"].pk, user.pk, url)]:
            failures.append(f"{url} logged {[(e.patient_id, e.user_id, e.path) for e in new]}")

    assert not failures, failures
