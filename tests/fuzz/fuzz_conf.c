/* libFuzzer target for the config parser (port of conf/fuzz.go): lexes the
 * input, parses it in both modes and JSON-encodes small results. Inputs that
 * mention "include" are only lexed: parsing them would read arbitrary files
 * (even /dev/zero) from disk. */
#include "conf/conf.h"
#include "conf/lex.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Case-insensitive search for "nclude" (also catches "include" spelled
 * with U+0130, which Go lower-cases to 'i'). */
static int mentions_include(const uint8_t *d, size_t n)
{
    static const char word[] = "nclude";
    for (size_t i = 0; i + 6 <= n; i++) {
        size_t k = 0;
        while (k < 6 && (d[i + k] | 0x20) == word[k]) k++;
        if (k == 6) return 1;
    }
    return 0;
}

/* Number of nodes once shared subtrees are expanded, capped at limit. */
static size_t expanded(const conf_value *v, size_t limit)
{
    size_t n = 1;
    if (v->type == CONF_ARRAY)
        for (size_t i = 0; i < v->u.arr.len && n < limit; i++) n += expanded(v->u.arr.items[i], limit - n);
    else if (v->type == CONF_MAP)
        for (size_t i = 0; i < v->u.map.len && n < limit; i++)
            n += expanded(v->u.map.items[i].value, limit - n);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the lexer alone, for every input */
    lexer *lx = lex((const char *)data, size);
    if (lx) {
        for (int i = 0; i < 100000; i++) {
            item it = lexer_next_item(lx);
            item_type t = it.typ;
            free(it.val);
            if (t == ITEM_EOF || t == ITEM_ERROR) break;
        }
        lexer_free(lx);
    }
    if (mentions_include(data, size)) return 0;

    for (int pedantic = 0; pedantic < 2; pedantic++) {
        conf_error err;
        conf_value *m = conf_parse_data((const char *)data, size, "", pedantic != 0, &err);
        if (!m) continue;
        if (expanded(m, 100000) < 100000) {
            size_t len = 0;
            char *j = conf_value_json(m, &len);
            free(j);
        }
        conf_value_free(m);
    }
    return 0;
}
