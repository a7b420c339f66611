/* Internal send queue (server/sendq.go). See sendq.h. */
#include "server/sendq.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/accounts.h"
#include "server/client.h"
#include "server/events.h"
#include "server/server.h"

/* Go outMsg. */
typedef struct out_msg {
    struct out_msg *next;
    char *subj;
    char *rply; /* NULL: none */
    char *hdr;
    size_t hlen;
    char *msg;
    size_t mlen;
} out_msg;

struct sendq {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    out_msg *head, *tail;
    bool stop;
    struct server *s;
    struct account *a;
    pthread_t thr;
};

static void out_msg_free(out_msg *m)
{
    if (!m)
        return;
    free(m->subj);
    free(m->rply);
    free(m->hdr);
    free(m->msg);
    free(m);
}

bool sendq_publish(client *c, const char *subj, const char *rply, const char *hdr, size_t hlen, const char *msg,
                   size_t mlen)
{
    size_t total = hlen + mlen + 2;
    char *buf = malloc(total);
    if (!buf)
        return false;
    if (hlen)
        memcpy(buf, hdr, hlen);
    if (mlen)
        memcpy(buf + hlen, msg, mlen);
    buf[hlen + mlen] = '\r';
    buf[hlen + mlen + 1] = '\n';
    char szb[24], hdb[24];
    int szl = snprintf(szb, sizeof(szb), "%zu", hlen + mlen);
    int hdl = snprintf(hdb, sizeof(hdb), "%zu", hlen);
    pub_arg *pa = &c->ps.pa;
    pa->subject.p = subj;
    pa->subject.len = strlen(subj);
    pa->reply.p = rply && rply[0] ? rply : NULL;
    pa->reply.len = rply && rply[0] ? strlen(rply) : 0;
    pa->size = (int)(hlen + mlen);
    pa->szb.p = szb;
    pa->szb.len = (size_t)szl;
    pa->hdr = hlen ? (int)hlen : -1;
    pa->hdb.p = hlen ? hdb : NULL;
    pa->hdb.len = hlen ? (size_t)hdl : 0;
    bool did = client_process_inbound_client_msg(c, buf, total);
    client_flush_clients(c);
    /* The arguments pointed at this frame. */
    memset(pa, 0, sizeof(*pa));
    pa->hdr = -1;
    free(buf);
    return did;
}

/* Go (sq *sendq) internalLoop. */
static void *sendq_internal_loop(void *arg)
{
    sendq *sq = arg;
    client *c = client_new(sq->s, CLIENT_KIND_SYSTEM);
    if (c) {
        client_init_client(c);
        c->echo = false;
        c->headers = true;
        c->opts.verbose = false;
        c->opts.echo = false;
        /* Bound without being counted as a connection of the account. */
        c->acc = sq->a;
    }
    pthread_mutex_lock(&sq->mu);
    for (;;) {
        while (!sq->stop && !sq->head)
            pthread_cond_wait(&sq->cv, &sq->mu);
        if (sq->stop)
            break;
        out_msg *batch = sq->head;
        sq->head = sq->tail = NULL;
        pthread_mutex_unlock(&sq->mu);
        while (batch) {
            out_msg *m = batch;
            batch = m->next;
            if (c && server_is_running(sq->s)) {
                server_events_enter_publish(sq->s);
                sendq_publish(c, m->subj, m->rply, m->hdr, m->hlen, m->msg, m->mlen);
                server_events_exit_publish(sq->s);
            }
            out_msg_free(m);
        }
        pthread_mutex_lock(&sq->mu);
    }
    pthread_mutex_unlock(&sq->mu);
    if (c)
        client_release(c);
    return NULL;
}

sendq *server_new_send_q(struct server *s, struct account *acc)
{
    sendq *sq = calloc(1, sizeof(*sq));
    if (!sq)
        return NULL;
    pthread_mutex_init(&sq->mu, NULL);
    pthread_cond_init(&sq->cv, NULL);
    sq->s = s;
    sq->a = acc;
    if (pthread_create(&sq->thr, NULL, sendq_internal_loop, sq) != 0) {
        pthread_cond_destroy(&sq->cv);
        pthread_mutex_destroy(&sq->mu);
        free(sq);
        return NULL;
    }
    return sq;
}

static char *sendq_dup(const char *p, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        if (n)
            memcpy(d, p, n);
        d[n] = '\0';
    }
    return d;
}

void sendq_send(sendq *sq, const char *subj, const char *rply, const char *hdr, size_t hlen, const char *msg,
                size_t mlen)
{
    if (!sq)
        return;
    out_msg *m = calloc(1, sizeof(*m));
    if (!m)
        return;
    m->subj = strdup(subj);
    m->rply = rply && rply[0] ? strdup(rply) : NULL;
    m->hdr = hlen ? sendq_dup(hdr, hlen) : NULL;
    m->hlen = hlen;
    m->msg = sendq_dup(msg ? msg : "", mlen);
    m->mlen = mlen;
    if (!m->subj || !m->msg || (rply && rply[0] && !m->rply) || (hlen && !m->hdr)) {
        out_msg_free(m);
        return;
    }
    pthread_mutex_lock(&sq->mu);
    if (sq->stop) {
        pthread_mutex_unlock(&sq->mu);
        out_msg_free(m);
        return;
    }
    if (sq->tail)
        sq->tail->next = m;
    else
        sq->head = m;
    sq->tail = m;
    pthread_cond_signal(&sq->cv);
    pthread_mutex_unlock(&sq->mu);
}

void sendq_free(sendq *sq)
{
    if (!sq)
        return;
    pthread_mutex_lock(&sq->mu);
    sq->stop = true;
    pthread_cond_signal(&sq->cv);
    pthread_mutex_unlock(&sq->mu);
    pthread_join(sq->thr, NULL);
    out_msg *m = sq->head;
    while (m) {
        out_msg *n = m->next;
        out_msg_free(m);
        m = n;
    }
    pthread_cond_destroy(&sq->cv);
    pthread_mutex_destroy(&sq->mu);
    free(sq);
}
