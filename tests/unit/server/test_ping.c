/* Port of server/ping_test.go: the server pings a client at PingInterval. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server/opts.h"
#include "server/server.h"
#include "testutil.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads one line (up to "\n") into buf within ms; returns its length
 * (0 on timeout or EOF). */
static size_t read_line(int fd, char *buf, size_t cap, int ms)
{
    size_t n = 0;
    int64_t end = now_ms() + ms;
    while (n + 1 < cap && now_ms() < end) {
        ssize_t r = read(fd, buf + n, 1);
        if (r == 0)
            break;
        if (r < 0)
            continue;
        n++;
        if (buf[n - 1] == '\n')
            break;
    }
    buf[n] = '\0';
    return n;
}

START_TEST(test_ping)
{
    /* Go uses a fixed port; a random one avoids clashes. */
    options *o = options_new();
    o->host = strdup("127.0.0.1");
    o->port = -1;
    o->no_log = true;
    o->no_sigs = true;
    o->ping_interval = 50 * 1000000LL;
    o->disable_short_first_ping = true;
    char err[512];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert(server_ready_for_connections(s, 2000));

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)server_client_port(s));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 20000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char line[4096];
    ck_assert_uint_gt(read_line(fd, line, sizeof(line), 2000), 0);
    ck_assert(strncmp(line, "INFO ", 5) == 0);
    const char *connect = "CONNECT {\"verbose\":false}\r\nPING\r\n";
    ck_assert_int_eq(write(fd, connect, strlen(connect)), (ssize_t)strlen(connect));
    read_line(fd, line, sizeof(line), 2000);
    ck_assert_str_eq(line, "PONG\r\n");
    int64_t start = now_ms();
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_gt(read_line(fd, line, sizeof(line), 2000), 0);
        ck_assert_str_eq(line, "PING\r\n");
        int64_t dur = now_ms() - start;
        /* Go allows 25..75ms; the upper bound is wider for loaded hosts. */
        ck_assert_msg(dur >= 25 && dur <= 500, "pings duration off: %lldms", (long long)dur);
        ck_assert_int_eq(write(fd, "PONG\r\n", 6), 6);
        start = now_ms();
    }
    close(fd);
    server_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ping");
    TCase *tc = tcase_create("ping");
    tcase_add_test(tc, test_ping);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
