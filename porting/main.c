/* porttrack: the command-line interface of the parity tracker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "items.h"
#include "pt.h"

static const char *usage_main =
    "usage: porttrack [--db FILE] [--json] [--src DIR] [--tests DIR] COMMAND ...\n"
    "\n"
    "Tracks how much of nats-server (Go) cnatsd implements, from evidence only.\n"
    "Global options: --db FILE (default ./porting.db; its directory is the repo root),\n"
    "  --src DIR / --tests DIR (relative to the root; default src, tests), --json.\n"
    "\n"
    "commands:\n"
    "  import          scan a nats-server checkout into the database\n"
    "  report summary  counts: verified/total, per batch and module, drifted\n"
    "  report parity   write docs/parity.md (per Go file → C file)\n"
    "  feature show|list|map|update   inspect and map Go functions\n"
    "  test show|list|map|update      inspect and map Go tests\n"
    "  batch list|show|ready|start|complete\n"
    "  stub-scan [PATH...]  find stubs and placeholder tests (exit 1 on hits)\n"
    "  evidence import      store Check XML results and gcov coverage\n"
    "  refresh         recompute statuses, regenerate batches.md and docs/parity.md\n"
    "  gate            CI check: statuses backed by evidence, no stubs, docs fresh\n"
    "  batches-md      regenerate batches.md\n"
    "  script FILE     run many feature/test map|update commands, recompute once\n"
    "Run 'porttrack COMMAND --help' for details.\n";

typedef struct help {
    const char *cmd, *text;
} help;

static const help helps[] = {
    {"import", "usage: porttrack import --go-src DIR --ref REF\n"
               "Scans DIR/server (and sub-packages), DIR/conf, DIR/logger, DIR/test and DIR/main.go.\n"
               "Every top-level function/method is a feature, every Test*/Benchmark*/Fuzz* a test.\n"
               "Re-importing keeps ids and statuses, marks changed Go bodies drifted, retires removed\n"
               "rows and adds new ones as deferred. Creates the database when missing.\n"},
    {"report", "usage: porttrack report summary [--json]\n"
               "       porttrack report parity [--out FILE | --stdout]\n"
               "summary: features and tests verified/applicable (n_a excluded), overall %, per batch,\n"
               "per module, drifted count. parity: Markdown per Go file → C file (default docs/parity.md).\n"},
    {"feature", "usage: porttrack feature show ITEM [--json]\n"
                "       porttrack feature list [--status S] [--batch N] [--file GOFILE] [--module M] [--drifted] [--limit N] [--json]\n"
                "       porttrack feature map ITEM (--c NAME[@src/file.c] ... | --test CTEST ... | --default)\n"
                "       (re-running an identical map or override changes and logs nothing; see porting/mappings.sh)\n"
                "       porttrack feature update ITEM[,ITEM...] [--override \"reason\" [--status deferred|n_a]]\n"
                "                                [--clear-override] [--ack-drift] [--batch N]\n"
                "ITEM: numeric id, GOFILE:Name, Recv.Name or Name. --c replaces the C functions (one Go\n"
                "feature may map to several); --test links C tests (default: tests of <stem>_test.go).\n"
                "Overrides may only set deferred or n_a and are logged; --ack-drift accepts a changed Go body.\n"},
    {"test", "usage: porttrack test show ITEM [--json]\n"
             "       porttrack test list [--status S] [--batch N] [--file GOFILE] [--module M] [--drifted] [--limit N] [--json]\n"
             "       porttrack test map ITEM (--c CTEST[@tests/file.c] | --default)\n"
             "       porttrack test update ITEM[,ITEM...] [--override \"reason\" [--status deferred|n_a]]\n"
             "                             [--clear-override] [--ack-drift] [--batch N]\n"},
    {"batch", "usage: porttrack batch list|ready [--json]\n"
              "       porttrack batch show N [--json]\n"
              "       porttrack batch start N      (dependencies must be started or complete)\n"
              "       porttrack batch complete N   (every item verified, or deferred/n_a with a given\n"
              "                                     reason; dependencies complete)\n"},
    {"stub-scan", "usage: porttrack stub-scan [PATH...]\n"
                  "Scans C files (default: src/ and tests/ under the root) for empty or bare-return bodies,\n"
                  "not-implemented/TODO/FIXME markers, tests without assertions or with constant ones.\n"
                  "Prints file:line: finding; exits 1 when anything is found.\n"},
    {"evidence", "usage: porttrack evidence import --results DIR [--coverage DIR]\n"
                 "Reads every Check XML file in DIR (named <ctest-name>.xml) and runs gcov --json-format\n"
                 "on every .gcda under the coverage build dir; stores results and executed src/ functions,\n"
                 "keyed by the fingerprint of src/ and tests/ (replaces the previous evidence).\n"
                 "Wire results against the Go reference (wire_*_goref.xml) are stored and shown but\n"
                 "never verify anything: only unit results and wire runs against cnatsd do.\n"},
    {"refresh", "usage: porttrack refresh [--json]\n"
                "Recomputes every status from the sources and the stored evidence, writes them, and\n"
                "regenerates batches.md and docs/parity.md.\n"},
    {"gate", "usage: porttrack gate\n"
             "Fails (exit 1) when there is no evidence for this source tree, a stored status differs from\n"
             "what the evidence supports, the stub scan hits, or batches.md/docs/parity.md are missing\n"
             "or stale. Lists up to 30 differing rows with the evidence-backed status and reason, and\n"
             "the fix: make test locally, then git add porting.db batches.md docs/parity.md.\n"},
    {"script", "usage: porttrack script FILE\n"
               "Runs the feature/test map and update commands of FILE (one per line, shell-style\n"
               "quoting, # comments) in one process and recomputes statuses once at the end. Stops at\n"
               "the first failing line. porting/mappings.txt is such a file.\n"},
    {"batches-md", "usage: porttrack batches-md [--stdout]\nRegenerates batches.md from the database.\n"},
    {NULL, NULL},
};

static int print_help(const char *cmd)
{
    for (size_t i = 0; cmd && helps[i].cmd; i++)
        if (strcmp(helps[i].cmd, cmd) == 0) {
            fputs(helps[i].text, stdout);
            return 0;
        }
    fputs(usage_main, stdout);
    return 0;
}

static int fail(int code)
{
    fprintf(stderr, "porttrack: %s\n", pt_error());
    return code;
}

/* Value of "--name VALUE" at argv[*i]; advances *i. */
static const char *optval(int argc, char **argv, int *i, const char *name)
{
    if (strcmp(argv[*i], name) != 0)
        return NULL;
    if (*i + 1 >= argc) {
        pt_seterr("%s needs a value", name);
        return "";
    }
    (*i)++;
    return argv[*i];
}

static int parse_ids(sqlite3 *db, bool feature, const char *spec, long long **ids, int *n)
{
    char *copy = pt_xstrdup(spec);
    *n = 0;
    *ids = NULL;
    int rc = 0;
    for (char *save = NULL, *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        long long id = pt_item_resolve(db, feature, p);
        if (id < 0) {
            rc = -1;
            break;
        }
        *ids = realloc(*ids, (size_t)(*n + 1) * sizeof **ids);
        if (!*ids)
            abort();
        (*ids)[(*n)++] = id;
    }
    free(copy);
    return rc;
}

static int cmd_items(pt_ctx *c, bool feature, int argc, char **argv)
{
    if (argc < 1)
        return print_help(feature ? "feature" : "test"), 2;
    const char *sub = argv[0];
    sqlite3 *db = pt_db_open(c->db_path, false);
    if (!db)
        return fail(2);
    int rc = 2;
    if (strcmp(sub, "list") == 0) {
        pt_list_filter f = {0};
        for (int i = 1; i < argc; i++) {
            const char *v;
            if ((v = optval(argc, argv, &i, "--status")))
                f.status = v;
            else if ((v = optval(argc, argv, &i, "--batch")))
                f.batch = atoi(v);
            else if ((v = optval(argc, argv, &i, "--file")))
                f.file = v;
            else if ((v = optval(argc, argv, &i, "--module")))
                f.module = v;
            else if ((v = optval(argc, argv, &i, "--limit")))
                f.limit = atoi(v);
            else if (strcmp(argv[i], "--drifted") == 0)
                f.drifted = true;
            else {
                pt_seterr("unknown option %s", argv[i]);
                goto out_err;
            }
        }
        rc = pt_item_list(c, db, feature, &f, stdout);
    } else if (strcmp(sub, "show") == 0 || strcmp(sub, "map") == 0 || strcmp(sub, "update") == 0) {
        if (argc < 2) {
            pt_seterr("%s %s needs an item", feature ? "feature" : "test", sub);
            goto out_err;
        }
        if (strcmp(sub, "update") == 0) {
            pt_update_args a = {0};
            for (int i = 2; i < argc; i++) {
                const char *v;
                if ((v = optval(argc, argv, &i, "--override")))
                    a.override_reason = v;
                else if ((v = optval(argc, argv, &i, "--status")))
                    a.status = v;
                else if ((v = optval(argc, argv, &i, "--batch")))
                    a.batch = atoi(v);
                else if (strcmp(argv[i], "--clear-override") == 0)
                    a.clear_override = true;
                else if (strcmp(argv[i], "--ack-drift") == 0)
                    a.ack_drift = true;
                else {
                    pt_seterr("unknown option %s", argv[i]);
                    goto out_err;
                }
            }
            long long *ids = NULL;
            int n = 0;
            if (parse_ids(db, feature, argv[1], &ids, &n) < 0) {
                free(ids);
                goto out_err;
            }
            rc = pt_item_update(c, db, feature, ids, n, &a);
            free(ids);
        } else {
            long long id = pt_item_resolve(db, feature, argv[1]);
            if (id < 0)
                goto out_err;
            if (strcmp(sub, "show") == 0) {
                rc = pt_item_show(c, db, feature, id, stdout);
            } else {
                pt_map_args a = {0};
                for (int i = 2; i < argc; i++) {
                    const char *v;
                    if ((v = optval(argc, argv, &i, "--c")) && a.ncfuncs < 32)
                        a.cfuncs[a.ncfuncs++] = v;
                    else if ((v = optval(argc, argv, &i, "--test")) && a.ntests < 32)
                        a.tests[a.ntests++] = v;
                    else if (strcmp(argv[i], "--default") == 0)
                        a.reset = true;
                    else {
                        pt_seterr("unknown option %s", argv[i]);
                        goto out_err;
                    }
                }
                rc = pt_item_map(c, db, feature, id, &a);
            }
        }
    } else {
        pt_seterr("unknown %s command '%s'", feature ? "feature" : "test", sub);
        goto out_err;
    }
    if (rc != 0)
        fprintf(stderr, "porttrack: %s\n", pt_error());
    pt_db_close(db);
    return rc;
out_err:
    pt_db_close(db);
    return fail(2);
}

/* porttrack script FILE: every line is "feature|test map|update ...". */
static int cmd_script(pt_ctx *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        pt_seterr("cannot open %s", path);
        return fail(2);
    }
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = 0, ncmd = 0;
    c->defer_finish = true;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        char *buf = pt_xstrdup(line);
        char *words[64];
        int n = pt_script_split(line, buf, words, 64);
        if (n < 0) {
            pt_seterr("%s:%d: unterminated quote or too many words", path, lineno);
            rc = fail(2);
        } else if (n > 0 && (n < 3 || (strcmp(words[0], "feature") != 0 && strcmp(words[0], "test") != 0) ||
                             (strcmp(words[1], "map") != 0 && strcmp(words[1], "update") != 0))) {
            pt_seterr("%s:%d: only 'feature|test map|update ITEM ...' lines are allowed", path, lineno);
            rc = fail(2);
        } else if (n > 0) {
            ncmd++;
            rc = cmd_items(c, words[0][0] == 'f', n - 1, words + 1);
            if (rc)
                fprintf(stderr, "porttrack: %s:%d failed\n", path, lineno);
        }
        free(buf);
        if (rc)
            break;
    }
    free(line);
    fclose(f);
    c->defer_finish = false;
    if (pt_finish_script(c) < 0)
        return fail(2);
    if (rc == 0)
        printf("script: %d command%s\n", ncmd, ncmd == 1 ? "" : "s");
    return rc;
}

int main(int argc, char **argv)
{
    const char *db_path = "./porting.db", *src = NULL, *tests = NULL;
    bool json = false, want_help = false;
    char **args = calloc((size_t)argc + 1, sizeof *args);
    int n = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = optval(argc, argv, &i, "--db")))
            db_path = v;
        else if ((v = optval(argc, argv, &i, "--src")))
            src = v;
        else if ((v = optval(argc, argv, &i, "--tests")))
            tests = v;
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            want_help = true;
        else
            args[n++] = argv[i];
    }
    int rc = 2;
    if (n == 0 || strcmp(args[0], "help") == 0) {
        print_help(n > 1 ? args[1] : NULL);
        free(args);
        return n == 0 && !want_help ? 2 : 0;
    }
    if (want_help) {
        print_help(args[0]);
        free(args);
        return 0;
    }
    pt_ctx c;
    pt_ctx_init(&c, db_path);
    if (src)
        c.src_dir = src;
    if (tests)
        c.tests_dir = tests;
    c.json = json;
    const char *cmd = args[0];
    if (strcmp(cmd, "import") == 0) {
        const char *go = NULL, *ref = NULL;
        for (int i = 1; i < n; i++) {
            const char *v;
            if ((v = optval(n, args, &i, "--go-src")))
                go = v;
            else if ((v = optval(n, args, &i, "--ref")))
                ref = v;
            else {
                pt_seterr("unknown option %s", args[i]);
                go = NULL;
                break;
            }
        }
        if (!go || !ref || !*go || !*ref) {
            if (!go || !ref)
                pt_seterr("import needs --go-src DIR and --ref REF");
            rc = fail(2);
        } else {
            rc = pt_import(&c, go, ref);
            if (rc)
                fail(rc);
        }
    } else if (strcmp(cmd, "report") == 0) {
        if (n >= 2 && strcmp(args[1], "summary") == 0) {
            rc = pt_report_summary(&c, stdout);
        } else if (n >= 2 && strcmp(args[1], "parity") == 0) {
            const char *out = NULL;
            bool to_stdout = false;
            for (int i = 2; i < n; i++) {
                const char *v;
                if ((v = optval(n, args, &i, "--out")))
                    out = v;
                else if (strcmp(args[i], "--stdout") == 0)
                    to_stdout = true;
            }
            rc = pt_report_parity(&c, out, to_stdout);
        } else {
            print_help("report");
            rc = 2;
            pt_seterr("report needs summary or parity");
        }
        if (rc)
            fail(rc);
    } else if (strcmp(cmd, "feature") == 0 || strcmp(cmd, "test") == 0) {
        rc = cmd_items(&c, cmd[0] == 'f', n - 1, args + 1);
    } else if (strcmp(cmd, "batch") == 0) {
        if (n < 2) {
            print_help("batch");
        } else {
            sqlite3 *db = pt_db_open(c.db_path, false);
            if (!db) {
                rc = fail(2);
            } else {
                int num = n >= 3 ? atoi(args[2]) : 0;
                bool needs_num = strcmp(args[1], "list") != 0 && strcmp(args[1], "ready") != 0;
                if (needs_num && num <= 0) {
                    pt_seterr("batch %s needs a batch number", args[1]);
                    rc = fail(2);
                } else {
                    rc = pt_batch_cmd(&c, db, args[1], num, stdout);
                    if (rc)
                        fail(rc);
                }
                pt_db_close(db);
            }
        }
    } else if (strcmp(cmd, "stub-scan") == 0) {
        int hits = pt_stub_scan(&c, (const char *const *)args + 1, (size_t)(n - 1), stdout);
        if (hits < 0)
            rc = fail(2);
        else {
            fprintf(stderr, "stub-scan: %d finding%s\n", hits, hits == 1 ? "" : "s");
            rc = hits ? 1 : 0;
        }
    } else if (strcmp(cmd, "evidence") == 0) {
        const char *results = NULL, *cov = NULL;
        if (n < 2 || strcmp(args[1], "import") != 0) {
            pt_seterr("usage: porttrack evidence import --results DIR [--coverage DIR]");
            rc = fail(2);
        } else {
            for (int i = 2; i < n; i++) {
                const char *v;
                if ((v = optval(n, args, &i, "--results")))
                    results = v;
                else if ((v = optval(n, args, &i, "--coverage")))
                    cov = v;
            }
            if (!results) {
                pt_seterr("evidence import needs --results DIR");
                rc = fail(2);
            } else {
                rc = pt_evidence_import(&c, results, cov);
                if (rc)
                    fail(rc);
            }
        }
    } else if (strcmp(cmd, "refresh") == 0) {
        rc = pt_refresh(&c);
        if (rc)
            fail(rc);
    } else if (strcmp(cmd, "gate") == 0) {
        rc = pt_gate(&c);
        if (rc == 2)
            fail(rc);
    } else if (strcmp(cmd, "script") == 0) {
        if (n != 2) {
            print_help("script");
            rc = 2;
        } else {
            rc = cmd_script(&c, args[1]);
        }
    } else if (strcmp(cmd, "batches-md") == 0) {
        sqlite3 *db = pt_db_open(c.db_path, false);
        if (!db) {
            rc = fail(2);
        } else {
            char *md = pt_batches_md(db);
            if (!md) {
                rc = fail(2);
            } else if (n > 1 && strcmp(args[1], "--stdout") == 0) {
                fputs(md, stdout);
                rc = 0;
            } else {
                char *p = NULL;
                if (asprintf(&p, "%s/batches.md", c.root) < 0)
                    abort();
                rc = pt_write_file(p, md, strlen(md)) == 0 ? 0 : fail(2);
                if (rc == 0)
                    printf("wrote %s\n", p);
                free(p);
            }
            free(md);
            pt_db_close(db);
        }
    } else {
        fprintf(stderr, "porttrack: unknown command '%s'\n\n%s", cmd, usage_main);
        rc = 2;
    }
    free(args);
    return rc;
}
