/* porttrack: feature and test commands. */
#ifndef PORTTRACK_ITEMS_H
#define PORTTRACK_ITEMS_H

#include "pt.h"

typedef struct pt_list_filter {
    const char *status, *file, *module;
    int batch, limit;
    bool drifted;
} pt_list_filter;

typedef struct pt_map_args {
    const char *cfuncs[32]; /* "name" or "name@src/file.c" */
    int ncfuncs;
    const char *tests[32];  /* C test names linked to a feature */
    int ntests;
    bool reset;             /* back to the default mapping */
} pt_map_args;

typedef struct pt_update_args {
    const char *status;          /* deferred or n_a */
    const char *override_reason; /* required with status */
    bool clear_override, ack_drift;
    int batch;
} pt_update_args;

/* Each returns a process exit code (0 ok, 1 refused, 2 error). */
long long pt_item_resolve(sqlite3 *db, bool feature, const char *spec);
int pt_item_show(pt_ctx *c, sqlite3 *db, bool feature, long long id, FILE *out);
int pt_item_list(pt_ctx *c, sqlite3 *db, bool feature, const pt_list_filter *f, FILE *out);
int pt_item_map(pt_ctx *c, sqlite3 *db, bool feature, long long id, const pt_map_args *a);
int pt_item_update(pt_ctx *c, sqlite3 *db, bool feature, const long long *ids, int nids, const pt_update_args *a);

#endif
