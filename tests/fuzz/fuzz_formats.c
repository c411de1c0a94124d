/* libFuzzer: import files and update objects are untrusted input. The CSV
 * and JSON readers parse in place and every value goes through
 * field_normalise; none may read or write out of bounds. And whatever bytes
 * a store holds, json_write_string gives JSON that reads back and
 * text_write_safe gives UTF-8 with nothing a terminal would obey. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/formats.h"
#include "store/store.h"
#include "store/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void normalise_all(const char *v, size_t len)
{
	char *out = malloc(len + 8);

	if (!out)
		return;
	for (int f = 0; f < F_COUNT; f++) {
		size_t n;
		field_normalise((enum field_id)f, v, len, out, len + 8, &n);
	}
	free(out);
}

static void write_all(const char *v, size_t len)
{
	struct json_object *obj = malloc(sizeof *obj);
	char *out = NULL;
	struct parse_error pe;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	if (!f || !obj)
		abort();
	fputs("{\"k\": ", f);
	json_write_string(f, v, len);
	fputc('}', f);
	/* \u0000 is the one escape the reader refuses, by design. */
	if (fclose(f) != 0 || (!memchr(v, 0, len) && json_parse_object(out, n, obj, &pe) != 0))
		abort();
	free(out);
	free(obj);

	out = NULL;
	if (!(f = open_memstream(&out, &n)))
		abort();
	text_write_safe(f, v, len, NULL);
	if (fclose(f) != 0)
		abort();
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)out + i, n - i, &cp);

		if (k == 0 || text_char_unsafe(cp))
			abort();
		i += k;
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct parse_error pe = {0};
	struct csv_reader r;
	struct csv_row row;
	struct json_object *obj = malloc(sizeof *obj);
	int rc;

	if (!buf || !obj)
		goto out;
	write_all((const char *)data, size);
	memcpy(buf, data, size);
	csv_init(&r, buf, size);
	while ((rc = csv_next(&r, &row, &pe)) > 0)
		for (size_t i = 0; i < row.nfields; i++)
			normalise_all(row.field[i], row.flen[i]);
	/* A failure always says where and why. */
	if (rc < 0 && (!pe.why || !pe.line))
		abort();
	memcpy(buf, data, size);
	pe = (struct parse_error){0};
	if (json_parse_object(buf, size, obj, &pe) == 0) {
		for (size_t i = 0; i < obj->n; i++)
			if (obj->m[i].val)
				normalise_all(obj->m[i].val, obj->m[i].vlen);
		json_object_release(obj);
	} else if (!pe.why || !pe.column) {
		abort();
	}
out:
	free(buf);
	free(obj);
	return 0;
}
