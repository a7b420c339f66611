/* libFuzzer target for the protocol parser (server/parser_fuzz_test.go):
 * feeds the input to a dummy client (no socket), in one piece and split in
 * two at a position taken from the first byte. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "server/client.h"
#include "server/opts.h"
#include "server/parser.h"
#include "server/server.h"

static server *fuzz_server(void)
{
    static server *s;
    if (!s) {
        char err[256];
        s = server_new(options_new(), err, sizeof(err));
    }
    return s;
}

static void fuzz_run(const uint8_t *data, size_t size, size_t cut, client_kind kind)
{
    client *c = client_new(fuzz_server(), kind);
    if (!c)
        return;
    c->mcl = MAX_CONTROL_LINE_SIZE;
    c->headers = true;
    if (cut > size)
        cut = size;
    if (client_parse(c, (const char *)data, cut) == 0)
        client_parse(c, (const char *)data + cut, size - cut);
    client_release(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz_server())
        return 0;
    size_t cut = size ? data[0] : 0;
    fuzz_run(data, size, size, CLIENT_KIND_CLIENT);
    fuzz_run(data, size, cut, CLIENT_KIND_CLIENT);
    fuzz_run(data, size, cut, CLIENT_KIND_ROUTER);
    return 0;
}
