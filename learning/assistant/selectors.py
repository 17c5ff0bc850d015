"""Reads of the AI tutor, shaped for their callers. Retrieval lives here: one selector over
the database's own full-text engine (PostgreSQL full-text search, SQLite FTS5)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from cms.models import CourseLesson
from learning.assistant.models import (
    Agent,
    CheckQuestion,
    Conversation,
    LedgerEntry,
    Message,
    Passage,
    Reflection,
    UsageCounter,
)

MAX_QUERY_TERMS = 32
_TERM = re.compile(r"\w+", re.UNICODE)
# Words that carry no topic (FTS5 has no stop list; PostgreSQL's drops these anyway).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "did",
        "for",
        "from",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "about",
        "should",
        "would",
        "could",
        "tell",
        "explain",
        "mean",
        "means",
    ]
)


def query_terms(text: str) -> list[str]:
    seen: list[str] = []
    for term in _TERM.findall((text or "").lower()):
        term = term.strip("_")
        if len(term) < 2 or term in STOPWORDS or term in seen:
            continue
        seen.append(term)
    return seen[:MAX_QUERY_TERMS]


@dataclass
class Hit:
    passage: Passage
    score: float


def postgres_search_sql(extra_sql: str = "") -> str:
    # Only fixed SQL fragments are joined; every value is a parameter.
    return (
        "SELECT p.id, ts_rank(p.search_vector, q) AS score "  # noqa: S608
        "FROM assistant_passage p, to_tsquery(%s::regconfig, %s) q "
        f"WHERE p.course_id = %s AND p.search_vector @@ q{extra_sql} "
        "ORDER BY score DESC, p.id LIMIT %s"
    )


def _search_postgres(course_id, terms, config, limit, extra_sql, extra_params):
    query = " | ".join(terms)
    with connection.cursor() as cursor:
        cursor.execute(
            postgres_search_sql(extra_sql), [config, query, course_id, *extra_params, limit]
        )
        return [(pk, float(score)) for pk, score in cursor.fetchall()]


def _search_sqlite(course_id, terms, limit, extra_sql, extra_params):
    # Title weighs 4x the body; bm25() is lower for better matches.
    sql = (
        "SELECT p.id, bm25(assistant_passage_fts, 4.0, 1.0) AS score "  # noqa: S608
        "FROM assistant_passage_fts JOIN assistant_passage p "
        "ON p.id = assistant_passage_fts.rowid "
        f"WHERE assistant_passage_fts MATCH %s AND p.course_id = %s{extra_sql} "
        "ORDER BY score, p.id LIMIT %s"
    )
    match = " OR ".join(f'"{term}"' for term in terms)
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, course_id, *extra_params, limit])
        return [(pk, -float(score)) for pk, score in cursor.fetchall()]


def passages_search(
    *,
    course_id: int,
    query: str,
    limit: int = 5,
    free_preview_only: bool = False,
    kind: str | None = None,
    config: str | None = None,
) -> list[Hit]:
    """The passages of a course best matching ``query``, best first (two queries).

    ``free_preview_only`` limits the search to free-preview lessons (learners who are not
    enrolled). ``config`` is the course's PostgreSQL text search configuration."""
    terms = query_terms(query)
    if not terms:
        return []
    extra_sql, extra_params = "", []
    if free_preview_only:
        extra_sql += " AND p.free_preview = %s"
        extra_params.append(True)
    if kind:
        extra_sql += " AND p.kind = %s"
        extra_params.append(kind)
    if connection.vendor == "postgresql":
        if config is None:
            config = (
                Passage.objects.filter(course_id=course_id)
                .values_list("search_config", flat=True)
                .first()
                or "english"
            )
        rows = _search_postgres(course_id, terms, config, limit, extra_sql, extra_params)
    else:
        rows = _search_sqlite(course_id, terms, limit, extra_sql, extra_params)
    found = Passage.objects.in_bulk([pk for pk, _ in rows])
    return [Hit(found[pk], score) for pk, score in rows if pk in found]


def live_lesson(course_id: int, lesson_id) -> CourseLesson | None:
    return (
        CourseLesson.objects.filter(course_id=course_id, lesson_id=lesson_id, is_live=True)
        .select_related("section")
        .first()
    )


def live_lessons(course_id: int) -> list[CourseLesson]:
    return list(CourseLesson.objects.filter(course_id=course_id, is_live=True).order_by("position"))


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


def transcript_window(
    *, video_id: int | None, at: float, radius: float = 30.0, language: str = "en"
) -> list[Segment]:
    """Transcript segments of the video that overlap ``[at - radius, at + radius]`` (edges
    included: a segment ending exactly at ``at - radius`` or starting exactly at
    ``at + radius`` is in), from the track in ``language`` or else the first track."""
    from media_pipeline.models import CaptionTrack, TranscriptSegment

    if video_id is None:
        return []
    tracks = list(CaptionTrack.objects.filter(asset_id=video_id).values_list("pk", "language"))
    if not tracks:
        return []
    base = language.split("-")[0]
    track_id = next(
        (pk for pk, lang in tracks if lang == language),
        next((pk for pk, lang in tracks if lang.split("-")[0] == base), tracks[0][0]),
    )
    rows = TranscriptSegment.objects.filter(
        track_id=track_id, start_seconds__lte=at + radius, end_seconds__gte=at - radius
    ).order_by("position")
    return [Segment(r.start_seconds, r.end_seconds, r.text) for r in rows]


# --- Conversations --------------------------------------------------------------------------


def conversations_of(user, *, course_id: int | None = None) -> QuerySet[Conversation]:
    qs = Conversation.objects.filter(user=user).select_related("course")
    if course_id is not None:
        qs = qs.filter(course_id=course_id)
    return qs.annotate(message_count=Count("messages")).order_by("-updated_at", "-pk")


def conversation_of(user, conversation_id: int) -> Conversation | None:
    """The learner's own conversation; ``None`` for anyone else's (never revealed)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Conversation.objects.select_related("course").filter(pk=conversation_id, user=user).first()
    )


def messages_of(conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.order_by("created_at", "pk")


def recent_turns(conversation: Conversation, *, limit: int = 20) -> list[Message]:
    """The last completed turns, oldest first (the prompt keeps as many as fit its budget)."""
    rows = list(
        conversation.messages.filter(status=Message.Status.COMPLETE, agent=Agent.CHAT).order_by(
            "-created_at", "-pk"
        )[:limit]
    )
    return list(reversed(rows))


# --- Reflections ----------------------------------------------------------------------------


def reflections_of(user, *, course_id=None, lesson_id=None) -> QuerySet[Reflection]:
    qs = Reflection.objects.filter(user=user)
    if course_id is not None:
        qs = qs.filter(course_id=course_id)
    if lesson_id is not None:
        qs = qs.filter(lesson_id=lesson_id)
    return qs.order_by("-created_at", "-pk")


def course_reflections(course_id: int, *, lesson_id=None) -> QuerySet[Reflection]:
    qs = Reflection.objects.filter(course_id=course_id).select_related("user")
    if lesson_id is not None:
        qs = qs.filter(lesson_id=lesson_id)
    return qs.order_by("-created_at", "-pk")


# --- Usage ----------------------------------------------------------------------------------


def period_starts(now: datetime | None = None) -> dict[str, date]:
    today = (now or timezone.now()).astimezone(UTC).date()
    return {UsageCounter.Period.DAY: today, UsageCounter.Period.MONTH: today.replace(day=1)}


def period_resets_at(period: str, start: date) -> datetime:
    if period == UsageCounter.Period.DAY:
        nxt = start + timedelta(days=1)
    else:
        nxt = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return datetime(nxt.year, nxt.month, nxt.day, tzinfo=UTC)


def usage_counters(user) -> dict[str, UsageCounter | None]:
    starts = period_starts()
    rows = {
        (c.period, c.period_start): c
        for c in UsageCounter.objects.filter(
            user=user,
            period_start__in=list(starts.values()),
        )
    }
    return {period: rows.get((period, start)) for period, start in starts.items()}


def usage_report(*, course_ids=None, since: date, until: date) -> list[dict]:
    """Provider calls per course and day: interactions, tokens, cost (failed calls apart)."""
    qs = LedgerEntry.objects.filter(created_at__date__gte=since, created_at__date__lte=until)
    if course_ids is not None:
        qs = qs.filter(course_id__in=course_ids)
    from django.db.models.functions import TruncDate

    rows = (
        qs.annotate(day=TruncDate("created_at"))
        .values("course_id", "course__title", "day")
        .annotate(
            calls=Count("pk", filter=Q(ok=True)),
            failed=Count("pk", filter=Q(ok=False)),
            learners=Count("user", distinct=True),
            tokens_in=Sum("tokens_in"),
            tokens_out=Sum("tokens_out"),
            cost=Sum("cost"),
        )
        .order_by("day", "course_id")
    )
    return [
        {
            "course_id": r["course_id"],
            "course_title": r["course__title"] or "",
            "day": r["day"],
            "calls": r["calls"],
            "failed_calls": r["failed"],
            "learners": r["learners"],
            "tokens_in": r["tokens_in"] or 0,
            "tokens_out": r["tokens_out"] or 0,
            "cost": r["cost"] or 0,
        }
        for r in rows
    ]


# --- Struggle detection ---------------------------------------------------------------------


@dataclass
class Struggle:
    suggested_agent: str | None
    signals: list[str]


def struggle_for(user, course_id: int, lesson_id=None, *, now: datetime | None = None) -> Struggle:
    """Which agent to offer the learner now, from progress and tutor activity (two to three
    queries): re-watching a span, a long pause mid-lesson, wrong check answers, many hints
    in a short time."""
    from learning.progress.models import LessonProgress

    now = now or timezone.now()
    signals: list[str] = []
    if lesson_id is not None:
        progress = (
            LessonProgress.objects.filter(
                user=user, course_id=course_id, lesson__lesson_id=lesson_id
            )
            .only("watched_seconds", "position", "status", "updated_at", "fraction")
            .first()
        )
        if progress is not None and progress.status != "completed":
            if progress.watched_seconds and progress.position + 5 < progress.watched_seconds:
                signals.append("rewatching")
            if progress.updated_at and now - progress.updated_at > timedelta(minutes=10):
                signals.append("long_pause")
    since = now - timedelta(minutes=15)
    recent = Message.objects.filter(
        conversation__user=user,
        conversation__course_id=course_id,
        role=Message.Role.USER,
        created_at__gte=since,
    ).aggregate(hints=Count("pk", filter=Q(agent=Agent.HINT)))
    wrong = CheckQuestion.objects.filter(
        user=user, course_id=course_id, is_correct=False, answered_at__gte=now - timedelta(hours=1)
    ).count()
    if wrong >= 2:
        signals.append("wrong_answers")
    if recent["hints"] >= 3:
        signals.append("many_hints")
    if "many_hints" in signals or "wrong_answers" in signals:
        agent = Agent.PATH if "many_hints" in signals else Agent.HINT
    elif "rewatching" in signals:
        agent = Agent.HINT
    elif "long_pause" in signals:
        agent = Agent.CHECK
    else:
        agent = None
    return Struggle(agent, signals)
