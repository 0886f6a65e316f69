/* Tests for rmc_sort_u64 and rmc_sort_u64_near (sort_int.h): the sort
 * returns what qsort returns for every length up to 300 and some longer
 * ones (runs of 8, blocks of 64 and 128, merges of equal and unequal runs),
 * by the dispatched path and by each path this CPU has; every path and the
 * near sort return what the portable path returns on random, sorted,
 * reversed and near-sorted words of every length up to 300 and some longer,
 * with words spread over all 64 bits and words packed against 0, 2^63 and
 * 2^64 (the AVX2 path compares words with their top bit flipped, pads
 * with UINT64_MAX); the near sort returns exactly what rmc_sort_u64
 * returns, on lists near sorted (its fast path), on random lists (over its
 * budget: the fallback) and on lists with a tail of sunk names, for sizes
 * around the sort's run lengths. */
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
    bool ran_avx512 = false, ran_avx2 = false;
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
            for (unsigned path = 0; path < 4; path++) { /* dispatched, portable, AVX-512F, AVX2 */
                memcpy(c, a, n * sizeof *a);
                const bool ran = path == 0 ? (rmc_sort_u64(c, tmp, n), true)
                                           : rmc_sort_u64_by(path - 1, c, tmp, n);
                if (ran && n > 0) {
                    assert_memory_equal(c, b, n * sizeof *a);
                }
                ran_avx512 |= ran && path == 2;
                ran_avx2 |= ran && path == 3;
            }
        }
    }
    if (__builtin_cpu_supports("avx512f")) {
        assert_true(ran_avx512);
    }
    if (__builtin_cpu_supports("avx2")) {
        assert_true(ran_avx2);
    }
    rmc_rng_free(r);
}

/* list of n distinct words of one kind: 0 random over 64 bits, 1 sorted,
 * 2 reversed, 3 near sorted (moves of up to 4 places), 4 packed below
 * UINT64_MAX (UINT64_MAX itself included), 5 around 2^63 (both sides),
 * 6 a mix of 0, 1, the top bit alone, INT64_MAX and UINT64_MAX with
 * random words; the low 12 bits hold the position where needed to keep
 * words distinct */
static void fill_kind(gsl_rng *g, uint64_t *a, size_t n, int kind)
{
    const uint64_t top = UINT64_C(1) << 63;
    for (size_t t = 0; t < n; t++) {
        const uint64_t rnd = ((uint64_t)gsl_rng_get(g) << 32) ^ (uint64_t)gsl_rng_get(g);
        switch (kind) {
        case 0:
            a[t] = (rnd << 12) | t;
            break;
        case 1:
            a[t] = top - 512 * n + 1024 * t; /* across the top bit */
            break;
        case 2:
            a[t] = UINT64_MAX - 3 * t;
            break;
        case 3:
            a[t] = (((uint64_t)(16 * t) + gsl_rng_uniform_int(g, 64)) << 12) | t;
            break;
        case 4:
            a[t] = UINT64_MAX - gsl_rng_uniform_int(g, 8) * 4096 - t;
            break;
        case 5: {
            const uint64_t m = 4096 * (rnd % 64) + t;
            a[t] = gsl_rng_uniform_int(g, 2) ? top + m : top - m;
            break;
        }
        default: {
            static const uint64_t edge[] = {0, 1, UINT64_C(1) << 63, INT64_MAX, UINT64_MAX};
            a[t] = t < 5 ? edge[t] : ((rnd | 1) << 12) | t;
            break;
        }
        }
    }
    for (size_t t = 0; t + 1 < n; t++) { /* shuffle kinds 4-6 (positions), keep 1-3 */
        if (kind >= 4) {
            const size_t u = t + gsl_rng_uniform_int(g, n - t);
            const uint64_t x = a[t];
            a[t] = a[u];
            a[u] = x;
        }
    }
}

static void test_rmc_sort_u64_paths_equal_portable(void **state)
{
    (void)state;
    rmc_rng *r = NULL;
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    rmc_rng_seek(r, 63, 0, RMC_STREAM_TEST, 0);
    gsl_rng *g = rmc_rng_gsl(r);
    static uint64_t a[MAX + 100], want[MAX + 100], c[MAX + 100], tmp[MAX + 100];
    static const size_t longer[] = {319, 383, 447, 511, 512, 513, 575, 640, 701, 768, 899, 1000};
    const size_t n_longer = sizeof longer / sizeof *longer;
    unsigned ran = 0; /* paths that ran, a bit each */
    for (size_t s = 0; s <= 300 + n_longer; s++) {
        const size_t n = s <= 300 ? s : longer[s - 301];
        assert_true(n <= MAX + 100);
        for (int kind = 0; kind < 7; kind++) {
            fill_kind(g, a, n, kind);
            memcpy(want, a, n * sizeof *a);
            assert_true(rmc_sort_u64_by(0, want, tmp, n));
            for (size_t t = 1; t < n; t++) { /* the words are distinct, the reference sorted */
                assert_true(want[t - 1] < want[t]);
            }
            for (unsigned path = 1; path < 3; path++) {
                memcpy(c, a, n * sizeof *a);
                if (rmc_sort_u64_by(path, c, tmp, n)) {
                    ran |= 1u << path;
                    if (n > 0) {
                        assert_memory_equal(c, want, n * sizeof *c);
                    }
                }
            }
            memcpy(c, a, n * sizeof *a);
            rmc_sort_u64(c, tmp, n);
            if (n > 0) {
                assert_memory_equal(c, want, n * sizeof *c);
            }
            memcpy(c, a, n * sizeof *a);
            rmc_sort_u64_near(c, tmp, n);
            if (n > 0) {
                assert_memory_equal(c, want, n * sizeof *c);
            }
        }
    }
    if (__builtin_cpu_supports("avx512f")) {
        assert_true(ran & 2u);
    }
    if (__builtin_cpu_supports("avx2")) {
        assert_true(ran & 4u);
    }
    rmc_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_sort_u64_equals_qsort),
        cmocka_unit_test(test_rmc_sort_u64_paths_equal_portable),
        cmocka_unit_test(test_rmc_sort_u64_near_equals_full_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
