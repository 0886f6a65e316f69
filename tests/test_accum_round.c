/* The move sums' fixed-point rounding (accum.c's inline conversion, and its
 * AVX-512 loop of eight moves a step where the CPU has it, with a scalar
 * tail) equals llrint for ties (to even, both signs), values just off a
 * tie, large and tiny moves, summed over two replicates. */
#include "test_util.h"

#include <float.h>

#include "rankmc/accum.h"

enum { NV = 19 }; /* two steps of eight and a tail */

static void test_rmc_accum_move_rounding_is_llrint(void **state)
{
    (void)state;
    const float s = 1.0f / 4096.0f; /* one fixed-point unit */
    const float moves[NV] = {
        0.5f * s, 1.5f * s, 2.5f * s, -0.5f * s, -1.5f * s, -2.5f * s,      0.37f,
        -2.385f,  0.0f,     -0.0f,    1e6f,      -3.5e5f,   2.5000002f * s, -2.4999998f * s,
        FLT_MIN,  123.456f, 3.5f * s, -7.5f * s, -0.37f};
    rmc_accum_dims dm = {0};
    dm.n_app = 1;
    dm.n_prog = 1;
    dm.n_iv = NV;
    dm.n_factors = 1;
    dm.choice_len = 1;
    dm.max_positions = 1;
    rmc_accum_dims_bin(&dm, 1, 0);
    rmc_accum *a = NULL;
    assert_int_equal(rmc_accum_alloc(&dm, false, &a, NULL), RMC_OK);
    int32_t rank[NV], iv_prog[NV] = {0};
    for (size_t k = 0; k < NV; k++) {
        rank[k] = -1;
    }
    const int32_t app_choice[1] = {-1}, fill[1] = {0};
    const rmc_id app_iv[1] = {-1};
    const rmc_accum_replicate rep = {app_choice, app_iv, fill, rank, moves, iv_prog};
    rmc_accum_add(a, &rep);
    rmc_accum_add(a, &rep);
    for (size_t k = 0; k < NV; k++) {
        const long long want = 2 * llrint((double)moves[k] * RMC_ACCUM_MOVE_SCALE);
        assert_int_equal(rmc_accum_move_sum(a)[k], want);
    }
    /* ties go to even: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2 (times two replicates) */
    assert_int_equal(rmc_accum_move_sum(a)[0], 0);
    assert_int_equal(rmc_accum_move_sum(a)[1], 4);
    assert_int_equal(rmc_accum_move_sum(a)[2], 4);
    assert_int_equal(rmc_accum_move_sum(a)[5], -4);
    rmc_accum_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_accum_move_rounding_is_llrint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
