from django.urls import path

from api.learning import views

course_patterns = [
    path(
        "<int:course_id>/enrollment/",
        views.CourseEnrollmentView.as_view(),
        name="course-enrollment",
    ),
    path(
        "<int:course_id>/lessons/<uuid:lesson_id>/open/",
        views.LessonOpenView.as_view(),
        name="course-lesson-open",
    ),
    path(
        "<int:course_id>/lessons/<uuid:lesson_id>/complete/",
        views.LessonCompleteView.as_view(),
        name="course-lesson-complete",
    ),
    path("<int:course_id>/roster/", views.RosterView.as_view(), name="course-roster"),
    path(
        "<int:course_id>/roster/export/",
        views.RosterExportView.as_view(),
        name="course-roster-export",
    ),
    path(
        "<int:course_id>/roster/invitations/",
        views.InvitationListView.as_view(),
        name="course-invitations",
    ),
    path(
        "<int:course_id>/roster/invitations/<int:invitation_id>/",
        views.InvitationDetailView.as_view(),
        name="course-invitation",
    ),
    path(
        "<int:course_id>/roster/<int:enrollment_id>/",
        views.RosterEntryView.as_view(),
        name="course-roster-entry",
    ),
]
me_patterns = [path("enrollments/", views.MyEnrollmentsView.as_view(), name="me-enrollments")]
progress_patterns = [path("events/", views.HeartbeatView.as_view(), name="progress-events")]
