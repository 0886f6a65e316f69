/* Tests for rmc_sort_u64 and rmc_sort_u64_near (sort_int.h): the sort
 * returns what qsort returns for every length up to 300 and some longer
 * ones (runs of 8, blocks of 128, merges of equal and unequal runs), by
 * the dispatched path and by each path this CPU has; the near sort
 * returns exactly what rmc_sort_u64 returns, on lists near sorted (its
 * fast path), on random lists (over its budget: the fallback) and on
 * lists with a tail of sunk names, for sizes around the sort's run
 * lengths. */
#include "test_util.h"

#include <float.h>

#include <gsl/gsl_randist.h>

#include "meeting_int.h"

enum { MAX = 900 };

/* keys: position minus a move; spread 0 = sorted, large = random; every
 * seventh name sunk to FLT_MAX when sink is set */
static void fill(gsl_rng *g, uint64_t *a, size_t n, double spread, bool sink)
{
    for (size_t t = 0; t < n; t++) {
        float key = (float)((double)t - gsl_ran_gaussian(g, spread));
        if (sink && t % 7 == 3) {
            key = FLT_MAX;
        }
        a[t] = rmc_pack_key(key, (uint32_t)t);
    }
}

static void test_rmc_sort_u64_near_equals_full_sort(void **state)
{
    (void)state;
    rmc_rng *r = NULL;
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    rmc_rng_seek(r, 61, 0, RMC_STREAM_TEST, 0);
    gsl_rng *g = rmc_rng_gsl(r);
    static uint64_t a[MAX], b[MAX], tmp[MAX];
    const size_t sizes[] = {0, 1, 2, 3, 16, 33, 85, 257, 900};
    const double spreads[] = {0.0, 0.37, 2.385, 9.5, 1e4};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        for (size_t d = 0; d < sizeof spreads / sizeof *spreads; d++) {
            for (int sink = 0; sink < 2; sink++) {
                const size_t n = sizes[s];
                fill(g, a, n, spreads[d], sink);
                memcpy(b, a, n * sizeof *a);
                rmc_sort_u64_near(a, tmp, n);
                rmc_sort_u64(b, tmp, n);
                if (n > 0) {
                    assert_memory_equal(a, b, n * sizeof *a);
                }
                for (size_t t = 1; t < n; t++) {
                    assert_true(a[t - 1] < a[t]);
                }
            }
        }
    }
    rmc_rng_free(r);
}

static int cmp_u64(const void *x, const void *y)
{
    const uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

static void test_rmc_sort_u64_equals_qsort(void **state)
{
    (void)state;
    rmc_rng *r = NULL;
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    rmc_rng_seek(r, 62, 0, RMC_STREAM_TEST, 0);
    gsl_rng *g = rmc_rng_gsl(r);
    static uint64_t a[MAX], b[MAX], c[MAX], tmp[MAX];
    bool ran_avx512 = false;
    for (size_t n = 0; n <= MAX; n += n < 300 ? 1 : 149) {
        for (int rep = 0; rep < 3; rep++) {
            for (size_t t = 0; t < n; t++) { /* distinct words: few key values, index below */
                const float key = rep == 0 ? (float)gsl_rng_uniform(g)
                                           : (float)gsl_rng_uniform_int(g, 1 + 4 * (unsigned)rep);
                a[t] = rmc_pack_key(key, (uint32_t)t);
            }
            if (rep == 2) { /* descending */
                for (size_t t = 0; t < n; t++) {
                    a[t] = rmc_pack_key((float)(n - t), (uint32_t)t);
                }
            }
            memcpy(b, a, n * sizeof *a);
            qsort(b, n, sizeof *b, cmp_u64);
            for (unsigned path = 0; path < 3; path++) { /* dispatched, portable, AVX-512F */
                memcpy(c, a, n * sizeof *a);
                const bool ran = path == 0 ? (rmc_sort_u64(c, tmp, n), true)
                                           : rmc_sort_u64_by(path - 1, c, tmp, n);
                if (ran && n > 0) {
                    assert_memory_equal(c, b, n * sizeof *a);
                }
                ran_avx512 |= ran && path == 2;
            }
        }
    }
    if (__builtin_cpu_supports("avx512f")) {
        assert_true(ran_avx512);
    }
    rmc_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_sort_u64_equals_qsort),
        cmocka_unit_test(test_rmc_sort_u64_near_equals_full_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
