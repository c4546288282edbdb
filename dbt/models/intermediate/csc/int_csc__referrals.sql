-- One row per referral (episode of need) of every children's social care extract version, whichever layout it
-- came in: the csc zip's referrals module and the Children in Need census's CINdetails and Annex A's List 3.

{{ union_layouts(
    {'csc': 'stg_csc__referrals', 'cin': 'stg_cin__referrals', 'annexa': 'stg_annexa__referrals'},
    ['referral_id', 'child_id', 'referral_date', 'referral_source', 'primary_need', 'referral_nfa', 'closure_date',
     'closure_reason']
) }}
