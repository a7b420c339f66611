/* Auth callout (server/auth_callout.go).
 *
 * Delegating authentication to an external service over
 * $SYS.REQ.USER.AUTH is not ported: opts_check_supported refuses an
 * auth_callout block. Only the pure helpers live here. */
#ifndef CNATSD_SERVER_AUTH_CALLOUT_H
#define CNATSD_SERVER_AUTH_CALLOUT_H

/* Go titleCase: a malloc'd copy of m with its first character upper-cased
 * (ASCII; other first characters are kept as they are). "" for NULL or "".
 * Caller frees; NULL on OOM. Any thread. */
char *auth_callout_title_case(const char *m);

#endif
