"""Small SSDA903 returns built in tests, independent of the sample generator: one clean child per case, whose
rows a test breaks to check one DfE rule."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.lib.contracts import load_contracts

Tables = dict[str, list[dict[str, str]]]
YEAR_END = "2023-03"  # the 2022-23 collection year unless a case says otherwise


def contract_for(period: str):
    from datetime import date

    year, month = (int(p) for p in period.split("-"))
    return load_contracts()["csc903"].for_period(date(year, month, 28))


@dataclass
class Child:
    """One child's rows in each table, clean for a 2022-23 return: looked after from May 2022, a placement move
    in September, a review, a missing episode; other tables only when a case adds them."""

    n: int
    tables: Tables = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"C{self.n:05d}"

    def base(self) -> dict[str, str]:
        return {"CHILD": self.id, "DOB": "01/06/2012"}

    @classmethod
    def clean(cls, n: int) -> Child:
        child = cls(n)
        child.tables = {
            "header": [child.base() | {"SEX": "1", "ETHNIC": "WBRI", "UPN": f"A{n:012d}", "MOTHER": "", "MC_DOB": ""}],
            "episodes": [
                child.episode(DECOM="10/05/2022", RNE="S", PLACE="U3", PLACE_PROVIDER="PR1", DEC="01/09/2022", REC="X1",
                              REASON_PLACE_CHANGE="CARPL", PL_POST="BS2 0JA"),
                child.episode(DECOM="01/09/2022", RNE="P", PLACE="U4", PLACE_PROVIDER="PR4", DEC="", REC="",
                              REASON_PLACE_CHANGE="", PL_POST="BS3 1AA"),
            ],
            "reviews": [child.base() | {"REVIEW": "01/11/2022", "REVIEW_CODE": "PN1"}],
            "missing": [child.base() | {"MISSING": "M", "MIS_START": "01/10/2022", "MIS_END": "02/10/2022"}],
        }  # fmt: skip
        return child

    def episode(self, **values: str) -> dict[str, str]:
        return {
            "CHILD": self.id, "DECOM": "", "RNE": "", "LS": "C2", "CIN": "N1", "PLACE": "", "PLACE_PROVIDER": "",
            "DEC": "", "REC": "", "REASON_PLACE_CHANGE": "", "HOME_POST": "BS1 4DJ", "PL_POST": "", "URN": "",
        } | values  # fmt: skip

    def add(self, table: str, **values: str) -> None:
        """A row of a table other than the clean child's four, with this child's CHILD and DOB."""
        defaults = {
            "uasc": {"SEX": "1", "DUC": ""},
            "oc2": dict.fromkeys(OC2_ITEMS, "0") | {"SDQ_SCORE": "12", "SDQ_REASON": "", "CONVICTED": "0",
                                                     "INTERVENTION_RECEIVED": "", "INTERVENTION_OFFERED": ""},
            "oc3": {"IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "B1"},
            "ad1": {"DATE_INT": "01/06/2022", "DATE_MATCH": "01/08/2022", "FOSTER_CARE": "0", "NB_ADOPTR": "2",
                    "SEX_ADOPTR": "MF", "LS_ADOPTR": "L11"},
            "placed_adoption": {"DATE_PLACED": "01/06/2022", "DATE_PLACED_CEASED": "", "REASON_PLACED_CEASED": ""},
            "prev_perm": {"PREV_PERM": "Z1", "LA_PERM": "", "DATE_PERM": ""},
            "sw_episodes": {"SW_ID": "SW001", "SW_DECOM": "10/05/2022", "SW_DEC": "", "SW_REASON": "OTHERS"},
        }  # fmt: skip
        self.tables.setdefault(table, []).append(self.base() | defaults.get(table, {}) | values)


OC2_ITEMS = ["HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE"]
Break = Callable[[Child], None]


def write_return(path: Path, children: list[Child], period: str = YEAR_END) -> dict[tuple[int, str], list[int]]:
    """The children's rows as a 903 zip for the collection year ending `period`; (child n, table) → the row numbers
    its rows have in that table's CSV (the header is row 1)."""
    modules = contract_for(period).terms.modules
    rows: Tables = {name: [] for name in modules}
    where: dict[tuple[int, str], list[int]] = {}
    for child in children:
        for table, table_rows in child.tables.items():
            for row in table_rows:
                rows[table].append(row)
                where.setdefault((child.n, table), []).append(len(rows[table]) + 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, module in modules.items():
            archive.writestr(module.file, _csv(list(module.columns), rows[name]))
    return where


def _csv(columns: list[str], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows({c: row.get(c, "") for c in columns} for row in rows)
    return buffer.getvalue().encode()
