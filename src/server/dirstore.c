/* JWT directory store (server/dirstore.go). */
#include "server/dirstore.h"

#include <errno.h>
#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server/jwt.h"
#include "server/nkey.h"

/* One tracked JWT (Go jwtItem); LRU order by last_use. */
typedef struct jwt_item {
    char *public_key;
    int64_t expiration; /* unix ns, INT64_MAX = never */
    uint8_t hash[SHA256_DIGEST_LENGTH];
    uint64_t last_use;
} jwt_item;

/* Go expirationTracker. */
typedef struct expiration_tracker {
    jwt_item *items;
    int count, cap;
    int64_t limit;
    bool evict_on_limit;
    int64_t ttl;
    uint8_t hash[SHA256_DIGEST_LENGTH];
    uint64_t seq;
} expiration_tracker;

struct dir_jwt_store {
    pthread_mutex_t mu;
    char *directory;
    bool shard;
    bool readonly;
    dirstore_delete_type delete_type;
    expiration_tracker *expiration; /* NULL for plain stores */
    /* expiry thread (Go startExpiring's goroutine) */
    pthread_t thread;
    bool thread_started;
    bool quit;
    pthread_cond_t cv;
    int64_t recheck_ns;
    dirstore_changed_fn changed; /* Go store.changed */
    void *changed_arg;
};

static void dirstore_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void dirstore_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int64_t dirstore_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Go validatePathExists: the absolute path (malloc'ed) or NULL with err. */
static char *dirstore_validate_path_exists(const char *path, bool dir, char *err, size_t errlen)
{
    if (!path || !path[0]) {
        dirstore_errf(err, errlen, "path is not specified");
        return NULL;
    }
    char *abs = NULL;
    if (path[0] == '/') {
        abs = strdup(path);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd)) || asprintf(&abs, "%s/%s", cwd, path) < 0)
            abs = NULL;
    }
    if (!abs) {
        dirstore_errf(err, errlen, "error parsing path [%s]: out of memory", path);
        return NULL;
    }
    size_t n = strlen(abs);
    while (n > 1 && abs[n - 1] == '/')
        abs[--n] = '\0';
    struct stat st;
    if (stat(abs, &st) != 0) {
        if (errno == ENOENT)
            dirstore_errf(err, errlen, "the path [%s] doesn't exist", abs);
        else
            dirstore_errf(err, errlen, "error accessing path [%s]: %s", abs, strerror(errno));
        free(abs);
        return NULL;
    }
    if (dir && S_ISREG(st.st_mode)) {
        dirstore_errf(err, errlen, "the path [%s] is not a directory", abs);
        free(abs);
        return NULL;
    }
    if (!dir && S_ISDIR(st.st_mode)) {
        dirstore_errf(err, errlen, "the path [%s] is not a file", abs);
        free(abs);
        return NULL;
    }
    return abs;
}

/* Go validateDirPath. */
static char *dirstore_validate_dir_path(const char *path, char *err, size_t errlen)
{
    return dirstore_validate_path_exists(path, true, err, errlen);
}

/* mkdir -p with Go's defaultDirPerms (0750). */
static int dirstore_mkdir_all(const char *path, char *err, size_t errlen)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    for (char *q = p + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(p, 0750) != 0 && errno != EEXIST) {
            dirstore_errf(err, errlen, "mkdir %s: %s", p, strerror(errno));
            free(p);
            return -1;
        }
        *q = '/';
    }
    int rc = 0;
    if (mkdir(p, 0750) != 0 && errno != EEXIST) {
        dirstore_errf(err, errlen, "mkdir %s: %s", p, strerror(errno));
        rc = -1;
    }
    free(p);
    return rc;
}

/* Go newDir. */
static char *dirstore_new_dir(const char *dir, bool create, char *err, size_t errlen)
{
    char *full = dirstore_validate_dir_path(dir, err, errlen);
    if (full || !create)
        return full;
    if (dirstore_mkdir_all(dir, err, errlen) != 0)
        return NULL;
    return dirstore_validate_dir_path(dir, err, errlen);
}

dir_jwt_store *dirstore_new_dir_jwt_store(const char *dir, bool shard, bool create, char *err, size_t errlen)
{
    char *full = dirstore_new_dir(dir, create, err, errlen);
    if (!full)
        return NULL;
    dir_jwt_store *s = calloc(1, sizeof(*s));
    if (!s) {
        free(full);
        dirstore_errf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    s->directory = full;
    s->shard = shard;
    return s;
}

dir_jwt_store *dirstore_new_immutable_dir_jwt_store(const char *dir, bool shard, char *err, size_t errlen)
{
    dir_jwt_store *s = dirstore_new_dir_jwt_store(dir, shard, false, err, errlen);
    if (s)
        s->readonly = true;
    return s;
}

static void dirstore_xor_assign(uint8_t *l, const uint8_t *r)
{
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
        l[i] ^= r[i];
}

static int expiration_tracker_find(const expiration_tracker *t, const char *key)
{
    for (int i = 0; i < t->count; i++)
        if (strcmp(t->items[i].public_key, key) == 0)
            return i;
    return -1;
}

/* Go expirationTracker.updateTrack: refreshes ttl and LRU position. */
static void expiration_tracker_update_track(expiration_tracker *t, const char *key)
{
    int i = expiration_tracker_find(t, key);
    if (i < 0)
        return;
    if (t->ttl != 0)
        t->items[i].expiration = t->ttl == INT64_MAX ? INT64_MAX : dirstore_now_ns() + t->ttl;
    if (t->evict_on_limit)
        t->items[i].last_use = ++t->seq;
}

/* Go expirationTracker.unTrack. */
static void expiration_tracker_un_track(expiration_tracker *t, const char *key)
{
    int i = expiration_tracker_find(t, key);
    if (i < 0)
        return;
    dirstore_xor_assign(t->hash, t->items[i].hash);
    free(t->items[i].public_key);
    t->items[i] = t->items[--t->count];
}

/* The JWT's "exp" in unix ns (0 when absent), read without verification
 * beyond Go's DecodeGeneric. */
static int64_t dirstore_jwt_expires_ns(const char *jwt)
{
    jwt_generic_claims *g = NULL;
    char e[256];
    if (jwt_decode_generic(jwt, &g, e, sizeof(e)) != 0)
        return 0;
    int64_t exp = g->claims.expires;
    jwt_generic_claims_free(g);
    return exp * 1000000000LL;
}

/* Go expirationTracker.track. */
static int expiration_tracker_track(expiration_tracker *t, const char *key, const uint8_t *hash, const char *jwt)
{
    int64_t exp;
    if (t->ttl != 0) {
        exp = t->ttl == INT64_MAX ? INT64_MAX : dirstore_now_ns() + t->ttl;
    } else {
        exp = dirstore_jwt_expires_ns(jwt);
        if (exp == 0)
            exp = INT64_MAX;
    }
    int i = expiration_tracker_find(t, key);
    if (i >= 0) {
        dirstore_xor_assign(t->hash, t->items[i].hash);
    } else {
        if (t->count == t->cap) {
            int nc = t->cap ? t->cap * 2 : 16;
            jwt_item *ni = realloc(t->items, sizeof(*ni) * (size_t)nc);
            if (!ni)
                return -1;
            t->items = ni;
            t->cap = nc;
        }
        char *k = strdup(key);
        if (!k)
            return -1;
        i = t->count++;
        memset(&t->items[i], 0, sizeof(t->items[i]));
        t->items[i].public_key = k;
    }
    t->items[i].expiration = exp;
    t->items[i].last_use = ++t->seq;
    memcpy(t->items[i].hash, hash, SHA256_DIGEST_LENGTH);
    dirstore_xor_assign(t->hash, hash);
    return 0;
}

static void expiration_tracker_close(expiration_tracker *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->count; i++)
        free(t->items[i].public_key);
    free(t->items);
    free(t);
}

char *dir_jwt_store_path_for_key(dir_jwt_store *s, const char *public_key)
{
    size_t n = public_key ? strlen(public_key) : 0;
    if (n < 2 || !nkey_is_valid_public_key(public_key))
        return NULL;
    char *p = NULL;
    int rc;
    if (s->shard)
        rc = asprintf(&p, "%s/%s/%s%s", s->directory, public_key + n - 2, public_key, DIRSTORE_FILE_EXTENSION);
    else
        rc = asprintf(&p, "%s/%s%s", s->directory, public_key, DIRSTORE_FILE_EXTENSION);
    return rc < 0 ? NULL : p;
}

/* Go's expiring goroutine, run inline: removes entries whose expiration
 * passed (their files first). Lock held. */
static void dir_jwt_store_expire_locked(dir_jwt_store *s)
{
    expiration_tracker *t = s->expiration;
    if (!t)
        return;
    int64_t now = dirstore_now_ns();
    for (int i = 0; i < t->count;) {
        if (t->items[i].expiration <= now) {
            char *path = dir_jwt_store_path_for_key(s, t->items[i].public_key);
            bool removed = path && remove(path) == 0;
            free(path);
            if (removed) {
                char *k = t->items[i].public_key;
                t->items[i].public_key = NULL;
                dirstore_xor_assign(t->hash, t->items[i].hash);
                t->items[i] = t->items[--t->count];
                free(k);
                continue;
            }
        }
        i++;
    }
}

static char *dirstore_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        dirstore_errf(err, errlen, "open %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 4096) {
            char *nb = realloc(buf, cap + 8192);
            if (!nb) {
                free(buf);
                fclose(f);
                dirstore_errf(err, errlen, "out of memory");
                return NULL;
            }
            buf = nb;
            cap += 8192;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* Walks dir (recursively) tracking every "*.jwt" file (Go's filepath.Walk
 * in NewExpiringDirJWTStore). Lock held. */
static void dirstore_track_dir(dir_jwt_store *s, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
            continue;
        struct stat st;
        size_t nl = strlen(de->d_name), el = strlen(DIRSTORE_FILE_EXTENSION);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            dirstore_track_dir(s, p);
        } else if (nl > el && strcmp(de->d_name + nl - el, DIRSTORE_FILE_EXTENSION) == 0) {
            size_t len = 0;
            char *jwt = dirstore_read_file(p, &len, NULL, 0);
            if (jwt) {
                uint8_t h[SHA256_DIGEST_LENGTH];
                SHA256((const uint8_t *)jwt, len, h);
                char *key = strndup(de->d_name, nl - el);
                if (key)
                    expiration_tracker_track(s->expiration, key, h, jwt);
                free(key);
                free(jwt);
            }
        }
        free(p);
    }
    closedir(d);
}

/* Go startExpiring's goroutine: removes expired entries every recheck
 * interval until the store closes. */
static void *dir_jwt_store_expiring_thread(void *arg)
{
    dir_jwt_store *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->quit) {
        dir_jwt_store_expire_locked(s);
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        /* Intervals beyond a day (Go's "infinite" ones) wait a day at a time. */
        int64_t rc = s->recheck_ns < 86400LL * 1000000000LL ? s->recheck_ns : 86400LL * 1000000000LL;
        int64_t ns = (int64_t)ts.tv_nsec + rc % 1000000000LL;
        ts.tv_sec += (time_t)(rc / 1000000000LL + ns / 1000000000LL);
        ts.tv_nsec = (long)(ns % 1000000000LL);
        pthread_cond_timedwait(&s->cv, &s->mu, &ts);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Go startExpiring. */
static int dir_jwt_store_start_expiring(dir_jwt_store *s, int64_t recheck, int64_t limit, bool evict_on_limit,
                                        int64_t ttl)
{
    expiration_tracker *t = calloc(1, sizeof(*t));
    if (!t)
        return -1;
    t->limit = limit;
    t->evict_on_limit = evict_on_limit;
    t->ttl = ttl;
    s->expiration = t;
    s->recheck_ns = recheck;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&s->thread, NULL, dir_jwt_store_expiring_thread, s) != 0)
        return -1;
    s->thread_started = true;
    return 0;
}

dir_jwt_store *dirstore_new_expiring_dir_jwt_store(const char *dir, bool shard, bool create,
                                                   dirstore_delete_type del, int64_t expire_check_ns,
                                                   int64_t limit, bool evict_on_limit, int64_t ttl_ns,
                                                   dirstore_changed_fn changed, void *changed_arg, char *err,
                                                   size_t errlen)
{
    dir_jwt_store *s = dirstore_new_dir_jwt_store(dir, shard, create, err, errlen);
    if (!s)
        return NULL;
    s->delete_type = del;
    s->changed = changed;
    s->changed_arg = changed_arg;
    if (expire_check_ns <= 0) {
        if (ttl_ns != 0)
            expire_check_ns = ttl_ns / 2;
        if (expire_check_ns == 0 || expire_check_ns > 60 * 1000000000LL)
            expire_check_ns = 60 * 1000000000LL;
    }
    pthread_mutex_lock(&s->mu);
    int rc = dir_jwt_store_start_expiring(s, expire_check_ns, limit <= 0 ? INT64_MAX : limit, evict_on_limit, ttl_ns);
    pthread_mutex_unlock(&s->mu);
    if (rc != 0) {
        dir_jwt_store_close(s);
        dirstore_errf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_lock(&s->mu);
    dirstore_track_dir(s, s->directory);
    pthread_mutex_unlock(&s->mu);
    return s;
}

bool dir_jwt_store_is_read_only(dir_jwt_store *s)
{
    return s->readonly;
}

/* Go load. */
static char *dir_jwt_store_load(dir_jwt_store *s, const char *key, char *err, size_t errlen)
{
    pthread_mutex_lock(&s->mu);
    dir_jwt_store_expire_locked(s);
    char *path = dir_jwt_store_path_for_key(s, key);
    char *data = NULL;
    if (!path) {
        dirstore_errf(err, errlen, "invalid public key");
    } else if ((data = dirstore_read_file(path, NULL, err, errlen)) != NULL && s->expiration) {
        expiration_tracker_update_track(s->expiration, key);
    }
    pthread_mutex_unlock(&s->mu);
    free(path);
    return data;
}

char *dir_jwt_store_load_acc(dir_jwt_store *s, const char *public_key, char *err, size_t errlen)
{
    return dir_jwt_store_load(s, public_key, err, errlen);
}

char *dir_jwt_store_load_act(dir_jwt_store *s, const char *hash, char *err, size_t errlen)
{
    return dir_jwt_store_load(s, hash, err, errlen);
}

/* Go write: *changed says whether the file was written. Lock held. */
static int dir_jwt_store_write(dir_jwt_store *s, const char *path, const char *key, const char *jwt, bool *changed,
                               char *err, size_t errlen)
{
    *changed = false;
    size_t len = jwt ? strlen(jwt) : 0;
    if (len == 0) {
        dirstore_errf(err, errlen, "invalid JWT");
        return -1;
    }
    uint8_t h[SHA256_DIGEST_LENGTH];
    expiration_tracker *t = s->expiration;
    if (t) {
        SHA256((const uint8_t *)jwt, len, h);
        int i = expiration_tracker_find(t, key);
        if (i >= 0) {
            expiration_tracker_update_track(t, key);
            if (memcmp(t->items[i].hash, h, sizeof(h)) == 0)
                return 0;
        } else if ((int64_t)t->count >= t->limit) {
            if (!t->evict_on_limit) {
                dirstore_errf(err, errlen, "jwt store is full");
                return -1;
            }
            int lru = 0;
            for (int k = 1; k < t->count; k++)
                if (t->items[k].last_use < t->items[lru].last_use)
                    lru = k;
            char *victim = dir_jwt_store_path_for_key(s, t->items[lru].public_key);
            if (!victim || remove(victim) != 0) {
                dirstore_errf(err, errlen, "remove %s: %s", victim ? victim : "", strerror(errno));
                free(victim);
                return -1;
            }
            free(victim);
            char *vk = strdup(t->items[lru].public_key);
            if (vk)
                expiration_tracker_un_track(t, vk);
            free(vk);
        }
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        dirstore_errf(err, errlen, "open %s: %s", path, strerror(errno));
        return -1;
    }
    bool ok = fwrite(jwt, 1, len, f) == len;
    if (fclose(f) != 0)
        ok = false;
    if (!ok) {
        dirstore_errf(err, errlen, "write %s: %s", path, strerror(errno));
        return -1;
    }
    chmod(path, 0640);
    if (t)
        expiration_tracker_track(t, key, h, jwt);
    *changed = true;
    return 0;
}

/* Creates the directory holding path when missing. */
static int dirstore_ensure_parent(const char *path, char *err, size_t errlen)
{
    char *dir = strdup(path);
    if (!dir)
        return -1;
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    int rc = 0;
    char e[256];
    char *v = dirstore_validate_dir_path(dir, e, sizeof(e));
    if (!v)
        rc = dirstore_mkdir_all(dir, err, errlen);
    free(v);
    free(dir);
    return rc;
}

/* Go save. */
static int dir_jwt_store_save(dir_jwt_store *s, const char *key, const char *jwt, char *err, size_t errlen)
{
    if (s->readonly) {
        dirstore_errf(err, errlen, "store is read-only");
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    char *path = dir_jwt_store_path_for_key(s, key);
    int rc = -1;
    bool changed = false;
    if (!path)
        dirstore_errf(err, errlen, "invalid public key");
    else if (dirstore_ensure_parent(path, err, errlen) == 0)
        rc = dir_jwt_store_write(s, path, key, jwt, &changed, err, errlen);
    dirstore_changed_fn cb = s->changed;
    pthread_mutex_unlock(&s->mu);
    free(path);
    if (changed && cb)
        cb(key, s->changed_arg);
    return rc;
}

int dir_jwt_store_save_acc(dir_jwt_store *s, const char *public_key, const char *jwt, char *err, size_t errlen)
{
    return dir_jwt_store_save(s, public_key, jwt, err, errlen);
}

int dir_jwt_store_save_act(dir_jwt_store *s, const char *hash, const char *jwt, char *err, size_t errlen)
{
    return dir_jwt_store_save(s, hash, jwt, err, errlen);
}

int dir_jwt_store_save_if_newer(dir_jwt_store *s, const char *public_key, const char *jwt, char *err,
                                size_t errlen)
{
    if (s->readonly) {
        dirstore_errf(err, errlen, "store is read-only");
        return -1;
    }
    char *path = dir_jwt_store_path_for_key(s, public_key);
    if (!path) {
        dirstore_errf(err, errlen, "invalid public key");
        return -1;
    }
    int rc = -1;
    struct stat st;
    if (dirstore_ensure_parent(path, err, errlen) != 0)
        goto done;
    if (stat(path, &st) == 0) {
        jwt_generic_claims *nj = NULL, *ej = NULL;
        if (jwt_decode_generic(jwt, &nj, err, errlen) != 0)
            goto done;
        char *existing = dirstore_read_file(path, NULL, err, errlen);
        if (!existing) {
            jwt_generic_claims_free(nj);
            goto done;
        }
        char e2[256];
        bool keep = false, fail = false;
        if (jwt_decode_generic(existing, &ej, e2, sizeof(e2)) == 0) {
            /* Decoding errors of the existing JWT let the new one replace it. */
            if (ej->claims.id && nj->claims.id && strcmp(ej->claims.id, nj->claims.id) == 0) {
                keep = true;
            } else if (ej->claims.issued_at > nj->claims.issued_at) {
                keep = true;
            } else if (!nj->claims.subject || strcmp(nj->claims.subject, public_key) != 0) {
                dirstore_errf(err, errlen, "jwt subject nkey and provided nkey do not match");
                fail = true;
            } else if (!ej->claims.subject || strcmp(ej->claims.subject, nj->claims.subject) != 0) {
                dirstore_errf(err, errlen, "subject of existing and new jwt do not match");
                fail = true;
            }
        }
        free(existing);
        jwt_generic_claims_free(nj);
        jwt_generic_claims_free(ej);
        if (keep) {
            rc = 0;
            goto done;
        }
        if (fail)
            goto done;
    }
    pthread_mutex_lock(&s->mu);
    bool changed = false;
    dirstore_changed_fn cb = s->changed;
    rc = dir_jwt_store_write(s, path, public_key, jwt, &changed, err, errlen);
    pthread_mutex_unlock(&s->mu);
    if (rc == 0 && changed && cb)
        cb(public_key, s->changed_arg);
done:
    free(path);
    return rc;
}

int dir_jwt_store_delete(dir_jwt_store *s, const char *public_key, char *err, size_t errlen)
{
    if (s->readonly) {
        dirstore_errf(err, errlen, "store is read-only");
        return -1;
    }
    if (s->delete_type == DIRSTORE_NO_DELETE) {
        dirstore_errf(err, errlen, "store is not set up to for delete");
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    char *name = dir_jwt_store_path_for_key(s, public_key);
    int rc = 0;
    if (!name) {
        dirstore_errf(err, errlen, "invalid public key");
        rc = -1;
    } else if (s->delete_type == DIRSTORE_RENAME_DELETED) {
        char *to = NULL;
        if (asprintf(&to, "%s.deleted", name) < 0 || (rename(name, to) != 0 && errno != ENOENT)) {
            dirstore_errf(err, errlen, "rename %s: %s", name, strerror(errno));
            rc = -1;
        }
        free(to);
    } else if (remove(name) != 0 && errno != ENOENT) {
        dirstore_errf(err, errlen, "remove %s: %s", name, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && s->expiration)
        expiration_tracker_un_track(s->expiration, public_key);
    pthread_mutex_unlock(&s->mu);
    free(name);
    return rc;
}

void dir_jwt_store_hash(dir_jwt_store *s, uint8_t out[32])
{
    pthread_mutex_lock(&s->mu);
    if (s->expiration)
        memcpy(out, s->expiration->hash, SHA256_DIGEST_LENGTH);
    else
        memset(out, 0, SHA256_DIGEST_LENGTH);
    pthread_mutex_unlock(&s->mu);
}

int dir_jwt_store_len(dir_jwt_store *s)
{
    pthread_mutex_lock(&s->mu);
    dir_jwt_store_expire_locked(s);
    int n = s->expiration ? s->expiration->count : 0;
    pthread_mutex_unlock(&s->mu);
    return n;
}

void dir_jwt_store_close(dir_jwt_store *s)
{
    if (!s)
        return;
    if (s->thread_started) {
        pthread_mutex_lock(&s->mu);
        s->quit = true;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread, NULL);
        pthread_cond_destroy(&s->cv);
    }
    expiration_tracker_close(s->expiration);
    free(s->directory);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ---- pack / merge / reload (resolver synchronisation) ---- */

/* A growable string. */
typedef struct dirstore_buf {
    char *p;
    size_t len, cap;
    bool oom;
} dirstore_buf;

static void dirstore_buf_add(dirstore_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = (b->len + n + 1) * 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* One JWT file met while walking the store (Go's filepath.Walk callbacks
 * of Pack/PackWalk). */
typedef struct dirstore_walk {
    dir_jwt_store *s;
    bool locked;    /* store lock held by the walker (Pack) */
    int max;        /* lines per message; < 0: no limit */
    int count;      /* lines in the current message */
    int total;      /* lines so far (Pack stops at max) */
    bool single;    /* Pack: one message */
    dirstore_buf msg;
    void (*cb)(const char *msg, void *arg);
    void *arg;
} dirstore_walk;

/* Adds the JWT file path of key to the walk when it qualifies. */
static void dirstore_walk_file(dirstore_walk *w, const char *path, const char *key)
{
    if (w->single && w->total == w->max)
        return;
    if (!w->locked)
        pthread_mutex_lock(&w->s->mu);
    bool tracked = !w->s->expiration || expiration_tracker_find(w->s->expiration, key) >= 0;
    bool expiring = w->s->expiration != NULL;
    if (!w->locked)
        pthread_mutex_unlock(&w->s->mu);
    if (!tracked)
        return;
    size_t len = 0;
    char *jwt = dirstore_read_file(path, &len, NULL, 0);
    if (!jwt)
        return;
    if ((!w->single && len == 0)) {
        free(jwt);
        return;
    }
    if (expiring) {
        int64_t exp = dirstore_jwt_expires_ns(jwt);
        if (exp > 0 && exp / 1000000000LL < (int64_t)time(NULL)) {
            free(jwt);
            return;
        }
    }
    if (w->count > 0)
        dirstore_buf_add(&w->msg, "\n", 1);
    dirstore_buf_add(&w->msg, key, strlen(key));
    dirstore_buf_add(&w->msg, "|", 1);
    dirstore_buf_add(&w->msg, jwt, len);
    free(jwt);
    w->count++;
    w->total++;
    if (!w->single && w->count == w->max) {
        w->cb(w->msg.p ? w->msg.p : "", w->arg);
        w->msg.len = 0;
        w->count = 0;
    }
}

static void dirstore_walk_dir(dirstore_walk *w, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
            continue;
        struct stat st;
        size_t nl = strlen(de->d_name), el = strlen(DIRSTORE_FILE_EXTENSION);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            dirstore_walk_dir(w, p);
        } else if (nl > el && strcmp(de->d_name + nl - el, DIRSTORE_FILE_EXTENSION) == 0) {
            char *key = strndup(de->d_name, nl - el);
            if (key)
                dirstore_walk_file(w, p, key);
            free(key);
        }
        free(p);
    }
    closedir(d);
}

char *dir_jwt_store_pack(dir_jwt_store *s, int max_jwts, char *err, size_t errlen)
{
    dirstore_walk w = {.s = s, .locked = true, .max = max_jwts, .single = true};
    pthread_mutex_lock(&s->mu);
    dirstore_walk_dir(&w, s->directory);
    pthread_mutex_unlock(&s->mu);
    if (w.msg.oom) {
        free(w.msg.p);
        dirstore_errf(err, errlen, "out of memory");
        return NULL;
    }
    return w.msg.p ? w.msg.p : strdup("");
}

int dir_jwt_store_pack_walk(dir_jwt_store *s, int max_jwts, void (*cb)(const char *msg, void *arg), void *arg,
                            char *err, size_t errlen)
{
    if (max_jwts <= 0 || !cb) {
        dirstore_errf(err, errlen, "bad arguments to PackWalk");
        return -1;
    }
    dirstore_walk w = {.s = s, .max = max_jwts, .cb = cb, .arg = arg};
    dirstore_walk_dir(&w, s->directory);
    if (w.count > 0)
        cb(w.msg.p ? w.msg.p : "", arg);
    bool oom = w.msg.oom;
    free(w.msg.p);
    if (oom) {
        dirstore_errf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int dir_jwt_store_merge(dir_jwt_store *s, const char *pack, char *err, size_t errlen)
{
    char *copy = strdup(pack ? pack : "");
    if (!copy) {
        dirstore_errf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line && rc == 0; line = strtok_r(NULL, "\n", &save)) {
        char *bar = strchr(line, '|');
        if (!bar || strchr(bar + 1, '|')) {
            char q[1024];
            size_t o = 0;
            q[o++] = '"';
            for (const char *c = line; *c && o < sizeof(q) - 3; c++)
                q[o++] = *c;
            q[o++] = '"';
            q[o] = '\0';
            dirstore_errf(err, errlen, "line in package didn't contain 2 entries: %s", q);
            rc = -1;
            break;
        }
        *bar = '\0';
        if (!nkey_is_valid_public_account_key(line)) {
            dirstore_errf(err, errlen, "key to merge is not a valid public account key");
            rc = -1;
            break;
        }
        rc = dir_jwt_store_save_if_newer(s, line, bar + 1, err, errlen);
    }
    free(copy);
    return rc;
}

/* Reload's walk: every JWT file is tracked again; keys whose hash changed
 * (or any key for a cache) are collected for notification. */
typedef struct dirstore_reload {
    dir_jwt_store *s;
    expiration_tracker *old;
    bool is_cache;
    char **notify;
    int nnotify;
} dirstore_reload;

static void dirstore_reload_dir(dirstore_reload *r, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
            continue;
        struct stat st;
        size_t nl = strlen(de->d_name), el = strlen(DIRSTORE_FILE_EXTENSION);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            dirstore_reload_dir(r, p);
        } else if (nl > el && strcmp(de->d_name + nl - el, DIRSTORE_FILE_EXTENSION) == 0) {
            size_t len = 0;
            char *jwt = dirstore_read_file(p, &len, NULL, 0);
            char *key = jwt ? strndup(de->d_name, nl - el) : NULL;
            if (key) {
                uint8_t h[SHA256_DIGEST_LENGTH];
                SHA256((const uint8_t *)jwt, len, h);
                bool notify = r->is_cache;
                int oi = expiration_tracker_find(r->old, key);
                if (oi >= 0)
                    notify = memcmp(r->old->items[oi].hash, h, sizeof(h)) != 0;
                pthread_mutex_lock(&r->s->mu);
                expiration_tracker_track(r->s->expiration, key, h, jwt);
                pthread_mutex_unlock(&r->s->mu);
                if (notify) {
                    char **nn = realloc(r->notify, sizeof(char *) * (size_t)(r->nnotify + 1));
                    if (nn) {
                        r->notify = nn;
                        r->notify[r->nnotify++] = key;
                        key = NULL;
                    }
                }
            }
            free(key);
            free(jwt);
        }
        free(p);
    }
    closedir(d);
}

int dir_jwt_store_reload(dir_jwt_store *s, char *err, size_t errlen)
{
    pthread_mutex_lock(&s->mu);
    expiration_tracker *old = s->expiration;
    if (!old || s->readonly) {
        pthread_mutex_unlock(&s->mu);
        return 0;
    }
    expiration_tracker *fresh = calloc(1, sizeof(*fresh));
    if (!fresh) {
        pthread_mutex_unlock(&s->mu);
        dirstore_errf(err, errlen, "out of memory");
        return -1;
    }
    fresh->limit = old->limit;
    fresh->evict_on_limit = old->evict_on_limit;
    fresh->ttl = old->ttl;
    s->expiration = fresh;
    dirstore_changed_fn cb = s->changed;
    pthread_mutex_unlock(&s->mu);
    dirstore_reload r = {.s = s, .old = old, .is_cache = old->evict_on_limit};
    dirstore_reload_dir(&r, s->directory);
    expiration_tracker_close(old);
    for (int i = 0; i < r.nnotify; i++) {
        if (cb)
            cb(r.notify[i], s->changed_arg);
        free(r.notify[i]);
    }
    free(r.notify);
    return 0;
}
