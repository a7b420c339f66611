/* Tests for src/server/sublist.c (ports server/sublist_test.go). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "server/sublist.h"
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Fixtures: everything created here is freed in teardown ---- */

static char fake_client_storage[16];
#define FAKE_CLIENT ((struct client *)fake_client_storage)

static subscription **g_subs;
static size_t g_nsubs, g_csubs;
static sublist **g_sls;
static size_t g_nsls, g_csls;
static sublist_result **g_res;
static size_t g_nres, g_cres;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

static void push_ptr(void ***arr, size_t *n, size_t *cap, void *p)
{
    pthread_mutex_lock(&g_mu);
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *arr = realloc(*arr, *cap * sizeof(void *));
        ck_assert_ptr_nonnull(*arr);
    }
    (*arr)[(*n)++] = p;
    pthread_mutex_unlock(&g_mu);
}

static void teardown(void)
{
    for (size_t i = 0; i < g_nres; i++)
        sublist_result_release(g_res[i]);
    for (size_t i = 0; i < g_nsls; i++)
        sublist_destroy(g_sls[i]);
    for (size_t i = 0; i < g_nsubs; i++) {
        free(g_subs[i]->subject);
        free(g_subs[i]->queue);
        free(g_subs[i]);
    }
    free(g_res);
    free(g_sls);
    free(g_subs);
    g_res = NULL;
    g_sls = NULL;
    g_subs = NULL;
    g_nres = g_cres = g_nsls = g_csls = g_nsubs = g_csubs = 0;
}

static sublist *new_sl(bool cache)
{
    sublist *s = sublist_new(cache);
    ck_assert_ptr_nonnull(s);
    push_ptr((void ***)&g_sls, &g_nsls, &g_csls, s);
    return s;
}

static subscription *mk_sub(const char *subject, const char *queue, struct client *c,
                            uint8_t kind, int32_t qw)
{
    subscription *sub = calloc(1, sizeof(*sub));
    ck_assert_ptr_nonnull(sub);
    sub->subject = strdup(subject);
    sub->subject_len = strlen(subject);
    if (queue) {
        sub->queue = strdup(queue);
        sub->queue_len = strlen(queue);
    }
    sub->client = c;
    sub->client_kind = kind;
    sub->qw = qw;
    push_ptr((void ***)&g_subs, &g_nsubs, &g_csubs, sub);
    return sub;
}

static subscription *new_sub(const char *subject)
{
    return mk_sub(subject, NULL, FAKE_CLIENT, SUBLIST_CLIENT_LOCAL, 0);
}

static subscription *new_q_sub(const char *subject, const char *queue)
{
    if (queue && queue[0])
        return mk_sub(subject, queue, NULL, SUBLIST_CLIENT_LOCAL, 0);
    return new_sub(subject);
}

static subscription *new_remote_q_sub(const char *subject, const char *queue, int32_t num)
{
    if (queue && queue[0])
        return mk_sub(subject, queue, FAKE_CLIENT, SUBLIST_CLIENT_ROUTER, num);
    return new_sub(subject);
}

/* Match whose result is released in teardown. */
static sublist_result *M(sublist *s, const char *subject)
{
    sublist_result *r = sublist_match(s, subject, strlen(subject));
    ck_assert_ptr_nonnull(r);
    push_ptr((void ***)&g_res, &g_nres, &g_cres, r);
    return r;
}

static sublist_result *RM(sublist *s, const char *subject)
{
    sublist_result *r = sublist_reverse_match(s, subject, strlen(subject));
    ck_assert_ptr_nonnull(r);
    push_ptr((void ***)&g_res, &g_nres, &g_cres, r);
    return r;
}

#define S(x) (x), strlen(x)
#define verify_count(s, c) ck_assert_uint_eq(sublist_count(s), (c))
#define verify_len(n, l) ck_assert_int_eq((n), (l))
#define verify_num_levels(s, e) ck_assert_int_eq(sublist_num_levels(s), (e))

static void verify_member(subscription **subs, int n, const subscription *val)
{
    for (int i = 0; i < n; i++) {
        if (subs[i] == val)
            return;
    }
    ck_abort_msg("subscription for [%.*s] not found in results", (int)val->subject_len,
                 val->subject);
}

static void verify_q_member(const sublist_result *r, const subscription *val)
{
    int slot = sublist_find_q_slot(val->queue, val->queue_len, r);
    ck_assert_int_ge(slot, 0);
    verify_member(r->qsubs[slot].subs, r->qsubs[slot].n, val);
}

#define HI(s, subj) sublist_has_interest((s), S(subj))

/* ---- Basic insert / match ---- */

START_TEST(test_sublist_init)
{
    sublist *s = new_sl(true);
    verify_count(s, 0);
}
END_TEST

static void do_insert_count(sublist *s)
{
    ck_assert_int_eq(sublist_insert(s, new_sub("foo")), SUBLIST_OK);
    ck_assert_int_eq(sublist_insert(s, new_sub("bar")), SUBLIST_OK);
    ck_assert_int_eq(sublist_insert(s, new_sub("foo.bar")), SUBLIST_OK);
    verify_count(s, 3);
}

START_TEST(test_sublist_insert_count) { do_insert_count(new_sl(true)); }
END_TEST
START_TEST(test_sublist_insert_count_no_cache) { do_insert_count(new_sl(false)); }
END_TEST

static void do_simple(sublist *s)
{
    subscription *sub = new_sub("foo");
    sublist_insert(s, sub);
    sublist_result *r = M(s, "foo");
    verify_len(r->npsubs, 1);
    verify_member(r->psubs, r->npsubs, sub);
}

START_TEST(test_sublist_simple) { do_simple(new_sl(true)); }
END_TEST
START_TEST(test_sublist_simple_no_cache) { do_simple(new_sl(false)); }
END_TEST

static void do_simple_multi_tokens(sublist *s)
{
    subscription *sub = new_sub("foo.bar.baz");
    sublist_insert(s, sub);
    sublist_result *r = M(s, "foo.bar.baz");
    verify_len(r->npsubs, 1);
    verify_member(r->psubs, r->npsubs, sub);
}

START_TEST(test_sublist_simple_multi_tokens) { do_simple_multi_tokens(new_sl(true)); }
END_TEST
START_TEST(test_sublist_simple_multi_tokens_no_cache) { do_simple_multi_tokens(new_sl(false)); }
END_TEST

static void do_partial_wildcard(sublist *s)
{
    subscription *lsub = new_sub("a.b.c"), *psub = new_sub("a.*.c");
    sublist_insert(s, lsub);
    sublist_insert(s, psub);
    sublist_result *r = M(s, "a.b.c");
    verify_len(r->npsubs, 2);
    verify_member(r->psubs, r->npsubs, lsub);
    verify_member(r->psubs, r->npsubs, psub);
}

START_TEST(test_sublist_partial_wildcard) { do_partial_wildcard(new_sl(true)); }
END_TEST
START_TEST(test_sublist_partial_wildcard_no_cache) { do_partial_wildcard(new_sl(false)); }
END_TEST

static void do_partial_wildcard_at_end(sublist *s)
{
    subscription *lsub = new_sub("a.b.c"), *psub = new_sub("a.b.*");
    sublist_insert(s, lsub);
    sublist_insert(s, psub);
    sublist_result *r = M(s, "a.b.c");
    verify_len(r->npsubs, 2);
    verify_member(r->psubs, r->npsubs, lsub);
    verify_member(r->psubs, r->npsubs, psub);
}

START_TEST(test_sublist_partial_wildcard_at_end) { do_partial_wildcard_at_end(new_sl(true)); }
END_TEST
START_TEST(test_sublist_partial_wildcard_at_end_no_cache)
{
    do_partial_wildcard_at_end(new_sl(false));
}
END_TEST

static void do_full_wildcard(sublist *s)
{
    subscription *lsub = new_sub("a.b.c"), *fsub = new_sub("a.>");
    sublist_insert(s, lsub);
    sublist_insert(s, fsub);
    sublist_result *r = M(s, "a.b.c");
    verify_len(r->npsubs, 2);
    verify_member(r->psubs, r->npsubs, lsub);
    verify_member(r->psubs, r->npsubs, fsub);
    r = M(s, "a.>");
    verify_len(r->npsubs, 1);
    verify_member(r->psubs, r->npsubs, fsub);
}

START_TEST(test_sublist_full_wildcard) { do_full_wildcard(new_sl(true)); }
END_TEST
START_TEST(test_sublist_full_wildcard_no_cache) { do_full_wildcard(new_sl(false)); }
END_TEST

/* ---- Remove ---- */

static void do_remove(sublist *s)
{
    subscription *sub = new_sub("a.b.c.d");
    sublist_insert(s, sub);
    verify_count(s, 1);
    sublist_result *r = M(s, "a.b.c.d");
    verify_len(r->npsubs, 1);
    ck_assert_int_eq(sublist_remove(s, new_sub("a.b.c")), SUBLIST_ERR_NOT_FOUND);
    verify_count(s, 1);
    ck_assert_int_eq(sublist_remove(s, sub), SUBLIST_OK);
    verify_count(s, 0);
    r = M(s, "a.b.c.d");
    verify_len(r->npsubs, 0);
}

START_TEST(test_sublist_remove) { do_remove(new_sl(true)); }
END_TEST
START_TEST(test_sublist_remove_no_cache) { do_remove(new_sl(false)); }
END_TEST

static void do_remove_wildcard(sublist *s)
{
    subscription *sub = new_sub("a.b.c.d"), *psub = new_sub("a.b.*.d"), *fsub = new_sub("a.b.>");
    sublist_insert(s, sub);
    sublist_insert(s, psub);
    sublist_insert(s, fsub);
    verify_count(s, 3);
    sublist_result *r = M(s, "a.b.c.d");
    verify_len(r->npsubs, 3);
    sublist_remove(s, sub);
    verify_count(s, 2);
    sublist_remove(s, fsub);
    verify_count(s, 1);
    sublist_remove(s, psub);
    verify_count(s, 0);
    r = M(s, "a.b.c.d");
    verify_len(r->npsubs, 0);
}

START_TEST(test_sublist_remove_wildcard) { do_remove_wildcard(new_sl(true)); }
END_TEST
START_TEST(test_sublist_remove_wildcard_no_cache) { do_remove_wildcard(new_sl(false)); }
END_TEST

static void do_remove_cleanup(sublist *s)
{
    const char *literal = "a.b.c.d.e.f";
    subscription *sub = new_sub(literal);
    verify_num_levels(s, 0);
    sublist_insert(s, sub);
    verify_num_levels(s, sublist_num_tokens(S(literal)));
    sublist_remove(s, sub);
    verify_num_levels(s, 0);
}

START_TEST(test_sublist_remove_cleanup) { do_remove_cleanup(new_sl(true)); }
END_TEST
START_TEST(test_sublist_remove_cleanup_no_cache) { do_remove_cleanup(new_sl(false)); }
END_TEST

static void do_remove_cleanup_wildcards(sublist *s)
{
    const char *subject = "a.b.*.d.e.>";
    subscription *sub = new_sub(subject);
    verify_num_levels(s, 0);
    sublist_insert(s, sub);
    verify_num_levels(s, 6);
    sublist_remove(s, sub);
    verify_num_levels(s, 0);
}

START_TEST(test_sublist_remove_cleanup_wildcards) { do_remove_cleanup_wildcards(new_sl(true)); }
END_TEST
START_TEST(test_sublist_remove_cleanup_wildcards_no_cache)
{
    do_remove_cleanup_wildcards(new_sl(false));
}
END_TEST

#define PLIST_MIN 256

static void do_remove_with_large_subs(sublist *s)
{
    for (int i = 0; i < PLIST_MIN * 2; i++)
        ck_assert_int_eq(sublist_insert(s, new_sub("foo")), SUBLIST_OK);
    sublist_result *r = M(s, "foo");
    verify_len(r->npsubs, PLIST_MIN * 2);
    ck_assert_int_eq(sublist_remove(s, r->psubs[PLIST_MIN]), SUBLIST_OK);
    ck_assert_int_eq(sublist_remove(s, r->psubs[0]), SUBLIST_OK);
    ck_assert_int_eq(sublist_remove(s, r->psubs[r->npsubs - 1]), SUBLIST_OK);
    /* Removing again must not find them. */
    ck_assert_int_eq(sublist_remove(s, r->psubs[0]), SUBLIST_ERR_NOT_FOUND);
    sublist_result *r2 = M(s, "foo");
    verify_len(r2->npsubs, PLIST_MIN * 2 - 3);
    /* The remaining ones are all still there and distinct. */
    for (int i = 1; i < r->npsubs - 1; i++) {
        if (i == PLIST_MIN)
            continue;
        verify_member(r2->psubs, r2->npsubs, r->psubs[i]);
    }
}

START_TEST(test_sublist_remove_with_large_subs) { do_remove_with_large_subs(new_sl(true)); }
END_TEST
START_TEST(test_sublist_remove_with_large_subs_no_cache)
{
    do_remove_with_large_subs(new_sl(false));
}
END_TEST

static void do_invalid_subjects_insert(sublist *s)
{
    ck_assert_int_eq(sublist_insert(s, new_sub(".foo")), SUBLIST_ERR_INVALID_SUBJECT);
    ck_assert_int_eq(sublist_insert(s, new_sub("foo.")), SUBLIST_ERR_INVALID_SUBJECT);
    ck_assert_int_eq(sublist_insert(s, new_sub("foo..bar")), SUBLIST_ERR_INVALID_SUBJECT);
    ck_assert_int_eq(sublist_insert(s, new_sub("foo.bar..baz")), SUBLIST_ERR_INVALID_SUBJECT);
    ck_assert_int_eq(sublist_insert(s, new_sub("foo.>.bar")), SUBLIST_ERR_INVALID_SUBJECT);
    verify_count(s, 0);
}

START_TEST(test_sublist_invalid_subjects_insert) { do_invalid_subjects_insert(new_sl(true)); }
END_TEST
START_TEST(test_sublist_invalid_subjects_insert_no_cache)
{
    do_invalid_subjects_insert(new_sl(false));
}
END_TEST

START_TEST(test_sublist_no_cache_remove_batch)
{
    sublist *s = new_sl(false);
    sublist_insert(s, new_sub("foo"));
    subscription *sub = new_sub("bar");
    sublist_insert(s, sub);
    ck_assert_int_eq(sublist_remove_batch(s, &sub, 1), SUBLIST_OK);
    for (int i = 0; i < 10; i++)
        M(s, "foo");
    ck_assert(!sublist_cache_enabled(s));
}
END_TEST

START_TEST(test_sublist_remove_batch_with_error)
{
    sublist *s = new_sl(false);
    subscription *sub1 = new_sub("foo"), *sub2 = new_sub("bar"), *sub3 = new_sub("baz");
    sublist_insert(s, sub1);
    sublist_insert(s, sub2);
    sublist_insert(s, sub3);
    subscription *not_present = new_sub("not.inserted");
    subscription *batch[] = {not_present, sub1, sub3};
    ck_assert_int_eq(sublist_remove_batch(s, batch, 3), SUBLIST_ERR_NOT_FOUND);
    verify_count(s, 1);
    sublist_result *r = M(s, "bar");
    verify_len(r->npsubs, 1);
    verify_member(r->psubs, r->npsubs, sub2);
    verify_len(M(s, "foo")->npsubs, 0);
    verify_len(M(s, "baz")->npsubs, 0);
}
END_TEST

/* ---- Cache ---- */

START_TEST(test_sublist_cache)
{
    sublist *s = new_sl(true);
    subscription *sub = new_sub("a.b.c.d"), *psub = new_sub("a.b.*.d"), *fsub = new_sub("a.b.>");
    sublist_insert(s, sub);
    sublist_result *r = M(s, "a.b.c.d");
    verify_len(r->npsubs, 1);
    sublist_insert(s, psub);
    sublist_insert(s, fsub);
    verify_count(s, 3);
    r = M(s, "a.b.c.d");
    verify_len(r->npsubs, 3);
    sublist_remove(s, sub);
    verify_count(s, 2);
    sublist_remove(s, fsub);
    verify_count(s, 1);
    sublist_remove(s, psub);
    verify_count(s, 0);
    ck_assert_int_eq(sublist_cache_count(s), 0);
    r = M(s, "a.b.c.d");
    verify_len(r->npsubs, 0);

    for (int i = 0; i < 2 * SUBLIST_CACHE_MAX; i++) {
        char subj[32];
        snprintf(subj, sizeof(subj), "foo-%d\n", i);
        sublist_result_release(sublist_match(s, S(subj)));
        ck_assert_int_le(sublist_cache_count(s), SUBLIST_CACHE_MAX);
    }
    ck_assert_int_le(sublist_cache_count(s), SUBLIST_CACHE_MAX);

    /* Adding to a wildcard updates the cached results. */
    s = new_sl(true);
    sublist_insert(s, new_sub("foo.*"));
    sublist_insert(s, new_sub("foo.bar"));
    verify_len(M(s, "foo.baz")->npsubs, 1);
    verify_len(M(s, "foo.bar")->npsubs, 2);
    sublist_insert(s, new_sub("foo.>"));
    verify_len(M(s, "foo.bar")->npsubs, 3);
}
END_TEST

/* ---- Queues ---- */

static void do_basic_queue_results(sublist *s)
{
    const char *subject = "foo";
    subscription *sub = new_sub(subject);
    subscription *sub1 = new_q_sub(subject, "bar");
    subscription *sub2 = new_q_sub(subject, "baz");

    sublist_insert(s, sub1);
    sublist_result *r = M(s, subject);
    verify_len(r->npsubs, 0);
    verify_len(r->nqsubs, 1);
    verify_len(r->qsubs[0].n, 1);
    verify_q_member(r, sub1);

    sublist_insert(s, sub2);
    r = M(s, subject);
    verify_len(r->npsubs, 0);
    verify_len(r->nqsubs, 2);
    verify_len(r->qsubs[0].n, 1);
    verify_len(r->qsubs[1].n, 1);
    verify_q_member(r, sub1);
    verify_q_member(r, sub2);

    sublist_insert(s, sub);
    r = M(s, subject);
    verify_len(r->npsubs, 1);
    verify_len(r->nqsubs, 2);
    verify_len(r->qsubs[0].n, 1);
    verify_len(r->qsubs[1].n, 1);
    verify_q_member(r, sub1);
    verify_q_member(r, sub2);
    verify_member(r->psubs, r->npsubs, sub);

    subscription *sub3 = new_q_sub(subject, "bar");
    subscription *sub4 = new_q_sub(subject, "baz");
    sublist_insert(s, sub3);
    sublist_insert(s, sub4);
    r = M(s, subject);
    verify_len(r->npsubs, 1);
    verify_len(r->nqsubs, 2);
    verify_len(r->qsubs[0].n, 2);
    verify_len(r->qsubs[1].n, 2);
    verify_q_member(r, sub1);
    verify_q_member(r, sub2);
    verify_q_member(r, sub3);
    verify_q_member(r, sub4);
    verify_member(r->psubs, r->npsubs, sub);

    sublist_remove(s, sub);
    r = M(s, subject);
    verify_len(r->npsubs, 0);
    verify_len(r->nqsubs, 2);
    verify_len(r->qsubs[0].n, 2);
    verify_len(r->qsubs[1].n, 2);
    verify_q_member(r, sub1);
    verify_q_member(r, sub2);

    sublist_remove(s, sub1);
    r = M(s, subject);
    verify_len(r->npsubs, 0);
    verify_len(r->nqsubs, 2);
    verify_len(r->qsubs[sublist_find_q_slot(sub1->queue, sub1->queue_len, r)].n, 1);
    verify_len(r->qsubs[sublist_find_q_slot(sub2->queue, sub2->queue_len, r)].n, 2);
    verify_q_member(r, sub2);
    verify_q_member(r, sub3);
    verify_q_member(r, sub4);

    sublist_remove(s, sub3);
    r = M(s, subject);
    verify_len(r->npsubs, 0);
    verify_len(r->nqsubs, 1);
    verify_len(r->qsubs[0].n, 2);
    verify_q_member(r, sub2);

    sublist_remove(s, sub2);
    sublist_remove(s, sub4);
    r = M(s, subject);
    verify_len(r->npsubs, 0);
    verify_len(r->nqsubs, 0);
}

START_TEST(test_sublist_basic_queue_results) { do_basic_queue_results(new_sl(true)); }
END_TEST
START_TEST(test_sublist_basic_queue_results_no_cache) { do_basic_queue_results(new_sl(false)); }
END_TEST

/* ---- Subject helpers ---- */

START_TEST(test_sublist_valid_literal_subjects)
{
    ck_assert(sublist_is_valid_literal_subject(S("foo")));
    ck_assert(!sublist_is_valid_literal_subject(S(".foo")));
    ck_assert(!sublist_is_valid_literal_subject(S("foo.")));
    ck_assert(!sublist_is_valid_literal_subject(S("foo..bar")));
    ck_assert(!sublist_is_valid_literal_subject(S("foo.bar.*")));
    ck_assert(!sublist_is_valid_literal_subject(S("foo.bar.>")));
    ck_assert(!sublist_is_valid_literal_subject(S("*")));
    ck_assert(!sublist_is_valid_literal_subject(S(">")));
    ck_assert(sublist_is_valid_literal_subject(S("foo*")));
    ck_assert(sublist_is_valid_literal_subject(S("foo**")));
    ck_assert(sublist_is_valid_literal_subject(S("foo.**")));
    ck_assert(sublist_is_valid_literal_subject(S("foo*bar")));
    ck_assert(sublist_is_valid_literal_subject(S("foo.*bar")));
    ck_assert(sublist_is_valid_literal_subject(S("foo*.bar")));
    ck_assert(sublist_is_valid_literal_subject(S("*bar")));
    ck_assert(sublist_is_valid_literal_subject(S("foo>")));
    ck_assert(sublist_is_valid_literal_subject(S("foo>>")));
    ck_assert(sublist_is_valid_literal_subject(S("foo.>>")));
    ck_assert(sublist_is_valid_literal_subject(S("foo>bar")));
    ck_assert(sublist_is_valid_literal_subject(S("foo.>bar")));
    ck_assert(sublist_is_valid_literal_subject(S("foo>.bar")));
    ck_assert(sublist_is_valid_literal_subject(S(">bar")));
    ck_assert(!sublist_is_valid_literal_subject(S("")));
}
END_TEST

#define VS(x) sublist_is_valid_subject(S(x), false)

START_TEST(test_sublist_valid_subjects)
{
    ck_assert(!VS("."));
    ck_assert(!VS(".foo"));
    ck_assert(!VS("foo."));
    ck_assert(!VS("foo..bar"));
    ck_assert(!VS(">.bar"));
    ck_assert(!VS("foo.>.bar"));
    ck_assert(VS("foo"));
    ck_assert(VS("foo.bar.*"));
    ck_assert(VS("foo.bar.>"));
    ck_assert(VS("*"));
    ck_assert(VS(">"));
    ck_assert(VS("foo*"));
    ck_assert(VS("foo**"));
    ck_assert(VS("foo.**"));
    ck_assert(VS("foo*bar"));
    ck_assert(VS("foo.*bar"));
    ck_assert(VS("foo*.bar"));
    ck_assert(VS("*bar"));
    ck_assert(VS("foo>"));
    ck_assert(VS("foo.>>"));
    ck_assert(VS("foo>bar"));
    ck_assert(VS("foo.>bar"));
    ck_assert(VS("foo>.bar"));
    ck_assert(VS(">bar"));
    /* Embedded NUL. */
    const char subj[] = "foo.bar.baz.\0";
    ck_assert(!sublist_is_valid_subject(subj, sizeof(subj) - 1, true));
    /* Whitespace and runes (not in the Go test; same rules). */
    ck_assert(!VS("foo bar"));
    ck_assert(!VS("foo.\t"));
    ck_assert(!VS(""));
    ck_assert(sublist_is_valid_subject(S("foo.b\xC3\xA4r"), true));
    ck_assert(!sublist_is_valid_subject(S("foo.\xC3"), true));
    ck_assert(!sublist_is_valid_subject(S("foo.\xEF\xBF\xBD"), true));
    ck_assert(!sublist_is_valid_subject(S("foo.\xC0\x80"), true));
    ck_assert(sublist_is_valid_subject(S("foo.\xC3"), false));
    ck_assert(sublist_is_valid_publish_subject(S("foo.bar")));
    ck_assert(!sublist_is_valid_publish_subject(S("foo.*")));
}
END_TEST

#define ML(lit, subj) sublist_match_literal(S(lit), S(subj))

START_TEST(test_sublist_match_literals)
{
    ck_assert(ML("foo", "foo"));
    ck_assert(!ML("foo", "bar"));
    ck_assert(ML("foo", "*"));
    ck_assert(ML("foo", ">"));
    ck_assert(ML("foo.bar", ">"));
    ck_assert(ML("foo.bar", "foo.>"));
    ck_assert(!ML("foo.bar", "bar.>"));
    ck_assert(ML("stats.test.22", "stats.>"));
    ck_assert(ML("stats.test.22", "stats.*.*"));
    ck_assert(!ML("foo.bar", "foo"));
    ck_assert(ML("stats.test.foos", "stats.test.foos"));
    ck_assert(!ML("stats.test.foos", "stats.test.foo"));
    ck_assert(!ML("stats.test", "stats.test.*"));
    ck_assert(!ML("stats.test.foos", "stats.*"));
    ck_assert(!ML("stats.test.foos", "stats.*.*.foos"));
    ck_assert(ML("*bar", "*bar"));
    ck_assert(ML("foo*", "foo*"));
    ck_assert(ML("foo*bar", "foo*bar"));
    ck_assert(ML("foo.***.bar", "foo.***.bar"));
    ck_assert(ML(">bar", ">bar"));
    ck_assert(ML("foo>", "foo>"));
    ck_assert(ML("foo>bar", "foo>bar"));
    ck_assert(ML("foo.>>>.bar", "foo.>>>.bar"));
}
END_TEST

#define LIT(x) sublist_subject_is_literal(S(x))

START_TEST(test_subject_is_literal)
{
    ck_assert(LIT("foo"));
    ck_assert(LIT("foo.bar"));
    ck_assert(LIT("foo*.bar"));
    ck_assert(!LIT("*"));
    ck_assert(!LIT(">"));
    ck_assert(!LIT("foo.*"));
    ck_assert(!LIT("foo.>"));
    ck_assert(!LIT("foo.*.>"));
    ck_assert(!LIT("foo.*.bar"));
    ck_assert(!LIT("foo.bar.>"));
    ck_assert(sublist_subject_has_wildcard(S("foo.*")));
    ck_assert(!sublist_subject_has_wildcard(S("foo*.bar")));
}
END_TEST

static void check_token(sublist_token t, const char *expected)
{
    ck_assert_uint_eq(t.len, strlen(expected));
    ck_assert(memcmp(t.s, expected, t.len) == 0);
}

START_TEST(test_subject_token)
{
    const char *subj = "foo.bar.baz.*";
    check_token(sublist_token_at(S(subj), 0), "");
    check_token(sublist_token_at(S(subj), 1), "foo");
    check_token(sublist_token_at(S(subj), 2), "bar");
    check_token(sublist_token_at(S(subj), 3), "baz");
    check_token(sublist_token_at(S(subj), 4), "*");
    check_token(sublist_token_at(S(subj), 5), "");
    ck_assert_int_eq(sublist_num_tokens(S(subj)), 4);
    ck_assert_int_eq(sublist_num_tokens(S("")), 0);
    sublist_token toks[2];
    ck_assert_uint_eq(sublist_tokenize_subject_into_slice(S(subj), toks, 2), 4);
    check_token(toks[0], "foo");
    check_token(toks[1], "bar");
}
END_TEST

static void do_bad_subject_on_remove(sublist *s)
{
    subscription *sub = new_sub("a.b..d");
    ck_assert_int_eq(sublist_insert(s, sub), SUBLIST_ERR_INVALID_SUBJECT);
    ck_assert_int_eq(sublist_remove(s, sub), SUBLIST_ERR_INVALID_SUBJECT);
    ck_assert_int_eq(sublist_remove(s, new_sub("a.>.b")), SUBLIST_ERR_INVALID_SUBJECT);
}

START_TEST(test_sublist_bad_subject_on_remove) { do_bad_subject_on_remove(new_sl(true)); }
END_TEST
START_TEST(test_sublist_bad_subject_on_remove_no_cache)
{
    do_bad_subject_on_remove(new_sl(false));
}
END_TEST

static void do_two_token_pub_match_single_token_sub(sublist *s)
{
    subscription *sub = new_sub("foo");
    sublist_insert(s, sub);
    sublist_result *r = M(s, "foo");
    verify_len(r->npsubs, 1);
    verify_member(r->psubs, r->npsubs, sub);
    verify_len(M(s, "foo.bar")->npsubs, 0);
}

START_TEST(test_sublist_two_token_pub_match_single_token_sub)
{
    do_two_token_pub_match_single_token_sub(new_sl(true));
}
END_TEST
START_TEST(test_sublist_two_token_pub_match_single_token_sub_no_cache)
{
    do_two_token_pub_match_single_token_sub(new_sl(false));
}
END_TEST

static void do_insert_with_wildcards_as_literals(sublist *s)
{
    const char *subjects[] = {"foo.*-", "foo.>-"};
    for (int i = 0; i < 2; i++) {
        sublist_insert(s, new_sub(subjects[i]));
        verify_len(M(s, "foo.bar")->npsubs, 0);
        verify_len(M(s, subjects[i])->npsubs, 1);
    }
}

START_TEST(test_sublist_insert_with_wildcards_as_literals)
{
    do_insert_with_wildcards_as_literals(new_sl(true));
}
END_TEST
START_TEST(test_sublist_insert_with_wildcards_as_literals_no_cache)
{
    do_insert_with_wildcards_as_literals(new_sl(false));
}
END_TEST

static void do_remove_with_wildcards_as_literals(sublist *s)
{
    const char *subjects[] = {"foo.*-", "foo.>-"};
    for (int i = 0; i < 2; i++) {
        subscription *sub = new_sub(subjects[i]);
        sublist_insert(s, sub);
        ck_assert_int_eq(sublist_remove(s, new_sub("foo.bar")), SUBLIST_ERR_NOT_FOUND);
        verify_count(s, 1);
        ck_assert_int_eq(sublist_remove(s, sub), SUBLIST_OK);
        verify_count(s, 0);
    }
}

START_TEST(test_sublist_remove_with_wildcards_as_literals)
{
    do_remove_with_wildcards_as_literals(new_sl(true));
}
END_TEST
START_TEST(test_sublist_remove_with_wildcards_as_literals_no_cache)
{
    do_remove_with_wildcards_as_literals(new_sl(false));
}
END_TEST

/* ---- Races ---- */

typedef struct remover_arg {
    sublist *s;
    subscription **subs;
    int n;
    bool insert;
} remover_arg;

static void *remover_thread(void *p)
{
    remover_arg *a = p;
    for (int i = 0; i < a->n; i++) {
        if (a->insert)
            sublist_insert(a->s, a->subs[i]);
        else
            sublist_remove(a->s, a->subs[i]);
    }
    return NULL;
}

static void do_race_on_remove(sublist *s)
{
    enum { TOTAL = 100 };
    subscription *subs[TOTAL];
    for (int i = 0; i < TOTAL; i++)
        subs[i] = new_q_sub("foo", "bar");
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < TOTAL; i++)
            sublist_insert(s, subs[i]);
        if (k == 1)
            sublist_result_release(sublist_match(s, S("foo")));
        sublist_result *r = sublist_match(s, S("foo"));
        ck_assert_ptr_nonnull(r);
        pthread_t th;
        remover_arg a = {s, subs, TOTAL, false};
        ck_assert_int_eq(pthread_create(&th, NULL, remover_thread, &a), 0);
        for (int g = 0; g < r->nqsubs; g++) {
            for (int i = 0; i < r->qsubs[g].n; i++) {
                const subscription *sub = r->qsubs[g].subs[i];
                ck_assert(sub->queue_len == 3 && memcmp(sub->queue, "bar", 3) == 0);
            }
        }
        pthread_join(th, NULL);
        sublist_result_release(r);
    }
    for (int i = 0; i < TOTAL; i++)
        subs[i] = new_sub("foo");
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < TOTAL; i++)
            sublist_insert(s, subs[i]);
        if (k == 1)
            sublist_result_release(sublist_match(s, S("foo")));
        sublist_result *r = sublist_match(s, S("foo"));
        ck_assert_ptr_nonnull(r);
        pthread_t th;
        remover_arg a = {s, subs, TOTAL, false};
        ck_assert_int_eq(pthread_create(&th, NULL, remover_thread, &a), 0);
        for (int i = 0; i < r->npsubs; i++) {
            const subscription *sub = r->psubs[i];
            ck_assert(sub->subject_len == 3 && memcmp(sub->subject, "foo", 3) == 0);
        }
        pthread_join(th, NULL);
        sublist_result_release(r);
    }
    verify_count(s, 0);
}

START_TEST(test_sublist_race_on_remove) { do_race_on_remove(new_sl(true)); }
END_TEST
START_TEST(test_sublist_race_on_remove_no_cache) { do_race_on_remove(new_sl(false)); }
END_TEST

static void do_race_on_insert(sublist *s)
{
    enum { TOTAL = 100 };
    subscription *subs[TOTAL];
    for (int i = 0; i < TOTAL; i++)
        subs[i] = new_q_sub("foo", "bar");
    pthread_t th;
    remover_arg a = {s, subs, TOTAL, true};
    ck_assert_int_eq(pthread_create(&th, NULL, remover_thread, &a), 0);
    for (int k = 0; k < 1000; k++) {
        sublist_result *r = sublist_match(s, S("foo"));
        ck_assert_ptr_nonnull(r);
        for (int g = 0; g < r->nqsubs; g++) {
            for (int i = 0; i < r->qsubs[g].n; i++) {
                const subscription *sub = r->qsubs[g].subs[i];
                ck_assert(sub->queue_len == 3 && memcmp(sub->queue, "bar", 3) == 0);
            }
        }
        sublist_result_release(r);
    }
    pthread_join(th, NULL);

    for (int i = 0; i < TOTAL; i++)
        subs[i] = new_sub("foo");
    ck_assert_int_eq(pthread_create(&th, NULL, remover_thread, &a), 0);
    for (int k = 0; k < 1000; k++) {
        sublist_result *r = sublist_match(s, S("foo"));
        ck_assert_ptr_nonnull(r);
        for (int i = 0; i < r->npsubs; i++) {
            const subscription *sub = r->psubs[i];
            ck_assert(sub->subject_len == 3 && memcmp(sub->subject, "foo", 3) == 0);
        }
        sublist_result_release(r);
    }
    pthread_join(th, NULL);
    verify_count(s, 2 * TOTAL);
    sublist_result *r = M(s, "foo");
    verify_len(r->npsubs, TOTAL);
    verify_len(r->nqsubs, 1);
    verify_len(r->qsubs[0].n, TOTAL);
}

START_TEST(test_sublist_race_on_insert) { do_race_on_insert(new_sl(true)); }
END_TEST
START_TEST(test_sublist_race_on_insert_no_cache) { do_race_on_insert(new_sl(false)); }
END_TEST

static void *race_on_match_thread(void *p)
{
    sublist *s = p;
    for (int i = 0; i < 10; i++) {
        sublist_result *r = sublist_match(s, S("foo.bar"));
        if (!r)
            return (void *)1;
        for (int k = 0; k < r->npsubs; k++) {
            if (strncmp(r->psubs[k]->subject, "foo.", 4) != 0) {
                sublist_result_release(r);
                return (void *)1;
            }
        }
        for (int g = 0; g < r->nqsubs; g++) {
            for (int k = 0; k < r->qsubs[g].n; k++) {
                if (strcmp(r->qsubs[g].subs[k]->queue, "workers") != 0) {
                    sublist_result_release(r);
                    return (void *)1;
                }
            }
        }
        sublist_result_release(r);
    }
    return NULL;
}

START_TEST(test_sublist_race_on_match)
{
    sublist *s = new_sl(false);
    sublist_insert(s, new_q_sub("foo.*", "workers"));
    sublist_insert(s, new_q_sub("foo.bar", "workers"));
    sublist_insert(s, new_sub("foo.*"));
    sublist_insert(s, new_sub("foo.bar"));
    pthread_t t1, t2;
    pthread_create(&t1, NULL, race_on_match_thread, s);
    pthread_create(&t2, NULL, race_on_match_thread, s);
    void *r1, *r2;
    pthread_join(t1, &r1);
    pthread_join(t2, &r2);
    ck_assert_ptr_null(r1);
    ck_assert_ptr_null(r2);
}
END_TEST

/* ---- Remote queue weights ---- */

static void do_remote_queue_subscriptions(sublist *s)
{
    subscription *s1 = new_q_sub("foo", "bar"), *s2 = new_q_sub("foo", "bar");
    sublist_insert(s, s1);
    sublist_insert(s, s2);
    subscription *rs1 = new_remote_q_sub("foo", "bar", 10);
    sublist_insert(s, rs1);
    subscription *rs2 = new_remote_q_sub("foo", "bar", 10);
    sublist_insert(s, rs2);
    verify_count(s, 4);

    sublist_result *r = M(s, "foo");
    verify_len(r->npsubs, 0);
    verify_len(r->nqsubs, 1);
    verify_len(r->qsubs[0].n, 22);

    sublist_remove(s, s1);
    sublist_remove(s, rs1);
    verify_count(s, 2);

    r = M(s, "foo");
    verify_len(r->npsubs, 0);
    verify_len(r->nqsubs, 1);
    verify_len(r->qsubs[0].n, 11);

    __atomic_store_n(&rs2->qw, 1, __ATOMIC_RELAXED);
    sublist_update_remote_q_sub(s, rs2);

    r = M(s, "foo");
    verify_len(r->npsubs, 0);
    verify_len(r->nqsubs, 1);
    verify_len(r->qsubs[0].n, 2);
}

START_TEST(test_sublist_remote_queue_subscriptions) { do_remote_queue_subscriptions(new_sl(true)); }
END_TEST
START_TEST(test_sublist_remote_queue_subscriptions_no_cache)
{
    do_remote_queue_subscriptions(new_sl(false));
}
END_TEST

START_TEST(test_sublist_shared_empty_result)
{
    sublist *s = new_sl(true);
    sublist_result *r1 = M(s, "foo");
    verify_len(r1->npsubs, 0);
    verify_len(r1->nqsubs, 0);
    sublist_result *r2 = M(s, "bar");
    verify_len(r2->npsubs, 0);
    verify_len(r2->nqsubs, 0);
    ck_assert_ptr_eq(r1, r2);
}
END_TEST

START_TEST(test_sublist_no_cache_stats)
{
    sublist *s = new_sl(false);
    sublist_insert(s, new_sub("foo"));
    sublist_insert(s, new_sub("bar"));
    sublist_insert(s, new_sub("baz"));
    sublist_insert(s, new_sub("foo.bar.baz"));
    M(s, "a.b.c");
    M(s, "bar");
    struct sublist_stats st;
    sublist_stats(s, &st);
    ck_assert_uint_eq(st.num_cache, 0);
    ck_assert_uint_eq(st.num_subs, 4);
    ck_assert_uint_eq(st.num_inserts, 4);
    ck_assert_uint_eq(st.num_matches, 2);
}
END_TEST

START_TEST(test_sublist_all)
{
    sublist *s = new_sl(false);
    subscription *subs[] = {new_sub("foo.bar.baz"), new_sub("foo"), new_sub("baz")};
    subs[0]->client_kind = SUBLIST_CLIENT_LEAF;
    for (int i = 0; i < 3; i++)
        sublist_insert(s, subs[i]);
    sublist_subs out = {0};
    ck_assert_int_eq(sublist_all(s, &out), SUBLIST_OK);
    ck_assert_uint_eq(out.n, 3);
    for (int i = 0; i < 3; i++)
        verify_member(out.subs, (int)out.n, subs[i]);
    free(out.subs);

    /* Local subs leave out the leaf spoke's subscription. */
    sublist_subs loc = {0};
    ck_assert_int_eq(sublist_local_subs(s, &loc, true), SUBLIST_OK);
    ck_assert_uint_eq(loc.n, 2);
    free(loc.subs);
    subs[0]->client_kind = SUBLIST_CLIENT_HUB_LEAF;
    sublist_subs hubs = {0};
    ck_assert_int_eq(sublist_local_subs(s, &hubs, true), SUBLIST_OK);
    ck_assert_uint_eq(hubs.n, 3);
    free(hubs.subs);
    sublist_subs nohubs = {0};
    ck_assert_int_eq(sublist_local_subs(s, &nohubs, false), SUBLIST_OK);
    ck_assert_uint_eq(nohubs.n, 2);
    free(nohubs.subs);
}
END_TEST

START_TEST(test_is_subset_match)
{
    static const struct {
        const char *subject, *test;
        bool result;
    } tests[] = {
        {"foo.bar", "foo.bar", true}, {"foo.*", ">", true},       {"foo.*", "*.*", true},
        {"foo.*", "foo.*", true},     {"foo.*", "foo.bar", false}, {"foo.>", ">", true},
        {"foo.>", "*.>", true},       {"foo.>", "foo.>", true},    {"foo.>", "foo.bar", false},
        {"foo..bar", "foo.*", false}, {"foo.*", "foo..bar", false},
    };
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        bool res = sublist_subject_is_subset_match(S(tests[i].subject), S(tests[i].test));
        ck_assert_msg(res == tests[i].result, "subject %s subset of %s: expected %d",
                      tests[i].test, tests[i].subject, tests[i].result);
    }
    ck_assert(sublist_subject_matches_filter(S("foo.bar"), S("foo.*")));
    ck_assert(!sublist_subject_matches_filter(S("foo.bar.baz"), S("foo.*")));
}
END_TEST

/* ---- Notifications: a one-slot channel with non-blocking send ---- */

typedef struct tchan {
    int n;
    bool v;
} tchan;

static void tchan_send(void *arg, bool b)
{
    tchan *c = arg;
    if (c->n == 0) {
        c->n = 1;
        c->v = b;
    }
}

static void expect_bool(tchan *c, bool b)
{
    ck_assert_msg(c->n == 1, "expected a notification");
    ck_assert_msg(c->v == b, "expected %d, got %d", b, c->v);
    c->n = 0;
}

#define expect_true() expect_bool(ch, true)
#define expect_false() expect_bool(ch, false)
#define expect_none() ck_assert_msg(ch->n == 0, "expected no notifications")
#define expect_one_with_ch(c) ck_assert_msg((c)->n == 1, "expected 1 notification")
#define expect_one() expect_one_with_ch(ch)
#define REG(subj, c) sublist_register_notification(s, S(subj), NULL, 0, tchan_send, (c))
#define REGQ(subj, q, c) sublist_register_notification(s, S(subj), S(q), tchan_send, (c))
#define CLR(subj, c) sublist_clear_notification(s, S(subj), NULL, 0, tchan_send, (c))
#define CLRQ(subj, q, c) sublist_clear_notification(s, S(subj), S(q), tchan_send, (c))

START_TEST(test_sublist_register_interest_notification)
{
    sublist *s = new_sl(true);
    tchan chv = {0}, ch2v = {0};
    tchan *ch = &chv, *ch2 = &ch2v;

    ck_assert_int_eq(REG("foo.*", ch), SUBLIST_ERR_INVALID_SUBJECT);
    ck_assert_int_eq(REG(">", ch), SUBLIST_ERR_INVALID_SUBJECT);
    ck_assert_int_eq(sublist_register_notification(s, S("foo"), NULL, 0, NULL, ch),
                     SUBLIST_ERR_NIL_CHAN);
    ck_assert(!CLR("foo", ch));
    ck_assert_int_eq(REG("foo", ch), SUBLIST_OK);
    ck_assert_int_eq(REG("foo", ch), SUBLIST_ERR_ALREADY_REGISTERED);

    expect_one();
    expect_false();
    subscription *sub = new_sub("foo");
    sublist_insert(s, sub);
    expect_true();

    subscription *sub2 = new_sub("foo");
    sublist_insert(s, sub2);
    expect_none();

    ck_assert_int_eq(REG("bar", ch), SUBLIST_OK);
    expect_false();

    subscription *sub3 = new_sub("foo");
    sublist_insert(s, sub3);
    expect_none();

    sublist_remove(s, sub);
    expect_none();
    sublist_remove(s, sub2);
    expect_none();
    sublist_remove(s, sub3);
    expect_false();

    ck_assert_int_eq(REG("test.node", ch), SUBLIST_OK);
    expect_one();
    expect_false();

    subscription *tn1 = new_sub("test.node.already.exist");
    sublist_insert(s, tn1);
    expect_none();
    subscription *tn2 = new_sub("test.node");
    sublist_insert(s, tn2);
    expect_true();
    subscription *tn3 = new_sub("test.node");
    sublist_insert(s, tn3);
    expect_none();
    sublist_remove(s, tn1);
    expect_none();
    sublist_remove(s, tn2);
    expect_none();
    sublist_remove(s, tn3);
    expect_false();

    ck_assert(CLR("test.node", ch));

    subscription *sub4 = new_sub("bar");
    sublist_insert(s, sub4);
    expect_true();

    ck_assert(CLR("bar", ch));
    pthread_rwlock_rdlock(&s->lock);
    uint32_t lnr = s->notify->remove.count;
    pthread_rwlock_unlock(&s->lock);
    ck_assert_uint_eq(lnr, 0);
    ck_assert(CLR("foo", ch));
    pthread_rwlock_rdlock(&s->lock);
    sublist_notify_maps *nm = s->notify;
    pthread_rwlock_unlock(&s->lock);
    ck_assert_ptr_null(nm);

    /* Wildcards do not trigger interest. */
    subscription *subpwc = new_sub("*");
    sublist_insert(s, subpwc);
    expect_none();

    ck_assert_int_eq(REG("foo", ch), SUBLIST_OK);
    expect_false();
    sublist_insert(s, sub);
    expect_true();
    sublist_remove(s, sub);
    expect_false();
    sublist_remove(s, subpwc);
    expect_none();

    subscription *subfwc = new_sub(">");
    sublist_insert(s, subfwc);
    expect_none();
    sublist_insert(s, subpwc);
    expect_none();
    sublist_remove(s, subpwc);
    expect_none();
    sublist_remove(s, subfwc);
    expect_none();

    /* Batch. */
    subscription *subs[] = {sub, sub2, sub3, sub4, subpwc, subfwc};
    for (int i = 0; i < 6; i++)
        sublist_insert(s, subs[i]);
    expect_true();
    sublist_remove_batch(s, subs, 6);
    expect_one();
    expect_false();

    /* Queue subs: only a matching queue registration triggers. */
    subscription *qsub = new_q_sub("foo.bar.baz", "1");
    sublist_insert(s, qsub);
    expect_none();
    ck_assert_int_eq(REG("foo.bar.baz", ch), SUBLIST_OK);
    expect_false();
    subscription *wcqsub = new_q_sub("foo.bar.>", "1");
    sublist_insert(s, wcqsub);
    expect_none();
    sublist_remove(s, qsub);
    expect_none();
    sublist_remove(s, wcqsub);
    expect_none();
    sublist_insert(s, wcqsub);
    expect_none();

    ck_assert_int_eq(REGQ("queue.test.node", "q22", ch), SUBLIST_OK);
    expect_one();
    expect_false();

    subscription *qsub1 = new_q_sub("queue.test.node.already.exist", "queue");
    sublist_insert(s, qsub1);
    expect_none();
    subscription *qsub2 = new_q_sub("queue.test.node", "q22");
    sublist_insert(s, qsub2);
    expect_true();
    subscription *qsub3 = new_q_sub("queue.test.node", "otherqueue");
    sublist_insert(s, qsub3);
    expect_none();
    subscription *qsub4 = new_q_sub("queue.different.node", "q22");
    sublist_insert(s, qsub4);
    expect_none();
    subscription *qsub5 = new_q_sub("queue.test.node", "q22");
    sublist_insert(s, qsub5);
    expect_none();

    sublist_remove(s, qsub3);
    expect_none();
    sublist_remove(s, qsub1);
    expect_none();
    sublist_remove(s, qsub2);
    expect_none();
    sublist_remove(s, qsub4);
    expect_none();
    sublist_remove(s, qsub5);
    expect_false();

    ck_assert(CLRQ("queue.test.node", "q22", ch));

    ck_assert_int_eq(REGQ("some.subject", "queue1", ch), SUBLIST_OK);
    expect_one();
    expect_false();

    qsub1 = new_q_sub("some.subject", "queue1");
    sublist_insert(s, qsub1);
    expect_true();

    ck_assert_int_eq(REGQ("some.subject", "queue2", ch2), SUBLIST_OK);
    expect_one_with_ch(ch2);
    expect_bool(ch2, false);

    qsub2 = new_q_sub("some.subject", "queue2");
    sublist_insert(s, qsub2);
    expect_bool(ch2, true);
    expect_none();

    sublist_remove(s, qsub1);
    expect_false();
    sublist_remove(s, qsub2);
    expect_bool(ch2, false);

    ck_assert(CLRQ("some.subject", "queue1", ch));
    ck_assert(CLRQ("some.subject", "queue2", ch2));

    /* Registering while interest exists reports it at once and waits for
     * its removal. */
    qsub1 = new_q_sub("some.subject", "queue1");
    sublist_insert(s, qsub1);
    ck_assert_int_eq(REGQ("some.subject", "queue1", ch), SUBLIST_OK);
    expect_one();
    expect_true();
    sublist_remove(s, qsub1);
    expect_false();
    ck_assert(CLRQ("some.subject", "queue1", ch));

    /* Non-blocking notifications. */
    ck_assert_int_eq(REG("bar", ch), SUBLIST_OK);
    ck_assert_int_eq(REG("baz", ch), SUBLIST_OK);
    sublist_insert(s, new_sub("baz"));
    sublist_insert(s, new_sub("bar"));
    sublist_insert(s, subpwc);
    expect_one();
    expect_false();
}
END_TEST

/* ---- Reverse match ---- */

START_TEST(test_sublist_reverse_match)
{
    sublist *s = new_sl(true);
    subscription *foo = new_sub("foo"), *bar = new_sub("bar"), *foobar = new_sub("foo.bar"),
                 *foobaz = new_sub("foo.baz"), *foobarbaz = new_sub("foo.bar.baz");
    sublist_insert(s, foo);
    sublist_insert(s, bar);
    sublist_insert(s, foobar);
    sublist_insert(s, foobaz);
    sublist_insert(s, foobarbaz);

    sublist_result *r = RM(s, "foo");
    verify_len(r->npsubs, 1);
    verify_member(r->psubs, r->npsubs, foo);

    r = RM(s, "bar");
    verify_len(r->npsubs, 1);
    verify_member(r->psubs, r->npsubs, bar);

    r = RM(s, "*");
    verify_len(r->npsubs, 2);
    verify_member(r->psubs, r->npsubs, foo);
    verify_member(r->psubs, r->npsubs, bar);

    verify_len(RM(s, "baz")->npsubs, 0);

    r = RM(s, "foo.*");
    verify_len(r->npsubs, 2);
    verify_member(r->psubs, r->npsubs, foobar);
    verify_member(r->psubs, r->npsubs, foobaz);

    r = RM(s, "*.*");
    verify_len(r->npsubs, 2);
    verify_member(r->psubs, r->npsubs, foobar);
    verify_member(r->psubs, r->npsubs, foobaz);

    r = RM(s, "*.bar");
    verify_len(r->npsubs, 1);
    verify_member(r->psubs, r->npsubs, foobar);

    r = RM(s, "*.baz");
    verify_len(r->npsubs, 1);
    verify_member(r->psubs, r->npsubs, foobaz);

    verify_len(RM(s, "bar.*")->npsubs, 0);
    verify_len(RM(s, "*.bat")->npsubs, 0);

    r = RM(s, "foo.>");
    verify_len(r->npsubs, 3);
    verify_member(r->psubs, r->npsubs, foobar);
    verify_member(r->psubs, r->npsubs, foobaz);
    verify_member(r->psubs, r->npsubs, foobarbaz);

    r = RM(s, ">");
    verify_len(r->npsubs, 5);
    verify_member(r->psubs, r->npsubs, foo);
    verify_member(r->psubs, r->npsubs, bar);
    verify_member(r->psubs, r->npsubs, foobar);
    verify_member(r->psubs, r->npsubs, foobaz);
    verify_member(r->psubs, r->npsubs, foobarbaz);
}
END_TEST

START_TEST(test_sublist_reverse_match_wider)
{
    sublist *s = new_sl(true);
    subscription *sub = new_sub("uplink.*.*.>");
    sublist_insert(s, sub);
    sublist_result *r = RM(s, "uplink.1.*.*.>");
    verify_len(r->npsubs, 1);
    verify_member(r->psubs, r->npsubs, sub);
    r = RM(s, "uplink.1.2.3.>");
    verify_len(r->npsubs, 1);
    verify_member(r->psubs, r->npsubs, sub);
}
END_TEST

START_TEST(test_sublist_match_with_empty_tokens)
{
    for (int c = 0; c < 2; c++) {
        sublist *sl = new_sl(c == 0);
        sublist_insert(sl, new_sub(">"));
        sublist_insert(sl, new_q_sub(">", "queue"));
        const char *subjs[] = {".foo", "..foo", "foo..", "foo.", "foo..bar", "foo...bar", ""};
        for (size_t i = 0; i < sizeof(subjs) / sizeof(subjs[0]); i++) {
            sublist_result *r = M(sl, subjs[i]);
            verify_len(r->npsubs, 0);
            verify_len(r->nqsubs, 0);
            ck_assert(!HI(sl, subjs[i]));
        }
        /* A proper subject does match. */
        sublist_result *r = M(sl, "foo.bar");
        verify_len(r->npsubs, 1);
        verify_len(r->nqsubs, 1);
    }
}
END_TEST

START_TEST(test_sublist_subject_collide)
{
    ck_assert(!sublist_subjects_collide(S("foo.*"), S("foo.*.bar.>")));
    ck_assert(!sublist_subjects_collide(S("foo.*.bar.>"), S("foo.*")));
    ck_assert(sublist_subjects_collide(S("foo.*"), S("foo.foo")));
    ck_assert(sublist_subjects_collide(S("foo.*"), S("*.foo")));
    ck_assert(sublist_subjects_collide(S("foo.bar.>"), S("*.bar.foo")));
    ck_assert(sublist_subjects_collide(S("foo.bar"), S("foo.bar")));
    ck_assert(!sublist_subjects_collide(S("foo.bar"), S("foo.baz")));
}
END_TEST

START_TEST(test_sublist_add_cache_hit_rate)
{
    sublist *sl1 = new_sl(true);
    sublist_insert(sl1, new_sub("foo"));
    for (int i = 0; i < 4; i++)
        M(sl1, "foo");
    struct sublist_stats st1;
    sublist_stats(sl1, &st1);
    ck_assert(st1.cache_hit_rate == 0.75);

    sublist *sl2 = new_sl(true);
    sublist_insert(sl2, new_sub("bar"));
    for (int i = 0; i < 4; i++)
        M(sl2, "bar");
    struct sublist_stats st2;
    sublist_stats(sl2, &st2);
    ck_assert(st2.cache_hit_rate == 0.75);
    ck_assert_uint_eq(st2.num_cache, 1);
    ck_assert_uint_eq(st2.max_fanout, 1);
    ck_assert(st2.avg_fanout == 1.0);

    struct sublist_stats ts = {0};
    sublist_stats_add(&ts, &st1);
    sublist_stats_add(&ts, &st2);
    ck_assert(ts.cache_hit_rate == 0.75);
    ck_assert_uint_eq(ts.num_matches, 8);
    ck_assert_uint_eq(ts.num_subs, 2);
}
END_TEST

/* ---- Interest ---- */

#define CACHE_HITS(sl) atomic_load(&(sl)->cache_hits)

START_TEST(test_sublist_has_interest)
{
    sublist *sl = new_sl(true);
    subscription *foo = new_sub("foo");
    sublist_insert(sl, foo);

    ck_assert(HI(sl, "foo"));
    ck_assert(!HI(sl, "bar"));
    ck_assert_uint_eq(CACHE_HITS(sl), 0);

    M(sl, "foo");
    ck_assert_uint_eq(CACHE_HITS(sl), 0);
    for (uint64_t i = 1; i <= 5; i++) {
        ck_assert(HI(sl, "foo"));
        ck_assert_uint_eq(CACHE_HITS(sl), i);
    }
    uint64_t hits = CACHE_HITS(sl);
    M(sl, "bar");
    ck_assert(!HI(sl, "bar"));
    ck_assert_uint_eq(CACHE_HITS(sl), hits + 1);

    sublist_remove(sl, foo);
    ck_assert(!HI(sl, "foo"));

    subscription *sub = new_sub("foo.*");
    sublist_insert(sl, sub);
    ck_assert(!HI(sl, "foo"));
    ck_assert(HI(sl, "foo.bar"));
    ck_assert(!HI(sl, "foo.bar.baz"));
    sublist_remove(sl, sub);
    ck_assert(!HI(sl, "foo"));
    ck_assert(!HI(sl, "foo.bar"));
    ck_assert(!HI(sl, "foo.bar.baz"));

    sub = new_sub("foo.>");
    sublist_insert(sl, sub);
    ck_assert(!HI(sl, "foo"));
    ck_assert(HI(sl, "foo.bar"));
    ck_assert(HI(sl, "foo.bar.baz"));
    sublist_remove(sl, sub);
    ck_assert(!HI(sl, "foo"));
    ck_assert(!HI(sl, "foo.bar"));
    ck_assert(!HI(sl, "foo.bar.baz"));

    sub = new_sub("*.>");
    sublist_insert(sl, sub);
    ck_assert(!HI(sl, "foo"));
    ck_assert(HI(sl, "foo.bar"));
    ck_assert(HI(sl, "foo.baz"));
    sublist_remove(sl, sub);

    sub = new_sub("*.bar");
    sublist_insert(sl, sub);
    ck_assert(!HI(sl, "foo"));
    ck_assert(HI(sl, "foo.bar"));
    ck_assert(!HI(sl, "foo.baz"));
    sublist_remove(sl, sub);

    sub = new_sub("*");
    sublist_insert(sl, sub);
    ck_assert(HI(sl, "foo"));
    ck_assert(!HI(sl, "foo.bar"));
    sublist_remove(sl, sub);

    subscription *qsub = new_q_sub("foo", "bar");
    sublist_insert(sl, qsub);
    ck_assert(HI(sl, "foo"));
    ck_assert(!HI(sl, "foo.bar"));
    subscription *qsub2 = new_q_sub("foo", "baz");
    sublist_insert(sl, qsub2);
    ck_assert(HI(sl, "foo"));
    ck_assert(!HI(sl, "foo.bar"));
    sublist_remove(sl, qsub);
    ck_assert(HI(sl, "foo"));
    ck_assert(!HI(sl, "foo.bar"));
    sublist_remove(sl, qsub2);
    ck_assert(!HI(sl, "foo"));
    ck_assert(!HI(sl, "foo.bar"));

    qsub = new_q_sub("foo.*", "bar");
    sublist_insert(sl, qsub);
    ck_assert(!HI(sl, "foo"));
    ck_assert(HI(sl, "foo.bar"));
    ck_assert(!HI(sl, "foo.bar.baz"));
    qsub2 = new_q_sub("foo.*", "baz");
    sublist_insert(sl, qsub2);
    ck_assert(!HI(sl, "foo"));
    ck_assert(HI(sl, "foo.bar"));
    ck_assert(!HI(sl, "foo.bar.baz"));
    sublist_remove(sl, qsub);
    ck_assert(!HI(sl, "foo"));
    ck_assert(HI(sl, "foo.bar"));
    ck_assert(!HI(sl, "foo.bar.baz"));
    sublist_remove(sl, qsub2);
    ck_assert(!HI(sl, "foo"));
    ck_assert(!HI(sl, "foo.bar"));
    ck_assert(!HI(sl, "foo.bar.baz"));

    qsub = new_q_sub("foo.>", "bar");
    sublist_insert(sl, qsub);
    ck_assert(!HI(sl, "foo"));
    ck_assert(HI(sl, "foo.bar"));
    ck_assert(HI(sl, "foo.bar.baz"));
    qsub2 = new_q_sub("foo.>", "baz");
    sublist_insert(sl, qsub2);
    ck_assert(!HI(sl, "foo"));
    ck_assert(HI(sl, "foo.bar"));
    ck_assert(HI(sl, "foo.bar.baz"));
    sublist_remove(sl, qsub);
    ck_assert(!HI(sl, "foo"));
    ck_assert(HI(sl, "foo.bar"));
    ck_assert(HI(sl, "foo.bar.baz"));
    sublist_remove(sl, qsub2);
    ck_assert(!HI(sl, "foo"));
    ck_assert(!HI(sl, "foo.bar"));
    ck_assert(!HI(sl, "foo.bar.baz"));

    qsub = new_q_sub("*.>", "bar");
    sublist_insert(sl, qsub);
    ck_assert(!HI(sl, "foo"));
    ck_assert(HI(sl, "foo.bar"));
    ck_assert(HI(sl, "foo.baz"));
    sublist_remove(sl, qsub);

    qsub = new_q_sub("*.bar", "bar");
    sublist_insert(sl, qsub);
    ck_assert(!HI(sl, "foo"));
    ck_assert(HI(sl, "foo.bar"));
    ck_assert(!HI(sl, "foo.baz"));
    sublist_remove(sl, qsub);

    qsub = new_q_sub("*", "bar");
    sublist_insert(sl, qsub);
    ck_assert(HI(sl, "foo"));
    ck_assert(!HI(sl, "foo.bar"));
    sublist_remove(sl, qsub);
}
END_TEST

START_TEST(test_sublist_has_interest_overlapping)
{
    sublist *sl = new_sl(true);
    ck_assert_int_eq(sublist_insert(sl, new_sub("stream.A.child")), SUBLIST_OK);
    ck_assert_int_eq(sublist_insert(sl, new_sub("stream.*")), SUBLIST_OK);
    ck_assert(HI(sl, "stream.A.child"));
    ck_assert(HI(sl, "stream.A"));
}
END_TEST

static void require_num_interest(sublist *sl, const char *subj, int wnp, int wnq)
{
    int np, nq;
    sublist_num_interest(sl, S(subj), &np, &nq);
    ck_assert_msg(np == wnp && nq == wnq, "%s: got (%d,%d), want (%d,%d)", subj, np, nq, wnp, wnq);
}

#define RNI(subj, p, q) require_num_interest(sl, subj, p, q)

START_TEST(test_sublist_num_interest)
{
    sublist *sl = new_sl(true);
    subscription *foo = new_sub("foo");
    sublist_insert(sl, foo);

    RNI("foo", 1, 0);
    RNI("bar", 0, 0);
    ck_assert_uint_eq(CACHE_HITS(sl), 0);

    M(sl, "foo");
    ck_assert_uint_eq(CACHE_HITS(sl), 0);
    for (uint64_t i = 1; i <= 5; i++) {
        RNI("foo", 1, 0);
        ck_assert_uint_eq(CACHE_HITS(sl), i);
    }
    uint64_t hits = CACHE_HITS(sl);
    M(sl, "bar");
    RNI("bar", 0, 0);
    ck_assert_uint_eq(CACHE_HITS(sl), hits + 1);

    sublist_remove(sl, foo);
    RNI("foo", 0, 0);

    subscription *sub = new_sub("foo.*");
    sublist_insert(sl, sub);
    RNI("foo", 0, 0);
    RNI("foo.bar", 1, 0);
    RNI("foo.bar.baz", 0, 0);
    sublist_remove(sl, sub);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 0);
    RNI("foo.bar.baz", 0, 0);

    sub = new_sub("foo.>");
    sublist_insert(sl, sub);
    RNI("foo", 0, 0);
    RNI("foo.bar", 1, 0);
    RNI("foo.bar.baz", 1, 0);
    sublist_remove(sl, sub);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 0);
    RNI("foo.bar.baz", 0, 0);

    sub = new_sub("*.>");
    sublist_insert(sl, sub);
    RNI("foo", 0, 0);
    RNI("foo.bar", 1, 0);
    RNI("foo.bar.baz", 1, 0);
    sublist_remove(sl, sub);

    sub = new_sub("*.bar");
    sublist_insert(sl, sub);
    RNI("foo", 0, 0);
    RNI("foo.bar", 1, 0);
    RNI("foo.bar.baz", 0, 0);
    sublist_remove(sl, sub);

    sub = new_sub("*");
    sublist_insert(sl, sub);
    RNI("foo", 1, 0);
    RNI("foo.bar", 0, 0);
    sublist_remove(sl, sub);

    subscription *qsub = new_q_sub("foo", "bar");
    sublist_insert(sl, qsub);
    RNI("foo", 0, 1);
    RNI("foo.bar", 0, 0);
    subscription *qsub2 = new_q_sub("foo", "baz");
    sublist_insert(sl, qsub2);
    RNI("foo", 0, 2);
    RNI("foo.bar", 0, 0);
    subscription *qsub3 = new_q_sub("foo", "baz");
    sublist_insert(sl, qsub3);
    RNI("foo", 0, 3);
    RNI("foo.bar", 0, 0);
    sublist_remove(sl, qsub);
    RNI("foo", 0, 2);
    RNI("foo.bar", 0, 0);
    sublist_remove(sl, qsub2);
    RNI("foo", 0, 1);
    RNI("foo.bar", 0, 0);
    sublist_remove(sl, qsub3);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 0);

    qsub = new_q_sub("foo.*", "bar");
    sublist_insert(sl, qsub);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 1);
    RNI("foo.bar.baz", 0, 0);
    qsub2 = new_q_sub("foo.*", "baz");
    sublist_insert(sl, qsub2);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 2);
    RNI("foo.bar.baz", 0, 0);
    qsub3 = new_q_sub("foo.*", "baz");
    sublist_insert(sl, qsub3);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 3);
    RNI("foo.bar.baz", 0, 0);
    sublist_remove(sl, qsub);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 2);
    RNI("foo.bar.baz", 0, 0);
    sublist_remove(sl, qsub2);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 1);
    RNI("foo.bar.baz", 0, 0);
    sublist_remove(sl, qsub3);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 0);
    RNI("foo.bar.baz", 0, 0);

    qsub = new_q_sub("foo.>", "bar");
    sublist_insert(sl, qsub);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 1);
    RNI("foo.bar.baz", 0, 1);
    qsub2 = new_q_sub("foo.>", "baz");
    sublist_insert(sl, qsub2);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 2);
    RNI("foo.bar.baz", 0, 2);
    qsub3 = new_q_sub("foo.>", "baz");
    sublist_insert(sl, qsub3);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 3);
    RNI("foo.bar.baz", 0, 3);
    sublist_remove(sl, qsub);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 2);
    RNI("foo.bar.baz", 0, 2);
    sublist_remove(sl, qsub2);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 1);
    RNI("foo.bar.baz", 0, 1);
    sublist_remove(sl, qsub3);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 0);
    RNI("foo.bar.baz", 0, 0);

    qsub = new_q_sub("*.>", "bar");
    sublist_insert(sl, qsub);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 1);
    RNI("foo.bar.baz", 0, 1);
    sublist_remove(sl, qsub);

    qsub = new_q_sub("*.bar", "bar");
    sublist_insert(sl, qsub);
    RNI("foo", 0, 0);
    RNI("foo.bar", 0, 1);
    RNI("foo.bar.baz", 0, 0);
    sublist_remove(sl, qsub);

    qsub = new_q_sub("*", "bar");
    sublist_insert(sl, qsub);
    RNI("foo", 0, 1);
    RNI("foo.bar", 0, 0);
    sublist_remove(sl, qsub);
}
END_TEST

/* ---- C-specific: concurrency, result lifetime, long subjects ---- */

enum { CONC_WRITERS = 2, CONC_READERS = 3, CONC_SUBS = 64, CONC_ROUNDS = 30 };

typedef struct conc_arg {
    sublist *s;
    int id;
    subscription **subs; /* writers: CONC_SUBS each */
    int errors;
} conc_arg;

static void *conc_writer(void *p)
{
    conc_arg *a = p;
    for (int round = 0; round < CONC_ROUNDS; round++) {
        for (int i = 0; i < CONC_SUBS; i++) {
            if (sublist_insert(a->s, a->subs[i]) != SUBLIST_OK)
                a->errors++;
        }
        if (round % 3 == 0) {
            if (sublist_remove_batch(a->s, a->subs, CONC_SUBS) != SUBLIST_OK)
                a->errors++;
        } else {
            for (int i = 0; i < CONC_SUBS; i++) {
                if (sublist_remove(a->s, a->subs[i]) != SUBLIST_OK)
                    a->errors++;
            }
        }
    }
    return NULL;
}

static void *conc_reader(void *p)
{
    conc_arg *a = p;
    char subj[64];
    unsigned seed = (unsigned)a->id * 7919u + 1;
    for (int i = 0; i < 6000; i++) {
        seed = seed * 1103515245u + 12345u;
        int w = (int)((seed >> 8) % CONC_WRITERS), k = (int)((seed >> 16) % 2000);
        int len = snprintf(subj, sizeof(subj), "conc.%d.%d", w, k);
        sublist_result *r = sublist_match(a->s, subj, (size_t)len);
        if (!r) {
            a->errors++;
            continue;
        }
        for (int j = 0; j < r->npsubs; j++) {
            if (strncmp(r->psubs[j]->subject, "conc.", 5) != 0)
                a->errors++;
        }
        for (int g = 0; g < r->nqsubs; g++) {
            for (int j = 0; j < r->qsubs[g].n; j++) {
                if (r->qsubs[g].subs[j]->queue == NULL)
                    a->errors++;
            }
        }
        sublist_result_release(r);
        if (i % 7 == 0)
            (void)sublist_has_interest(a->s, subj, (size_t)len);
        if (i % 500 == 0) {
            struct sublist_stats st;
            sublist_stats(a->s, &st);
            if (st.num_cache > SUBLIST_CACHE_MAX + 1)
                a->errors++;
        }
    }
    return NULL;
}

START_TEST(test_sublist_concurrent_insert_remove_match)
{
    for (int c = 0; c < 2; c++) {
        sublist *s = new_sl(c == 0);
        conc_arg args[CONC_WRITERS + CONC_READERS];
        pthread_t th[CONC_WRITERS + CONC_READERS];
        subscription *subs[CONC_WRITERS][CONC_SUBS];
        for (int w = 0; w < CONC_WRITERS; w++) {
            for (int i = 0; i < CONC_SUBS; i++) {
                char subj[64];
                if (i % 8 == 0)
                    snprintf(subj, sizeof(subj), "conc.%d.>", w);
                else if (i % 8 == 1)
                    snprintf(subj, sizeof(subj), "conc.*.%d", i);
                else
                    snprintf(subj, sizeof(subj), "conc.%d.%d", w, i % 20);
                subs[w][i] = (i % 5 == 0) ? new_q_sub(subj, i % 10 ? "qa" : "qb")
                                          : new_sub(subj);
            }
        }
        for (int t = 0; t < CONC_WRITERS + CONC_READERS; t++) {
            args[t] = (conc_arg){.s = s, .id = t, .subs = t < CONC_WRITERS ? subs[t] : NULL};
            ck_assert_int_eq(pthread_create(&th[t], NULL,
                                            t < CONC_WRITERS ? conc_writer : conc_reader, &args[t]),
                             0);
        }
        for (int t = 0; t < CONC_WRITERS + CONC_READERS; t++) {
            pthread_join(th[t], NULL);
            ck_assert_int_eq(args[t].errors, 0);
        }
        verify_count(s, 0);
        verify_num_levels(s, 0);
        sublist_result *r = M(s, "conc.0.1");
        verify_len(r->npsubs, 0);
        verify_len(r->nqsubs, 0);
        ck_assert_int_le(sublist_cache_count(s), SUBLIST_CACHE_MAX);
    }
}
END_TEST

START_TEST(test_sublist_result_outlives_cache)
{
    sublist *s = new_sl(true);
    subscription *sub = new_sub("a.b");
    sublist_insert(s, sub);
    sublist_result *r = sublist_match(s, S("a.b"));
    ck_assert_int_eq(r->npsubs, 1);
    /* Cache hit returns the same shared result. */
    sublist_result *again = sublist_match(s, S("a.b"));
    ck_assert_ptr_eq(r, again);
    sublist_result_release(again);
    uint64_t gen = sublist_genid(s);
    sublist_remove(s, sub);
    ck_assert_uint_gt(sublist_genid(s), gen);
    ck_assert_int_eq(sublist_cache_count(s), 0);
    /* Still readable after eviction. */
    ck_assert_ptr_eq(r->psubs[0], sub);
    sublist_result_release(r);
}
END_TEST

START_TEST(test_sublist_long_subjects)
{
    sublist *s = new_sl(true);
    char subj[400], wc[400];
    size_t n = 0, m = 0;
    for (int i = 0; i < 60; i++) {
        n += (size_t)snprintf(subj + n, sizeof(subj) - n, "%st%d", i ? "." : "", i);
        m += (size_t)snprintf(wc + m, sizeof(wc) - m, "%s%s", i ? "." : "", i == 30 ? "*" : "t");
    }
    snprintf(wc + m, sizeof(wc) - m, ".>");
    subscription *lit = new_sub(subj);
    ck_assert_int_eq(sublist_insert(s, lit), SUBLIST_OK);
    subscription *fw = new_sub("t0.t1.>");
    ck_assert_int_eq(sublist_insert(s, fw), SUBLIST_OK);
    sublist_result *r = M(s, subj);
    verify_len(r->npsubs, 2);
    ck_assert_int_eq(sublist_num_levels(s), 60);
    ck_assert(sublist_subjects_collide(S(subj), S("t0.>")));
    ck_assert(sublist_subject_is_subset_match(S(subj), S("t0.*.>")));
    r = RM(s, "t0.>");
    verify_len(r->npsubs, 2);
    ck_assert_int_eq(sublist_remove(s, lit), SUBLIST_OK);
    ck_assert_int_eq(sublist_remove(s, fw), SUBLIST_OK);
    verify_num_levels(s, 0);
    ck_assert_str_eq(sublist_strerror(SUBLIST_ERR_NOT_FOUND), "sublist: no matches found");
}
END_TEST

static Suite *sublist_suite(void)
{
    Suite *s = suite_create("sublist");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, test_sublist_init);
    tcase_add_test(tc, test_sublist_insert_count);
    tcase_add_test(tc, test_sublist_insert_count_no_cache);
    tcase_add_test(tc, test_sublist_simple);
    tcase_add_test(tc, test_sublist_simple_no_cache);
    tcase_add_test(tc, test_sublist_simple_multi_tokens);
    tcase_add_test(tc, test_sublist_simple_multi_tokens_no_cache);
    tcase_add_test(tc, test_sublist_partial_wildcard);
    tcase_add_test(tc, test_sublist_partial_wildcard_no_cache);
    tcase_add_test(tc, test_sublist_partial_wildcard_at_end);
    tcase_add_test(tc, test_sublist_partial_wildcard_at_end_no_cache);
    tcase_add_test(tc, test_sublist_full_wildcard);
    tcase_add_test(tc, test_sublist_full_wildcard_no_cache);
    tcase_add_test(tc, test_sublist_remove);
    tcase_add_test(tc, test_sublist_remove_no_cache);
    tcase_add_test(tc, test_sublist_remove_wildcard);
    tcase_add_test(tc, test_sublist_remove_wildcard_no_cache);
    tcase_add_test(tc, test_sublist_remove_cleanup);
    tcase_add_test(tc, test_sublist_remove_cleanup_no_cache);
    tcase_add_test(tc, test_sublist_remove_cleanup_wildcards);
    tcase_add_test(tc, test_sublist_remove_cleanup_wildcards_no_cache);
    tcase_add_test(tc, test_sublist_remove_with_large_subs);
    tcase_add_test(tc, test_sublist_remove_with_large_subs_no_cache);
    tcase_add_test(tc, test_sublist_invalid_subjects_insert);
    tcase_add_test(tc, test_sublist_invalid_subjects_insert_no_cache);
    tcase_add_test(tc, test_sublist_no_cache_remove_batch);
    tcase_add_test(tc, test_sublist_remove_batch_with_error);
    tcase_add_test(tc, test_sublist_cache);
    tcase_add_test(tc, test_sublist_basic_queue_results);
    tcase_add_test(tc, test_sublist_basic_queue_results_no_cache);
    tcase_add_test(tc, test_sublist_valid_literal_subjects);
    tcase_add_test(tc, test_sublist_valid_subjects);
    tcase_add_test(tc, test_sublist_match_literals);
    tcase_add_test(tc, test_subject_is_literal);
    tcase_add_test(tc, test_subject_token);
    tcase_add_test(tc, test_sublist_bad_subject_on_remove);
    tcase_add_test(tc, test_sublist_bad_subject_on_remove_no_cache);
    tcase_add_test(tc, test_sublist_two_token_pub_match_single_token_sub);
    tcase_add_test(tc, test_sublist_two_token_pub_match_single_token_sub_no_cache);
    tcase_add_test(tc, test_sublist_insert_with_wildcards_as_literals);
    tcase_add_test(tc, test_sublist_insert_with_wildcards_as_literals_no_cache);
    tcase_add_test(tc, test_sublist_remove_with_wildcards_as_literals);
    tcase_add_test(tc, test_sublist_remove_with_wildcards_as_literals_no_cache);
    tcase_add_test(tc, test_sublist_race_on_remove);
    tcase_add_test(tc, test_sublist_race_on_remove_no_cache);
    tcase_add_test(tc, test_sublist_race_on_insert);
    tcase_add_test(tc, test_sublist_race_on_insert_no_cache);
    tcase_add_test(tc, test_sublist_race_on_match);
    tcase_add_test(tc, test_sublist_remote_queue_subscriptions);
    tcase_add_test(tc, test_sublist_remote_queue_subscriptions_no_cache);
    tcase_add_test(tc, test_sublist_shared_empty_result);
    tcase_add_test(tc, test_sublist_no_cache_stats);
    tcase_add_test(tc, test_sublist_all);
    tcase_add_test(tc, test_is_subset_match);
    tcase_add_test(tc, test_sublist_register_interest_notification);
    tcase_add_test(tc, test_sublist_reverse_match);
    tcase_add_test(tc, test_sublist_reverse_match_wider);
    tcase_add_test(tc, test_sublist_match_with_empty_tokens);
    tcase_add_test(tc, test_sublist_subject_collide);
    tcase_add_test(tc, test_sublist_add_cache_hit_rate);
    tcase_add_test(tc, test_sublist_has_interest);
    tcase_add_test(tc, test_sublist_has_interest_overlapping);
    tcase_add_test(tc, test_sublist_num_interest);
    tcase_add_test(tc, test_sublist_concurrent_insert_remove_match);
    tcase_add_test(tc, test_sublist_result_outlives_cache);
    tcase_add_test(tc, test_sublist_long_subjects);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testutil_run_suite(sublist_suite());
}
