from django.urls import path

from api.assessment import views

course_patterns = [
    path(
        "<int:course_id>/lessons/<uuid:lesson_id>/attempts/",
        views.QuizAttemptsView.as_view(),
        name="course-lesson-attempts",
    ),
    path(
        "<int:course_id>/lessons/<uuid:lesson_id>/checkpoints/",
        views.MyCheckpointAnswersView.as_view(),
        name="course-lesson-checkpoints",
    ),
    path(
        "<int:course_id>/lessons/<uuid:lesson_id>/checkpoints/<uuid:checkpoint_id>/answer/",
        views.CheckpointAnswerView.as_view(),
        name="course-lesson-checkpoint-answer",
    ),
    path("<int:course_id>/gradebook/", views.GradebookView.as_view(), name="course-gradebook"),
    path(
        "<int:course_id>/gradebook/export/",
        views.GradebookExportView.as_view(),
        name="course-gradebook-export",
    ),
    path(
        "<int:course_id>/gradebook/quizzes/<uuid:lesson_id>/questions/",
        views.QuestionStatsView.as_view(),
        name="course-quiz-question-stats",
    ),
]
attempt_patterns = [
    path("<int:attempt_id>/", views.AttemptView.as_view(), name="attempt"),
    path("<int:attempt_id>/answers/", views.AttemptAnswersView.as_view(), name="attempt-answers"),
    path("<int:attempt_id>/submit/", views.AttemptSubmitView.as_view(), name="attempt-submit"),
]
me_patterns = [path("grades/", views.MyGradesView.as_view(), name="me-grades")]
