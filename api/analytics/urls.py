from django.urls import path

import config.converters  # noqa: F401  (registers the <id:> converter)
from api.analytics import views

analytics_patterns = [
    path(
        "courses/<id:course_id>/overview/",
        views.CourseOverviewView.as_view(),
        name="analytics-course-overview",
    ),
    path(
        "courses/<id:course_id>/timeseries/",
        views.CourseSeriesView.as_view(),
        name="analytics-course-timeseries",
    ),
    path(
        "courses/<id:course_id>/lessons/",
        views.CourseFunnelView.as_view(),
        name="analytics-course-lessons",
    ),
    path(
        "courses/<id:course_id>/videos/<uuid:lesson_id>/heatmap/",
        views.VideoHeatmapView.as_view(),
        name="analytics-video-heatmap",
    ),
    path(
        "courses/<id:course_id>/questions/",
        views.QuestionStatsView.as_view(),
        name="analytics-course-questions",
    ),
    path(
        "courses/<id:course_id>/learners/",
        views.CourseLearnersView.as_view(),
        name="analytics-course-learners",
    ),
    path(
        "courses/<id:course_id>/live/",
        views.CourseLiveView.as_view(),
        name="analytics-course-live",
    ),
    path(
        "platform/overview/",
        views.PlatformOverviewView.as_view(),
        name="analytics-platform-overview",
    ),
    path(
        "platform/timeseries/",
        views.PlatformSeriesView.as_view(),
        name="analytics-platform-timeseries",
    ),
]
me_patterns = [path("activity/", views.MyActivityView.as_view(), name="me-activity")]
