/* Valid national identity numbers (fødselsnummer) for the tests, made here
 * with the mod-11 check digits rather than by store/nid.c, so that the
 * store's validator is checked against an independent reckoning. */
#ifndef MAPPE_TESTS_NID_H
#define MAPPE_TESTS_NID_H

#include <stdio.h>
#include <string.h>

/* For a date in the 1900s: the first individual number from indiv (below
 * 500) for which both check digits exist. */
static inline void make_nid(char out[12], unsigned day, unsigned month, unsigned yy,
                            unsigned indiv)
{
	static const int w1[9] = {3, 7, 6, 1, 8, 9, 4, 5, 2};
	static const int w2[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
	char tmp[32];

	for (;; indiv++) {
		int s1 = 0, s2 = 0, k1, k2;

		assert_true(indiv < 500);
		snprintf(tmp, sizeof tmp, "%02u%02u%02u%03u", day % 100, month % 100, yy % 100,
		         indiv % 1000);
		for (int i = 0; i < 9; i++)
			s1 += (tmp[i] - '0') * w1[i];
		k1 = (11 - s1 % 11) % 11;
		if (k1 == 10)
			continue;
		tmp[9] = (char)('0' + k1);
		for (int i = 0; i < 10; i++)
			s2 += (tmp[i] - '0') * w2[i];
		k2 = (11 - s2 % 11) % 11;
		if (k2 == 10)
			continue;
		tmp[10] = (char)('0' + k2);
		tmp[11] = 0;
		break;
	}
	memcpy(out, tmp, 12);
}

#endif
