/* Server constants (server/const.go): the helpers that go with them. */
#include "server/const.h"

#include <string.h>

void const_format_revision(const char *revision, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    size_t n = revision ? strlen(revision) : 0;
    if (n > 7)
        n = 7;
    if (n >= outlen)
        n = outlen - 1;
    if (n)
        memcpy(out, revision, n);
    out[n] = '\0';
}
