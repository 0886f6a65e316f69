/* The one open-addressing table behind every id lookup of the model: ids
 * (rmc_id, RMC_ID_NONE = an empty slot) in a power-of-two array at load
 * factor <= 1/2, linear probing. The caller hashes its key (applicant and
 * program ids by string, interviews by (applicant, program) pair, both
 * below) and says which stored id equals it, so one table serves every key
 * without storing keys twice. Built once while loading, then read-only:
 * threads may share it. Not installed. */
#ifndef RANKMC_ID_TABLE_INT_H
#define RANKMC_ID_TABLE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "rankmc/model.h"

typedef struct rmc_id_table {
    rmc_id *slots; /* [mask + 1]; NULL until allocated */
    size_t mask;   /* size - 1, the size a power of two >= 16 and >= 2 n */
} rmc_id_table;

/* An empty table with room for n ids (RMC_ENOMEM). Free with
 * rmc_id_table_free, which accepts a table never allocated. */
RMC_INTERNAL rmc_status rmc_id_table_alloc(rmc_id_table *t, size_t n, rmc_diag *d);
RMC_INTERNAL void rmc_id_table_free(rmc_id_table *t);

/* Whether stored id `id` is the key the caller looks for. */
typedef bool (*rmc_id_same_fn)(const void *ctx, rmc_id id);

/* The stored id equal to the key with this hash (same() decides), or
 * RMC_ID_NONE; *slot (may be NULL) gets the slot where probing stopped:
 * the id's, or the empty one where the key would go (rmc_id_table_put).
 * An unallocated table finds nothing. Inline so that a constant same()
 * inlines too. */
static inline rmc_id rmc_id_table_find(const rmc_id_table *t, size_t hash, rmc_id_same_fn same,
                                       const void *ctx, size_t *slot)
{
    if (t->slots == NULL) {
        return RMC_ID_NONE;
    }
    size_t h = hash & t->mask;
    rmc_id id;
    while ((id = t->slots[h]) != RMC_ID_NONE && !same(ctx, id)) {
        h = (h + 1) & t->mask;
    }
    if (slot != NULL) {
        *slot = h;
    }
    return id;
}

/* Store id at an empty slot returned by rmc_id_table_find. */
static inline void rmc_id_table_put(rmc_id_table *t, size_t slot, rmc_id id)
{
    RMC_ASSERT(t->slots[slot] == RMC_ID_NONE);
    t->slots[slot] = id;
}

/* FNV-1a of a NUL-terminated string, high bits folded in. */
RMC_INTERNAL size_t rmc_hash_str(const char *s);

/* A pair of ids mixed by a 64-bit finaliser (murmur3's), so both halves
 * reach the low bits the mask keeps. */
RMC_INTERNAL size_t rmc_hash_pair(rmc_id a, rmc_id b);

#endif
