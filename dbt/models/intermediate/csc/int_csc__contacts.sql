-- One row per contact of every children's social care extract version, whichever layout it came in: the csc
-- zip's contacts module and Annex A's List 1 (which records no outcome nor domestic abuse flag: null).

{{ union_layouts(
    {'csc': 'stg_csc__contacts', 'annexa': 'stg_annexa__contacts'},
    ['contact_id', 'child_id', 'contact_date', 'contact_source', 'domestic_abuse', 'outcome']
) }}
