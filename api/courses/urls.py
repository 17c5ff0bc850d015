from django.urls import path

import config.converters  # noqa: F401  (registers the <id:> converter)
from api.courses import views

course_patterns = [
    path("", views.CourseListView.as_view(), name="courses"),
    path("<id:course_id>/", views.CourseDetailView.as_view(), name="course"),
    path(
        "<id:course_id>/lessons/<uuid:lesson_id>/",
        views.LessonView.as_view(),
        name="course-lesson",
    ),
]

preview_patterns = [path("", views.PreviewView.as_view(), name="preview")]
