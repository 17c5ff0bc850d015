from django.urls import path

from api.certificates import views

certificate_patterns = [
    path("issuer/", views.IssuerProfileView.as_view(), name="certificate-issuer"),
    path("verify/<str:code>/", views.VerifyView.as_view(), name="certificate-verify"),
    path(
        "verify/<str:code>/credential/",
        views.CredentialView.as_view(),
        name="certificate-credential",
    ),
    path("files/<str:token>/", views.CertificateFileView.as_view(), name="certificate-file"),
    path("<int:certificate_id>/", views.CertificateDetailView.as_view(), name="certificate"),
    path(
        "<int:certificate_id>/revoke/",
        views.CertificateRevokeView.as_view(),
        name="certificate-revoke",
    ),
    path(
        "<int:certificate_id>/reissue/",
        views.CertificateReissueView.as_view(),
        name="certificate-reissue",
    ),
]
me_patterns = [path("certificates/", views.MyCertificatesView.as_view(), name="me-certificates")]
