"""The landing area's source folders, as external assets: where lineage starts."""

import dagster as dg

from dagster_project.lib.contracts import SourceContract


def landing_key(contract: SourceContract) -> dg.AssetKey:
    return dg.AssetKey(["landing", contract.source])


def build_landing_spec(contract: SourceContract) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=landing_key(contract),
        description=f"Files the partner drops into the landing folder `{contract.source}/`. {contract.description}",
        group_name="landing",
        kinds={"file"},
        metadata={"file_name_form": contract.file_form, "example": contract.file_example},
    )
