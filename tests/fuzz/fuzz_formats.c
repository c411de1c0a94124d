/* libFuzzer: import files and update objects are untrusted input. The CSV
 * and JSON readers parse in place and every value goes through
 * field_normalise; none may read or write out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/formats.h"
#include "store/store.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), err[160];
	struct csv_reader r;
	struct csv_row row;
	struct json_object *obj = malloc(sizeof *obj);

	if (!buf || !obj)
		goto out;
	memcpy(buf, data, size);
	csv_init(&r, buf, size);
	while (csv_next(&r, &row, err, sizeof err) > 0)
		for (size_t i = 0; i < row.nfields; i++)
			normalise_all(row.field[i], row.flen[i]);
	memcpy(buf, data, size);
	if (json_parse_object(buf, size, obj, err, sizeof err) == 0)
		for (size_t i = 0; i < obj->n; i++)
			if (obj->m[i].val)
				normalise_all(obj->m[i].val, obj->m[i].vlen);
out:
	free(buf);
	free(obj);
	return 0;
}
