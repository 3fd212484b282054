# doveadm last-login get on the file dict (lib/doveadm.sh): the real
# login, every formatter, the filters, a key ending in %{rip} found by
# listing the user's prefix; the file unreadable: every row error, 75.
source "$LL_ROOT/lib/doveadm.sh"
DICT_DIR=$LL_WORK/dict
mkdir -p "$DICT_DIR"
chown "$DC_UID:$DC_GID" "$DICT_DIR"
DICT_FILE=$DICT_DIR/last-login.db
# dv_seed KEY VALUE: the file holds "shared/KEY" and value lines.
dv_seed() {
	touch "$DICT_FILE"
	awk -v k="shared/$1" -v v="$2" 'NR % 2 == 1 { key = $0; next }
		key != k { print key; print } END { print k; print v }' \
		"$DICT_FILE" >"$DICT_FILE.new"
	mv "$DICT_FILE.new" "$DICT_FILE"
	chown "$DC_UID:$DC_GID" "$DICT_FILE"
}
DV_DICT=file:$DICT_FILE
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
