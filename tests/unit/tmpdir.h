/* Temporary store directories for the unit tests: made under $TMPDIR (or
 * /tmp) with mkdtemp, removed with everything LMDB put in them. */
#ifndef MAPPE_TESTS_TMPDIR_H
#define MAPPE_TESTS_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void make_dir(char *dir, size_t cap)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp || strlen(tmp) > cap - 32)
		tmp = "/tmp";
	snprintf(dir, cap, "%s/mappe-test-XXXXXX", tmp);
	assert_non_null(mkdtemp(dir));
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

#endif
