from django.urls import path

import config.converters  # noqa: F401  (registers the <id:> converter)
from api.media import views

# Included under /api/v2/media/ in the "v2" namespace.
urlpatterns = [
    path("uploads/", views.UploadCreateView.as_view(), name="media-upload-create"),
    path("uploads/<id:pk>/", views.UploadDetailView.as_view(), name="media-upload-detail"),
    path(
        "uploads/<id:pk>/complete/",
        views.UploadCompleteView.as_view(),
        name="media-upload-complete",
    ),
    path("uploads/<id:pk>/abort/", views.UploadAbortView.as_view(), name="media-upload-abort"),
    path("uploads/parts/<str:token>/", views.UploadPartView.as_view(), name="media-upload-part"),
    path("videos/", views.VideoListView.as_view(), name="media-video-list"),
    path("videos/<id:pk>/", views.VideoDetailView.as_view(), name="media-video-detail"),
    path(
        "videos/<id:pk>/reprocess/",
        views.VideoReprocessView.as_view(),
        name="media-video-reprocess",
    ),
    path("videos/<id:pk>/captions/", views.CaptionListView.as_view(), name="media-captions"),
    path(
        "videos/<id:pk>/captions/<str:language>/",
        views.CaptionDetailView.as_view(),
        name="media-caption-detail",
    ),
    path("videos/<id:pk>/playback/", views.PlaybackView.as_view(), name="media-playback"),
    path(
        "stream/<str:token>/master.m3u8",
        views.StreamMasterView.as_view(),
        name="media-stream-master",
    ),
    path(
        "stream/<str:token>/<str:rendition>/index.m3u8",
        views.StreamRenditionView.as_view(),
        name="media-stream-rendition",
    ),
    path("files/<str:token>", views.SignedFileView.as_view(), name="media-signed-file"),
]
