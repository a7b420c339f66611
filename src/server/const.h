/* Server constants (server/const.go). Owned by the core server port; other
 * modules may read these. Durations are int64 nanoseconds. */
#ifndef CNATSD_SERVER_CONST_H
#define CNATSD_SERVER_CONST_H

#include <stddef.h>
#include <stdint.h>

/* The nats-server release whose behaviour cnatsd matches. Clients gate on it. */
#define SERVER_VERSION "2.14.5"

#define CONST_NS_MS ((int64_t)1000000)
#define CONST_NS_S ((int64_t)1000000000)

/* Signal commands (Go Command values). */
#define COMMAND_STOP "stop"
#define COMMAND_QUIT "quit"
#define COMMAND_REOPEN "reopen"
#define COMMAND_RELOAD "reload"
#define COMMAND_LD_MODE "ldm"
#define COMMAND_TERM "term"

/* Client protocol version advertised in INFO. */
#define PROTO 1
#define DEFAULT_PORT 4222
#define RANDOM_PORT (-1)
#define DEFAULT_HOST "0.0.0.0"
#define MAX_CONTROL_LINE_SIZE 4096
#define MAX_PAYLOAD_SIZE (1024 * 1024)
#define MAX_PAYLOAD_MAX_SIZE (8 * 1024 * 1024)
#define MAX_PENDING_SIZE ((int64_t)64 * 1024 * 1024)
#define DEFAULT_MAX_CONNECTIONS (64 * 1024)
#define TLS_TIMEOUT (2 * CONST_NS_S)
#define DEFAULT_TLS_HANDSHAKE_FIRST_FALLBACK_DELAY (50 * CONST_NS_MS)
#define AUTH_TIMEOUT (2 * CONST_NS_S)
#define DEFAULT_PING_INTERVAL (120 * CONST_NS_S)
#define DEFAULT_PING_MAX_OUT 2
#define CR_LF "\r\n"
#define LEN_CR_LF 2
#define DEFAULT_FLUSH_DEADLINE (10 * CONST_NS_S)
#define DEFAULT_HTTP_PORT 8222
#define DEFAULT_HTTP_BASE_PATH "/"
#define ACCEPT_MIN_SLEEP (10 * CONST_NS_MS)
#define ACCEPT_MAX_SLEEP (1 * CONST_NS_S)
#define DEFAULT_ROUTE_CONNECT (1 * CONST_NS_S)
#define DEFAULT_ROUTE_CONNECT_MAX (30 * CONST_NS_S)
#define DEFAULT_ROUTE_RECONNECT (1 * CONST_NS_S)
#define DEFAULT_ROUTE_DIAL (1 * CONST_NS_S)
#define DEFAULT_ROUTE_POOL_SIZE 3
#define DEFAULT_LEAF_NODE_RECONNECT (1 * CONST_NS_S)
#define DEFAULT_LEAF_TLS_TIMEOUT (2 * CONST_NS_S)
#define PROTO_SNIPPET_SIZE 32
#define MAX_CONTROL_LINE_SNIPPET_SIZE 128
#define MAX_MSG_ARGS 4
#define MAX_RMSG_ARGS 6
#define MAX_HMSG_ARGS 7
#define MAX_PUB_ARGS 3
#define MAX_HPUB_ARGS 4
#define MAX_RSUB_ARGS 6
#define DEFAULT_MAX_CLOSED_CLIENTS 10000
#define DEFAULT_LAME_DUCK_DURATION (120 * CONST_NS_S)
#define DEFAULT_LAME_DUCK_GRACE_PERIOD (10 * CONST_NS_S)
#define DEFAULT_LEAFNODE_INFO_WAIT (1 * CONST_NS_S)
#define DEFAULT_LEAFNODE_PORT 7422
#define DEFAULT_CONNECT_ERROR_REPORTS 3600
#define DEFAULT_RECONNECT_ERROR_REPORTS 1
#define DEFAULT_RTT_MEASUREMENT_INTERVAL (3600 * CONST_NS_S)
#define DEFAULT_ALLOW_RESPONSE_MAX_MSGS 1
#define DEFAULT_ALLOW_RESPONSE_EXPIRATION (120 * CONST_NS_S)
#define DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD (120 * CONST_NS_S)
#define DEFAULT_SERVICE_LATENCY_SAMPLING 100
#define DEFAULT_SYSTEM_ACCOUNT "$SYS"
#define DEFAULT_GLOBAL_ACCOUNT "$G"
#define DEFAULT_ACCOUNT_FETCH_TIMEOUT (1900 * CONST_NS_MS)

/* Returns the first 7 characters of a VCS revision (Go formatRevision),
 * written into out (at least 8 bytes). */
void const_format_revision(const char *revision, char *out, size_t outlen);

#endif
