/* archive.c: mappe archive (docs/retention.md): the archive law's commands,
 * and the retention settings of /etc/mappe.conf handed to the store.
 *
 * The package: keys/archive.c's sealed stream over a container of files,
 *   file: u32 name length | name | u64 size | bytes    (big-endian)
 *   end:  u32 0
 * holding cases/ID.json (one case as mappe show --json writes it, without
 * the computed stipend) for every case, then manifest.json (the case ids,
 * each file's SHA-256, the store id, the date, mappe's version and the
 * field catalogue's names). Every plaintext is built in secure memory and
 * sealed from there: nothing of it reaches a file on the way. */
#include "tui/tui.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE     200
#define FILE_MAX ((uint64_t)256 << 20) /* one case's JSON, as archive open takes it */

void cli_retention(store *st)
{
	struct retention r;
	char v[1024];

	retention_default(&r);
	if (cli_conf("retention.block_after", v, sizeof v) &&
	    !retention_parse_block(v, &r.block_after))
		fprintf(stderr,
		        _("mappe: %s: retention.block_after is not a number of days (or never): "
		          "closed cases are blocked after %ld days\n"),
		        MAPPE_CONF, r.block_after);
	if (cli_conf("retention.dispose", v, sizeof v) && !retention_parse_dispose(v, &r))
		fprintf(stderr,
		        _("mappe: %s: retention.dispose is not a list of category:days: nothing is "
		          "disposable\n"),
		        MAPPE_CONF);
	store_set_retention(st, &r);
}

/* ---- bytes ---------------------------------------------------------------- */

static void hex_put(const uint8_t *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = 0;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The last run of exactly 64 hex digits in s (a key file's line, or
 * mappe.conf's value), into 32 bytes. */
static bool hex_key(const char *s, size_t len, uint8_t out[32])
{
	size_t run = 0, end = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && hex_val(s[i]) >= 0) {
			run++;
			continue;
		}
		if (run == 64)
			end = i;
		run = 0;
	}
	if (!end)
		return false;
	for (size_t i = 0; i < 32; i++)
		out[i] =
		    (uint8_t)(hex_val(s[end - 64 + 2 * i]) << 4 | hex_val(s[end - 63 + 2 * i]));
	return true;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A growing buffer in secure memory, written through a FILE (the JSON
 * writers take one) with no stdio buffer of its own in the heap. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static ssize_t sbuf_write(void *cookie, const char *b, size_t n)
{
	struct sbuf *s = cookie;

	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 64 << 10;
		while (cap < s->len + n)
			cap *= 2;
		char *q = keys_secure_alloc(cap);
		if (!q) {
			s->failed = true;
			return -1;
		}
		if (s->p) {
			memcpy(q, s->p, s->len);
			keys_secure_free(s->p);
		}
		s->p = q;
		s->cap = cap;
	}
	memcpy(s->p + s->len, b, n);
	s->len += n;
	return (ssize_t)n;
}

static FILE *sbuf_open(struct sbuf *s)
{
	FILE *f = fopencookie(s, "w", (cookie_io_functions_t){.write = sbuf_write});

	if (f)
		setvbuf(f, NULL, _IONBF, 0);
	return f;
}

static void sbuf_free(struct sbuf *s)
{
	keys_secure_free(s->p);
	memset(s, 0, sizeof *s);
}

/* The caller's own group for files they name (as cli_open_input): a setgid
 * mappe must not create them as group mappe. */
static int own_group(bool on)
{
	static gid_t saved;
	gid_t rgid = getgid();

	if (on) {
		saved = getegid();
		return saved == rgid || setegid(rgid) == 0 ? 0 : -1;
	}
	return saved == rgid || setegid(saved) == 0 ? 0 : -1;
}

/* ---- keygen --------------------------------------------------------------- */

static int archive_keygen(const struct cli *cli)
{
	uint8_t pk[KEYS_PK_BYTES];
	uint8_t *sk = keys_secure_alloc(KEYS_ARCHIVE_SK_BYTES);
	char *line = keys_secure_alloc(2 * KEYS_ARCHIVE_SK_BYTES + 2);
	char pkhex[2 * KEYS_PK_BYTES + 1];
	int fd = -1, rc = M_UNAVAILABLE;

	if (cli->argc != 2) {
		rc = cli_fail(M_USAGE, _("usage: mappe archive keygen SECRETFILE"));
		goto out;
	}
	if (!sk || !line || keys_archive_keygen(pk, sk) != KEYS_OK) {
		rc = cli_fail(M_UNAVAILABLE, _("cannot make a key pair"));
		goto out;
	}
	if (own_group(true) == 0) {
		fd = open(cli->argv[1], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		own_group(false);
	}
	if (fd < 0) {
		rc = cli_fail(M_UNAVAILABLE, _("%s: %s"), cli->argv[1], strerror(errno));
		goto out;
	}
	hex_put(sk, KEYS_ARCHIVE_SK_BYTES, line);
	strcat(line, "\n");
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line) || fsync(fd) != 0) {
		rc = cli_fail(M_UNAVAILABLE, _("%s: %s"), cli->argv[1], strerror(errno));
		close(fd);
		unlink(cli->argv[1]);
		goto out;
	}
	close(fd);
	hex_put(pk, KEYS_PK_BYTES, pkhex);
	printf("archive.public_key = %s\n", pkhex);
	fprintf(stderr,
	        _("mappe: the secret key is in %s: keep it with the archive, never on this host; "
	          "put the line above in %s\n"),
	        cli->argv[1], MAPPE_CONF);
	rc = M_OK;
out:
	keys_secure_free(sk);
	keys_secure_free(line);
	return rc;
}

/* ---- export --------------------------------------------------------------- */

struct out_fd {
	int fd;
};

static int write_fd(void *ctx, const void *p, size_t n)
{
	const struct out_fd *o = ctx;
	const char *b = p;

	while (n) {
		ssize_t w = write(o->fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int put_entry(keys_archive *w, const char *name, const void *data, size_t len)
{
	uint8_t h[12];
	size_t nlen = strlen(name);

	put32(h, (uint32_t)nlen);
	if (keys_archive_put(w, h, 4) || keys_archive_put(w, name, nlen))
		return -1;
	put32(h, (uint32_t)((uint64_t)len >> 32));
	put32(h + 4, (uint32_t)len);
	return keys_archive_put(w, h, 8) || keys_archive_put(w, data, len) ? -1 : 0;
}

/* One case as mappe show --json writes it (less the computed stipend). */
static int case_json(store *st, uint64_t id, struct sbuf *sb)
{
	struct case_rec c;
	struct note_page pg;
	bool notes_locked;
	FILE *f = NULL;
	int rc;

	case_init(&c);
	note_page_init(&pg);
	if ((rc = store_case_get(st, id, &c)))
		goto out;
	notes_locked = !store_can_read(st, KC_NOTES);
	if (!notes_locked && (rc = store_notes_read(st, id, 0, PAGE, &pg)))
		goto out;
	if (!(f = sbuf_open(sb))) {
		rc = M_UNAVAILABLE;
		goto out;
	}
	case_write_json_begin(f, &c, notes_locked);
	for (size_t done = 0; pg.n;) {
		uint32_t next = pg.from + (uint32_t)pg.n;
		case_write_json_notes(f, pg.notes, pg.n, pg.from, done == 0);
		done += pg.n;
		if (next >= pg.total)
			break;
		if ((rc = store_notes_read(st, id, next, PAGE, &pg)))
			goto out;
	}
	case_write_json_end(f, notes_locked);
out:
	if (f && fclose(f) != 0 && rc == M_OK)
		rc = M_UNAVAILABLE;
	if (sb->failed && rc == M_OK)
		rc = M_UNAVAILABLE;
	note_page_clear(&pg);
	case_clear(&c);
	return rc;
}

static void manifest_head(FILE *m, store *st, const char *before, const uint64_t *ids, size_t n)
{
	char sid[2 * KEYS_STORE_ID_BYTES + 1], when[32];
	time_t now = time(NULL);
	struct tm tm;

	store_id_hex(st, sid);
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(
	    m,
	    "{\"format\": \"mappe-archive-1\", \"mappe_version\": \"%s\", \"store_id\": \"%s\", "
	    "\"created\": \"%s\", \"before\": ",
	    MAPPE_VERSION, sid, when);
	if (before)
		fprintf(m, "\"%s\"", before);
	else
		fputs("null", m);
	fputs(", \"fields\": [", m);
	for (int f = 0; f < F_COUNT; f++)
		fprintf(m, "%s\"%s\"", f ? ", " : "", field_catalogue[f].id);
	fputs("], \"lists\": [", m);
	for (int l = 0; l < L_COUNT; l++)
		fprintf(m, "%s\"%s\"", l ? ", " : "", list_catalogue[l].id);
	fputs("], \"item_fields\": [", m);
	for (int i = 0; i < I_COUNT; i++)
		fprintf(m, "%s\"%s.%s\"", i ? ", " : "", list_catalogue[item_catalogue[i].list].id,
		        item_catalogue[i].f.id);
	fputs("], \"cases\": [", m);
	for (size_t i = 0; i < n; i++)
		fprintf(m, "%s%llu", i ? ", " : "", (unsigned long long)ids[i]);
	fputs("], \"files\": [", m);
}

/* DATE (2026-01-31 or 31.01.2026) as days since 1970-01-01. */
static bool parse_day(const char *s, char iso[11], long *day)
{
	struct tm tm = {0};

	if (date_normalise(s, iso) != NULL)
		return false;
	tm.tm_year = atoi(iso) - 1900;
	tm.tm_mon = atoi(iso + 5) - 1;
	tm.tm_mday = atoi(iso + 8);
	*day = (long)(timegm(&tm) / 86400);
	return true;
}

static int public_key(const struct cli *cli, uint8_t pk[KEYS_PK_BYTES])
{
	char v[512];

	if (cli->key) {
		char *text = NULL;
		size_t len = 0;
		int rc = cli_read_input(cli, cli->key, &text, &len);
		bool ok = rc == M_OK && hex_key(text, len, pk);
		keys_secure_free(text);
		if (rc)
			return rc;
		return ok ? M_OK
		          : cli_fail(M_INPUT, _("%s: no archive public key (64 hex digits) in it"),
		                     cli->key);
	}
	if (cli_conf("archive.public_key", v, sizeof v) && hex_key(v, strlen(v), pk))
		return M_OK;
	return cli_fail(M_USAGE,
	                _("no archive public key: set archive.public_key in %s (mappe "
	                  "archive keygen makes one) or give --key FILE"),
	                MAPPE_CONF);
}

static int archive_export(const struct cli *cli, store *st)
{
	uint8_t pk[KEYS_PK_BYTES];
	char before_iso[11], name[64], path[4300], part[4400], sum[65], fname[48];
	long before = DAY_NONE;
	uint64_t *ids = NULL;
	size_t n = 0;
	struct sbuf man = {0};
	FILE *m = NULL;
	keys_archive *w = NULL;
	struct out_fd o = {-1};
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (cli->argc != 2)
		return cli_fail(M_USAGE, _("usage: mappe archive export [--before DATE] [--again] "
		                           "[--key FILE] DEST"));
	if (cli->before && !parse_day(cli->before, before_iso, &before))
		return cli_fail(M_USAGE, _("--before expects a date (2026-01-31 or 31.01.2026)"));
	if ((rc = public_key(cli, pk)))
		return rc;
	store_audit_purpose(st, "mappe archive export");
	if ((rc = store_archive_pick(st, before, cli->again, &ids, &n)))
		return cli_fail(rc, "%s", tui_error(st));
	if (n == 0) {
		/* Those handed over already are not taken twice unless asked. */
		size_t before_n = 0;
		free(ids);
		ids = NULL;
		if (!cli->again && store_archive_pick(st, before, true, &ids, &before_n) == M_OK &&
		    before_n)
			fprintf(stderr,
			        _("mappe: no blocked case left to hand over: %zu handed over before "
			          "(--again takes them again)\n"),
			        before_n);
		else
			fprintf(stderr, _("mappe: no blocked case to hand over\n"));
		free(ids);
		return M_OK;
	}
	gmtime_r(&now, &tm);
	strftime(name, sizeof name, "mappe-archive-%Y%m%d-%H%M%S.mappe-archive", &tm);
	snprintf(path, sizeof path, "%s/%s", cli->argv[1], name);
	snprintf(part, sizeof part, "%s/.%s.part", cli->argv[1], name);
	if (own_group(true) == 0) {
		o.fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		own_group(false);
	}
	if (o.fd < 0) {
		rc = cli_fail(M_UNAVAILABLE, _("%s: %s"), cli->argv[1], strerror(errno));
		goto out;
	}
	if (keys_archive_writer(pk, write_fd, &o, &w) != KEYS_OK || !(m = sbuf_open(&man)))
		goto write_failed;
	manifest_head(m, st, cli->before ? before_iso : NULL, ids, n);
	for (size_t i = 0; i < n; i++) {
		struct sbuf one = {0};
		uint8_t h[32];

		rc = case_json(st, ids[i], &one);
		if (rc) {
			sbuf_free(&one);
			if (store_fault(st)->code != E_NONE)
				cli_fail(rc, "%s", tui_error(st));
			else
				cli_fail(rc, _("cannot build the package: out of memory"));
			goto fail;
		}
		keys_sha256(one.p, one.len, h);
		hex_put(h, 32, sum);
		snprintf(fname, sizeof fname, "cases/%llu.json", (unsigned long long)ids[i]);
		fprintf(m,
		        "%s{\"name\": \"%s\", \"case\": %llu, \"bytes\": %zu, \"sha256\": \"%s\"}",
		        i ? ", " : "", fname, (unsigned long long)ids[i], one.len, sum);
		int bad = put_entry(w, fname, one.p, one.len);
		sbuf_free(&one);
		if (bad)
			goto write_failed;
		if (n > 100 && (i + 1) % 100 == 0)
			fprintf(stderr, _("mappe: %zu of %zu cases\n"), i + 1, n);
	}
	fputs("]}\n", m);
	if (fflush(m) != 0 || man.failed || put_entry(w, "manifest.json", man.p, man.len) != 0 ||
	    keys_archive_put(w, "\0\0\0\0", 4) != KEYS_OK)
		goto write_failed;
	rc = keys_archive_end(w);
	w = NULL;
	if (rc != KEYS_OK || fsync(o.fd) != 0 || close(o.fd) != 0) {
		o.fd = -1;
		goto write_failed;
	}
	o.fd = -1;
	if (access(path, F_OK) == 0 || rename(part, path) != 0)
		goto write_failed;
	/* Written whole: only now are the cases marked handed over. */
	if ((rc = store_archive_transferred(st, ids, n, name))) {
		cli_fail(rc, "%s", tui_error(st));
		fprintf(stderr,
		        _("mappe: the package %s is whole, but the cases are not marked "
		          "transferred: the next export takes them again\n"),
		        path);
		goto out;
	}
	printf("%s\n", path);
	fprintf(stderr, _("mappe: %zu cases sealed to the archive's key and marked transferred\n"),
	        n);
	rc = M_OK;
	goto out;
write_failed:
	rc = cli_fail(M_UNAVAILABLE, _("%s: cannot write the package: %s"), cli->argv[1],
	              strerror(errno ? errno : EIO));
fail:
	if (o.fd >= 0)
		close(o.fd);
	o.fd = -1;
	unlink(part);
out:
	if (w)
		keys_archive_free(w);
	if (m)
		fclose(m);
	sbuf_free(&man);
	free(ids);
	return rc;
}

/* ---- open (the archive's side) ------------------------------------------------ */

struct in_file {
	FILE *f;
};

static int read_file(void *ctx, void *p, size_t n)
{
	struct in_file *in = ctx;
	return n == 0 || fread(p, 1, n, in->f) == n ? 0 : -1;
}

struct opened {
	char name[48];
	uint8_t sum[32];
	uint64_t size;
};

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (strcmp(s, "manifest.json") == 0)
		return true;
	if (n < 12 || n > 36 || strncmp(s, "cases/", 6) != 0 || strcmp(s + n - 5, ".json") != 0)
		return false;
	for (size_t i = 6; i < n - 5; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[6] != '0';
}

static int archive_open(const struct cli *cli)
{
	uint8_t *sk = keys_secure_alloc(KEYS_ARCHIVE_SK_BYTES);
	char *keytext = NULL, *manifest = NULL, dir[4200];
	size_t keylen = 0, nfiles = 0, manlen = 0;
	struct opened *files = NULL;
	struct in_file in = {NULL};
	keys_archive *r = NULL;
	bool made = false, eof;
	int rc, krc;

	if (cli->argc != 3 || !cli->key) {
		rc = cli_fail(M_USAGE,
		              _("usage: mappe archive open PACKAGE --key SECRETFILE DESTDIR"));
		goto out;
	}
	if (!sk) {
		rc = cli_fail(M_UNAVAILABLE, "out of memory");
		goto out;
	}
	if ((rc = cli_read_input(cli, cli->key, &keytext, &keylen)))
		goto out;
	if (!hex_key(keytext, keylen, sk)) {
		rc = cli_fail(M_INPUT, _("%s: no archive secret key (64 hex digits) in it"),
		              cli->key);
		goto out;
	}
	int fd;
	if ((rc = cli_open_input(cli, cli->argv[1], &fd)))
		goto out;
	if (!(in.f = fdopen(fd, "rb"))) {
		close(fd);
		rc = cli_fail(M_UNAVAILABLE, "out of memory");
		goto out;
	}
	krc = keys_archive_reader(sk, read_file, &in, &r);
	if (krc == KEYS_EAUTH) {
		rc = cli_fail(M_AUTH,
		              _("%s: the package does not open with this key: it was sealed to "
		                "another archive key"),
		              cli->argv[1]);
		goto out;
	}
	if (krc != KEYS_OK) {
		rc = cli_fail(M_INTEGRITY, _("%s: not an archive package, or a damaged one"),
		              cli->argv[1]);
		goto out;
	}
	snprintf(dir, sizeof dir, "%s/cases", cli->argv[2]);
	if (own_group(true) != 0 || mkdir(cli->argv[2], 0700) != 0 || mkdir(dir, 0700) != 0) {
		own_group(false);
		rc = cli_fail(M_UNAVAILABLE, _("%s: %s (give a directory that does not exist yet)"),
		              cli->argv[2], strerror(errno));
		goto out;
	}
	own_group(false);
	made = true;
	for (;;) {
		uint8_t h[8];
		char name[48];
		uint32_t nlen;
		uint64_t size;

		if (keys_archive_get(r, h, 4, &eof) != KEYS_OK)
			goto damaged;
		nlen = get32(h);
		if (nlen == 0)
			break;
		if (nlen >= sizeof name || keys_archive_get(r, name, nlen, &eof) != KEYS_OK)
			goto damaged;
		name[nlen] = 0;
		if (!name_ok(name) || keys_archive_get(r, h, 8, &eof) != KEYS_OK)
			goto damaged;
		size = (uint64_t)get32(h) << 32 | get32(h + 4);
		if (size > FILE_MAX)
			goto damaged;
		for (size_t i = 0; i < nfiles; i++)
			if (strcmp(files[i].name, name) == 0)
				goto damaged;
		struct opened *nf = realloc(files, (nfiles + 1) * sizeof *nf);
		if (!nf)
			goto damaged;
		files = nf;
		char *data = keys_secure_alloc(size + 1);
		if (!data || keys_archive_get(r, data, size, &eof) != KEYS_OK) {
			keys_secure_free(data);
			goto damaged;
		}
		snprintf(files[nfiles].name, sizeof files[nfiles].name, "%s", name);
		files[nfiles].size = size;
		keys_sha256(data, size, files[nfiles].sum);
		nfiles++;
		if (strcmp(name, "manifest.json") == 0) {
			free(manifest);
			manifest = malloc(size + 1);
			if (!manifest) {
				keys_secure_free(data);
				goto damaged;
			}
			memcpy(manifest, data, size);
			manifest[size] = 0;
			manlen = size;
		}
		char p[4300];
		snprintf(p, sizeof p, "%s/%s", cli->argv[2], name);
		int ofd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		struct out_fd o = {ofd};
		bool ok = ofd >= 0 && write_fd(&o, data, size) == 0 && fsync(ofd) == 0;
		if (ofd >= 0)
			close(ofd);
		keys_secure_free(data);
		if (!ok) {
			rc = cli_fail(M_UNAVAILABLE, _("%s: %s"), p, strerror(errno));
			goto remove;
		}
	}
	if (keys_archive_get(r, NULL, 0, &eof) != KEYS_OK || !eof || !manifest)
		goto damaged;
	/* Every file the manifest names, with its checksum, and no other. */
	size_t named = 0;
	for (const char *p = manifest; (p = strstr(p, "{\"name\": \"")); p++)
		named++;
	if (named != nfiles - 1)
		goto damaged;
	for (size_t i = 0; i < nfiles; i++) {
		char want[160], sum[65];
		if (strcmp(files[i].name, "manifest.json") == 0)
			continue;
		hex_put(files[i].sum, 32, sum);
		/* The case number is the file's. */
		char num[24];
		size_t nl = strlen(files[i].name) - 6 - 5;
		memcpy(num, files[i].name + 6, nl);
		num[nl] = 0;
		snprintf(want, sizeof want,
		         "{\"name\": \"%s\", \"case\": %s, \"bytes\": %llu, \"sha256\": \"%s\"}",
		         files[i].name, num, (unsigned long long)files[i].size, sum);
		if (!strstr(manifest, want))
			goto damaged;
	}
	(void)manlen;
	printf("%s\n", cli->argv[2]);
	fprintf(stderr, _("mappe: %zu cases opened and checked against the manifest\n"),
	        nfiles - 1);
	rc = M_OK;
	goto out;
damaged:
	rc = cli_fail(M_INTEGRITY,
	              _("%s: the package is damaged or was changed: nothing of it "
	                "is kept"),
	              cli->argv[1]);
remove:
	for (size_t i = 0; made && i < nfiles; i++) {
		char p[4300];
		snprintf(p, sizeof p, "%s/%s", cli->argv[2], files[i].name);
		unlink(p);
	}
	if (made) {
		rmdir(dir);
		rmdir(cli->argv[2]);
	}
out:
	if (r)
		keys_archive_free(r);
	if (in.f)
		fclose(in.f);
	keys_secure_free(sk);
	keys_secure_free(keytext);
	free(manifest);
	free(files);
	return rc;
}

/* ---- destroy and block ---------------------------------------------------------- */

struct destroy_say {
	bool dry_run, norwegian;
	uint64_t last, cases;
};

static int on_destroy(void *ctx, uint64_t id, enum retention_category c, size_t fields)
{
	struct destroy_say *d = ctx;

	printf("%llu\t%s\t%zu\n", (unsigned long long)id, retention_category_name(c), fields);
	if (d->last != id) {
		d->last = id;
		if (++d->cases % 100 == 0)
			fprintf(stderr, _("mappe: %llu cases so far\n"),
			        (unsigned long long)d->cases);
	}
	return 0;
}

static int archive_destroy(const struct cli *cli, store *st)
{
	struct destroy_say d = {cli->dry_run, cli->norwegian, 0, 0};
	struct retention r;
	uint64_t cases = 0;
	bool any = false;
	int rc;

	if (cli->argc != 1)
		return cli_fail(M_USAGE, _("usage: mappe archive destroy [--dry-run]"));
	/* The store refuses anyone else, before it reads anything. */
	if (store_role(st) != ROLE_ADMIN) {
		rc = store_archive_destroy(st, true, NULL, NULL, &cases);
		return cli_fail(rc ? rc : M_AUTH, "%s", tui_error(st));
	}
	store_get_retention(st, &r);
	for (int c = 0; c < RC_COUNT; c++) {
		if (r.dispose[c] == RETENTION_NEVER)
			continue;
		any = true;
		fprintf(stderr, _("mappe: disposable: %s, %ld days after closing%s\n"),
		        retention_category_name((enum retention_category)c), r.dispose[c],
		        retention_category_verified((enum retention_category)c)
		            ? ""
		            : _(" (the law's permission is not verified: see docs/retention.md)"));
	}
	if (!any) {
		fprintf(stderr,
		        _("mappe: nothing is disposable: %s sets retention.dispose "
		          "(docs/retention.md)\n"),
		        MAPPE_CONF);
		return M_OK;
	}
	store_audit_purpose(st, "mappe archive destroy");
	rc = store_archive_destroy(st, cli->dry_run, on_destroy, &d, &cases);
	if (rc)
		return cli_fail(rc, "%s", tui_error(st));
	fprintf(stderr,
	        cli->dry_run ? _("mappe: %llu cases hold disposable data past its time (nothing "
	                         "destroyed: --dry-run)\n")
	                     : _("mappe: disposable data destroyed in %llu cases\n"),
	        (unsigned long long)cases);
	return M_OK;
}

static int archive_block(const struct cli *cli, store *st)
{
	uint64_t marked = 0;
	int rc;

	if (cli->argc != 1)
		return cli_fail(M_USAGE, _("usage: mappe archive block"));
	store_audit_purpose(st, "mappe archive block");
	if ((rc = store_archive_block(st, &marked)))
		return cli_fail(rc, "%s", tui_error(st));
	fprintf(stderr, _("mappe: %llu cases newly blocked\n"), (unsigned long long)marked);
	return M_OK;
}

int cmd_archive(struct cli *cli)
{
	const char *sub = cli->argc ? cli->argv[0] : "";
	store *st;
	int rc;

	if (strcmp(sub, "keygen") == 0)
		return archive_keygen(cli);
	if (strcmp(sub, "open") == 0)
		return archive_open(cli);
	if (strcmp(sub, "export") != 0 && strcmp(sub, "destroy") != 0 && strcmp(sub, "block") != 0)
		return cli_fail(M_USAGE, _("usage: mappe archive export|open|destroy|block|keygen; "
		                           "see mappe archive --help"));
	if ((rc = cli_open(cli, &st)))
		return rc;
	if (strcmp(sub, "export") == 0)
		rc = archive_export(cli, st);
	else if (strcmp(sub, "destroy") == 0)
		rc = archive_destroy(cli, st);
	else
		rc = archive_block(cli, st);
	store_close(st);
	return rc;
}
