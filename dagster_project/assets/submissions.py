"""Whether partners are sending on time: one check per source on its extract asset, run every morning by its own
job (schedules.py), failing (as a warning) when a partner's latest period is past its due day with no accepted
file. The whole picture, every period, is the mart submission_tracker."""

import dagster as dg

from dagster_project.assets.extracts import raw_key
from dagster_project.lib import loading
from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.submissions import Delivery, overdue_submissions, today
from dagster_project.resources import WarehouseResource

ON_TIME_CHECK = "submissions_on_time"


def build_submission_check(contract: SourceContract) -> dg.AssetChecksDefinition:
    delivery = Delivery.of(contract)

    @dg.asset_check(
        asset=raw_key(contract),
        name=ON_TIME_CHECK,
        description=(
            f"Every partner has sent an accepted {contract.source} file for its latest period past the due day "
            f"({delivery.grace_days} days after the period end)."
        ),
    )
    def submissions_on_time(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        judged_on = today()
        with warehouse.connect() as connection:
            loading.ensure_raw_layer(connection)
            overdue = overdue_submissions(connection, delivery, judged_on)
        lines = [f"- {o.la_code}: period ending {o.period_end}, due {o.due_date}" for o in overdue]
        return dg.AssetCheckResult(
            passed=not overdue,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{len(overdue)} partner(s) overdue on {judged_on}" if overdue else f"on time on {judged_on}",
            metadata={"judged_on": str(judged_on), "overdue": dg.MetadataValue.md("\n".join(lines) or "none")},
        )

    return submissions_on_time
