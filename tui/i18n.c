/* i18n.c: translated messages, used only when they are as safe as the
 * message itself. Pure code (no curses): unit tested. */
#include "tui/tui.h"

#include <stdio.h>
#include <string.h>

/* The next printf conversion at or after *p, as the text [*start, *p).
 * 1: found one; 0: none left; -1: something this check does not accept
 * (%n, which writes; an unknown or unfinished conversion). */
static int next_conversion(const char **p, const char **start)
{
	const char *s = *p;

	for (;;) {
		if (!(s = strchr(s, '%')))
			return 0;
		if (s[1] != '%')
			break;
		s += 2;
	}
	*start = s++;
	s += strspn(s, "0123456789$.*-+ #'I"); /* position, flags, width, precision */
	s += strspn(s, "hlLqjzt");             /* length */
	if (!*s || !strchr("diouxXeEfFgGaAcspmCS", *s))
		return -1;
	*p = s + 1;
	return 1;
}

bool tui_format_matches(const char *msgid, const char *translated)
{
	const char *a = msgid, *b = translated;

	for (;;) {
		const char *sa, *sb;
		int ra = next_conversion(&a, &sa), rb = next_conversion(&b, &sb);
		if (ra < 0 || rb < 0 || ra != rb)
			return false;
		if (ra == 0)
			return true;
		if (a - sa != b - sb || memcmp(sa, sb, (size_t)(a - sa)) != 0)
			return false;
	}
}

const char *tui_gettext(const char *msgid)
{
	const char *tr = gettext(msgid);

	/* A catalogue is data from a file: one whose translation would read
	 * other arguments than the message's (or write, %n) is not used. */
	if (tr == msgid || tui_format_matches(msgid, tr))
		return tr;
	return msgid;
}

static const char *translate(const char *msgid)
{
	return tui_gettext(msgid);
}

const char *tui_fault(const struct store_fault *f)
{
	static char text[1024];

	store_fault_format(f, translate, text, sizeof text);
	return text;
}

const char *tui_error(const store *st)
{
	return tui_fault(store_fault(st));
}

/* A note's kind as the screens and show name it; the stored and typed id
 * (--kind home_visit) is note_kind_name's. */
const char *tui_note_kind(enum note_kind k)
{
	static const char *const label[] = {N_("home visit"), N_("meeting"), N_("phone call"),
	                                    N_("other")};
	return _((unsigned)k < 4 ? label[k] : label[NOTE_OTHER]);
}

bool tui_stipend(store *st, const struct case_rec *c, struct case_stipend *cs, bool *ok)
{
	struct rule_set rs;

	memset(cs, 0, sizeof *cs);
	*ok = false;
	if (!store_can_read(st, KC_FINANCE))
		return false;
	if (store_rules(st, &rs) != M_OK) {
		cs->why = N_("the rules could not be read");
		return true;
	}
	*ok = case_stipend(c, &rs, st_today(), cs) == 0;
	rule_set_free(&rs);
	return true;
}

/* Kroner grouped by thousands: "260 320". */
static const char *kroner(long v, char out[32])
{
	char digits[24];
	int n = snprintf(digits, sizeof digits, "%ld", v < 0 ? -v : v), k = 0;

	if (v < 0)
		out[k++] = '-';
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[k++] = ' ';
		out[k++] = digits[i];
	}
	out[k] = '\0';
	return out;
}

/* A day as the screens show dates: DD.MM.YYYY in Norwegian. */
static const char *shown_day(long day, bool nb, char out[32])
{
	char iso[11];

	date_iso(day, iso);
	const char *s = field_display(F_birth_date, iso, nb, out, 32);
	if (s != out)
		snprintf(out, 32, "%s", s);
	return out;
}

const char *tui_stipend_text(const struct case_stipend *cs, bool ok, bool nb, char *out,
                             size_t cap)
{
	char a[32], g[32], from[32], next[32];
	int k;

	if (!ok) {
		snprintf(out, cap, _("not computed: %s"), cs->why ? _(cs->why) : "?");
		return out;
	}
	kroner(cs->now.annual, a);
	kroner(cs->now.g, g);
	shown_day(cs->g_from, nb, from);
	if (cs->now.young)
		k = snprintf(out, cap, _("%s kr a year (%d/3 of %ldG: under %ld, %s; G %s kr from %s)"),
		             a, cs->now.thirds, cs->stipend_g, cs->young_age,
		             cs->with_parent == 1 ? _("living with a parent")
		                                  : _("not living with a parent"),
		             g, from);
	else
		k = snprintf(out, cap, _("%s kr a year (%ldG; G %s kr from %s)"), a, cs->stipend_g, g,
		             from);
	if (cs->next != DAY_NONE && k > 0 && (size_t)k < cap)
		snprintf(out + k, cap - (size_t)k, _("; %s kr from %s"), kroner(cs->next_annual, a),
		         shown_day(cs->next, nb, next));
	return out;
}

/* The words store messages insert ({class}, {role}), here so that xgettext
 * finds them; test_i18n checks they are every class and role of keys.h. */
const char *const tui_words[] = {
    N_("record"),    N_("identity"),  N_("contact"), N_("programme"), N_("finance"),
    N_("health"),    N_("protected"), N_("notes"),   N_("audit"),     N_("caseworker"),
    N_("lead"),      N_("admin"),     N_("archive"),   NULL,
};
