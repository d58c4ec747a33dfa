/**
 * One colour per segment, everywhere in the report: a label keeps its colour from chart to chart
 * (user type B is the same blue in the trade-off scatter and in the funnel), and the colours carry
 * meaning where the labels have an order (best RFM segments and low churn risk in greens and
 * blues, at-risk in oranges, lost in greys). Colour-blind-safe hues (Okabe-Ito) for categories.
 */

/** Okabe-Ito: distinguishable with the common colour-vision deficiencies. */
const OKABE_ITO = {
  blue: "#0072B2",
  orange: "#E69F00",
  sky: "#56B4E9",
  green: "#009E73",
  yellow: "#F0E442",
  vermillion: "#D55E00",
  purple: "#CC79A7",
  grey: "#7f7f7f",
  black: "#333333",
} as const;

/** Colours by label, per family of labels; a label's colour is the same in every chart. */
export const SEGMENT_COLOURS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  user_type: {
    A: OKABE_ITO.orange,
    B: OKABE_ITO.blue,
    C: OKABE_ITO.purple,
    D: OKABE_ITO.grey,
    All: OKABE_ITO.black,
  },
  consistency_tier: {
    High: "#1b7837",
    Medium: "#7fbf7b",
    Low: "#d6604d",
    Sparse: "#bababa",
    All: OKABE_ITO.black,
  },
  rfm_segment: {
    "VIP Champions": "#08519c",
    Loyal: "#3182bd",
    "Promising High Value": "#1b7837",
    "Promising Low Value": "#7fbf7b",
    "Cannot Lose Them": "#b35806",
    "At Risk": "#f1a340",
    "Need Attention": "#fee08b",
    Hibernating: "#9e9ac8",
    Lost: "#969696",
  },
  risk_group: {
    Active: "#1b7837",
    Cooling: "#7fbf7b",
    "At risk": "#f1a340",
    Churned: "#969696",
  },
  device: { iOS: OKABE_ITO.sky, Android: OKABE_ITO.green, Web: OKABE_ITO.vermillion },
  marketing_source: {
    Organic: OKABE_ITO.green,
    Paid: OKABE_ITO.vermillion,
    Referral: OKABE_ITO.sky,
  },
  signup_promo: { Promo: OKABE_ITO.vermillion, "No promo": OKABE_ITO.blue },
  experiment_group: { treatment: OKABE_ITO.vermillion, control: OKABE_ITO.blue },
  series: {
    DAU: OKABE_ITO.blue,
    WAU: OKABE_ITO.sky,
    MAU: OKABE_ITO.purple,
    "All users": OKABE_ITO.blue,
    Buyers: OKABE_ITO.vermillion,
    "Equal shares": "#bbbbbb",
  },
};

export type ColourFamily = keyof typeof SEGMENT_COLOURS;

/** The single colour used for a chart without categories. */
export const ACCENT = OKABE_ITO.blue;

/**
 * A Vega-Lite colour scale for a family: its labels in their order with their colours; a value
 * the palette does not know (a new segment) is appended in grey, never given a borrowed colour.
 */
export function colourScale(
  family: ColourFamily,
  present?: readonly string[],
): { domain: string[]; range: string[] } {
  const known = SEGMENT_COLOURS[family]!;
  const domain = present
    ? [
        ...Object.keys(known).filter((k) => present.includes(k)),
        ...present.filter((p) => !(p in known)),
      ]
    : Object.keys(known);
  return { domain, range: domain.map((d) => known[d] ?? OKABE_ITO.grey) };
}
