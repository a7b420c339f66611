/* Protocol parser (server/parser.go): the byte-at-a-time state machine that
 * turns a client's inbound bytes into protocol operations.
 *
 * Threading: a client's parse state belongs to the thread that reads the
 * client's socket (its event loop), or to the test driving a dummy client.
 * Nothing in here takes the server lock.
 */
#ifndef CNATSD_SERVER_PARSER_H
#define CNATSD_SERVER_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/const.h"

struct client;

/* Parser states (Go parserState), in Go's order. */
typedef enum parser_state {
    OP_START = 0,
    OP_PLUS,
    OP_PLUS_O,
    OP_PLUS_OK,
    OP_MINUS,
    OP_MINUS_E,
    OP_MINUS_ER,
    OP_MINUS_ERR,
    OP_MINUS_ERR_SPC,
    MINUS_ERR_ARG,
    OP_C,
    OP_CO,
    OP_CON,
    OP_CONN,
    OP_CONNE,
    OP_CONNEC,
    OP_CONNECT,
    CONNECT_ARG,
    OP_H,
    OP_HP,
    OP_HPU,
    OP_HPUB,
    OP_HPUB_SPC,
    HPUB_ARG,
    OP_HM,
    OP_HMS,
    OP_HMSG,
    OP_HMSG_SPC,
    HMSG_ARG,
    OP_P,
    OP_PU,
    OP_PUB,
    OP_PUB_SPC,
    PUB_ARG,
    OP_PI,
    OP_PIN,
    OP_PING,
    OP_PO,
    OP_PON,
    OP_PONG,
    MSG_PAYLOAD,
    MSG_END_R,
    MSG_END_N,
    OP_S,
    OP_SU,
    OP_SUB,
    OP_SUB_SPC,
    SUB_ARG,
    OP_A,
    OP_ASUB,
    OP_ASUB_SPC,
    ASUB_ARG,
    OP_AUSUB,
    OP_AUSUB_SPC,
    AUSUB_ARG,
    OP_L,
    OP_LS,
    OP_R,
    OP_RS,
    OP_U,
    OP_UN,
    OP_UNS,
    OP_UNSU,
    OP_UNSUB,
    OP_UNSUB_SPC,
    UNSUB_ARG,
    OP_M,
    OP_MS,
    OP_MSG,
    OP_MSG_SPC,
    MSG_ARG,
    OP_I,
    OP_IN,
    OP_INF,
    OP_INFO,
    INFO_ARG,
} parser_state;

/* Error results of the parser and of the process_* calls it makes (the Go
 * error values they stand for). The human text is in client.err_text. */
typedef enum client_err {
    CLIENT_OK = 0,
    CLIENT_ERR_PROTOCOL = -1,           /* fmt.Errorf parse errors */
    CLIENT_ERR_MAX_CONTROL_LINE = -2,   /* ErrMaxControlLine */
    CLIENT_ERR_MAX_PAYLOAD = -3,        /* ErrMaxPayload */
    CLIENT_ERR_AUTHENTICATION = -4,     /* ErrAuthentication */
    CLIENT_ERR_HEADERS_NOT_SUPPORTED = -5, /* ErrMsgHeadersNotSupported */
    CLIENT_ERR_BAD_CLIENT_PROTOCOL = -6,   /* ErrBadClientProtocol */
    CLIENT_ERR_NO_RESPONDERS_REQUIRES_HEADERS = -7,
    CLIENT_ERR_JSON = -8,               /* CONNECT/INFO JSON errors */
    CLIENT_ERR_NOT_SUPPORTED = -9,      /* a feature cnatsd lacks (routes, ...) */
    CLIENT_ERR_CONNECTION_CLOSED = -10, /* ErrConnectionClosed */
    CLIENT_ERR_TOO_MANY_SUBS = -11,     /* ErrTooManySubs */
    CLIENT_ERR_MALFORMED_SUBJECT = -12, /* ErrMalformedSubject */
    CLIENT_ERR_SUB_PERMISSION = -13,    /* ErrSubscribePermissionViolation */
    CLIENT_ERR_TOO_MANY_SUB_TOKENS = -14,
} client_err;

/* A byte slice into a buffer the parser does not own. */
typedef struct pbytes {
    const char *p; /* NULL means "nil" (Go nil slice) */
    size_t len;
} pbytes;

/* Arguments of the current PUB/HPUB/MSG (Go pubArg). The slices point
 * into the read buffer or into the parse state's arg buffer. */
typedef struct pub_arg {
    pbytes arg;
    pbytes subject;
    pbytes reply;
    pbytes szb;
    pbytes hdb;
    int size;
    int hdr; /* -1: no header */
    struct msg_trace *trace; /* message trace while processing (msgtrace.h) */
} pub_arg;

/* Parse state embedded in struct client (Go parseState). */
typedef struct parse_state {
    parser_state state;
    unsigned char op;
    int as;
    int drop;
    pub_arg pa;
    /* Split control line (Go argBuf). arg_set false means nil. */
    bool arg_set;
    char *arg_buf;
    size_t arg_len, arg_cap;
    /* Split message payload (Go msgBuf). msg_set false means nil; msg_p
     * points into msg_store or, for a complete message, into the read
     * buffer. */
    bool msg_set;
    const char *msg_p;
    size_t msg_len;
    char *msg_store;
    size_t msg_cap;
} parse_state;

/* Feeds len bytes to the client's parser, running each complete operation
 * (Go client.parse). Returns CLIENT_OK or a client_err; the text is in
 * c->err_text. Runs on the client's loop thread (or a test thread). */
int client_parse(struct client *c, const char *buf, size_t len);

/* Go protoSnippet: writes the Go-quoted (%q) slice buf[start:start+max]
 * (Go's odd end clamp included) into out. Returns out. */
char *parser_proto_snippet(int start, int max, const char *buf, size_t len, char *out, size_t outlen);

/* Go (c *client) overMaxControlLineLimit: when arg is longer than the
 * effective limit (mcl, 16x for non-clients) sends -ERR, closes the
 * connection and returns CLIENT_ERR_MAX_CONTROL_LINE. */
int client_over_max_control_line_limit(struct client *c, const char *arg, size_t len, int32_t mcl);

/* Go (c *client) clonePubArg: copies the current pub args into the arg
 * buffer and re-parses them so they survive the read buffer. */
int client_clone_pub_arg(struct client *c, bool lmsg);

/* Writes s[0:len] quoted as Go's %q would into out (truncating). Returns
 * the number of bytes written (without the NUL). */
size_t parser_go_quote(const char *s, size_t len, char *out, size_t outlen);

/* Releases the parse state's buffers (used when freeing a client). */
void parse_state_free(parse_state *ps);

#endif
