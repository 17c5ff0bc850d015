"""No response before an attempt is submitted carries a correct answer or an explanation:
walks every response a learner gets around a quiz of every question type and a video with a
checkpoint (course, lessons, attempts, answers, grades), and scans it for the markers the
factory puts only into answers and explanations."""

import pytest

from tests.factories import assessment as af
from tests.factories import courses as cf
from tests.factories.courses import ANSWER_MARKERS
from tests.factories.media import VideoAssetFactory

pytestmark = pytest.mark.django_db


def assert_clean(response, where: str):
    assert response.status_code < 300, (where, response.status_code, response.content)
    text = response.content.decode()
    leaked = [marker for marker in ANSWER_MARKERS if marker in text]
    assert not leaked, (where, leaked, text[:2000])


@pytest.mark.parametrize("feedback", ["after_each_attempt", "once_passed", "never"])
def test_nothing_before_submission_contains_answers(feedback, student, instructor, as_user):
    course = cf.course(instructors=[instructor])
    clip = VideoAssetFactory(duration_seconds=100.0, status="ready")
    section = cf.section(
        course,
        lessons=[
            cf.video("Watch", asset=clip),
            af.quiz_with(feedback=feedback),
            cf.quiz("Preview quiz", free_preview=True),
        ],
    )
    video_id, quiz_id, preview_id = (child.id for child in section.lessons)
    client = as_user(student)
    assert client.post(f"/api/v2/courses/{course.pk}/enrollment/").status_code == 201
    base = f"/api/v2/courses/{course.pk}"

    assert_clean(client.get(f"{base}/"), "course")
    for lesson in (video_id, quiz_id, preview_id):
        assert_clean(client.get(f"{base}/lessons/{lesson}/"), f"lesson {lesson}")
    assert_clean(client.get(f"{base}/lessons/{video_id}/checkpoints/"), "checkpoints")
    assert_clean(client.get("/api/v2/me/grades/"), "grades")
    assert_clean(client.get("/api/v2/me/enrollments/"), "dashboard")

    for lesson in (quiz_id, preview_id):
        assert_clean(client.get(f"{base}/lessons/{lesson}/attempts/"), "attempts before")
        started = client.post(f"{base}/lessons/{lesson}/attempts/")
        assert_clean(started, "start")
        attempt = started.json()
        assert_clean(client.post(f"{base}/lessons/{lesson}/attempts/"), "resume")
        keys = af.answer_keys(section, lesson)
        questions = {q["id"]: q for q in attempt["questions"]}
        for qid, key in keys.items():
            choice_ids = [c["id"] for c in questions[qid].get("choices", [])]
            for value in (af.right_answer(key), af.wrong_answer(key, {"choice_ids": choice_ids})):
                saved = client.put(
                    f"/api/v2/attempts/{attempt['id']}/answers/", {"answers": {qid: value}}
                )
                # Saved answers are echoed back: only scan what the server adds.
                body = saved.json()
                for question in body["questions"]:
                    question.pop("answer")
                assert saved.status_code == 200
                leaked = [m for m in ANSWER_MARKERS if m in str(body).replace("'", '"')]
                assert not leaked, (qid, leaked)
        reloaded = client.get(f"/api/v2/attempts/{attempt['id']}/").json()
        assert all(q["feedback"] is None and q["result"] is None for q in reloaded["questions"])
        assert_clean(client.get(f"{base}/lessons/{lesson}/attempts/"), "attempts listing")
        assert_clean(client.get("/api/v2/me/grades/"), "grades with open attempt")

    # Other learners, anonymous visitors and refused calls leak nothing either.
    assert_clean(client.get(f"{base}/lessons/{preview_id}/"), "preview lesson")

    # The scan can fail: after submission, the feedback option decides.
    attempt_id = client.get(f"{base}/lessons/{quiz_id}/attempts/").json()["attempts"][0]["id"]
    graded = client.post(f"/api/v2/attempts/{attempt_id}/submit/", {})
    assert graded.status_code == 200
    shown = "SECRET-EXPLANATION" in graded.content.decode()
    assert shown is (feedback == "after_each_attempt")
