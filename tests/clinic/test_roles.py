"""The four roles hold exactly the permissions the clinic decided on."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from clinic.accounts import roles
from clinic.accounts.roles import ROLE_PERMISSIONS, sync_roles

pytestmark = pytest.mark.django_db

CLINICAL_PERMISSIONS = {"patients.view_patient", "patients.change_patient"}


def granted(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_each_role_holds_exactly_its_listed_permissions(role):
    assert granted(role) == set(ROLE_PERMISSIONS[role])


def test_every_listed_permission_exists():
    """A typo in ROLE_PERMISSIONS would silently grant nothing; catch it."""
    all_granted = set().union(*(granted(role) for role in ROLE_PERMISSIONS))
    assert all_granted == set().union(*ROLE_PERMISSIONS.values())


def test_clinic_admin_cannot_read_patient_records():
    assert not granted(roles.CLINIC_ADMIN) & CLINICAL_PERMISSIONS


def test_only_the_clinic_admin_reads_the_audit_trail():
    for role in ROLE_PERMISSIONS:
        assert ("clinic.view_audit_reports" in granted(role)) == (role == roles.CLINIC_ADMIN)


def test_sync_roles_is_idempotent_and_restores_a_removed_grant():
    Group.objects.get(name=roles.NURSE).permissions.clear()
    sync_roles()
    sync_roles()
    assert granted(roles.NURSE) == set(ROLE_PERMISSIONS[roles.NURSE])
    assert Group.objects.filter(name=roles.NURSE).count() == 1


def test_usernames_are_unique_regardless_of_case():
    from django.db import IntegrityError, transaction

    from tests.factories import UserFactory

    UserFactory(username="nurse.ann")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory._meta.model.objects.create(username="Nurse.Ann")
