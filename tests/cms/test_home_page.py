import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_site_root_serves_our_home_page(client):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Learn anything, one piece at a time" in html
    assert "Welcome to your new Wagtail site" not in html
    assert response.templates[0].name == "cms/home_page.html"


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
