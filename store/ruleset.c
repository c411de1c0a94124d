/* ruleset.c: the rules of rules.def with the corrections administrators
 * make where a rule was not verified or the law changed on a date not known
 * when mappe was built (Prop. 81 L's age limit).
 *
 * meta "rules" 0x00 rule id 0x00 regime (one byte, 0 for every regime)
 *      0x00 from (YYYY-MM-DD) -> sealed body (sealed.c):
 *   u8 format (1) | i64 value | i64 set at (seconds) | u8 n | set by[n] |
 *   u16 n | source[n]
 * A second correction of the same rule, regime and date replaces the first
 * in the file; the shipped row of that date stays, overridden. */
#include "store/private.h"
#include "store/validate.h"

#include <stdlib.h>
#include <string.h>

#define RULES_FORMAT   1
#define SOURCE_MAX     200
#define RULE_VALUE_MAX 100000
/* Kroner: the G is above 100 000 (130 160 from 1 May 2025). */
#define RULE_KRONER_MAX 10000000

static long value_max(int r)
{
	return rule_catalogue[r].unit == RU_KRONER ? RULE_KRONER_MAX : RULE_VALUE_MAX;
}

struct collect {
	struct rule_row *row;
	size_t n, cap;
	char **mem; /* one allocation per correction's strings */
	size_t nmem;
};

static int add_correction(store *st, const MDB_val *k, const uint8_t *b, size_t n, void *ctx)
{
	struct collect *c = ctx;
	const char *key = k->mv_data;
	size_t klen = k->mv_size;

	if (!b)
		return st_err(st, RULES_FORGED);
	/* "rules\0" id "\0" regime "\0" from */
	const char *id = key + 6, *end = key + klen;
	const char *z = memchr(id, '\0', (size_t)(end - id));
	if (!z || end - z != 13 || z[2] != '\0' || n < 20 || b[0] != RULES_FORMAT)
		return st_err(st, RULES_DAMAGED);
	char idbuf[64], from[11];
	size_t idlen = (size_t)(z - id);
	if (idlen >= sizeof idbuf)
		return st_err(st, RULES_DAMAGED);
	memcpy(idbuf, id, idlen);
	idbuf[idlen] = '\0';
	memcpy(from, z + 3, 10);
	from[10] = '\0';
	int r = rule_parse(idbuf);
	unsigned g = (unsigned char)z[1];
	size_t p = 17, bl = b[p++];
	if (r < 0 || g >= REGIME_COUNT || valid_date(from) || p + bl + 2 > n)
		return st_err(st, RULES_DAMAGED);
	size_t sl = rd16(b + p + bl);
	int64_t value = (int64_t)rd64(b + 1);
	/* Sealed says who wrote it, not that mappe did: what set allows. */
	if (p + bl + 2 + sl != n || value < 0 || value > value_max(r))
		return st_err(st, RULES_DAMAGED);

	char *mem = malloc(11 + bl + 1 + sl + 1);
	if (!mem)
		return st_err(st, NOMEM);
	char **gm = realloc(c->mem, (c->nmem + 1) * sizeof *gm);
	if (!gm) {
		free(mem);
		return st_err(st, NOMEM);
	}
	c->mem = gm;
	c->mem[c->nmem++] = mem;
	memcpy(mem, from, 11);
	memcpy(mem + 11, b + p, bl);
	mem[11 + bl] = '\0';
	memcpy(mem + 12 + bl, b + p + bl + 2, sl);
	mem[12 + bl + sl] = '\0';
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct rule_row *grown = realloc(c->row, cap * sizeof *grown);
		if (!grown)
			return st_err(st, NOMEM);
		c->row = grown;
		c->cap = cap;
	}
	c->row[c->n++] = (struct rule_row){.rule = (enum rule_id)r,
	                                   .regime = (enum regime)g,
	                                   .from = mem,
	                                   .value = (long)value,
	                                   .verified = RV_SET,
	                                   .source = mem + 12 + bl,
	                                   .set_by = mem + 11,
	                                   .set_at = (int64_t)rd64(b + 9)};
	return M_OK;
}

static int read_corrections(store *st, MDB_txn *txn, void *ctx)
{
	return st_sealed_each(st, txn, "rules", 6, add_correction, ctx);
}

/* Corrections in date order, after the shipped rows: rule_set_at lets a
 * correction win over a shipped row of the same date. */
static int by_from(const void *a, const void *b)
{
	return strcmp(((const struct rule_row *)a)->from, ((const struct rule_row *)b)->from);
}

struct set_mem {
	char **mem;
	size_t nmem;
	struct rule_row *row;
};

static int rules_in(store *st, MDB_txn *txn, struct rule_set *out)
{
	struct collect c = {0};
	int rc;

	memset(out, 0, sizeof *out);
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if ((rc = txn ? read_corrections(st, txn, &c) : st_txn(st, false, read_corrections, &c)))
		goto fail;
	if (c.n)
		qsort(c.row, c.n, sizeof *c.row, by_from);
	struct set_mem *sm = malloc(sizeof *sm);
	struct rule_row *all = malloc((rule_row_count + c.n) * sizeof *all);
	if (!sm || !all) {
		free(sm);
		free(all);
		rc = st_err(st, NOMEM);
		goto fail;
	}
	memcpy(all, rule_rows, rule_row_count * sizeof *all);
	if (c.n)
		memcpy(all + rule_row_count, c.row, c.n * sizeof *all);
	free(c.row);
	*sm = (struct set_mem){c.mem, c.nmem, all};
	*out = (struct rule_set){all, rule_row_count + c.n, sm};
	return M_OK;
fail:
	for (size_t i = 0; i < c.nmem; i++)
		free(c.mem[i]);
	free(c.mem);
	free(c.row);
	return rc;
}

int store_rules(store *st, struct rule_set *out)
{
	return rules_in(st, NULL, out);
}

int st_rules_txn(store *st, MDB_txn *txn, struct rule_set *out)
{
	return rules_in(st, txn, out);
}

void rule_set_free(struct rule_set *s)
{
	struct set_mem *sm = s ? s->mem : NULL;

	if (sm) {
		for (size_t i = 0; i < sm->nmem; i++)
			free(sm->mem[i]);
		free(sm->mem);
		free(sm->row);
		free(sm);
	}
	if (s)
		memset(s, 0, sizeof *s);
}

struct correct {
	const uint8_t *key, *body;
	size_t klen, blen;
};

static int write_correction(store *st, MDB_txn *txn, void *ctx)
{
	const struct correct *c = ctx;

	return st_sealed_put(st, txn, c->key, c->klen, c->body, c->blen);
}

int store_rule_correct(store *st, enum rule_id r, enum regime g, const char *from, long value,
                       const char *source)
{
	uint8_t key[6 + 64 + 3 + 10], body[17 + 1 + 64 + 2 + SOURCE_MAX];
	size_t sl = strlen(source), ul = strlen(st->user), idl;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (store_role(st) != ROLE_ADMIN)
		return st_err(st, RULES_ADMIN_ONLY);
	if ((unsigned)r >= RULE_COUNT || (unsigned)g >= REGIME_COUNT)
		return st_err(st, RULES_UNKNOWN);
	if (valid_date(from))
		return st_err(st, RULES_DATE_INVALID, .why = valid_date(from));
	if (value < 0 || value > value_max(r))
		return st_err(st, RULES_VALUE_INVALID, .n = (unsigned long long)value_max(r));
	const char *why = valid_utf8_text(source, sl, false);
	if (!why && (sl == 0 || sl > SOURCE_MAX))
		why = N_("the source must be 1 to 200 bytes");
	if (why)
		return st_err(st, RULES_SOURCE_INVALID, .why = why);
	idl = strlen(rule_catalogue[r].id);
	memcpy(key, "rules", 6);
	memcpy(key + 6, rule_catalogue[r].id, idl + 1);
	key[6 + idl + 1] = (uint8_t)g;
	key[6 + idl + 2] = '\0';
	memcpy(key + 6 + idl + 3, from, 10);

	size_t p = 0;
	body[p++] = RULES_FORMAT;
	be64(body + p, (uint64_t)(int64_t)value);
	p += 8;
	be64(body + p, (uint64_t)st_now());
	p += 8;
	body[p++] = (uint8_t)ul;
	memcpy(body + p, st->user, ul);
	p += ul;
	be16(body + p, (uint16_t)sl);
	p += 2;
	memcpy(body + p, source, sl);
	p += sl;
	struct correct c = {key, body, 6 + idl + 3 + 10, p};
	return st_txn(st, true, write_correction, &c);
}
