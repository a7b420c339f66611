/* Message tracing for a single server (server/msgtrace.go); see msgtrace.h. */
#include "server/msgtrace.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server/accounts.h"
#include "server/auth.h"
#include "server/client.h"
#include "server/events.h"
#include "server/monitor.h"
#include "server/server.h"
#include "server/sublist.h"

#define MSG_TRACE_HDR_LINE "NATS/1.0\r\n"
#define MSG_TRACE_GW_REPLY_PREFIX "_GR_."
#define MSG_TRACE_NRG_PREFIX "$NRG."
#define MSG_TRACE_ACCEPT_ENCODING "Accept-Encoding"

/* A JSON object with "type" and "ts" (Go MsgTraceBase), NULL on OOM. */
static json_t *msgtrace_base(const char *type)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char tbuf[64];
    monitor_format_time((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, tbuf, sizeof(tbuf));
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "ts", json_string(tbuf));
    return o;
}

/* Sets k to the string s when s is not empty (Go omitempty). */
static void msgtrace_set_str_omit(json_t *o, const char *k, const char *s, size_t len)
{
    if (s && len > 0)
        json_object_set_new(o, k, json_stringn(s, len));
}

/* Appends the event e (taken) to t's events. */
static void msgtrace_append(msg_trace *t, json_t *e)
{
    if (e && t->events)
        json_array_append_new(t->events, e);
    else
        json_decref(e);
}

/* Parses a traceparent value: 4 dash separated tokens, the last two hex
 * digits fitting an int8 with the sampled bit set. */
static bool msgtrace_parent_sampled(const char *v, size_t len)
{
    int dashes = 0;
    size_t last = 0;
    for (size_t i = 0; i < len; i++)
        if (v[i] == '-') {
            dashes++;
            last = i + 1;
        }
    if (dashes != 3 || len - last != 2)
        return false;
    int hv = 0;
    for (size_t i = last; i < len; i++) {
        int ch = (unsigned char)v[i], d;
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (ch >= 'a' && ch <= 'f')
            d = ch - 'a' + 10;
        else if (ch >= 'A' && ch <= 'F')
            d = ch - 'A' + 10;
        else
            return false;
        hv = hv * 16 + d;
    }
    /* Go parses it as a signed 8 bit value: above 0x7f is an error. */
    return hv <= 0x7f && (hv & 0x1) == 0x1;
}

static const char *msgtrace_memmem(const char *h, size_t hl, const char *n, size_t nl)
{
    return memmem(h, hl, n, nl);
}

json_t *msgtrace_gen_header_map_if_trace_headers_present(const char *hdr, size_t len, bool *external)
{
    *external = false;
    const size_t hl = strlen(MSG_TRACE_HDR_LINE);
    if (!hdr || len < hl || memcmp(hdr, MSG_TRACE_HDR_LINE, hl) != 0)
        return NULL;
    /* Offsets of the kept keys and values (Go uses 64 entry arrays, but
     * grows past them; so do we). */
    size_t cap = 16, n = 0;
    size_t(*kv)[4] = malloc(cap * sizeof(*kv));
    if (!kv)
        return NULL;
    bool dest_found = false, parent_found = false;
    const size_t dlen = strlen(MSG_TRACE_DEST), plen = strlen(MSG_TRACE_PARENT_HDR);
    for (size_t i = hl; i < len;) {
        const char *colon = memchr(hdr + i, ':', len - i);
        if (!colon)
            break;
        size_t ks = i, klen = (size_t)(colon - (hdr + i));
        i += klen + 1;
        while (i < len && (hdr[i] == ' ' || hdr[i] == '\t'))
            i++;
        size_t vs = i;
        const char *nl = msgtrace_memmem(hdr + vs, len - vs, "\r\n", 2);
        if (!nl)
            break;
        size_t ve = (size_t)(nl - hdr);
        size_t nlo = ve - vs;
        while (ve > vs && (hdr[ve - 1] == ' ' || hdr[ve - 1] == '\t'))
            ve--;
        if (klen > 0 && ve > vs) {
            const char *key = hdr + ks, *val = hdr + vs;
            size_t vlen = ve - vs;
            if (!parent_found && klen == plen && strncasecmp(key, MSG_TRACE_PARENT_HDR, plen) == 0) {
                if (msgtrace_parent_sampled(val, vlen))
                    parent_found = true;
            } else if (!dest_found && klen == dlen && memcmp(key, MSG_TRACE_DEST, dlen) == 0) {
                if (vlen == strlen(MSG_TRACE_DEST_DISABLED) && memcmp(val, MSG_TRACE_DEST_DISABLED, vlen) == 0) {
                    free(kv);
                    return NULL;
                }
                dest_found = true;
            }
            if (n == cap) {
                size_t(*nkv)[4] = realloc(kv, cap * 2 * sizeof(*kv));
                if (!nkv) {
                    free(kv);
                    return NULL;
                }
                kv = nkv;
                cap *= 2;
            }
            kv[n][0] = ks;
            kv[n][1] = klen;
            kv[n][2] = vs;
            kv[n][3] = vlen;
            n++;
        }
        i = vs + nlo + 2;
    }
    json_t *m = NULL;
    if (dest_found || parent_found) {
        m = json_object();
        for (size_t k = 0; m && k < n; k++) {
            char *key = strndup(hdr + kv[k][0], kv[k][1]);
            if (!key)
                break;
            json_t *arr = json_object_get(m, key);
            if (!arr) {
                arr = json_array();
                json_object_set_new(m, key, arr);
            }
            json_array_append_new(arr, json_stringn(hdr + kv[k][2], kv[k][3]));
            free(key);
        }
        *external = !dest_found && parent_found;
    }
    free(kv);
    return m;
}

const char *msgtrace_get_conn_name(const client *c)
{
    /* Routes, gateways and leaf nodes (their remote names) are not in
     * cnatsd: every connection is named by its CONNECT name. */
    return c->opts.name ? c->opts.name : "";
}

msgtrace_compression msgtrace_get_compression_type(const char *cts)
{
    if (!cts || !cts[0])
        return MSG_TRACE_NO_COMPRESSION;
    char *low = strdup(cts);
    if (!low)
        return MSG_TRACE_UNSUPPORTED_COMPRESSION;
    for (char *p = low; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    msgtrace_compression ct = MSG_TRACE_UNSUPPORTED_COMPRESSION;
    if (strstr(low, "snappy") || strstr(low, "s2"))
        ct = MSG_TRACE_SNAPPY_COMPRESSION;
    else if (strstr(low, "gzip"))
        ct = MSG_TRACE_GZIP_COMPRESSION;
    free(low);
    return ct;
}

bool msgtrace_sample(int sampling)
{
    if (sampling <= 0 || sampling >= 100)
        return true;
    /* random() is good enough for sampling. */
    return (int)(random() % 100) <= sampling;
}

msg_trace *client_is_msg_trace_enabled(client *c, bool *trace_only)
{
    msg_trace *t = c->ps.pa.trace;
    if (trace_only)
        *trace_only = t ? t->tonly : false;
    return t;
}

bool client_msg_trace_support(const client *c)
{
    return c->kind == CLIENT_KIND_CLIENT || c->opts.protocol >= MSG_TRACE_PROTO;
}

/* First value of header key in the map h, or NULL. */
static const char *msgtrace_hdr_val(json_t *h, const char *key)
{
    return json_string_value(json_array_get(json_object_get(h, key), 0));
}

bool client_allowed_to_publish_on_msg_trace_dest(client *c, server *s, account *acc, const char *dest)
{
    size_t dl = strlen(dest);
    size_t gl = strlen(MSG_TRACE_GW_REPLY_PREFIX);
    if (dl > gl && memcmp(dest, MSG_TRACE_GW_REPLY_PREFIX, gl) == 0)
        return false;
    if (strncmp(dest, MSG_TRACE_NRG_PREFIX, strlen(MSG_TRACE_NRG_PREFIX)) == 0 && acc != server_system_account(s))
        return false;
    /* Leaf node permissions do not apply: no leaf nodes in cnatsd. */
    if (client_has_pub_perms(c) && !client_pub_allowed_full_check(c, dest, dl, false))
        return false;
    return true;
}

bool client_init_msg_trace(client *c, const char *hdr, size_t hlen, const char *ingress_err, msg_trace **out)
{
    *out = NULL;
    bool external = false;
    json_t *headers = msgtrace_gen_header_map_if_trace_headers_present(hdr, hlen, &external);
    if (!headers || json_object_size(headers) == 0) {
        json_decref(headers);
        return false;
    }
    bool trace_only = false;
    const char *dest = NULL;
    int kind = c->kind;
    if (!external) {
        const char *to = msgtrace_hdr_val(headers, MSG_TRACE_ONLY);
        if (to && (strcasecmp(to, "1") == 0 || strcasecmp(to, "true") == 0 || strcasecmp(to, "on") == 0))
            trace_only = true;
        dest = msgtrace_hdr_val(headers, MSG_TRACE_DEST);
        if (!dest || !dest[0]) {
            json_decref(headers);
            return trace_only;
        }
    }
    const char *origin = msgtrace_hdr_val(headers, MSG_TRACE_ORIGIN_ACCOUNT);
    if (origin && origin[0]) {
        /* Go also rewrites the destination header to "trace disabled" so
         * that routed copies are not traced; without routes the message is
         * simply delivered untraced. */
        client_errorf(c, "Message tracing disabled because of header \"%s\" with value=\"%s\"",
                      MSG_TRACE_ORIGIN_ACCOUNT, origin);
        json_decref(headers);
        return trace_only;
    }
    account *acc = c->acc;
    server *s = c->srv;
    if (!s || (!acc && (kind == CLIENT_KIND_CLIENT || kind == CLIENT_KIND_LEAF))) {
        json_decref(headers);
        return trace_only;
    }
    if (external) {
        /* External traceparent headers are traced to the account's trace
         * destination; accounts have none in cnatsd (the msg_trace account
         * option is refused), so this is not an error and not traced. */
        json_decref(headers);
        return false;
    }
    if (!sublist_is_valid_publish_subject(dest, strlen(dest))) {
        client_errorf(c, "Destination \"%s\" is not valid, won't be able to trace events", dest);
        json_decref(headers);
        return trace_only;
    }
    if (!client_allowed_to_publish_on_msg_trace_dest(c, s, acc, dest)) {
        if (kind == CLIENT_KIND_CLIENT || kind == CLIENT_KIND_LEAF)
            client_pub_permission_violation(c, dest, strlen(dest));
        else
            client_errorf(c, "Publish Violation - Subject \"%s\"", dest);
        json_decref(headers);
        return true;
    }
    msg_trace *t = calloc(1, sizeof(*t));
    json_t *ev = json_object(), *req = json_object(), *events = json_array(), *in = msgtrace_base(MSG_TRACE_INGRESS_TYPE);
    char *d = strdup(dest);
    if (!t || !ev || !req || !events || !in || !d) {
        free(t);
        free(d);
        json_decref(ev);
        json_decref(req);
        json_decref(events);
        json_decref(in);
        json_decref(headers);
        return trace_only;
    }
    t->kind = kind;
    t->srv = s;
    t->acc = acc;
    t->dest = d;
    t->tonly = trace_only;
    t->ct = msgtrace_get_compression_type(msgtrace_hdr_val(headers, MSG_TRACE_ACCEPT_ENCODING));
    json_object_set_new(ev, "server", json_object());
    json_object_set_new(req, "header", headers);
    if (c->ps.pa.size > 0)
        json_object_set_new(req, "msgsize", json_integer(c->ps.pa.size));
    json_object_set_new(ev, "request", req);
    json_object_set_new(in, "kind", json_integer(kind));
    json_object_set_new(in, "cid", json_integer((json_int_t)c->cid));
    const char *name = msgtrace_get_conn_name(c);
    msgtrace_set_str_omit(in, "name", name, strlen(name));
    json_object_set_new(in, "acc", json_string(acc->name));
    json_object_set_new(in, "subj", json_stringn(c->ps.pa.subject.p, c->ps.pa.subject.len));
    if (ingress_err)
        msgtrace_set_str_omit(in, "error", ingress_err, strlen(ingress_err));
    json_array_append_new(events, in);
    json_object_set_new(ev, "events", events);
    t->event = ev;
    t->events = events;
    c->ps.pa.trace = t;
    *out = t;
    return false;
}

void client_send_msg_trace_ingress_err_event(client *c, const char *hdr, size_t hlen, const char *ingress_err)
{
    if (!ingress_err)
        return;
    msg_trace *t = NULL;
    client_init_msg_trace(c, hdr, hlen, ingress_err, &t);
    if (!t)
        return;
    msg_trace_send_event(t);
    c->ps.pa.trace = NULL;
    msg_trace_free(t);
}

bool msg_trace_trace_only(const msg_trace *t)
{
    return t && t->tonly;
}

void msg_trace_set_ingress_error(msg_trace *t, const char *err)
{
    if (!t || !t->events)
        return;
    json_t *in = json_array_get(t->events, 0);
    const char *typ = json_string_value(json_object_get(in, "type"));
    if (typ && strcmp(typ, MSG_TRACE_INGRESS_TYPE) == 0 && err)
        json_object_set_new(in, "error", json_string(err));
}

void msg_trace_add_subject_mapping_event(msg_trace *t, const char *subj, size_t len)
{
    if (!t)
        return;
    json_t *e = msgtrace_base(MSG_TRACE_SUBJECT_MAPPING_TYPE);
    if (e)
        json_object_set_new(e, "to", json_stringn(subj, len));
    msgtrace_append(t, e);
}

void msg_trace_add_egress_event(msg_trace *t, client *dc, const subscription *sub, const char *err)
{
    if (!t)
        return;
    json_t *e = msgtrace_base(MSG_TRACE_EGRESS_TYPE);
    if (!e)
        return;
    json_object_set_new(e, "kind", json_integer(dc->kind));
    json_object_set_new(e, "cid", json_integer((json_int_t)dc->cid));
    const char *name = msgtrace_get_conn_name(dc);
    msgtrace_set_str_omit(e, "name", name, strlen(name));
    /* No hop: hops exist only across routes, gateways and leaf nodes. */
    if ((dc->kind == CLIENT_KIND_CLIENT || dc->kind == CLIENT_KIND_LEAF) && dc->acc) {
        json_t *in = json_array_get(t->events, 0);
        const char *iacc = json_string_value(json_object_get(in, "acc"));
        if (iacc && strcmp(iacc, dc->acc->name) != 0)
            json_object_set_new(e, "acc", json_string(dc->acc->name));
    }
    if (dc->kind == CLIENT_KIND_CLIENT && sub) {
        msgtrace_set_str_omit(e, "sub", sub->subject, sub->subject_len);
        msgtrace_set_str_omit(e, "queue", sub->queue, sub->queue_len);
    }
    if (err)
        msgtrace_set_str_omit(e, "error", err, strlen(err));
    msgtrace_append(t, e);
}

void msg_trace_add_stream_export_event(msg_trace *t, client *dc, const char *to, size_t tolen)
{
    if (!t)
        return;
    json_t *e = msgtrace_base(MSG_TRACE_STREAM_EXPORT_TYPE);
    if (!e)
        return;
    pthread_mutex_lock(&dc->mu);
    json_object_set_new(e, "acc", json_string(dc->acc ? dc->acc->name : ""));
    pthread_mutex_unlock(&dc->mu);
    json_object_set_new(e, "to", json_stringn(to, tolen));
    msgtrace_append(t, e);
}

void msg_trace_add_service_import_event(msg_trace *t, const char *acc_name, const char *from, size_t flen,
                                        const char *to, size_t tolen)
{
    if (!t)
        return;
    json_t *e = msgtrace_base(MSG_TRACE_SERVICE_IMPORT_TYPE);
    if (!e)
        return;
    json_object_set_new(e, "acc", json_string(acc_name ? acc_name : ""));
    json_object_set_new(e, "from", json_stringn(from, flen));
    json_object_set_new(e, "to", json_stringn(to, tolen));
    msgtrace_append(t, e);
}

void msg_trace_send_event(msg_trace *t)
{
    if (!t || !t->event)
        return;
    json_t *ev = t->event;
    t->event = NULL;
    t->events = NULL;
    /* Compressed events (Accept-Encoding) are not supported: the event is
     * always sent as plain JSON. */
    server_send_internal_account_sys_msg(t->srv, t->acc, t->dest, json_object_get(ev, "server"), ev);
}

void msg_trace_free(msg_trace *t)
{
    if (!t)
        return;
    json_decref(t->event);
    free(t->dest);
    free(t);
}
