/* i18n.c: translated messages, used only when they are as safe as the
 * message itself. Pure code (no curses): unit tested. */
#include "tui/tui.h"

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

/* The words store messages insert ({class}, {role}), here so that xgettext
 * finds them; test_i18n checks they are every class and role of keys.h. */
const char *const tui_words[] = {
    N_("record"),    N_("identity"),  N_("contact"), N_("programme"), N_("finance"),
    N_("health"),    N_("protected"), N_("notes"),   N_("audit"),     N_("caseworker"),
    N_("lead"),      N_("admin"),     NULL,
};
