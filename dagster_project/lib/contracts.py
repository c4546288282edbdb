"""Partner source contracts: the YAML files in `sources/`, one per source.

A contract says how a source's files are named, which parser format reads them, which
expectation suite validates them and, in a format-specific part, the layout the parser needs.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dagster_project.lib.contract_schema import Contract, validate_contract
from dagster_project.lib.periods import collection_year
from dagster_project.lib.settings import SOURCES_DIR


class ContractError(ValueError):
    """A contract file in `sources/` is incomplete or inconsistent."""


class UnknownCollectionYear(ValueError):
    """A file of a yearly return for a collection year the contract has no schema for."""

    def __init__(self, year: str, known: list[str]):
        self.year, self.known = year, known
        super().__init__(f"no schema for the {year} collection year: the contract knows {', '.join(known)}")


@dataclass(frozen=True)
class SourceContract:
    source: str
    description: str
    format: str
    file_pattern: re.Pattern[str]
    file_example: str
    file_form: str
    suite: str
    # The whole file, typed by lib/contract_schema.py: every key known, every name pointing somewhere.
    terms: Contract = field(repr=False)

    @classmethod
    def from_mapping(cls, spec: Any, origin: str) -> SourceContract:
        try:
            terms = validate_contract(spec, origin)
        except ValueError as error:
            raise ContractError(str(error)) from None
        pattern = re.compile(terms.file_pattern)
        if "period" not in pattern.groupindex:
            raise ContractError(f"{origin}: file_pattern needs a named group 'period'")
        if not pattern.fullmatch(terms.file_example):
            raise ContractError(f"{origin}: file_example does not match file_pattern")
        return cls(
            source=terms.source,
            description=" ".join(terms.description.split()),
            format=terms.format,
            file_pattern=pattern,
            file_example=terms.file_example,
            file_form=terms.file_form,
            suite=terms.suite,
            terms=terms,
        )

    def for_period(self, period_end: date) -> SourceContract:
        """The contract as it stood for the collection year holding `period_end` (itself when it has no years)."""
        years = self.terms.collection_years
        if years is None:
            return self
        try:
            terms = self.terms.for_collection_year(collection_year(period_end))
        except KeyError:
            raise UnknownCollectionYear(collection_year(period_end), years.years()) from None
        return dataclasses.replace(self, terms=terms)


def load_contract(path: Path) -> SourceContract:
    with path.open(encoding="utf-8") as handle:
        return SourceContract.from_mapping(yaml.safe_load(handle), origin=path.name)


@cache
def load_contracts(sources_dir: Path = SOURCES_DIR) -> dict[str, SourceContract]:
    """Every contract in `sources/`, keyed by source name (the landing folder's name)."""
    contracts = [load_contract(path) for path in sorted(sources_dir.glob("*.yaml"))]
    return {contract.source: contract for contract in contracts}
