"""The kinds of record that can be signed, each with the one function defining its signed content.

Apps register in ``AppConfig.ready()`` (dependencies stay one-way: ``clinic`` never imports an app). A content
function takes primary keys and returns ``{pk: content}``, reading everything in a fixed number of queries, so a page
or ``manage.py verify_signatures`` checks many signatures at once.

A kind's ``schema`` names the content definition. Changing what a kind's content contains means a new schema name,
and the old function stays registered under the old one, so earlier signatures still verify against what was signed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

ContentFunction = Callable[[Sequence[int]], dict[int, dict[str, Any]]]


@dataclass(frozen=True)
class SignedKind:
    model_label: str  # "infusions.infusionsession"
    schema: str  # "infusions.session/1"
    title: str  # "infusion session", for messages
    content: ContentFunction


_kinds: dict[str, SignedKind] = {}  # current definition per model label
_schemas: dict[str, SignedKind] = {}  # every definition ever registered, by schema


def register_signed_kind(model: type[Model], *, schema: str, title: str, content: ContentFunction) -> SignedKind:
    kind = SignedKind(model_label=model._meta.label_lower, schema=schema, title=title, content=content)
    _kinds[kind.model_label] = kind
    _schemas[schema] = kind
    return kind


def kind_for(model_label: str) -> SignedKind:
    try:
        return _kinds[model_label]
    except KeyError:
        raise LookupError(f"{model_label} is not registered as a signed kind (clinic.signatures.registry)") from None


def kind_for_schema(schema: str) -> SignedKind | None:
    return _schemas.get(schema)
