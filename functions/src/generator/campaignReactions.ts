/**
 * What each assigned user does about a campaign: when the message goes out, whether it is opened
 * or makes the user block notifications, and whether (and when) the message brings the user back
 * to buy or to browse. Every draw is a function of (seed, user, campaign) alone, so the first pass
 * (which needs only the purchases, for the next campaign's eligibility) and the batch that writes
 * the rows read the same values.
 */
import { STEP_DELAY_SECONDS, CAMPAIGNS, type CampaignEffects } from "./params";
import { hashSql, SALT, uniformSql as u } from "./random";
import { dbl } from "./world";

/** The two visits a message can cause, by their number in the session key (`-RC2024-04-1`). */
export const CAMPAIGN_VISITS = { purchase: 1, browse: 2 } as const;

/**
 * A session number for a campaign-caused visit: far above any natural visit's (a user's natural
 * visits number in the thousands at most), unique per campaign and visit, so the order and line
 * draws keyed by (user, session number) never meet a natural visit's.
 */
export function campaignSeqSql(campaignKey: string, visit: string): string {
  return `(10000000 + ${campaignKey} * 10 + ${visit})`;
}

/** SQL for a step delay in seconds from 16 bits of a hash column (as the natural funnel's). */
function delaySql(hash: string, slot: number, range: { min: number; max: number }): string {
  return `(${range.min} + (((${hash} >> ${slot * 16}) & 65535) * ${range.max - range.min + 1} // 65536)::integer)`;
}

/**
 * SQL for the day offset (0..27) of a campaign-caused visit from a uniform: the delay range is
 * picked by cumulative share, the day uniformly within it (the leftover of the same uniform).
 */
function returnDaySql(uniform: string): string {
  let cumulative = 0;
  const branches = CAMPAIGNS.returnDelays.map((range, i) => {
    const before = cumulative;
    cumulative += range.share;
    const width = range.lastDay - range.firstDay + 1;
    const within = `least(${width - 1}, floor((${uniform} - ${dbl(before)}) / ${dbl(range.share)} * ${width})::integer)`;
    const last = i === CAMPAIGNS.returnDelays.length - 1;
    return last
      ? `else ${range.firstDay} + ${within}`
      : `when ${uniform} < ${dbl(cumulative)} then ${range.firstDay} + ${within}`;
  });
  return `(case ${branches.join(" ")} end)`;
}

/**
 * SQL for the start (epoch seconds) of a visit `day_offset` days after the campaign day: on the
 * campaign day within an hour after the open, later between `CAMPAIGNS.returnHours`. Either way
 * the visit and its funnel fall on the day drawn.
 */
function visitStartSql(dayOffset: string, openedSec: string, uniform: string): string {
  const { first, last } = CAMPAIGNS.returnHours;
  return `(case when ${dayOffset} = 0
        then ${openedSec} + 60 + floor(${uniform} * 3540)::bigint
        else (campaign_day + ${dayOffset})::bigint * 86400 + ${first * 3600}
            + floor(${uniform} * ${(last - first) * 3600})::bigint
    end)`;
}

/**
 * One row per assignment of `source` (columns `user_index`, `campaign_key`, `campaign_day`,
 * `is_treatment`, plus whatever else it carries), with the campaign's reactions:
 * `sent_sec`, `opened_sec`, `blocked_sec` (null when it did not happen, always null for the
 * control group), and the visits the message causes: `purchase_start_sec` with the purchase
 * visit's funnel offsets, `browse_start_sec` with the browse visit's, each null when there is none,
 * and the uniforms the batch stage turns into the visit's product and browsing depth.
 */
export function campaignReactionsSql(
  seed: number,
  effects: CampaignEffects,
  source: string,
): string {
  const d = STEP_DELAY_SECONDS;
  const sendWindow = CAMPAIGNS.sendWindowMinutes * 60;
  const reaction = CAMPAIGNS.reactionWindowMinutes * 60;
  const key = (...extra: string[]) => ["user_index", "campaign_key", ...extra];
  return `-- Grain: one row per campaign and assigned user, with the message's reactions and visits.
with

hashed as (

    select
        *,
        ${hashSql(seed, SALT.campaignReaction, ...key())} as h_send,
        ${hashSql(seed, SALT.campaignReaction, ...key("1"))} as h_block,
        ${hashSql(seed, SALT.campaignReturn, ...key(String(CAMPAIGN_VISITS.purchase)))} as h_purchase,
        ${hashSql(seed, SALT.campaignReturn, ...key(String(CAMPAIGN_VISITS.browse)))} as h_browse,
        ${hashSql(seed, SALT.campaignVisit, ...key(String(CAMPAIGN_VISITS.purchase)))} as h_purchase_funnel,
        ${hashSql(seed, SALT.campaignVisit, ...key(String(CAMPAIGN_VISITS.browse)))} as h_browse_funnel,
        ${hashSql(seed, SALT.campaignVisit, ...key(String(CAMPAIGN_VISITS.purchase), "1"))} as h_purchase_product,
        ${hashSql(seed, SALT.campaignVisit, ...key(String(CAMPAIGN_VISITS.browse), "1"))} as h_browse_product

    from ${source}

),

sent as (

    select
        *,
        case when is_treatment then campaign_day::bigint * 86400 + ${CAMPAIGNS.sendHour * 3600}
            + floor(${u("h_send", 0)} * ${sendWindow})::bigint end as sent_sec,
        is_treatment and ${u("h_send", 1)} < ${dbl(effects.openProbability)} as is_opened,
        is_treatment and ${u("h_block", 0)} < ${dbl(effects.blockProbability)} as is_blocked

    from hashed

),

reacted as (

    select
        *,
        case when is_opened then sent_sec + 60
            + floor(${u("h_send", 2)} * ${reaction - 60})::bigint end as opened_sec,
        case when is_blocked then sent_sec + 60
            + floor(${u("h_block", 1)} * ${reaction - 60})::bigint end as blocked_sec,
        is_opened and ${u("h_purchase", 0)} < ${dbl(effects.returnPurchaseProbability)} as has_purchase_visit,
        is_opened and ${u("h_browse", 0)} < ${dbl(effects.returnBrowseProbability)} as has_browse_visit,
        ${returnDaySql(u("h_purchase", 1))} as purchase_day_offset,
        ${returnDaySql(u("h_browse", 1))} as browse_day_offset

    from sent

),

final as (

    select
        *,
        case when has_purchase_visit
            then ${visitStartSql("purchase_day_offset", "opened_sec", u("h_purchase", 2))} end
            as purchase_start_sec,
        case when has_browse_visit
            then ${visitStartSql("browse_day_offset", "opened_sec", u("h_browse", 2))} end
            as browse_start_sec,
        ${delaySql("h_purchase_funnel", 0, d.click)} as purchase_offset_click,
        ${delaySql("h_purchase_funnel", 0, d.click)} + ${delaySql("h_purchase_funnel", 1, d.add_to_cart)}
            as purchase_offset_cart,
        ${delaySql("h_purchase_funnel", 0, d.click)} + ${delaySql("h_purchase_funnel", 1, d.add_to_cart)}
            + ${delaySql("h_purchase_funnel", 2, d.checkout)} as purchase_offset_checkout,
        ${delaySql("h_purchase_funnel", 0, d.click)} + ${delaySql("h_purchase_funnel", 1, d.add_to_cart)}
            + ${delaySql("h_purchase_funnel", 2, d.checkout)} + ${delaySql("h_purchase_funnel", 3, d.purchase)}
            as purchase_offset_purchase,
        ${delaySql("h_browse_funnel", 0, d.click)} as browse_offset_click,
        ${delaySql("h_browse_funnel", 0, d.click)} + ${delaySql("h_browse_funnel", 1, d.add_to_cart)}
            as browse_offset_cart,
        -- The product of each visit: the messaged category or the month's demand, and where in it.
        ${u("h_purchase_product", 0)} < ${dbl(effects.messagedCategoryShare)} as is_purchase_in_category,
        ${u("h_browse_product", 0)} < ${dbl(effects.messagedCategoryShare)} as is_browse_in_category,
        ${u("h_purchase_product", 1)} as purchase_product_uniform,
        ${u("h_browse_product", 1)} as browse_product_uniform,
        -- Browsing depth against the user's own click and cart probabilities.
        ${u("h_browse_product", 2)} as browse_click_uniform,
        ${u("h_purchase_product", 2)} as browse_cart_uniform

    from reacted

)

select * from final`;
}
