/* porttrack: the mechanical Go → C naming rule. */
#include "pt.h"

#include <stdlib.h>
#include <string.h>

static char *file_stem(const char *go_file)
{
    const char *base = strrchr(go_file, '/');
    base = base ? base + 1 : go_file;
    char *stem = pt_xstrdup(base);
    char *dot = strstr(stem, ".go");
    if (dot)
        *dot = 0;
    return stem;
}

char *pt_default_cname(const char *go_file, const char *receiver, const char *name)
{
    char *plain = pt_xstrdup(name);
    char *hash = strchr(plain, '#'); /* repeated init functions */
    if (hash)
        *hash = 0;
    char *sn = pt_snake(plain);
    free(plain);
    char *out = NULL;
    if (receiver && receiver[0]) {
        char *sr = pt_snake(receiver);
        if (asprintf(&out, "%s_%s", sr, sn) < 0)
            abort();
        free(sr);
    } else {
        char *stem = file_stem(go_file);
        size_t sl = strlen(stem);
        if (strcmp(sn, stem) == 0 || (strncmp(sn, stem, sl) == 0 && sn[sl] == '_')) {
            out = pt_xstrdup(sn);
        } else if (asprintf(&out, "%s_%s", stem, sn) < 0) {
            abort();
        }
        free(stem);
    }
    free(sn);
    return out;
}

/* Go package directory → C source directory. */
static const char *area_dir(const char *module)
{
    static const struct {
        const char *mod, *dir;
    } map[] = {
        {"server", "src/server"},     {"server/avl", "src/store"},  {"server/stree", "src/store"},
        {"server/gsl", "src/server"}, {"server/thw", "src/server"}, {"conf", "src/conf"},
        {"logger", "src/logger"},     {"main", "src"},              {NULL, NULL},
    };
    for (size_t i = 0; map[i].mod; i++)
        if (strcmp(map[i].mod, module) == 0)
            return map[i].dir;
    return NULL;
}

char *pt_default_cfile(const char *module, const char *go_file)
{
    char *stem = file_stem(go_file);
    char *out = NULL;
    const char *dir = area_dir(module);
    if (pt_has_suffix(stem, "_test")) {
        stem[strlen(stem) - 5] = 0;
        if (strcmp(module, "test") == 0) {
            if (asprintf(&out, "tests/wire/test_%s.c", stem) < 0)
                abort();
        } else {
            const char *sub = strrchr(module, '/');
            if (asprintf(&out, "tests/unit/%s/test_%s.c", sub ? sub + 1 : module, stem) < 0)
                abort();
        }
    } else if (dir) {
        if (asprintf(&out, "%s/%s.c", dir, stem) < 0)
            abort();
    } else {
        /* other server sub-packages: src/<package>/<stem>.c */
        const char *sub = strrchr(module, '/');
        if (asprintf(&out, "src/%s/%s.c", sub ? sub + 1 : module, stem) < 0)
            abort();
    }
    free(stem);
    return out;
}

char *pt_default_ctest(const char *name)
{
    return pt_snake(name);
}
