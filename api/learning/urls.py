from django.urls import path

import config.converters  # noqa: F401  (registers the <id:> converter)
from api.learning import views

course_patterns = [
    path(
        "<id:course_id>/enrollment/",
        views.CourseEnrollmentView.as_view(),
        name="course-enrollment",
    ),
    path(
        "<id:course_id>/lessons/<uuid:lesson_id>/open/",
        views.LessonOpenView.as_view(),
        name="course-lesson-open",
    ),
    path(
        "<id:course_id>/lessons/<uuid:lesson_id>/complete/",
        views.LessonCompleteView.as_view(),
        name="course-lesson-complete",
    ),
    path("<id:course_id>/roster/", views.RosterView.as_view(), name="course-roster"),
    path(
        "<id:course_id>/roster/export/",
        views.RosterExportView.as_view(),
        name="course-roster-export",
    ),
    path(
        "<id:course_id>/roster/invitations/",
        views.InvitationListView.as_view(),
        name="course-invitations",
    ),
    path(
        "<id:course_id>/roster/invitations/<id:invitation_id>/",
        views.InvitationDetailView.as_view(),
        name="course-invitation",
    ),
    path(
        "<id:course_id>/roster/<id:enrollment_id>/",
        views.RosterEntryView.as_view(),
        name="course-roster-entry",
    ),
]
me_patterns = [path("enrollments/", views.MyEnrollmentsView.as_view(), name="me-enrollments")]
progress_patterns = [path("events/", views.HeartbeatView.as_view(), name="progress-events")]
