"""Lesson and question ids are permanent: they survive edits, reordering and revisions made
through the admin. And the admin shows lesson titles on collapsed blocks."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.blocks import LessonsBlock, QuestionsBlock, ReadingContentBlock
from cms.models import SectionPage
from tests.factories import courses as cf

pytestmark = pytest.mark.django_db


def _items(values_with_ids):
    data = {
        str(i): {"value": value, "id": item_id, "deleted": "", "order": str(i)}
        for i, (item_id, value) in enumerate(values_with_ids)
    }
    data["count"] = str(len(values_with_ids))
    return data


def _stream(children):
    """(type, id, value) -> StreamField form data keeping the ids."""
    data = streamfield([(block_type, value) for block_type, _, value in children])
    for i, (_, child_id, _) in enumerate(children):
        data[str(i)]["id"] = child_id
    return data


def form_for(section, *, reverse_lessons: bool, new_title: str) -> dict:
    """The edit form as the admin would post it, from the section's current content."""
    lessons = []
    for child in section.lessons:
        value = child.value
        base = {
            "title": value["title"],
            "summary": value["summary"],
            "estimated_minutes": str(value["estimated_minutes"]),
            "free_preview": "on" if value["free_preview"] else "",
        }
        if child.block_type == "reading":
            base["title"] = new_title
            base["content"] = _stream(
                [
                    ("paragraph", c.id, rich_text(c.value.source))
                    for c in value["content"]
                    if c.block_type == "paragraph"
                ]
            )
        else:
            base.update(
                instructions=rich_text(value["instructions"].source),
                pass_mark=str(value["pass_mark"]),
                attempt_limit=str(value["attempt_limit"]),
                shuffle="on" if value["shuffle"] else "",
            )
            questions = []
            for q in reversed(list(value["questions"])):  # questions reordered too
                fields = {
                    "prompt": rich_text(q.value["prompt"].source),
                    "explanation": rich_text(q.value["explanation"].source),
                    "points": str(q.value["points"]),
                }
                if q.block_type == "single_choice":
                    fields["choices"] = _items(
                        [
                            (
                                c.id,
                                {
                                    "text": c.value["text"],
                                    "correct": "on" if c.value["correct"] else "",
                                },
                            )
                            for c in q.value["choices"].bound_blocks
                        ]
                    )
                else:
                    fields["accepted_answers"] = _items(
                        [(a.id, a.value) for a in q.value["accepted_answers"].bound_blocks]
                    )
                    fields["case_sensitive"] = ""
                questions.append((q.block_type, q.id, fields))
            base["questions"] = _stream(questions)
        lessons.append((child.block_type, child.id, base))
    if reverse_lessons:
        lessons.reverse()
    return nested_form_data(
        {
            "title": section.title,
            "slug": section.slug,
            "summary": section.summary,
            "lessons": _stream(lessons),
            "comments": inline_formset([]),
            "action-publish": "Publish",
        }
    )


def quiz_two_questions():
    kind, value = cf.quiz("Quiz")
    value["questions"] = [value["questions"][0], value["questions"][4]]
    return kind, value


def ids_of(section):
    lessons = [child.id for child in section.lessons]
    quiz = next(child for child in section.lessons if child.block_type == "quiz")
    questions = [q.id for q in quiz.value["questions"]]
    choices = (
        [c.id for c in quiz.value["questions"][0].value["choices"].bound_blocks]
        if quiz.value["questions"][0].block_type == "single_choice"
        else None
    )
    return lessons, questions, choices


def test_ids_survive_an_admin_edit_that_reorders_and_revisions(client, editor, instructor):
    course = cf.course(title="Ids", instructors=[instructor])
    section = cf.section(
        course,
        lessons=[cf.reading("First", content=[("paragraph", "<p>x</p>")]), quiz_two_questions()],
    )
    lessons_before, questions_before, choices_before = ids_of(section)
    first_revision = section.latest_revision

    client.force_login(editor)
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(section.pk,)),
        form_for(section, reverse_lessons=True, new_title="First, edited"),
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""

    section = SectionPage.objects.get(pk=section.pk)
    assert [child.value["title"] for child in section.lessons] == ["Quiz", "First, edited"]
    lessons_after = [child.id for child in section.lessons]
    assert lessons_after == list(reversed(lessons_before))
    quiz = section.lessons[0]
    assert [q.id for q in quiz.value["questions"]] == list(reversed(questions_before))
    single = next(q for q in quiz.value["questions"] if q.block_type == "single_choice")
    assert [c.id for c in single.value["choices"].bound_blocks] == choices_before

    # The older revision still names the same lessons by the same ids.
    old = first_revision.as_object()
    assert [child.id for child in old.lessons] == lessons_before
    assert section.latest_revision_id != first_revision.pk


def test_new_lessons_get_new_ids(instructor):
    course = cf.course(title="New ids", instructors=[instructor])
    section = cf.section(course, lessons=[cf.reading("One")])
    before = section.lessons[0].id
    section.lessons.append(cf.reading("Two"))
    section.save_revision().publish()
    section.refresh_from_db()
    assert section.lessons[0].id == before
    assert section.lessons[1].id and section.lessons[1].id != before


def test_admin_shows_lesson_titles_on_collapsed_blocks(client, editor, instructor):
    for name, block in LessonsBlock().child_blocks.items():
        assert block.meta.label_format == "{title}", name
        assert block.meta.icon and block.meta.help_text, name
    for stream in (ReadingContentBlock(), QuestionsBlock()):
        for name, block in stream.child_blocks.items():
            assert block.meta.icon and block.meta.label and block.meta.help_text, name
    section = cf.section(
        cf.course(title="Admin", instructors=[instructor]), lessons=[cf.reading("R")]
    )
    client.force_login(editor)
    page = client.get(reverse("wagtailadmin_pages:edit", args=(section.pk,))).content.decode()
    assert "{title}" in page  # the collapsed-block label format reaches the editor


def test_blocks_have_previews(client, editor):
    previewable = [
        block
        for stream in (LessonsBlock(), ReadingContentBlock(), QuestionsBlock())
        for block in stream.child_blocks.values()
        if block.is_previewable
    ]
    assert len(previewable) >= 10
    client.force_login(editor)
    for block in previewable:
        response = client.get(
            reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}
        )
        assert response.status_code == 200, block.name


def test_new_blocks_start_with_what_they_need():
    from cms.blocks import (
        CheckpointBlock,
        MultipleChoiceQuestionBlock,
        ShortTextQuestionBlock,
        SingleChoiceQuestionBlock,
        VideoLessonBlock,
    )

    # No blank checkpoint on a new video lesson.
    assert list(VideoLessonBlock().get_default()["checkpoints"]) == []
    # Choice questions start with the two choices they require.
    for block in (SingleChoiceQuestionBlock(), MultipleChoiceQuestionBlock()):
        assert len(block.get_default()["choices"]) == 2
    # A new checkpoint holds one question (a single-choice one with two choices), labelled so.
    checkpoint = CheckpointBlock()
    (question,) = checkpoint.get_default()["question"]
    assert question.block_type == "single_choice" and len(question.value["choices"]) == 2
    assert checkpoint.child_blocks["question"].label == "Question"
    # Every item has a label and the fields say what they do.
    answers = ShortTextQuestionBlock().child_blocks["accepted_answers"]
    assert answers.child_block.label == "Accepted answer"
    assert checkpoint.child_blocks["at_seconds"].field.help_text
