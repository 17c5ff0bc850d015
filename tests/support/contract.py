"""The response contract: every test-client response of the API matches the OpenAPI schema.

A pytest plugin (registered from ``tests/conftest.py``). It wraps the one place every Django
and DRF test client goes through (``django.test.Client.request``, and the async client's),
and checks each response to a path under ``/api/v<n>/`` against the schema drf-spectacular
generates, once per session, in process:

- the operation (method + path template) is documented;
- the status is documented for it (a success or redirect explicitly; an error may fall back
  to the operation's documented ``default``, the problem-details shape);
- the content type is one the status documents, and a status documenting no content has
  an empty body;
- a JSON body validates against the response schema. Objects are closed: a field the schema
  does not list is a violation. Streaming responses (SSE, files, HLS) and non-JSON bodies
  (CSV, PDF) are checked for status and content type only.

Other paths under ``/api/`` (unknown paths, the reserved ``/api/v1/``) must answer with the
documented problem shape. The schema and docs pages, Wagtail's own authoring API
(``/api/cms/``) and ``OPTIONS`` (CORS preflight) are outside this contract.

A test opts out only with ``@pytest.mark.no_contract(reason=...)``.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

import pytest

API_PREFIX = "/api/"
VERSIONED = re.compile(r"^/api/v\d+/")
# Under /api/ but not the versioned API: the schema itself, its docs, Wagtail's API.
OUTSIDE = ("/api/schema/", "/api/docs/", "/api/redoc/", "/api/cms/")
PROBLEM_CONTENT_TYPE = "application/problem+json"
JSON_TYPE = re.compile(r"^application/(?:[\w.-]+\+)?json$")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class ContractViolation(AssertionError):
    """A response the OpenAPI schema does not describe."""


# --- OpenAPI 3.0 schema objects as JSON Schema 2020-12 ----------------------------------------


def to_json_schema(node):
    """An OpenAPI 3.0 schema object as JSON Schema (2020-12), for validating responses.

    ``nullable`` becomes a ``null`` alternative; objects listing ``properties`` without a
    word on ``additionalProperties`` are closed (an undocumented field is drift); a
    ``oneOf`` with a ``discriminator`` picks its branch by the discriminator's value;
    ``writeOnly`` properties may not appear in a response.
    """
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: to_json_schema(value) for key, value in node.items()}
    nullable = node.pop("nullable", False)
    discriminator = node.pop("discriminator", None)
    if discriminator and "oneOf" in node and discriminator.get("mapping"):
        name, mapping = discriminator["propertyName"], discriminator["mapping"]
        del node["oneOf"]
        node["required"] = [name]
        node["properties"] = {name: {"enum": sorted(mapping)}}
        node["additionalProperties"] = True  # each branch closes itself
        node["allOf"] = [
            {
                "if": {"properties": {name: {"const": value}}, "required": [name]},
                "then": {"$ref": ref},
            }
            for value, ref in mapping.items()
        ]
    if "properties" in node:
        write_only = [k for k, v in node["properties"].items() if v.get("writeOnly")]
        for name in write_only:
            node["properties"][name] = False
        node["required"] = [k for k in node.get("required", []) if k not in write_only]
        node.setdefault("additionalProperties", False)
    if nullable:
        return {"anyOf": [node, {"type": "null"}]}
    return node


def _absolute_uri(value) -> bool:
    # "Every URL field is absolute": a documented ``uri`` carries its scheme.
    return not isinstance(value, str) or bool(SCHEME.match(value))


# --- The checker ---------------------------------------------------------------------------


@dataclass
class Operation:
    method: str
    template: str
    responses: dict


@dataclass
class Contract:
    schema: dict
    checked: int = 0
    bodies: int = 0
    _validators: dict = field(default_factory=dict)

    @classmethod
    def generate(cls) -> Contract:
        from drf_spectacular.generators import SchemaGenerator

        return cls(SchemaGenerator().get_schema(request=None, public=True))

    @cached_property
    def _components(self) -> dict:
        return to_json_schema(self.schema.get("components", {}))

    @cached_property
    def _routes(self) -> list[tuple[re.Pattern, str, dict]]:
        routes = []
        for template, operations in self.schema["paths"].items():
            parts = re.split(r"(\{[^}]+\})", template)
            pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
            literal = sum(len(p) for p in parts if not p.startswith("{"))
            routes.append((re.compile(f"^{pattern}$"), template, operations, literal))
        # The most literal template wins (`/certificates/issuer/` over `/certificates/{id}/`).
        routes.sort(key=lambda route: -route[3])
        return [route[:3] for route in routes]

    @cached_property
    def _format_checker(self):
        from jsonschema import Draft202012Validator

        checker = copy.deepcopy(Draft202012Validator.FORMAT_CHECKER)
        checker.checks("uri")(_absolute_uri)
        return checker

    def operation(self, method: str, path: str) -> Operation | None:
        for pattern, template, operations in self._routes:
            if pattern.match(path):
                found = operations.get(method.lower())
                return Operation(method.upper(), template, found["responses"]) if found else None
        return None

    def validator(self, key: tuple, schema: dict):
        """``(fast, explain)``: jsonschema-rs decides (compiled, ~50x faster on a suite of
        thousands of responses); the Python validator words the error when it fails."""
        validators = self._validators.get(key)
        if validators is None:
            import jsonschema_rs
            from jsonschema import Draft202012Validator

            root = {**to_json_schema(schema), "components": self._components}
            fast = jsonschema_rs.Draft202012Validator(
                root, formats={"uri": _absolute_uri}, validate_formats=True
            )
            explain = Draft202012Validator(root, format_checker=self._format_checker)
            validators = self._validators[key] = (fast, explain)
        return validators

    def validate_body(self, key: tuple, schema: dict, body, where: str) -> None:
        from jsonschema.exceptions import best_match

        fast, explain = self.validator(key, schema)
        if fast.is_valid(body):
            return
        error = best_match(explain.iter_errors(body))
        if error is None:  # only jsonschema-rs objects: its own words
            raise ContractViolation(f"{where}: {next(fast.iter_errors(body))}")
        at = "/".join(str(p) for p in error.absolute_path) or "(body)"
        raise ContractViolation(f"{where}: at {at}: {error.message}")

    def check(self, method: str, path: str, response) -> None:
        """Raise :class:`ContractViolation` when ``response`` breaks the documented contract."""
        method = method.upper()
        if method == "OPTIONS" or not path.startswith(API_PREFIX) or path.startswith(OUTSIDE):
            return
        self.checked += 1
        status = response.status_code
        content_type = (response.get("Content-Type") or "").split(";")[0].strip().lower()
        where = f"{method} {path} -> {status} {content_type or '(no content type)'}"
        operation = (
            self.operation("GET" if method == "HEAD" else method, path)
            if VERSIONED.match(path)
            else None
        )
        if operation is None:
            if status < 400:
                raise ContractViolation(f"{where}: the operation is not in the OpenAPI schema")
            self._check_problem(("problem",), response, content_type, where)
            return
        where = f"{method} {operation.template} -> {status} {content_type or '(none)'}"
        documented = operation.responses.get(str(status))
        if documented is None:
            if status < 400 or "default" not in operation.responses:
                raise ContractViolation(
                    f"{where}: status {status} is not documented "
                    f"(documented: {', '.join(sorted(operation.responses))})"
                )
            documented = operation.responses["default"]
            status_key = "default"
        else:
            status_key = str(status)
        content = documented.get("content") or {}
        if not content:
            if not response.streaming and response.content and method != "HEAD":
                raise ContractViolation(f"{where}: the schema documents no body for {status}")
            return
        content_type = _documented_type(content_type, content)
        if content_type not in content:
            raise ContractViolation(
                f"{where}: content type not documented (documented: {', '.join(content)})"
            )
        schema = content[content_type].get("schema")
        streamed = response.streaming or method == "HEAD"
        if streamed or not schema or not JSON_TYPE.match(content_type):
            return
        self.bodies += 1
        self.validate_body(
            (method, operation.template, status_key, content_type),
            schema,
            _json(response, where),
            where,
        )

    def _check_problem(self, key, response, content_type, where) -> None:
        if content_type != PROBLEM_CONTENT_TYPE:
            raise ContractViolation(f"{where}: an API error must be {PROBLEM_CONTENT_TYPE}")
        self.bodies += 1
        schema = {"$ref": "#/components/schemas/ValidationProblem"}
        body = _json(response, where)
        if body.get("errors") is None:
            schema = {"$ref": "#/components/schemas/Problem"}
        self.validate_body((*key, schema["$ref"]), schema, body, where)


def _documented_type(content_type: str, content: dict) -> str:
    """The documented media type (or range, ``video/*``, ``*/*``) ``content_type`` falls under."""
    if content_type in content:
        return content_type
    for candidate in (content_type.split("/")[0] + "/*", "*/*"):
        if candidate in content:
            return candidate
    return content_type


def _json(response, where: str):
    try:
        return json.loads(response.content or b"null")
    except ValueError as error:
        raise ContractViolation(f"{where}: the body is not JSON ({error})") from None


# --- The plugin -------------------------------------------------------------------------------

_state: dict = {"contract": None, "enabled": False}


def contract() -> Contract:
    if _state["contract"] is None:
        _state["contract"] = Contract.generate()
    return _state["contract"]


def _checked(response):
    if not _state["enabled"]:
        return response
    request = getattr(response, "request", None) or {}
    # A WSGI environ (Client) or an ASGI scope (AsyncClient).
    path = request.get("PATH_INFO") or request.get("path") or ""
    method = request.get("REQUEST_METHOD") or request.get("method") or "GET"
    if path.startswith(API_PREFIX):
        contract().check(method, urlsplit(path).path, response)
    return response


def pytest_configure(config):
    from django.test import client as test_client

    sync_request = test_client.Client.request
    async_request = test_client.AsyncClient.request

    def request(self, **kwargs):
        return _checked(sync_request(self, **kwargs))

    async def arequest(self, **kwargs):
        return _checked(await async_request(self, **kwargs))

    test_client.Client.request = request
    test_client.AsyncClient.request = arequest


@pytest.fixture(autouse=True)
def _response_contract(request):
    """Check every API response of the test against the OpenAPI schema (see module doc)."""
    marker = request.node.get_closest_marker("no_contract")
    if marker is not None and not (marker.kwargs.get("reason") or marker.args):
        pytest.fail("@pytest.mark.no_contract needs a reason")
    _state["enabled"] = marker is None
    yield
    _state["enabled"] = False


def pytest_terminal_summary(terminalreporter):
    if _state["contract"] is not None:
        found = _state["contract"]
        terminalreporter.write_line(
            f"response contract: {found.checked} API responses checked against the OpenAPI "
            f"schema ({found.bodies} bodies validated)"
        )
