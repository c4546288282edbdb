"""Quarterly partitions, keyed by the quarter-end month the partners put in their file names (2023-03).

Dynamic rather than a time window: a partition exists once a partner has sent a file for that
quarter, and its key reads the way the file name does.
"""

import dagster as dg

quarters = dg.DynamicPartitionsDefinition(name="quarter")
