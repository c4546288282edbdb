"""The publishing stage: what leaves the warehouse for readers, after a complete build. Its outputs are the
`publication` schema and asset group (the disclosure-controlled scorecard), the readers' copy of the warehouse, the
PostgreSQL mirror and the scorecard pages.

- `scorecard`: marts.partnership_scorecard through disclosure control (lib/disclosure.py)
- `readers_copy`: the read-only warehouse file readers open, replaced atomically
- `postgres`: the same tables in the PostgreSQL database report tools read
- `report`: the scorecard as pages
"""
