"""The nurse and clinician who chart and sign the sessions of the infusions tests."""

from __future__ import annotations

import pytest

from clinic.accounts import roles
from tests.factories import UserFactory


@pytest.fixture
def nurse(db):
    return UserFactory(username="rn", role=roles.NURSE)


@pytest.fixture
def clinician(db):
    return UserFactory(username="md", role=roles.CLINICIAN)
