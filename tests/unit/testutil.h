/* Shared helpers for the Check test executables. */
#ifndef CNATSD_TESTUTIL_H
#define CNATSD_TESTUTIL_H

#include <check.h>

/* Runs a suite (CK_ENV fork mode, XML log from CK_XML_LOG_FILE_NAME when set)
 * and returns the process exit code: 0 when every test passed. */
int testutil_run_suite(Suite *s);

/* Creates a fresh temporary directory (mkdtemp) and returns its path, owned
 * by the caller (free()). Aborts the test on failure. */
char *testutil_tempdir(void);

/* Writes text to dir/name and returns the full path (caller frees). */
char *testutil_write_file(const char *dir, const char *name, const char *text);

/* Removes a directory tree created by testutil_tempdir. */
void testutil_rmtree(const char *dir);

#endif
