"""The response contract fixture (``tests/support/contract.py``) catches drift."""

from __future__ import annotations

import pytest
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse

from api.problems import problem_response
from tests.support.contract import ContractViolation, contract, to_json_schema

ROOT = {
    "name": "Unpuzzle LMS API",
    "version": "v2",
    "links": {"schema": "http://testserver/api/schema/"},
}


def check(method: str, path: str, response) -> None:
    contract().check(method, path, response)


def test_a_documented_response_passes():
    check("GET", "/api/v2/", JsonResponse(ROOT))


def test_an_undocumented_field_fails():
    with pytest.raises(ContractViolation, match="secret"):
        check("GET", "/api/v2/", JsonResponse({**ROOT, "secret": "x"}))


def test_a_missing_required_field_fails():
    body = {key: value for key, value in ROOT.items() if key != "version"}
    with pytest.raises(ContractViolation, match="version"):
        check("GET", "/api/v2/", JsonResponse(body))


def test_a_relative_url_in_a_uri_field_fails():
    with pytest.raises(ContractViolation, match="uri"):
        check("GET", "/api/v2/", JsonResponse({**ROOT, "links": {"schema": "/api/schema/"}}))


def test_an_undocumented_success_status_fails():
    with pytest.raises(ContractViolation, match="status 201 is not documented"):
        check("GET", "/api/v2/", JsonResponse(ROOT, status=201))


def test_an_undocumented_content_type_fails():
    with pytest.raises(ContractViolation, match="content type"):
        check("GET", "/api/v2/", HttpResponse("<html></html>", content_type="text/html"))


def test_an_error_falls_back_to_the_documented_problem_shape():
    check("GET", "/api/v2/", problem_response(status=406, code="not_acceptable", detail="No."))
    with pytest.raises(ContractViolation, match="content type"):
        check("GET", "/api/v2/", JsonResponse({"detail": "No."}, status=406))


def test_an_undocumented_operation_fails():
    with pytest.raises(ContractViolation, match="not in the OpenAPI schema"):
        check("GET", "/api/v2/no-such-thing/", JsonResponse({}))
    with pytest.raises(ContractViolation, match="not in the OpenAPI schema"):
        check("DELETE", "/api/v2/", HttpResponse(status=204))


def test_unknown_api_paths_answer_with_the_problem_shape():
    check("GET", "/api/nowhere/", problem_response(status=404, code="not_found", detail="No."))
    with pytest.raises(ContractViolation, match="problem"):
        check("GET", "/api/nowhere/", HttpResponse("Not found", status=404))
    with pytest.raises(ContractViolation, match="problem"):
        check("GET", "/api/nowhere/", JsonResponse({"detail": "No."}, status=404))


def test_streaming_responses_are_checked_for_status_and_content_type_only():
    path = "/api/v2/media/stream/abc/master.m3u8"
    check("GET", path, StreamingHttpResponse(iter([b"#EXTM3U"]), "application/vnd.apple.mpegurl"))
    with pytest.raises(ContractViolation, match="content type"):
        check("GET", path, StreamingHttpResponse(iter([b"x"]), content_type="text/plain"))


def test_nullable_and_discriminated_schemas_become_json_schema():
    schema = to_json_schema(
        {
            "oneOf": [{"$ref": "#/a"}, {"$ref": "#/b"}],
            "discriminator": {"propertyName": "kind", "mapping": {"a": "#/a", "b": "#/b"}},
            "nullable": True,
        }
    )
    union, null = schema["anyOf"]
    assert null == {"type": "null"}
    assert union["properties"] == {"kind": {"enum": ["a", "b"]}}
    assert union["allOf"][1]["then"] == {"$ref": "#/b"}
    closed = to_json_schema({"type": "object", "properties": {"a": {"writeOnly": True}}})
    assert closed["additionalProperties"] is False
    assert closed["properties"]["a"] is False


def test_test_clients_are_checked(client):
    before = contract().checked
    assert client.get("/api/v2/").status_code == 200
    assert contract().checked == before + 1


@pytest.mark.no_contract(reason="proves the opt-out turns the check off")
def test_the_opt_out_turns_the_check_off(client):
    before = contract().checked
    client.get("/api/v2/")
    assert contract().checked == before
