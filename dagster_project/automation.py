"""What is new or stale, for the landing sensor and the nightly schedule alike.

A quarter needs a run when the files in a source's landing folder for that quarter are not the
files its last raw materialization recorded (a new file, a resubmission, a changed file). The
warehouse needs a rebuild when a raw extract materialized after the dbt models last did.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import dagster as dg

from dagster_project.assets.extracts import FINGERPRINT_KEY, extract_keys, raw_key
from dagster_project.assets.official_statistics import dfe_statistics
from dagster_project.assets.publishing import (
    postgres_tables,
    published_partnership_scorecard,
    published_warehouse_file,
    scorecard_report,
)
from dagster_project.assets.warehouse import dbt_docs, warehouse_models
from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.landing import LandingScan, RejectedFile, partition_fingerprint
from dagster_project.partitions import quarters


def warehouse_build_keys(publishes_to_postgres: bool) -> list[dg.AssetKey]:
    """What a warehouse build materializes: the official statistics (fetched again only if changed), every dbt
    asset, what may be published from them, the file readers open, the scorecard report and the dbt docs and,
    where a server is configured, the copy in PostgreSQL. Every key listed materializes in a good run: one that
    is older than the newest raw extract makes the warehouse stale, and the nightly run rebuilds it."""
    return [
        dfe_statistics.key,
        *warehouse_models.keys,
        published_partnership_scorecard.key,
        published_warehouse_file.key,
        scorecard_report.key,
        dbt_docs.key,
        *([postgres_tables.key] if publishes_to_postgres else []),
    ]


@dataclass
class RefreshPlan:
    run_requests: list[dg.RunRequest] = field(default_factory=list)
    new_partitions: list[str] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)


def _recorded_fingerprint(instance: dg.DagsterInstance, key: dg.AssetKey, partition: str) -> str | None:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[partition]), limit=1
    ).records
    if not records or records[0].asset_materialization is None:
        return None
    value = records[0].asset_materialization.metadata.get(FINGERPRINT_KEY)
    return None if value is None else str(value.value)


def plan_refresh(
    instance: dg.DagsterInstance, scan: LandingScan, warehouse_keys: Sequence[dg.AssetKey], reason: str
) -> RefreshPlan:
    """One run per quarter whose landed files changed, loading those sources and rebuilding the warehouse."""
    contracts = load_contracts()
    changed: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for source, contract in contracts.items():
        for partition, files in scan.by_partition(source).items():
            fingerprint = partition_fingerprint(files)
            if fingerprint != _recorded_fingerprint(instance, raw_key(contract), partition):
                changed[partition].append((source, fingerprint))
    known = set(instance.get_dynamic_partitions(quarters.name))
    plan = RefreshPlan(new_partitions=sorted(set(changed) - known), rejected=scan.rejected)
    for partition, sources in sorted(changed.items()):
        plan.run_requests.append(
            dg.RunRequest(
                run_key=f"{partition}:" + ",".join(f"{s}={f}" for s, f in sources),
                partition_key=partition,
                asset_selection=[k for s, _ in sources for k in extract_keys(contracts[s])] + list(warehouse_keys),
                tags={"trigger": reason, "sources": ",".join(s for s, _ in sources)},
            )
        )
    return plan


def warehouse_is_stale(instance: dg.DagsterInstance, warehouse_keys: Sequence[dg.AssetKey]) -> bool:
    """True when any raw extract materialized after the warehouse's models last did (or never did)."""

    def latest(key: dg.AssetKey) -> float:
        event = instance.get_latest_materialization_event(key)
        return event.timestamp if event else 0.0

    newest_raw = max((latest(raw_key(c)) for c in load_contracts().values()), default=0.0)
    oldest_model = min((latest(k) for k in warehouse_keys), default=0.0)
    return newest_raw > oldest_model
