"""Privacy at the door: identifiers become keyed hashes and dates of birth months, before anything
is validated, logged or stored. One policy, applied in one place (as liia-tools-pipeline does).

The key is a deployment secret from the environment (PSEUDONYMISATION_KEY), never in the repository.
The demo and the tests use a fixed, public key of their own, named so it cannot be mistaken for one.
"""

import hashlib
import hmac
import os

import pandas as pd

from dagster_project.lib.contracts import SourceContract

KEY_VARIABLE = "PSEUDONYMISATION_KEY"
DEMO_KEY = "demo-only-public-key-not-for-partner-data"
# What a finding shows instead of the value of a personal cell; its row and column still say where it is.
WITHHELD = "(withheld: personal data)"


class PseudonymisationKeyMissing(RuntimeError):
    """No key to hash identifiers with: nothing personal may be loaded without one."""


def pseudonymisation_key() -> bytes:
    key = os.environ.get(KEY_VARIABLE, "")
    if not key:
        raise PseudonymisationKeyMissing(
            f"{KEY_VARIABLE} is not set. Identifiers in partner extracts are replaced by keyed hashes at ingest, "
            f"and the key is a deployment secret: set {KEY_VARIABLE} in the environment (never in the repository). "
            f"scripts/demo sets a public demo key for the sample extracts only."
        )
    return key.encode()


def personal_columns(contract: SourceContract) -> frozenset[str]:
    """The columns whose values never leave ingest as they are (the contract's `personal_columns`)."""
    return frozenset(contract.terms.personal_columns)


def pseudonymise(values: pd.Series, key: bytes, namespace: str) -> pd.Series:
    """Keyed hash (HMAC-SHA256) of each value within a namespace (the authority), as 32 hex characters.

    The same case number gives the same pseudonym in every extract of that authority, so records join
    across modules and quarters; without the key a pseudonym cannot be turned back into a case number.
    Each distinct value is hashed once, from a copy of the keyed state (a child's number recurs in every module).
    """
    keyed = hmac.new(key, digestmod=hashlib.sha256)

    def one(value: str) -> str:
        state = keyed.copy()
        state.update(f"{namespace}:{value}".encode())
        return state.hexdigest()[:32]

    stripped = values.astype("str").str.strip()
    present = stripped.notna() & (stripped != "")
    pseudonyms = {value: one(value) for value in stripped[present].unique()}
    return stripped.map(pseudonyms).where(present, None).astype("str")
