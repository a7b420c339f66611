/* Auth callout helpers (server/auth_callout.go). */
#include "server/auth_callout.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

char *auth_callout_title_case(const char *m)
{
    char *r = strdup(m ? m : "");
    if (r && r[0] && !((unsigned char)r[0] & 0x80))
        r[0] = (char)toupper((unsigned char)r[0]);
    return r;
}
