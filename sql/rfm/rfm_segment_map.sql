-- Grain: one row per (recency_score, frequency_score, monetary_score) combination: 5 x 3 x 5 = 75
-- rows, each mapped to exactly one of nine segments. Frequency scores are 3..5 because every
-- scored user is a buyer (1 order = 3, 2 = 4, 3+ = 5). The case order below is the rule order;
-- the segments partition the score cube (see docs/rfm-segments.md):
--   VIP Champions         R >= 4, F >= 4, M >= 4                  (fixed)
--   Promising High Value  R >= 4, F = 3,  M >= 3                  (fixed)
--   Promising Low Value   R >= 4, F = 3,  M <= 2                  (fixed)
--   Loyal                 R >= 4, F >= 4, M <= 3
--   Cannot Lose Them      R in (2, 3), F >= 4, M >= 4
--   At Risk               R in (2, 3), F >= 4, M <= 3
--   Need Attention        R = 3, F = 3
--   Hibernating           R = 2, F = 3
--   Lost                  R = 1
with

recency_scores as (

    select recency_score from unnest([1, 2, 3, 4, 5]) as recency_score

),

frequency_scores as (

    select frequency_score from unnest([3, 4, 5]) as frequency_score

),

monetary_scores as (

    select monetary_score from unnest([1, 2, 3, 4, 5]) as monetary_score

),

combinations as (

    select
        recency_scores.recency_score,
        frequency_scores.frequency_score,
        monetary_scores.monetary_score

    from recency_scores
    cross join frequency_scores
    cross join monetary_scores

),

final as (

    select
        recency_score,
        frequency_score,
        monetary_score,
        case
            when recency_score >= 4 and frequency_score >= 4 and monetary_score >= 4
                then 'VIP Champions'
            when recency_score >= 4 and frequency_score = 3 and monetary_score >= 3
                then 'Promising High Value'
            when recency_score >= 4 and frequency_score = 3 then 'Promising Low Value'
            when recency_score >= 4 then 'Loyal'
            when recency_score >= 2 and frequency_score >= 4 and monetary_score >= 4
                then 'Cannot Lose Them'
            when recency_score >= 2 and frequency_score >= 4 then 'At Risk'
            when recency_score = 3 then 'Need Attention'
            when recency_score = 2 then 'Hibernating'
            else 'Lost'
        end as segment

    from combinations

)

select * from final
