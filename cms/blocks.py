"""Lesson content: one StructBlock per concept.

A section's lessons are a StreamField of lesson blocks. The stream child id of a lesson is the
lesson's permanent id; the stream child ids of quiz questions are the question ids; list item
ids of answer choices are the choice ids. Wagtail keeps those ids across edits, reorders and
revisions, so learner records can point at them.

Every block has an icon, a label, help text and a preview value, and renders its headless shape
in ``get_api_representation()``. Quiz questions never include their correct answers or
explanations there: graders read them with ``answer_key()``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import expand_db_html

from media_pipeline.blocks import VideoBlock

# Rich text features allowed in lessons (no raw HTML, no images inside paragraphs).
LESSON_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "code", "h3", "h4"]
SHORT_TEXT_FEATURES = ["bold", "italic", "link", "code"]
IMAGE_RENDITIONS = {"medium": "max-800x800", "large": "max-1600x1600"}


def rich_text_html(value) -> str:
    """Rich text as display HTML: internal page and document links resolved to URLs."""
    return expand_db_html(value.source) if value else ""


def renditions_of(image, renditions: dict[str, str]) -> dict[str, dict]:
    """``{name: {"url", "width", "height"}}`` for each named filter spec (made once, then
    read from prefetched or stored renditions)."""
    made = image.get_renditions(*renditions.values())
    return {
        name: {"url": made[spec].url, "width": made[spec].width, "height": made[spec].height}
        for name, spec in renditions.items()
    }


def image_representation(image, renditions: dict[str, str] = IMAGE_RENDITIONS) -> dict | None:
    if image is None:
        return None
    return {
        "id": image.pk,
        "title": image.title,
        "width": image.width,
        "height": image.height,
        "renditions": renditions_of(image, renditions),
    }


# --- Reading content --------------------------------------------------------------------------


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=LESSON_TEXT_FEATURES, **kwargs)

    def get_api_representation(self, value, context=None):
        return {"html": rich_text_html(value)}

    class Meta:
        icon = "pilcrow"
        label = "Paragraph"
        help_text = "Body text. Links to pages and documents are resolved for learners."
        preview_value = "<p>Break the problem into pieces you can check one at a time.</p>"


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(choices=[("h2", "Heading 2"), ("h3", "Heading 3")], default="h2")

    def get_api_representation(self, value, context=None):
        return {"text": value["text"], "level": value["level"]}

    class Meta:
        icon = "title"
        label = "Heading"
        help_text = "A heading inside the lesson; learners see it in the lesson's contents."
        label_format = "{text}"
        preview_value = {"text": "Why this matters", "level": "h2"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=250, help_text="Describe the image for people who cannot see it."
    )
    caption = blocks.CharBlock(max_length=250, required=False)

    def get_api_representation(self, value, context=None):
        return {
            "image": image_representation(value["image"]),
            "alt_text": value["alt_text"],
            "caption": value["caption"],
        }

    class Meta:
        icon = "image"
        label = "Image"
        help_text = "An image, served to learners in sizes that fit their screen."


class CodeBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(
        choices=[
            ("python", "Python"),
            ("javascript", "JavaScript"),
            ("typescript", "TypeScript"),
            ("html", "HTML"),
            ("css", "CSS"),
            ("sql", "SQL"),
            ("bash", "Shell"),
            ("json", "JSON"),
            ("text", "Plain text"),
        ],
        default="python",
    )
    code = blocks.TextBlock()
    caption = blocks.CharBlock(max_length=250, required=False)

    def get_api_representation(self, value, context=None):
        return {"language": value["language"], "code": value["code"], "caption": value["caption"]}

    class Meta:
        icon = "code"
        label = "Code"
        help_text = "A code listing, highlighted for its language."
        label_format = "{language}"
        preview_value = {"language": "python", "code": "print('hello')", "caption": ""}


class CalloutBlock(blocks.StructBlock):
    style = blocks.ChoiceBlock(
        choices=[("info", "Info"), ("tip", "Tip"), ("warning", "Warning")], default="info"
    )
    title = blocks.CharBlock(max_length=120, required=False)
    text = blocks.RichTextBlock(features=SHORT_TEXT_FEATURES)

    def get_api_representation(self, value, context=None):
        return {
            "style": value["style"],
            "title": value["title"],
            "html": rich_text_html(value["text"]),
        }

    class Meta:
        icon = "warning"
        label = "Callout"
        help_text = "A highlighted note: information, a tip or a warning."
        label_format = "{title}"
        preview_value = {"style": "tip", "title": "Tip", "text": "<p>Try it yourself first.</p>"}


class LessonEmbedBlock(blocks.StructBlock):
    embed = EmbedBlock(help_text="A link to a video, slide deck or other embeddable page.")
    caption = blocks.CharBlock(max_length=250, required=False)

    def get_api_representation(self, value, context=None):
        embed = value["embed"]
        return {"url": embed.url if embed else "", "caption": value["caption"]}

    class Meta:
        icon = "media"
        label = "Embed"
        help_text = "Content from another site (YouTube, Vimeo, slides …); learners get its URL."


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    description = blocks.CharBlock(max_length=250, required=False)

    def get_api_representation(self, value, context=None):
        document = value["document"]
        return {
            "document": {
                "id": document.pk,
                "title": document.title,
                "url": document.url,
                "file_extension": document.file_extension,
            }
            if document
            else None,
            "description": value["description"],
        }

    class Meta:
        icon = "doc-full"
        label = "Download"
        help_text = "A document learners can download (worksheet, slides, source code)."


class TypedStreamBlock(blocks.StreamBlock):
    """A stream whose headless shape is a list of ``{"type", "id", ...fields}``: a union
    discriminated by ``type``."""

    def get_api_representation(self, value, context=None):
        return [
            {
                "type": child.block_type,
                "id": child.id,
                **child.block.get_api_representation(child.value, context=context),
            }
            for child in (value or [])
        ]


class ReadingContentBlock(TypedStreamBlock):
    paragraph = ParagraphBlock()
    heading = HeadingBlock()
    image = ImageBlock()
    code = CodeBlock()
    callout = CalloutBlock()
    embed = LessonEmbedBlock()
    document = DocumentBlock()

    class Meta:
        icon = "doc-full-inverse"
        label = "Reading content"
        help_text = "Text, headings, images, code, callouts, embeds and downloads."


# --- Questions --------------------------------------------------------------------------------


class QuestionBlock(blocks.StructBlock):
    """The shared part of every question. Subclasses add how it is answered and implement
    ``public_fields()`` (what learners see) and ``answer_key()`` (what graders use)."""

    prompt = blocks.RichTextBlock(features=SHORT_TEXT_FEATURES, help_text="The question.")
    explanation = blocks.RichTextBlock(
        features=SHORT_TEXT_FEATURES,
        required=False,
        help_text="Shown to the learner after the attempt is graded.",
    )
    points = blocks.IntegerBlock(
        min_value=1, max_value=100, default=1, help_text="Weight of this question in the score."
    )

    def public_fields(self, value) -> dict:
        return {}

    def answer_key(self, value) -> dict:
        raise NotImplementedError

    def get_api_representation(self, value, context=None):
        # Never the correct answers or the explanation: see answer_key().
        return {
            "prompt_html": rich_text_html(value["prompt"]),
            "points": value["points"],
            **self.public_fields(value),
        }

    class Meta:
        label_format = "{prompt}"


class AnswerChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=300, label="Choice", help_text="What learners read.")
    correct = blocks.BooleanBlock(
        required=False, label="Correct", help_text="Tick if choosing this is right."
    )

    class Meta:
        icon = "radio-full"
        label = "Choice"
        label_format = "{text}"


class ChoiceQuestionBlock(QuestionBlock):
    choices = blocks.ListBlock(
        AnswerChoiceBlock(),
        min_num=2,
        max_num=12,
        # New questions start with the two choices they need.
        default=[{"text": "", "correct": False}, {"text": "", "correct": False}],
        label="Choices",
        help_text="Between 2 and 12 choices.",
    )
    single_correct = True

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["correct"])
        if self.single_correct and correct != 1:
            raise blocks.StructBlockValidationError(
                block_errors={"choices": ValidationError("Mark exactly one choice as correct.")}
            )
        if not self.single_correct and correct < 1:
            raise blocks.StructBlockValidationError(
                block_errors={"choices": ValidationError("Mark at least one choice as correct.")}
            )
        return value

    def public_fields(self, value) -> dict:
        return {
            "choices": [
                {"id": item.id, "text": item.value["text"]}
                for item in value["choices"].bound_blocks
            ]
        }

    def answer_key(self, value) -> dict:
        return {
            "correct_choice_ids": [
                item.id for item in value["choices"].bound_blocks if item.value["correct"]
            ]
        }


class SingleChoiceQuestionBlock(ChoiceQuestionBlock):
    @staticmethod
    def blank() -> dict:
        """A new, empty question with its two choices."""
        blank_choice = {"text": "", "correct": False}
        return {"prompt": "", "explanation": "", "points": 1, "choices": [blank_choice] * 2}

    class Meta:
        icon = "radio-full"
        label = "Single choice"
        help_text = "Learners pick one answer; exactly one choice is correct."
        preview_value = {
            "prompt": "<p>Which number is prime?</p>",
            "choices": [{"text": "4", "correct": False}, {"text": "7", "correct": True}],
            "points": 1,
        }


class MultipleChoiceQuestionBlock(ChoiceQuestionBlock):
    single_correct = False
    partial_credit = blocks.BooleanBlock(
        required=False,
        help_text="Give a share of the points for partly right answers (each right choice "
        "picked earns, each wrong choice picked costs; never below zero). Otherwise all or "
        "nothing.",
    )

    def answer_key(self, value) -> dict:
        return {**super().answer_key(value), "partial_credit": bool(value.get("partial_credit"))}

    class Meta:
        icon = "tasks"
        label = "Multiple choice"
        help_text = "Learners pick every correct answer; one or more choices are correct."
        preview_value = {
            "prompt": "<p>Which are even?</p>",
            "choices": [
                {"text": "2", "correct": True},
                {"text": "3", "correct": False},
                {"text": "4", "correct": True},
            ],
            "points": 1,
        }


class TrueFalseQuestionBlock(QuestionBlock):
    correct_answer = blocks.ChoiceBlock(choices=[("true", "True"), ("false", "False")])

    def answer_key(self, value) -> dict:
        return {"correct_answer": value["correct_answer"] == "true"}

    class Meta:
        icon = "tick"
        label = "True or false"
        help_text = "A statement learners judge true or false."
        preview_value = {"prompt": "<p>Water boils at 100 °C at sea level.</p>", "points": 1}


class NumericQuestionBlock(QuestionBlock):
    answer = blocks.FloatBlock()
    tolerance = blocks.FloatBlock(
        default=0, min_value=0, help_text="Answers within ± this amount count as correct."
    )
    unit = blocks.CharBlock(max_length=20, required=False, help_text="Shown next to the input.")

    def public_fields(self, value) -> dict:
        return {"unit": value["unit"]}

    def answer_key(self, value) -> dict:
        return {"answer": value["answer"], "tolerance": value["tolerance"]}

    class Meta:
        icon = "order"
        label = "Number"
        help_text = "Learners type a number; a tolerance allows rounding."
        preview_value = {"prompt": "<p>What is 22 / 7, to two decimals?</p>", "points": 1}


class ShortTextQuestionBlock(QuestionBlock):
    accepted_answers = blocks.ListBlock(
        blocks.CharBlock(max_length=200, label="Accepted answer"),
        min_num=1,
        label="Accepted answers",
        help_text="Every answer counted as correct.",
    )
    case_sensitive = blocks.BooleanBlock(
        required=False, help_text="Tick if “Paris” and “paris” are different answers."
    )

    def answer_key(self, value) -> dict:
        return {
            "accepted_answers": list(value["accepted_answers"]),
            "case_sensitive": value["case_sensitive"],
        }

    class Meta:
        icon = "edit"
        label = "Short text"
        help_text = "Learners type a word or phrase, compared with the accepted answers."
        preview_value = {"prompt": "<p>Name the capital of France.</p>", "points": 1}


class QuestionsBlock(TypedStreamBlock):
    single_choice = SingleChoiceQuestionBlock()
    multiple_choice = MultipleChoiceQuestionBlock()
    true_false = TrueFalseQuestionBlock()
    numeric = NumericQuestionBlock()
    short_text = ShortTextQuestionBlock()

    def answer_keys(self, value) -> dict[str, dict]:
        """Question id -> correct answers and explanation, for grading (never for learners)."""
        return {
            child.id: {
                "type": child.block_type,
                "points": child.value["points"],
                "explanation_html": rich_text_html(child.value["explanation"]),
                **child.block.answer_key(child.value),
            }
            for child in value or []
        }

    class Meta:
        icon = "help"
        label = "Questions"
        help_text = "Each question's id stays the same when questions are edited or reordered."


# --- Lessons ----------------------------------------------------------------------------------


class LessonBlock(blocks.StructBlock):
    """What every lesson has. A lesson kind subclasses this and adds its ``body`` fields,
    e.g. a video lesson adds a video, checkpoints and notes and overrides
    ``video_duration()``."""

    kind = "lesson"
    title = blocks.CharBlock(max_length=200, help_text="Shown in the course outline.")
    summary = blocks.TextBlock(required=False, help_text="One or two sentences.")
    estimated_minutes = blocks.IntegerBlock(
        min_value=1, max_value=600, default=5, help_text="How long a typical learner needs."
    )
    free_preview = blocks.BooleanBlock(
        required=False, help_text="Anyone may open this lesson, without enrolling."
    )
    optional = blocks.BooleanBlock(
        required=False,
        help_text="Optional lessons are not needed to complete the course and do not count "
        "toward its percent complete.",
    )

    # The fields above; everything else a kind declares is its body.
    base_fields = ("title", "summary", "estimated_minutes", "free_preview", "optional")

    def video_duration(self, value) -> float | None:
        return None

    def outline_representation(self, value) -> dict:
        """The lesson as listed in a course outline: never its body."""
        return {
            "kind": self.kind,
            "title": value["title"],
            "estimated_minutes": value["estimated_minutes"],
            "free_preview": bool(value["free_preview"]),
            "optional": bool(value.get("optional")),
            "video_duration": self.video_duration(value),
        }

    def outline_from_raw(self, raw: dict) -> dict:
        """:meth:`outline_representation` from stored JSON, converting only the base fields."""
        value = {
            name: self.child_blocks[name].to_python(raw.get(name)) for name in self.base_fields
        }
        return self.outline_representation(value)

    def body_representation(self, value, context=None) -> dict:
        return {
            name: self.child_blocks[name].get_api_representation(value[name], context=context)
            for name in self.child_blocks
            if name not in self.base_fields
        }

    def get_api_representation(self, value, context=None):
        return {
            **self.outline_representation(value),
            "summary": value["summary"],
            "body": self.body_representation(value, context),
        }

    def answer_keys(self, value) -> dict[str, dict]:
        return {}

    class Meta:
        label_format = "{title}"


class ReadingLessonBlock(LessonBlock):
    kind = "reading"
    content = ReadingContentBlock()

    class Meta:
        icon = "doc-full"
        label = "Reading"
        help_text = "A lesson to read: text, images, code, callouts, embeds and downloads."
        preview_value = {
            "title": "Reading the problem",
            "estimated_minutes": 5,
            "content": [("paragraph", "<p>Start by restating the problem in your words.</p>")],
        }


FEEDBACK_AFTER_EACH_ATTEMPT = "after_each_attempt"
FEEDBACK_ONCE_PASSED = "once_passed"
FEEDBACK_NEVER = "never"
FEEDBACK_CHOICES = [
    (FEEDBACK_AFTER_EACH_ATTEMPT, "After each attempt"),
    (FEEDBACK_ONCE_PASSED, "Only once the learner has passed"),
    (FEEDBACK_NEVER, "Never"),
]


class QuizLessonBlock(LessonBlock):
    kind = "quiz"
    instructions = blocks.RichTextBlock(features=SHORT_TEXT_FEATURES, required=False)
    pass_mark = blocks.IntegerBlock(
        min_value=0, max_value=100, default=70, help_text="Percent of points needed to pass."
    )
    attempt_limit = blocks.IntegerBlock(
        min_value=0, max_value=100, default=0, help_text="0 means unlimited attempts."
    )
    shuffle = blocks.BooleanBlock(
        required=False, help_text="Show questions and choices in a random order."
    )
    time_limit_minutes = blocks.IntegerBlock(
        min_value=0,
        max_value=600,
        default=0,
        required=False,
        help_text="Minutes a learner has once an attempt starts; 0 means no time limit.",
    )
    feedback = blocks.ChoiceBlock(
        choices=FEEDBACK_CHOICES,
        default=FEEDBACK_AFTER_EACH_ATTEMPT,
        required=False,
        help_text="When learners see the correct answers and explanations of a graded "
        "attempt (left empty: after each attempt). Never before it is submitted.",
    )
    questions = QuestionsBlock(min_num=1)

    def body_representation(self, value, context=None) -> dict:
        return {
            "instructions_html": rich_text_html(value["instructions"]),
            "pass_mark": value["pass_mark"],
            "attempt_limit": value["attempt_limit"],
            "shuffle": bool(value["shuffle"]),
            "time_limit_minutes": value.get("time_limit_minutes") or 0,
            "feedback": value.get("feedback") or FEEDBACK_AFTER_EACH_ATTEMPT,
            "questions": self.child_blocks["questions"].get_api_representation(
                value["questions"], context=context
            ),
        }

    def answer_keys(self, value) -> dict[str, dict]:
        return self.child_blocks["questions"].answer_keys(value["questions"])

    class Meta:
        icon = "help"
        label = "Quiz"
        help_text = "Questions graded automatically, with a pass mark and an attempt limit."
        preview_value = {
            "title": "Check your understanding",
            "estimated_minutes": 5,
            "pass_mark": 70,
            "attempt_limit": 0,
        }


class CheckpointBlock(blocks.StructBlock):
    """A question the video stops at. Its question's stream id is the question id."""

    at_seconds = blocks.FloatBlock(
        min_value=0, label="At (seconds)", help_text="Seconds into the video, e.g. 90 for 1:30."
    )
    question = QuestionsBlock(
        min_num=1,
        max_num=1,
        label="Question",
        help_text="The question asked at this moment; choose another type by removing it.",
        default=[("single_choice", SingleChoiceQuestionBlock.blank())],
    )
    graded = blocks.BooleanBlock(
        required=False,
        help_text="Count this question toward the learner's course grade (by default a "
        "checkpoint only tells the learner how they did).",
    )

    def get_api_representation(self, value, context=None):
        questions = self.child_blocks["question"].get_api_representation(
            value["question"], context=context
        )
        return {
            "at_seconds": value["at_seconds"],
            "graded": bool(value.get("graded")),
            "question": questions[0] if questions else None,
        }

    class Meta:
        icon = "time"
        label = "Checkpoint"
        help_text = "Pause the video at a moment and ask a question."
        label_format = "{at_seconds}s"


class VideoLessonBlock(LessonBlock):
    kind = "video"
    video = VideoBlock()
    checkpoints = blocks.ListBlock(
        CheckpointBlock(),
        min_num=0,
        max_num=50,
        default=[],  # no blank checkpoint: add one when the video should stop
        help_text="Optional: moments where the video stops and asks a question.",
    )
    notes = blocks.RichTextBlock(
        features=LESSON_TEXT_FEATURES, required=False, help_text="Shown under the video."
    )

    @staticmethod
    def video_id_from_raw(raw: dict) -> int | None:
        return (raw.get("video") or {}).get("video")

    def video_duration(self, value) -> float | None:
        asset = value.get("video", {}).get("video") if "video" in value else None
        return asset.duration_seconds if asset else None

    def body_representation(self, value, context=None) -> dict:
        return {
            "video": self.child_blocks["video"].get_api_representation(value["video"], context),
            "checkpoints": [
                {"id": item.id, **item.block.get_api_representation(item.value, context)}
                for item in value["checkpoints"].bound_blocks
            ],
            "notes_html": rich_text_html(value["notes"]),
        }

    def answer_keys(self, value) -> dict[str, dict]:
        questions = self.child_blocks["checkpoints"].child_block.child_blocks["question"]
        keys: dict[str, dict] = {}
        for checkpoint in value["checkpoints"]:
            keys.update(questions.answer_keys(checkpoint["question"]))
        return keys

    class Meta:
        icon = "media"
        label = "Video"
        help_text = "A video from the library, with questions at moments in it and notes."
        preview_value = {"title": "Watch: the big picture", "estimated_minutes": 4}


class LessonsBlock(blocks.StreamBlock):
    """A section's lessons, in order. The stream child id is the lesson id."""

    video = VideoLessonBlock()
    reading = ReadingLessonBlock()
    quiz = QuizLessonBlock()

    class Meta:
        help_text = "Each lesson keeps its id when lessons are edited or reordered."
