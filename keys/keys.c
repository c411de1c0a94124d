/* keys.c: start-up, process hygiene, names of classes and roles, secure memory. */
#include "keys/keys.h"
#include "keys/private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

static const char *const class_names[KC_COUNT] = {
#define KEYS_CLASS_NAME(name, num, str) [num] = str,
    KEYS_CLASSES(KEYS_CLASS_NAME)
#undef KEYS_CLASS_NAME
};

static const char *const role_names[ROLE_COUNT] = {
#define KEYS_ROLE_NAME(name, str) [ROLE_##name] = str,
    KEYS_ROLES(KEYS_ROLE_NAME)
#undef KEYS_ROLE_NAME
};

#define BIT(c) (1u << (c))

const char *keys_class_name(enum key_class c)
{
	if (c == KC_NONE)
		return "none";
	return (unsigned)c < KC_COUNT ? class_names[c] : "?";
}

int keys_class_parse(const char *s, enum key_class *out)
{
	for (unsigned i = 0; i < KC_COUNT; i++) {
		if (strcmp(s, class_names[i]) == 0) {
			*out = (enum key_class)i;
			return 0;
		}
	}
	return KEYS_EFORMAT;
}

const char *keys_role_name(enum key_role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

int keys_role_parse(const char *s, enum key_role *out)
{
	for (unsigned i = 0; i < ROLE_COUNT; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum key_role)i;
			return 0;
		}
	}
	return KEYS_EFORMAT;
}

key_classes keys_role_classes(enum key_role r)
{
	/* security.md: which classes each role may decrypt. Everyone holds
	 * record, which authenticates record headers. */
	const key_classes all = BIT(KC_COUNT) - 1;
	switch (r) {
	case ROLE_CASEWORKER:
		return BIT(KC_RECORD) | BIT(KC_IDENTITY) | BIT(KC_CONTACT) | BIT(KC_PROGRAMME) |
		       BIT(KC_FINANCE) | BIT(KC_NOTES);
	case ROLE_HEALTH:
		return BIT(KC_RECORD) | BIT(KC_IDENTITY) | BIT(KC_CONTACT) | BIT(KC_HEALTH) |
		       BIT(KC_NOTES);
	case ROLE_LEAD:
		return all & ~BIT(KC_PROTECTED);
	case ROLE_ADMIN:
		return all;
	case ROLE_ARCHIVE:
		/* Every class a blocked case is handed over in; never the audit
		 * log's, which is the unit's own record of its staff. */
		return all & ~BIT(KC_AUDIT);
	case ROLE_COUNT:
		break;
	}
	return 0;
}

int keys_init(void)
{
	return sodium_init() < 0 ? KEYS_ESYS : KEYS_OK;
}

int keys_harden_process(void)
{
	const struct rlimit none = {0, 0};
	int rc = KEYS_OK;

	/* Decrypted fields and keys sit in this process's memory: no core file
	 * may carry them to disk, and no other process of the same user may
	 * attach to read them. */
	if (setrlimit(RLIMIT_CORE, &none) != 0)
		rc = KEYS_ESYS;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		rc = KEYS_ESYS;
	/* The setgid deployment shares its files with group mappe (0660); a
	 * personal store is its user's alone (0700, 0600): their primary
	 * group may hold other people. */
	umask(getauxval(AT_SECURE) ? 007 : 077);
	return rc;
}

static bool unlocked; /* some secret memory of this process could not be locked */

static void lock_failed(int err)
{
	struct rlimit rl;
	char limit[32] = "unlimited";

	if (unlocked)
		return;
	unlocked = true;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		snprintf(limit, sizeof limit, "%llu KiB", (unsigned long long)rl.rlim_cur >> 10);
	/* The administrator must learn of it, not only the user at the
	 * terminal: the fix is a limit (limits.d), not anything they can do.
	 * Once per process; the uid and limit say whose, no case data. No
	 * openlog: the facility rides in the priority, and whatever else of
	 * mappe logs keeps its own ident. */
	syslog(LOG_AUTH | LOG_WARNING,
	       "memory lock failed (%s) for uid %u, RLIMIT_MEMLOCK %s: decrypted data may be "
	       "swapped to disk; raise memlock for the users of mappe (docs/deployment.md)",
	       strerror(err), (unsigned)getuid(), limit);
}

void *keys_secure_alloc(size_t n)
{
	void *p;

	/* A multiple of 16: sodium_malloc puts the block at the end of its
	 * page, so an odd size would leave it unaligned for structs. */
	n = n ? (n + 15) & ~(size_t)15 : 16;
	if (!(p = sodium_malloc(n)))
		return NULL;
	/* sodium_malloc ignores a failed mlock (RLIMIT_MEMLOCK, or no room
	 * for another mapping): lock again and look. Pages it did lock stay
	 * locked and are not counted twice. */
	if (sodium_mlock(p, n) != 0)
		lock_failed(errno);
	return p;
}

bool keys_memory_unlocked(void)
{
	return unlocked;
}

void keys_secure_free(void *p)
{
	if (p)
		sodium_free(p);
}

void keys_wipe(void *p, size_t n)
{
	if (p && n)
		sodium_memzero(p, n);
}

int keys_memeq(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

void keys_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

uint32_t keys_random_uniform(uint32_t upper)
{
	return randombytes_uniform(upper);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	/* secure_getenv: a setgid mappe ignores the caller's environment. */
	const char *s = secure_getenv(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return dflt;
	return v;
}

void keys_kdf_default(struct keys_kdf *out)
{
	out->opslimit = env_u64("MAPPE_KDF_OPSLIMIT", KEYS_KDF_OPS_DEFAULT);
	out->memlimit = env_u64("MAPPE_KDF_MEMLIMIT_MIB", KEYS_KDF_MEM_DEFAULT >> 20) << 20;
	if (out->opslimit < KEYS_KDF_OPS_MIN)
		out->opslimit = KEYS_KDF_OPS_MIN;
	if (out->memlimit < KEYS_KDF_MEM_MIN)
		out->memlimit = KEYS_KDF_MEM_MIN;
	if (out->opslimit > KEYS_KDF_OPS_MAX)
		out->opslimit = KEYS_KDF_OPS_MAX;
	if (out->memlimit > KEYS_KDF_MEM_MAX)
		out->memlimit = KEYS_KDF_MEM_MAX;
}

/* Argon2id at 256 MiB is the host's most expensive operation; with forty
 * caseworkers logging in at nine, two at a time keeps the jump host
 * responsive. The locks are open-file-description locks through the
 * store's own descriptor: no lock file to create, own or fail to open (an
 * open-files limit once made the throttle skip itself), and released by the
 * kernel when the process dies. */
enum { KDF_SLOTS = 2 };

static off_t kdf_user_byte(unsigned uid)
{
	return KEYS_KDF_LOCK_BASE + KDF_SLOTS + (off_t)uid;
}

/* 0 taken, 1 held by another, -1 the lock cannot be used at all. */
static int kdf_try(int fd, off_t at)
{
	struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = at, .l_len = 1};

	if (fcntl(fd, F_OFD_SETLK, &l) == 0)
		return 0;
	return errno == EAGAIN || errno == EACCES || errno == EINTR ? 1 : -1;
}

static void kdf_release(int fd, off_t at)
{
	struct flock l = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = at, .l_len = 1};

	if (at >= 0)
		fcntl(fd, F_OFD_SETLK, &l);
}

static int64_t kdf_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void kdf_nap(void)
{
	/* 20 to 60 ms, at random, so that waiters do not move in step. */
	struct timespec t = {0, (long)(20 + randombytes_uniform(41)) * 1000000};

	nanosleep(&t, NULL);
}

/* The first wait is announced, once. */
static void kdf_wait(void (**waiting)(void *), void *ctx)
{
	if (*waiting) {
		(*waiting)(ctx);
		*waiting = NULL;
	}
	kdf_nap();
}

int keys_kdf_lock(int fd, unsigned uid, long wait_ms, struct keys_kdf_hold *hold)
{
	return keys_kdf_lock_notify(fd, uid, wait_ms, NULL, NULL, hold);
}

int keys_kdf_lock_notify(int fd, unsigned uid, long wait_ms, void (*waiting)(void *ctx),
                         void *ctx, struct keys_kdf_hold *hold)
{
	int64_t end = kdf_now_ms() + (wait_ms > 0 ? wait_ms : 0);
	int r;

	*hold = (struct keys_kdf_hold){fd, -1, -1};
	if (fd < 0)
		return KEYS_ESYS;
	/* The user's turn first: their second login waits for their first, so
	 * stopping two of one's own logins takes one slot from the others, not
	 * both. Past the wait it goes ahead holding nothing, costing its own
	 * user the wait and no one else anything. */
	while ((r = kdf_try(fd, kdf_user_byte(uid))) == 1) {
		if (kdf_now_ms() >= end)
			return KEYS_OK;
		kdf_wait(&waiting, ctx);
	}
	if (r < 0)
		return KEYS_ESYS;
	hold->user = kdf_user_byte(uid);
	for (;;) {
		unsigned first = randombytes_uniform(KDF_SLOTS);
		for (unsigned i = 0; i < KDF_SLOTS; i++) {
			off_t at = KEYS_KDF_LOCK_BASE + (first + i) % KDF_SLOTS;
			if ((r = kdf_try(fd, at)) == 0) {
				hold->slot = at;
				return KEYS_OK;
			}
			if (r < 0) {
				keys_kdf_unlock(hold);
				return KEYS_ESYS;
			}
		}
		if (kdf_now_ms() >= end)
			return KEYS_OK; /* both slots held past the wait: unthrottled */
		kdf_wait(&waiting, ctx);
	}
}

void keys_kdf_unlock(struct keys_kdf_hold *hold)
{
	if (!hold || hold->fd < 0)
		return;
	kdf_release(hold->fd, hold->slot);
	kdf_release(hold->fd, hold->user);
	hold->slot = hold->user = -1;
}
