"""Analytics API: course and platform figures for course staff and reviewers, and a
learner's own activity. Every figure is read from the rollups (``learning.analytics``);
``?format=csv`` returns each response's table as CSV. Days are UTC calendar days (see
``learning.analytics.periods``)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from api.analytics import serializers as s
from api.analytics.renderers import CSVRenderer, CSVTable
from api.pagination import PageNumberPagination
from api.problems import PROBLEM_CONTENT_TYPE
from learning.analytics import periods, selectors

TAGS = ["analytics"]
CSV_NOTE = (
    " Add `?format=csv` for the table as a CSV file (text/csv, header row, one row per result)."
)
ERRORS = {
    400: OpenApiResponse(
        description="`invalid` (malformed date, unknown `interval` or `tz`: see `errors`), "
        "`date_range_reversed`, `date_range_too_long`."
    ),
    401: OpenApiResponse(description="Not signed in."),
    403: OpenApiResponse(description="`not_course_staff`: not an instructor of the course."),
    404: OpenApiResponse(
        description="`not_found`: no such course, or an unpublished one you do not teach."
    ),
}


def _csv_responses(serializer) -> dict:
    return {200: serializer, (200, "text/csv"): OpenApiTypes.STR, **ERRORS}


class AnalyticsView(APIView):
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are problem JSON, even when CSV was asked for.
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and getattr(renderer, "format", "") == "csv":
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = PROBLEM_CONTENT_TYPE
            response.content_type = PROBLEM_CONTENT_TYPE
        return super().finalize_response(request, response, *args, **kwargs)

    def wants_csv(self) -> bool:
        return getattr(self.request.accepted_renderer, "format", "") == "csv"

    def table(self, filename: str, columns, rows) -> Response:
        response = Response(CSVTable(columns=list(columns), rows=list(rows)))
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response

    def period(self, *, default_days: int = periods.DEFAULT_DAYS) -> periods.Period:
        query = s.RangeQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return periods.period(
            start=data.get("start"),
            end=data.get("end"),
            interval=data["interval"],
            tz=data.get("tz") or _user_tz(self.request.user),
            default_days=default_days,
        )


def _user_tz(user) -> str:
    return getattr(user, "timezone", "") or "UTC"


RANGE_PARAMS = [s.RangeQuerySerializer]


class CourseOverviewView(AnalyticsView):
    @extend_schema(
        tags=TAGS,
        operation_id="analytics_course_overview",
        parameters=RANGE_PARAMS,
        responses=_csv_responses(s.OverviewSerializer),
        description="Key figures of a course for its instructors and reviewers: all-time "
        "enrollments, completions and completion rate; enrollments, active learners, lesson "
        "starts and completions, median days to complete and video watch time in the range; "
        "learners learning now." + CSV_NOTE,
    )
    def get(self, request, course_id: int):
        course = selectors.staff_course(request.user, course_id)
        data = selectors.course_overview(course, self.period())
        if self.wants_csv():
            return self.table(f"course-{course.pk}-overview", data.keys(), [data.values()])
        return Response(s.OverviewSerializer(data).data)


class CourseSeriesView(AnalyticsView):
    @extend_schema(
        tags=TAGS,
        operation_id="analytics_course_timeseries",
        parameters=RANGE_PARAMS,
        responses=_csv_responses(s.SeriesSerializer),
        description="The course's figures per day, week or month of a date range (at most "
        "`ANALYTICS_MAX_RANGE_DAYS` days). Every period of the range is listed, zeros "
        "included." + CSV_NOTE,
    )
    def get(self, request, course_id: int):
        course = selectors.staff_course(request.user, course_id)
        span = self.period()
        rows = selectors.course_series(course.pk, span)
        if self.wants_csv():
            columns = ["period", *selectors.SERIES_FIELDS]
            return self.table(
                f"course-{course.pk}-{span.interval}",
                columns,
                ([row[c] for c in columns] for row in rows),
            )
        data = {
            "course_id": course.pk,
            "start": span.start,
            "end": span.end,
            "interval": span.interval,
            "tz": span.tz,
            "results": rows,
        }
        return Response(s.SeriesSerializer(data).data)


class CourseFunnelView(AnalyticsView):
    @extend_schema(
        tags=TAGS,
        operation_id="analytics_course_lessons",
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"])],
        responses=_csv_responses(s.FunnelSerializer),
        description="The lesson funnel: per lesson, learners who started and completed it "
        "and learners who stopped there. Lessons removed from the course follow, with "
        "`is_live` false." + CSV_NOTE,
    )
    def get(self, request, course_id: int):
        course = selectors.staff_course(request.user, course_id)
        rows = selectors.lesson_funnel(course.pk)
        if self.wants_csv():
            columns = list(s.FunnelRowSerializer().fields)
            return self.table(
                f"course-{course.pk}-lessons", columns, ([r[c] for c in columns] for r in rows)
            )
        return Response(s.FunnelSerializer({"course_id": course.pk, "results": rows}).data)


class VideoHeatmapView(AnalyticsView):
    @extend_schema(
        tags=TAGS,
        operation_id="analytics_video_heatmap",
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"])],
        responses={
            **_csv_responses(s.HeatmapSerializer),
            404: OpenApiResponse(
                description="`not_found` (course), `lesson_not_found` (no such video lesson)."
            ),
        },
        description="A video lesson's coverage in 10-second buckets: learners who watched "
        "part of each, and learners not done with the video whose resume position is in it "
        "(where they left)." + CSV_NOTE,
    )
    def get(self, request, course_id: int, lesson_id):
        course = selectors.staff_course(request.user, course_id)
        data = selectors.video_heatmap(course.pk, lesson_id)
        if self.wants_csv():
            columns = ["start", "end", "learners", "exits"]
            return self.table(
                f"video-{lesson_id}",
                columns,
                ([b[c] for c in columns] for b in data["buckets"]),
            )
        return Response(s.HeatmapSerializer(data).data)


class QuestionStatsView(AnalyticsView):
    @extend_schema(
        tags=TAGS,
        operation_id="analytics_course_questions",
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"])],
        responses=_csv_responses(s.QuestionsSerializer),
        description="Item analysis of every quiz question with graded attempts: attempts, "
        "percent correct, discrimination index and the most chosen wrong answer." + CSV_NOTE,
    )
    def get(self, request, course_id: int):
        course = selectors.staff_course(request.user, course_id)
        rows = selectors.question_stats(course.pk)
        if self.wants_csv():
            columns = list(s.QuestionRowSerializer().fields)
            return self.table(
                f"course-{course.pk}-questions", columns, ([r[c] for c in columns] for r in rows)
            )
        return Response(s.QuestionsSerializer({"course_id": course.pk, "results": rows}).data)


class CourseLearnersView(AnalyticsView):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=TAGS,
        operation_id="analytics_course_learners",
        parameters=[s.LearnerQuerySerializer],
        responses=_csv_responses(s.LearnerRowSerializer(many=True)),
        description="The course's current learners with last active day, lessons completed, "
        "pace and the at-risk flag (`inactive`: no activity for "
        "`ANALYTICS_AT_RISK_INACTIVE_DAYS`; `behind_pace`: below "
        "`ANALYTICS_AT_RISK_PACE_FRACTION` of the median pace). At-risk learners first. "
        "Paginated (`page`, `page_size`); the CSV holds every row." + CSV_NOTE,
    )
    def get(self, request, course_id: int):
        course = selectors.staff_course(request.user, course_id)
        query = s.LearnerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = periods.today_in(query.validated_data.get("tz") or _user_tz(request.user))
        rows = [
            {
                **vars(row),
                "roster_url": reverse(
                    "v2:course-roster-entry", args=[course.pk, row.enrollment_id]
                ),
            }
            for row in selectors.course_learners(
                course, today=today, at_risk_only=query.validated_data["at_risk"]
            )
        ]
        if self.wants_csv():
            columns = [c for c in s.LearnerRowSerializer().fields if c != "roster_url"]
            return self.table(
                f"course-{course.pk}-learners", columns, ([r[c] for c in columns] for r in rows)
            )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(s.LearnerRowSerializer(page, many=True).data)


PLATFORM_ERRORS = {
    **ERRORS,
    403: OpenApiResponse(description="`not_reviewer`: editors and administrators only."),
}


class PlatformOverviewView(AnalyticsView):
    @extend_schema(
        tags=TAGS,
        operation_id="analytics_platform_overview",
        parameters=RANGE_PARAMS,
        responses={200: s.PlatformOverviewSerializer, **PLATFORM_ERRORS},
        description="Platform figures in a date range for editors and administrators: "
        "sign-ups, enrollments, completions, active users and courses, the ten courses "
        "with the most enrollments." + CSV_NOTE,
    )
    def get(self, request):
        selectors.ensure_platform_reviewer(request.user)
        data = selectors.platform_overview(self.period())
        if self.wants_csv():
            columns = ["course_id", "enrollments", "completions"]
            return self.table(
                "platform-top-courses",
                columns,
                ([r[c] for c in columns] for r in data["top_courses"]),
            )
        return Response(s.PlatformOverviewSerializer(data).data)


class PlatformSeriesView(AnalyticsView):
    @extend_schema(
        tags=TAGS,
        operation_id="analytics_platform_timeseries",
        parameters=RANGE_PARAMS,
        responses={
            200: s.PlatformSeriesSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            **PLATFORM_ERRORS,
        },
        description="Platform sign-ups, active users, enrollments and completions per day, "
        "week or month." + CSV_NOTE,
    )
    def get(self, request):
        selectors.ensure_platform_reviewer(request.user)
        span = self.period()
        rows = selectors.platform_series(span)
        if self.wants_csv():
            columns = ["period", *selectors.PLATFORM_FIELDS]
            return self.table(
                f"platform-{span.interval}", columns, ([r[c] for c in columns] for r in rows)
            )
        data = {
            "start": span.start,
            "end": span.end,
            "interval": span.interval,
            "tz": span.tz,
            "results": rows,
        }
        return Response(s.PlatformSeriesSerializer(data).data)


class MyActivityView(AnalyticsView):
    @extend_schema(
        tags=["progress"],
        operation_id="me_activity",
        parameters=RANGE_PARAMS,
        responses={
            200: s.ActivitySerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            400: ERRORS[400],
            401: ERRORS[401],
        },
        description="Your own learning activity (default: the last 28 days): video seconds "
        "newly watched and lessons completed per day, lessons completed per week (from "
        "Monday), and your streak of consecutive active days ending today or yesterday. "
        "Figures come from the rollups, a few minutes behind." + CSV_NOTE,
    )
    def get(self, request):
        span = self.period(default_days=28)
        data = selectors.my_activity(request.user, span, today=periods.today_in(span.tz))
        if self.wants_csv():
            columns = ["date", "watch_seconds", "lessons_completed", "active"]
            return self.table(
                "my-activity", columns, ([d[c] for c in columns] for d in data["days"])
            )
        return Response(s.ActivitySerializer(data).data)


class CourseLiveView(AnalyticsView):
    @extend_schema(
        tags=TAGS,
        operation_id="analytics_course_live",
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"])],
        responses=_csv_responses(s.LiveSerializer),
        description="Learners with a heartbeat in the course in the last "
        "`ANALYTICS_LEARNING_NOW_SECONDS` (two minutes): a cheap count for dashboards to "
        "poll." + CSV_NOTE,
    )
    def get(self, request, course_id: int):
        course = selectors.staff_course(request.user, course_id)
        data = {"course_id": course.pk, "learning_now": selectors.learning_now(course.pk)}
        if self.wants_csv():
            return self.table(f"course-{course.pk}-live", data.keys(), [data.values()])
        return Response(s.LiveSerializer(data).data)
