"""The 360Giving schemas (copied unchanged into tests/portfolio/schemas/) as a validator that never
touches the network: the package's $ref to the grant schema's remote address resolves to the local file."""

import json
import re
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMAS = Path(__file__).resolve().parent / "schemas"


def _load(name: str) -> dict:
    path = SCHEMAS / name
    assert path.exists(), f"{path} is missing: the 360Giving schemas are needed to validate the export"
    return json.loads(path.read_text())


@cache
def grant_schema() -> dict:
    return _load("360-giving-schema.json")


@cache
def package_validator() -> Draft202012Validator:
    package = _load("360-giving-package-schema.json")
    grant = grant_schema()
    # The schemas say "$schema": "http://json-schema.org/draft/2020-12/schema", which the detector does
    # not know: name the specification. The package refers to the grant schema by its 1.4.2 address,
    # the grant schema calls itself 1.4.3: both point at the local file. No retrieve: nothing else resolves.
    resource = Resource(contents=grant, specification=DRAFT202012)
    reference = package["properties"]["grants"]["items"]["$ref"]
    registry = Registry().with_resources([(reference, resource), (grant["$id"], resource)])
    return Draft202012Validator(
        package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def errors(data: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in package_validator().iter_errors(data)
    ]


def column_titles() -> set[str]:
    """Every column title the standard's schema allows in a one-sheet CSV ("Funding Org:Name", with
    list items numbered, "Funding Org:0:Name"), written with {n} for the number."""
    schema = grant_schema()
    defs = schema["$defs"]

    def resolve(node: dict) -> dict:
        ref = node.get("$ref", "")
        return defs[ref.rsplit("/", 1)[-1]] if ref.startswith("#/$defs/") else node

    titles: set[str] = set()

    def walk(node: dict, prefix: str) -> None:
        for prop in node.get("properties", {}).values():
            target = resolve(prop)
            title = prop.get("title") or target.get("title")
            if not title:
                continue
            path = prefix + title
            items = resolve(target["items"]) if target.get("type") == "array" and "items" in target else None
            if items is not None and items.get("properties"):
                walk(items, path + ":")
                walk(items, path + ":{n}:")
            elif target.get("properties"):
                walk(target, path + ":")
            else:
                titles.add(path)

    walk(schema, "")
    return titles


def as_template(title: str) -> str:
    return re.sub(r":\d+:", ":{n}:", title)
