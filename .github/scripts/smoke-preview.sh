#!/usr/bin/env bash
# Smoke run for a freshly deployed preview stack, from its stack outputs, in the order of the
# daily schedule:
#   1. call generateData for the last SMOKE_DAYS days at SMOKE_USERS users, then
#      refreshRfmSnapshot (each with an ID token whose audience is its URL);
#   2. start every scheduled query once, in run-time order (a mart after the marts it reads),
#      and wait for each run;
#   3. fail if any scheduled query's destination table (a mart) is missing or empty.
# Inputs (environment): OUTPUTS_FILE (`pulumi stack output --json`: functionUrls,
# scheduledQueryNames, scheduledQueryRunTimes), GENERATE_ID_TOKEN, REFRESH_ID_TOKEN,
# GCP_PROJECT_ID. Optional: SMOKE_DAYS (3), SMOKE_USERS (300), SMOKE_POLL_SECONDS (15),
# SMOKE_RUN_TIMEOUT_SECONDS (1200).
set -euo pipefail

fail() {
  echo "smoke: $*" >&2
  exit 1
}

: "${OUTPUTS_FILE:?OUTPUTS_FILE must name the stack outputs JSON file}"
: "${GENERATE_ID_TOKEN:?GENERATE_ID_TOKEN must hold an ID token for the generateData URL}"
: "${REFRESH_ID_TOKEN:?REFRESH_ID_TOKEN must hold an ID token for the refreshRfmSnapshot URL}"
: "${GCP_PROJECT_ID:?GCP_PROJECT_ID must name the project}"
days="${SMOKE_DAYS:-3}"
users="${SMOKE_USERS:-300}"
poll_seconds="${SMOKE_POLL_SECONDS:-15}"
run_timeout="${SMOKE_RUN_TIMEOUT_SECONDS:-1200}"
[[ "${days}" =~ ^[1-9][0-9]*$ ]] || fail "SMOKE_DAYS must be a positive integer, got '${days}'"
[[ "${users}" =~ ^[1-9][0-9]*$ ]] || fail "SMOKE_USERS must be a positive integer, got '${users}'"

generate_url="$(jq -r '.functionUrls.generateData // empty' "${OUTPUTS_FILE}")"
refresh_url="$(jq -r '.functionUrls.refreshRfmSnapshot // empty' "${OUTPUTS_FILE}")"
[[ -n "${generate_url}" ]] || fail "no functionUrls.generateData in ${OUTPUTS_FILE}"
[[ -n "${refresh_url}" ]] || fail "no functionUrls.refreshRfmSnapshot in ${OUTPUTS_FILE}"

# Transfer config names (mart -> name), ordered by each mart's daily run time ("HH:MM" UTC) so a
# mart runs after the marts it reads; a schedule that crosses midnight keeps its order.
mapfile -t transfer_configs < <(jq -r '
  (.scheduledQueryRunTimes // {}) as $times
  | (.scheduledQueryNames // {}) | to_entries
  | map(.minutes = ($times[.key] // "00:00" | split(":") | (.[0] | tonumber) * 60 + (.[1] | tonumber)))
  | (map(.minutes) | (max // 0) - (min // 0)) as $span
  | map(if $span > 720 and .minutes < 720 then .minutes += 1440 else . end)
  | sort_by(.minutes) | .[].value' "${OUTPUTS_FILE}")
((${#transfer_configs[@]} > 0)) || fail "no scheduledQueryNames in ${OUTPUTS_FILE}"

call_function() { # call_function <url> <token> <json body>
  curl --fail-with-body --silent --show-error --max-time 1800 \
    -H "Authorization: Bearer $2" -H "Content-Type: application/json" --data "$3" "$1"
  echo
}

# ---- 1. generate and load a few days -------------------------------------------------------
start_date="$(date -u -d "${days} days ago" +%F)"
end_date="$(date -u -d "1 day ago" +%F)"
body="$(jq -cn --arg first "${start_date}" --arg last "${end_date}" --argjson users "${users}" \
  '{startDate: $first, endDate: $last, users: $users}')"
echo "smoke: generateData ${body}"
call_function "${generate_url}" "${GENERATE_ID_TOKEN}" "${body}"
# The same empty body Cloud Scheduler sends: today's snapshot, which some marts may read.
echo "smoke: refreshRfmSnapshot {}"
call_function "${refresh_url}" "${REFRESH_ID_TOKEN}" "{}"

# ---- 2. run every scheduled query once, in run-time order ----------------------------------------
run_time="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
declare -a destinations=()
for config in "${transfer_configs[@]}"; do
  details="$(bq show --format=json --transfer_config "${config}")"
  dataset="$(jq -r '.destinationDatasetId // empty' <<< "${details}")"
  # 'dm_kpi_daily${run_date}' -> dm_kpi_daily: the partition decorator is not part of the name.
  table="$(jq -r '.params.destination_table_name_template // empty | sub("\\$.*$"; "")' <<< "${details}")"
  [[ -n "${dataset}" && -n "${table}" ]] || fail "${config} has no destination dataset/table"
  destinations+=("${dataset}.${table}")

  echo "smoke: starting ${config} (${dataset}.${table}) at ${run_time}"
  bq mk --transfer_run --run_time="${run_time}" "${config}"
  waited=0
  while :; do
    state="$(bq ls --format=json --transfer_run --run_attempt=LATEST "${config}" | jq -r --arg t "${run_time}" '
      [.[] | select((.runTime // "" | sub("\\.[0-9]+Z$"; "Z")) == $t)] | first | .state // "PENDING"')"
    case "${state}" in
      SUCCEEDED) echo "smoke: ${config} succeeded"; break ;;
      FAILED | CANCELLED) fail "${config} run ${state}" ;;
    esac
    ((waited >= run_timeout)) && fail "${config} still ${state} after ${run_timeout}s"
    sleep "${poll_seconds}"
    waited=$((waited + poll_seconds))
  done
done

# ---- 3. every mart has rows ----------------------------------------------------------------
empty=()
for destination in "${destinations[@]}"; do
  dataset="${destination%%.*}"
  table="${destination#*.}"
  # __TABLES__ is metadata: no scan, and no partition filter needed on partitioned marts.
  rows="$(bq query --nouse_legacy_sql --format=json --project_id="${GCP_PROJECT_ID}" \
    "select row_count from \`${GCP_PROJECT_ID}.${dataset}.__TABLES__\` where table_id = '${table}'" \
    | jq -r 'first | .row_count // "0"')"
  echo "smoke: ${destination} has ${rows} rows"
  [[ "${rows}" =~ ^[0-9]+$ && "${rows}" -gt 0 ]] || empty+=("${destination}")
done
((${#empty[@]} == 0)) || fail "empty or missing marts: ${empty[*]}"
echo "smoke: ${#destinations[@]} marts refreshed, none empty"
