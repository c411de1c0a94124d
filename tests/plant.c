/* plant: put text into a store below validation, for the command-line tests
 * of what mappe prints (tests/cli/test_escape.sh). It stands for an older
 * mappe's data, or for another program of someone who holds the keys; the
 * store API itself refuses such text, so this uses store/private.h
 * (tests/unit/plant.h). Never built into mappe.
 *
 *   plant DIR USER note ID [AUTHOR] < text    (the passphrase on fd 3)
 *   plant DIR USER case < text                 prints the new case's id
 *   plant DIR USER user < name                 a copy of USER's record
 *   plant DIR USER unsaved ID < /dev/null      case ID as saved before mappe
 *                                              kept who saved it
 *   plant DIR raw get|put|del TABLE KEY         a value as a writer of the file
 *                                              without keys has it (KEY in hex;
 *                                              get to stdout, put from stdin)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/plant.h"
#include "tests/unit/open.h"

static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 1 << 16;
	char *buf = malloc(cap + 1);

	if (!buf)
		return NULL;
	*len = fread(buf, 1, cap, f);
	buf[*len] = 0;
	return buf;
}

struct raw_op {
	const char *op;
	enum store_db db;
	uint8_t k[256];
	size_t klen;
	char *v;
	size_t vlen;
};

static int raw_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct raw_op *r = vctx;
	MDB_val k = {r->klen, r->k}, v;
	int rc;

	if (strcmp(r->op, "del") == 0)
		return mdb_del(txn, st->dbi[r->db], &k, NULL) == 0 ? M_OK : M_INPUT;
	if (strcmp(r->op, "put") == 0)
		return st_put(st, txn, r->db, r->k, r->klen, r->v, r->vlen, 0);
	if ((rc = st_get(st, txn, r->db, r->k, r->klen, &v)))
		return M_INPUT;
	fwrite(v.mv_data, 1, v.mv_size, stdout);
	return M_OK;
}

static int raw(const char *dir, int argc, char **argv)
{
	struct store_options opt = {0, NULL};
	struct raw_op r = {.op = argv[0]};
	char err[512] = "";
	store *st = NULL;
	const char *hex = argv[2];
	int db = -1, rc;

	if (argc != 3)
		return 1;
	for (int i = 0; i < DB_COUNT; i++)
		if (strcmp(argv[1], st_db_names[i]) == 0)
			db = i;
	if (db < 0 || strlen(hex) % 2 || strlen(hex) / 2 > sizeof r.k)
		return 1;
	r.db = (enum store_db)db;
	for (r.klen = 0; hex[2 * r.klen]; r.klen++) {
		unsigned b;
		if (sscanf(hex + 2 * r.klen, "%2x", &b) != 1)
			return 1;
		r.k[r.klen] = (uint8_t)b;
	}
	if (strcmp(r.op, "put") == 0 && !(r.v = slurp(stdin, &r.vlen)))
		return 6;
	if ((rc = t_store_open(dir, &opt, &st, err, sizeof err))) {
		fprintf(stderr, "plant: %s\n", err);
		return rc;
	}
	rc = st_txn(st, strcmp(r.op, "get") != 0, raw_txn, &r);
	free(r.v);
	store_close(st);
	return rc;
}

int main(int argc, char **argv)
{
	struct store_options opt = {0, NULL};
	char err[512] = "", pass[256];
	store *st = NULL;
	size_t len;
	char *text;
	int rc;

	if (argc >= 3 && strcmp(argv[2], "raw") == 0 && keys_init() == KEYS_OK)
		return raw(argv[1], argc - 3, argv + 3);
	if (argc < 4 || keys_init() != KEYS_OK) {
		fputs("usage: plant DIR USER note ID [AUTHOR] | case  (passphrase on fd 3)\n",
		      stderr);
		return 1;
	}
	FILE *pf = fdopen(3, "r");
	if (!pf || !fgets(pass, sizeof pass, pf)) {
		fputs("plant: no passphrase on fd 3\n", stderr);
		return 1;
	}
	pass[strcspn(pass, "\n")] = 0;
	if ((rc = t_store_open(argv[1], &opt, &st, err, sizeof err)) ||
	    (rc = store_unlock(st, argv[2], pass, strlen(pass)))) {
		fprintf(stderr, "plant: %s\n", st ? store_error(st) : err);
		return rc;
	}
	if (!(text = slurp(stdin, &len)))
		return 6;
	if (strcmp(argv[3], "note") == 0 && argc >= 5) {
		rc = plant_note(st, strtoull(argv[4], NULL, 10), argc > 5 ? argv[5] : argv[2], text,
		                len);
	} else if (strcmp(argv[3], "case") == 0) {
		struct case_rec c;
		uint64_t id = 0;

		case_init(&c);
		case_set(&c, F_given_name, text, len);
		case_set(&c, F_family_name, "\xE3\x85\xA4", 3); /* U+3164: looks blank */
		case_set(&c, F_address, text, len);
		rc = plant_case(st, &c, &id);
		case_clear(&c);
		if (rc == M_OK)
			printf("%llu\n", (unsigned long long)id);
	} else if (strcmp(argv[3], "unsaved") == 0 && argc >= 5) {
		rc = plant_unsaved(st, strtoull(argv[4], NULL, 10));
	} else if (strcmp(argv[3], "user") == 0) {
		rc = plant_user(st, argv[2], text);
	} else {
		rc = 1;
	}
	if (rc)
		fprintf(stderr, "plant: %s\n", store_error(st));
	free(text);
	store_close(st);
	return rc;
}
