"""Alerting: every failed run, and every failed check of a finished run (an overdue partner, a file with
errors or queries, a dbt test), is posted to ALERT_WEBHOOK_URL (lib/alerting.py). No URL, no alert."""

import dagster as dg
import requests

from dagster_project.lib.alerting import Alert, post_alert
from dagster_project.resources import AlertWebhookResource


def failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """One line per check the run evaluated and failed: asset, check, severity and what it said."""
    lines = []
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.get_dagster_event().asset_check_evaluation_data
        if evaluation.passed:
            continue
        said = f": {evaluation.description}" if evaluation.description else ""
        lines.append(
            f"{evaluation.asset_key.to_user_string()} {evaluation.check_name} ({evaluation.severity.value}){said}"
        )
    return lines


def _post(context: dg.RunStatusSensorContext, webhook: AlertWebhookResource, alert: Alert) -> None:
    try:
        if post_alert(webhook.url, alert):
            context.log.info(f"alert posted: {alert.title}")
    except requests.RequestException as error:  # a broken webhook is reported, never a reason to fail
        context.log.error(f"alert not posted ({error}): {alert.title}")


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Posts every failed run, with its failed checks, to ALERT_WEBHOOK_URL.",
)
def alert_on_failed_run(context: dg.RunFailureSensorContext, alert_webhook: AlertWebhookResource) -> None:
    run = context.dagster_run
    message = context.failure_event.message or "the run failed"
    alert = Alert(
        kind="run_failed",
        title=f"Run {run.run_id[:8]} of {run.job_name} failed: {message}",
        run_id=run.run_id,
        job=run.job_name,
        details=failed_checks(context.instance, run.run_id),
    )
    _post(context, alert_webhook, alert)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Posts the failed checks of every successful run (overdue partners, queries, warnings).",
)
def alert_on_failed_checks(context: dg.RunStatusSensorContext, alert_webhook: AlertWebhookResource) -> None:
    run = context.dagster_run
    failed = failed_checks(context.instance, run.run_id)
    if not failed:
        return
    alert = Alert(
        kind="check_failed",
        title=f"{len(failed)} check(s) failed in run {run.run_id[:8]} of {run.job_name}",
        run_id=run.run_id,
        job=run.job_name,
        details=failed,
    )
    _post(context, alert_webhook, alert)
