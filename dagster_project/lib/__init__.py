"""The pipeline's stages as plain Python: no Dagster import here, so each stage is testable on its own.

landing → parsing → validation → loading; dbt takes over from the raw layer.
"""
