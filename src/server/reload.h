/* Configuration reload (server/reload.go). Only the entry point exists so
 * far: reloading is not supported yet and fails with a clear error. */
#ifndef CNATSD_SERVER_RELOAD_H
#define CNATSD_SERVER_RELOAD_H

#include <stddef.h>

struct server;

/* Reloads the server configuration from its config file. Currently always
 * returns -1 with "config reload is not supported yet" in err. Any thread. */
int server_reload(struct server *s, char *err, size_t errlen);

#endif
