"""The checklist reference data: seeded with sources, re-ensured after migrate, never overwritten."""

from __future__ import annotations

import pytest
from django.apps import apps

from patients.choices import ContraindicationLevel
from patients.models import ContraindicationItem
from patients.reference import ITEMS, ensure_contraindication_items

pytestmark = pytest.mark.django_db


def test_every_seeded_item_has_a_level_and_a_source():
    assert ContraindicationItem.objects.count() == len(ITEMS) == 9
    for item in ContraindicationItem.objects.all():
        assert item.level in ContraindicationLevel.values
        assert item.source


def test_absolute_items_are_the_spravato_label_contraindications():
    absolute = set(ContraindicationItem.objects.filter(level="absolute").values_list("code", flat=True))
    assert absolute == {"aneurysm_avm_ich", "ketamine_hypersensitivity"}


def test_ensuring_again_restores_missing_items_but_keeps_an_admins_edits():
    ContraindicationItem.objects.filter(code="pregnancy").update(label="Pregnant or breastfeeding", is_active=False)
    ContraindicationItem.objects.filter(code="active_sud").delete()
    ensure_contraindication_items(apps)
    pregnancy = ContraindicationItem.objects.get(code="pregnancy")
    assert (pregnancy.label, pregnancy.is_active) == ("Pregnant or breastfeeding", False)
    assert ContraindicationItem.objects.filter(code="active_sud").exists()
