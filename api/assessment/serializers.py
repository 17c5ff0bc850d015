"""Assessment API shapes. Input serializers validate the envelope; answers themselves are
checked by the service against the attempt's questions (distinct error codes)."""

from __future__ import annotations

from rest_framework import serializers

ANSWER_HELP = (
    "Question id -> answer: a choice id (single choice), a list of choice ids (multiple "
    "choice), true/false, a number (numeric) or a text (short text); null clears a saved answer."
)


class AnswersInSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True), help_text=ANSWER_HELP
    )


class SubmitInSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        help_text=ANSWER_HELP + " Optional: the saved answers are graded with these merged in.",
    )


class CheckpointAnswerInSerializer(serializers.Serializer):
    answer = serializers.JSONField(help_text="The answer, shaped as for quiz questions.")


class ResultSerializer(serializers.Serializer):
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    correct = serializers.BooleanField()


class FeedbackSerializer(serializers.Serializer):
    explanation_html = serializers.CharField()
    correct_choice_ids = serializers.ListField(child=serializers.UUIDField(), required=False)
    correct_answer = serializers.BooleanField(required=False)
    answer = serializers.FloatField(required=False)
    tolerance = serializers.FloatField(required=False)
    accepted_answers = serializers.ListField(child=serializers.CharField(), required=False)


class ChoiceOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    text = serializers.CharField()


class AttemptQuestionSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The question id answers refer to.")
    type = serializers.CharField(
        help_text="`single_choice`, `multiple_choice`, `true_false`, `numeric` or `short_text`."
    )
    prompt_html = serializers.CharField()
    points = serializers.IntegerField()
    choices = ChoiceOutSerializer(many=True, required=False, help_text="In the order shown.")
    unit = serializers.CharField(required=False)
    answer = serializers.JSONField(allow_null=True, help_text="Your saved (or graded) answer.")
    result = ResultSerializer(allow_null=True, help_text="Null until the attempt is graded.")
    feedback = FeedbackSerializer(
        allow_null=True,
        help_text="Correct answer and explanation: only after grading, per the quiz's "
        "feedback option.",
    )


class QuizSettingsSerializer(serializers.Serializer):
    title = serializers.CharField()
    pass_mark = serializers.IntegerField()
    attempt_limit = serializers.IntegerField(help_text="0 means unlimited.")
    time_limit_minutes = serializers.IntegerField(help_text="0 means no time limit.")
    feedback = serializers.CharField()


class AttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course_id = serializers.IntegerField()
    lesson_id = serializers.UUIDField()
    number = serializers.IntegerField(help_text="1 for your first attempt at this quiz.")
    status = serializers.ChoiceField(choices=["open", "submitted"])
    started_at = serializers.DateTimeField()
    deadline_at = serializers.DateTimeField(allow_null=True)
    seconds_left = serializers.IntegerField(
        allow_null=True, help_text="Until the deadline (open attempts with a time limit)."
    )
    answers_saved_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField(help_text="Graded after its deadline, with what was saved.")
    revision_id = serializers.IntegerField(help_text="The quiz revision the attempt started from.")
    graded_revision_id = serializers.IntegerField(allow_null=True)
    quiz_changed_since_start = serializers.BooleanField(
        help_text="The quiz was edited after this attempt started; the attempt keeps (and is "
        "graded against) the revision it started from."
    )
    quiz = QuizSettingsSerializer()
    questions = AttemptQuestionSerializer(many=True)
    score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField(allow_null=True)
    percent = serializers.FloatField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    feedback_shown = serializers.BooleanField()


class AttemptSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField(allow_null=True)
    percent = serializers.FloatField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    late = serializers.BooleanField()


class QuizGradeSerializer(serializers.Serializer):
    lesson_id = serializers.UUIDField()
    title = serializers.CharField()
    attempts_used = serializers.IntegerField()
    attempts_graded = serializers.IntegerField()
    best_percent = serializers.FloatField(allow_null=True)
    best_score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField(allow_null=True)
    first_percent = serializers.FloatField(allow_null=True)
    last_percent = serializers.FloatField(allow_null=True)
    passed = serializers.BooleanField()
    passed_at = serializers.DateTimeField(allow_null=True)


class MyQuizAttemptsSerializer(serializers.Serializer):
    grade = QuizGradeSerializer()
    attempt_limit = serializers.IntegerField(help_text="0 means unlimited.")
    attempts_left = serializers.IntegerField(allow_null=True, help_text="Null when unlimited.")
    attempts = AttemptSummarySerializer(many=True)


class CheckpointTotalsSerializer(serializers.Serializer):
    answered = serializers.IntegerField()
    points = serializers.FloatField()
    max_points = serializers.FloatField()


class CourseGradesSerializer(serializers.Serializer):
    course_id = serializers.IntegerField()
    course_title = serializers.CharField()
    enrollment_status = serializers.CharField()
    quizzes = QuizGradeSerializer(many=True)
    checkpoints = CheckpointTotalsSerializer(help_text="Checkpoints that count toward the grade.")


class CheckpointResultSerializer(serializers.Serializer):
    checkpoint_id = serializers.UUIDField()
    question_id = serializers.UUIDField()
    answer = serializers.JSONField()
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    correct = serializers.BooleanField()
    graded = serializers.BooleanField(help_text="Counts toward the course grade.")
    explanation_html = serializers.CharField()
    answered_at = serializers.DateTimeField()


class GradebookQuizSerializer(serializers.Serializer):
    lesson_id = serializers.UUIDField()
    title = serializers.CharField()


class GradebookCellSerializer(serializers.Serializer):
    lesson_id = serializers.UUIDField()
    attempts_used = serializers.IntegerField()
    best_percent = serializers.FloatField(allow_null=True)
    last_percent = serializers.FloatField(allow_null=True)
    passed = serializers.BooleanField()


class GradebookLearnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()


class GradebookRowSerializer(serializers.Serializer):
    enrollment_id = serializers.IntegerField()
    learner = GradebookLearnerSerializer()
    status = serializers.CharField()
    percent_complete = serializers.IntegerField()
    grades = GradebookCellSerializer(many=True, help_text="One per quiz, in `quizzes` order.")


class GradebookQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Name or email contains."
    )
    ordering = serializers.ChoiceField(
        choices=["name", "-name", "email", "-email", "enrolled_at", "-enrolled_at"],
        default="name",
    )


class WrongChoiceSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    count = serializers.IntegerField()


class QuestionStatsSerializer(serializers.Serializer):
    question_id = serializers.UUIDField()
    type = serializers.CharField(allow_null=True)
    prompt_html = serializers.CharField()
    in_published_quiz = serializers.BooleanField()
    attempts = serializers.IntegerField(help_text="Graded attempts that asked it.")
    correct = serializers.IntegerField()
    percent_correct = serializers.FloatField(allow_null=True)
    most_chosen_wrong_choice = WrongChoiceSerializer(allow_null=True)
