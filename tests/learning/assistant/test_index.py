import pytest

from learning.assistant import selectors, services
from learning.assistant.models import Passage
from tests.factories import assistant as af

pytestmark = pytest.mark.django_db


def test_index_holds_lesson_text_and_timed_transcripts_never_answers(instructor):
    course, lessons = af.tutor_course(instructors=[instructor])
    passages = list(Passage.objects.filter(course=course))
    bodies = " ".join(p.body for p in passages)
    assert "print function shows text" in bodies
    assert "Answer every question." in bodies  # quiz instructions
    assert "Notes under the video." in bodies  # video notes
    for secret in af.SECRETS:
        assert secret not in bodies
    assert "Pick one" not in bodies  # graded question prompts are not indexed either
    transcript = [p for p in passages if p.kind == "transcript"]
    assert transcript and all(p.start_seconds is not None for p in transcript)
    assert transcript[0].start_seconds == 0.0
    assert {str(p.lesson_id) for p in transcript} == {lessons["loops"]}
    by_lesson = {str(p.lesson_id): p for p in passages if p.kind == "text"}
    assert by_lesson[lessons["printing"]].free_preview is True
    assert by_lesson[lessons["variables"]].free_preview is False


def test_search_finds_the_right_lesson_and_respects_preview(instructor):
    course, lessons = af.tutor_course(instructors=[instructor])
    hits = selectors.passages_search(course_id=course.pk, query="how do I show text on screen?")
    assert str(hits[0].passage.lesson_id) == lessons["printing"]
    hits = selectors.passages_search(course_id=course.pk, query="what does break do in a loop")
    assert str(hits[0].passage.lesson_id) == lessons["loops"]
    assert hits[0].passage.kind == "transcript"
    hits = selectors.passages_search(
        course_id=course.pk, query="variable equals sign", free_preview_only=True
    )
    assert all(h.passage.free_preview for h in hits)
    assert selectors.passages_search(course_id=course.pk, query="the of and") == []
    # Query syntax of either engine is only data.
    assert selectors.passages_search(course_id=course.pk, query='print" OR (x | !y) NEAR*') != []


def test_publish_indexes_and_unpublish_leaves_the_index(
    instructor, run_tasks_in_process, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        course, _lessons = af.tutor_course(instructors=[instructor], index=False)
    assert Passage.objects.filter(course=course).exists()
    section = course.get_children().first()
    with django_capture_on_commit_callbacks(execute=True):
        section.unpublish()
    assert not Passage.objects.filter(course=course).exists()
    with django_capture_on_commit_callbacks(execute=True):
        section.get_latest_revision().publish()
    assert Passage.objects.filter(course=course).count() > 0
    with django_capture_on_commit_callbacks(execute=True):
        course.unpublish()
    assert not Passage.objects.filter(course=course).exists()
    assert selectors.passages_search(course_id=course.pk, query="print text") == []


def test_reindex_is_idempotent(instructor):
    course, _ = af.tutor_course(instructors=[instructor])
    first = sorted(Passage.objects.filter(course=course).values_list("body", flat=True))
    assert services.course_index_rebuild(course_id=course.pk) == len(first)
    assert sorted(Passage.objects.filter(course=course).values_list("body", flat=True)) == first
    assert len(selectors.passages_search(course_id=course.pk, query="parentheses", limit=50)) == 1


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # [at-30, at+30] holds every segment overlapping it, edges included.
        (0.0, ["Welcome", "A for", "The loop"]),
        # at 10: window [-20, 40]: the segment starting exactly at 40 is in.
        (10.0, ["Welcome", "A for", "The loop", "A while"]),
        # at 9.999: window ends at 39.999, before the segment that starts at 40.
        (9.999, ["Welcome", "A for", "The loop"]),
        # at 80: window [50, 110]: the segment ending exactly at 50 is in.
        (80.0, ["A while", "Use break", "Use continue", "Nested", "Infinite"]),
        (80.001, ["Use break", "Use continue", "Nested", "Infinite"]),
        # Between segments (the 30-40 gap): [5, 65].
        (35.0, ["Welcome", "A for", "The loop", "A while", "Use break", "Use continue"]),
        # Past the end of the video.
        (200.0, []),
    ],
)
def test_transcript_window_edges(at, expected):
    from tests.factories.media import VideoAssetFactory

    asset = VideoAssetFactory(duration_seconds=100.0, status="ready")
    af.captions(asset)
    window = selectors.transcript_window(video_id=asset.pk, at=at, radius=30.0)
    assert [s.text for s in window] == [
        text for _, _, text in af.CUES if any(text.startswith(e) for e in expected)
    ]
