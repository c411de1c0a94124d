/* chart.c: the dashboard's charts as lines of text, no curses (unit
 * tested): bars of eighths of a cell (▁▂▃▄▅▆▇█), of whole cells where the
 * terminal's font has no eighths, or of '#' where it has no UTF-8; and a
 * meter of one number against a target. */
#include "tui/ui.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Code point c as UTF-8 at out[*at], if it fits below cap (the NUL's). */
static int put_cp(char *out, size_t cap, size_t *at, unsigned c)
{
	char b[4];
	size_t n;

	if (c < 0x80) {
		b[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xc0 | c >> 6);
		b[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else {
		b[0] = (char)(0xe0 | c >> 12);
		b[1] = (char)(0x80 | (c >> 6 & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	}
	if (*at + n >= cap)
		return -1;
	memcpy(out + *at, b, n);
	*at += n;
	out[*at] = '\0';
	return 0;
}

/* A bar's height in eighths of a line, of height lines for max. Rounded,
 * but a value above zero is never nothing, and in whole cells it is at
 * least one. */
static long bar_eighths(long v, long max, int height, enum chart_glyphs g)
{
	long full = (long)height * 8;

	if (v <= 0 || max <= 0)
		return 0;
	if (v >= max)
		return full;
	/* In long double: a year's count times 8 lines never overflows, but
	 * nothing here should care what a caller passes. */
	long double exact = (long double)v * (long double)full / (long double)max;
	long e = (long)(exact + 0.5L);
	if (g != CHART_EIGHTHS)
		e = (long)((exact / 8 + 0.5L)) * 8;
	if (e < (g == CHART_EIGHTHS ? 1 : 8))
		e = g == CHART_EIGHTHS ? 1 : 8;
	return e > full ? full : e;
}

int chart_bars(const long *v, size_t n, long max, int height, int bar_w, int gap,
               enum chart_glyphs g, char *const *lines, size_t cap)
{
	if (height < 1 || bar_w < 1 || gap < 0 || cap == 0)
		return -1;
	for (int r = 0; r < height; r++) {
		size_t at = 0;
		lines[r][0] = '\0';
		for (size_t i = 0; i < n; i++) {
			long e = bar_eighths(v[i], max, height, g) - (long)(height - 1 - r) * 8;
			bool over = r == 0 && max > 0 && v[i] > max;
			unsigned c = ' ';
			if (over)
				c = g == CHART_ASCII ? '^' : 0x2191; /* ↑: more than the scale */
			else if (e >= 8)
				c = g == CHART_ASCII ? '#' : 0x2588; /* █ */
			else if (e > 0)
				c = 0x2580 + (unsigned)e; /* ▁ (1/8) to ▇ (7/8): eighths only */
			for (int k = 0; k < bar_w; k++)
				if (put_cp(lines[r], cap, &at, c))
					return -1;
			for (int k = 0; k < gap; k++)
				if (put_cp(lines[r], cap, &at, ' '))
					return -1;
		}
	}
	return 0;
}

int chart_meter(long value, long target, int width, enum chart_glyphs g, char *out, size_t cap)
{
	size_t at = 0;
	bool over = target > 0 && value > target;
	long eighths = 0, cells = width - (over ? 1 : 0);

	if (width < 1 || cap == 0)
		return -1;
	out[0] = '\0';
	if (target > 0 && value > 0) {
		long double exact = (long double)(value > target ? target : value) *
		                    (long double)cells * 8 / (long double)target;
		eighths = (long)(exact + 0.5L);
		if (g != CHART_EIGHTHS)
			eighths = (long)(exact / 8 + 0.5L) * 8;
		if (eighths == 0)
			eighths = g == CHART_EIGHTHS ? 1 : 8; /* something, never nothing */
		/* Full only when it is reached: one short is not "done". */
		if (value < target && eighths >= cells * 8)
			eighths = cells * 8 - (g == CHART_EIGHTHS ? 1 : 8);
	}
	for (long k = 0; k < cells; k++) {
		long e = eighths - k * 8;
		unsigned c;
		if (e >= 8)
			c = g == CHART_ASCII ? '#' : 0x2588; /* █ */
		else if (e > 0)
			c = 0x2590 - (unsigned)e; /* ▏ (1/8) to ▉ (7/8) from the left */
		else
			c = g == CHART_ASCII ? '.' : 0x2591; /* ░: the part still to go */
		if (put_cp(out, cap, &at, c))
			return -1;
	}
	if (over && put_cp(out, cap, &at, g == CHART_ASCII ? '>' : 0x25B6)) /* ▶ */
		return -1;
	return 0;
}

/* main makes the process's own locale UTF-8 whatever the user's is (the
 * screens need wide characters), so the codeset that tells what the
 * terminal shows is the one the environment names. */
static bool user_locale_utf8(void)
{
	locale_t l = newlocale(LC_CTYPE_MASK, "", (locale_t)0);

	if (l) {
		const char *cs = nl_langinfo_l(CODESET, l);
		bool utf8 = cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
		freelocale(l);
		return utf8;
	}
	/* Not installed on the host (nb_NO.UTF-8 often is not): its name. */
	const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
	}
	return false; /* POSIX's default locale: ASCII */
}

enum chart_glyphs chart_glyphs_for(const char *term)
{
	if (!user_locale_utf8())
		return CHART_ASCII;
	if (!term)
		return CHART_BLOCKS;
	/* The VT100 family has no UTF-8; the Linux console's fonts (CP437's
	 * glyphs) have the full block and the shades but not the eighths. */
	if (strncmp(term, "vt", 2) == 0 || strcmp(term, "dumb") == 0)
		return CHART_ASCII;
	if (strncmp(term, "linux", 5) == 0 || strncmp(term, "con", 3) == 0)
		return CHART_BLOCKS;
	return CHART_EIGHTHS;
}
