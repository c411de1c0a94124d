/*
 * errors: the store's failures as codes with arguments (errors.def), and
 * their messages. A message is a fixed template naming its arguments in
 * braces, so that a translation may put them in another order; the UI
 * passes its gettext and gets the user's language, store_error() is English.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store/private.h"

static const struct {
	const char *msg;
	enum mappe_status status;
} codes[E_COUNT] = {
#define ERR(code, status, msg) [E_##code] = {msg, status},
#include "store/errors.def"
#undef ERR
};

enum mappe_status store_code_status(enum store_code c)
{
	return (unsigned)c < E_COUNT ? codes[c].status : M_UNAVAILABLE;
}

const char *store_code_message(enum store_code c)
{
	return (unsigned)c < E_COUNT ? codes[c].msg : "unknown error";
}

bool store_code_names_case(enum store_code c)
{
	return strstr(store_code_message(c), "{case}") != NULL;
}

struct out {
	char *p;
	size_t cap, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->cap) {
		size_t room = o->cap - 1 - o->len;
		memcpy(o->p + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...)
{
	char b[48];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	if (n > 0)
		put(o, b, (size_t)n < sizeof b ? (size_t)n : sizeof b - 1);
}

static const char *tr_(store_translate tr, const char *s)
{
	return tr && s && *s ? tr(s) : s;
}

/* One {argument}; false if the name is not one (then it is copied as is). */
static bool argument(struct out *o, const struct store_fault *f, store_translate tr,
                     const char *name, size_t n)
{
#define IS(s) (n == sizeof s - 1 && memcmp(name, s, n) == 0)
	if (IS("case"))
		putf(o, "%llu", (unsigned long long)f->record);
	else if (IS("field"))
		puts_(o, f->field >= 0 && f->field < F_COUNT ? field_catalogue[f->field].id : "?");
	else if (IS("item"))
		puts_(o, f->item >= 0 && f->item < I_COUNT ? item_catalogue[f->item].f.id : "?");
	else if (IS("list"))
		puts_(o, f->list >= 0 && f->list < L_COUNT ? list_catalogue[f->list].id : "?");
	else if (IS("class"))
		puts_(o, f->cls >= 0 && f->cls < KC_COUNT ? tr_(tr, keys_class_name(f->cls)) : "?");
	else if (IS("role"))
		puts_(o, f->role >= 0 && f->role < ROLE_COUNT ? tr_(tr, keys_role_name(f->role)) : "?");
	else if (IS("line"))
		putf(o, "%u", f->line);
	else if (IS("n"))
		putf(o, "%llu", f->n);
	else if (IS("m"))
		putf(o, "%llu", f->m);
	else if (IS("why"))
		puts_(o, f->why ? tr_(tr, f->why) : "?");
	else if (IS("name"))
		puts_(o, f->name);
	else if (IS("what"))
		puts_(o, f->what);
	else if (IS("file"))
		puts_(o, f->file);
	else if (IS("dir"))
		puts_(o, f->dir);
	else if (IS("detail"))
		puts_(o, f->detail);
	else
		return false;
	return true;
#undef IS
}

size_t store_fault_format(const struct store_fault *f, store_translate tr, char *out, size_t cap)
{
	struct out o = {out, cap, 0};
	const char *s = tr_(tr, store_code_message(f->code));

	if (f->file[0]) {
		puts_(&o, f->file);
		if (f->line)
			putf(&o, ":%u", f->line);
		puts_(&o, ": ");
	}
	while (*s) {
		const char *open = strchr(s, '{');
		const char *close = open ? strchr(open, '}') : NULL;

		if (!close) {
			puts_(&o, s);
			break;
		}
		put(&o, s, (size_t)(open - s));
		if (!argument(&o, f, tr, open + 1, (size_t)(close - open - 1)))
			put(&o, open, (size_t)(close - open + 1));
		s = close + 1;
	}
	if (cap)
		out[o.len < cap ? o.len : cap - 1] = '\0';
	return o.len;
}

static void copy(char *dst, size_t cap, const char *src, int len)
{
	if (!src) {
		dst[0] = '\0';
		return;
	}
	size_t n = len >= 0 ? strnlen(src, (size_t)len) : strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void st_fault_set(struct store_fault *f, const struct st_fault_args *a, const char *dir)
{
	*f = (struct store_fault){
	    .code = a->code,
	    .record = a->record,
	    .field = a->field,
	    .item = a->item,
	    .list = a->list,
	    .cls = a->cls,
	    .role = a->role,
	    .line = a->line,
	    .n = a->n,
	    .m = a->m,
	    .why = a->why,
	};
	copy(f->name, sizeof f->name, a->name, a->namelen ? a->namelen : -1);
	copy(f->what, sizeof f->what, a->what, -1);
	copy(f->file, sizeof f->file, a->file, -1);
	copy(f->detail, sizeof f->detail, a->detail, -1);
	copy(f->dir, sizeof f->dir, dir, -1);
}

int st_raise(store *st, const struct st_fault_args *a)
{
	st_fault_set(&st->fault, a, st->dir);
	store_fault_format(&st->fault, NULL, st->err, sizeof st->err);
	return store_code_status(a->code);
}

void st_fault_clear(store *st)
{
	st->fault = (struct store_fault){.code = E_NONE};
	st->err[0] = '\0';
}

void st_fault_restore(store *st, const struct store_fault *f)
{
	st->fault = *f;
	store_fault_format(&st->fault, NULL, st->err, sizeof st->err);
}

void st_fault_locate(store *st, const char *file, unsigned line)
{
	copy(st->fault.file, sizeof st->fault.file, file, -1);
	st->fault.line = line;
	store_fault_format(&st->fault, NULL, st->err, sizeof st->err);
}

const struct store_fault *store_fault(const store *st)
{
	return &st->fault;
}
