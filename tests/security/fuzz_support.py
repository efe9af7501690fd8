"""Plumbing of the API fuzzing: the WSGI application each generated request reaches, the hooks that
steer generated ids toward real objects, and the tally of what was sent and answered."""

import re
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import strategies as st
from rest_framework.fields import BooleanField

# Body, query and path values named so hold the id of an object of this kind (see FuzzWorld.ids).
ID_FIELDS = ("application", "reviewer", "assignment", "call", "item", "into", "round", "funder")
ID_LIST_FIELDS = {"questions": "questions", "calls": "calls", "steering_group": "reviewer"}
# Values that name an object by slug or code.
SLUG_FIELDS = {
    "call": "call_slugs",
    "prerequisite_call": "call_slugs",
    "focus_area": "focus_area_slugs",
    "focus_areas": "focus_area_slugs",
    "program": "program_codes",
}


class RolledBackApp:
    """Django's WSGI application with each request inside a savepoint that is rolled back afterwards:
    the fuzzer's writes never reach the test transaction, so every case meets the same world.

    As ``django.test.Client`` does, the request signals do not close the connection (it would end the
    test's transaction). An unhandled exception is kept with its traceback for the failure message.
    """

    def __init__(self, application) -> None:
        self.application = application
        self.exceptions: list[str] = []

    def _record(self, sender, request=None, **kwargs) -> None:
        self.exceptions.append(f"{request.method} {request.get_full_path()}\n{traceback.format_exc()}")

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        got_request_exception.connect(self._record)
        savepoint = transaction.atomic()
        savepoint._from_testcase = True  # services may open durable blocks, as under TestCase
        try:
            with savepoint:
                response = self.application(environ, start_response)
                try:
                    body = b"".join(response)
                finally:
                    response.close()
                transaction.set_rollback(True)
        finally:
            got_request_exception.disconnect(self._record)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


def _segment_before(path: str, name: str) -> str:
    parts = path.strip("/").split("/")
    return parts[parts.index("{" + name + "}") - 1]


def _is_int(value) -> bool:
    """An integer, or one as text (path and query values arrive as strings)."""
    if isinstance(value, str):
        return re.fullmatch(r"-?[0-9]+", value) is not None
    return isinstance(value, int) and not isinstance(value, bool)


def _real_or(value, known: list[int]):
    """Four times in five a real id instead of a generated integer (of the same type), the real one
    first (Hypothesis tries the simplest choice first); anything else stays as it is (a negative case
    keeps its invalid value)."""
    if not known or not _is_int(value):
        return st.just(value)
    real = st.sampled_from(known).map(type(value))
    return st.integers(0, 4).flatmap(lambda k: real if k < 4 else st.just(value))


def _real_slug_or(value, known: list[str]):
    """Like ``_real_or`` for references by slug or code (``call``, ``focus_area``, ``program``)."""
    if not known or not isinstance(value, str):
        return st.just(value)
    return st.integers(0, 4).flatmap(lambda k: st.sampled_from(known) if k < 4 else st.just(value))


def _biased_mapping(mapping, ids: dict[str, list]):
    if not isinstance(mapping, dict):
        return st.just(mapping)
    drawn = {}
    for key, value in mapping.items():
        if key in SLUG_FIELDS and isinstance(value, str):
            drawn[key] = _real_slug_or(value, ids.get(SLUG_FIELDS[key], []))
        elif key in SLUG_FIELDS and isinstance(value, list) and value:
            known = ids.get(SLUG_FIELDS[key], [])
            drawn[key] = st.tuples(*(_real_slug_or(item, known) for item in value)).map(list)
        elif key in ID_FIELDS:
            drawn[key] = _real_or(value, ids.get(key, []))
        elif key in ID_LIST_FIELDS and isinstance(value, list) and value:
            known = ids.get(ID_LIST_FIELDS[key], [])
            drawn[key] = st.tuples(*(_real_or(item, known) for item in value)).map(list)
        else:
            drawn[key] = st.just(value)
    return st.fixed_dictionaries(drawn)


def register_bias_hooks(schema, ids: dict[str, list[int]]) -> None:
    """Path ids by the URL segment before them (``applications/{id}``, ``team/{member_id}``), body and
    query fields by name: mostly ids of real objects, so that cases get past the 404."""

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        if not path_parameters:
            return st.just(path_parameters)
        path = context.operation.path
        segments = {name: _segment_before(path, name) for name in path_parameters}
        drawn = st.fixed_dictionaries(
            {name: _real_or(value, ids.get(segments[name], [])) for name, value in path_parameters.items()}
        )
        # A child under its parent (``applications/{id}/team/{member_id}``): mostly a pair that exists.
        pairs = ids.get("/".join(segments.values()), []) if len(path_parameters) == 2 else []
        if not pairs or not all(_is_int(value) for value in path_parameters.values()):
            return drawn
        names, types = list(path_parameters), [type(value) for value in path_parameters.values()]
        real = st.sampled_from(pairs).map(
            lambda pair: {name: kind(pk) for name, kind, pk in zip(names, types, pair, strict=True)}
        )
        return st.integers(0, 4).flatmap(lambda k: real if k < 4 else drawn)

    @schema.hook
    def filter_failure(context, failure, case, response):
        return not (
            _trimmed_to_length(failure, case)
            or _coerced_by_drf(failure, case)
            or _made_valid_by_bias(failure, case, ids)
        )

    @schema.hook
    def flatmap_body(context, body):
        return _biased_mapping(body, ids)

    @schema.hook
    def flatmap_query(context, query):
        return _biased_mapping(query, ids)


def _request_schema(case) -> dict:
    """The JSON request body's schema of the case's operation, its ``$ref`` resolved."""
    raw = case.operation.schema.raw_schema
    body = case.operation.definition.raw.get("requestBody", {})
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = raw["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _trimmed_to_length(failure, case) -> bool:
    """The one accepted "invalid" input that is not a bug: DRF trims whitespace around text before
    checking its length (``trim_whitespace``), so a string over ``maxLength`` only by whitespace at its
    ends is accepted, and stored trimmed. Any other accepted invalid input stays a failure."""
    if type(failure).__name__ != "AcceptedNegativeData" or not isinstance(case.body, dict):
        return False
    found = re.search(r"violates `maxLength` at /properties/(\w+)", failure.message)
    if found is None:
        return False
    value = case.body.get(found.group(1))
    limit = _request_schema(case).get("properties", {}).get(found.group(1), {}).get("maxLength")
    return isinstance(value, str) and limit is not None and len(value) > limit >= len(value.strip())


def _made_valid_by_bias(failure, case, ids: dict[str, list]) -> bool:
    """A negative case whose invalid field the bias hooks above then replaced by a real object's id or
    slug (``"" → "ocean-health"``): what was sent is valid, so its acceptance is right. Only when the
    value sent is exactly one of the world's ids or slugs for that field."""
    if type(failure).__name__ != "AcceptedNegativeData":
        return False
    found = re.search(r"at /properties/(\w+)", failure.message)
    if found is None:
        return False
    name = found.group(1)
    sent = [part.get(name) for part in (case.body, case.query) if isinstance(part, dict) and name in part]
    if not sent:
        return False
    known = [
        *ids.get(SLUG_FIELDS.get(name, ""), []),
        *(ids.get(name, []) if name in ID_FIELDS else []),
        *ids.get(ID_LIST_FIELDS.get(name, ""), []),
    ]
    values = sent[0] if isinstance(sent[0], list) else [sent[0]]
    return bool(known and values) and all((_is_int(v) and int(v) in known) or v in known for v in values)


BOOLEANS = BooleanField.TRUE_VALUES | BooleanField.FALSE_VALUES


def _coerced_by_drf(failure, case) -> bool:
    """The other accepted "invalid" input that is DRF's documented leniency, not a bug: a number where
    text is expected is taken as its text (CharField, DecimalField); an integer may come as text or
    as 3.0; a boolean as 1/0 or "true"/"false". A type mutation is dropped only when the value is one
    of those; anything else DRF would accept stays a failure."""
    if type(failure).__name__ != "AcceptedNegativeData" or not isinstance(case.body, dict):
        return False
    found = re.search(r"violates `type` at /properties/(\w+) \(was (\w+), became (\w+)\)", failure.message)
    if found is None:
        return False
    name, expected, sent = found.groups()
    value = case.body.get(name)
    if expected == "string":
        return sent in ("number", "integer") and not isinstance(value, bool)
    if expected == "integer":
        if isinstance(value, str):
            return re.fullmatch(r"\s*[+-]?[0-9]+(\.0*)?\s*", value) is not None
        return isinstance(value, float) and value.is_integer()
    if expected == "boolean":
        return isinstance(value, (str, int)) and value in BOOLEANS
    return False


@dataclass
class Tally:
    """Cases sent and statuses answered, per operation."""

    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    phases: Counter = field(default_factory=Counter)
    expected_operations: int = 0

    def add(self, label: str, status: int, phase: str) -> None:
        self.statuses[label][status] += 1
        self.phases[phase] += 1

    @property
    def cases(self) -> int:
        return sum(sum(counter.values()) for counter in self.statuses.values())

    def reached(self) -> set[str]:
        """Operations with at least one answer other than 404 (a real object was found)."""
        return {label for label, counter in self.statuses.items() if set(counter) - {404}}

    def summary(self) -> dict:
        by_status = Counter()
        for counter in self.statuses.values():
            by_status.update(counter)
        return {
            "operations": len(self.statuses),
            "cases": self.cases,
            "statuses": {str(code): n for code, n in sorted(by_status.items())},
            "beyond_404": len(self.reached()),
            "phases": dict(self.phases),
            "by_operation": {
                label: {str(code): n for code, n in sorted(counter.items())}
                for label, counter in sorted(self.statuses.items())
            },
        }
