/* libFuzzer: /etc/mappe.conf as the parser sees it. Every value found must
 * be a NUL-terminated string that fits the buffer and has no line break. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"db", "idle_lock", "", "d"};
	char buf[64];
	int secs;

	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		memset(buf, 'x', sizeof buf);
		if (!conf_find((const char *)data, size, keys[i], buf, sizeof buf))
			continue;
		if (!memchr(buf, 0, sizeof buf) || strchr(buf, '\n') || !buf[0])
			abort();
		conf_seconds(buf, &secs);
	}
	return 0;
}
