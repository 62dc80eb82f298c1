"""Copies of a session record with its signatures: printable (human-readable) and JSON (electronic), each logged as
a print or an export of the patient's record (21 CFR 11.10(b), 11.50; security.md F2, H2)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView, View

from clinic.canonical import canonical_value, sha256_hex
from clinic.signatures.services import Verification, key_of, verified_signatures
from infusions.selectors.chart import session_chart
from infusions.selectors.records import patient_electronic_copy
from infusions.signing import ADDENDUM_SCHEMA, SESSION_SCHEMA, addendum_signed_content, session_signed_content
from infusions.views.sessions import SessionMixin, signature_context
from patients.access import PatientRecordMixin

JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


class SessionPrintView(SessionMixin, TemplateView):
    """The session record for print: chart, discharge, note, signatures with their meaning and check, addenda."""

    permission_required = "infusions.view_vitalsign"
    template_name = "infusions/session_print.html"
    access_action = "print"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        session = self.get_session()
        chart = session_chart(session, self.request.user)
        return super().get_context_data(
            session=session, chart=chart, printed_at=timezone.now(), **signature_context(session, chart), **kwargs
        )


def _signature_json(verification: Verification) -> dict[str, Any]:
    signature = verification.signature
    return {
        "printed_name": signature.printed_name,
        "user_id": signature.signer_username,
        "signed_at_utc": canonical_value(signature.signed_at),
        "meaning": signature.meaning,
        "statement": signature.statement,
        "content_schema": signature.content_schema,
        "content_sha256": signature.content_sha256,
        "verified": verification.ok,
        "verification": verification.summary,
    }


class SessionExportView(SessionMixin, View):
    """The session's signed content and every signature, as JSON. Anyone can check a signature by hashing the
    canonical JSON of ``record`` (sorted keys, no spaces, UTF-8) with SHA-256 (clinic.canonical)."""

    permission_required = "infusions.view_vitalsign"
    access_action = "export"

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        session = self.get_session()
        self.get_patient()  # scope and the export's access-log row
        addenda = list(session.addenda.active())
        found = verified_signatures([session, *addenda])
        record = canonical_value(session_signed_content([session.pk])[session.pk])
        addenda_content = addendum_signed_content([a.pk for a in addenda])
        body = {
            "schema": SESSION_SCHEMA,
            "exported_at_utc": canonical_value(timezone.now()),
            "exported_by": request.user.get_username(),
            "record": record,
            "record_sha256": sha256_hex(record),
            "signatures": [_signature_json(v) for v in found.get(key_of(session), [])],
            "addenda": [
                {
                    "schema": ADDENDUM_SCHEMA,
                    "record": (content := canonical_value(addenda_content[a.pk])),
                    "record_sha256": sha256_hex(content),
                    "signatures": [_signature_json(v) for v in found.get(key_of(a), [])],
                }
                for a in addenda
            ],
        }
        # <, > and & as \u escapes (as Django's json_script does): the same JSON values, and no markup in the file
        # should a browser ever be coaxed into showing it as a page (security.md J1).
        text = json.dumps(body, indent=2, ensure_ascii=False).translate(JSON_ESCAPES)
        response = HttpResponse(text, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.json"'
        return response


class PatientExportView(PatientRecordMixin, View):
    """The electronic copy of the patient's whole record with its audit trail, as JSON, for a clinician (21 CFR
    11.10(b); security.md K2); the printable summary is the human-readable copy. Logged as an export (F2)."""

    permission_required = "infusions.view_patient_history"
    access_category = "electronic_copy"
    access_action = "export"

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        patient = self.get_patient()  # scope, permission and the export's access-log row
        body = {
            "exported_at_utc": canonical_value(timezone.now()),
            "exported_by": request.user.get_username(),
            **patient_electronic_copy(patient),
        }
        text = json.dumps(body, indent=2, ensure_ascii=False).translate(JSON_ESCAPES)
        response = HttpResponse(text, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}-record.json"'
        return response
