import { column as col } from "../contract";
import type { RowsTableDef } from "../backends/types";

/**
 * The two tables the CLV step writes, declared once: the DuckDB DDL, the BigQuery schema and the
 * step's rows all come from these columns. Both sit in `snapshots` beside `rfm_daily`, one
 * partition per snapshot date, so RFM segments and predicted value join on (snapshot_date,
 * user_id).
 */
export const CLV_DAILY: RowsTableDef = {
  dataset: "snapshots",
  name: "clv_daily",
  description:
    "Predicted customer value per snapshot date and buyer: BG/NBD P(alive) and expected transactions, Gamma-Gamma value per transaction, predicted CLV.",
  partitionColumn: "snapshot_date",
  clustering: ["user_id"],
  columns: [
    col("snapshot_date", "DATE", "The date the history runs to, inclusive, and the fit's date."),
    col("user_id", "STRING", "Buyer (anomaly-flagged users excluded, as in rfm_daily)."),
    col("first_purchase_date", "DATE", "Day of the first purchase."),
    col("frequency", "INT64", "x: repeat purchase days (purchase days after the first)."),
    col("recency_weeks", "FLOAT64", "t_x: weeks from the first to the last purchase day."),
    col("age_weeks", "FLOAT64", "T: weeks from the first purchase day to the snapshot date."),
    col("monetary", "FLOAT64", "Mean revenue of the repeat purchase days; 0 without one."),
    col("revenue", "FLOAT64", "Revenue of every purchase day up to the snapshot date."),
    col("p_alive", "FLOAT64", "BG/NBD probability that the customer has not dropped out."),
    col("expected_transactions_90d", "FLOAT64", "Expected purchase days in the next 90 days."),
    col("expected_transactions_180d", "FLOAT64", "Expected purchase days in the next 180 days."),
    col("expected_transactions_365d", "FLOAT64", "Expected purchase days in the next 365 days."),
    col(
      "expected_value_per_transaction",
      "FLOAT64",
      "Gamma-Gamma expected revenue of a future purchase day; null when the spend model could not be fitted.",
      true,
    ),
    col(
      "predicted_clv_180d",
      "FLOAT64",
      "Expected revenue in the next 180 days (expected transactions x value), undiscounted.",
      true,
    ),
    col(
      "predicted_clv_365d",
      "FLOAT64",
      "Expected revenue in the next 365 days, undiscounted.",
      true,
    ),
  ],
};

export const CLV_FIT: RowsTableDef = {
  dataset: "snapshots",
  name: "clv_fit",
  description:
    "One row per snapshot date: the fitted BG/NBD and Gamma-Gamma parameters, their log-likelihoods and the data they were fitted on.",
  partitionColumn: "snapshot_date",
  clustering: [],
  columns: [
    col("snapshot_date", "DATE", "The date the fit's histories run to."),
    col("time_unit", "STRING", "Unit of recency, age and alpha: week."),
    col("customers", "INT64", "Buyers the BG/NBD model was fitted on."),
    col("repeat_buyers", "INT64", "Buyers with at least one repeat purchase day."),
    col("bgnbd_r", "FLOAT64", "BG/NBD r: shape of the purchase-rate gamma."),
    col("bgnbd_alpha", "FLOAT64", "BG/NBD alpha: scale of the purchase-rate gamma, in weeks."),
    col("bgnbd_a", "FLOAT64", "BG/NBD a: first shape of the drop-out beta."),
    col("bgnbd_b", "FLOAT64", "BG/NBD b: second shape of the drop-out beta."),
    col("bgnbd_log_likelihood", "FLOAT64", "Log-likelihood of the BG/NBD fit."),
    col(
      "gamma_gamma_customers",
      "INT64",
      "Repeat buyers with positive spend the spend model used.",
    ),
    col("gamma_gamma_p", "FLOAT64", "Gamma-Gamma p; null when not fitted.", true),
    col("gamma_gamma_q", "FLOAT64", "Gamma-Gamma q; null when not fitted.", true),
    col("gamma_gamma_gamma", "FLOAT64", "Gamma-Gamma gamma; null when not fitted.", true),
    col("gamma_gamma_log_likelihood", "FLOAT64", "Log-likelihood of the spend fit.", true),
    col(
      "spend_frequency_correlation",
      "FLOAT64",
      "Pearson correlation of frequency and mean repeat spend among repeat buyers: the Gamma-Gamma model assumes 0.",
      true,
    ),
    col("gamma_gamma_note", "STRING", "Why the spend model was not fitted, when it was not.", true),
    col("fitted_at", "TIMESTAMP", "When the step ran."),
  ],
};

export const CLV_TABLES: readonly RowsTableDef[] = [CLV_DAILY, CLV_FIT];
