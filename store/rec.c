/* rec.c: the case record in memory (struct case_rec): its values, each a
 * copy in the case's one secure arena. No LMDB and no store state: record.c
 * and cases.c read and write it, items.c keeps its lists. */
#include "store/private.h"

#include <stdlib.h>
#include <string.h>

/* ---- case_rec values ---------------------------------------------------- */

void case_init(struct case_rec *c)
{
	memset(c, 0, sizeof *c);
}

void case_clear(struct case_rec *c)
{
	if (c->arena) {
		keys_secure_free(c->arena);
	}
	free(c->items); /* its values are in the arena */
	memset(c, 0, sizeof *c);
}

void case_reset(struct case_rec *c)
{
	char *arena = c->arena;
	size_t cap = c->arena_cap;

	/* Locked memory is costly to map: keep it, wipe what it held. */
	keys_wipe(arena, c->arena_used);
	free(c->items);
	memset(c, 0, sizeof *c);
	c->arena = arena;
	c->arena_cap = cap;
}

/* Values live in one secure arena per case; growing it moves them, so the
 * value pointers that pointed into the old arena are rebased. */
int st_arena_reserve(struct case_rec *c, size_t need)
{
	char *old = c->arena, *p;
	size_t cap;

	if (c->arena_cap - c->arena_used >= need)
		return 0;
	cap = c->arena_cap ? c->arena_cap : 1024;
	while (cap - c->arena_used < need)
		cap *= 2;
	p = keys_secure_alloc(cap);
	if (!p)
		return -1;
	if (old) {
		memcpy(p, old, c->arena_used);
		for (int i = 0; i < F_COUNT; i++)
			if (c->value[i] >= old && c->value[i] < old + c->arena_cap)
				c->value[i] = p + (c->value[i] - old);
		for (size_t k = 0; k < c->nitems; k++)
			for (int i = 0; i < I_COUNT; i++) {
				char **v = &c->items[k].value[i];
				if (*v >= old && *v < old + c->arena_cap)
					*v = p + (*v - old);
			}
		keys_secure_free(old);
	}
	c->arena = p;
	c->arena_cap = cap;
	return 0;
}

int st_case_store_value(struct case_rec *c, enum field_id f, const char *val, size_t len)
{
	if (!val || len == 0) {
		c->value[f] = NULL;
		c->len[f] = 0;
		return 0;
	}
	if (st_arena_reserve(c, len + 1))
		return -1;
	c->value[f] = c->arena + c->arena_used;
	memcpy(c->value[f], val, len);
	c->value[f][len] = 0;
	c->len[f] = (uint32_t)len;
	c->arena_used += len + 1;
	return 0;
}

char *st_case_keep(struct case_rec *c, const char *val, size_t len)
{
	char *p;

	if (st_arena_reserve(c, len + 1))
		return NULL;
	p = c->arena + c->arena_used;
	memcpy(p, val, len);
	p[len] = 0;
	c->arena_used += len + 1;
	return p;
}

int case_set(struct case_rec *c, enum field_id f, const char *val, size_t len)
{
	if ((unsigned)f >= F_COUNT)
		return -1;
	if (st_case_store_value(c, f, val, len))
		return -1;
	c->locked[f] = false;
	c->dirty[f] = true;
	return 0;
}

const char *case_get(const struct case_rec *c, enum field_id f)
{
	return (unsigned)f < F_COUNT ? c->value[f] : NULL;
}

void *st_realloc_wiped(void *p, size_t old_bytes, size_t new_bytes)
{
	void *n = malloc(new_bytes);

	if (!n)
		return NULL;
	if (p) {
		memcpy(n, p, old_bytes < new_bytes ? old_bytes : new_bytes);
		st_free_wiped(p, old_bytes);
	}
	return n;
}

void st_free_wiped(void *p, size_t bytes)
{
	if (p)
		keys_wipe(p, bytes);
	free(p);
}
