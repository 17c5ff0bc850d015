from django.urls import path

from api.assistant import streaming, views

assistant_patterns = [
    path("conversations/", views.ConversationListView.as_view(), name="assistant-conversations"),
    path(
        "conversations/<int:conversation_id>/",
        views.ConversationDetailView.as_view(),
        name="assistant-conversation",
    ),
    path(
        "conversations/<int:conversation_id>/messages/",
        views.MessageListView.as_view(),
        name="assistant-messages",
    ),
    path(
        "conversations/<int:conversation_id>/messages/stream/",
        streaming.message_stream,
        name="assistant-messages-stream",
    ),
    path(
        "conversations/<int:conversation_id>/hint/", views.HintView.as_view(), name="assistant-hint"
    ),
    path(
        "conversations/<int:conversation_id>/check/",
        views.CheckView.as_view(),
        name="assistant-check",
    ),
    path(
        "conversations/<int:conversation_id>/reflect/",
        views.ReflectView.as_view(),
        name="assistant-reflect",
    ),
    path(
        "conversations/<int:conversation_id>/path/", views.PathView.as_view(), name="assistant-path"
    ),
    path(
        "messages/<int:message_id>/feedback/",
        views.MessageFeedbackView.as_view(),
        name="assistant-message-feedback",
    ),
    path(
        "checks/<int:check_id>/answer/",
        views.CheckAnswerView.as_view(),
        name="assistant-check-answer",
    ),
    path("reflections/", views.ReflectionListView.as_view(), name="assistant-reflections"),
    path("struggle/", views.StruggleView.as_view(), name="assistant-struggle"),
    path("usage/report/", views.UsageReportView.as_view(), name="assistant-usage-report"),
]
course_patterns = [
    path(
        "<int:course_id>/reflections/",
        views.CourseReflectionsView.as_view(),
        name="course-reflections",
    ),
]
me_patterns = [path("assistant/usage/", views.MyUsageView.as_view(), name="me-assistant-usage")]
