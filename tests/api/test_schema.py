import re

import pytest
from openapi_spec_validator import validate


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_3(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Unpuzzle LMS API"


def test_schema_documents_only_the_versioned_api(schema):
    assert schema["paths"], "no paths documented"
    assert all(path.startswith("/api/v") for path in schema["paths"])
    assert "/api/v2/" in schema["paths"]


def test_problem_details_are_a_documented_component(schema):
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            default = operation["responses"]["default"]["content"]["application/problem+json"]
            assert default["schema"]["$ref"] == "#/components/schemas/Problem", (method, path)


def test_docs_render_from_local_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "docs page references no assets"
    for asset in assets:
        assert asset.startswith("/"), f"docs page loads {asset} from another host"
        if asset.startswith("/static/"):
            static = client.get(asset)
            assert static.status_code == 200, asset
            b"".join(static.streaming_content if static.streaming else [static.content])


def test_schema_generates_without_warnings():
    from django.core.management import call_command

    # --fail-on-warn turns every drf-spectacular warning (unresolvable types, enum name
    # collisions, missing serializers) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=open("/dev/null", "w"))  # noqa: SIM115
