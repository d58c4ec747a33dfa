#!/usr/bin/env bash
# Smoke run for a freshly deployed preview stack, from its stack outputs: runs the nightly
# workflow itself (the orchestrated chain: generate, checks, marts in dependency order, RFM
# snapshot, run record) for the world's first SMOKE_DAYS days, then checks
#   1. the execution SUCCEEDED;
#   2. every scheduled query's destination table (a mart) exists and has rows;
#   3. the run record of the execution says succeeded.
# On a stack that already holds those days the workflow is up to date and only the checks run.
# Inputs (environment): OUTPUTS_FILE (`pulumi stack output --json`: workflows, workflowRegion,
# worldStart, datasets, scheduledQueryNames), GCP_PROJECT_ID. Optional: SMOKE_DAYS (3).
# Uses gcloud and bq, and reads tables through metadata and tabledata (no query jobs).
set -euo pipefail

fail() {
  echo "smoke: $*" >&2
  exit 1
}

: "${OUTPUTS_FILE:?OUTPUTS_FILE must name the stack outputs JSON file}"
: "${GCP_PROJECT_ID:?GCP_PROJECT_ID must name the project}"
days="${SMOKE_DAYS:-3}"
[[ "${days}" =~ ^[1-9][0-9]*$ ]] || fail "SMOKE_DAYS must be a positive integer, got '${days}'"

workflow="$(jq -r '.workflows.nightly // empty' "${OUTPUTS_FILE}")"
region="$(jq -r '.workflowRegion // empty' "${OUTPUTS_FILE}")"
world_start="$(jq -r '.worldStart // empty' "${OUTPUTS_FILE}")"
marts_dataset="$(jq -r '.datasets.marts // empty' "${OUTPUTS_FILE}")"
snapshots_dataset="$(jq -r '.datasets.snapshots // empty' "${OUTPUTS_FILE}")"
[[ -n "${workflow}" && -n "${region}" ]] || fail "no workflows.nightly / workflowRegion in ${OUTPUTS_FILE}"
[[ "${world_start}" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || fail "no worldStart in ${OUTPUTS_FILE}"
[[ -n "${marts_dataset}" && -n "${snapshots_dataset}" ]] || fail "no datasets in ${OUTPUTS_FILE}"
mapfile -t marts < <(jq -r '(.scheduledQueryNames // {}) | keys[]' "${OUTPUTS_FILE}")
((${#marts[@]} > 0)) || fail "no scheduledQueryNames in ${OUTPUTS_FILE}"

last_day="$(date -u -d "${world_start} + $((days - 1)) days" +%F)"

# ---- 1. the nightly workflow, up to the smoke's last day -----------------------------------------
echo "smoke: running ${workflow} through ${last_day}"
execution="$(gcloud workflows run "${workflow}" --location="${region}" --project="${GCP_PROJECT_ID}" \
  --data="{\"lastDay\":\"${last_day}\"}" --format=json)" || fail "${workflow} could not be run"
state="$(jq -r '.state // "UNKNOWN"' <<< "${execution}")"
execution_id="$(jq -r '.name // "" | split("/") | last' <<< "${execution}")"
[[ "${state}" == "SUCCEEDED" ]] ||
  fail "${workflow} execution ${execution_id} ended ${state}: $(jq -c '.error // {}' <<< "${execution}")"
echo "smoke: ${workflow} ${execution_id} SUCCEEDED: $(jq -c '.result // ""' <<< "${execution}")"

# ---- 2. every mart has rows ---------------------------------------------------------------------
empty=()
for mart in "${marts[@]}"; do
  rows="$(bq show --format=json --project_id="${GCP_PROJECT_ID}" "${marts_dataset}.${mart}" 2> /dev/null |
    jq -r '.numRows // "0"')" || rows=0
  echo "smoke: ${marts_dataset}.${mart} has ${rows} rows"
  [[ "${rows}" =~ ^[0-9]+$ && "${rows}" -gt 0 ]] || empty+=("${marts_dataset}.${mart}")
done
((${#empty[@]} == 0)) || fail "empty or missing marts: ${empty[*]}"

# ---- 3. the run record ----------------------------------------------------------------------------
if [[ "$(jq -r '.result | fromjson? // . | .status // ""' <<< "${execution}")" != "up to date" ]]; then
  record="$(bq head --format=json -n 1000 --project_id="${GCP_PROJECT_ID}" "${snapshots_dataset}.pipeline_runs" |
    jq -c --arg id "${execution_id}" '[.[] | select(.run_id == $id)] | first // empty')"
  [[ -n "${record}" ]] || fail "no run record for execution ${execution_id}"
  [[ "$(jq -r .status <<< "${record}")" == "succeeded" ]] || fail "run record ${record}"
  echo "smoke: run record ${record}"
fi
echo "smoke: ${#marts[@]} marts refreshed by the nightly workflow, none empty"
