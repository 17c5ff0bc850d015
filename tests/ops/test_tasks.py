from django.core.cache import cache

from ops.tasks import BEAT_CACHE_KEY, ping, record_heartbeat


def test_task_round_trip_through_a_real_worker(worker):
    result = ping.delay("round-trip")
    answer = result.get(timeout=60)
    assert answer["pong"] == "round-trip"
    assert answer["worker"]
    assert result.status == "SUCCESS"


def test_tasks_go_to_their_queues():
    from config.celery import app

    assert app.amqp.router.route({}, "ops.tasks.ping")["queue"].name == "default"
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert {q.name for q in app.conf.task_queues} == {"default", "media", "email", "analytics"}
    media = app.amqp.router.route({}, "media_pipeline.tasks.transcode")["queue"]
    assert (media.name, media.routing_key, media.exchange.name) == ("media", "media", "media")
    # Distinct routing keys: a task routed to one queue is never copied into another.
    assert len({q.routing_key for q in app.conf.task_queues}) == 4


def test_beat_heartbeat_records_the_time():
    cache.delete(BEAT_CACHE_KEY)
    stamp = record_heartbeat()
    assert cache.get(BEAT_CACHE_KEY) == stamp


def test_worker_uses_the_test_database(worker, transactional_db):
    from django.db import connection

    from ops.tasks import database_identity
    from tests.factories import UserFactory

    UserFactory.create_batch(2)
    identity = database_identity.delay().get(timeout=60)
    assert identity["vendor"] == connection.vendor
    expected = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":  # the worker is given the absolute path of the file
        from pathlib import Path

        expected = str(Path(expected).resolve())
    assert identity["name"] == expected
    assert identity["users"] == 2
