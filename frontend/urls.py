from django.urls import re_path

from frontend import views

app_name = "frontend"

urlpatterns = [
    # Every screen is a deep link into the same shell; the modules route on the path.
    re_path(r"^(?P<path>.*)$", views.shell, name="shell"),
]
