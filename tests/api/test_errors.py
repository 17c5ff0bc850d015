import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from api.exceptions import flatten_errors

factory = APIRequestFactory()

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


class AddressSerializer(serializers.Serializer):
    city = serializers.CharField(max_length=5)


class SignupSerializer(serializers.Serializer):
    email = serializers.EmailField()
    age = serializers.IntegerField(min_value=0)
    address = AddressSerializer()
    tags = serializers.ListField(child=serializers.CharField(max_length=3))

    def validate(self, attrs):
        if attrs.get("age") == 13:
            raise serializers.ValidationError("Unlucky.", code="unlucky")
        return attrs


class SignupView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class RaisingView(APIView):
    permission_classes = [AllowAny]
    error: Exception | None = None

    def get(self, request):
        raise self.error


def call(view, method="get", data=None, **kwargs):
    request = getattr(factory, method)("/api/v2/test/", data=data, format="json", **kwargs)
    response = view(request)
    response.render()
    return response


def test_validation_errors_are_problem_details_with_field_paths():
    response = call(
        SignupView.as_view(),
        "post",
        {"email": "nope", "age": -1, "address": {"city": "Amsterdam"}, "tags": ["ok", "toolong"]},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.data
    assert body.keys() >= PROBLEM_KEYS
    assert (body["code"], body["status"]) == ("invalid", 400)
    assert body["type"] == "urn:unpuzzle:problem:invalid"
    assert body["errors"]["email"] == [
        {"code": "invalid", "message": "Enter a valid email address."}
    ]
    assert body["errors"]["age"][0]["code"] == "min_value"
    assert body["errors"]["address.city"][0]["code"] == "max_length"
    assert body["errors"]["tags.1"][0]["code"] == "max_length"


def test_missing_fields_and_non_field_errors():
    missing = call(SignupView.as_view(), "post", {})
    assert {e[0]["code"] for e in missing.data["errors"].values()} == {"required"}
    unlucky = call(
        SignupView.as_view(),
        "post",
        {"email": "a@example.com", "age": 13, "address": {"city": "Rome"}, "tags": []},
    )
    assert unlucky.data["errors"] == {
        "non_field_errors": [{"code": "unlucky", "message": "Unlucky."}]
    }


def test_malformed_json_is_a_400_problem():
    request = factory.post("/api/v2/test/", data="{not json", content_type="application/json")
    response = SignupView.as_view()(request)
    response.render()
    assert response.status_code == 400
    assert response.data["code"] == "parse_error"
    assert response.data.keys() >= PROBLEM_KEYS


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (Http404(), 404, "not_found"),
        (exceptions.NotFound(), 404, "not_found"),
        (exceptions.PermissionDenied(), 403, "permission_denied"),
        (
            exceptions.PermissionDenied("Enroll first.", code="enrollment_required"),
            403,
            "enrollment_required",
        ),
        (exceptions.Throttled(wait=7), 429, "throttled"),
        (DjangoValidationError({"title": ["Too long."]}), 400, "invalid"),
    ],
)
def test_exceptions_map_to_problem_details(error, status, code):
    view = RaisingView.as_view(error=error)
    response = call(view)
    assert response.status_code == status
    assert response.data["code"] == code
    assert response.data["status"] == status
    assert response.data.keys() >= PROBLEM_KEYS
    if status == 429:
        assert response["Retry-After"] == "7"


def test_unauthenticated_is_401_with_challenge():
    class Private(APIView):
        permission_classes = [IsAuthenticated]

        def get(self, request):
            return Response({})

    response = call(Private.as_view())
    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_flatten_errors_handles_nested_lists_of_objects():
    details = {"items": [{}, {"name": [{"message": "Required.", "code": "required"}]}]}
    assert flatten_errors(details) == {
        "items.1.name": [{"code": "required", "message": "Required."}]
    }


@pytest.mark.django_db
def test_unknown_api_path_is_a_problem_not_html(client):
    response = client.get("/api/v2/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_v1_is_reserved_for_the_legacy_contract(client):
    response = client.get("/api/v1/courses/")
    assert response.status_code == 404
    assert response.json()["code"] == "api_version_unavailable"


def test_api_root_lists_entry_points(client):
    response = client.get("/api/v2/")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "v2"
    assert set(body["links"]) == {"schema", "docs", "health", "readiness"}


def _domain_error_classes():
    import importlib

    from config.errors import DomainError

    for module in (
        "learning.access",
        "learning.accounts.errors",
        "learning.enrollment.errors",
        "learning.progress.errors",
        "media_pipeline.errors",
    ):
        importlib.import_module(module)
    pending, seen = [DomainError], []
    while pending:
        cls = pending.pop()
        seen.append(cls)
        pending.extend(cls.__subclasses__())
    return seen


def test_every_domain_error_has_a_kind_the_api_maps_and_no_http_status():
    from api.exceptions import KIND_STATUS
    from media_pipeline.errors import MediaError

    classes = _domain_error_classes()
    assert MediaError in classes  # media errors share the one base
    for cls in classes:
        assert cls.kind in KIND_STATUS, cls
        assert not hasattr(cls, "status"), f"{cls.__name__} carries an HTTP status"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        ("media_pipeline.errors:UploadTooLarge", 413, "upload_too_large"),
        ("media_pipeline.errors:UploadExpired", 410, "upload_expired"),
        ("media_pipeline.errors:InvalidSignature", 403, "invalid_signature"),
        ("media_pipeline.errors:RenditionNotFound", 404, "not_found"),
        ("media_pipeline.errors:StorageUnavailable", 503, "storage_unavailable"),
        ("learning.enrollment.errors:PaymentRequired", 402, "payment_required"),
        ("learning.enrollment.errors:CourseFull", 409, "course_full"),
        ("learning.accounts.errors:InvalidCredentials", 401, "invalid_credentials"),
    ],
)
def test_domain_errors_become_problems_by_kind_in_one_handler(error, status, code):
    from django.utils.module_loading import import_string

    cls = import_string(error.replace(":", "."))
    response = call(RaisingView.as_view(error=cls("Readable reason.")))
    assert response.status_code == status
    assert response.data["code"] == code
    assert response.data["detail"] == "Readable reason."
    assert set(response.data) >= PROBLEM_KEYS


@pytest.mark.parametrize(
    "error",
    [
        exceptions.ParseError("Malformed JSON."),
        __import__("learning.accounts.errors", fromlist=["InvalidToken"]).InvalidToken(),
    ],
)
def test_every_400_carries_the_documented_errors_member(error):
    response = call(RaisingView.as_view(error=error))
    assert response.status_code == 400
    assert response.data["errors"] == {
        "non_field_errors": [{"code": response.data["code"], "message": response.data["detail"]}]
    }


@pytest.mark.django_db
def test_errors_never_echo_large_input(api_client):
    huge = "x" * 100_000
    response = api_client.get("/api/v2/courses/", {"level": huge})
    assert response.status_code == 400
    assert len(response.content) < 2_000
    [(path, [error])] = response.json()["errors"].items()
    assert path == "level"
    assert error["code"] == "invalid_choice"
    assert len(error["message"]) == 500 and error["message"].endswith("…")
    assert "x" * 400 in error["message"]


def test_clip_keeps_short_text_and_cuts_long_text():
    from api.problems import clip

    assert clip("short") == "short"
    assert clip("y" * 600) == "y" * 499 + "…"


@pytest.mark.django_db
def test_errors_of_file_formats_are_problem_json(client, student):
    """``?format=jwt`` or ``?format=csv`` ask for a file; an error is never that file type
    (found by the schema fuzzing: a 404 credential answered as ``application/vc+jwt``)."""
    from tests.factories import courses as cf
    from tests.support.auth import jwt_client

    missing = client.get("/api/v2/certificates/verify/0/credential/?format=jwt")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert missing.json()["code"] == "certificate_not_found"

    course, _section = cf.published_course_with_lessons()
    denied = jwt_client(student).get(f"/api/v2/analytics/courses/{course.pk}/lessons/?format=csv")
    assert denied.status_code in (403, 404)
    assert denied["Content-Type"] == "application/problem+json"
    assert denied.json()["status"] == denied.status_code


def _database_error(cause: Exception):
    from django.db import OperationalError

    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def test_a_lost_database_connection_is_503_and_a_broken_query_stays_500():
    """PostgreSQL restarting (found by the fault injection, bench/faults) is a 503 the client
    retries; an error of the query itself is a bug and reaches the 500 handling."""
    import sqlite3

    import psycopg

    for cause in (
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.OperationalError("consuming input failed: server closed the connection"),
        psycopg.errors.ConnectionFailure("connection failure"),
    ):
        response = call(RaisingView.as_view(error=_database_error(cause)))
        assert response.status_code == 503, cause
        assert response.data["code"] == "database_unavailable"
        assert response["Retry-After"] == "2"
    for cause in (
        psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
        sqlite3.OperationalError("no such column: x"),
    ):
        with pytest.raises(Exception) as raised:
            call(RaisingView.as_view(error=_database_error(cause)))
        assert raised.value.__cause__ is cause
