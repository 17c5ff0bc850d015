import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


ACCOUNT_OPERATIONS = [
    ("post", "/api/v2/auth/register/"),
    ("post", "/api/v2/auth/verify-email/"),
    ("post", "/api/v2/auth/verify-email/resend/"),
    ("post", "/api/v2/auth/token/"),
    ("post", "/api/v2/auth/token/refresh/"),
    ("post", "/api/v2/auth/logout/"),
    ("post", "/api/v2/auth/password-reset/"),
    ("post", "/api/v2/auth/password-reset/confirm/"),
    ("get", "/api/v2/me/"),
    ("patch", "/api/v2/me/"),
    ("delete", "/api/v2/me/"),
    ("post", "/api/v2/me/password/"),
    ("get", "/api/v2/me/sessions/"),
    ("delete", "/api/v2/me/sessions/{session_id}/"),
    ("get", "/api/v2/me/export/"),
    ("get", "/api/v2/me/instructor-request/"),
    ("post", "/api/v2/me/instructor-request/"),
    ("put", "/api/v2/users/{user_id}/roles/"),
]


@pytest.mark.parametrize(("method", "path"), ACCOUNT_OPERATIONS)
def test_every_account_endpoint_is_documented_with_its_errors(schema, method, path):
    operation = schema["paths"][path][method]
    responses = operation["responses"]
    success = [code for code in responses if code.startswith("2")]
    assert success, f"{method} {path} documents no success response"
    if method in ("post", "put", "patch") or (method == "delete" and path == "/api/v2/me/"):
        assert "requestBody" in operation, f"{method} {path} documents no request body"
    if method in ("post", "put", "patch"):
        ref = responses["400"]["content"]["application/problem+json"]["schema"]["$ref"]
        assert ref.endswith("/ValidationProblem")
    if path.startswith("/api/v2/me/") or path.startswith("/api/v2/users/"):
        assert "401" in responses and "403" in responses
    if "{" in path:
        assert "404" in responses
    assert responses["default"]["content"]["application/problem+json"]


def test_throttled_endpoints_document_429(schema):
    for path in ["/api/v2/auth/token/", "/api/v2/auth/register/", "/api/v2/auth/password-reset/"]:
        assert "429" in schema["paths"][path]["post"]["responses"]


def test_profile_and_sessions_query_budgets(student, as_user, django_assert_max_num_queries):
    client = as_user(student)
    for _ in range(5):
        as_user(student)
    with django_assert_max_num_queries(3):
        assert client.get("/api/v2/me/").status_code == 200
    with django_assert_max_num_queries(3):
        response = client.get("/api/v2/me/sessions/")
    assert response.json()["count"] == 6
    assert len(response.json()["results"]) == 6
