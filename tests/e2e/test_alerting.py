"""Failed runs and failed checks are posted to the webhook, a real HTTP server on 127.0.0.1; nothing is posted
without a URL, and a webhook that is down does not break the sensor."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import pytest

pytestmark = pytest.mark.e2e


class Webhook:
    """An incoming webhook that keeps what it is sent."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                webhook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/pipeline"


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    thread = threading.Thread(target=hook.server.serve_forever, daemon=True)
    thread.start()
    yield hook
    hook.server.shutdown()


def sensor_context(sensor, result: dg.ExecuteInProcessResult, instance, url: str):
    from dagster_project.resources import AlertWebhookResource

    event = result.get_run_success_event() if result.success else result.get_run_failure_event()
    return dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"alert_webhook": AlertWebhookResource(url=url)},
    )


def test_overdue_partners_are_posted_and_nothing_without_a_url(pipeline, monkeypatch, webhook):
    from dagster_project.alerts import alert_on_failed_checks
    from dagster_project.definitions import build_definitions

    monkeypatch.setenv("SUBMISSIONS_AS_OF", "2023-06-15")  # nothing has arrived: every partner is overdue
    result = build_definitions().resolve_job_def("check_submissions").execute_in_process(instance=pipeline.instance)
    assert result.success

    alert_on_failed_checks(sensor_context(alert_on_failed_checks, result, pipeline.instance, url=""))
    assert webhook.received == []

    alert_on_failed_checks(sensor_context(alert_on_failed_checks, result, pipeline.instance, url=webhook.url))
    (alert,) = webhook.received
    assert alert["kind"] == "check_failed" and alert["job"] == "check_submissions"
    assert alert["title"].startswith("5 check(s) failed")
    assert any("raw/csc submissions_on_time (WARN): 5 partner(s) overdue on 2023-06-15" in d for d in alert["details"])
    assert "raw/csc submissions_on_time" in alert["text"]


def test_a_failed_run_is_posted_with_its_cause_and_a_dead_webhook_breaks_nothing(pipeline, webhook):
    from dagster_project.alerts import alert_on_failed_run

    @dg.asset
    def broken() -> None:
        raise RuntimeError("the warehouse file is not there")

    result = dg.materialize([broken], instance=pipeline.instance, raise_on_error=False)
    assert not result.success

    alert_on_failed_run(sensor_context(alert_on_failed_run, result, pipeline.instance, url=webhook.url))
    (alert,) = webhook.received
    assert alert["kind"] == "run_failed" and alert["run_id"] == result.run_id
    assert "failed" in alert["title"] and "broken" in alert["text"], alert

    webhook.server.shutdown()
    webhook.server.server_close()
    alert_on_failed_run(sensor_context(alert_on_failed_run, result, pipeline.instance, url=webhook.url))
