/* store_open and store_create for tests that want the failure as text
 * (printed on a failed assertion, or checked with strstr): the fault
 * rendered in English into err. */
#ifndef MAPPE_TESTS_OPEN_H
#define MAPPE_TESTS_OPEN_H

#include "store/store.h"

static inline int t_store_open(const char *dir, const struct store_options *opt, store **st,
                               char *err, size_t errlen)
{
	struct store_fault f = {0};
	int rc = store_open(dir, opt, st, &f);

	if (rc && err && errlen)
		store_fault_format(&f, NULL, err, errlen);
	return rc;
}

static inline int t_store_create(const char *dir, const char *admin, const char *pass,
                                 size_t passlen, const struct store_options *opt, char *err,
                                 size_t errlen)
{
	struct store_fault f = {0};
	int rc = store_create(dir, admin, pass, passlen, opt, &f);

	if (rc && err && errlen)
		store_fault_format(&f, NULL, err, errlen);
	return rc;
}

#endif
