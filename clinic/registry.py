"""The one shape of every "apps above add to this page" registry: functions registered from an AppConfig.ready(),
each asked in turn and each free to add nothing (None). patients' panels and actions and infusions' hooks use it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Providers(Generic[T]):
    """An ordered set of providers ``fn(*args) -> T | None``; registering one twice changes nothing."""

    def __init__(self) -> None:
        self._providers: list[Callable[..., T | None]] = []

    def register(self, provider: Callable[..., T | None]) -> Callable[..., T | None]:
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def collect(self, *args: Any) -> list[T]:
        """What each provider gives for ``args``, in registration order, without the Nones."""
        return [found for provider in self._providers if (found := provider(*args)) is not None]

    def first(self, *args: Any) -> T | None:
        """The first provider's answer that is not None."""
        return next((found for provider in self._providers if (found := provider(*args)) is not None), None)
