from django.urls import path

from api.notifications import views

notification_patterns = [
    path("", views.NotificationListView.as_view(), name="notifications"),
    path("unread-count/", views.UnreadCountView.as_view(), name="notifications-unread-count"),
    path("read-all/", views.MarkAllReadView.as_view(), name="notifications-read-all"),
    path("unsubscribe/", views.UnsubscribeView.as_view(), name="notifications-unsubscribe"),
    path("broadcast/", views.BroadcastView.as_view(), name="notifications-broadcast"),
    path("<int:notification_id>/", views.NotificationDetailView.as_view(), name="notification"),
    path(
        "<int:notification_id>/read/",
        views.MarkReadView.as_view(),
        name="notification-read",
    ),
    path(
        "<int:notification_id>/unread/",
        views.MarkUnreadView.as_view(),
        name="notification-unread",
    ),
]
me_patterns = [
    path(
        "notification-preferences/",
        views.PreferencesView.as_view(),
        name="me-notification-preferences",
    )
]
course_patterns = [
    path(
        "<int:course_id>/announcements/",
        views.AnnouncementListView.as_view(),
        name="course-announcements",
    ),
    path(
        "<int:course_id>/announcements/<int:announcement_id>/",
        views.AnnouncementDetailView.as_view(),
        name="course-announcement",
    ),
]
