"""What builds, measures and tests the product without being part of it: the sample extract generators
(`python -m tools.samples`) and the benchmark (`python -m tools.benchmark`). Nothing in dagster_project imports
from here."""
