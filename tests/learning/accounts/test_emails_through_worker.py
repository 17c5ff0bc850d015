"""Account emails leave through a real Celery worker, queued only after commit."""

import time

import pytest


@pytest.mark.django_db(transaction=True)
def test_registration_email_is_sent_by_the_worker(api_client, worker_mail_dir):
    response = api_client.post(
        "/api/v2/auth/register/",
        {"email": "worker.mail@example.com", "password": "a-long-unusual-passphrase-17"},
    )
    assert response.status_code == 201
    deadline = time.monotonic() + 60
    message = ""
    # Wait for a complete message: the file appears before the worker has finished writing.
    while time.monotonic() < deadline and "/verify-email?token=" not in message:
        message = "\n".join(p.read_text() for p in worker_mail_dir.glob("*.log"))
        time.sleep(0.2)
    assert message, "the worker sent no email"
    assert "To: worker.mail@example.com" in message
    assert "Confirm your email address" in message
    assert "/verify-email?token=" in message


@pytest.mark.django_db(transaction=True)
def test_failed_registration_queues_nothing(api_client, worker_mail_dir, student):
    response = api_client.post(
        "/api/v2/auth/register/",
        {"email": "STUDENT@example.com", "password": "a-long-unusual-passphrase-17"},
    )
    assert response.status_code == 400
    from ops.tasks import ping

    ping.delay("barrier").get(timeout=60)  # the worker has drained the queue before this
    assert list(worker_mail_dir.glob("*.log")) == []
