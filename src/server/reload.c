/* Configuration reload (server/reload.go). See reload.h. */
#include "server/reload.h"

#include <stdio.h>

int server_reload(struct server *s, char *err, size_t errlen)
{
    (void)s;
    snprintf(err, errlen, "config reload is not supported yet");
    return -1;
}
