/**
 * `npm run measure:campaign`: does the campaign analysis recover what the generator planted? For
 * each seed it generates the world twice, with the planted effect and with none (an A/A world:
 * the same targets, groups, messages, opens and blocks, no visit they cause), runs the nightly
 * chain's marts and significance tests on each, and reads the pooled 28-day uplift
 * (`marts.dm_stat_tests`, every campaign pooled). The figures in docs/generation-rules.md come
 * from this script; nothing here is timed or asserted, it is a measurement.
 */
import { RAW_TABLE_NAMES } from "../functions/src/contract";
import { DEFAULT_GENERATE_OPTIONS, generateInBatches } from "../functions/src/generator";
import { forgetCampaignAssignments } from "../functions/src/generator/campaignAssignment";
import {
  CAMPAIGNS,
  NO_CAMPAIGN_EFFECT,
  WORLD,
  type CampaignEffects,
} from "../functions/src/generator/params";
import { runMarts } from "../functions/src/marts/runMarts";
import { openTestWarehouse } from "../functions/src/marts/testing/testWarehouse";
import { rateAgainstThreshold, twoProportionTest } from "../functions/src/stats";
import {
  integerValue,
  runMain,
  UsageError,
  type CommandSpec,
  type ParsedArgs,
} from "./cli/command";

export const CAMPAIGN_RECOVERY_COMMAND: CommandSpec = {
  command: "npm run measure:campaign",
  summary: [
    "Generates each seed's world with the planted campaign effect and without it (A/A), runs the",
    "marts and significance tests, and prints whether the pooled 28-day uplift's 95% interval",
    "holds the planted uplift, and how many A/A worlds report no significant uplift.",
  ].join("\n"),
  options: {
    seeds: {
      type: "string",
      help: "comma-separated seeds measured with and without the effect (default 42,7,11)",
    },
    "aa-seeds": {
      type: "string",
      help: "further seeds measured without the effect only (default 1,2,3,4,5,6,8)",
    },
    users: { type: "string", help: "users per world (default: the reference world's)" },
  },
  examples: ["npm run measure:campaign -- --seeds 42 --aa-seeds 1,2 --users 3000"],
};

interface Uplift {
  readonly nA: number;
  readonly nB: number;
  readonly rateA: number;
  readonly rateB: number;
  readonly estimate: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  readonly pValue: number;
  readonly messaged: number;
  readonly blocked: number;
}

/** One world's pooled 28-day uplift and guardrail counts, as the chain's tables report them. */
async function measure(seed: number, users: number, effects: CampaignEffects): Promise<Uplift> {
  const warehouse = await openTestWarehouse();
  try {
    forgetCampaignAssignments();
    const world = { ...DEFAULT_GENERATE_OPTIONS, seed, users };
    await generateInBatches(warehouse.connection, world, WORLD.batchUsers, undefined, effects);
    for (const table of RAW_TABLE_NAMES)
      await warehouse.connection.run(`insert into raw.${table} select * from gen.${table}`);
    await warehouse.connection.run("drop schema gen cascade");
    await runMarts(warehouse, { runDate: world.endDate, fromDate: world.endDate });
    const [test] = await warehouse.query<{
      n_a: number;
      n_b: number;
      mean_a: number;
      mean_b: number;
      estimate: number;
      ci_low: number;
      ci_high: number;
      p_value: number;
    }>(
      `select * from marts.dm_stat_tests
       where scope = 'all campaigns' and metric = 'is_reactivated_28d' and slice = 'all'`,
    );
    const [guardrail] = await warehouse.query<{ users_messaged: number; users_blocked: number }>(
      `select users_messaged, users_blocked from marts.dm_campaign_summary
       where campaign_id = 'All campaigns' and experiment_group = 'treatment'`,
    );
    if (!test || !guardrail) throw new Error(`seed ${seed}: no pooled campaign test was written`);
    return {
      nA: Number(test.n_a),
      nB: Number(test.n_b),
      rateA: test.mean_a,
      rateB: test.mean_b,
      estimate: test.estimate,
      ciLow: test.ci_low,
      ciHigh: test.ci_high,
      pValue: test.p_value,
      messaged: Number(guardrail.users_messaged),
      blocked: Number(guardrail.users_blocked),
    };
  } finally {
    warehouse.close();
  }
}

const seedList = (flag: string, raw: string | undefined, fallback: number[]): number[] =>
  raw === undefined
    ? fallback
    : raw.split(",").map((s) => integerValue(`--${flag}`, s.trim(), 0, 2 ** 31 - 1));

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pp = (x: number) => `${(100 * x).toFixed(1)} pp`;

/**
 * The planted 28-day uplift of a world: a treated opener buys because of the message with
 * probability open x return-purchase; users who would have bought anyway gain nothing, so the
 * expected uplift is that share times (1 - b), b the treated users' rate without the effect (the
 * A/A world's treatment rate: the same users, nothing planted).
 */
const plantedUplift = (baseline: number): number =>
  CAMPAIGNS.effects.openProbability * CAMPAIGNS.effects.returnPurchaseProbability * (1 - baseline);

async function main(args: ParsedArgs): Promise<void> {
  const seeds = seedList("seeds", args.values.seeds as string | undefined, [42, 7, 11]);
  const aaOnly = seedList(
    "aa-seeds",
    args.values["aa-seeds"] as string | undefined,
    [1, 2, 3, 4, 5, 6, 8],
  );
  const users =
    args.values.users === undefined
      ? DEFAULT_GENERATE_OPTIONS.users
      : integerValue("--users", args.values.users as string, 500, 1_000_000);
  if (seeds.length === 0) throw new UsageError("--seeds", "needs at least one seed");
  const out = (line: string) => process.stdout.write(`${line}\n`);

  out(`Campaign recovery, ${users} users per world, every campaign pooled, 28-day reactivation.`);
  out("");
  out(
    "| seed | treated / control | treatment | control | A/A treatment (baseline) | planted uplift | measured uplift [95% CI] | inside | control vs baseline p | block rate [95% CI] (planted 2%) |",
  );
  out("|---|---|---|---|---|---|---|---|---|---|");
  const aa: { seed: number; p: number; estimate: number }[] = [];
  for (const seed of seeds) {
    const planted = await measure(seed, users, CAMPAIGNS.effects);
    const none = await measure(seed, users, NO_CAMPAIGN_EFFECT);
    aa.push({ seed, p: none.pValue, estimate: none.estimate });
    const target = plantedUplift(none.rateA);
    const inside = planted.ciLow <= target && target <= planted.ciHigh;
    const baseline = twoProportionTest(
      Math.round(planted.rateB * planted.nB),
      planted.nB,
      Math.round(none.rateA * none.nA),
      none.nA,
    );
    const block = rateAgainstThreshold(planted.blocked, planted.messaged, 0.05);
    out(
      `| ${seed} | ${planted.nA} / ${planted.nB} | ${pct(planted.rateA)} | ${pct(planted.rateB)} | ${pct(none.rateA)} | ${pp(target)} | ${pp(planted.estimate)} [${pp(planted.ciLow)}, ${pp(planted.ciHigh)}] | ${inside ? "yes" : "NO"} | ${baseline.pValue.toFixed(2)} | ${pct(block.rate)} [${pct(block.ciLow)}, ${pct(block.ciHigh)}] |`,
    );
  }
  for (const seed of aaOnly) {
    const none = await measure(seed, users, NO_CAMPAIGN_EFFECT);
    aa.push({ seed, p: none.pValue, estimate: none.estimate });
  }
  out("");
  out("A/A (no planted effect), pooled 28-day uplift:");
  out("");
  out("| seed | uplift | p-value | significant at 5% |");
  out("|---|---|---|---|");
  for (const r of aa)
    out(`| ${r.seed} | ${pp(r.estimate)} | ${r.p.toFixed(3)} | ${r.p < 0.05 ? "yes" : "no"} |`);
  const quiet = aa.filter((r) => r.p >= 0.05).length;
  out("");
  out(`${quiet} of ${aa.length} A/A worlds report no significant uplift.`);
}

if (require.main === module) runMain(CAMPAIGN_RECOVERY_COMMAND, main);
