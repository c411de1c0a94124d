/* archive.c: the package mappe archive export writes for the municipality's
 * archive: a stream key sealed to the archive's X25519 public key
 * (crypto_box_seal), then the plaintext in secretstream chunks (keys.h). */
#include "keys/keys.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t magic[8] = {'M', 'A', 'P', 'P', 'E', 'A', 'R', '1'};

enum { SEALED_KEY = crypto_box_SEALBYTES + crypto_secretstream_xchacha20poly1305_KEYBYTES };

_Static_assert(KEYS_ARCHIVE_SK_BYTES == crypto_box_SECRETKEYBYTES, "archive key size");
_Static_assert(KEYS_PK_BYTES == crypto_box_PUBLICKEYBYTES, "archive key size");

struct keys_archive {
	crypto_secretstream_xchacha20poly1305_state state;
	bool writing, eof;
	keys_out_fn out;
	keys_in_fn in;
	void *ctx;
	/* plaintext of the chunk being filled or used up (secure memory) */
	uint8_t *buf;
	size_t used, at;
	/* the chunk's ciphertext */
	uint8_t *cbuf;
};

int keys_archive_keygen(uint8_t pk[KEYS_PK_BYTES], uint8_t *sk)
{
	return crypto_box_keypair(pk, sk) == 0 ? KEYS_OK : KEYS_ESYS;
}

int keys_archive_public(const uint8_t *sk, uint8_t pk[KEYS_PK_BYTES])
{
	return crypto_scalarmult_base(pk, sk) == 0 ? KEYS_OK : KEYS_EFORMAT;
}

static keys_archive *archive_new(void)
{
	keys_archive *a = keys_secure_alloc(sizeof *a);

	if (!a)
		return NULL;
	memset(a, 0, sizeof *a);
	a->buf = keys_secure_alloc(KEYS_ARCHIVE_CHUNK);
	a->cbuf = malloc(KEYS_ARCHIVE_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES);
	if (!a->buf || !a->cbuf) {
		keys_archive_free(a);
		return NULL;
	}
	return a;
}

void keys_archive_free(keys_archive *a)
{
	if (!a)
		return;
	keys_secure_free(a->buf);
	free(a->cbuf); /* ciphertext only */
	keys_secure_free(a);
}

int keys_archive_writer(const uint8_t pk[KEYS_PK_BYTES], keys_out_fn out, void *ctx,
                        keys_archive **w)
{
	uint8_t head[sizeof magic + SEALED_KEY + crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	uint8_t *key = keys_secure_alloc(crypto_secretstream_xchacha20poly1305_KEYBYTES);
	keys_archive *a = archive_new();
	int rc = KEYS_ESYS;

	*w = NULL;
	if (!key || !a) {
		rc = KEYS_ENOMEM;
		goto out;
	}
	crypto_secretstream_xchacha20poly1305_keygen(key);
	memcpy(head, magic, sizeof magic);
	if (crypto_box_seal(head + sizeof magic, key,
	                    crypto_secretstream_xchacha20poly1305_KEYBYTES, pk) != 0 ||
	    crypto_secretstream_xchacha20poly1305_init_push(
	        &a->state, head + sizeof magic + SEALED_KEY, key) != 0)
		goto out;
	a->writing = true;
	a->out = out;
	a->ctx = ctx;
	if (out(ctx, head, sizeof head) != 0)
		goto out;
	*w = a;
	a = NULL;
	rc = KEYS_OK;
out:
	keys_secure_free(key);
	keys_archive_free(a);
	return rc;
}

static int push(keys_archive *a, unsigned char tag)
{
	unsigned long long clen = 0;
	uint8_t len[4];

	if (crypto_secretstream_xchacha20poly1305_push(&a->state, a->cbuf, &clen, a->buf, a->used,
	                                               NULL, 0, tag) != 0)
		return KEYS_ESYS;
	len[0] = (uint8_t)(clen >> 24);
	len[1] = (uint8_t)(clen >> 16);
	len[2] = (uint8_t)(clen >> 8);
	len[3] = (uint8_t)clen;
	keys_wipe(a->buf, a->used);
	a->used = 0;
	if (a->out(a->ctx, len, 4) != 0 || a->out(a->ctx, a->cbuf, (size_t)clen) != 0)
		return KEYS_ESYS;
	return KEYS_OK;
}

int keys_archive_put(keys_archive *w, const void *p, size_t n)
{
	const uint8_t *b = p;
	int rc;

	if (!w->writing)
		return KEYS_EFORMAT;
	while (n) {
		size_t take = KEYS_ARCHIVE_CHUNK - w->used;
		if (take > n)
			take = n;
		memcpy(w->buf + w->used, b, take);
		w->used += take;
		b += take;
		n -= take;
		if (w->used == KEYS_ARCHIVE_CHUNK &&
		    (rc = push(w, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)))
			return rc;
	}
	return KEYS_OK;
}

int keys_archive_end(keys_archive *w)
{
	int rc =
	    w->writing ? push(w, crypto_secretstream_xchacha20poly1305_TAG_FINAL) : KEYS_EFORMAT;
	keys_archive_free(w);
	return rc;
}

int keys_archive_reader(const uint8_t *sk, keys_in_fn in, void *ctx, keys_archive **r)
{
	uint8_t head[sizeof magic + SEALED_KEY + crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	uint8_t pk[KEYS_PK_BYTES];
	uint8_t *key = keys_secure_alloc(crypto_secretstream_xchacha20poly1305_KEYBYTES);
	keys_archive *a = archive_new();
	int rc;

	*r = NULL;
	if (!key || !a) {
		rc = KEYS_ENOMEM;
		goto out;
	}
	if (in(ctx, head, sizeof head) != 0 || memcmp(head, magic, sizeof magic) != 0) {
		rc = KEYS_EFORMAT;
		goto out;
	}
	if (crypto_scalarmult_base(pk, sk) != 0 ||
	    crypto_box_seal_open(key, head + sizeof magic, SEALED_KEY, pk, sk) != 0) {
		rc = KEYS_EAUTH;
		goto out;
	}
	if (crypto_secretstream_xchacha20poly1305_init_pull(
	        &a->state, head + sizeof magic + SEALED_KEY, key) != 0) {
		rc = KEYS_EINTEGRITY;
		goto out;
	}
	a->in = in;
	a->ctx = ctx;
	*r = a;
	a = NULL;
	rc = KEYS_OK;
out:
	keys_secure_free(key);
	keys_archive_free(a);
	return rc;
}

static int pull(keys_archive *a)
{
	uint8_t len[4];
	unsigned long long mlen = 0;
	unsigned char tag = 0;
	uint32_t clen;

	/* No final chunk yet and the file ends: cut short. */
	if (a->in(a->ctx, len, 4) != 0)
		return KEYS_EINTEGRITY;
	clen = (uint32_t)len[0] << 24 | (uint32_t)len[1] << 16 | (uint32_t)len[2] << 8 | len[3];
	if (clen < crypto_secretstream_xchacha20poly1305_ABYTES ||
	    clen > KEYS_ARCHIVE_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES ||
	    a->in(a->ctx, a->cbuf, clen) != 0)
		return KEYS_EINTEGRITY;
	if (crypto_secretstream_xchacha20poly1305_pull(&a->state, a->buf, &mlen, &tag, a->cbuf,
	                                               clen, NULL, 0) != 0)
		return KEYS_EINTEGRITY;
	a->used = (size_t)mlen;
	a->at = 0;
	if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
		uint8_t more;
		/* Nothing may follow the final chunk. */
		if (a->in(a->ctx, &more, 1) == 0)
			return KEYS_EINTEGRITY;
		a->eof = true;
	} else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
		return KEYS_EINTEGRITY;
	}
	return KEYS_OK;
}

int keys_archive_get(keys_archive *r, void *p, size_t n, bool *eof)
{
	uint8_t *b = p;
	int rc;

	if (r->writing)
		return KEYS_EFORMAT;
	for (;;) {
		size_t have = r->used - r->at;
		if (have == 0 && !r->eof) {
			keys_wipe(r->buf, r->used);
			if ((rc = pull(r)))
				return rc;
			continue;
		}
		if (n == 0 || have == 0)
			break;
		size_t take = have < n ? have : n;
		memcpy(b, r->buf + r->at, take);
		r->at += take;
		b += take;
		n -= take;
	}
	*eof = r->eof && r->at == r->used;
	return n == 0 ? KEYS_OK : KEYS_EINTEGRITY;
}
