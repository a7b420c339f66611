/* Port of test/fanout_test.go: with a high fanout every subscription of
 * every connection gets the messages of a single publisher in order.
 * Go runs 100 connections x 100 subscriptions x 500 messages; the scale
 * here is reduced to keep the sanitizer build fast. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/opts.h"
#include "server/server.h"
#include "testutil.h"

enum { NCONNS = 100, NSUBS = 16, NPUBS = 500 };

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        ck_assert_int_gt(w, 0);
        p += w;
        n -= (size_t)w;
    }
}

/* Reads until the buffer ends with needle (blocking reads). */
static void read_until_suffix(int fd, const char *needle)
{
    char buf[8192];
    size_t len = 0, nl = strlen(needle);
    int64_t end = now_ms() + 5000;
    while (now_ms() < end) {
        ssize_t r = read(fd, buf + len, sizeof(buf) - 1 - len);
        ck_assert_int_gt(r, 0);
        len += (size_t)r;
        buf[len] = '\0';
        if (len >= nl && strcmp(buf + len - nl, needle) == 0)
            return;
        if (len > sizeof(buf) / 2) {
            memmove(buf, buf + len - nl, nl);
            len = nl;
        }
    }
    ck_abort_msg("timed out waiting for %s", needle);
}

/* Per connection parse state and, per sid, the next expected payload. */
typedef struct conn_state {
    int fd;
    char *buf;
    size_t len, cap;
    int expected[NSUBS + 1];
    int done_subs;
} conn_state;

/* Consumes complete MSG frames; fails on any out of order payload. Check
 * records every assertion, so the hot path only calls it on failure. */
static void consume(conn_state *cs)
{
    size_t off = 0;
    for (;;) {
        char *p = cs->buf + off;
        size_t avail = cs->len - off;
        char *eol = memmem(p, avail, "\r\n", 2);
        if (!eol)
            break;
        if (eol - p == 4 && strncmp(p, "PING", 4) == 0) {
            off += 6; /* the server's keep-alive */
            continue;
        }
        if (strncmp(p, "MSG ", 4) != 0)
            ck_abort_msg("unexpected %.*s", (int)(eol - p), p);
        /* "MSG <subject> <sid> <len>" */
        char *sp = memchr(p + 4, ' ', (size_t)(eol - p - 4));
        if (!sp)
            ck_abort_msg("bad MSG line %.*s", (int)(eol - p), p);
        char *end = NULL;
        int sid = (int)strtol(sp + 1, &end, 10);
        int plen = (int)strtol(end + 1, NULL, 10);
        size_t need = (size_t)(eol - p) + 2 + (size_t)plen + 2;
        if (avail < need)
            break;
        char num[16];
        if (sid < 1 || sid > NSUBS || plen <= 0 || plen >= (int)sizeof(num))
            ck_abort_msg("bad MSG line %.*s", (int)(eol - p), p);
        memcpy(num, eol + 2, (size_t)plen);
        num[plen] = '\0';
        int n = atoi(num);
        if (n != cs->expected[sid])
            ck_abort_msg("expected %d but received %d", cs->expected[sid], n);
        cs->expected[sid]++;
        if (cs->expected[sid] == NPUBS)
            cs->done_subs++;
        off += need;
    }
    memmove(cs->buf, cs->buf + off, cs->len - off);
    cs->len -= off;
}

START_TEST(test_no_race_high_fanout_ordering)
{
    options *o = options_new();
    o->host = strdup("127.0.0.1");
    o->port = -1;
    o->no_log = true;
    o->no_sigs = true;
    char err[512];
    server *s = server_new(o, err, sizeof(err));
    ck_assert_msg(s != NULL, "server_new: %s", err);
    server_set_io_threads(s, 2);
    ck_assert_msg(server_start(s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert(server_ready_for_connections(s, 2000));
    int port = server_client_port(s);
    const char *subj = "_INBOX.fanoutOrdering7b3f";

    static conn_state conns[NCONNS];
    char *subs = malloc(64 * NSUBS + 128);
    for (int i = 0; i < NCONNS; i++) {
        conn_state *cs = &conns[i];
        memset(cs, 0, sizeof(*cs));
        cs->fd = dial(port);
        size_t l = (size_t)sprintf(subs, "CONNECT {\"verbose\":false}\r\n");
        for (int y = 1; y <= NSUBS; y++)
            l += (size_t)sprintf(subs + l, "SUB %s %d\r\n", subj, y);
        l += (size_t)sprintf(subs + l, "PING\r\n");
        write_all(cs->fd, subs, l);
        read_until_suffix(cs->fd, "PONG\r\n");
        cs->cap = 1 << 16;
        cs->buf = malloc(cs->cap);
    }
    free(subs);

    int pub = dial(port);
    char *pubs = malloc(64 * NPUBS + 64);
    size_t pl = (size_t)sprintf(pubs, "CONNECT {\"verbose\":false}\r\n");
    for (int i = 0; i < NPUBS; i++) {
        char num[16];
        int nl = snprintf(num, sizeof(num), "%d", i);
        pl += (size_t)sprintf(pubs + pl, "PUB %s %d\r\n%s\r\n", subj, nl, num);
    }
    write_all(pub, pubs, pl);
    free(pubs);

    struct pollfd pfd[NCONNS];
    int done = 0;
    int64_t end = now_ms() + 30000;
    while (done < NCONNS && now_ms() < end) {
        int np = 0;
        for (int i = 0; i < NCONNS; i++) {
            if (conns[i].done_subs == NSUBS)
                continue;
            pfd[np].fd = conns[i].fd;
            pfd[np].events = POLLIN;
            pfd[np].revents = 0;
            np++;
        }
        if (poll(pfd, (nfds_t)np, 1000) < 0)
            ck_abort_msg("poll failed");
        for (int k = 0; k < np; k++) {
            if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            conn_state *cs = NULL;
            for (int i = 0; i < NCONNS && !cs; i++)
                if (conns[i].fd == pfd[k].fd)
                    cs = &conns[i];
            if (cs->len + 8192 > cs->cap) {
                cs->cap *= 2;
                cs->buf = realloc(cs->buf, cs->cap);
            }
            ssize_t r = read(cs->fd, cs->buf + cs->len, cs->cap - cs->len);
            if (r <= 0)
                ck_abort_msg("connection closed by the server");
            cs->len += (size_t)r;
            consume(cs);
            if (cs->done_subs == NSUBS)
                done++;
        }
    }
    ck_assert_int_eq(done, NCONNS);
    ck_assert_int_eq(server_num_slow_consumers(s), 0);
    for (int i = 0; i < NCONNS; i++) {
        for (int y = 1; y <= NSUBS; y++)
            ck_assert_int_eq(conns[i].expected[y], NPUBS);
        close(conns[i].fd);
        free(conns[i].buf);
    }
    close(pub);
    server_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fanout");
    TCase *tc = tcase_create("fanout");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_no_race_high_fanout_ordering);
    suite_add_tcase(s, tc);
    return testutil_run_suite(s);
}
