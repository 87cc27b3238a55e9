#!/usr/bin/env bash
# The pipeline's esinfer steps, one per event. Run from the repository root after `npm ci`:
#
#   ci/esinfer-ci.sh plan STACK    pull request: the plan of STACK as a Markdown comment (plan-STACK.md)
#   ci/esinfer-ci.sh diff          pull request: how dev and prod differ, as declared (diff.md); no cluster needed
#   ci/esinfer-ci.sh apply STACK   merge to main: apply STACK
#   ci/esinfer-ci.sh drift STACK   schedule: fail when STACK's cluster no longer matches the declarations
#
# Each STACK's cluster comes from ELASTICSEARCH_URL and ELASTICSEARCH_API_KEY, set by the pipeline from that
# environment's secrets. `plan` and `drift` only read the cluster: give them a read-only API key and no provider
# keys (OPENAI_API_KEY, COHERE_API_KEY); `apply` needs a key that may manage inference endpoints, and the provider
# keys, which it sends. Exit codes: 0 success, 1 error; `drift` exits 2 when it finds drift.
set -euo pipefail

usage() {
  echo "usage: $0 plan STACK | apply STACK | drift STACK | diff" >&2
  exit 1
}

esinfer() { npx --no-install esinfer "$@"; }

command=${1:-}
stack=${2:-}
case "$command" in
  plan | apply | drift) [ -n "$stack" ] || usage ;;
  diff) ;;
  *) usage ;;
esac

case "$command" in
  plan)
    # --detailed-exitcode: 0 no changes, 2 changes (not a failure of the pull request), 1 error.
    status=0
    esinfer plan --stack "$stack" --format markdown --detailed-exitcode >"plan-$stack.md" || status=$?
    case $status in
      0) echo "$stack: no changes (plan-$stack.md)" ;;
      2) echo "$stack: changes to review (plan-$stack.md)" ;;
      *) exit "$status" ;;
    esac
    ;;
  diff)
    esinfer diff --stack dev --stack prod --format markdown >diff.md
    echo "dev and prod compared (diff.md)"
    ;;
  apply)
    # What was merged is what is applied: the plan is made again, under the stack's lock, and carried out.
    esinfer apply --stack "$stack" --auto-approve
    ;;
  drift)
    status=0
    esinfer plan --stack "$stack" --detailed-exitcode || status=$?
    case $status in
      0) echo "$stack: no drift" ;;
      2)
        echo "$stack: the cluster no longer matches the declarations (drift); the plan above shows how." >&2
        echo "Apply main again (re-run the apply job) to restore them, or change the declarations." >&2
        exit 2
        ;;
      *) exit "$status" ;;
    esac
    ;;
esac
