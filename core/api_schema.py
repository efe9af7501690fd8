"""``/api/schema/``: the OpenAPI schema, generated once per process.

The schema is public (the same for every caller) and depends on the code only, while generating it
costs about a second of CPU: on an endpoint anyone may call, that kept a web worker busy per request.
It is built without the caller's request, so nothing of the first caller (their user) shapes it.
"""

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    _schemas: dict = {}  # (version, language) → the schema; shared by the process's requests

    def _get_schema_response(self, request):
        # Not ``?version=``: the API has no versioning, and each new value would be a second of CPU
        # and a schema kept in memory for good (a cache anyone could fill).
        version = self.api_version or request.version
        key = (version, translation.get_language())
        schema = self._schemas.get(key)
        if schema is None:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            schema = self._schemas[key] = generator.get_schema(request=None, public=self.serve_public)
        filename = self._get_filename(request, version)
        return Response(data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'})
