/**
 * The campaigns in a batch: for each campaign, in day order, the batch's assigned users with their
 * top category and the message's reactions (`gen_batch_campaign`), the visits the message causes
 * (added to the session draws, so sessions, events, orders, order lines and subscriptions follow
 * from them exactly as from any visit), and the exposure rows.
 *
 * The effect is planted as additional visits, never by changing a draw: a user's natural visits
 * are the same with or without the campaign, so the untreated world is unchanged and the control
 * group's behaviour is the baseline the treatment is measured against.
 */
import { duckdbCastColumns, RAW_TABLES } from "../contract";
import { DEMAND_BUCKETS } from "./catalog";
import type { Campaign } from "./campaignCalendar";
import { CAMPAIGN_ASSIGNMENTS } from "./campaignAssignment";
import {
  browseHashColumnsSql,
  pageHashSql,
  productViewsSql,
  viewOffsetSql,
  viewPaceSql,
  viewRatioSql,
} from "./browsing";
import { CAMPAIGN_VISITS, campaignReactionsSql, campaignSeqSql } from "./campaignReactions";
import { CATALOG, type CampaignEffects } from "./params";
import { SESSION_DRAWS } from "./sessionsStage";
import {
  dateSql,
  monthSql,
  productIdSql,
  promoIndexSql,
  stringList,
  str,
  timestampSql,
  type World,
} from "./world";

/** Temp table of the batch's users in one campaign, with category and reactions. */
export const BATCH_CAMPAIGN = "gen_batch_campaign";

const CATEGORY_NAMES = CATALOG.categories.map((c) => c.name);

/** SQL lists: the category index of each product, and the product indices of each category. */
function categoryLists(world: World): { ofProduct: string; products: string } {
  const indexOf = (name: string) => CATEGORY_NAMES.indexOf(name);
  const ofProduct = `([${world.products.map((p) => indexOf(p.category)).join(", ")}]::integer[])`;
  const products = `([${CATEGORY_NAMES.map(
    (name) =>
      `[${world.products
        .filter((p) => p.category === name)
        .map((p) => p.index)
        .join(", ")}]`,
  ).join(", ")}]::integer[][])`;
  return { ofProduct, products };
}

/**
 * Creates `gen_batch_campaign`: the batch's users assigned to `campaign`, each with the category
 * the message names (the category the user viewed most before the campaign day, ties to the
 * catalogue's order; visits caused by earlier campaigns count, as they are in the data) and the
 * reactions of `campaignReactionsSql`.
 */
export function batchCampaignSql(
  world: World,
  effects: CampaignEffects,
  campaign: Campaign,
): string {
  const { ofProduct } = categoryLists(world);
  return `create or replace temp table ${BATCH_CAMPAIGN} as
-- Grain: one row per user of the batch assigned to campaign ${campaign.campaignId}.
with

assigned as (

    select
        assignments.campaign_key,
        assignments.campaign_day,
        assignments.user_index,
        assignments.tier,
        assignments.is_treatment,
        users.user_id,
        users.type_index,
        users.device_index,
        users.p_click,
        users.p_cart

    from ${CAMPAIGN_ASSIGNMENTS} as assignments
    inner join gen_batch_users as users using (user_index)
    where assignments.campaign_key = ${campaign.key}

),

viewed as (

    select
        draws.user_index,
        ${ofProduct}[draws.product_index + 1] as category_index,
        count(*) as views

    from ${SESSION_DRAWS} as draws
    where draws.session_day < ${campaign.day}
        and draws.user_index in (select user_index from assigned)
    group by all

),

top_category as (

    select
        user_index,
        category_index

    from viewed
    qualify row_number() over (partition by user_index order by views desc, category_index) = 1

),

categorised as (

    select
        assigned.*,
        -- Every targeted buyer has visited; the fallback only keeps the column total.
        coalesce(top_category.category_index, 0) as category_index

    from assigned
    left join top_category using (user_index)

)

select * from (
${campaignReactionsSql(world.options.seed, effects, "categorised")}
)
order by user_index`;
}

/**
 * Adds the visits `campaign` causes in the batch to the session draws, in day order, with the
 * draws' columns (by name): a purchase visit goes through the whole funnel; a browse visit stops
 * after the view, the click or the cart as the user's own probabilities say. Visits after the
 * world's last day are not observed yet, like any visit.
 */
export function campaignSessionsInsertSql(world: World, campaign: Campaign): string {
  const { products } = categoryLists(world);
  const p = CAMPAIGN_VISITS.purchase;
  const b = CAMPAIGN_VISITS.browse;
  return `insert into ${SESSION_DRAWS} by name
-- Grain: one row per visit caused by campaign ${campaign.campaignId} in the batch.
with

visits as (

    select
        user_index,
        user_id,
        campaign_key,
        type_index,
        device_index,
        category_index,
        ${p} as visit,
        purchase_start_sec as start_sec,
        5 as depth,
        is_purchase_in_category as is_in_category,
        purchase_product_uniform as product_uniform,
        purchase_offset_click as offset_click,
        purchase_offset_cart as offset_cart,
        purchase_offset_checkout as offset_checkout,
        purchase_offset_purchase as offset_purchase

    from ${BATCH_CAMPAIGN}
    where purchase_start_sec is not null

    union all

    select
        user_index,
        user_id,
        campaign_key,
        type_index,
        device_index,
        category_index,
        ${b} as visit,
        browse_start_sec as start_sec,
        1 + (browse_click_uniform < p_click)::integer
            + (browse_click_uniform < p_click and browse_cart_uniform < p_cart)::integer as depth,
        is_browse_in_category as is_in_category,
        browse_product_uniform as product_uniform,
        browse_offset_click as offset_click,
        browse_offset_cart as offset_cart,
        -- Steps a browse visit never reaches; kept later than the cart, as every draw's are.
        browse_offset_cart + 15 as offset_checkout,
        browse_offset_cart + 35 as offset_purchase

    from ${BATCH_CAMPAIGN}
    where browse_start_sec is not null

),

observed as (

    select
        *,
        start_sec // 86400 as session_day

    from visits
    where start_sec // 86400 <= ${world.options.endDay}

),

placed as (

    select
        observed.*,
        case
            when observed.is_in_category then ${products}[observed.category_index + 1][
                floor(observed.product_uniform
                    * len(${products}[observed.category_index + 1]))::integer + 1]
            else demand.product_index
        end as product_index

    from observed
    left join gen_product_demand as demand
        on demand.demand_key = ${monthSql(world, "observed.session_day")} * ${DEMAND_BUCKETS}
            + floor(observed.product_uniform * ${DEMAND_BUCKETS})::integer

),

sequenced as (

    select
        user_index,
        user_id,
        ${campaignSeqSql("campaign_key", "visit")} as seq,
        printf('%07d-%s-%d', user_index + 1, ${str(campaign.campaignId)}, visit) as session_key,
        session_day,
        start_sec,
        type_index,
        device_index,
        ${promoIndexSql(world, "session_day")} as promo_index,
        depth,
        0 as anomaly_kind,
        product_index,
        ${productIdSql(world, "product_index")} as product_id,
        offset_click,
        offset_cart,
        offset_checkout,
        offset_purchase

    from placed

),

-- The visit's product pages, from the same hashes the events view expands them with: the funnel
-- steps come after the last page, as in every session's draws.
hashed as (

    select *, ${browseHashColumnsSql(world.options.seed)}
    from sequenced

),

paced as (

    select
        *,
        ${productViewsSql(viewRatioSql())} as product_views,
        ${viewPaceSql()} as view_pace

    from hashed

),

browsed as (

    select
        *,
        ${viewOffsetSql("(product_views - 1)", "view_pace", pageHashSql(world.options.seed, "product_views - 1"))}
            as last_view_offset

    from paced

),

final as (

    -- A long browse late in the day starts earlier, so the visit and its order keep the day the
    -- first pass drew (the next campaign's eligibility reads that day).
    select * exclude (h_browse, h_view_count, product_views, view_pace, last_view_offset)
        replace (
            least(start_sec, (session_day + 1)::bigint * 86400 - 1 - last_view_offset - offset_purchase)
                as start_sec,
            last_view_offset + offset_click as offset_click,
            last_view_offset + offset_cart as offset_cart,
            last_view_offset + offset_checkout as offset_checkout,
            last_view_offset + offset_purchase as offset_purchase
        )

    from browsed

)

select * from final
order by session_day, user_index, seq`;
}

/** Rows of `gen.campaign_exposures` for `campaign`, in the batch, when its day is in the date range. */
export function campaignExposuresInsertSql(world: World, campaign: Campaign): string | null {
  const { rangeStartDay, rangeEndDay } = world.options;
  if (campaign.day < rangeStartDay || campaign.day > rangeEndDay) return null;
  return `insert into gen.campaign_exposures
-- Grain: one row per user of the batch targeted by campaign ${campaign.campaignId}.
with

final as (

    select
        concat(${str(campaign.campaignId)}, '-', user_id) as exposure_id,
        ${str(campaign.campaignId)} as campaign_id,
        ${dateSql("campaign_day")} as campaign_date,
        user_id,
        case when is_treatment then 'treatment' else 'control' end as experiment_group,
        tier as purchase_count_tier,
        ${stringList(CATEGORY_NAMES)}[category_index + 1] as category,
        ${timestampSql("sent_sec")} as sent_at,
        ${timestampSql("opened_sec")} as opened_at,
        ${timestampSql("blocked_sec")} as blocked_at

    from ${BATCH_CAMPAIGN}

)

select ${duckdbCastColumns(RAW_TABLES.campaign_exposures)} from final
order by user_id`;
}

/**
 * The campaign statements of one batch, in order: for each campaign, its batch table, its visits,
 * its exposure rows (when the campaign day is in the date range). Run after the batch's session
 * draws and before anything reads them.
 */
export function campaignBatchStatements(
  world: World,
  effects: CampaignEffects,
  campaigns: readonly Campaign[],
): string[] {
  return campaigns.flatMap((campaign) => {
    const exposures = campaignExposuresInsertSql(world, campaign);
    return [
      batchCampaignSql(world, effects, campaign),
      campaignSessionsInsertSql(world, campaign),
      ...(exposures ? [exposures] : []),
    ];
  });
}
