# doveadm last-login get on the file dict (lib/doveadm.sh): the real
# login, every formatter, the filters, a key ending in %{rip} found by
# listing the user's prefix; the file unreadable: every row error, 75.
source "$LL_ROOT/lib/doveadm.sh"
dv_file_dict
dv_seed() { dv_file_seed "$@"; }
dv_setup
dc_start
dv_backend_cases
# the file out of reach: its directory replaced by a file (doveadm
# reads as root, so a mode would not do)
mv "$DICT_DIR" "$DICT_DIR.away"
touch "$DICT_DIR"
DV_EACH_ERR=
DV_LOOKUP_ERR="open(WORK/dict/last-login.db) failed: Not a directory"
dv_unreachable "$(dv_unreachable_err)"
