/* Minimal raw NATS protocol connection used by the load generator. */
#ifndef CNATSD_BENCH_RAWCONN_H
#define CNATSD_BENCH_RAWCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Operation kinds returned by rawconn_parse and rawconn_next. */
enum {
    RC_NEED = 0,     /* incomplete input */
    RC_MSG = 1,      /* MSG or HMSG */
    RC_PING = 2,
    RC_PONG = 3,
    RC_OK = 4,
    RC_ERR = 5,      /* -ERR from the server (text in rawconn.err) */
    RC_INFO = 6,
    RC_PROTO = -1,   /* unparsable input */
    RC_TIMEOUT = -2, /* deadline passed */
    RC_CLOSED = -3,  /* peer closed or socket error */
};

/* One parsed message; pointers borrow the connection's read buffer and stay
 * valid until the next read on that connection. */
typedef struct rc_msg {
    const char *subj;
    size_t subj_len;
    const char *reply; /* NULL when absent */
    size_t reply_len;
    const char *hdr; /* HMSG headers, NULL for MSG */
    size_t hdr_len;
    const char *data;
    size_t len;
    uint64_t sid;
} rc_msg;

typedef struct rawconn {
    int fd;
    char *rbuf;
    size_t rcap, rstart, rend;
    char *wbuf;
    size_t wcap, wlen;
    bool jetstream;    /* server INFO advertised "jetstream":true */
    char err[256];     /* last -ERR text or local error */
} rawconn;

/* Monotonic clock in nanoseconds. */
int64_t rawconn_now_ns(void);

/* Parses one protocol operation at buf[0..len); sets *used to its length.
 * Pure function (no I/O); used by rawconn_next and the self-test. */
int rawconn_parse(const char *buf, size_t len, rc_msg *m, size_t *used);

/* Connects to 127.0.0.1:port, reads INFO, sends CONNECT (headers on,
 * verbose off) and waits for PONG before deadline. bufsize sizes the read and
 * write buffers. Returns 0 or -1 with c->err set; on failure c is released. */
int rawconn_connect(rawconn *c, int port, const char *name, size_t bufsize, int64_t deadline);
/* Closes the socket and frees the buffers. */
void rawconn_close(rawconn *c);

/* Appends bytes to the write buffer, flushing when full. 0 or -1. */
int rawconn_write(rawconn *c, const void *p, size_t n, int64_t deadline);
/* printf-style append. */
int rawconn_printf(rawconn *c, int64_t deadline, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes out everything buffered before deadline. 0 or -1 (c->err set). */
int rawconn_flush(rawconn *c, int64_t deadline);

/* Returns the next MSG/HMSG/PONG (answers PINGs, skips +OK and INFO); RC_ERR
 * on -ERR, or a negative RC_* on failure or deadline. */
int rawconn_next(rawconn *c, rc_msg *m, int64_t deadline);
/* Sends PING and waits for its PONG; any message or -ERR before it fails. */
int rawconn_ping(rawconn *c, int64_t deadline);

/* Writes "PUB subj [reply] len\r\n" + data + "\r\n" into the buffer. */
int rawconn_pub(rawconn *c, const char *subj, const char *reply, const void *data, size_t len,
                int64_t deadline);

/* Parser self-test (split frames, HMSG, errors); returns failure count. */
int rawconn_self_test(void);

#endif
