"""Electronic signatures per 21 CFR Part 11, for any record an app registers as signable.

- ``registry``: each app registers, per signed kind, the ONE function that builds the clinically meaningful content
  of its records (``infusions.signing``), with a schema name so a later definition never rewrites an old hash.
- ``services.reauthenticate``: the signer enters their password again for every signature, even within an active
  session (11.200(a)); a wrong password signs nothing and is reported through :func:`signature_failed`.
- ``services.signature_create``: stores who signed (the account and the printed name at signing time), when (UTC),
  the meaning (authorship, review, approval, responsibility; 11.50) and a SHA-256 over the canonical JSON of the
  content (``clinic.canonical``), linked to the record so it cannot be moved to another (11.70). Rows are append-only
  in the database.
- ``services.signatures_verify`` recomputes the content and reports what changed; ``manage.py verify_signatures``
  exits non-zero on any mismatch.

Ref: security.md 3.3 and H2-H4; issue #7.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("clinic.signatures")


def signature_failed(*, user: Any, reason: str, record: Any = None, request: Any = None) -> None:
    """A signing attempt was refused (wrong password, inactive account). 11.300(d) asks for attempts at
    unauthorised use to be detected and reported at once: this hook is the one place they pass through.

    It writes a WARNING to the ``clinic.signatures`` log (ids only, never patient data). The audit trail's
    authentication event (a failed sign-in naming the signature, counted towards lockout) is written by the
    password check itself (``clinic.accounts.passwords.password_confirm``).
    """
    label = record._meta.label_lower if record is not None else "-"
    object_id = getattr(record, "pk", None) or "-"
    address = request.META.get("REMOTE_ADDR", "-") if request is not None else "-"
    logger.warning(
        "Electronic signature refused: user=%s reason=%s record=%s:%s address=%s",
        getattr(user, "pk", None),
        reason,
        label,
        object_id,
        address,
    )
