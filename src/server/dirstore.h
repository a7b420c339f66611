/* A directory of JWTs keyed by public nkey (server/dirstore.go): one file
 * "<key>.jwt" per JWT, optionally sharded into sub-directories named after
 * the key's last two characters, with an expiration/limit tracker (LRU
 * eviction, JWT expiry or ttl) and an XOR hash of the stored JWTs.
 * Thread-safe: every call takes the store's mutex; expiring stores run a
 * thread removing expired entries every check interval (Go's ticker
 * goroutine) and stop it in dir_jwt_store_close. */
#ifndef CNATSD_SERVER_DIRSTORE_H
#define CNATSD_SERVER_DIRSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DIRSTORE_FILE_EXTENSION ".jwt"

/* Go deleteType. */
typedef enum { DIRSTORE_NO_DELETE = 0, DIRSTORE_RENAME_DELETED, DIRSTORE_HARD_DELETE } dirstore_delete_type;

typedef struct dir_jwt_store dir_jwt_store;

/* Go JWTChanged: called (without the store lock, on the saving thread or
 * the store's expiry thread) with the key of a JWT that was written. */
typedef void (*dirstore_changed_fn)(const char *public_key, void *arg);

/* Go NewDirJWTStore: a store on dir (created when create is set). NULL
 * with Go's error text ("the path [...] doesn't exist", ...). */
dir_jwt_store *dirstore_new_dir_jwt_store(const char *dir, bool shard, bool create, char *err, size_t errlen);

/* Go NewImmutableDirJWTStore: a read-only store on an existing dir. */
dir_jwt_store *dirstore_new_immutable_dir_jwt_store(const char *dir, bool shard, char *err, size_t errlen);

/* Go NewExpiringDirJWTStore: tracks every JWT already in dir; limit <= 0
 * is unlimited; when full, evict_on_limit drops the least recently used
 * JWT, otherwise saving fails with "jwt store is full". ttl (ns, 0 = use
 * the JWT's expiry) sets the expiration of entries from their last use.
 * changed (may be NULL) hears about every JWT written. */
dir_jwt_store *dirstore_new_expiring_dir_jwt_store(const char *dir, bool shard, bool create,
                                                   dirstore_delete_type del, int64_t expire_check_ns,
                                                   int64_t limit, bool evict_on_limit, int64_t ttl_ns,
                                                   dirstore_changed_fn changed, void *changed_arg, char *err,
                                                   size_t errlen);

/* Go IsReadOnly. */
bool dir_jwt_store_is_read_only(dir_jwt_store *s);

/* Go LoadAcc / LoadAct: the stored JWT (malloc'ed, caller frees) or NULL
 * with err ("invalid public key", "open <path>: no such file or
 * directory"). */
char *dir_jwt_store_load_acc(dir_jwt_store *s, const char *public_key, char *err, size_t errlen);
char *dir_jwt_store_load_act(dir_jwt_store *s, const char *hash, char *err, size_t errlen);

/* Go SaveAcc / SaveAct: writes the JWT. 0, or -1 with err. */
int dir_jwt_store_save_acc(dir_jwt_store *s, const char *public_key, const char *jwt, char *err, size_t errlen);
int dir_jwt_store_save_act(dir_jwt_store *s, const char *hash, const char *jwt, char *err, size_t errlen);

/* Go saveIfNewer: keeps an existing JWT with the same id or a later
 * issue time. 0, or -1 with err. */
int dir_jwt_store_save_if_newer(dir_jwt_store *s, const char *public_key, const char *jwt, char *err,
                                size_t errlen);

/* Go delete: removes (or renames to ".deleted") the key's JWT per the
 * store's delete type. 0, or -1 with err. */
int dir_jwt_store_delete(dir_jwt_store *s, const char *public_key, char *err, size_t errlen);

/* Go pathForKey: the file of public_key (malloc'ed) or NULL when the key
 * is not a valid public nkey. */
char *dir_jwt_store_path_for_key(dir_jwt_store *s, const char *public_key);

/* Go Pack: "<key>|<jwt>" lines (joined by "\n") of up to max_jwts stored
 * (and, for expiring stores, tracked and unexpired) JWTs; max_jwts < 0
 * for all. Malloc'ed (caller frees), NULL with err. */
char *dir_jwt_store_pack(dir_jwt_store *s, int max_jwts, char *err, size_t errlen);

/* Go PackWalk: the same in messages of at most max_jwts lines handed to
 * cb (borrowed string). 0, or -1 with err ("bad arguments to PackWalk"). */
int dir_jwt_store_pack_walk(dir_jwt_store *s, int max_jwts, void (*cb)(const char *msg, void *arg), void *arg,
                            char *err, size_t errlen);

/* Go Merge: saves every line of a pack that is newer (saveIfNewer). 0, or
 * -1 with Go's error text. */
int dir_jwt_store_merge(dir_jwt_store *s, const char *pack, char *err, size_t errlen);

/* Go Reload: re-reads the directory into the tracker (expiring, writable
 * stores only), notifying changed JWTs. 0, or -1 with err. */
int dir_jwt_store_reload(dir_jwt_store *s, char *err, size_t errlen);

/* Go Hash: XOR of the SHA-256 of every tracked JWT (zero when untracked). */
void dir_jwt_store_hash(dir_jwt_store *s, uint8_t out[32]);

/* Number of tracked JWTs (Go expiration.Len()). */
int dir_jwt_store_len(dir_jwt_store *s);

/* Go Close plus the free. NULL is ignored. */
void dir_jwt_store_close(dir_jwt_store *s);

#endif
