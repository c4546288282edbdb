"""The dbt project as Dagster assets: every seed, model and test, with lineage back to the raw layer."""

import os
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from dagster_project.lib.dbt_project import parse_dbt_project
from dagster_project.lib.settings import DBT_PROJECT_DIR
from dagster_project.resources import WarehouseResource

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
if not dbt_project.manifest_path.exists():
    parse_dbt_project()


class LayeredTranslator(DagsterDbtTranslator):
    """Groups dbt assets by layer (staging, intermediate, marts, reference) as the folders do."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        folders = dbt_resource_props.get("fqn", [])[1:-1]
        return folders[0] if folders else None


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=LayeredTranslator())
def warehouse_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """`dbt build` of the selected models, seeds and tests; each reports as it finishes."""
    warehouse.ensure_raw_layer()
    # dbt's profile reads the warehouse path from the environment; pass the resource's, resolved.
    os.environ["WAREHOUSE_PATH"] = warehouse.path
    yield from dbt.cli(["build"], context=context).stream()
