/* Wire harness: several server processes routed into one cluster. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

wire_server_t **wire_cluster_start(int n, const char *extra_config)
{
    ck_assert_int_gt(n, 0);
    int *cports = calloc((size_t)n, sizeof(int));
    wire_server_t **servers = calloc((size_t)n, sizeof(*servers));
    ck_assert(cports && servers);
    for (int i = 0; i < n; i++)
        cports[i] = wire_free_port();
    for (int i = 0; i < n; i++) {
        char routes[2048] = "";
        size_t used = 0;
        for (int j = 0; j < n; j++) {
            if (j == i)
                continue;
            int w = snprintf(routes + used, sizeof(routes) - used, "    nats://127.0.0.1:%d\n",
                             cports[j]);
            ck_assert(w > 0 && (size_t)w < sizeof(routes) - used);
            used += (size_t)w;
        }
        char *conf = NULL;
        ck_assert(asprintf(&conf,
                           "server_name: wire_%d\n"
                           "cluster {\n  name: wire\n  listen: 127.0.0.1:@CLUSTER_PORT@\n"
                           "  routes: [\n%s  ]\n}\n%s\n",
                           i, routes, extra_config ? extra_config : "") > 0);
        wire_server_opts_t o = {0};
        o.config = conf;
        o.cluster_port = cports[i];
        o.no_wait = true;
        servers[i] = wire_server_start_ex(&o);
        free(conf);
    }
    free(cports);
    for (int i = 0; i < n; i++)
        wire_server_wait_ready(servers[i], 10000);
    wire_cluster_wait_formed(servers, n, 10000);
    return servers;
}

void wire_cluster_wait_formed(wire_server_t **servers, int n, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (int i = 0; i < n; i++) {
        wire_conn_t *sub = wire_conn_setup(servers[i]);
        wire_conn_send(sub, "SUB _WIRE.formed.%d.* 1\r\n", i);
        wire_conn_flush(sub);
        for (int j = 0; j < n; j++) {
            if (j == i)
                continue;
            wire_conn_t *pub = wire_conn_setup(servers[j]);
            char subject[64];
            snprintf(subject, sizeof(subject), "_WIRE.formed.%d.%d", i, j);
            bool seen = false;
            while (!seen) {
                wire_conn_send(pub, "PUB %s 2\r\nok\r\n", subject);
                wire_conn_flush(pub);
                wire_msg_t m;
                if (wire_conn_read_msg(sub, &m, 100, NULL)) {
                    seen = strcmp(m.subject, subject) == 0;
                    wire_msg_clear(&m);
                } else if (now_ms() > deadline) {
                    ck_abort_msg("cluster not formed: server %d does not see interest of "
                                 "server %d after %d ms",
                                 j, i, timeout_ms);
                }
            }
            wire_conn_close(pub);
        }
        wire_conn_close(sub);
    }
}

void wire_cluster_free(wire_server_t **servers, int n)
{
    if (!servers)
        return;
    for (int i = 0; i < n; i++)
        wire_server_free(servers[i]);
    free(servers);
}
