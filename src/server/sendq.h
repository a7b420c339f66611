/* Internal send queue (server/sendq.go): a thread that publishes messages
 * queued by other parts of the server into one account, through an
 * internal system client, as if a client had published them.
 *
 * Threads: sendq_send may be called from any thread (it copies the data
 * and returns). Messages are published on the queue's own thread, in
 * order. sendq_free stops the thread (queued messages are dropped) and
 * must not be called from that thread.
 */
#ifndef CNATSD_SERVER_SENDQ_H
#define CNATSD_SERVER_SENDQ_H

#include <stdbool.h>
#include <stddef.h>

struct server;
struct account;
struct client;

typedef struct sendq sendq;

/* Go (s *Server) newSendQ: starts the queue's thread publishing into acc.
 * Returns NULL when out of memory or when the thread cannot start. The
 * caller owns the queue (sendq_free). */
sendq *server_new_send_q(struct server *s, struct account *acc);

/* Go (sq *sendq) send: queues a copy of subject, reply (NULL or "" for
 * none), headers (hdr/hlen, may be NULL) and payload. NULL sq is ignored.
 * Any thread. */
void sendq_send(sendq *sq, const char *subj, const char *rply, const char *hdr, size_t hlen, const char *msg,
                size_t mlen);

/* Stops the thread, drops what is still queued, releases its client and
 * frees sq. NULL is ignored. Not from the queue's thread. */
void sendq_free(sendq *sq);

/* Publishes one message from internal client c (system or account kind,
 * with c->acc set) through the normal inbound path (Go's pubArg setup +
 * processInboundClientMsg + flushClients, shared by sendq.go's
 * internalLoop and events.go's internalSendLoop). hdr may be NULL.
 * Returns whether anything was delivered. Only one thread may publish
 * from a given client at a time. */
bool sendq_publish(struct client *c, const char *subj, const char *rply, const char *hdr, size_t hlen,
                   const char *msg, size_t mlen);

#endif
