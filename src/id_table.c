/* The open-addressing id table and its two hash functions (id_table_int.h). */
#include <string.h>

#include "id_table_int.h"

rmc_status rmc_id_table_alloc(rmc_id_table *t, size_t n, rmc_diag *d)
{
    size_t size = 16;
    while (size < 2 * n) {
        size *= 2;
    }
    t->slots = NULL;
    RMC_TRY(rmc_alloc_array((void **)&t->slots, size, sizeof *t->slots, d));
    memset(t->slots, 0xff, size * sizeof *t->slots); /* every slot RMC_ID_NONE */
    t->mask = size - 1;
    return RMC_OK;
}

void rmc_id_table_free(rmc_id_table *t)
{
    rmc_free(t->slots);
    t->slots = NULL;
    t->mask = 0;
}

size_t rmc_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a offset basis */
    for (; *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    }
    return (size_t)(h ^ (h >> 29));
}

size_t rmc_hash_pair(rmc_id a, rmc_id b)
{
    uint64_t x = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdu;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53u;
    x ^= x >> 33;
    return (size_t)x;
}
