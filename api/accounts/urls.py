from django.urls import path

import config.converters  # noqa: F401  (registers the <id:> converter)
from api.accounts import views

auth_patterns = [
    path("register/", views.RegisterView.as_view(), name="auth-register"),
    path("verify-email/", views.VerifyEmailView.as_view(), name="auth-verify-email"),
    path("verify-email/resend/", views.ResendVerificationView.as_view(), name="auth-verify-resend"),
    path("token/", views.LoginView.as_view(), name="auth-login"),
    path("token/refresh/", views.RefreshView.as_view(), name="auth-refresh"),
    path("logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "password-reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
]

me_patterns = [
    path("", views.MeView.as_view(), name="me"),
    path("password/", views.PasswordChangeView.as_view(), name="me-password"),
    path("sessions/", views.SessionListView.as_view(), name="me-sessions"),
    path("sessions/<uuid:session_id>/", views.SessionDetailView.as_view(), name="me-session"),
    path("export/", views.ExportView.as_view(), name="me-export"),
    path(
        "instructor-request/", views.InstructorRequestView.as_view(), name="me-instructor-request"
    ),
]

user_patterns = [
    path("<id:user_id>/roles/", views.UserRolesView.as_view(), name="user-roles"),
]
