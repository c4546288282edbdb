"""The dbt project as Dagster assets: every seed, model and test, with lineage back to the raw layer."""

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from dagster_project.lib.atomic_files import copy_atomically, write_atomically
from dagster_project.lib.dbt_project import require_manifest
from dagster_project.lib.metering import stage
from dagster_project.lib.settings import DBT_PROJECT_DIR
from dagster_project.resources import PublishedPagesResource, WarehouseResource

PARTIAL_PARSE = "partial_parse.msgpack"
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Loading the definitions runs no dbt: the commands that start Dagster prepare the manifest first (scripts/ui,
# the demo, the tests, the image build), so a code location loads the same way wherever it starts.
require_manifest(dbt_project.manifest_path)


class LayeredTranslator(DagsterDbtTranslator):
    """Groups dbt assets by layer (staging, intermediate, marts, reference) as the folders do, and keys every dbt
    source as the table it is (`raw.csc_children` → raw/csc_children), the key its extract asset declares."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

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
    with stage("dbt build"):
        invocation = dbt.cli(["build"], context=context)
        yield from invocation.stream()
    _keep_parse_state(invocation.target_path)


@dg.asset(
    key=["publication", "dbt_docs"],
    deps=[dg.AssetKey(["publication", "warehouse_file"])],
    group_name="publication",
    kinds={"dbt"},
    description=(
        "The dbt documentation of the warehouse as one page (`dbt docs generate --static`): every model, column, "
        "test and exposure, with lineage from the partners' raw tables to the report and PostgreSQL "
        "(PUBLISHED_PAGES_DIR/dbt-docs/index.html)."
    ),
)
@stage("publishing")
def dbt_docs(dbt: DbtCliResource, pages: PublishedPagesResource) -> dg.MaterializeResult:
    # The build has just compiled every model: the docs start from the project's manifest instead of compiling
    # again, which would double their cost.
    with tempfile.TemporaryDirectory(prefix="dbt-docs-") as target:
        shutil.copy(dbt_project.manifest_path, target)
        command = ["docs", "generate", "--static", "--no-compile"]
        dbt.cli(command, manifest=dbt_project.manifest_path, target_path=Path(target)).wait()
        page = write_atomically(
            pages.folder("dbt-docs") / "index.html", (Path(target) / "static_index.html").read_bytes()
        )
    return dg.MaterializeResult(metadata={"path": str(page), "bytes": page.stat().st_size})


def _keep_parse_state(invocation_target: Path) -> None:
    """Keep the build's parse of the project where dagster-dbt starts every later dbt command from (it copies
    `partial_parse.msgpack` into each invocation's target). The profile names the warehouse file, so a parse made
    for another path (`dbt parse` before the run, another warehouse) is thrown away by dbt; after this, the docs
    that follow and the next build of the same warehouse skip a full parse (about 7 s each)."""
    state = invocation_target / PARTIAL_PARSE
    if state.exists():
        copy_atomically(state, dbt_project.project_dir / dbt_project.target_path / PARTIAL_PARSE)
