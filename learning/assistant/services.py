"""Writes of the AI tutor: the course index, conversations, interactions with the model
(quota first, provider call outside any transaction, ledger after), agents and reflections.

An *interaction* is one learner request that calls the provider: it takes one unit of the
learner's daily and monthly quota before the call and gives it back if the provider fails,
so a failed call is never charged and two parallel requests cannot both take the last unit.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from cms import selectors as cms_selectors
from cms.models import CourseLesson, CoursePage, SectionPage
from learning import access
from learning.assistant import errors, indexing, prompting, selectors
from learning.assistant.models import (
    Agent,
    CheckQuestion,
    Conversation,
    LedgerEntry,
    Message,
    Passage,
    Plan,
    Reflection,
    TutorPlan,
    UsageCounter,
)
from learning.assistant.providers import (
    Completion,
    ModelRequest,
    Provider,
    Source,
    get_provider,
)

# --- Index ----------------------------------------------------------------------------------


def _fts_delete(course_id: int) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM assistant_passage_fts WHERE rowid IN "
                "(SELECT id FROM assistant_passage WHERE course_id = %s)",
                [course_id],
            )


def _fts_insert(course_id: int) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            _fts_delete(course_id)  # rows left behind by a flush (ids are reused)
            cursor.execute(
                "INSERT INTO assistant_passage_fts(rowid, title, body) "
                "SELECT id, lesson_title || ' ' || section_title, body FROM assistant_passage "
                "WHERE course_id = %s",
                [course_id],
            )
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE assistant_passage SET search_vector = "
                "setweight(to_tsvector(search_config::regconfig, "
                "lesson_title || ' ' || section_title), 'A') || "
                "setweight(to_tsvector(search_config::regconfig, body), 'B') "
                "WHERE course_id = %s",
                [course_id],
            )
            # Fresh statistics, so the planner uses the GIN index for large courses instead
            # of scanning every passage of the course (a rebuild replaces them all).
            cursor.execute("ANALYZE assistant_passage")


def _course_passages(course: CoursePage) -> list[Passage]:
    from media_pipeline.models import CaptionTrack, TranscriptSegment

    lessons = {
        str(row.lesson_id): row for row in CourseLesson.objects.filter(course=course, is_live=True)
    }
    config = indexing.pg_config(course.language)
    words = settings.ASSISTANT_PASSAGE_WORDS
    passages: list[Passage] = []
    videos: dict[int, list[CourseLesson]] = {}
    for section in SectionPage.objects.live().child_of(course).order_by("path"):
        for raw in section.lessons.raw_data:
            lesson = lessons.get(str(raw["id"]))
            if lesson is None:
                continue
            texts = indexing.lesson_texts(raw["type"], raw.get("value") or {})
            for position, chunk in enumerate(indexing.chunk_texts(texts, max_words=words)):
                passages.append(
                    Passage(
                        course=course,
                        lesson_id=lesson.lesson_id,
                        lesson_title=lesson.title,
                        section_title=section.title,
                        lesson_kind=lesson.kind,
                        lesson_position=lesson.position,
                        free_preview=lesson.free_preview,
                        kind=Passage.Kind.TEXT,
                        position=position,
                        body=chunk.body,
                        search_config=config,
                    )
                )
            if lesson.video_id:
                videos.setdefault(lesson.video_id, []).append((lesson, section.title))
    if videos:
        tracks: dict[int, int] = {}
        base = course.language.split("-")[0]
        for pk, asset_id, language in CaptionTrack.objects.filter(
            asset_id__in=list(videos)
        ).values_list("pk", "asset_id", "language"):
            if asset_id not in tracks or language.split("-")[0] == base:
                tracks[asset_id] = pk
        segments: dict[int, list[tuple]] = {}
        for track_id, start, end, text in (
            TranscriptSegment.objects.filter(track_id__in=list(tracks.values()))
            .order_by("track_id", "position")
            .values_list("track_id", "start_seconds", "end_seconds", "text")
        ):
            segments.setdefault(track_id, []).append((start, end, text))
        for asset_id, track_id in tracks.items():
            chunks = indexing.chunk_segments(
                segments.get(track_id, []),
                max_words=settings.ASSISTANT_TRANSCRIPT_PASSAGE_WORDS,
                max_seconds=settings.ASSISTANT_TRANSCRIPT_PASSAGE_SECONDS,
            )
            for lesson, section_title in videos[asset_id]:
                for position, chunk in enumerate(chunks):
                    passages.append(
                        Passage(
                            course=course,
                            lesson_id=lesson.lesson_id,
                            lesson_title=lesson.title,
                            section_title=section_title,
                            lesson_kind=lesson.kind,
                            lesson_position=lesson.position,
                            free_preview=lesson.free_preview,
                            kind=Passage.Kind.TRANSCRIPT,
                            position=position,
                            body=chunk.body,
                            start_seconds=chunk.start,
                            end_seconds=chunk.end,
                            search_config=config,
                        )
                    )
    return passages


@transaction.atomic
def course_index_rebuild(*, course_id: int) -> int:
    """Replace the course's passages with its live content (none when the course is not
    live). Idempotent; returns the number of passages."""
    _fts_delete(course_id)
    Passage.objects.filter(course_id=course_id).delete()
    course = CoursePage.objects.filter(pk=course_id, live=True).first()
    if course is None:
        return 0
    passages = _course_passages(course)
    Passage.objects.bulk_create(passages, batch_size=500)
    _fts_insert(course_id)
    return len(passages)


def index_backfill() -> int:
    """Index live courses that have no passages yet (demo data, courses published before
    the tutor existed)."""
    count = 0
    for course_id in (
        CoursePage.objects.live()
        .exclude(pk__in=Passage.objects.values("course_id"))
        .values_list("pk", flat=True)
    ):
        course_index_rebuild(course_id=course_id)
        count += 1
    return count


# --- Access -----------------------------------------------------------------------------------


@dataclass
class Access:
    course: CoursePage
    lesson: CourseLesson | None
    preview_only: bool  # not enrolled: only free-preview lessons may be searched


def tutor_access(user, course_id: int, lesson_id=None) -> Access:
    """Who may ask the tutor about a course (and a lesson of it): current learners and the
    course's staff; anyone signed in and verified for a free-preview lesson."""
    if not (user and user.is_authenticated and user.is_active):
        raise access.EnrollmentRequired()
    course = cms_selectors.live_course(course_id)
    if course is None:
        raise errors.CourseNotFound()
    lesson = None
    if lesson_id is not None:
        lesson = selectors.live_lesson(course.pk, lesson_id)
        if lesson is None:
            raise errors.LessonNotInCourse()
    staff = access.is_course_staff(user, course)
    if not staff and settings.ASSISTANT_REQUIRE_VERIFIED_EMAIL and not user.email_verified:
        raise errors.TutorEmailNotVerified()
    if not course.ai_tutor_enabled:
        raise errors.TutorDisabled()
    if staff or access.is_current_learner(user, course):
        return Access(course, lesson, preview_only=False)
    if lesson is not None and lesson.free_preview:
        return Access(course, lesson, preview_only=True)
    raise errors.TutorEnrollmentRequired()


# --- Conversations ----------------------------------------------------------------------------


@transaction.atomic
def conversation_create(*, user, course_id: int, lesson_id=None, title: str = "") -> Conversation:
    allowed = tutor_access(user, course_id, lesson_id)
    conversation = Conversation(
        user=user,
        course=allowed.course,
        lesson_id=allowed.lesson.lesson_id if allowed.lesson else None,
        title=(title or "").strip()[:200],
    )
    conversation.full_clean()
    conversation.save()
    return conversation


@transaction.atomic
def conversation_rename(*, conversation: Conversation, title: str) -> Conversation:
    conversation.title = (title or "").strip()[:200]
    conversation.updated_at = timezone.now()
    conversation.save(update_fields=["title", "updated_at"])
    return conversation


@transaction.atomic
def conversation_delete(*, conversation: Conversation) -> None:
    conversation.delete()


@transaction.atomic
def message_feedback(*, message: Message, feedback: str, comment: str = "") -> Message:
    message.feedback = feedback
    message.feedback_comment = (comment or "")[:2000]
    message.save(update_fields=["feedback", "feedback_comment"])
    return message


# --- Quotas and ledger ------------------------------------------------------------------------


def plan_of(user) -> str:
    plan = TutorPlan.objects.filter(user=user).values_list("plan", flat=True).first()
    return plan or Plan.FREE


def plan_limits(plan: str) -> dict[str, int]:
    return settings.ASSISTANT_PLAN_LIMITS.get(plan) or settings.ASSISTANT_PLAN_LIMITS[Plan.FREE]


def plan_token_limits(plan: str) -> dict[str, int]:
    """Tokens per period of ``plan``; a period without a limit is absent (0 means none)."""
    limits = getattr(settings, "ASSISTANT_PLAN_TOKEN_LIMITS", {}).get(plan) or {}
    return {period: int(limit) for period, limit in limits.items() if limit}


@transaction.atomic
def tutor_plan_set(*, user, plan: str) -> TutorPlan:
    row, _ = TutorPlan.objects.update_or_create(user=user, defaults={"plan": plan})
    row.full_clean()
    return row


@dataclass
class Reservation:
    user_id: int
    starts: dict[str, object]


def quota_take(*, user) -> Reservation:
    """Take one interaction from today's and this month's quota, or raise
    :class:`QuotaExceeded` with the limit, the use and when it resets. Each counter is taken
    with a conditional UPDATE (``used < limit``, and ``tokens < token limit`` when the plan
    has one): the database serialises parallel takers on the row, so exactly as many succeed
    as there are units left. Tokens are those of the ledger (added to the counter in the
    transaction that writes the ledger row); a call's tokens are known only once it is
    answered, so a token limit refuses the interactions after the one that reached it."""
    plan = plan_of(user)
    limits = plan_limits(plan)
    token_limits = plan_token_limits(plan)
    starts = selectors.period_starts()
    with transaction.atomic():
        UsageCounter.objects.bulk_create(
            [UsageCounter(user=user, period=p, period_start=s) for p, s in starts.items()],
            ignore_conflicts=True,
        )
        for period, start in starts.items():
            room = Q(used__lt=limits[period])
            if period in token_limits:
                room &= Q(tokens__lt=token_limits[period])
            taken = (
                UsageCounter.objects.filter(user=user, period=period, period_start=start)
                .filter(room)
                .update(used=F("used") + 1)
            )
            if not taken:
                used, tokens_used = (
                    UsageCounter.objects.filter(user=user, period=period, period_start=start)
                    .values_list("used", "tokens")
                    .first()
                ) or (0, 0)
                over_tokens = used < limits[period]
                raise errors.QuotaExceeded(
                    period=period,
                    limit=token_limits[period] if over_tokens else limits[period],
                    used=tokens_used if over_tokens else used,
                    resets_at=selectors.period_resets_at(period, start),
                    plan=plan,
                    unit="tokens" if over_tokens else "interactions",
                )
    return Reservation(user.pk, starts)


def quota_release(reservation: Reservation) -> None:
    """Give back an interaction whose provider call failed (it is not charged)."""
    for period, start in reservation.starts.items():
        UsageCounter.objects.filter(
            user_id=reservation.user_id, period=period, period_start=start, used__gt=0
        ).update(used=F("used") - 1)


def call_cost(model: str, tokens_in: int, tokens_out: int) -> Decimal:
    """Cost of a call from ``ASSISTANT_PRICES`` (per million tokens, in and out)."""
    prices = settings.ASSISTANT_PRICES.get(model) or settings.ASSISTANT_PRICES.get("*") or {}
    per_in = Decimal(str(prices.get("input", 0)))
    per_out = Decimal(str(prices.get("output", 0)))
    return ((per_in * tokens_in + per_out * tokens_out) / Decimal(1_000_000)).quantize(
        Decimal("0.000001")
    )


# --- Interactions -----------------------------------------------------------------------------


@dataclass
class Interaction:
    """A prepared request: quota taken, learner's message saved, prompt built."""

    user: object
    conversation: Conversation
    agent: str
    request: ModelRequest
    provider: Provider
    reservation: Reservation
    user_message: Message | None = None
    started: float = field(default_factory=time.monotonic)


def _validate_text(content: str, *, required: bool = True) -> str:
    content = (content or "").strip()
    if required and not content:
        raise errors.EmptyMessage()
    if len(content) > settings.ASSISTANT_MAX_MESSAGE_CHARS:
        raise errors.MessageTooLong(
            f"Messages may be at most {settings.ASSISTANT_MAX_MESSAGE_CHARS} characters."
        )
    return content


def progress_summary(user, course: CoursePage) -> str:
    from learning.progress.models import LessonProgress

    total = CourseLesson.objects.filter(course=course, is_live=True, optional=False).count()
    rows = LessonProgress.objects.filter(user=user, course=course, lesson__is_live=True)
    done = rows.filter(status="completed").count()
    started = rows.exclude(status="completed").count()
    return f"{done} of {total} required lessons completed, {started} started"


def _sources(allowed: Access, *, query: str, video_time: float | None) -> tuple:
    """(transcript window source, retrieved passage sources)."""
    transcript = None
    number = 1
    lesson = allowed.lesson
    if lesson is not None and video_time is not None and lesson.video_id:
        window = selectors.transcript_window(
            video_id=lesson.video_id,
            at=video_time,
            radius=settings.ASSISTANT_TRANSCRIPT_WINDOW_SECONDS,
            language=allowed.course.language,
        )
        if window:
            transcript = Source(
                number=number,
                lesson_id=str(lesson.lesson_id),
                lesson_title=lesson.title,
                kind="transcript",
                text="\n".join(f"({prompting.clock(s.start)}) {s.text}" for s in window),
                start_seconds=window[0].start,
                end_seconds=window[-1].end,
            )
            number += 1
    hits = selectors.passages_search(
        course_id=allowed.course.pk,
        query=" ".join(filter(None, [query, lesson.title if lesson else ""])),
        limit=settings.ASSISTANT_RETRIEVED_PASSAGES,
        free_preview_only=allowed.preview_only,
        config=indexing.pg_config(allowed.course.language),
    )
    found = [hit.passage for hit in hits]
    if not found and not transcript and not selectors.query_terms(query):
        # Nothing to search for (a check or reflection without a question): the lesson's
        # own passages, else the course's first ones.
        fallback = Passage.objects.filter(course_id=allowed.course.pk)
        if allowed.preview_only:
            fallback = fallback.filter(free_preview=True)
        if lesson is not None and fallback.filter(lesson_id=lesson.lesson_id).exists():
            fallback = fallback.filter(lesson_id=lesson.lesson_id)
        found = list(fallback.order_by("lesson_position", "kind", "position")[:2])
    passages = []
    for p in found:
        passages.append(
            Source(
                number=number,
                lesson_id=str(p.lesson_id),
                lesson_title=p.lesson_title,
                kind=p.kind,
                text=p.body,
                start_seconds=p.start_seconds,
                end_seconds=p.end_seconds,
            )
        )
        number += 1
    return transcript, passages


def _context(
    user,
    allowed: Access,
    *,
    question: str = "",
    video_time: float | None = None,
    selected_text: str = "",
    history=(),
    params: dict | None = None,
    search: str | None = None,
) -> prompting.PromptContext:
    transcript, passages = _sources(
        allowed,
        query=search if search is not None else f"{question} {selected_text}",
        video_time=video_time,
    )
    return prompting.PromptContext(
        course_title=allowed.course.title,
        lesson_title=allowed.lesson.title if allowed.lesson else "",
        video_time=video_time,
        selected_text=selected_text,
        question=question,
        progress=progress_summary(user, allowed.course),
        transcript=transcript,
        passages=passages,
        history=list(history),
        params=params or {},
    )


def interaction_prepare(
    *,
    user,
    conversation: Conversation,
    agent: str,
    content: str = "",
    lesson_id=None,
    video_time: float | None = None,
    selected_text: str = "",
    params: dict | None = None,
) -> Interaction:
    """Check access and input, take quota, save the learner's message, build the prompt.
    Raises before changing anything when the request is refused."""
    content = _validate_text(content, required=agent == Agent.CHAT)
    selected_text = _validate_text(selected_text, required=False)
    if video_time is not None and video_time < 0:
        raise errors.AssistantError("The video time must not be negative.", code="invalid_time")
    allowed = tutor_access(user, conversation.course_id, lesson_id or conversation.lesson_id)
    history = []
    if agent == Agent.CHAT:
        history = [(m.role, m.content) for m in selectors.recent_turns(conversation)]
    ctx = _context(
        user,
        allowed,
        question=content,
        video_time=video_time,
        selected_text=selected_text,
        history=history,
        params=params,
    )
    request = prompting.build(agent, ctx)
    reservation = quota_take(user=user)
    with transaction.atomic():
        user_message = Message.objects.create(
            conversation=conversation,
            role=Message.Role.USER,
            agent=agent,
            content=content,
            context={
                "lesson_id": str(allowed.lesson.lesson_id) if allowed.lesson else None,
                "video_time_seconds": video_time,
                "selected_text": selected_text,
                **({"level": params["level"]} if params and "level" in params else {}),
            },
        )
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    return Interaction(
        user=user,
        conversation=conversation,
        agent=agent,
        request=request,
        provider=get_provider(),
        reservation=reservation,
        user_message=user_message,
    )


def cut_reply(text: str) -> str:
    """A reply within the length budget, cut at a word boundary."""
    limit = settings.ASSISTANT_MAX_REPLY_CHARS
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _citations(request: ModelRequest, text: str) -> list[dict]:
    """The sources the reply cites by number; all sources when it cites none."""
    cited = [s for s in request.sources if f"[{s.number}]" in text]
    return [s.citation() for s in (cited or request.sources)]


@transaction.atomic
def interaction_succeeded(
    interaction: Interaction, completion: Completion, *, text: str | None = None
) -> Message:
    """Save the tutor's reply and the ledger row (the quota was taken already)."""
    reply = cut_reply(text if text is not None else completion.text)
    if interaction.provider.label and interaction.agent in (Agent.CHAT, Agent.HINT):
        reply = f"{reply}\n\n({interaction.provider.label})"
    cost = call_cost(completion.model, completion.tokens_in, completion.tokens_out)
    message = Message.objects.create(
        conversation=interaction.conversation,
        role=Message.Role.ASSISTANT,
        agent=interaction.agent,
        content=reply,
        citations=_citations(interaction.request, reply)
        if interaction.agent in (Agent.CHAT, Agent.HINT, Agent.CHECK)
        else [],
        provider=completion.provider,
        model=completion.model,
        tokens_in=completion.tokens_in,
        tokens_out=completion.tokens_out,
        latency_ms=completion.latency_ms or int((time.monotonic() - interaction.started) * 1000),
        cost=cost,
    )
    LedgerEntry.objects.create(
        user=interaction.user,
        course_id=interaction.conversation.course_id,
        message=message,
        agent=interaction.agent,
        provider=completion.provider,
        model=completion.model,
        tokens_in=completion.tokens_in,
        tokens_out=completion.tokens_out,
        cost=cost,
        latency_ms=message.latency_ms,
    )
    # Row by row in the order quota_take() locks them (day, then month): two transactions
    # locking the same counters in different orders would deadlock.
    for period, start in interaction.reservation.starts.items():
        UsageCounter.objects.filter(
            user_id=interaction.reservation.user_id, period=period, period_start=start
        ).update(tokens=F("tokens") + completion.tokens_in + completion.tokens_out)
    Conversation.objects.filter(pk=interaction.conversation.pk).update(updated_at=timezone.now())
    return message


def interaction_failed(interaction: Interaction, error: errors.ProviderError) -> None:
    """Give the quota back and record the failed call (cost 0). The learner's message stays."""
    quota_release(interaction.reservation)
    provider = interaction.provider
    LedgerEntry.objects.create(
        user=interaction.user,
        course_id=interaction.conversation.course_id,
        message=interaction.user_message,
        agent=interaction.agent,
        provider=provider.name,
        model=provider.model,
        ok=False,
        error_code=error.code,
        latency_ms=int((time.monotonic() - interaction.started) * 1000),
    )
    if interaction.user_message is not None:
        Message.objects.filter(pk=interaction.user_message.pk).update(
            status=Message.Status.FAILED, error_code=error.code
        )


def interaction_run(interaction: Interaction, *, parse=None):
    """Call the provider (no transaction open) and record the outcome. ``parse`` turns the
    reply text into the agent's result; a ``ProviderBadResponse`` from it is a failure too."""
    try:
        completion = interaction.provider.complete(interaction.request)
        result = parse(completion.text) if parse else None
    except errors.ProviderError as error:
        interaction_failed(interaction, error)
        raise
    return interaction_succeeded(interaction, completion), result


def message_send(*, user, conversation: Conversation, content: str, **context) -> Message:
    """Ask the tutor and wait for the whole answer (the JSON variant of streaming)."""
    interaction = interaction_prepare(
        user=user, conversation=conversation, agent=Agent.CHAT, content=content, **context
    )
    if not conversation.title:
        conversation_rename(conversation=conversation, title=interaction.user_message.content[:80])
    message, _ = interaction_run(interaction)
    return message


# --- Agents -----------------------------------------------------------------------------------

HINT_LEVELS = ("nudge", "hint", "step")


def hint(*, user, conversation, level: str = "nudge", content: str = "", **context) -> Message:
    if level not in HINT_LEVELS:
        raise errors.AssistantError("Hint level must be nudge, hint or step.", code="invalid_level")
    interaction = interaction_prepare(
        user=user,
        conversation=conversation,
        agent=Agent.HINT,
        content=content,
        params={"level": level},
        **context,
    )
    message, _ = interaction_run(interaction)
    return message


def _json_reply(text: str) -> dict:
    text = (text or "").strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise errors.ProviderBadResponse() from exc
    if not isinstance(value, dict):
        raise errors.ProviderBadResponse()
    return value


def _parse_check(text: str) -> dict:
    value = _json_reply(text)
    question, choices = value.get("question"), value.get("choices")
    index = value.get("answer_index", value.get("correct_index"))
    if (
        not isinstance(question, str)
        or not question.strip()
        or not isinstance(choices, list)
        or not 2 <= len(choices) <= 6
        or not all(isinstance(c, str) and c.strip() for c in choices)
        or not isinstance(index, int)
        or not 0 <= index < len(choices)
    ):
        raise errors.ProviderBadResponse()
    return {"question": question.strip()[:1000], "choices": [c[:300] for c in choices], "i": index}


def check_create(*, user, conversation, **context) -> CheckQuestion:
    """A multiple-choice question from the learner's moment; its right choice stays here."""
    interaction = interaction_prepare(
        user=user, conversation=conversation, agent=Agent.CHECK, **context
    )
    message, parsed = interaction_run(interaction, parse=_parse_check)
    Message.objects.filter(pk=message.pk).update(content=parsed["question"])
    return CheckQuestion.objects.create(
        user=user,
        conversation=conversation,
        course_id=conversation.course_id,
        lesson_id=interaction.user_message.context.get("lesson_id"),
        question=parsed["question"],
        choices=parsed["choices"],
        correct_index=parsed["i"],
        source={"citations": message.citations, "message_id": message.pk},
    )


@transaction.atomic
def check_answer(*, check: CheckQuestion, choice: int) -> CheckQuestion:
    """Grade the learner's answer on the server (once)."""
    check = CheckQuestion.objects.select_for_update().get(pk=check.pk)
    if check.answered_at is not None:
        raise errors.CheckAlreadyAnswered()
    if not isinstance(choice, int) or not 0 <= choice < len(check.choices):
        raise errors.InvalidChoice()
    check.answered_index = choice
    check.is_correct = choice == check.correct_index
    check.answered_at = timezone.now()
    check.save(update_fields=["answered_index", "is_correct", "answered_at"])
    return check


def reflect(*, user, conversation, **context) -> Message:
    """A reflection prompt for the lesson just finished."""
    interaction = interaction_prepare(
        user=user, conversation=conversation, agent=Agent.REFLECT, **context
    )
    message, _ = interaction_run(interaction)
    return message


@transaction.atomic
def reflection_create(
    *, user, course_id: int, lesson_id, text: str = "", link: str = "", file=None, prompt=""
) -> Reflection:
    allowed = tutor_access(user, course_id, lesson_id)
    text = (text or "").strip()
    if not (text or link or file):
        raise errors.ReflectionEmpty()
    if len(text) > settings.ASSISTANT_MAX_REFLECTION_CHARS:
        raise errors.MessageTooLong(
            f"Reflections may be at most {settings.ASSISTANT_MAX_REFLECTION_CHARS} characters.",
            code="reflection_too_long",
        )
    reflection = Reflection(
        user=user,
        course=allowed.course,
        lesson_id=allowed.lesson.lesson_id,
        text=text,
        link=link or "",
        prompt=(prompt or "")[:2000],
    )
    if file is not None:
        reflection.file = file
    reflection.full_clean()
    reflection.save()
    return reflection


def _path_lessons(user, course_id) -> list[dict]:
    from learning.progress.models import LessonProgress

    states = dict(
        LessonProgress.objects.filter(user=user, course_id=course_id).values_list(
            "lesson__lesson_id", "status"
        )
    )
    return [
        {
            "lesson_id": str(lesson.lesson_id),
            "title": lesson.title,
            "kind": lesson.kind,
            "status": states.get(lesson.lesson_id, "not_started"),
        }
        for lesson in selectors.live_lessons(course_id)
    ]


def path_recommend(*, user, conversation, **context) -> tuple[Message, list[dict]]:
    """Next lessons for the learner, from their struggles and progress: real lesson ids of
    the course with reasons. The model's picks are kept only if they name live lessons;
    otherwise (and offline) the next unfinished lessons are recommended."""
    lessons = _path_lessons(user, conversation.course_id)
    struggle = selectors.struggle_for(user, conversation.course_id, context.get("lesson_id"))
    listing = "\n".join(f"- {x['lesson_id']}: {x['title']} ({x['status']})" for x in lessons)
    interaction = interaction_prepare(
        user=user,
        conversation=conversation,
        agent=Agent.PATH,
        params={"lessons": listing, "struggles": ", ".join(struggle.signals) or "none noticed"},
        **context,
    )
    by_id = {x["lesson_id"]: x for x in lessons}

    def parse(text: str) -> list[dict]:
        picks = _json_reply(text).get("recommendations")
        if not isinstance(picks, list):
            raise errors.ProviderBadResponse()
        chosen = []
        for pick in picks:
            if isinstance(pick, dict) and str(pick.get("lesson_id")) in by_id:
                lesson = by_id[str(pick["lesson_id"])]
                if all(c["lesson_id"] != lesson["lesson_id"] for c in chosen):
                    chosen.append(
                        {
                            "lesson_id": lesson["lesson_id"],
                            "title": lesson["title"],
                            "reason": str(pick.get("reason") or "")[:300],
                        }
                    )
        return chosen[:3]

    message, chosen = interaction_run(interaction, parse=parse)
    if not chosen:
        for lesson in lessons:
            if lesson["status"] != "completed":
                reason = (
                    "You started this lesson and have not finished it yet."
                    if lesson["status"] == "in_progress"
                    else "The next lesson of the course you have not done yet."
                )
                chosen.append(
                    {"lesson_id": lesson["lesson_id"], "title": lesson["title"], "reason": reason}
                )
            if len(chosen) == 3:
                break
    text = "\n".join(f"{c['title']}: {c['reason']}" for c in chosen) or (
        "You have completed every lesson of this course."
    )
    Message.objects.filter(pk=message.pk).update(content=text, citations=chosen)
    message.content, message.citations = text, chosen
    return message, chosen
