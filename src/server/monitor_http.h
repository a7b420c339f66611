/* The HTTP/1.1 server behind monitoring (Go uses net/http; cnatsd has its
 * own small server on libuv with Debian's http-parser).
 *
 * Threads: the server runs its own uv loop on one thread, so building a
 * large /connz never delays the client loops. Handlers run on that thread.
 * monitor_http_new binds synchronously (port errors are reported to the
 * caller); monitor_http_start starts the thread; monitor_http_stop closes
 * the listener and every connection and joins the thread.
 *
 * Behaviour copied from Go's net/http server as the monitor configures it:
 * headers up to 1 MB (431 beyond), 5 s to send a complete request header
 * (and as keep-alive idle limit), HTTP/1.1 requests need a Host header,
 * keep-alive and pipelining, "400 Bad Request" + close on malformed input.
 * Response header order follows Go: explicitly set headers sorted, then
 * Date and Content-Length, then a sniffed Content-Type.
 */
#ifndef CNATSD_SERVER_MONITOR_HTTP_H
#define CNATSD_SERVER_MONITOR_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Go's ReadHeaderTimeout and MaxHeaderBytes for the monitor. */
#define MONITOR_HTTP_READ_HEADER_TIMEOUT_MS 5000
#define MONITOR_HTTP_MAX_HEADER_BYTES (1 << 20)

typedef struct monitor_http monitor_http;

/* One parsed request. Strings are valid during the handler call only. */
typedef struct monitor_http_request {
    const char *method; /* "GET", "HEAD", ... */
    const char *path;   /* percent-decoded path */
    const char *query;  /* raw query without '?', "" when none */
    bool head;          /* HEAD: the body is not sent */
} monitor_http_request;

#define MONITOR_HTTP_MAX_HEADERS 4

/* The handler's answer. Explicit headers must be added in sorted key order
 * (Go writes them sorted). sniff_type, when set, is written after
 * Content-Length as Go does for a type it detected itself. */
typedef struct monitor_http_response {
    int status;
    const char *hdr_name[MONITOR_HTTP_MAX_HEADERS];
    const char *hdr_value[MONITOR_HTTP_MAX_HEADERS];
    int nhdrs;
    const char *sniff_type;
    char *body;  /* malloc'd, owned by the response (freed by the server) */
    size_t len;
} monitor_http_response;

/* Builds the response for req. Runs on the HTTP thread. */
typedef void (*monitor_http_handler)(void *arg, const monitor_http_request *req,
                                     monitor_http_response *resp);

/* Creates the server and binds host:port (port 0 or -1: any). Returns NULL
 * with Go's message ("can't listen to the monitor port: ...") in err. The
 * caller owns the result (monitor_http_free). */
monitor_http *monitor_http_new(const char *host, int port, monitor_http_handler fn, void *arg,
                               char *err, size_t errlen);

/* The bound port. */
int monitor_http_port(const monitor_http *h);

/* Serves https with ctx (a reference is taken): every connection starts
 * with a TLS handshake. Before monitor_http_start. */
struct ssl_ctx_st;
void monitor_http_set_tls(monitor_http *h, struct ssl_ctx_st *ctx);

/* Starts the server thread. Returns 0 or an errno value. */
int monitor_http_start(monitor_http *h);

/* Closes the listener and the connections, joins the thread. Idempotent;
 * not from the HTTP thread. */
void monitor_http_stop(monitor_http *h);

/* Stops (if needed) and frees. NULL is fine. */
void monitor_http_free(monitor_http *h);

/* Number of open HTTP connections (tests). Any thread. */
int monitor_http_num_conns(monitor_http *h);

/* Adds a header to resp (name and value must outlive the response). */
void monitor_http_response_header(monitor_http_response *resp, const char *name, const char *value);

/* Sets a plain-text body, as Go's w.WriteHeader(code); w.Write(text):
 * sniffed "text/plain; charset=utf-8". Returns 0 or -1 on OOM. */
int monitor_http_response_text(monitor_http_response *resp, int status, const char *text);

/* Go's reason phrase for a status code ("OK", "Not Found", ...). */
const char *monitor_http_status_text(int status);

#endif
