-- One row per missing or away episode of every children's social care extract version, whichever layout it
-- came in: the csc zip's missing module and the SSDA903 return's Missing table.

{{ union_layouts(
    {'csc': 'stg_csc__missing', 'csc903': 'stg_csc903__missing'},
    ['child_id', 'episode_type', 'start_date', 'end_date', 'from_care', 'rhi_offered', 'rhi_accepted']
) }}
