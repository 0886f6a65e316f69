/* Tests for tracks in the Monte Carlo engine (sim.c, accum.c; docs/match.md,
 * "Supplemental lists in the engine") on tests/data/sim_tracks: 16
 * applicants, advanced, preliminary and categorical programs, generated
 * lists, two reversions. Every replicate's matching is stable by the
 * checker's definition (or counted as non-converged); the tracks tables are
 * bit-identical for any thread count and consistent with each other; a
 * model without tracks keeps no tracks tables. */
#include "test_util.h"

#include <string.h>

#include "internal.h"
#include "model_int.h"
#include "rankmc/accum.h"
#include "rankmc/sim.h"

static rmc_accum *run(const rmc_model *m, int threads, uint64_t n, bool check, rmc_sim_stats *stats)
{
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.seed = 7;
    o.threads = threads;
    o.replicates = n;
    o.check_stability = check;
    rmc_accum *a = NULL;
    rmc_diag d = {0};
    const rmc_status st = rmc_sim_run(m, rmc_model_params(m), &o, &a, stats, &d);
    if (st != RMC_OK) {
        fail_msg("rmc_sim_run: %s", d.message);
    }
    return a;
}

static void test_tracks_replicates(void **state)
{
    (void)state;
    rmc_model *m = rmc_test_load_model(RMC_TEST_DATA "/sim_tracks");
    const uint64_t n = rmc_test_quick() ? 150 : 1000;
    rmc_sim_stats s1, s3;
    rmc_accum *a = run(m, 1, n, true, &s1);
    rmc_accum *b = run(m, 3, n, true, &s3);
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    assert_int_equal(dm->tracks, 1);
    /* every converged replicate passed the checker */
    assert_int_equal(rmc_accum_unstable(a), 0);
    /* bit-identical for any thread count, the tracks tables included */
    char ha[65], hb[65];
    rmc_accum_sha256(a, ha);
    rmc_accum_sha256(b, hb);
    assert_string_equal(ha, hb);
    assert_memory_equal(rmc_accum_partial_count(a), rmc_accum_partial_count(b), dm->n_app * 4);
    assert_memory_equal(rmc_accum_capacity_sum(a), rmc_accum_capacity_sum(b), dm->n_prog * 8);
    /* consistency: partial counts sum to the per-replicate sums; only
     * applicants with an advanced interview are ever partial; a08, who
     * interviewed only at advanced programs, is partial whenever matched */
    const uint32_t *pc = rmc_accum_partial_count(a);
    const uint32_t *ch = rmc_accum_choice_hist(a);
    uint64_t total = 0, ps = 0, pss = 0;
    for (size_t i = 0; i < m->n_app; i++) {
        assert_true(pc[i] <= n);
        total += pc[i];
        bool adv = false;
        for (size_t e = m->app_off[i]; e < m->app_off[i + 1]; e++) {
            adv = adv ||
                  rmc_model_track_of(m, (size_t)m->iv_prog[m->iv_by_app[e]]) == RMC_TRACK_ADVANCED;
        }
        if (!adv) {
            assert_int_equal(pc[i], 0);
        }
    }
    rmc_accum_rep_sums(a, RMC_REP_PARTIAL, 1, &ps, &pss);
    assert_int_equal(total, ps);
    assert_true(ps > 0);
    const rmc_id a08 = rmc_model_find_applicant(m, "a08");
    const size_t cols = dm->choice_len + 1;
    assert_int_equal(pc[a08], n - ch[(size_t)a08 * cols + dm->choice_len]);
    assert_true(pc[a08] > 0);
    /* positions only move: capacities always sum to the positions offered */
    uint64_t cap = 0;
    for (size_t j = 0; j < m->n_prog; j++) {
        cap += rmc_accum_capacity_sum(a)[j];
    }
    assert_int_equal(cap, n * m->n_positions);
    uint64_t rs = 0, rss = 0;
    rmc_accum_rep_sums(a, RMC_REP_REVERTED, 1, &rs, &rss);
    assert_true(rs > 0); /* fm1 leaves positions unfilled in some replicates */
    printf("sim_tracks, %llu replicates: %.3f partially matched and %.3f positions reverted per "
           "replicate, %llu not converged\n",
           (unsigned long long)n, (double)ps / (double)n, (double)rs / (double)n,
           (unsigned long long)rmc_accum_unconverged(a));
    rmc_accum_free(a);
    rmc_accum_free(b);
    rmc_model_free(m);
}

/* A model without advanced programs or reversions keeps no tracks tables
 * (its output is as before tracks existed). */
static void test_no_tracks_no_tables(void **state)
{
    (void)state;
    rmc_model *m = rmc_test_load_model(RMC_TEST_DATA "/sim_small");
    rmc_sim_stats s;
    rmc_accum *a = run(m, 2, 20, true, &s);
    assert_int_equal(rmc_accum_get_dims(a)->tracks, 0);
    assert_null(rmc_accum_partial_count(a));
    assert_null(rmc_accum_capacity_sum(a));
    rmc_accum_free(a);
    rmc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tracks_replicates),
        cmocka_unit_test(test_no_tracks_no_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
