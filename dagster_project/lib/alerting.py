"""Alerts to the data engineers' chat or incident tool: one JSON POST per failed run or failed check.

The payload carries a `text` line (what Slack, Microsoft Teams workflows and most chat webhooks display) and the
details as fields. A webhook that is down must not take the pipeline with it: a failed POST is reported to the
caller, which logs it, and the alert is not retried.
"""

from dataclasses import asdict, dataclass, field

import requests

TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Alert:
    kind: str  # run_failed | check_failed
    title: str
    run_id: str
    job: str
    details: list[str] = field(default_factory=list)

    def payload(self) -> dict[str, object]:
        text = self.title if not self.details else f"{self.title}\n" + "\n".join(f"• {d}" for d in self.details)
        return {"text": text, **asdict(self)}


def post_alert(url: str, alert: Alert) -> bool:
    """POST the alert to `url`; False (and nothing sent) when no URL is configured. Raises on a failed POST."""
    if not url:
        return False
    response = requests.post(url, json=alert.payload(), timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
    return True
