/* items.c: the items of the lists inside a case (store/lists.def), in the
 * record model. Their values live in the case's secure arena like fields';
 * record.c reads and writes them in the class envelopes. */
#include "store/private.h"

#include <stdlib.h>
#include <string.h>

int st_item_append(struct case_rec *c, enum list_id l, uint32_t id)
{
	struct case_item *it;

	if ((unsigned)l >= L_COUNT || c->nitems >= INT32_MAX)
		return -1;
	if (c->nitems == c->items_cap) {
		size_t cap = c->items_cap ? c->items_cap * 2 : 8;
		void *p = realloc(c->items, cap * sizeof *c->items);
		if (!p)
			return -1;
		c->items = p;
		c->items_cap = cap;
	}
	it = &c->items[c->nitems];
	memset(it, 0, sizeof *it);
	it->id = id;
	it->list = (uint8_t)l;
	return (int)c->nitems++;
}

int case_item_add(struct case_rec *c, enum list_id l)
{
	return st_item_append(c, l, 0);
}

int case_item_find(const struct case_rec *c, enum list_id l, uint32_t id)
{
	for (size_t i = 0; id && i < c->nitems; i++)
		if (c->items[i].list == l && c->items[i].id == id)
			return (int)i;
	return -1;
}

int case_item_edit(struct case_rec *c, enum list_id l, uint32_t id)
{
	int i = case_item_find(c, l, id);

	if (id == 0)
		return -1;
	return i >= 0 ? i : st_item_append(c, l, id);
}

static bool item_ok(const struct case_rec *c, int item, enum item_field_id f)
{
	return item >= 0 && (size_t)item < c->nitems && (unsigned)f < I_COUNT &&
	       item_catalogue[f].list == c->items[item].list;
}

int case_item_set(struct case_rec *c, int item, enum item_field_id f, const char *val, size_t len)
{
	struct case_item *it;
	char *v = NULL;

	if (!item_ok(c, item, f) || c->items[item].removed)
		return -1;
	if (val && len && !(v = st_case_keep(c, val, len)))
		return -1;
	it = &c->items[item]; /* st_case_keep does not move items, but say so */
	it->value[f] = v;
	it->len[f] = v ? (uint32_t)len : 0;
	it->locked[f] = false;
	it->dirty[f] = true;
	return 0;
}

const char *case_item_get(const struct case_rec *c, int item, enum item_field_id f)
{
	return item_ok(c, item, f) && !c->items[item].removed ? c->items[item].value[f] : NULL;
}

int case_item_remove(struct case_rec *c, int item)
{
	if (item < 0 || (size_t)item >= c->nitems)
		return -1;
	c->items[item].removed = true;
	return 0;
}

int case_item_next(const struct case_rec *c, enum list_id l, int from)
{
	for (size_t i = from < 0 ? 0 : (size_t)from; i < c->nitems; i++)
		if (c->items[i].list == l && !c->items[i].removed)
			return (int)i;
	return -1;
}

bool case_lists_dirty(const struct case_rec *c)
{
	for (size_t i = 0; i < c->nitems; i++) {
		const struct case_item *it = &c->items[i];
		if (it->removed ? it->id != 0 : it->id == 0)
			return true;
		for (int f = 0; f < I_COUNT; f++)
			if (it->dirty[f])
				return true;
	}
	return false;
}

void st_items_saved(struct case_rec *c)
{
	size_t w = 0;

	for (size_t i = 0; i < c->nitems; i++) {
		struct case_item *it = &c->items[i];
		if (it->removed)
			continue; /* its values stay in the arena until case_clear */
		if (it->id == 0)
			it->id = it->saved;
		if (it->id > c->item_high[it->list])
			c->item_high[it->list] = it->id;
		it->saved = 0;
		memset(it->dirty, 0, sizeof it->dirty);
		c->items[w++] = *it;
	}
	c->nitems = w;
}
