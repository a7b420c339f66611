/* Tests for src/logger/log.c (logger/log_test.go). */
#include "logger/log.h"
#include "testutil.h"

#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs fn with fd 2 redirected to a pipe and returns what it wrote. */
static char *capture_stderr(void (*fn)(void))
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    int saved = dup(STDERR_FILENO);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(p[1], STDERR_FILENO), 0);
    fn();
    ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
    close(saved);
    close(p[1]);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    ssize_t n;
    while ((n = read(p[0], buf + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
    }
    close(p[0]);
    buf[len] = '\0';
    return buf;
}

static void expect_output(void (*fn)(void), const char *expected)
{
    char *out = capture_stderr(fn);
    ck_assert_str_eq(out, expected);
    free(out);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "Could not read %s", path);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) fwrite(tmp, 1, n, m);
    fclose(m);
    fclose(f);
    return buf;
}

/* Creates an empty file named prefix + random suffix in dir. */
static char *create_file_at_dir(const char *dir, const char *prefix)
{
    char *path = NULL;
    ck_assert(asprintf(&path, "%s/%sXXXXXX", dir, prefix) > 0);
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    return path;
}

/* Sorted directory listing (like Go's os.ReadDir); returns count. */
static int list_dir(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    char **v = NULL;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        v = realloc(v, sizeof(*v) * (size_t)(n + 1));
        v[n++] = strdup(de->d_name);
    }
    closedir(d);
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            if (strcmp(v[i], v[j]) > 0) {
                char *t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
        }
    }
    *names = v;
    return n;
}

static void free_names(char **v, int n)
{
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

START_TEST(test_std_logger)
{
    logger *l = log_new_std_logger(false, false, false, false, false, false);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(l->flags, 0);
    ck_assert(!l->debug);
    ck_assert(!l->trace);
    logger_free(l);
}
END_TEST

START_TEST(test_std_logger_with_debug_trace_and_time)
{
    logger *l = log_new_std_logger(true, true, true, false, false, false);
    ck_assert_int_eq(l->flags, LOG_STD_FLAGS | LOG_FLAG_MICROSECONDS);
    ck_assert(l->debug);
    ck_assert(l->trace);
    logger_free(l);
}
END_TEST

static void notice_plain(void)
{
    logger *l = log_new_std_logger(false, false, false, false, false, false);
    logger_noticef(l, "foo");
    logger_free(l);
}

START_TEST(test_std_logger_notice)
{
    expect_output(notice_plain, "[INF] foo\n");
}
END_TEST

static void notice_color(void)
{
    logger *l = log_new_std_logger(false, false, false, true, false, false);
    logger_noticef(l, "foo");
    logger_free(l);
}

START_TEST(test_std_logger_notice_with_color)
{
    expect_output(notice_color, "[\x1b[32mINF\x1b[0m] foo\n");
}
END_TEST

static void debug_on(void)
{
    logger *l = log_new_std_logger(false, true, false, false, false, false);
    logger_debugf(l, "foo %s", "bar");
    logger_free(l);
}

START_TEST(test_std_logger_debug)
{
    expect_output(debug_on, "[DBG] foo bar\n");
}
END_TEST

static void debug_off(void)
{
    logger *l = log_new_std_logger(false, false, false, false, false, false);
    logger_debugf(l, "foo");
    logger_free(l);
}

START_TEST(test_std_logger_debug_with_out_debug)
{
    expect_output(debug_off, "");
}
END_TEST

static void trace_on(void)
{
    logger *l = log_new_std_logger(false, false, true, false, false, false);
    logger_tracef(l, "foo");
    logger_free(l);
}

START_TEST(test_std_logger_trace)
{
    expect_output(trace_on, "[TRC] foo\n");
}
END_TEST

static void trace_off(void)
{
    logger *l = log_new_std_logger(false, false, false, false, false, false);
    logger_tracef(l, "foo");
    logger_free(l);
}

START_TEST(test_std_logger_trace_with_out_debug)
{
    expect_output(trace_off, "");
}
END_TEST

static void all_levels_with_time_pid(void)
{
    logger *l = log_new_std_logger(true, true, true, false, true, true);
    logger_warnf(l, "w");
    logger_errorf(l, "e");
    logger_fatalf(l, "f");
    logger_free(l);
}

/* Extra: the full Go header "[pid] date time.micro [LVL] msg" on stderr. */
START_TEST(test_std_logger_header_format)
{
    char *out = capture_stderr(all_levels_with_time_pid);
    regex_t re;
    ck_assert_int_eq(regcomp(&re,
                             "^(\\[[0-9]+\\] [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6} "
                             "\\[(WRN|ERR|FTL)\\] [wef]\n){3}$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    ck_assert_msg(regexec(&re, out, 0, NULL, 0) == 0, "unexpected output %s", out);
    ck_assert_ptr_nonnull(strstr(out, "[WRN] w\n"));
    ck_assert_ptr_nonnull(strstr(out, "[ERR] e\n"));
    ck_assert_ptr_nonnull(strstr(out, "[FTL] f\n"));
    regfree(&re);
    free(out);
}
END_TEST

START_TEST(test_file_logger)
{
    char err[256];
    char *tmp = testutil_tempdir();
    char *file = create_file_at_dir(tmp, "nats-server:log_");

    logger *l = log_new_file_logger(file, false, false, false, false, false, err, sizeof(err));
    ck_assert_ptr_nonnull(l);
    logger_noticef(l, "foo");
    char *buf = read_all(file);
    ck_assert_str_eq(buf, "[INF] foo\n");
    free(buf);
    logger_free(l);
    free(file);

    file = create_file_at_dir(tmp, "nats-server:log_");
    l = log_new_file_logger(file, true, false, true, true, false, err, sizeof(err));
    ck_assert_ptr_nonnull(l);
    logger_errorf(l, "foo");
    buf = read_all(file);
    char *pid_end = strchr(buf, ' ');
    ck_assert_ptr_nonnull(pid_end);
    ck_assert_int_eq(buf[0], '[');
    ck_assert_int_eq(pid_end[-1], ']');
    regex_t re;
    ck_assert_int_eq(regcomp(&re,
                             "^ [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}.[0-9]{6} \\[ERR\\] foo\n$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    ck_assert_msg(regexec(&re, pid_end, 0, NULL, 0) == 0, "unexpected line %s", buf);
    regfree(&re);
    free(buf);
    logger_free(l);
    free(file);

    /* Opening a file in a missing directory fails with Go's message. */
    char *bad = NULL;
    ck_assert(asprintf(&bad, "%s/missing/x.log", tmp) > 0);
    l = log_new_file_logger(bad, false, false, false, false, false, err, sizeof(err));
    ck_assert_ptr_null(l);
    ck_assert_msg(strncmp(err, "error opening file: open ", 25) == 0, "got %s", err);
    ck_assert_ptr_nonnull(strstr(err, "no such file or directory"));
    free(bad);

    testutil_rmtree(tmp);
    free(tmp);
}
END_TEST

static bool fail_close_on;

static int fail_close(file_logger *fl, char *err, size_t errlen)
{
    if (fail_close_on) {
        snprintf(err, errlen, "on purpose");
        return -1;
    }
    return close(fl->fd);
}

START_TEST(test_file_logger_size_limit)
{
    char err[256];
    logger *l = log_new_std_logger(true, false, false, false, true, false);
    ck_assert_int_eq(logger_set_size_limit(l, 1000, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "only for file logger"));
    ck_assert_int_eq(logger_set_max_num_files(l, 3, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "only for file logger"));
    ck_assert_int_eq(logger_close(l, err, sizeof(err)), 0);
    logger_free(l);

    char *tmp = testutil_tempdir();
    char *file = create_file_at_dir(tmp, "log_");
    l = log_new_file_logger(file, true, false, false, true, false, err, sizeof(err));
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(logger_set_size_limit(l, 1000, err, sizeof(err)), 0);
    for (int i = 0; i < 50; i++) {
        logger_noticef(l, "This is a line in the log file");
    }
    char **names;
    int n = list_dir(tmp, &names);
    ck_assert_msg(n > 1, "Expected file to have been rotated");
    ck_assert_int_eq(logger_close(l, err, sizeof(err)), 0);
    char *content = read_all(file);
    ck_assert_ptr_nonnull(strstr(content, "Rotated log"));
    ck_assert_ptr_nonnull(strstr(content, names[n - 1]));
    /* Backup name: <file>.YYYY.MM.DD.hh.mm.ss.nnnnnnnnn */
    regex_t re;
    ck_assert_int_eq(regcomp(&re, "^log_.{6}\\.[0-9]{4}(\\.[0-9]{2}){5}\\.[0-9]{9}$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    ck_assert_msg(regexec(&re, names[n - 1], 0, NULL, 0) == 0, "bad backup %s", names[n - 1]);
    regfree(&re);
    free(content);
    free_names(names, n);
    logger_free(l);
    free(file);
    testutil_rmtree(tmp);
    free(tmp);

    /* No limit: no rotation; then a limit below the size rotates now. */
    tmp = testutil_tempdir();
    file = create_file_at_dir(tmp, "log_");
    l = log_new_file_logger(file, true, false, false, true, false, err, sizeof(err));
    for (int i = 0; i < 50; i++) {
        logger_noticef(l, "This is line %d in the log file", i + 1);
    }
    n = list_dir(tmp, &names);
    ck_assert_int_eq(n, 1);
    free_names(names, n);
    logger_set_size_limit(l, 1000, err, sizeof(err));
    n = list_dir(tmp, &names);
    ck_assert_msg(n > 1, "Expected file to have been rotated");
    ck_assert_int_eq(logger_close(l, err, sizeof(err)), 0);
    content = read_all(file);
    ck_assert_ptr_nonnull(strstr(content, "Rotated log"));
    ck_assert_ptr_nonnull(strstr(content, names[n - 1]));
    free(content);
    free_names(names, n);
    logger_free(l);

    /* A failing close bumps the limit to 2000; the next rotation works. */
    l = log_new_file_logger(file, true, false, false, true, false, err, sizeof(err));
    logger_set_size_limit(l, 1000, err, sizeof(err));
    pthread_mutex_lock(&l->fl->mu);
    l->fl->close_file = fail_close;
    fail_close_on = true;
    pthread_mutex_unlock(&l->fl->mu);
    char big[4100];
    memset(big, '0', sizeof(big));
    big[1000] = '\0';
    logger_noticef(l, "This is a big line: %s", big);
    fail_close_on = false;
    big[1000] = '0';
    big[2000] = '\0';
    logger_noticef(l, "This is a big line: %s", big);
    logger_close(l, err, sizeof(err));
    n = list_dir(tmp, &names);
    char *bpath = NULL;
    ck_assert(asprintf(&bpath, "%s/%s", tmp, names[n - 1]) > 0);
    content = read_all(bpath);
    ck_assert_msg(strstr(content, "on purpose") != NULL && strstr(content, "size 2000") != NULL,
                  "Expected error that file could not rotated and max size bumped to 2000, got %s",
                  content);
    free(content);
    free(bpath);
    free_names(names, n);
    logger_free(l);
    free(file);
    testutil_rmtree(tmp);
    free(tmp);
}
END_TEST

/* Extra (log_max_num): rotation keeps at most max-1 backups and logs the
 * purge in the new file. */
START_TEST(test_file_logger_max_num_files)
{
    char err[256];
    char *tmp = testutil_tempdir();
    char *file = NULL;
    ck_assert(asprintf(&file, "%s/nats.log", tmp) > 0);
    /* A foreign file with the same prefix is never purged. */
    char *other = testutil_write_file(tmp, "nats.log.keep", "x");
    /* An old-looking backup gets purged first. */
    char *old = testutil_write_file(tmp, "nats.log.2001.01.02.03.04.05.000000001", "x");
    logger *l = log_new_file_logger(file, false, false, false, false, false, err, sizeof(err));
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(logger_set_max_num_files(l, 3, err, sizeof(err)), 0);
    ck_assert_int_eq(logger_set_size_limit(l, 200, err, sizeof(err)), 0);
    for (int i = 0; i < 40; i++) {
        logger_noticef(l, "line %d of the log file with some padding to grow", i);
        usleep(1000);
    }
    char **names;
    int n = list_dir(tmp, &names);
    int backups = 0;
    bool have_keep = false, have_old = false;
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], "nats.log.keep") == 0) have_keep = true;
        else if (strcmp(names[i], "nats.log.2001.01.02.03.04.05.000000001") == 0) have_old = true;
        else if (strncmp(names[i], "nats.log.", 9) == 0) backups++;
    }
    ck_assert(have_keep);
    ck_assert(!have_old);
    ck_assert_int_eq(backups, 2);
    free_names(names, n);
    logger_free(l);
    char *content = read_all(file);
    ck_assert_msg(strstr(content, "[INF] Purged log file \"nats.log.") != NULL, "got %s", content);
    ck_assert_ptr_nonnull(strstr(content, "\r\n"));
    free(content);
    free(file);
    free(other);
    free(old);
    testutil_rmtree(tmp);
    free(tmp);
}
END_TEST

/* Extra: Go's %q rendering used in log messages. */
START_TEST(test_log_quote)
{
    char buf[64];
    ck_assert_uint_eq(log_quote(buf, sizeof(buf), "a\"b\\c\n\x01\xc3\xa9"), 17);
    ck_assert_str_eq(buf, "\"a\\\"b\\\\c\\n\\x01\xc3\xa9\"");
    char small[4];
    ck_assert_uint_eq(log_quote(small, sizeof(small), "abcdef"), 8);
    ck_assert_str_eq(small, "\"ab");
}
END_TEST

static void test_logger_no_time(void)
{
    logger *l = log_new_test_logger("[pre] ", false);
    ck_assert_ptr_nonnull(l);
    logger_noticef(l, "foo");
    logger_debugf(l, "dbg %d", 1);
    logger_tracef(l, "trc");
    logger_free(l);
}

static void test_logger_with_time(void)
{
    logger *l = log_new_test_logger("[pre] ", true);
    ck_assert_ptr_nonnull(l);
    logger_warnf(l, "bar");
    logger_free(l);
}

START_TEST(test_new_test_logger)
{
    /* Prefix first, colored labels, debug and trace always on. */
    expect_output(test_logger_no_time, "[pre] [\x1b[32mINF\x1b[0m] foo\n"
                                       "[pre] [\x1b[36mDBG\x1b[0m] dbg 1\n"
                                       "[pre] [\x1b[33mTRC\x1b[0m] trc\n");
    /* With time: date, time with microseconds, then the label. */
    char *out = capture_stderr(test_logger_with_time);
    regex_t re;
    ck_assert_int_eq(regcomp(&re,
                             "^\\[pre\\] [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6} "
                             "\\[\x1b\\[0;93mWRN\x1b\\[0m\\] bar\n$",
                             REG_EXTENDED),
                     0);
    ck_assert_msg(regexec(&re, out, 0, NULL, 0) == 0, "unexpected output %s", out);
    regfree(&re);
    free(out);
}
END_TEST

static Suite *log_suite(void)
{
    Suite *s = suite_create("logger_log");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_std_logger);
    tcase_add_test(tc, test_std_logger_with_debug_trace_and_time);
    tcase_add_test(tc, test_std_logger_notice);
    tcase_add_test(tc, test_std_logger_notice_with_color);
    tcase_add_test(tc, test_std_logger_debug);
    tcase_add_test(tc, test_std_logger_debug_with_out_debug);
    tcase_add_test(tc, test_std_logger_trace);
    tcase_add_test(tc, test_std_logger_trace_with_out_debug);
    tcase_add_test(tc, test_std_logger_header_format);
    tcase_add_test(tc, test_file_logger);
    tcase_add_test(tc, test_file_logger_size_limit);
    tcase_add_test(tc, test_file_logger_max_num_files);
    tcase_add_test(tc, test_log_quote);
    tcase_add_test(tc, test_new_test_logger);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(log_suite());
}
