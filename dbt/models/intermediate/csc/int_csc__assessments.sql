-- One row per assessment of every children's social care extract version, whichever layout it came in: the csc
-- zip's assessments module and the Children in Need census's Assessments and Annex A's List 4.

{{ union_layouts(
    {'csc': 'stg_csc__assessments', 'cin': 'stg_cin__assessments', 'annexa': 'stg_annexa__assessments'},
    ['assessment_id', 'referral_id', 'child_id', 'start_date', 'authorised_date', 'factors']
) }}
