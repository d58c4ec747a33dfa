#!/usr/bin/env bash
# Comments a preview stack's outputs on its pull request, editing the previous comment instead of
# adding a new one on every push.
#   preview-comment.sh render   prints the Markdown body (OUTPUTS_FILE, PULUMI_STACK)
#   preview-comment.sh post     renders, then creates or updates the comment (GH_TOKEN, PR_NUMBER,
#                               GITHUB_REPOSITORY)
set -euo pipefail

MARKER="<!-- preview-stack-outputs -->"

render() {
  : "${OUTPUTS_FILE:?OUTPUTS_FILE must name the stack outputs JSON file}"
  : "${PULUMI_STACK:?PULUMI_STACK must name the stack}"
  echo "${MARKER}"
  echo "### Preview stack \`${PULUMI_STACK}\`"
  echo
  echo "Deployed from \`${HEAD_SHA:-${GITHUB_SHA:-unknown}}\`; destroyed when this pull request closes."
  echo
  echo "**Looker Studio** (one report per mart):"
  echo
  jq -r '
    .lookerStudioUrls // {}
    | if type == "object" then to_entries | map("- [\(.key)](\(.value))")
      elif type == "array" then map("- <\(.)>")
      else ["- <\(.)>"] end
    | if length == 0 then ["- (none in the stack outputs)"] else . end
    | .[]' "${OUTPUTS_FILE}"
  echo
  echo "<details><summary>All stack outputs</summary>"
  echo
  echo '```json'
  jq . "${OUTPUTS_FILE}"
  echo '```'
  echo
  echo "</details>"
}

post() {
  : "${GH_TOKEN:?GH_TOKEN must be set}"
  : "${PR_NUMBER:?PR_NUMBER must be set}"
  : "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY must be set}"
  local body existing
  body="$(render)"
  existing="$(gh api --paginate "repos/${GITHUB_REPOSITORY}/issues/${PR_NUMBER}/comments" \
    --jq ".[] | select(.body | startswith(\"${MARKER}\")) | .id" | head -n 1)"
  if [[ -n "${existing}" ]]; then
    gh api --method PATCH "repos/${GITHUB_REPOSITORY}/issues/comments/${existing}" -f body="${body}" > /dev/null
    echo "Updated comment ${existing} on #${PR_NUMBER}"
  else
    gh api --method POST "repos/${GITHUB_REPOSITORY}/issues/${PR_NUMBER}/comments" -f body="${body}" > /dev/null
    echo "Commented on #${PR_NUMBER}"
  fi
}

case "${1:-}" in
  render) render ;;
  post) post ;;
  *)
    echo "usage: $0 render|post" >&2
    exit 2
    ;;
esac
