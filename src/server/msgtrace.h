/* Message tracing (server/msgtrace.go) for a single server.
 *
 * A client message carrying a "Nats-Trace-Dest: <subject>" header gets a
 * trace: an ingress event (who published what, and any ingress error), a
 * subject mapping event when the account maps the subject, and one egress
 * event per subscription it was (or, with "Nats-Trace-Only: true", would
 * have been) delivered to, each with the reason when delivery failed. When
 * the message is processed the trace is sent as JSON (Go MsgTraceEvent) to
 * the destination, published in the publisher's account by that account's
 * internal client (events.c). With Nats-Trace-Only the message is not
 * delivered to regular subscriptions.
 *
 * The trace lives in the producer's pub_arg (pa.trace) for the duration of
 * the message's processing, on the producer's loop thread only.
 *
 * Not in cnatsd (refused or ignored, see the port report): hop headers of
 * routes, gateways and leaf nodes, account level trace destinations that
 * external "traceparent" headers use (the account msg_trace option is
 * refused by accounts.c), JetStream events and compressed trace events.
 * Imports and exports do not carry allow_trace in cnatsd, so a trace
 * stops at a service import or stream import (Go's behaviour without
 * allow_trace): the import event is recorded, a trace only message goes
 * no further, a delivered message continues untraced.
 */
#ifndef CNATSD_SERVER_MSGTRACE_H
#define CNATSD_SERVER_MSGTRACE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct client;
struct server;
struct account;
struct subscription;

/* Header names (Go constants). */
#define MSG_TRACE_DEST "Nats-Trace-Dest"
#define MSG_TRACE_DEST_DISABLED "trace disabled"
#define MSG_TRACE_HOP "Nats-Trace-Hop"
#define MSG_TRACE_ORIGIN_ACCOUNT "Nats-Trace-Origin-Account"
#define MSG_TRACE_ONLY "Nats-Trace-Only"
#define MSG_TRACE_PARENT_HDR "traceparent"

/* Event types. */
#define MSG_TRACE_INGRESS_TYPE "in"
#define MSG_TRACE_SUBJECT_MAPPING_TYPE "sm"
#define MSG_TRACE_STREAM_EXPORT_TYPE "se"
#define MSG_TRACE_SERVICE_IMPORT_TYPE "si"
#define MSG_TRACE_JET_STREAM_TYPE "js"
#define MSG_TRACE_EGRESS_TYPE "eg"

/* Go MsgTraceProto: the protocol level of a remote that understands
 * tracing. */
#define MSG_TRACE_PROTO 2

/* Egress errors (Go errMsgTrace*). */
#define MSG_TRACE_ERR_ONLY_NO_SUPPORT "Not delivered because remote does not support message tracing"
#define MSG_TRACE_ERR_NO_SUPPORT \
    "Message delivered but remote does not support message tracing so no trace event generated from there"
#define MSG_TRACE_ERR_NO_ECHO "Not delivered because of no echo"
#define MSG_TRACE_ERR_PUB_VIOLATION "Not delivered because publish denied for this subject"
#define MSG_TRACE_ERR_SUB_DENY "Not delivered because subscription denies this subject"
#define MSG_TRACE_ERR_SUB_CLOSED "Not delivered because subscription is closed"
#define MSG_TRACE_ERR_CLIENT_CLOSED "Not delivered because client is closed"
#define MSG_TRACE_ERR_AUTO_SUB_EXCEEDED "Not delivered because auto-unsubscribe exceeded"
#define MSG_TRACE_ERR_FAST_PROD_NO_STALL "Not delivered because fast producer not stalled and consumer is slow"

/* Go ErrMaxPayload text, the ingress error of an oversized message. */
#define MSG_TRACE_ERR_MAX_PAYLOAD "maximum payload exceeded"

/* Go compressionType as far as Accept-Encoding names it. */
typedef enum msgtrace_compression {
    MSG_TRACE_NO_COMPRESSION = 0,
    MSG_TRACE_SNAPPY_COMPRESSION,
    MSG_TRACE_GZIP_COMPRESSION,
    MSG_TRACE_UNSUPPORTED_COMPRESSION,
} msgtrace_compression;

/* Go msgTrace: the trace of one inbound message. */
typedef struct msg_trace {
    int kind;               /* kind of the connection the message came from */
    struct server *srv;     /* borrowed */
    struct account *acc;    /* borrowed: the publisher's account */
    char *dest;             /* owned: where the event is sent */
    json_t *event;          /* owned: Go MsgTraceEvent */
    json_t *events;         /* borrowed from event: its "events" array */
    bool tonly;             /* trace only, no delivery */
    msgtrace_compression ct;
} msg_trace;

/* Go genHeaderMapIfTraceHeadersPresent: when the header block hdr (which
 * must start with "NATS/1.0\r\n") has a Nats-Trace-Dest header (not set to
 * "trace disabled") or a sampled traceparent header, returns a new JSON
 * object mapping each header name (case kept) to the array of its values;
 * NULL otherwise. *external is true when only traceparent was found.
 * Caller owns the result. Pure, any thread. */
json_t *msgtrace_gen_header_map_if_trace_headers_present(const char *hdr, size_t len, bool *external);

/* Go getConnName: the name of c's remote for trace events (the CONNECT
 * name; cnatsd has no routes, gateways or leaf nodes). Borrowed from c,
 * "" when unset. Caller holds c's lock or owns c's loop. */
const char *msgtrace_get_conn_name(const struct client *c);

/* Go getCompressionType: the compression an Accept-Encoding value asks
 * for (NULL or "" means none). Pure. */
msgtrace_compression msgtrace_get_compression_type(const char *cts);

/* Go sample: true when a message is picked with a sampling percentage
 * (values outside 1..99 mean always). Any thread. */
bool msgtrace_sample(int sampling);

/* Go isMsgTraceEnabled: c's current trace (NULL when none) and, in
 * *trace_only, whether it is trace only. c's loop thread. */
msg_trace *client_is_msg_trace_enabled(struct client *c, bool *trace_only);

/* Go msgTraceSupport: whether c's remote understands tracing (always for
 * clients). */
bool client_msg_trace_support(const struct client *c);

/* Go initMsgTrace: looks at the header block hdr of the message in c's
 * pub_arg and, when it asks for tracing to a destination c may publish on,
 * creates the trace (stored in c->ps.pa.trace, also returned through
 * *out). ingress_err, when not NULL, is recorded as the ingress error.
 * Returns true when the caller must skip the message's processing (trace
 * only message whose trace could not be set up, or a trace destination c
 * is not allowed to publish on: the permission error was sent). c's loop
 * thread, no lock held. */
bool client_init_msg_trace(struct client *c, const char *hdr, size_t hlen, const char *ingress_err,
                           msg_trace **out);

/* Go allowedToPublishOnMsgTraceDest: whether c may send trace events on
 * dest in acc (reserved $GNR/_GR_ and $NRG prefixes, publish
 * permissions). c's loop thread. */
bool client_allowed_to_publish_on_msg_trace_dest(struct client *c, struct server *s, struct account *acc,
                                                 const char *dest);

/* Go sendMsgTraceIngressErrEvent: for a message refused before it was
 * read (max payload), sends a trace with that ingress error when hdr asks
 * for one. c's loop thread. */
void client_send_msg_trace_ingress_err_event(struct client *c, const char *hdr, size_t hlen, const char *ingress_err);

/* Go traceOnly: t is set and trace only. NULL-safe. */
bool msg_trace_trace_only(const msg_trace *t);

/* Go setIngressError: records err as the ingress error. NULL-safe. */
void msg_trace_set_ingress_error(msg_trace *t, const char *err);

/* Go addSubjectMappingEvent: the message was mapped to subj. NULL-safe. */
void msg_trace_add_subject_mapping_event(msg_trace *t, const char *subj, size_t len);

/* Go addEgressEvent: an egress event for delivery to dc through sub, err
 * NULL or "" on success. Caller holds dc's lock. NULL-safe. */
void msg_trace_add_egress_event(msg_trace *t, struct client *dc, const struct subscription *sub, const char *err);

/* Go addStreamExportEvent: the message goes through a stream import into
 * dc's account as subject to. Takes dc's lock. NULL-safe. */
void msg_trace_add_stream_export_event(msg_trace *t, struct client *dc, const char *to, size_t tolen);

/* Go addServiceImportEvent: the message goes through a service import of
 * the exporting account acc_name, from subject from to subject to.
 * NULL-safe. */
void msg_trace_add_service_import_event(msg_trace *t, const char *acc_name, const char *from, size_t flen,
                                        const char *to, size_t tolen);

/* Go sendEvent: queues the trace event to its destination (the event's
 * JSON is handed over to events.c, t keeps a copy). NULL-safe. */
void msg_trace_send_event(msg_trace *t);

/* Frees t (NULL-safe). */
void msg_trace_free(msg_trace *t);

#endif
