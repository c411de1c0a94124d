/* conf.c: /etc/mappe.conf, "key = value" lines. The file is the
 * administrator's, but the parser takes no chances: it is pure (no curses,
 * no I/O beyond one bounded read) so that it is fuzzed as it is used. */
#include "tui/tui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

bool conf_find(const char *text, size_t len, const char *key, char *buf, size_t cap)
{
	size_t klen = strlen(key), i = 0;

	if (cap == 0)
		return false;
	while (i < len) {
		size_t end = i, p, e;
		while (end < len && text[end] != '\n')
			end++;
		p = i;
		i = end + 1;
		while (p < end && blank(text[p]))
			p++;
		if (end - p < klen || memcmp(text + p, key, klen) != 0)
			continue;
		p += klen;
		while (p < end && blank(text[p]))
			p++;
		if (p == end || text[p] != '=')
			continue;
		p++;
		while (p < end && blank(text[p]))
			p++;
		e = end;
		while (e > p && (blank(text[e - 1]) || text[e - 1] == '\r'))
			e--;
		if (e == p || memchr(text + p, 0, e - p))
			continue;
		/* A value too long for the caller is refused, never cut short:
		 * a store path cut short names another directory. */
		if (e - p >= cap)
			continue;
		memcpy(buf, text + p, e - p);
		buf[e - p] = 0;
		return true; /* the first line wins, as in sshd_config */
	}
	return false;
}

bool conf_seconds(const char *value, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < 0 || v > 7L * 24 * 3600)
		return false;
	*out = (int)v;
	return true;
}

bool conf_bool(const char *value, bool *out)
{
	static const char *const on[] = {"on", "yes", "true", "1"}, *const off[] = {"off", "no",
	                                                                            "false", "0"};

	for (size_t i = 0; i < sizeof on / sizeof *on; i++) {
		if (strcasecmp(value, on[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(value, off[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

bool cli_conf(const char *key, char *buf, size_t cap)
{
	enum { CONF_MAX = 64 * 1024 };
	/* MAPPE_CONF: another file, for the tests; never under setgid, where
	 * the administrator's file is the only one. */
	const char *path = secure_getenv("MAPPE_CONF");
	FILE *f = fopen(path && *path ? path : MAPPE_CONF, "r");
	char *text;
	size_t n;
	bool found;

	if (!f)
		return false;
	text = malloc(CONF_MAX);
	if (!text) {
		fclose(f);
		return false;
	}
	n = fread(text, 1, CONF_MAX, f);
	fclose(f);
	found = conf_find(text, n, key, buf, cap);
	free(text);
	return found;
}
