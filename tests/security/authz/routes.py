"""Walk the URLconf: every route the project serves, with its namespaced name, its pattern and what
kind it is (admin, API, portal; a DRF format-suffix variant of another route)."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

SUFFIX = re.compile(r"\\\.\(\?P<format>|<drf_format_suffix:format>")


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern, e.g. "applications/<int:pk>/" or "api/v1/^calls/(?P<pk>\d+)/$"
    name: str | None  # namespaced, e.g. "applications:application_detail"; None for unnamed routes
    callback: object

    @property
    def key(self) -> str:
        """How the matrix names the route: its namespaced name, or its pattern when it has none."""
        return self.name or self.pattern

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith("admin/")

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def is_suffix(self) -> bool:
        """A DRF format-suffix variant (``….json``) of the route of the same name."""
        return bool(SUFFIX.search(self.pattern))

    @property
    def kind(self) -> str:
        return "admin" if self.is_admin else "api" if self.is_api else "portal"

    def allowed_methods(self) -> set[str] | None:
        """For DRF views: the methods the view answers (besides OPTIONS and HEAD); None for others."""
        actions = getattr(self.callback, "actions", None)
        cls = getattr(self.callback, "cls", None)
        if cls is None:
            return None
        if actions:
            return {method.upper() for method in actions} - {"OPTIONS", "HEAD"}
        names = getattr(cls, "http_method_names", [])
        return {m.upper() for m in names if m not in ("options", "head") and hasattr(cls, m)}


def _walk(resolver: URLResolver, prefix: str, namespace: str | None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name
            if name and namespace:
                name = f"{namespace}:{name}"
            yield Route(prefix + str(entry.pattern), name, entry.callback)


def all_routes() -> list[Route]:
    """Every route of the URLconf, in the order Django tries them."""
    return list(_walk(get_resolver(), "", None))
