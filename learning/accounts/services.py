"""Every write of accounts: registration, verification, sign-in sessions, passwords,
profile, instructor requests, roles and account deletion."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from learning.accounts import data_rights, roles
from learning.accounts.avatars import process_avatar
from learning.accounts.emails import frontend_link, queue_email
from learning.accounts.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidToken,
    RefreshRaced,
    RequestConflict,
    SessionRevoked,
    TokenReused,
    WrongPassword,
)
from learning.accounts.models import AuthSession, InstructorRequest
from learning.accounts.tokens import (
    make_password_reset_token,
    make_verification_token,
    read_password_reset_token,
    read_verification_token,
)
from learning.notifications import kinds as notification_kinds
from learning.notifications import push
from learning.notifications.services import Target, notify

User = get_user_model()

PROFILE_FIELDS = ("first_name", "last_name", "display_name", "bio", "timezone", "language")


# --- Registration and verification ------------------------------------------------------------


def _validate_new_password(password: str, user) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    display_name: str = "",
    timezone_name: str = "UTC",
    language: str = "en",
) -> User:
    email = User.objects.normalize_email(email.strip())
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken()
    user = User(
        email=email,
        first_name=first_name,
        last_name=last_name,
        display_name=display_name,
        timezone=timezone_name,
        language=language,
    )
    _validate_new_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"], validate_constraints=False)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a concurrent registration with the same address won
        raise EmailTaken() from None
    user.groups.add(roles.role_group(roles.STUDENT))
    verification_email_send(user=user)
    return user


def verification_email_send(*, user) -> None:
    token = make_verification_token(user)
    queue_email(
        "verify_email",
        to=user.email,
        context={
            "name": user.public_name,
            "link": frontend_link(settings.FRONTEND_VERIFY_EMAIL_PATH, token=token),
            "hours": settings.EMAIL_VERIFICATION_TIMEOUT // 3600,
        },
    )


def verification_resend(*, email: str) -> None:
    """Send a new link if the address belongs to an unverified account; silently do
    nothing otherwise, so the answer never reveals whether an account exists."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is not None and user.email_verified_at is None:
        verification_email_send(user=user)


@transaction.atomic
def email_verify(*, token: str) -> User:
    user = read_verification_token(token)
    now = timezone.now()
    updated = User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
        email_verified_at=now
    )
    if not updated:
        raise InvalidToken("This verification link was already used.", code="token_used")
    user.email_verified_at = now
    return user


# --- Sessions (JWT) ---------------------------------------------------------------------------


def _issue_refresh(user, session_id: uuid.UUID) -> RefreshToken:
    refresh = RefreshToken.for_user(user)
    refresh["sid"] = str(session_id)
    return refresh


def _expiry(token: RefreshToken) -> datetime:
    return datetime.fromtimestamp(token["exp"], tz=UTC)


@transaction.atomic
def session_start(
    *, email: str, password: str, user_agent: str = "", ip_address: str | None = None, request=None
) -> tuple[AuthSession, RefreshToken]:
    """Sign in with email and password. Unknown address and wrong password fail alike."""
    user = authenticate(request, email=email.strip(), password=password)
    if user is None or not user.is_active:
        raise InvalidCredentials()
    session_id = uuid.uuid4()
    refresh = _issue_refresh(user, session_id)
    session = AuthSession.objects.create(
        id=session_id,
        user=user,
        refresh_jti=refresh["jti"],
        user_agent=user_agent[:400],
        ip_address=ip_address,
        expires_at=_expiry(refresh),
    )
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return session, refresh


def _decode_refresh(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)
    except ExpiredTokenError:
        raise InvalidToken(
            "The refresh token has expired. Sign in again.", code="token_expired"
        ) from None
    except TokenError:
        raise InvalidToken("The refresh token is not valid.", code="token_invalid") from None


def session_refresh(*, refresh: str) -> tuple[AuthSession, RefreshToken]:
    """Rotate: the presented refresh token is spent and a new one issued. Presenting a
    spent token again revokes the whole session (the chain has leaked)."""
    token = _decode_refresh(refresh)
    reused = False
    with transaction.atomic():
        session = (
            AuthSession.objects.select_for_update()
            .select_related("user")
            .filter(pk=token.get("sid"))
            .first()
        )
        if session is None or str(session.user_id) != str(token.get(jwt_settings.USER_ID_CLAIM)):
            raise InvalidToken("The refresh token is not valid.", code="token_invalid")
        if session.revoked_at is not None or not session.user.is_active:
            raise SessionRevoked()
        now = timezone.now()
        if session.refresh_jti != token["jti"]:
            just_rotated = (
                session.previous_refresh_jti == token["jti"]
                and session.rotated_at is not None
                and (now - session.rotated_at).total_seconds() < settings.REFRESH_RACE_GRACE_SECONDS
            )
            if just_rotated:  # two tabs refreshed at once; the other one won
                raise RefreshRaced()
            _revoke(session, AuthSession.RevokeReason.TOKEN_REUSED)
            reused = True
        else:
            new = _issue_refresh(session.user, session.id)
            session.previous_refresh_jti = session.refresh_jti
            session.refresh_jti = new["jti"]
            session.rotated_at = session.last_used_at = now
            session.expires_at = _expiry(new)
            session.save(
                update_fields=[
                    "refresh_jti",
                    "previous_refresh_jti",
                    "rotated_at",
                    "last_used_at",
                    "expires_at",
                ]
            )
    if reused:  # raised after commit, so the revocation sticks
        raise TokenReused()
    return session, new


def _revoke(session: AuthSession, reason: str) -> None:
    if session.revoked_at is None:
        session.revoked_at = timezone.now()
        session.revoke_reason = reason
        session.save(update_fields=["revoked_at", "revoke_reason"])
        # Sockets opened with this session close at once (after commit).
        push.session_revoked([session.pk])


@transaction.atomic
def session_logout(*, refresh: str) -> None:
    token = _decode_refresh(refresh)
    session = AuthSession.objects.select_for_update().filter(pk=token.get("sid")).first()
    if session is None or session.refresh_jti != token["jti"]:
        raise InvalidToken("The refresh token is not valid.", code="token_invalid")
    _revoke(session, AuthSession.RevokeReason.LOGOUT)


@transaction.atomic
def session_revoke(*, user, session_id) -> AuthSession:
    session = AuthSession.objects.select_for_update().get(pk=session_id, user=user)
    _revoke(session, AuthSession.RevokeReason.USER)
    return session


def sessions_revoke_all(*, user, reason: str, keep_session_id=None) -> int:
    sessions = AuthSession.objects.filter(user=user, revoked_at__isnull=True)
    if keep_session_id:
        sessions = sessions.exclude(pk=keep_session_id)
    ids = list(sessions.values_list("pk", flat=True))
    push.session_revoked(ids)
    return AuthSession.objects.filter(pk__in=ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoke_reason=reason
    )


# --- Passwords --------------------------------------------------------------------------------


@transaction.atomic
def password_change(
    *, user, current_password: str, new_password: str, keep_session_id=None
) -> User:
    """Change the password; every other session is signed out."""
    if not user.check_password(current_password):
        raise WrongPassword()
    _validate_new_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_revoke_all(
        user=user, reason=AuthSession.RevokeReason.PASSWORD_CHANGED, keep_session_id=keep_session_id
    )
    queue_email("password_changed", to=user.email, context={"name": user.public_name})
    return user


def password_reset_request(*, email: str) -> None:
    """Email a reset link if an active account has this address; otherwise do nothing.
    The caller answers the same either way."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    token = make_password_reset_token(user)
    with transaction.atomic():
        queue_email(
            "password_reset",
            to=user.email,
            context={
                "name": user.public_name,
                "link": frontend_link(settings.FRONTEND_PASSWORD_RESET_PATH, token=token),
                "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            },
        )


@transaction.atomic
def password_reset_confirm(*, token: str, new_password: str) -> User:
    user = read_password_reset_token(token)
    _validate_new_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])  # changes the hash: the token stops working
    sessions_revoke_all(user=user, reason=AuthSession.RevokeReason.PASSWORD_RESET)
    queue_email("password_changed", to=user.email, context={"name": user.public_name})
    return user


# --- Profile ----------------------------------------------------------------------------------


@transaction.atomic
def profile_update(*, user, avatar=None, clear_avatar: bool = False, **fields) -> User:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password", "email"], validate_constraints=False)
    old_avatar = user.avatar.name if user.avatar else ""
    if avatar is not None:
        user.avatar.save("avatar.webp", process_avatar(avatar), save=False)
    elif clear_avatar:
        user.avatar = None
    user.save()
    new_avatar = user.avatar.name if user.avatar else ""
    if old_avatar and old_avatar != new_avatar:
        storage = user.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar))
    return user


# --- Instructor requests ----------------------------------------------------------------------


@transaction.atomic
def instructor_request_create(*, user, motivation: str) -> InstructorRequest:
    if user.groups.filter(name=roles.ROLE_GROUPS[roles.INSTRUCTOR]).exists():
        raise RequestConflict("You are already an instructor.", code="already_instructor")
    if InstructorRequest.objects.filter(
        user=user, status=InstructorRequest.Status.PENDING
    ).exists():
        raise RequestConflict("You already have a pending request.", code="request_pending")
    request = InstructorRequest(user=user, motivation=motivation)
    request.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise RequestConflict(
            "You already have a pending request.", code="request_pending"
        ) from None
    return request


@transaction.atomic
def instructor_request_decide(
    *, request_id: int, reviewer, approve: bool, note: str = ""
) -> InstructorRequest:
    if not reviewer.has_perm("accounts.review_instructorrequest"):
        raise PermissionDenied("You may not decide instructor requests.")
    request = (
        InstructorRequest.objects.select_for_update().select_related("user").get(pk=request_id)
    )
    if request.status != InstructorRequest.Status.PENDING:
        raise RequestConflict("This request has already been decided.", code="already_decided")
    request.status = (
        InstructorRequest.Status.APPROVED if approve else InstructorRequest.Status.REJECTED
    )
    request.decided_by = reviewer
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        request.user.groups.add(roles.role_group(roles.INSTRUCTOR))
    notify(
        recipients=[request.user],
        kind=notification_kinds.INSTRUCTOR_REQUEST_DECIDED,
        context={"decision": "approved" if approve else "not approved", "note": note},
        target=Target(type="instructor_request", id=request.pk, url=settings.SITE_URL + "/admin/"),
        actor=reviewer,
        data={"approved": approve},
    )
    queue_email(
        "instructor_decision",
        to=request.user.email,
        context={
            "name": request.user.public_name,
            "approved": approve,
            "note": note,
            "admin_url": settings.SITE_URL + "/admin/",
        },
    )
    return request


# --- Roles ------------------------------------------------------------------------------------


@transaction.atomic
def roles_set(*, user, roles_wanted: list[str], actor) -> User:
    """Give ``user`` exactly ``roles_wanted``. Only admins (superusers) may do this, and an
    admin cannot take away their own admin role (so there is always one left)."""
    if not actor.is_superuser:
        raise PermissionDenied("Only admins can change roles.")
    wanted = set(roles_wanted)
    unknown = wanted - set(roles.ROLES)
    if unknown:
        raise ValidationError({"roles": [f"Unknown role: {r}" for r in sorted(unknown)]})
    if actor.pk == user.pk and roles.ADMIN not in wanted:
        raise RequestConflict("You cannot remove your own admin role.", code="own_admin_role")
    for role in roles.ROLE_GROUPS:
        group = roles.role_group(role)
        if role in wanted:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    user.is_superuser = roles.ADMIN in wanted
    user.is_staff = user.is_superuser
    user.save(update_fields=["is_superuser", "is_staff"])
    return user


# --- Account deletion -------------------------------------------------------------------------


@transaction.atomic
def account_delete(*, user, password: str) -> None:
    """Anonymise the account: personal data erased, sign-in impossible, every session
    revoked. Learning records stay, tied to the anonymous account, for aggregates."""
    if not user.check_password(password):
        raise WrongPassword("The password is not correct.")
    avatar_name = user.avatar.name if user.avatar else ""
    storage = user.avatar.storage
    sessions_revoke_all(user=user, reason=AuthSession.RevokeReason.ACCOUNT_DELETED)
    data_rights.erase_user_data(user)
    user.email = f"deleted-{uuid.uuid4().hex}@deleted.invalid"
    user.first_name = user.last_name = user.display_name = user.bio = ""
    user.avatar = None
    user.email_verified_at = None
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    if avatar_name:
        transaction.on_commit(lambda: storage.delete(avatar_name))
