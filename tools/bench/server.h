/* Starting, probing and stopping the servers under test. */
#ifndef CNATSD_BENCH_SERVER_H
#define CNATSD_BENCH_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct bench_server {
    const char *label;   /* "go" or "cnatsd" */
    const char *bin;     /* server executable */
    const char *logdir;  /* where <label>.log is appended; NULL = /dev/null */
    const char *prefix;  /* optional command prefix (e.g. valgrind ...), space separated */
    double ready_secs;   /* how long to wait for INFO (default 3) */
    pid_t pid;
    int port;
    bool jetstream;      /* started with -js and INFO says so */
    char dir[256];       /* fresh store dir, removed by server_stop */
} bench_server;

/* Starts s->bin on a fresh loopback port and store dir (with -js when js),
 * waits until it answers INFO. Returns 0, or -1 with err filled (the process
 * is already reaped). Runs on the main thread. */
int server_start(bench_server *s, bool js, char *err, size_t errlen);
/* SIGTERM, then SIGKILL after 3 s (60 s under a prefix); reaps the process and removes its dir. */
void server_stop(bench_server *s);
/* True while the process has not exited. */
bool server_alive(bench_server *s);
/* Resident set size of pid in KiB from /proc/<pid>/status; -1 on error. */
long server_rss_kib(pid_t pid);
/* A currently free TCP port on 127.0.0.1, or -1. */
int server_free_port(void);

#endif
