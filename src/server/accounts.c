/* Accounts (server/accounts.go): the minimal core part. */
#include "server/accounts.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Go maxSubLimitReportThreshold. */
#define MAX_SUB_LIMIT_REPORT_THRESHOLD ((int64_t)2000000000)

account *accounts_new_account(const char *name)
{
    account *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->name = strdup(name ? name : "");
    a->sl = sublist_new(true);
    if (!a->name || !a->sl) {
        free(a->name);
        if (a->sl)
            sublist_destroy(a->sl);
        free(a);
        return NULL;
    }
    pthread_mutex_init(&a->mu, NULL);
    return a;
}

void account_free(account *a)
{
    if (!a)
        return;
    sublist_destroy(a->sl);
    pthread_mutex_destroy(&a->mu);
    free(a->name);
    free(a);
}

int account_add_client(account *a, struct client *c)
{
    (void)c;
    pthread_mutex_lock(&a->mu);
    int prev = a->nclients++;
    pthread_mutex_unlock(&a->mu);
    return prev;
}

int account_remove_client(account *a, struct client *c)
{
    (void)c;
    pthread_mutex_lock(&a->mu);
    int prev = a->nclients;
    if (a->nclients > 0)
        a->nclients--;
    pthread_mutex_unlock(&a->mu);
    return prev;
}

int account_num_local_connections(account *a)
{
    pthread_mutex_lock(&a->mu);
    int n = a->nclients;
    pthread_mutex_unlock(&a->mu);
    return n;
}

int account_total_subs(account *a)
{
    return (int)sublist_count(a->sl);
}

bool account_should_log_max_sub_err(account *a)
{
    if (!a)
        return true;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    pthread_mutex_lock(&a->mu);
    bool ok = now - a->last_lim_err >= MAX_SUB_LIMIT_REPORT_THRESHOLD;
    if (ok)
        a->last_lim_err = now;
    pthread_mutex_unlock(&a->mu);
    return ok;
}

const char *account_string(const account *a)
{
    return a->name;
}
