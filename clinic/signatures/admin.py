"""Signatures in the admin: read-only evidence, like the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from clinic.signatures.models import ElectronicSignature


@admin.register(ElectronicSignature)
class ElectronicSignatureAdmin(admin.ModelAdmin):
    list_display = ["signed_at", "printed_name", "meaning", "content_type", "object_id", "content_sha256"]
    list_filter = ["meaning", "content_type"]
    search_fields = ["printed_name", "signer_username", "content_sha256"]
    list_select_related = ["content_type", "signer"]
    date_hierarchy = "signed_at"
    show_full_result_count = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
