"""Schema fuzzing: schemathesis generates requests for every operation of ``/api/schema/`` and
sends them to a live server process (uvicorn, the test database; PostgreSQL + Redis in CI), as
each role. Checks: no 5xx, every status code, content type, header and body as documented.

Bounded (a fixed example budget and seed); ``FUZZ_MAX_EXAMPLES`` raises the budget for a
longer run (README, "Tests"). Path ids point at real objects so the fuzzer reaches past 404s.

Runs with ``FUZZ=1``: ``make fuzz``, and in CI (``.ci/run``) within the PostgreSQL + Redis
suite with two examples per operation.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.factories import UserFactory
from tests.factories import learning as lf
from tests.factories.media import VideoAssetFactory
from tests.support.processes import BIN, server_output

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("FUZZ"), reason="schema fuzzing runs with FUZZ=1 (make fuzz)"
    ),
]

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
ROLES = ("anonymous", "student", "instructor", "admin")


@pytest.fixture
def fuzz_world(transactional_db):
    from tests.support.auth import jwt_client

    instructor = UserFactory(roles=["instructor"])
    student = UserFactory()
    admin = UserFactory(roles=["admin"])
    course, lessons = lf.video_course(instructors=[instructor])
    lf.enroll(student, course)
    asset = VideoAssetFactory(owner=instructor, status="ready", duration_seconds=30)
    tokens = {
        "student": jwt_client(student),
        "instructor": jwt_client(instructor),
        "admin": jwt_client(admin),
    }
    config = "\n".join(
        [
            "[parameters]",
            f"course_id = {course.pk}",
            f'lesson_id = "{lessons[0]}"',
            f"pk = {asset.pk}",
            f"user_id = {student.pk}",
        ]
    )
    headers = {role: client._credentials["HTTP_AUTHORIZATION"] for role, client in tokens.items()}
    return config, headers


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented(role, fuzz_world, live_asgi_url, tmp_path):
    config, headers = fuzz_world
    config_file = tmp_path / "schemathesis.toml"
    config_file.write_text(config + "\n")
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(config_file),
        "run",
        f"{live_asgi_url}/api/schema/",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        os.environ.get("FUZZ_MAX_EXAMPLES", "5"),
        "--seed",
        "20261130",
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--no-color",
    ]
    if os.environ.get("FUZZ_PATHS"):  # narrow a run to paths matching a regular expression
        command += ["--include-path-regex", os.environ["FUZZ_PATHS"]]
    if role != "anonymous":
        command += ["--header", f"Authorization: {headers[role]}"]
    # Deleting the account, signing out or revoking its own session (the fuzzer reuses ids it
    # read from responses) would end the role's session mid-run.
    for operation in ("me_delete", "auth_logout", "me_sessions_revoke"):
        command += ["--exclude-operation-id", operation]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    start = result.stdout.find("FAILURES")
    summary = result.stdout[start : start + 12000] if start >= 0 else result.stdout[-6000:]
    assert result.returncode == 0, f"{summary}\n--- server log ---\n{server_output(live_asgi_url)}"
