-- Grain: one row per session day x device x user_type x is_promo. Sessions reaching each funnel
-- step, the conversion from each step to the next (sessions with the next step over sessions
-- with this one) and the drop-off (1 - that conversion).
with

funnel_sessions as (

    select * from marts.dm_funnel_sessions

),

daily as (

    select
        session_date,
        device,
        user_type,
        is_promo,
        count(*) as sessions,
        countif(has_view) as view_sessions,
        countif(has_click) as click_sessions,
        countif(has_add_to_cart) as add_to_cart_sessions,
        countif(has_checkout) as checkout_sessions,
        countif(has_purchase) as purchase_sessions

    from funnel_sessions
    group by session_date, device, user_type, is_promo

),

final as (

    select
        *,
        safe_divide(click_sessions, view_sessions) as view_to_click_rate,
        safe_divide(add_to_cart_sessions, click_sessions) as click_to_cart_rate,
        safe_divide(checkout_sessions, add_to_cart_sessions) as cart_to_checkout_rate,
        safe_divide(purchase_sessions, checkout_sessions) as checkout_to_purchase_rate,
        safe_divide(purchase_sessions, sessions) as session_conversion_rate,
        1 - safe_divide(click_sessions, view_sessions) as view_drop_off,
        1 - safe_divide(add_to_cart_sessions, click_sessions) as click_drop_off,
        1 - safe_divide(checkout_sessions, add_to_cart_sessions) as add_to_cart_drop_off,
        1 - safe_divide(purchase_sessions, checkout_sessions) as checkout_drop_off

    from daily

)

select * from final
