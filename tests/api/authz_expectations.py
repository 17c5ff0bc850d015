"""Who may call which API operation: the expected-access table of the generated authorization
matrix (``tests/api/test_authorization_matrix.py``).

Keyed by ``(METHOD, path template)`` exactly as ``/api/schema/`` documents it; every operation
of the schema needs an entry and every entry an operation. To add an operation, add a row here
(``AUTHZ_MATRIX_DUMP=1 pytest tests/api/test_authorization_matrix.py -s`` prints what each role
gets today), and give the world an object for any new path parameter.

The world behind the ids: ``instructor`` teaches the course and owns its video and an unfinished
upload; ``student`` is enrolled and owns every learner record (attempt, conversation, message,
check, certificate, notification, second session); ``other_student`` is enrolled in the same
course and owns nothing of that; ``other_instructor`` teaches elsewhere; ``editor`` reviews;
``admin_user`` is a superuser; ``unverified`` has not confirmed their address and is enrolled
nowhere. Every role asks for the same ids, so a refused role asks for someone else's things.

``allow`` roles must not get 401/403 (nor 404, nor 5xx); a refused role gets ``refusal(role)``:
401 when anonymous, else ``denied`` (403; 404 where the product does not reveal that the
object exists), unless ``refusals`` says otherwise for that role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = (
    "anonymous",
    "unverified",
    "student",
    "other_student",
    "instructor",
    "other_instructor",
    "editor",
    "admin_user",
)

# --- Named sets of roles ------------------------------------------------------------------
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
VERIFIED = SIGNED_IN - {"unverified"}
OWNER = frozenset({"student"})  # the learner whose records the ids name
LEARNERS = frozenset({"student", "other_student"})  # enrolled in the course
COURSE_STAFF = frozenset({"instructor", "editor", "admin_user"})  # its teacher and reviewers
IN_COURSE = LEARNERS | COURSE_STAFF
AUTHORS = frozenset({"instructor", "other_instructor", "editor", "admin_user"})  # may upload
VIDEO_MANAGERS = frozenset({"instructor", "editor", "admin_user"})  # owner + manage-all
REVIEWERS = frozenset({"editor", "admin_user"})
ADMINS = frozenset({"admin_user"})


@dataclass(frozen=True)
class Rule:
    allow: frozenset[str]
    # Status a refused signed-in role gets: 403, or 404 where existence is not revealed.
    denied: int = 403
    # Per-role refusals that differ from ``denied`` (anonymous is 401 unless listed).
    refusals: dict[str, int] = field(default_factory=dict)
    # Allowed callers may get 404 (a capability URL whose file the world does not store).
    may_be_missing: bool = False

    def refusal(self, role: str) -> int:
        if role in self.refusals:
            return self.refusals[role]
        return 401 if role == "anonymous" else self.denied


def public(**options) -> Rule:
    return Rule(EVERYONE, **options)


def signed_in() -> Rule:
    """Every signed-in person, about themselves (``/me/…``, their own lists)."""
    return Rule(SIGNED_IN)


def owner_only() -> Rule:
    """Records of one learner: anyone else is told they do not exist."""
    return Rule(OWNER, denied=404)


V2 = "/api/v2"
EXPECTED: dict[tuple[str, str], Rule] = {
    # --- Root, catalog, preview ----------------------------------------------------------
    ("GET", f"{V2}/"): public(),
    ("GET", f"{V2}/courses/"): public(),
    ("GET", f"{V2}/courses/{{course_id}}/"): public(),
    # A gated lesson body: its learners and staff; anyone else (anonymous too) 403.
    ("GET", f"{V2}/courses/{{course_id}}/lessons/{{lesson_id}}/"): Rule(
        IN_COURSE, refusals={"anonymous": 403}
    ),
    ("GET", f"{V2}/preview/"): public(),  # the signed preview token is the credential
    # --- Accounts ------------------------------------------------------------------------
    ("POST", f"{V2}/auth/register/"): public(),
    ("POST", f"{V2}/auth/token/"): public(),
    ("POST", f"{V2}/auth/token/refresh/"): public(),
    ("POST", f"{V2}/auth/logout/"): public(),
    ("POST", f"{V2}/auth/verify-email/"): public(),
    ("POST", f"{V2}/auth/verify-email/resend/"): public(),
    ("POST", f"{V2}/auth/password-reset/"): public(),
    ("POST", f"{V2}/auth/password-reset/confirm/"): public(),
    ("GET", f"{V2}/me/"): signed_in(),
    ("PATCH", f"{V2}/me/"): signed_in(),
    ("DELETE", f"{V2}/me/"): signed_in(),
    ("POST", f"{V2}/me/password/"): signed_in(),
    ("GET", f"{V2}/me/sessions/"): signed_in(),
    ("DELETE", f"{V2}/me/sessions/{{session_id}}/"): owner_only(),
    ("GET", f"{V2}/me/export/"): signed_in(),
    ("GET", f"{V2}/me/instructor-request/"): signed_in(),
    ("POST", f"{V2}/me/instructor-request/"): signed_in(),
    ("PUT", f"{V2}/users/{{user_id}}/roles/"): Rule(ADMINS),
    # --- Enrollment, progress, rosters ----------------------------------------------------
    ("GET", f"{V2}/me/enrollments/"): signed_in(),
    ("POST", f"{V2}/courses/{{course_id}}/enrollment/"): Rule(VERIFIED),
    # One's own enrollment: those without one are told there is none.
    ("GET", f"{V2}/courses/{{course_id}}/enrollment/"): Rule(LEARNERS, denied=404),
    ("DELETE", f"{V2}/courses/{{course_id}}/enrollment/"): Rule(LEARNERS, denied=404),
    # Progress is recorded for enrolled learners only (staff previewing are not tracked).
    ("POST", f"{V2}/courses/{{course_id}}/lessons/{{lesson_id}}/open/"): Rule(LEARNERS, denied=404),
    ("POST", f"{V2}/courses/{{course_id}}/lessons/{{lesson_id}}/complete/"): Rule(
        LEARNERS, denied=404
    ),
    ("POST", f"{V2}/progress/events/"): signed_in(),  # each event names the sender's lesson
    ("GET", f"{V2}/courses/{{course_id}}/roster/"): Rule(COURSE_STAFF),
    ("POST", f"{V2}/courses/{{course_id}}/roster/"): Rule(COURSE_STAFF),
    ("GET", f"{V2}/courses/{{course_id}}/roster/export/"): Rule(COURSE_STAFF),
    ("DELETE", f"{V2}/courses/{{course_id}}/roster/{{enrollment_id}}/"): Rule(COURSE_STAFF),
    ("GET", f"{V2}/courses/{{course_id}}/roster/invitations/"): Rule(COURSE_STAFF),
    ("DELETE", f"{V2}/courses/{{course_id}}/roster/invitations/{{invitation_id}}/"): Rule(
        COURSE_STAFF
    ),
    # --- Assessment ----------------------------------------------------------------------
    ("GET", f"{V2}/courses/{{course_id}}/lessons/{{lesson_id}}/attempts/"): Rule(IN_COURSE),
    ("POST", f"{V2}/courses/{{course_id}}/lessons/{{lesson_id}}/attempts/"): Rule(IN_COURSE),
    ("GET", f"{V2}/courses/{{course_id}}/lessons/{{lesson_id}}/checkpoints/"): Rule(IN_COURSE),
    (
        "POST",
        f"{V2}/courses/{{course_id}}/lessons/{{lesson_id}}/checkpoints/{{checkpoint_id}}/answer/",
    ): Rule(IN_COURSE),
    ("GET", f"{V2}/attempts/{{attempt_id}}/"): owner_only(),
    ("PUT", f"{V2}/attempts/{{attempt_id}}/answers/"): owner_only(),
    ("POST", f"{V2}/attempts/{{attempt_id}}/submit/"): owner_only(),
    ("GET", f"{V2}/me/grades/"): signed_in(),
    ("GET", f"{V2}/courses/{{course_id}}/gradebook/"): Rule(COURSE_STAFF),
    ("GET", f"{V2}/courses/{{course_id}}/gradebook/export/"): Rule(COURSE_STAFF),
    ("GET", f"{V2}/courses/{{course_id}}/gradebook/quizzes/{{lesson_id}}/questions/"): Rule(
        COURSE_STAFF
    ),
    # --- Certificates (the student's, in a course ``instructor`` teaches) -----------------
    ("GET", f"{V2}/me/certificates/"): signed_in(),
    # Its holder and the certificate managers; anyone else is told it does not exist.
    ("GET", f"{V2}/certificates/{{certificate_id}}/"): Rule(OWNER | REVIEWERS, denied=404),
    # Managers only; the holder (who may see it) is refused with 403.
    ("POST", f"{V2}/certificates/{{certificate_id}}/revoke/"): Rule(
        REVIEWERS, denied=404, refusals={"student": 403}
    ),
    ("POST", f"{V2}/certificates/{{certificate_id}}/reissue/"): Rule(
        REVIEWERS, denied=404, refusals={"student": 403}
    ),
    ("GET", f"{V2}/certificates/issuer/"): public(),
    ("GET", f"{V2}/certificates/verify/{{code}}/"): public(),
    ("GET", f"{V2}/certificates/verify/{{code}}/credential/"): public(),
    # The signed URL is the credential; the world renders no PDF, so 404 is fine.
    ("GET", f"{V2}/certificates/files/{{token}}/"): public(may_be_missing=True),
    # --- Notifications and announcements --------------------------------------------------
    ("GET", f"{V2}/notifications/"): signed_in(),
    ("GET", f"{V2}/notifications/unread-count/"): signed_in(),
    ("POST", f"{V2}/notifications/read-all/"): signed_in(),
    ("GET", f"{V2}/notifications/{{notification_id}}/"): owner_only(),
    ("DELETE", f"{V2}/notifications/{{notification_id}}/"): owner_only(),
    ("POST", f"{V2}/notifications/{{notification_id}}/read/"): owner_only(),
    ("POST", f"{V2}/notifications/{{notification_id}}/unread/"): owner_only(),
    ("GET", f"{V2}/me/notification-preferences/"): signed_in(),
    ("PATCH", f"{V2}/me/notification-preferences/"): signed_in(),
    ("GET", f"{V2}/notifications/unsubscribe/"): public(),  # the signed link is the credential
    ("POST", f"{V2}/notifications/unsubscribe/"): public(),
    ("POST", f"{V2}/notifications/broadcast/"): Rule(ADMINS),
    ("GET", f"{V2}/courses/{{course_id}}/announcements/"): Rule(IN_COURSE),
    ("POST", f"{V2}/courses/{{course_id}}/announcements/"): Rule(COURSE_STAFF),
    ("GET", f"{V2}/courses/{{course_id}}/announcements/{{announcement_id}}/"): Rule(IN_COURSE),
    ("PATCH", f"{V2}/courses/{{course_id}}/announcements/{{announcement_id}}/"): Rule(COURSE_STAFF),
    ("DELETE", f"{V2}/courses/{{course_id}}/announcements/{{announcement_id}}/"): Rule(
        COURSE_STAFF
    ),
    # --- AI tutor (the student's conversation in the course) ------------------------------
    ("GET", f"{V2}/assistant/conversations/"): signed_in(),  # one's own
    ("POST", f"{V2}/assistant/conversations/"): Rule(IN_COURSE),
    ("GET", f"{V2}/assistant/conversations/{{conversation_id}}/"): owner_only(),
    ("PATCH", f"{V2}/assistant/conversations/{{conversation_id}}/"): owner_only(),
    ("DELETE", f"{V2}/assistant/conversations/{{conversation_id}}/"): owner_only(),
    ("GET", f"{V2}/assistant/conversations/{{conversation_id}}/messages/"): owner_only(),
    ("POST", f"{V2}/assistant/conversations/{{conversation_id}}/messages/"): owner_only(),
    # The same message answered as server-sent events (an async view, same rules).
    ("POST", f"{V2}/assistant/conversations/{{conversation_id}}/messages/stream/"): owner_only(),
    ("POST", f"{V2}/assistant/conversations/{{conversation_id}}/hint/"): owner_only(),
    ("POST", f"{V2}/assistant/conversations/{{conversation_id}}/check/"): owner_only(),
    ("POST", f"{V2}/assistant/conversations/{{conversation_id}}/reflect/"): owner_only(),
    ("POST", f"{V2}/assistant/conversations/{{conversation_id}}/path/"): owner_only(),
    ("POST", f"{V2}/assistant/messages/{{message_id}}/feedback/"): owner_only(),
    ("POST", f"{V2}/assistant/checks/{{check_id}}/answer/"): owner_only(),
    ("GET", f"{V2}/assistant/reflections/"): signed_in(),  # one's own
    ("POST", f"{V2}/assistant/reflections/"): Rule(IN_COURSE),
    ("GET", f"{V2}/assistant/struggle/"): Rule(IN_COURSE),
    ("GET", f"{V2}/assistant/usage/report/"): Rule(AUTHORS),  # each sees their courses' rows
    ("GET", f"{V2}/me/assistant/usage/"): signed_in(),
    ("GET", f"{V2}/courses/{{course_id}}/reflections/"): Rule(COURSE_STAFF),
    # --- Media (the instructor's video and unfinished upload) -----------------------------
    ("POST", f"{V2}/media/uploads/"): Rule(AUTHORS),
    # Others' videos are not revealed to authors (404); learners may not manage media (403).
    ("GET", f"{V2}/media/uploads/{{id}}/"): Rule(
        VIDEO_MANAGERS, refusals={"other_instructor": 404}
    ),
    ("POST", f"{V2}/media/uploads/{{id}}/complete/"): Rule(
        VIDEO_MANAGERS, refusals={"other_instructor": 404}
    ),
    ("POST", f"{V2}/media/uploads/{{id}}/abort/"): Rule(
        VIDEO_MANAGERS, refusals={"other_instructor": 404}
    ),
    ("PUT", f"{V2}/media/uploads/parts/{{token}}/"): public(),  # the signed URL is the credential
    ("GET", f"{V2}/media/videos/"): Rule(AUTHORS),  # each sees the videos they may manage
    ("GET", f"{V2}/media/videos/{{id}}/"): Rule(VIDEO_MANAGERS, refusals={"other_instructor": 404}),
    ("PATCH", f"{V2}/media/videos/{{id}}/"): Rule(
        VIDEO_MANAGERS, refusals={"other_instructor": 404}
    ),
    ("POST", f"{V2}/media/videos/{{id}}/reprocess/"): Rule(
        VIDEO_MANAGERS, refusals={"other_instructor": 404}
    ),
    ("GET", f"{V2}/media/videos/{{id}}/captions/"): Rule(
        VIDEO_MANAGERS, refusals={"other_instructor": 404}
    ),
    ("POST", f"{V2}/media/videos/{{id}}/captions/"): Rule(
        VIDEO_MANAGERS, refusals={"other_instructor": 404}
    ),
    ("DELETE", f"{V2}/media/videos/{{id}}/captions/{{language}}/"): Rule(
        VIDEO_MANAGERS, refusals={"other_instructor": 404}
    ),
    # The playback policy: the course's learners and staff play its video.
    ("GET", f"{V2}/media/videos/{{id}}/playback/"): Rule(IN_COURSE),
    ("GET", f"{V2}/media/stream/{{token}}/master.m3u8"): public(),  # signed URLs
    ("GET", f"{V2}/media/stream/{{token}}/{{rendition}}/index.m3u8"): public(),
    ("GET", f"{V2}/media/files/{{token}}"): public(),
    # --- Analytics -----------------------------------------------------------------------
    ("GET", f"{V2}/me/activity/"): signed_in(),
    ("GET", f"{V2}/analytics/courses/{{course_id}}/overview/"): Rule(COURSE_STAFF),
    ("GET", f"{V2}/analytics/courses/{{course_id}}/timeseries/"): Rule(COURSE_STAFF),
    ("GET", f"{V2}/analytics/courses/{{course_id}}/lessons/"): Rule(COURSE_STAFF),
    ("GET", f"{V2}/analytics/courses/{{course_id}}/videos/{{lesson_id}}/heatmap/"): Rule(
        COURSE_STAFF
    ),
    ("GET", f"{V2}/analytics/courses/{{course_id}}/questions/"): Rule(COURSE_STAFF),
    ("GET", f"{V2}/analytics/courses/{{course_id}}/learners/"): Rule(COURSE_STAFF),
    ("GET", f"{V2}/analytics/courses/{{course_id}}/live/"): Rule(COURSE_STAFF),
    ("GET", f"{V2}/analytics/platform/overview/"): Rule(REVIEWERS),
    ("GET", f"{V2}/analytics/platform/timeseries/"): Rule(REVIEWERS),
}
