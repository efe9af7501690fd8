"""The project's OpenAPI schema class: every operation documents the errors the API answers, in the
one shape ``core.api.exception_handler`` gives them (``{"detail": ...}``), without each view having
to repeat them. Settings: ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "core.openapi.AutoSchema"``.

- 401 and 403 on every operation: not signed in, a bad token, or not allowed (the API answers 403
  to a missing or invalid credential, as session authentication comes first);
- 404 where the path names an object (not found, or not yours to see) and on paginated lists
  (a page past the end);
- 400 on writes and wherever query parameters are read (filters, ordering, pages);
- 409 on writes: the services refuse what the object's state does not allow now;
- 429 where a throttle applies (DRF throttles, or django-axes locking out sign-in attempts).

An operation's own ``extend_schema`` responses win over these defaults (their wording is kept).
"""

from drf_spectacular import openapi
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.api import ALL_ERROR_RESPONSES as ERROR_RESPONSES


class AutoSchema(openapi.AutoSchema):
    def _is_listing(self) -> bool:
        """A list action of a viewset: the only responses paginated and filtered by the backends. A
        nested collection (``applications/{id}/team/``) is a plain list."""
        action = getattr(self.view, "action", None)
        return action == "list" if action is not None else False

    def get_filter_backends(self):
        return super().get_filter_backends() if self._is_listing() else []

    def _get_filter_parameters(self):
        """An empty choice (``?status=``) means "any", as in the portal's forms: say so."""
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            enum = parameter.get("schema", {}).get("enum")
            if enum is not None and "" not in enum:
                enum.append("")
        return parameters

    def _get_paginator(self):
        return super()._get_paginator() if self._is_listing() else None

    def _anonymous_allowed(self) -> bool:
        """Whether the view's permission classes let an anonymous caller in (for this method), so the
        schema offers no authentication as one of the options: probed, not guessed from class names."""
        from django.contrib.auth.models import AnonymousUser

        probe = Request(APIRequestFactory().generic(self.method, self.path))
        probe.user = AnonymousUser()
        try:
            return all(p.has_permission(probe, self.view) for p in self.view.get_permissions())
        except Exception:  # a permission that needs more than the request: assume it wants a user
            return False

    def get_auth(self):
        auths = super().get_auth()
        if {} not in auths and self._anonymous_allowed():
            auths.append({})
        return auths

    def error_statuses(self) -> set[int]:
        codes = {401, 403}
        writes = self.method not in SAFE_METHODS
        if "{" in self.path or self._get_paginator() is not None:
            codes.add(404)
        reads_query = any(parameter["in"] == "query" for parameter in self._get_parameters())
        if writes or reads_query:
            codes.add(400)
        if writes and not self._signs_in():
            codes.add(409)
        if self.view.get_throttles() or self._signs_in():
            codes.add(429)
        return codes

    def _signs_in(self) -> bool:
        """The token endpoint checks a password: django-axes may lock the caller out (429)."""
        from rest_framework.authtoken.views import ObtainAuthToken

        return isinstance(self.view, ObtainAuthToken)

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A decimal sent as a string needs a digit (drf-spectacular's pattern also lets "", "-" and
        "." through, which the API refuses), and no sign where the field has no negative values."""
        content = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and "pattern" in content:
            whole, places = field.max_whole_digits, field.decimal_places
            sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
            fraction = rf"\.\d{{0,{places}}}" if places else r"\.?"
            whole_part = rf"\d{{1,{whole}}}" if whole else "0"
            body = rf"{whole_part}(?:{fraction})?" + (rf"|\.\d{{1,{places}}}" if places else "")
            content["pattern"] = rf"^{sign}(?:{body})$"
        return content

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in sorted(self.error_statuses()):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    ERROR_RESPONSES[code], str(code), direction=direction
                )
        return responses
