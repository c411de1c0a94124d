/* termkeys.c: the sequences after an Esc, byte by byte (ECMA-48's CSI and
 * SS3 shape, with the terminals' own exceptions), and the keys they are. */
#include "tui/termkeys.h"

#include <string.h>

enum {
	S_GROUND,  /* not in a sequence */
	S_ESC,     /* a bare Esc */
	S_ESC_ESC, /* two: Alt with a sequence, or two Escs pressed together */
	S_CSI,     /* ESC [ and its parameters */
	S_LINUX,   /* ESC [ [: the Linux console's F1-F5 */
	S_SS3,     /* ESC O */
};

/* After ESC [ or ESC O, a slow link may be late with the rest: it is waited
 * for, since a half-read sequence would be typed into a field. */
#define SHORT_WAIT 50
#define LONG_WAIT  300

void tk_start(struct tk_parser *p)
{
	memset(p, 0, sizeof *p);
	p->state = S_ESC;
}

bool tk_busy(const struct tk_parser *p)
{
	return p->state != S_GROUND;
}

int tk_patience(const struct tk_parser *p)
{
	return p->state == S_ESC || p->state == S_ESC_ESC ? SHORT_WAIT : LONG_WAIT;
}

static bool done(struct tk_parser *p, struct tk_key *out, enum tk_kind kind, int code)
{
	/* Alt with a key: no binding of ours has one. */
	if (p->meta && kind != TK_ESC)
		kind = TK_IGNORE;
	out->kind = kind;
	out->code = code;
	p->state = S_GROUND;
	return true;
}

static bool fn(struct tk_parser *p, struct tk_key *out, enum tk_fn code)
{
	return done(p, out, TK_FN, (int)code);
}

static bool ignore(struct tk_parser *p, struct tk_key *out)
{
	return done(p, out, TK_IGNORE, 0);
}

/* An Esc in the middle of a sequence: the one before was cut short (it
 * means nothing), and a new one starts. */
static bool restart(struct tk_parser *p, struct tk_key *out)
{
	ignore(p, out);
	tk_start(p);
	return true;
}

/* ESC [ n ~ (VT220, PuTTY, the Linux console, screen) and rxvt's ESC [ n ^,
 * ESC [ n $ and ESC [ n @ (the same key with Ctrl, Shift or both). With a
 * modifier (ESC [ 3 ; 5 ~, or rxvt's finals) a key that moves or deletes is
 * that key, and a function key is another one (Shift-F1 is terminfo's F13),
 * which nothing is bound to. */
static bool vt_key(struct tk_parser *p, struct tk_key *out, int n, bool modified)
{
	if (modified && n > 10)
		return ignore(p, out);
	switch (n) {
	case 1:
	case 7:
		return fn(p, out, TK_HOME);
	case 2:
		return fn(p, out, TK_INSERT);
	case 3:
		return fn(p, out, TK_DELETE);
	case 4:
	case 8:
		return fn(p, out, TK_END);
	case 5:
		return fn(p, out, TK_PGUP);
	case 6:
		return fn(p, out, TK_PGDN);
	case 11:
	case 12:
	case 13:
	case 14:
	case 15:
		return fn(p, out, TK_F(n - 10));
	case 17:
	case 18:
	case 19:
	case 20:
	case 21:
		return fn(p, out, TK_F(n - 11));
	case 23:
	case 24:
		return fn(p, out, TK_F(n - 12));
	default:
		return ignore(p, out);
	}
}

/* A letter final, after ESC [ or ESC O: arrows, Home and End (xterm in
 * either cursor mode), F1-F4, and with ESC [ 1 ; m the same keys with
 * modifiers, which are dropped (Ctrl-Right moves right). */
static bool letter_key(struct tk_parser *p, struct tk_key *out, int f)
{
	switch (f) {
	case 'A':
	case 'a':
		return fn(p, out, TK_UP); /* lower case: rxvt's Shift or Ctrl */
	case 'B':
	case 'b':
		return fn(p, out, TK_DOWN);
	case 'C':
	case 'c':
		return fn(p, out, TK_RIGHT);
	case 'D':
	case 'd':
		return fn(p, out, TK_LEFT);
	case 'H':
		return fn(p, out, TK_HOME);
	case 'F':
		return fn(p, out, TK_END);
	default:
		return ignore(p, out);
	}
}

static bool csi_final(struct tk_parser *p, struct tk_key *out, int f)
{
	int n = p->nparams ? p->params[0] : 0;

	if (p->odd || p->nparams > 2)
		return ignore(p, out); /* keys send a number and a modifier at most */
	switch (f) {
	case '~':
		return vt_key(p, out, n, p->nparams >= 2 && p->params[1] > 1);
	case '^':
	case '$':
	case '@':
		return vt_key(p, out, n, true);
	case 'Z':
		return p->nparams <= 1 && n <= 1 ? fn(p, out, TK_BTAB) : ignore(p, out);
	case 'P':
	case 'Q':
	case 'R':
	case 'S':
		/* ESC [ 1 ; 2 P is Shift-F1, another key; ESC [ 1 ; 1 P (no
		 * modifier) is F1; a bare ESC [ P is no key. */
		if (p->nparams >= 2 && n == 1 && p->params[1] <= 1)
			return fn(p, out, TK_F(f - 'P' + 1));
		return ignore(p, out);
	default:
		if (n > 1)
			return ignore(p, out); /* ESC [ 2 A moves a cursor; no key sends it */
		return letter_key(p, out, f);
	}
}

/* ESC O and a final: SS3, the keys in application mode. */
static bool ss3_final(struct tk_parser *p, struct tk_key *out, int f)
{
	static const char keypad[] = "*+,-./0123456789"; /* ESC O j .. ESC O y */

	if (f >= 'j' && f <= 'y')
		return done(p, out, TK_CHAR, keypad[f - 'j']);
	switch (f) {
	case 'M':
		return done(p, out, TK_CHAR, '\r'); /* the keypad's Enter */
	case 'X':
		return done(p, out, TK_CHAR, '=');
	case 'P':
	case 'Q':
	case 'R':
	case 'S':
		/* ESC O 2 P: old xterms' Shift-F1, another key */
		return p->nparams ? ignore(p, out) : fn(p, out, TK_F(f - 'P' + 1));
	default:
		return letter_key(p, out, f);
	}
}

/* A digit or a separator of parameters; false for any other byte. */
static bool parameter(struct tk_parser *p, int c)
{
	if (c >= '0' && c <= '9') {
		if (p->nparams == 0)
			p->nparams = 1;
		if (p->nparams <= 4) {
			int *v = &p->params[p->nparams - 1];
			*v = *v * 10 + (c - '0');
			if (*v > 9999)
				*v = 9999;
		}
		return true;
	}
	if (c == ';') {
		if (p->nparams == 0)
			p->nparams = 1;
		if (p->nparams < 1000)
			p->nparams++;
		return true;
	}
	return false;
}

bool tk_feed(struct tk_parser *p, int c, struct tk_key *out)
{
	switch (p->state) {
	case S_ESC:
		if (c == TK_TIMEOUT)
			return done(p, out, TK_ESC, 0);
		if (c == 27) {
			p->state = S_ESC_ESC;
			return false;
		}
		if (c == '[' || c == 'O') {
			p->state = c == '[' ? S_CSI : S_SS3;
			return false;
		}
		return ignore(p, out); /* Alt-x, Alt-Enter, Alt with a key curses knew */
	case S_ESC_ESC:
		if (c == TK_TIMEOUT) {
			/* Two Escs pressed together: this one, and the next read
			 * goes on with the second. */
			done(p, out, TK_ESC, 0);
			p->state = S_ESC;
			return true;
		}
		if (c == 27) {
			done(p, out, TK_ESC, 0);
			p->state = S_ESC_ESC;
			return true;
		}
		if (c == '[' || c == 'O') {
			p->state = c == '[' ? S_CSI : S_SS3;
			p->meta = true;
			return false;
		}
		return ignore(p, out);
	case S_CSI:
		if (c == '[' && p->nparams == 0 && !p->odd) {
			p->state = S_LINUX;
			return false;
		}
		if (parameter(p, c))
			return false;
		if (c >= 0x3a && c <= 0x3f) {
			/* A private marker (ESC [ ? ...) or ':' sub-parameters:
			 * reports and protocols we never asked for. */
			p->odd = true;
			return false;
		}
		if (c == '$' || (c >= 0x40 && c <= 0x7e))
			return csi_final(p, out, c);
		if (c >= 0x20 && c <= 0x2f) {
			p->odd = true; /* an intermediate byte */
			return false;
		}
		if (c == 27)
			return restart(p, out);
		return ignore(p, out); /* cut short by a timeout or a stray byte */
	case S_LINUX:
		if (c >= 'A' && c <= 'E')
			return fn(p, out, TK_F(c - 'A' + 1));
		if (c == 27)
			return restart(p, out);
		return ignore(p, out);
	case S_SS3:
		if (parameter(p, c))
			return false; /* ESC O 5 C: old xterms' modifiers */
		if (c >= 0x40 && c <= 0x7e)
			return ss3_final(p, out, c);
		if (c == 27)
			return restart(p, out);
		return ignore(p, out); /* Alt-O alone */
	default:
		return ignore(p, out);
	}
}
