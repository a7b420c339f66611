/* Port of server/dirstore_test.go. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server/dirstore.h"
#include "server/jwt.h"
#include "server/nkey.h"
#include "testutil.h"

/* ---- helpers ---- */

static char *make_temp_dir(void)
{
    char *d = strdup("/tmp/cnatsd_dirstoreXXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            char p[1024];
            snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                chmod(p, 0755);
                remove_tree(p);
            } else {
                unlink(p);
            }
        }
        closedir(d);
    }
    rmdir(path);
}

/* Number of entries directly in dir (Go os.ReadDir). */
static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* "*.jwt" files under dir, recursively. */
static int count_jwt_files(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char p[1024];
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        struct stat st;
        size_t nl = strlen(de->d_name), sl = strlen(suffix);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            n += count_jwt_files(p, suffix);
        else if (nl > sl && strcmp(de->d_name + nl - sl, suffix) == 0)
            n++;
    }
    closedir(d);
    return n;
}

static bool file_exists(const char *dir, const char *key)
{
    char p[1024];
    snprintf(p, sizeof(p), "%s/%s.jwt", dir, key);
    struct stat st;
    return stat(p, &st) == 0;
}

/* Go assertStoreSize. */
static void assert_store_size(dir_jwt_store *s, const char *dir, int n)
{
    ck_assert_int_eq(count_jwt_files(dir, ".jwt"), n);
    ck_assert_int_eq(dir_jwt_store_len(s), n);
}

static void new_account(nkey_pair *kp, char pub[NKEY_PUBLIC_STR_LEN + 1])
{
    ck_assert_int_eq(nkey_create_account(kp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(kp, pub, NKEY_PUBLIC_STR_LEN + 1), NKEY_OK);
}

/* Go createTestAccount: a self-signed account JWT expiring in exp_sec
 * (0: never), saved in the store. Returns the JWT (caller frees). */
static char *create_test_account(dir_jwt_store *s, int exp_sec, const nkey_pair *kp)
{
    char pub[NKEY_PUBLIC_STR_LEN + 1], err[256];
    ck_assert_int_eq(nkey_pair_public_key(kp, pub, sizeof(pub)), NKEY_OK);
    jwt_account_claims *ac = jwt_new_account_claims(pub);
    if (exp_sec > 0) {
        /* Go: time.Now().Round(time.Second).Add(exp). */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ac->claims.expires = (int64_t)ts.tv_sec + (ts.tv_nsec >= 500000000L ? 1 : 0) + exp_sec;
    }
    char *j = jwt_account_claims_encode(ac, kp, err, sizeof(err));
    ck_assert_msg(j != NULL, "%s", err);
    jwt_account_claims_free(ac);
    ck_assert_msg(dir_jwt_store_save_acc(s, pub, j, err, sizeof(err)) == 0, "save: %s", err);
    return j;
}

static void hash_of(dir_jwt_store *s, uint8_t h[32])
{
    dir_jwt_store_hash(s, h);
}

/* Four account keys (Go's one..four). */
static char keys[4][NKEY_PUBLIC_STR_LEN + 1];

static void init_keys(void)
{
    for (int i = 0; i < 4; i++) {
        nkey_pair kp;
        new_account(&kp, keys[i]);
        nkey_pair_wipe(&kp);
    }
}

static void write_and_readonly(bool shard)
{
    init_keys();
    char *dir = make_temp_dir();
    char err[512];
    dir_jwt_store *s = dirstore_new_dir_jwt_store(dir, shard, false, err, sizeof(err));
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert(!dir_jwt_store_is_read_only(s));
    const char *vals[4] = {"alpha", "beta", "gamma", "delta"};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(dir_jwt_store_save_acc(s, keys[i], vals[i], err, sizeof(err)), 0);
    for (int i = 0; i < 4; i++) {
        char *got = dir_jwt_store_load_acc(s, keys[i], err, sizeof(err));
        ck_assert_ptr_nonnull(got);
        ck_assert_str_eq(got, vals[i]);
        free(got);
    }
    ck_assert_ptr_null(dir_jwt_store_load_acc(s, "random", err, sizeof(err)));
    ck_assert_str_eq(err, "invalid public key");
    /* Activations go through the same key check as accounts (like Go, a
     * key that is not an nkey public key is refused). */
    ck_assert_int_ne(dir_jwt_store_save_act(s, "JYT3YQQNQX5U2FFJTAMAX5CQDFXVNSELVVCWVTJOJ6IX5KWJYURQ", "activation",
                                            err, sizeof(err)),
                     0);
    ck_assert_str_eq(err, "invalid public key");
    nkey_pair akp;
    char act_key[NKEY_PUBLIC_STR_LEN + 1];
    ck_assert_int_eq(nkey_create_account(&akp), NKEY_OK);
    ck_assert_int_eq(nkey_pair_public_key(&akp, act_key, sizeof(act_key)), NKEY_OK);
    nkey_pair_wipe(&akp);
    ck_assert_int_eq(dir_jwt_store_save_act(s, act_key, "activation", err, sizeof(err)), 0);
    char *act = dir_jwt_store_load_act(s, act_key, err, sizeof(err));
    ck_assert_ptr_nonnull(act);
    ck_assert_str_eq(act, "activation");
    free(act);
    ck_assert_ptr_null(dir_jwt_store_load_act(s, "", err, sizeof(err)));
    ck_assert_ptr_null(dir_jwt_store_load_acc(s, "", err, sizeof(err)));
    ck_assert_int_ne(dir_jwt_store_save_acc(s, "", "onetwothree", err, sizeof(err)), 0);
    if (shard) {
        /* Sharded files live under the key's last two characters. */
        char p[1024];
        snprintf(p, sizeof(p), "%s/%s/%s.jwt", dir, keys[0] + NKEY_PUBLIC_STR_LEN - 2, keys[0]);
        struct stat st;
        ck_assert_int_eq(stat(p, &st), 0);
    } else {
        ck_assert(file_exists(dir, keys[0]));
    }
    dir_jwt_store_close(s);

    /* Re-use the folder read-only. */
    s = dirstore_new_immutable_dir_jwt_store(dir, shard, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    ck_assert(dir_jwt_store_is_read_only(s));
    ck_assert_int_ne(dir_jwt_store_save_acc(s, "five", "omega", err, sizeof(err)), 0);
    ck_assert_str_eq(err, "store is read-only");
    for (int i = 0; i < 4; i++) {
        char *got = dir_jwt_store_load_acc(s, keys[i], err, sizeof(err));
        ck_assert_ptr_nonnull(got);
        ck_assert_str_eq(got, vals[i]);
        free(got);
    }
    dir_jwt_store_close(s);
    remove_tree(dir);
    free(dir);
}

/* ---- dirstore_test.go ---- */

START_TEST(test_sharded_dir_store_write_and_readonly)
{
    write_and_readonly(true);
}
END_TEST

START_TEST(test_unsharded_dir_store_write_and_readonly)
{
    write_and_readonly(false);
}
END_TEST

START_TEST(test_no_create_requires_dir)
{
    char err[512];
    ck_assert_ptr_null(dirstore_new_dir_jwt_store("/a/b/c", true, false, err, sizeof(err)));
    ck_assert_str_eq(err, "the path [/a/b/c] doesn't exist");
}
END_TEST

START_TEST(test_create_makes_dir)
{
    char *dir = make_temp_dir();
    char full[512], err[512];
    snprintf(full, sizeof(full), "%s/a/b", dir);
    struct stat st;
    ck_assert_int_ne(stat(full, &st), 0);
    dir_jwt_store *s = dirstore_new_dir_jwt_store(full, false, true, err, sizeof(err));
    ck_assert_msg(s != NULL, "%s", err);
    dir_jwt_store_close(s);
    ck_assert_int_eq(stat(full, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(test_dir_store_inaccessible_parent)
{
    if (geteuid() == 0)
        return; /* root bypasses directory permission checks (Go skips too) */
    char *dir = make_temp_dir();
    char parent[512], child[600], err[512];
    snprintf(parent, sizeof(parent), "%s/parent", dir);
    ck_assert_int_eq(mkdir(parent, 0755), 0);
    snprintf(child, sizeof(child), "%s/child", parent);
    ck_assert_int_eq(mkdir(child, 0755), 0);
    ck_assert_int_eq(chmod(parent, 0), 0);
    ck_assert_ptr_null(dirstore_new_dir_jwt_store(child, false, true, err, sizeof(err)));
    chmod(parent, 0755);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(test_merge_only_on_newer)
{
    char *dir = make_temp_dir();
    char err[512], pub[NKEY_PUBLIC_STR_LEN + 1];
    dir_jwt_store *s = dirstore_new_dir_jwt_store(dir, true, false, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    nkey_pair kp;
    new_account(&kp, pub);
    jwt_account_claims *ac = jwt_new_account_claims(pub);
    ac->claims.name = strdup("old");
    ac->claims.issued_at = (int64_t)time(NULL) - 2;
    char *older = jwt_account_claims_encode(ac, &kp, err, sizeof(err));
    free(ac->claims.name);
    ac->claims.name = strdup("new");
    ac->claims.issued_at = (int64_t)time(NULL);
    char *newer = jwt_account_claims_encode(ac, &kp, err, sizeof(err));
    ck_assert_ptr_nonnull(older);
    ck_assert_ptr_nonnull(newer);

    ck_assert_int_eq(dir_jwt_store_save_acc(s, pub, older, err, sizeof(err)), 0);
    char *got = dir_jwt_store_load_acc(s, pub, err, sizeof(err));
    ck_assert_str_eq(got, older);
    free(got);
    /* Replaced by the newer one... */
    ck_assert_int_eq(dir_jwt_store_save_if_newer(s, pub, newer, err, sizeof(err)), 0);
    got = dir_jwt_store_load_acc(s, pub, err, sizeof(err));
    ck_assert_str_eq(got, newer);
    free(got);
    /* ...which the older one does not replace. */
    ck_assert_int_eq(dir_jwt_store_save_if_newer(s, pub, older, err, sizeof(err)), 0);
    got = dir_jwt_store_load_acc(s, pub, err, sizeof(err));
    ck_assert_str_eq(got, newer);
    free(got);
    free(older);
    free(newer);
    jwt_account_claims_free(ac);
    dir_jwt_store_close(s);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(test_expiration)
{
    char *dir = make_temp_dir();
    char err[512];
    dir_jwt_store *s = dirstore_new_expiring_dir_jwt_store(dir, false, false, DIRSTORE_NO_DELETE, 50000000LL, 10,
                                                           true, 0, NULL, NULL, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    uint8_t h_begin[32], h_no_exp[32], h2[32];
    hash_of(s, h_begin);
    nkey_pair kp;
    char pub[NKEY_PUBLIC_STR_LEN + 1];
    new_account(&kp, pub);
    free(create_test_account(s, 100, &kp));
    hash_of(s, h_no_exp);
    ck_assert(memcmp(h_begin, h_no_exp, 32) != 0);
    new_account(&kp, pub);
    free(create_test_account(s, 1, &kp));
    hash_of(s, h2);
    ck_assert(memcmp(h_no_exp, h2, 32) != 0);
    assert_store_size(s, dir, 2);
    bool done = false;
    for (int i = 0; i < 40 && !done; i++) {
        usleep(100000);
        if (dir_entries(dir) == 1) {
            uint8_t lh[32];
            hash_of(s, lh);
            ck_assert(memcmp(lh, h_no_exp, 32) == 0);
            done = true;
        }
    }
    ck_assert_msg(done, "the JWT expiring in 1s was not removed within 4s");
    dir_jwt_store_close(s);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(test_limit)
{
    char *dir = make_temp_dir();
    char err[512];
    dir_jwt_store *s = dirstore_new_expiring_dir_jwt_store(dir, false, false, DIRSTORE_NO_DELETE, 100000000LL, 5,
                                                           true, 0, NULL, NULL, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    uint8_t h[32], nh[32];
    hash_of(s, h);
    nkey_pair first;
    char first_pub[NKEY_PUBLIC_STR_LEN + 1];
    new_account(&first, first_pub);
    for (int i = 0; i < 10; i++) {
        free(create_test_account(s, 50, &first));
        assert_store_size(s, dir, 1);
    }
    for (int i = 0; i < 10; i++) {
        nkey_pair kp;
        char pub[NKEY_PUBLIC_STR_LEN + 1];
        new_account(&kp, pub);
        free(create_test_account(s, i + 10, &kp));
        hash_of(s, nh);
        ck_assert(memcmp(h, nh, 32) != 0);
        memcpy(h, nh, 32);
    }
    /* The first account was evicted. */
    ck_assert(!file_exists(dir, first_pub));
    for (int i = 0; i < 10; i++) {
        free(create_test_account(s, 50, &first));
        assert_store_size(s, dir, 5);
    }
    dir_jwt_store_close(s);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(test_limit_no_evict)
{
    char *dir = make_temp_dir();
    char err[512];
    dir_jwt_store *s = dirstore_new_expiring_dir_jwt_store(dir, false, false, DIRSTORE_NO_DELETE, 50000000LL, 2,
                                                           false, 0, NULL, NULL, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    nkey_pair k1, k2, k3;
    char p1[NKEY_PUBLIC_STR_LEN + 1], p2[NKEY_PUBLIC_STR_LEN + 1], p3[NKEY_PUBLIC_STR_LEN + 1];
    new_account(&k1, p1);
    new_account(&k2, p2);
    new_account(&k3, p3);
    free(create_test_account(s, 100, &k1));
    assert_store_size(s, dir, 1);
    free(create_test_account(s, 1, &k2));
    assert_store_size(s, dir, 2);
    uint8_t hb[32], ha[32];
    hash_of(s, hb);
    jwt_account_claims *ac = jwt_new_account_claims(p3);
    char *j3 = jwt_account_claims_encode(ac, &k3, err, sizeof(err));
    jwt_account_claims_free(ac);
    ck_assert_int_ne(dir_jwt_store_save_acc(s, p3, j3, err, sizeof(err)), 0);
    ck_assert_str_eq(err, "jwt store is full");
    assert_store_size(s, dir, 2);
    ck_assert(file_exists(dir, p1));
    ck_assert(!file_exists(dir, p3));
    hash_of(s, ha);
    ck_assert(memcmp(hb, ha, 32) == 0);
    /* Once account 2 expired there is room. */
    usleep(2200000);
    ck_assert_int_eq(dir_jwt_store_save_acc(s, p3, j3, err, sizeof(err)), 0);
    assert_store_size(s, dir, 2);
    ck_assert(file_exists(dir, p1));
    ck_assert(file_exists(dir, p3));
    free(j3);
    dir_jwt_store_close(s);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(test_lru_load)
{
    char *dir = make_temp_dir();
    char err[512];
    dir_jwt_store *s = dirstore_new_expiring_dir_jwt_store(dir, false, false, DIRSTORE_NO_DELETE, 100000000LL, 2,
                                                           true, 0, NULL, NULL, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    nkey_pair k1, k2, k3;
    char p1[NKEY_PUBLIC_STR_LEN + 1], p2[NKEY_PUBLIC_STR_LEN + 1], p3[NKEY_PUBLIC_STR_LEN + 1];
    new_account(&k1, p1);
    new_account(&k2, p2);
    new_account(&k3, p3);
    free(create_test_account(s, 10, &k1));
    assert_store_size(s, dir, 1);
    free(create_test_account(s, 10, &k2));
    assert_store_size(s, dir, 2);
    free(dir_jwt_store_load_acc(s, p1, err, sizeof(err))); /* reorders 1/2 */
    free(create_test_account(s, 10, &k3));
    assert_store_size(s, dir, 2);
    ck_assert(file_exists(dir, p1));
    ck_assert(file_exists(dir, p3));
    dir_jwt_store_close(s);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(test_lru_volume)
{
    char *dir = make_temp_dir();
    char err[512];
    dir_jwt_store *s = dirstore_new_expiring_dir_jwt_store(dir, false, false, DIRSTORE_NO_DELETE, 50000000LL, 2, true,
                                                           0, NULL, NULL, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    enum { REPLACE_CNT = 100 };
    static char ks[REPLACE_CNT][NKEY_PUBLIC_STR_LEN + 1];
    for (int i = 0; i < REPLACE_CNT; i++) {
        nkey_pair kp;
        new_account(&kp, ks[i]);
        free(create_test_account(s, 10000 + (int)(random() % 10000), &kp));
        assert_store_size(s, dir, i < 2 ? i + 1 : 2);
        if (i >= 2) {
            ck_assert(!file_exists(dir, ks[i - 2]));
            ck_assert(file_exists(dir, ks[i - 1]));
            ck_assert(file_exists(dir, ks[i]));
        }
    }
    dir_jwt_store_close(s);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(test_lru)
{
    char *dir = make_temp_dir();
    char err[512];
    dir_jwt_store *s = dirstore_new_expiring_dir_jwt_store(dir, false, false, DIRSTORE_NO_DELETE, 50000000LL, 2, true,
                                                           0, NULL, NULL, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    nkey_pair k1, k2, k3;
    char p1[NKEY_PUBLIC_STR_LEN + 1], p2[NKEY_PUBLIC_STR_LEN + 1], p3[NKEY_PUBLIC_STR_LEN + 1];
    new_account(&k1, p1);
    new_account(&k2, p2);
    new_account(&k3, p3);
    free(create_test_account(s, 1000, &k1));
    assert_store_size(s, dir, 1);
    free(create_test_account(s, 1000, &k2));
    assert_store_size(s, dir, 2);
    free(create_test_account(s, 1000, &k3));
    assert_store_size(s, dir, 2);
    ck_assert(!file_exists(dir, p1));
    ck_assert(file_exists(dir, p3));
    /* An update moves 2 back in the eviction order; recreating 1 evicts 3. */
    free(create_test_account(s, 1000, &k2));
    assert_store_size(s, dir, 2);
    free(create_test_account(s, 1, &k1));
    assert_store_size(s, dir, 2);
    ck_assert(!file_exists(dir, p3));
    /* Let key 1 expire. */
    usleep(2200000);
    assert_store_size(s, dir, 1);
    ck_assert(!file_exists(dir, p1));
    free(create_test_account(s, 1000, &k3));
    assert_store_size(s, dir, 2);
    dir_jwt_store_close(s);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(test_expiration_update)
{
    char *dir = make_temp_dir();
    char err[512];
    dir_jwt_store *s = dirstore_new_expiring_dir_jwt_store(dir, false, false, DIRSTORE_NO_DELETE, 50000000LL, 10,
                                                           true, 0, NULL, NULL, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    nkey_pair kp;
    char pub[NKEY_PUBLIC_STR_LEN + 1];
    new_account(&kp, pub);
    uint8_t h[32], nh[32];
    hash_of(s, h);
    const int exps[] = {0, 2, 0, 1};
    const int left[] = {1, 1, 1, 0};
    /* Go sleeps 1.5s each round; the rounded expiry (now+0.5s..now+1.5s
     * per second) makes that a boundary, so wait less while a JWT must
     * stay and more when it must be gone. */
    const int wait_ms[] = {1500, 1200, 1500, 1900};
    for (int i = 0; i < 4; i++) {
        free(create_test_account(s, exps[i], &kp));
        hash_of(s, nh);
        ck_assert(memcmp(h, nh, 32) != 0);
        memcpy(h, nh, 32);
        usleep((useconds_t)wait_ms[i] * 1000);
        ck_assert_int_eq(dir_entries(dir), left[i]);
    }
    uint8_t empty[32] = {0};
    hash_of(s, h);
    ck_assert(memcmp(h, empty, 32) == 0);
    dir_jwt_store_close(s);
    remove_tree(dir);
    free(dir);
}
END_TEST

/* Go TestTTL: activity (load, store, overwrite) keeps a ttl'd JWT. */
static void ttl_case(int op)
{
    char *dir = make_temp_dir();
    char err[512];
    dir_jwt_store *s = dirstore_new_expiring_dir_jwt_store(dir, false, false, DIRSTORE_NO_DELETE, 50000000LL, 10,
                                                           true, 200000000LL, NULL, NULL, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    nkey_pair kp;
    char pub[NKEY_PUBLIC_STR_LEN + 1];
    new_account(&kp, pub);
    char *j = create_test_account(s, 0, &kp);
    ck_assert_int_eq(dir_entries(dir), 1);
    for (int i = 0; i < 4; i++) {
        usleep(110000);
        if (op == 0)
            free(dir_jwt_store_load_acc(s, pub, err, sizeof(err)));
        else if (op == 1)
            ck_assert_int_eq(dir_jwt_store_save_acc(s, pub, j, err, sizeof(err)), 0);
        else
            free(create_test_account(s, 0, &kp));
        ck_assert_int_eq(dir_entries(dir), 1);
    }
    bool gone = false;
    for (int i = 0; i < 40 && !gone; i++) {
        usleep(50000);
        gone = dir_entries(dir) == 0;
    }
    ck_assert_msg(gone, "jwt should have expired by now");
    free(j);
    dir_jwt_store_close(s);
    remove_tree(dir);
    free(dir);
}

START_TEST(test_ttl)
{
    ttl_case(0);
    ttl_case(1);
    ttl_case(2);
}
END_TEST

START_TEST(test_remove)
{
    const struct {
        dirstore_delete_type type;
        int expected, moved;
    } cases[] = {{DIRSTORE_HARD_DELETE, 0, 0}, {DIRSTORE_RENAME_DELETED, 0, 1}, {DIRSTORE_NO_DELETE, 1, 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *dir = make_temp_dir();
        char err[512];
        dir_jwt_store *s =
            dirstore_new_expiring_dir_jwt_store(dir, false, false, cases[i].type, 0, 10, true, 0, NULL, NULL, err, sizeof(err));
        ck_assert_ptr_nonnull(s);
        nkey_pair kp;
        char pub[NKEY_PUBLIC_STR_LEN + 1];
        new_account(&kp, pub);
        free(create_test_account(s, 0, &kp));
        ck_assert_int_eq(dir_entries(dir), 1);
        int rc = dir_jwt_store_delete(s, pub, err, sizeof(err));
        if (cases[i].type == DIRSTORE_NO_DELETE) {
            ck_assert_int_ne(rc, 0);
            ck_assert_str_eq(err, "store is not set up to for delete");
        } else {
            ck_assert_int_eq(rc, 0);
        }
        ck_assert_int_eq(count_jwt_files(dir, ".jwt"), cases[i].expected);
        ck_assert_int_eq(count_jwt_files(dir, ".jwt.deleted"), cases[i].moved);
        dir_jwt_store_close(s);
        remove_tree(dir);
        free(dir);
    }
}
END_TEST

static void pack_merge(bool shard_to)
{
    init_keys();
    char *dir = make_temp_dir(), *dir2 = make_temp_dir(), *dir3 = make_temp_dir();
    char err[512];
    dir_jwt_store *store = dirstore_new_dir_jwt_store(dir, true, false, err, sizeof(err));
    ck_assert_ptr_nonnull(store);
    const char *vals[4] = {"alpha", "beta", "gamma", "delta"};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(dir_jwt_store_save_acc(store, keys[i], vals[i], err, sizeof(err)), 0);
    char *pack = dir_jwt_store_pack(store, -1, err, sizeof(err));
    ck_assert_ptr_nonnull(pack);
    dir_jwt_store *inc = dirstore_new_dir_jwt_store(dir2, shard_to, false, err, sizeof(err));
    ck_assert_int_eq(dir_jwt_store_merge(inc, pack, err, sizeof(err)), 0);
    for (int i = 0; i < 4; i++) {
        char *got = dir_jwt_store_load_acc(inc, keys[i], err, sizeof(err));
        ck_assert_ptr_nonnull(got);
        ck_assert_str_eq(got, vals[i]);
        free(got);
    }
    ck_assert_ptr_null(dir_jwt_store_load_acc(inc, "random", err, sizeof(err)));
    if (shard_to) {
        /* A pack limited to one JWT carries one. */
        char *limited_pack = dir_jwt_store_pack(inc, 1, err, sizeof(err));
        dir_jwt_store *limited = dirstore_new_dir_jwt_store(dir3, true, false, err, sizeof(err));
        ck_assert_int_eq(dir_jwt_store_merge(limited, limited_pack, err, sizeof(err)), 0);
        int count = 0;
        for (int i = 0; i < 4; i++) {
            char *got = dir_jwt_store_load_acc(limited, keys[i], err, sizeof(err));
            if (got) {
                count++;
                ck_assert_str_eq(got, vals[i]);
            }
            free(got);
        }
        ck_assert_int_eq(count, 1);
        free(limited_pack);
        dir_jwt_store_close(limited);
    } else {
        ck_assert_int_ne(dir_jwt_store_merge(store, "foo", err, sizeof(err)), 0);
        ck_assert_str_eq(err, "line in package didn't contain 2 entries: \"foo\"");
        ck_assert_int_eq(dir_jwt_store_merge(store, "", err, sizeof(err)), 0);
        ck_assert_int_ne(dir_jwt_store_merge(store, "a|something", err, sizeof(err)), 0);
        ck_assert_str_eq(err, "key to merge is not a valid public account key");
    }
    free(pack);
    dir_jwt_store_close(store);
    dir_jwt_store_close(inc);
    remove_tree(dir);
    remove_tree(dir2);
    remove_tree(dir3);
    free(dir);
    free(dir2);
    free(dir3);
}

START_TEST(test_sharded_dir_store_pack_merge)
{
    pack_merge(true);
}
END_TEST

START_TEST(test_sharded_to_unshared_dir_store_pack_merge)
{
    pack_merge(false);
}
END_TEST

/* Change notifications, counted (the callback runs on the saving thread). */
static pthread_mutex_t notify_mu = PTHREAD_MUTEX_INITIALIZER;
static int notify_count;

static void on_changed(const char *key, void *arg)
{
    (void)key;
    (void)arg;
    pthread_mutex_lock(&notify_mu);
    notify_count++;
    pthread_mutex_unlock(&notify_mu);
}

static int take_notifications(void)
{
    pthread_mutex_lock(&notify_mu);
    int n = notify_count;
    notify_count = 0;
    pthread_mutex_unlock(&notify_mu);
    return n;
}

static int count_lines(const char *s)
{
    int n = 1;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

START_TEST(test_reload)
{
    char *dir = make_temp_dir();
    char err[512];
    take_notifications();
    dir_jwt_store *s = dirstore_new_expiring_dir_jwt_store(dir, false, false, DIRSTORE_NO_DELETE, 100000000LL, 2, true,
                                                           0, on_changed, NULL, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    assert_store_size(s, dir, 0);
    uint8_t h[32], empty[32] = {0};
    hash_of(s, h);
    ck_assert(memcmp(h, empty, 32) == 0);
    char files[5][1024];
    for (int i = 0; i < 5; i++) {
        nkey_pair kp;
        char pub[NKEY_PUBLIC_STR_LEN + 1];
        new_account(&kp, pub);
        jwt_account_claims *ac = jwt_new_account_claims(pub);
        char *j = jwt_account_claims_encode(ac, &kp, err, sizeof(err));
        jwt_account_claims_free(ac);
        snprintf(files[i], sizeof(files[i]), "%s/%s.jwt", dir, pub);
        FILE *f = fopen(files[i], "w");
        ck_assert_ptr_nonnull(f);
        fputs(j, f);
        fclose(f);
        free(j);
        ck_assert_int_eq(dir_jwt_store_reload(s, err, sizeof(err)), 0);
        ck_assert_int_eq(take_notifications(), 1);
        assert_store_size(s, dir, i + 1);
        hash_of(s, h);
        ck_assert(memcmp(h, empty, 32) != 0);
        char *msg = dir_jwt_store_pack(s, -1, err, sizeof(err));
        ck_assert_int_eq(count_lines(msg), i + 1);
        free(msg);
    }
    for (int i = 0; i < 5; i++) {
        hash_of(s, h);
        ck_assert(memcmp(h, empty, 32) != 0);
        ck_assert_int_eq(unlink(files[i]), 0);
        ck_assert_int_eq(dir_jwt_store_reload(s, err, sizeof(err)), 0);
        assert_store_size(s, dir, 4 - i);
        char *msg = dir_jwt_store_pack(s, -1, err, sizeof(err));
        if (i < 4)
            ck_assert_int_eq(count_lines(msg), 4 - i);
        free(msg);
    }
    ck_assert_int_eq(take_notifications(), 0);
    hash_of(s, h);
    ck_assert(memcmp(h, empty, 32) == 0);
    dir_jwt_store_close(s);
    remove_tree(dir);
    free(dir);
}
END_TEST

/* Four operator-signed account JWTs (Go's jwt1..jwt4). */
static char jwts[4][2048];

static void init_jwts(void)
{
    nkey_pair op;
    char err[256];
    ck_assert_int_eq(nkey_create_operator(&op), NKEY_OK);
    for (int i = 0; i < 4; i++) {
        nkey_pair kp;
        new_account(&kp, keys[i]);
        jwt_account_claims *ac = jwt_new_account_claims(keys[i]);
        char *j = jwt_account_claims_encode(ac, &op, err, sizeof(err));
        ck_assert_ptr_nonnull(j);
        snprintf(jwts[i], sizeof(jwts[i]), "%s", j);
        free(j);
        jwt_account_claims_free(ac);
    }
}

START_TEST(test_notification_on_pack)
{
    init_jwts();
    take_notifications();
    char *dir_pack = make_temp_dir();
    char err[512];
    const int64_t inf = INT64_MAX;
    dir_jwt_store *pack_store = dirstore_new_expiring_dir_jwt_store(dir_pack, false, false, DIRSTORE_NO_DELETE, inf, 0,
                                                                    true, 0, on_changed, NULL, err, sizeof(err));
    ck_assert_ptr_nonnull(pack_store);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(dir_jwt_store_save_acc(pack_store, keys[i], jwts[i], err, sizeof(err)), 0);
    ck_assert_int_eq(take_notifications(), 4);
    char *msg = dir_jwt_store_pack(pack_store, -1, err, sizeof(err));
    uint8_t hash[32];
    hash_of(pack_store, hash);
    const bool shards[4] = {true, false, true, false};
    for (int k = 0; k < 4; k++) {
        char *dir_merge = make_temp_dir();
        dir_jwt_store *merge_store = dirstore_new_expiring_dir_jwt_store(
            dir_merge, shards[k], false, DIRSTORE_NO_DELETE, inf, 0, true, 0, on_changed, NULL, err, sizeof(err));
        ck_assert_ptr_nonnull(merge_store);
        ck_assert_int_eq(dir_jwt_store_merge(merge_store, msg, err, sizeof(err)), 0);
        assert_store_size(merge_store, dir_merge, 4);
        uint8_t h1[32];
        hash_of(merge_store, h1);
        ck_assert(memcmp(hash, h1, 32) == 0);
        ck_assert_int_eq(take_notifications(), 4);
        /* Merging the same again changes nothing and notifies nobody. */
        ck_assert_int_eq(dir_jwt_store_merge(merge_store, msg, err, sizeof(err)), 0);
        assert_store_size(merge_store, dir_merge, 4);
        uint8_t h2[32];
        hash_of(merge_store, h2);
        ck_assert(memcmp(h1, h2, 32) == 0);
        free(msg);
        msg = dir_jwt_store_pack(merge_store, -1, err, sizeof(err));
        dir_jwt_store_close(merge_store);
        ck_assert_int_eq(take_notifications(), 0);
        for (int i = 0; i < 4; i++) {
            char *j = dir_jwt_store_load_acc(pack_store, keys[i], err, sizeof(err));
            ck_assert_str_eq(j, jwts[i]);
            free(j);
        }
        remove_tree(dir_merge);
        free(dir_merge);
    }
    free(msg);
    dir_jwt_store_close(pack_store);
    remove_tree(dir_pack);
    free(dir_pack);
}
END_TEST

typedef struct walk_target {
    dir_jwt_store *next;
    int msgs;
} walk_target;

static void on_partial_pack(const char *msg, void *arg)
{
    walk_target *t = arg;
    char err[512];
    ck_assert_msg(dir_jwt_store_merge(t->next, msg, err, sizeof(err)) == 0, "%s", err);
    t->msgs++;
}

START_TEST(test_notification_on_pack_walk)
{
    enum { STORE_CNT = 5, KEY_CNT = 50, ITER_CNT = 3 };
    dir_jwt_store *store[STORE_CNT];
    char *dirs[STORE_CNT];
    char err[512];
    nkey_pair op;
    ck_assert_int_eq(nkey_create_operator(&op), NKEY_OK);
    for (int i = 0; i < STORE_CNT; i++) {
        dirs[i] = make_temp_dir();
        store[i] = dirstore_new_expiring_dir_jwt_store(dirs[i], true, false, DIRSTORE_NO_DELETE, INT64_MAX, 0, true,
                                                       0, NULL, NULL, err, sizeof(err));
        ck_assert_ptr_nonnull(store[i]);
    }
    for (int it = 0; it < ITER_CNT; it++) {
        for (int j = 0; j < KEY_CNT; j++) {
            nkey_pair kp;
            char key[NKEY_PUBLIC_STR_LEN + 1];
            new_account(&kp, key);
            jwt_account_claims *ac = jwt_new_account_claims(key);
            char *jw = jwt_account_claims_encode(ac, &op, err, sizeof(err));
            jwt_account_claims_free(ac);
            ck_assert_int_eq(dir_jwt_store_save_acc(store[0], key, jw, err, sizeof(err)), 0);
            free(jw);
        }
        for (int j = 0; j < STORE_CNT - 1; j++) {
            walk_target t = {.next = store[j + 1]};
            ck_assert_int_eq(dir_jwt_store_pack_walk(store[j], 3, on_partial_pack, &t, err, sizeof(err)), 0);
            ck_assert_int_gt(t.msgs, 0);
        }
        for (int j = 0; j < STORE_CNT - 1; j++) {
            uint8_t h1[32], h2[32];
            hash_of(store[j], h1);
            hash_of(store[j + 1], h2);
            ck_assert(memcmp(h1, h2, 32) == 0);
        }
    }
    ck_assert_int_ne(dir_jwt_store_pack_walk(store[0], 0, on_partial_pack, NULL, err, sizeof(err)), 0);
    ck_assert_str_eq(err, "bad arguments to PackWalk");
    for (int i = 0; i < STORE_CNT; i++) {
        dir_jwt_store_close(store[i]);
        remove_tree(dirs[i]);
        free(dirs[i]);
    }
}
END_TEST

static Suite *dirstore_suite(void)
{
    Suite *s = suite_create("dirstore");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sharded_dir_store_write_and_readonly);
    tcase_add_test(tc, test_unsharded_dir_store_write_and_readonly);
    tcase_add_test(tc, test_no_create_requires_dir);
    tcase_add_test(tc, test_create_makes_dir);
    tcase_add_test(tc, test_dir_store_inaccessible_parent);
    tcase_add_test(tc, test_merge_only_on_newer);
    tcase_add_test(tc, test_expiration);
    tcase_add_test(tc, test_limit);
    tcase_add_test(tc, test_limit_no_evict);
    tcase_add_test(tc, test_lru_load);
    tcase_add_test(tc, test_lru_volume);
    tcase_add_test(tc, test_lru);
    tcase_add_test(tc, test_expiration_update);
    tcase_add_test(tc, test_ttl);
    tcase_add_test(tc, test_remove);
    tcase_add_test(tc, test_sharded_dir_store_pack_merge);
    tcase_add_test(tc, test_sharded_to_unshared_dir_store_pack_merge);
    tcase_add_test(tc, test_reload);
    tcase_add_test(tc, test_notification_on_pack);
    tcase_add_test(tc, test_notification_on_pack_walk);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(dirstore_suite());
}
