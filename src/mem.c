/* Checked allocation with an overflow-safe n * size and a fault-injection
 * hook (SQLite's habit): tests make the k-th allocation fail, for every k,
 * and check that each caller returns RMC_ENOMEM cleanly with no leak. The
 * counters are atomics so the hook stays usable from threaded tests; it costs
 * one relaxed increment per allocation and nothing is allocated per
 * replicate anyway. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static atomic_size_t alloc_count; /* allocations since the last rmc_mem_fail_at */
static atomic_size_t fail_at;     /* 0: off; else fail when alloc_count reaches it */

size_t rmc_mem_fail_at(size_t k)
{
    const size_t made = atomic_exchange(&alloc_count, 0);
    atomic_store(&fail_at, k);
    return made;
}

static int injected_failure(void)
{
    const size_t n = atomic_fetch_add(&alloc_count, 1) + 1;
    const size_t k = atomic_load(&fail_at);
    return k != 0 && n == k;
}

static rmc_status alloc_impl(void **out, size_t n, size_t size, int zero, size_t align, rmc_diag *d)
{
    *out = NULL;
    size_t bytes = 0;
    if (!rmc_mul_ok(n, size, &bytes)) {
        return RMC_FAIL(d, RMC_ENOMEM, "allocation of %zu x %zu bytes overflows", n, size);
    }
    if (bytes == 0) {
        bytes = 1;
    }
    if (injected_failure()) {
        return RMC_FAIL(d, RMC_ENOMEM, "out of memory (injected) allocating %zu bytes", bytes);
    }
    void *p = NULL;
    if (align > 0) {
        const size_t rounded = (bytes + align - 1) / align * align;
        p = aligned_alloc(align, rounded);
        if (p != NULL) {
            memset(p, 0, rounded);
        }
    } else {
        p = zero ? calloc(1, bytes) : malloc(bytes);
    }
    if (p == NULL) {
        return RMC_FAIL(d, RMC_ENOMEM, "out of memory allocating %zu bytes", bytes);
    }
    *out = p;
    return RMC_OK;
}

rmc_status rmc_alloc_array(void **out, size_t n, size_t size, rmc_diag *d)
{
    return alloc_impl(out, n, size, 0, 0, d);
}

rmc_status rmc_calloc_array(void **out, size_t n, size_t size, rmc_diag *d)
{
    return alloc_impl(out, n, size, 1, 0, d);
}

rmc_status rmc_alloc_aligned(void **out, size_t n, size_t size, rmc_diag *d)
{
    return alloc_impl(out, n, size, 1, 64, d);
}

void rmc_free(void *ptr)
{
    free(ptr);
}

rmc_status rmc_strdup(char **out, const char *s, rmc_diag *d)
{
    const size_t len = strlen(s);
    RMC_TRY(rmc_alloc_array((void **)out, len + 1, 1, d));
    memcpy(*out, s, len + 1);
    return RMC_OK;
}

void rmc_assert_fail(const char *cond, const char *file, int line)
{
    fprintf(stderr, "rankmc: internal error: assertion '%s' failed at %s:%d\n", cond, file, line);
    abort();
}
