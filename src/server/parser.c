/* Protocol parser (server/parser.go). */
#include "server/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/client.h"
#include "server/auth.h"

/* Large message buffers are released after use above this size. */
#define PARSER_KEEP_MSG_BUF (64 * 1024)

static int ps_reserve(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 256;
    while (ncap < need)
        ncap *= 2;
    char *nb = realloc(*buf, ncap);
    if (!nb)
        return -1;
    *buf = nb;
    *cap = ncap;
    return 0;
}

void parse_state_free(parse_state *ps)
{
    free(ps->arg_buf);
    free(ps->msg_store);
    ps->arg_buf = NULL;
    ps->msg_store = NULL;
    ps->arg_cap = ps->msg_cap = 0;
    ps->arg_set = ps->msg_set = false;
}

/* Appends one byte to the split control line. */
static void ps_arg_append(parse_state *ps, const char *p, size_t n)
{
    if (ps_reserve(&ps->arg_buf, &ps->arg_cap, ps->arg_len + n) != 0)
        abort();
    memcpy(ps->arg_buf + ps->arg_len, p, n);
    ps->arg_len += n;
}

/* Appends to the split message buffer (msg_p must be msg_store). */
static void ps_msg_append(parse_state *ps, const char *p, size_t n)
{
    if (ps_reserve(&ps->msg_store, &ps->msg_cap, ps->msg_len + n) != 0)
        abort();
    memcpy(ps->msg_store + ps->msg_len, p, n);
    ps->msg_len += n;
    ps->msg_p = ps->msg_store;
}

size_t parser_go_quote(const char *s, size_t len, char *out, size_t outlen)
{
    size_t o = 0;
    if (outlen == 0)
        return 0;
#define PUT(ch)                  \
    do {                         \
        if (o + 1 < outlen)      \
            out[o++] = (char)(ch); \
    } while (0)
    static const char hex[] = "0123456789abcdef";
    PUT('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '"': PUT('\\'); PUT('"'); continue;
        case '\\': PUT('\\'); PUT('\\'); continue;
        case '\a': PUT('\\'); PUT('a'); continue;
        case '\b': PUT('\\'); PUT('b'); continue;
        case '\f': PUT('\\'); PUT('f'); continue;
        case '\n': PUT('\\'); PUT('n'); continue;
        case '\r': PUT('\\'); PUT('r'); continue;
        case '\t': PUT('\\'); PUT('t'); continue;
        case '\v': PUT('\\'); PUT('v'); continue;
        default: break;
        }
        if (ch >= 0x20 && ch < 0x7f) {
            PUT(ch);
            continue;
        }
        if (ch >= 0x80) {
            /* A valid UTF-8 sequence is printed as is. */
            size_t n = ch >= 0xf0 && ch < 0xf5 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc2 && ch < 0xe0 ? 2 : 0;
            if (ch >= 0xf5)
                n = 0;
            bool ok = n > 0 && i + n <= len;
            for (size_t k = 1; ok && k < n; k++)
                if (((unsigned char)s[i + k] & 0xc0) != 0x80)
                    ok = false;
            if (ok) {
                for (size_t k = 0; k < n; k++)
                    PUT(s[i + k]);
                i += n - 1;
                continue;
            }
        }
        PUT('\\'); PUT('x'); PUT(hex[ch >> 4]); PUT(hex[ch & 15]);
    }
    PUT('"');
#undef PUT
    out[o] = '\0';
    return o;
}

char *parser_proto_snippet(int start, int max, const char *buf, size_t len, char *out, size_t outlen)
{
    int stop = start + max;
    int bsz = (int)len;
    if (start >= bsz) {
        snprintf(out, outlen, "\"\"");
        return out;
    }
    if (stop > bsz)
        stop = bsz - 1;
    if (stop < start)
        stop = start;
    parser_go_quote(buf + start, (size_t)(stop - start), out, outlen);
    return out;
}

int client_over_max_control_line_limit(client *c, const char *arg, size_t len, int32_t mcl)
{
    (void)arg;
    int64_t effective = mcl;
    if (c->kind != CLIENT_KIND_CLIENT)
        effective *= 16;
    if ((int64_t)len > effective) {
        char snip[MAX_CONTROL_LINE_SNIPPET_SIZE * 4 + 8];
        parser_proto_snippet(0, MAX_CONTROL_LINE_SNIPPET_SIZE, arg, len, snip, sizeof(snip));
        snprintf(c->err_text, sizeof(c->err_text), "maximum control line exceeded");
        client_send_err(c, "maximum control line exceeded");
        client_close_connection(c, MAX_CONTROL_LINE_EXCEEDED);
        return CLIENT_ERR_MAX_CONTROL_LINE;
    }
    return CLIENT_OK;
}

/* The routed-message argument parsers belong to routes/gateways/leafnodes,
 * which cnatsd does not have yet. */
static int parser_kind_not_supported(client *c)
{
    snprintf(c->err_text, sizeof(c->err_text), "%s connections are not supported yet",
             client_kind_string(c));
    return CLIENT_ERR_NOT_SUPPORTED;
}

int client_clone_pub_arg(client *c, bool lmsg)
{
    parse_state *ps = &c->ps;
    /* pa.arg may already live in arg_buf (split control line). */
    const char *src = ps->pa.arg.p;
    size_t n = ps->pa.arg.len;
    if (src >= ps->arg_buf && src < ps->arg_buf + ps->arg_cap) {
        size_t off = (size_t)(src - ps->arg_buf);
        memmove(ps->arg_buf, ps->arg_buf + off, n);
    } else {
        if (ps_reserve(&ps->arg_buf, &ps->arg_cap, n) != 0)
            abort();
        if (n)
            memcpy(ps->arg_buf, src, n);
    }
    ps->arg_len = n;
    ps->arg_set = true;
    (void)lmsg;
    switch (c->kind) {
    case CLIENT_KIND_ROUTER:
    case CLIENT_KIND_GATEWAY:
    case CLIENT_KIND_LEAF:
        return parser_kind_not_supported(c);
    default:
        if (ps->pa.hdr < 0)
            return client_process_pub(c, ps->arg_buf, ps->arg_len);
        return client_process_header_pub(c, ps->arg_buf, ps->arg_len, NULL, 0);
    }
}

/* Fast scan of a control line that is not split: jumps *i to its '\n'
 * (returns true) or to the last byte of buf (returns false), setting drop
 * as the byte loop would (any '\r' seen). */
static inline bool parser_scan_arg(parse_state *ps, const char *buf, int len, int *i)
{
    const char *start = buf + *i;
    const char *nl = memchr(start, '\n', (size_t)(len - *i));
    size_t span = nl ? (size_t)(nl - start) : (size_t)(len - *i);
    /* The usual "\r\n" ending settles drop without a second scan. */
    if ((nl && nl > start && nl[-1] == '\r') || memchr(start, '\r', span))
        ps->drop = 1;
    if (!nl) {
        *i = len - 1;
        return false;
    }
    *i = (int)(nl - buf);
    return true;
}

/* Resets the pub args after a message (Go resets every pa field). */
static void parser_reset_pa(parse_state *ps)
{
    ps->pa = (pub_arg){.hdr = -1};
}

int client_parse(client *c, const char *buf, size_t blen)
{
    parse_state *ps = &c->ps;
    int len = (int)blen;
    int i;
    unsigned char b = 0;
    bool lmsg = false;
    int err;
    const char *arg = NULL;
    size_t arg_len = 0;

    pthread_mutex_lock(&c->mu);
    bool auth_set = client_awaiting_auth(c);
    int32_t mcl = c->mcl;
    bool trace = c->trace;
    pthread_mutex_unlock(&c->mu);

/* Takes the completed control line: from arg_buf when it was split. */
#define TAKE_ARG()                                              \
    do {                                                        \
        if (ps->arg_set) {                                      \
            arg = ps->arg_buf;                                  \
            arg_len = ps->arg_len;                              \
            ps->arg_set = false;                                \
        } else {                                                \
            arg = buf + ps->as;                                 \
            arg_len = (size_t)(i - ps->drop - ps->as);          \
        }                                                       \
        if ((err = client_over_max_control_line_limit(c, arg, arg_len, mcl)) != 0) \
            return err;                                         \
    } while (0)
#define ARG_BYTE()                        \
    do {                                  \
        if (ps->arg_set)                  \
            ps_arg_append(ps, (const char *)&b, 1); \
    } while (0)
#define EXPECT(ch, next)                                \
    do {                                                \
        if (b == (ch) || b == (unsigned char)((ch) + 32)) \
            ps->state = (next);                         \
        else                                            \
            goto parse_err;                             \
    } while (0)
#define EXPECT_SPC(next)                 \
    do {                                 \
        if (b == ' ' || b == '\t')       \
            ps->state = (next);          \
        else                             \
            goto parse_err;              \
    } while (0)
#define ARG_START(next)                  \
    do {                                 \
        if (b == ' ' || b == '\t')       \
            continue;                    \
        ps->state = (next);              \
        ps->as = i;                      \
    } while (0)

    for (i = 0; i < len; i++) {
        b = (unsigned char)buf[i];

        switch (ps->state) {
        case OP_START:
            ps->op = b;
            if (b != 'C' && b != 'c' && auth_set) {
                /* no_auth_user lets a client skip CONNECT (auth.c). */
                if (!client_auth_no_auth_user_first_proto(c))
                    goto auth_err;
                auth_set = false;
            }
            switch (b) {
            case 'P': case 'p':
                /* Fast path for the common "PUB " (same states as the
                 * byte-by-byte walk). */
                if (b == 'P' && i + 3 < len && buf[i + 1] == 'U' && buf[i + 2] == 'B' &&
                    (buf[i + 3] == ' ' || buf[i + 3] == '\t')) {
                    ps->state = OP_PUB_SPC;
                    i += 3;
                    break;
                }
                ps->state = OP_P;
                break;
            case 'H': case 'h': ps->state = OP_H; break;
            case 'S': case 's': ps->state = OP_S; break;
            case 'U': case 'u': ps->state = OP_U; break;
            case 'R': case 'r':
                if (c->kind == CLIENT_KIND_CLIENT)
                    goto parse_err;
                ps->state = OP_R;
                break;
            case 'L': case 'l':
                if (c->kind != CLIENT_KIND_LEAF && c->kind != CLIENT_KIND_ROUTER)
                    goto parse_err;
                ps->state = OP_L;
                break;
            case 'A': case 'a':
                if (c->kind == CLIENT_KIND_CLIENT)
                    goto parse_err;
                ps->state = OP_A;
                break;
            case 'C': case 'c': ps->state = OP_C; break;
            case 'I': case 'i': ps->state = OP_I; break;
            case '+': ps->state = OP_PLUS; break;
            case '-': ps->state = OP_MINUS; break;
            default: goto parse_err;
            }
            break;
        case OP_H:
            if (b == 'P' || b == 'p')
                ps->state = OP_HP;
            else if (b == 'M' || b == 'm')
                ps->state = OP_HM;
            else
                goto parse_err;
            break;
        case OP_HP: EXPECT('U', OP_HPU); break;
        case OP_HPU: EXPECT('B', OP_HPUB); break;
        case OP_HPUB: EXPECT_SPC(OP_HPUB_SPC); break;
        case OP_HPUB_SPC:
            if (b == ' ' || b == '\t')
                continue;
            ps->pa.hdr = 0;
            ps->state = HPUB_ARG;
            ps->as = i;
            break;
        case HPUB_ARG:
            if (!ps->arg_set && b != '\n') {
                if (!parser_scan_arg(ps, buf, len, &i))
                    continue;
                b = '\n';
            }
            if (b == '\r') {
                ps->drop = 1;
            } else if (b == '\n') {
                TAKE_ARG();
                if (trace)
                    client_trace_in_op(c, "HPUB", arg, arg_len);
                const char *rem = i < len ? buf + i + 1 : NULL;
                size_t rem_len = i < len ? (size_t)(len - i - 1) : 0;
                if ((err = client_process_header_pub(c, arg, arg_len, rem, rem_len)) != 0)
                    return err;
                ps->drop = 0;
                ps->as = i + 1;
                ps->state = MSG_PAYLOAD;
                if (!ps->msg_set)
                    i = ps->as + ps->pa.size - LEN_CR_LF;
            } else {
                ARG_BYTE();
            }
            break;
        case OP_HM: EXPECT('S', OP_HMS); break;
        case OP_HMS: EXPECT('G', OP_HMSG); break;
        case OP_HMSG: EXPECT_SPC(OP_HMSG_SPC); break;
        case OP_HMSG_SPC:
            if (b == ' ' || b == '\t')
                continue;
            ps->pa.hdr = 0;
            ps->state = HMSG_ARG;
            ps->as = i;
            break;
        case HMSG_ARG:
            if (b == '\r') {
                ps->drop = 1;
            } else if (b == '\n') {
                TAKE_ARG();
                if (c->kind == CLIENT_KIND_ROUTER || c->kind == CLIENT_KIND_GATEWAY ||
                    c->kind == CLIENT_KIND_LEAF) {
                    if (trace)
                        client_trace_in_op(c, "HMSG", arg, arg_len);
                    return parser_kind_not_supported(c);
                }
                ps->drop = 0;
                ps->as = i + 1;
                ps->state = MSG_PAYLOAD;
                i = ps->as + ps->pa.size - LEN_CR_LF;
            } else {
                ARG_BYTE();
            }
            break;
        case OP_P:
            if (b == 'U' || b == 'u')
                ps->state = OP_PU;
            else if (b == 'I' || b == 'i')
                ps->state = OP_PI;
            else if (b == 'O' || b == 'o')
                ps->state = OP_PO;
            else
                goto parse_err;
            break;
        case OP_PU: EXPECT('B', OP_PUB); break;
        case OP_PUB: EXPECT_SPC(OP_PUB_SPC); break;
        case OP_PUB_SPC:
            if (b == ' ' || b == '\t')
                continue;
            ps->pa.hdr = -1;
            ps->state = PUB_ARG;
            ps->as = i;
            break;
        case PUB_ARG:
            if (!ps->arg_set && b != '\n') {
                if (!parser_scan_arg(ps, buf, len, &i))
                    continue;
                b = '\n';
            }
            if (b == '\r') {
                ps->drop = 1;
            } else if (b == '\n') {
                TAKE_ARG();
                if (trace)
                    client_trace_in_op(c, "PUB", arg, arg_len);
                if ((err = client_process_pub(c, arg, arg_len)) != 0)
                    return err;
                ps->drop = 0;
                ps->as = i + 1;
                ps->state = MSG_PAYLOAD;
                if (!ps->msg_set) {
                    i = ps->as + ps->pa.size - LEN_CR_LF;
                    /* Payload and CRLF all in this buffer: finish the
                     * message now (what MSG_PAYLOAD/MSG_END_R would do). */
                    int end = ps->as + ps->pa.size;
                    if (end + 1 < len && buf[end] == '\r' && buf[end + 1] == '\n') {
                        i = end + 1;
                        b = '\n';
                        goto msg_end_n;
                    }
                }
            } else {
                ARG_BYTE();
            }
            break;
        case MSG_PAYLOAD:
            if (ps->msg_set) {
                int to_copy = ps->pa.size - (int)ps->msg_len;
                int avail = len - i;
                if (avail < to_copy)
                    to_copy = avail;
                if (to_copy > 0) {
                    ps_msg_append(ps, buf + i, (size_t)to_copy);
                    i = (i + to_copy) - 1;
                } else {
                    ps_msg_append(ps, (const char *)&b, 1);
                }
                if ((int)ps->msg_len >= ps->pa.size)
                    ps->state = MSG_END_R;
            } else if (i - ps->as + 1 >= ps->pa.size) {
                ps->state = MSG_END_R;
            }
            break;
        case MSG_END_R:
            if (b != '\r')
                goto parse_err;
            if (ps->msg_set)
                ps_msg_append(ps, (const char *)&b, 1);
            ps->state = MSG_END_N;
            break;
        case MSG_END_N:
        msg_end_n:
            if (b != '\n')
                goto parse_err;
            if (ps->msg_set) {
                ps_msg_append(ps, (const char *)&b, 1);
            } else {
                ps->msg_set = true;
                ps->msg_p = buf + ps->as;
                ps->msg_len = (size_t)(i + 1 - ps->as);
            }
            if (trace)
                client_trace_msg(c, ps->msg_p, ps->msg_len);
            client_process_inbound_msg(c, ps->msg_p, ps->msg_len);
            ps->arg_set = false;
            ps->msg_set = false;
            ps->msg_p = NULL;
            ps->msg_len = 0;
            if (ps->msg_cap > PARSER_KEEP_MSG_BUF) {
                free(ps->msg_store);
                ps->msg_store = NULL;
                ps->msg_cap = 0;
            }
            ps->drop = 0;
            ps->as = i + 1;
            ps->state = OP_START;
            parser_reset_pa(ps);
            lmsg = false;
            break;
        case OP_A:
            if (b == '+')
                ps->state = OP_ASUB;
            else if (b == '-' || b == 'u')
                ps->state = OP_AUSUB;
            else
                goto parse_err;
            break;
        case OP_ASUB: EXPECT_SPC(OP_ASUB_SPC); break;
        case OP_ASUB_SPC: ARG_START(ASUB_ARG); break;
        case ASUB_ARG:
            if (b == '\r') {
                ps->drop = 1;
            } else if (b == '\n') {
                TAKE_ARG();
                if (trace)
                    client_trace_in_op(c, "A+", arg, arg_len);
                return parser_kind_not_supported(c);
            } else {
                ARG_BYTE();
            }
            break;
        case OP_AUSUB: EXPECT_SPC(OP_AUSUB_SPC); break;
        case OP_AUSUB_SPC: ARG_START(AUSUB_ARG); break;
        case AUSUB_ARG:
            if (b == '\r') {
                ps->drop = 1;
            } else if (b == '\n') {
                TAKE_ARG();
                if (trace)
                    client_trace_in_op(c, "A-", arg, arg_len);
                return parser_kind_not_supported(c);
            } else {
                ARG_BYTE();
            }
            break;
        case OP_S: EXPECT('U', OP_SU); break;
        case OP_SU: EXPECT('B', OP_SUB); break;
        case OP_SUB: EXPECT_SPC(OP_SUB_SPC); break;
        case OP_SUB_SPC: ARG_START(SUB_ARG); break;
        case SUB_ARG:
            if (b == '\r') {
                ps->drop = 1;
            } else if (b == '\n') {
                TAKE_ARG();
                if (c->kind == CLIENT_KIND_CLIENT) {
                    if (trace)
                        client_trace_in_op(c, "SUB", arg, arg_len);
                    err = client_parse_sub(c, arg, arg_len, false);
                } else {
                    err = parser_kind_not_supported(c);
                }
                if (err != 0)
                    return err;
                ps->drop = 0;
                ps->as = i + 1;
                ps->state = OP_START;
            } else {
                ARG_BYTE();
            }
            break;
        case OP_L:
            if (b == 'S' || b == 's')
                ps->state = OP_LS;
            else if (b == 'M' || b == 'm')
                ps->state = OP_M;
            else
                goto parse_err;
            break;
        case OP_LS:
        case OP_RS:
            if (b == '+')
                ps->state = OP_SUB;
            else if (b == '-')
                ps->state = OP_UNSUB;
            else
                goto parse_err;
            break;
        case OP_R:
            if (b == 'S' || b == 's')
                ps->state = OP_RS;
            else if (b == 'M' || b == 'm')
                ps->state = OP_M;
            else
                goto parse_err;
            break;
        case OP_U: EXPECT('N', OP_UN); break;
        case OP_UN: EXPECT('S', OP_UNS); break;
        case OP_UNS: EXPECT('U', OP_UNSU); break;
        case OP_UNSU: EXPECT('B', OP_UNSUB); break;
        case OP_UNSUB: EXPECT_SPC(OP_UNSUB_SPC); break;
        case OP_UNSUB_SPC: ARG_START(UNSUB_ARG); break;
        case UNSUB_ARG:
            if (b == '\r') {
                ps->drop = 1;
            } else if (b == '\n') {
                TAKE_ARG();
                if (c->kind == CLIENT_KIND_CLIENT) {
                    if (trace)
                        client_trace_in_op(c, "UNSUB", arg, arg_len);
                    err = client_process_unsub(c, arg, arg_len);
                } else {
                    err = parser_kind_not_supported(c);
                }
                if (err != 0)
                    return err;
                ps->drop = 0;
                ps->as = i + 1;
                ps->state = OP_START;
            } else {
                ARG_BYTE();
            }
            break;
        case OP_PI: EXPECT('N', OP_PIN); break;
        case OP_PIN: EXPECT('G', OP_PING); break;
        case OP_PING:
            if (b == '\n') {
                if (trace)
                    client_trace_in_op(c, "PING", NULL, 0);
                client_process_ping(c);
                ps->drop = 0;
                ps->state = OP_START;
            }
            break;
        case OP_PO: EXPECT('N', OP_PON); break;
        case OP_PON: EXPECT('G', OP_PONG); break;
        case OP_PONG:
            if (b == '\n') {
                if (trace)
                    client_trace_in_op(c, "PONG", NULL, 0);
                client_process_pong(c);
                ps->drop = 0;
                ps->state = OP_START;
            }
            break;
        case OP_C: EXPECT('O', OP_CO); break;
        case OP_CO: EXPECT('N', OP_CON); break;
        case OP_CON: EXPECT('N', OP_CONN); break;
        case OP_CONN: EXPECT('E', OP_CONNE); break;
        case OP_CONNE: EXPECT('C', OP_CONNEC); break;
        case OP_CONNEC: EXPECT('T', OP_CONNECT); break;
        case OP_CONNECT: ARG_START(CONNECT_ARG); break;
        case CONNECT_ARG:
            if (b == '\r') {
                ps->drop = 1;
            } else if (b == '\n') {
                TAKE_ARG();
                if (trace) {
                    size_t red_len = 0;
                    char *red = client_remove_secrets_from_trace(arg, arg_len, &red_len);
                    if (red)
                        client_trace_in_op(c, "CONNECT", red, red_len);
                    free(red);
                }
                if ((err = client_process_connect(c, arg, arg_len)) != 0)
                    return err;
                ps->drop = 0;
                ps->state = OP_START;
                pthread_mutex_lock(&c->mu);
                auth_set = client_awaiting_auth(c);
                pthread_mutex_unlock(&c->mu);
            } else {
                ARG_BYTE();
            }
            break;
        case OP_M: EXPECT('S', OP_MS); break;
        case OP_MS: EXPECT('G', OP_MSG); break;
        case OP_MSG: EXPECT_SPC(OP_MSG_SPC); break;
        case OP_MSG_SPC:
            if (b == ' ' || b == '\t')
                continue;
            ps->pa.hdr = -1;
            ps->state = MSG_ARG;
            ps->as = i;
            break;
        case MSG_ARG:
            if (b == '\r') {
                ps->drop = 1;
            } else if (b == '\n') {
                TAKE_ARG();
                if (c->kind == CLIENT_KIND_ROUTER || c->kind == CLIENT_KIND_GATEWAY ||
                    c->kind == CLIENT_KIND_LEAF) {
                    if (trace)
                        client_trace_in_op(c, ps->op == 'L' || ps->op == 'l' ? "LMSG" : "RMSG",
                                           arg, arg_len);
                    lmsg = ps->op == 'L' || ps->op == 'l';
                    (void)lmsg;
                    return parser_kind_not_supported(c);
                }
                ps->drop = 0;
                ps->as = i + 1;
                ps->state = MSG_PAYLOAD;
                i = ps->as + ps->pa.size - LEN_CR_LF;
            } else {
                ARG_BYTE();
            }
            break;
        case OP_I: EXPECT('N', OP_IN); break;
        case OP_IN: EXPECT('F', OP_INF); break;
        case OP_INF: EXPECT('O', OP_INFO); break;
        case OP_INFO: ARG_START(INFO_ARG); break;
        case INFO_ARG:
            if (b == '\r') {
                ps->drop = 1;
            } else if (b == '\n') {
                TAKE_ARG();
                if ((err = client_process_info(c, arg, arg_len)) != 0)
                    return err;
                ps->drop = 0;
                ps->as = i + 1;
                ps->state = OP_START;
            } else {
                ARG_BYTE();
            }
            break;
        case OP_PLUS: EXPECT('O', OP_PLUS_O); break;
        case OP_PLUS_O: EXPECT('K', OP_PLUS_OK); break;
        case OP_PLUS_OK:
            if (b == '\n') {
                ps->drop = 0;
                ps->state = OP_START;
            }
            break;
        case OP_MINUS: EXPECT('E', OP_MINUS_E); break;
        case OP_MINUS_E: EXPECT('R', OP_MINUS_ER); break;
        case OP_MINUS_ER: EXPECT('R', OP_MINUS_ERR); break;
        case OP_MINUS_ERR: EXPECT_SPC(OP_MINUS_ERR_SPC); break;
        case OP_MINUS_ERR_SPC: ARG_START(MINUS_ERR_ARG); break;
        case MINUS_ERR_ARG:
            if (b == '\r') {
                ps->drop = 1;
            } else if (b == '\n') {
                TAKE_ARG();
                client_process_err(c, arg, arg_len);
                ps->drop = 0;
                ps->as = i + 1;
                ps->state = OP_START;
            } else {
                ARG_BYTE();
            }
            break;
        default:
            goto parse_err;
        }
    }

    /* A control line split across reads: keep what we have. */
    if (ps->state == SUB_ARG || ps->state == UNSUB_ARG || ps->state == PUB_ARG ||
        ps->state == HPUB_ARG || ps->state == ASUB_ARG || ps->state == AUSUB_ARG ||
        ps->state == MSG_ARG || ps->state == HMSG_ARG || ps->state == MINUS_ERR_ARG ||
        ps->state == CONNECT_ARG || ps->state == INFO_ARG) {
        if (!ps->arg_set) {
            ps->arg_len = 0;
            ps->arg_set = true;
            int end = i - ps->drop;
            if (end > ps->as)
                ps_arg_append(ps, buf + ps->as, (size_t)(end - ps->as));
        }
        if ((err = client_over_max_control_line_limit(c, ps->arg_buf, ps->arg_len, mcl)) != 0)
            return err;
    }

    /* A message payload split across reads: copy what arrived. */
    if ((ps->state == MSG_PAYLOAD || ps->state == MSG_END_R || ps->state == MSG_END_N) &&
        !ps->msg_set) {
        if (!ps->arg_set) {
            if (client_clone_pub_arg(c, lmsg) != 0)
                goto parse_err;
        }
        int lrem = len - ps->as;
        if (lrem < 0)
            lrem = 0;
        if (lrem > ps->pa.size + LEN_CR_LF)
            goto parse_err;
        if (ps_reserve(&ps->msg_store, &ps->msg_cap, (size_t)ps->pa.size + LEN_CR_LF) != 0)
            abort();
        if (lrem)
            memcpy(ps->msg_store, buf + ps->as, (size_t)lrem);
        ps->msg_set = true;
        ps->msg_p = ps->msg_store;
        ps->msg_len = (size_t)lrem;
    }
    return CLIENT_OK;

auth_err:
    client_auth_violation(c);
    snprintf(c->err_text, sizeof(c->err_text), "authentication error");
    return CLIENT_ERR_AUTHENTICATION;

parse_err: {
        client_send_err(c, "Unknown Protocol Operation");
        char snip[PROTO_SNIPPET_SIZE * 4 + 8];
        parser_proto_snippet(i, PROTO_SNIPPET_SIZE, buf, blen, snip, sizeof(snip));
        snprintf(c->err_text, sizeof(c->err_text), "%s parser ERROR, state=%d, i=%d: proto='%s...'",
                 client_kind_string(c), (int)ps->state, i, snip);
        return CLIENT_ERR_PROTOCOL;
    }
#undef TAKE_ARG
#undef ARG_BYTE
#undef EXPECT
#undef EXPECT_SPC
#undef ARG_START
}
