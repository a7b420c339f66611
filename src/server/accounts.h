/* Accounts (server/accounts.go), the minimal part the core needs: an
 * account has a name, its own sublist and a count of its local clients.
 *
 * Threading: name and sl are immutable after creation (the sublist locks
 * itself); the client count is guarded by account.mu.
 */
#ifndef CNATSD_SERVER_ACCOUNTS_H
#define CNATSD_SERVER_ACCOUNTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "server/sublist.h"

struct client;

typedef struct account {
    char *name;       /* owned */
    sublist *sl;      /* owned, never NULL once created */
    pthread_mutex_t mu;
    int nclients;     /* local client connections bound to it (under mu) */
    int64_t last_lim_err; /* unix ns of the last max-subs error log (under mu) */
} account;

/* Creates an account with an empty sublist (Go NewAccount). Returns NULL on
 * allocation failure. The caller owns it (account_free). */
account *accounts_new_account(const char *name);

/* Frees the account and its sublist. No client may still use it. */
void account_free(account *a);

/* Counts c as bound to a; returns the previous count (Go addClient). */
int account_add_client(account *a, struct client *c);

/* Uncounts c; returns the previous count (Go removeClient). */
int account_remove_client(account *a, struct client *c);

/* Number of local client connections bound to a (Go NumLocalConnections). */
int account_num_local_connections(account *a);

/* Number of subscriptions in the account's sublist (Go TotalSubs). */
int account_total_subs(account *a);

/* Go shouldLogMaxSubErr: true at most once per report interval (2s). NULL
 * accounts always log. */
bool account_should_log_max_sub_err(account *a);

/* Go (a *Account) String: the account name. */
const char *account_string(const account *a);

#endif
