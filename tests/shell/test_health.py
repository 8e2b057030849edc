import pytest
from django.urls import reverse

from iom.celery import app as celery_app


def test_healthz_is_open_and_reports_the_database_and_broker(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    checks = response.json()["checks"]
    assert (checks["database"], checks["broker"]) == ("ok", "ok")
    assert "no-cache" in response["Cache-Control"]


@pytest.fixture
def broker_unreachable():
    """Point Celery at a Redis port where nothing listens, as when the broker is down."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "broker_transport_options")}
    celery_app.conf.update(broker_url="redis://127.0.0.1:9/0", broker_transport_options={})
    yield
    celery_app.conf.update(saved)


def test_healthz_answers_503_naming_the_broker_when_it_is_down(client, db, broker_unreachable):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert (response.json()["checks"]["database"], response.json()["checks"]["broker"]) == ("ok", "down")


def test_healthz_is_ok_when_beat_and_every_sweep_ran_in_time(client, db):
    from notifications.heartbeats import heartbeat_record
    from notifications.sweeps import SWEEPS, sweep_run

    heartbeat_record(name="beat")
    heartbeat_record(name="workers")
    for name in SWEEPS:
        sweep_run(name=name)

    response = client.get(reverse("healthz"))

    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "beat": "ok", "workers": "ok", "sweeps": "ok", "outbox": "ok"},
        "outbox": {"owed": 0, "oldest": None},
    }
