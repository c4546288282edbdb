"""National volumes for the benchmark: the scale knob of the generators (`--authorities N --quarters Q`).

England has 153 authorities with children's services. The five real ones hold about 3% of England's children;
each synthetic authority beyond them (codes E06900001, E06900002, ...: no real authority has an E069 code)
sends a copy of one real authority's extract (the same rows), taking the five in turn, under its own code. At
153 authorities a year then holds about 612,000 referrals, 4 million contacts, 570,000 adult safeguarding
concerns and 85,000 episodes of care: the national volumes, and the same shapes, codes and rule-breaking rates
as the samples. Only the two sources whose volume grows with authorities are scaled (children's and adult
social care); the police scorecard and the annual audits are a few hundred rows per authority a year.

A pipeline fed these files needs its partner lists to name the synthetic authorities: `national_partners`
gives each contract's and reference seed's rows for them (the benchmark writes them into a copy of the
project, as a national deployment would into its own).
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tools.samples import asc, csc
from tools.samples.simulation import QUARTERS, ExtractWriter

NATIONAL = 153
REAL: tuple[str, ...] = csc.AUTHORITIES
SYNTHETIC_PREFIX = "E069"


SCALED_SOURCES: tuple[ExtractWriter, ...] = (csc.WRITER, asc.WRITER)


@dataclass(frozen=True)
class ScaledAuthority:
    code: str
    template: str  # the real authority whose extracts it sends

    @property
    def synthetic(self) -> bool:
        return self.code != self.template

    def file_name(self, source: ExtractWriter, period_end: date) -> str:
        if not self.synthetic:
            return source.file_name(self.code, period_end)
        return f"{source.source}_{self.code}_{period_end:%Y-%m}.zip"


def scaled_authorities(count: int) -> list[ScaledAuthority]:
    """The real authorities first, then synthetic ones modelled on each real one in turn."""
    if not 1 <= count <= NATIONAL:
        raise ValueError(f"--authorities must be between 1 and {NATIONAL}, not {count}")
    real = [ScaledAuthority(code, code) for code in REAL[:count]]
    synthetic = [
        ScaledAuthority(f"{SYNTHETIC_PREFIX}{n:05d}", REAL[(n - 1) % len(REAL)])
        for n in range(1, count - len(real) + 1)
    ]
    return real + synthetic


def scaled_quarters(count: int) -> list[date]:
    """The latest `count` of the simulated quarter ends."""
    if not 1 <= count <= len(QUARTERS):
        raise ValueError(f"--quarters must be between 1 and {len(QUARTERS)}, not {count}")
    return QUARTERS[-count:]


def write_scaled(out_dir: Path, authorities: int, quarters: int, progress: Callable[[str], None] = print) -> list[Path]:
    """Each scaled source's extracts for every authority and quarter asked for, in `out_dir/<source>/`, and the
    register of the authorities, `out_dir/authorities.csv`. A real authority's extract is simulated; the
    synthetic authorities' are copies of it."""
    members = scaled_authorities(authorities)
    written: list[Path] = []
    for period_end in scaled_quarters(quarters):
        for source in SCALED_SOURCES:
            folder = out_dir / source.source
            folder.mkdir(parents=True, exist_ok=True)
            extracts: dict[str, Path] = {}
            for authority in members:  # the real authorities come first: their extracts are the templates
                target = folder / authority.file_name(source, period_end)
                if authority.synthetic:
                    copy_for(authority, extracts[authority.template], target)
                else:
                    extracts[authority.code] = source.write_extract(authority.code, period_end, target)
                written.append(target)
            progress(f"{source.source} {period_end:%Y-%m}: {len(members)} authorities")
    (out_dir / REGISTER).write_text(register_csv(members), encoding="utf-8")
    return written


REGISTER = "authorities.csv"


def copy_for(authority: ScaledAuthority, template: Path, target: Path) -> Path:
    """The template's extract as the synthetic authority's: the same members, the zip's comment naming the
    authority. The bytes must differ: the pipeline loads a file's bytes once (a copy is a duplicate)."""
    shutil.copyfile(template, target)
    with zipfile.ZipFile(target, "a") as archive:
        archive.comment = f"{authority.code}: synthetic, a copy of {authority.template}'s extract".encode()
    return target


def register_csv(members: list[ScaledAuthority]) -> str:
    """la_code, la_name, template: what a deployment's partner lists need to know of each authority."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["la_code", "la_name", "template"])
    for number, member in enumerate(members, start=1):
        name = f"Synthetic authority {number - len(REAL)} (as {member.template})" if member.synthetic else ""
        writer.writerow([member.code, name, member.template])
    return buffer.getvalue()


def read_register(path: Path) -> list[ScaledAuthority]:
    with path.open(encoding="utf-8") as handle:
        return [ScaledAuthority(row["la_code"], row["template"]) for row in csv.DictReader(handle)]
