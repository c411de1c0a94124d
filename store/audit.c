/* audit.c: the audit log. (Interface first: the entries, the chain and the
 * syslog head follow in the next commit.) */
#include "store/private.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const struct {
	int num;
	const char *name;
} actions[] = {
#define AUDIT_ACTION_ROW(name, num, str) {num, str},
	AUDIT_ACTIONS(AUDIT_ACTION_ROW)
#undef AUDIT_ACTION_ROW
};

const char *audit_action_name(enum audit_action a)
{
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (actions[i].num == (int)a)
			return actions[i].name;
	return "?";
}

int audit_action_parse(const char *s)
{
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (strcmp(actions[i].name, s) == 0)
			return actions[i].num;
	return -1;
}

void store_audit_purpose(store *st, const char *purpose)
{
	snprintf(st->purpose, sizeof st->purpose, "%s", purpose ? purpose : "");
}

int st_audit(store *st, MDB_txn *txn, const struct audit_event *ev)
{
	(void)st;
	(void)txn;
	(void)ev;
	return M_OK;
}

int store_audit(store *st, const struct audit_event *ev)
{
	(void)st;
	(void)ev;
	return M_OK;
}

int store_audit_each(store *st, const struct audit_filter *f, audit_fn fn, void *ctx)
{
	(void)st;
	(void)f;
	(void)fn;
	(void)ctx;
	return M_OK;
}

int store_audit_verify(store *st, const struct audit_head *want, struct audit_head *out)
{
	(void)st;
	(void)want;
	if (out)
		memset(out, 0, sizeof *out);
	return M_OK;
}

void st_audit_free(store *st)
{
	free(st->audit);
	st->audit = NULL;
}
