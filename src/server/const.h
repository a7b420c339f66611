/* Server constants (server/const.go). Owned by the core server port; other
 * modules may read these. */
#ifndef CNATSD_SERVER_CONST_H
#define CNATSD_SERVER_CONST_H

/* The nats-server release whose behaviour cnatsd matches. Clients gate on it. */
#define SERVER_VERSION "2.14.5"

#endif
