# Runs one scenario file: loads the libraries, stops every started process
# on exit (normal, failure or interrupt), fails when the scenario recorded
# a failure. Called by run.sh with the LL_* environment set.
set -euo pipefail
source "$LL_ROOT/lib/common.sh"
trap ll_cleanup EXIT
ll_builtin_sleep
trap 'exit 130' INT TERM
source "$LL_ROOT/lib/checks.sh"
source "$LL_ROOT/lib/dovecot.sh"
source "$LL_ROOT/lib/clients.sh"
source "$LL_ROOT/lib/redis.sh"
cd "$LL_WORK"
source "$1"
[ ! -s "$LL_FAILS" ]
