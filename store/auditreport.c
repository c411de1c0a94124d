/* auditreport.c: the audit log reviewed (domain.md, the law's demands):
 * which consultations of cases fell outside the caseload of the user who
 * made them, for a lead's routine review. Each entry holds the case's
 * caseworker when it was written (audit.c), so a hand-over after it
 * changes nothing. */
#include "store/private.h"

#include <stdlib.h>
#include <string.h>

bool audit_action_consults(enum audit_action a)
{
	switch (a) {
	case AUDIT_OPEN:
	case AUDIT_SEARCH_OPEN:
	case AUDIT_CHANGE:
	case AUDIT_NOTE:
	case AUDIT_EXPORT:
	case AUDIT_PRINT:
	case AUDIT_REVEAL:
		return true;
	default:
		return false;
	}
}

bool audit_action_in_access_report(enum audit_action a)
{
	return audit_action_consults(a) || a == AUDIT_CREATE || a == AUDIT_BLOCK ||
	       a == AUDIT_ARCHIVE || a == AUDIT_DESTROY || a == AUDIT_AUDIT_READ;
}

struct review {
	struct store_user_info *users;
	size_t nusers;
	struct outside_report *out;
	int64_t since;
};

static int role_of(const struct review *r, const char *name)
{
	for (size_t i = 0; i < r->nusers; i++)
		if (strcmp(r->users[i].name, name) == 0)
			return (int)r->users[i].role;
	return -1;
}

static struct outside_user *user_of(struct outside_report *o, const char *name, int role)
{
	size_t lo = 0, hi = o->nusers;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(o->users[mid].user, name);
		if (c == 0)
			return &o->users[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	struct outside_user *grown = realloc(o->users, (o->nusers + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	o->users = grown;
	memmove(&o->users[lo + 1], &o->users[lo], (o->nusers - lo) * sizeof *grown);
	o->nusers++;
	struct outside_user *u = &o->users[lo];
	*u = (struct outside_user){.role = role};
	snprintf(u->user, sizeof u->user, "%s", name);
	return u;
}

static int add_access(struct outside_user *u, const struct audit_entry *e, const char *cw)
{
	struct outside_access *grown = realloc(u->a, (u->n + 1) * sizeof *grown);

	if (!grown)
		return M_UNAVAILABLE;
	u->a = grown;
	struct outside_access *a = &u->a[u->n++];
	a->e = *e;
	snprintf(a->caseworker, sizeof a->caseworker, "%s", cw);
	return M_OK;
}

static int review_entry(void *ctx, const struct audit_entry *e)
{
	struct review *r = ctx;

	if (!e->case_id || !audit_action_consults(e->action) || !e->opened)
		return M_OK;
	int role = role_of(r, e->user);
	if (role != -1 && role != ROLE_CASEWORKER)
		return M_OK;
	if (strcmp(e->caseworker, e->user) == 0)
		return M_OK; /* their own then */
	struct outside_user *u = user_of(r->out, e->user, role);
	if (!u)
		return M_UNAVAILABLE;
	r->out->accesses++;
	return add_access(u, e, e->caseworker);
}

void outside_report_free(struct outside_report *r)
{
	for (size_t i = 0; i < r->nusers; i++)
		free(r->users[i].a);
	free(r->users);
	*r = (struct outside_report){0};
}

int store_outside_caseload(store *st, int64_t since, struct outside_report *out)
{
	struct review r = {.out = out, .since = since};
	int rc;

	*out = (struct outside_report){0};
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (st->role != ROLE_LEAD && st->role != ROLE_ADMIN)
		return st_err(st, AUDIT_REVIEW_LEADS);
	if ((rc = store_user_list(st, &r.users, &r.nusers)))
		goto out;
	rc = store_audit_each(st, &(struct audit_filter){.since = since, .action = -1},
	                      review_entry, &r);
out:
	free(r.users);
	if (rc)
		outside_report_free(out);
	return rc;
}
