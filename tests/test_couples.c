/* Couples' joint lists generated per replicate: the one builder
 * (src/joint.c) on hand-made cases, and the engine's generated lists and
 * counted outcomes (src/sim.c) on tests/data/sim_joint (two generated
 * couples and a fixed one) and tests/data/joint_solo (closed forms). */
#define _DEFAULT_SOURCE
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "joint_int.h"
#include "model_int.h"
#include "rankmc/rankmc.h"

/* The couples' per-replicate sums in rmc_couple_outcome order. */
static void couple_sums(const rmc_accum *a, uint64_t *sum, uint64_t *sumsq)
{
    rmc_accum_rep_sums(a, RMC_REP_COUPLE_BOTH, 2, sum, sumsq);
    rmc_accum_rep_sums(a, RMC_REP_COUPLE_CITY, 2, sum + 2, sumsq + 2);
}

/* ---- the builder ---- */

typedef struct member_fx {
    double u[8];
    int32_t region[8], city[8];
} member_fx;

static rmc_joint_member as_member(const member_fx *f, size_t n)
{
    return (rmc_joint_member){n, f->u, f->region, f->city};
}

/* A: entries 0 (city 1, region 0), 1 (city 2, region 0), 2 (city 3,
 * region 1); B: entries 0 (city 1), 1 (city 3), 2 (no city, region 0). */
static const member_fx fa = {{3.0, 1.0, 2.0}, {0, 0, 1}, {1, 2, 3}};
static const member_fx fb = {{0.5, 2.5, 1.5}, {0, 1, 0}, {1, 3, -1}};

static size_t build(int pairs, size_t cap, size_t k, bool keep, rmc_joint_entry *out)
{
    const rmc_joint_member A = as_member(&fa, 3), B = as_member(&fb, 3);
    const rmc_joint_rules r = {pairs, cap, k, keep};
    rmc_joint_item items[16];
    assert_true(rmc_joint_scratch(3, 3) <= 16);
    const size_t n = rmc_joint_build(&A, &B, &r, items, out);
    assert_true(n <= rmc_joint_bound(&r, 3, 3));
    return n;
}

static void expect_list(const rmc_joint_entry *got, size_t n, const int32_t (*want)[2],
                        size_t n_want)
{
    assert_int_equal(n, n_want);
    for (size_t e = 0; e < n; e++) {
        if (got[e].a != want[e][0] || got[e].b != want[e][1]) {
            fail_msg("entry %zu: (%d, %d), expected (%d, %d)", e, (int)got[e].a, (int)got[e].b,
                     (int)want[e][0], (int)want[e][1]);
        }
    }
}

static void test_joint_tiers_and_order(void **state)
{
    (void)state;
    rmc_joint_entry out[32];
    /* pairs = city: only (0,0) (city 1) and (2,1) (city 3), by sum
     * 3.5 and 4.5; then the options: A's best 0 (3.0), B's best 1 (2.5). */
    const int32_t city[][2] = {{2, 1}, {0, 0}, {0, -1}, {-1, 1}};
    expect_list(out, build(RMC_JOINT_CITY, 30, 1, false, out), city, 4);
    /* pairs = region adds the region-0 pairs not in one city, by sum:
     * (0,2) 4.5, (1,2) 2.5, (1,0) 1.5. */
    const int32_t region[][2] = {{2, 1}, {0, 0}, {0, 2}, {1, 2}, {1, 0}, {0, -1}, {-1, 1}};
    expect_list(out, build(RMC_JOINT_REGION, 30, 1, false, out), region, 7);
    /* pairs = any: then the pairs across regions, by sum: (0,1) 5.5,
     * (2,0) 2.5 ... (2,2) 3.5, (1,1) 3.5: ties by A's index. */
    const int32_t any[][2] = {{2, 1}, {0, 0}, {0, 2}, {1, 2},  {1, 0}, {0, 1},
                              {1, 1}, {2, 2}, {2, 0}, {0, -1}, {-1, 1}};
    expect_list(out, build(RMC_JOINT_ANY, 30, 1, false, out), any, 11);
}

static void test_joint_cap_and_options(void **state)
{
    (void)state;
    rmc_joint_entry out[32];
    /* Two options each, merged by utility: A0 3.0, B1 2.5, A2 2.0, B2 1.5. */
    const int32_t two[][2] = {{2, 1}, {0, 0}, {0, -1}, {-1, 1}, {2, -1}, {-1, 2}};
    expect_list(out, build(RMC_JOINT_CITY, 30, 2, false, out), two, 6);
    /* Cut at 3: the whole list (synth's rule) ... */
    const int32_t cut[][2] = {{2, 1}, {0, 0}, {0, 2}};
    expect_list(out, build(RMC_JOINT_REGION, 3, 1, false, out), cut, 3);
    /* ... or the pairs only, keeping the options (the forecast's rule). */
    const int32_t kept[][2] = {{2, 1}, {0, -1}, {-1, 1}};
    expect_list(out, build(RMC_JOINT_REGION, 3, 1, true, out), kept, 3);
    /* No options: pairs only; a cap of one. */
    const int32_t none[][2] = {{2, 1}, {0, 0}};
    expect_list(out, build(RMC_JOINT_CITY, 30, 0, false, out), none, 2);
    const int32_t one[][2] = {{2, 1}};
    expect_list(out, build(RMC_JOINT_ANY, 1, 5, false, out), one, 1);
    /* More options asked than entries: each partner's three. */
    assert_int_equal(build(RMC_JOINT_CITY, 30, 5, false, out), 2 + 6);
}

/* Every generated list on random members obeys the rules: only allowed
 * pairs, tiers in order, sums descending inside a tier, options last and
 * each partner's best, the cap. */
static void test_joint_random_lists_obey_rules(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ull;
    for (int trial = 0; trial < 400; trial++) {
        member_fx f[2];
        size_t n[2];
        for (int s = 0; s < 2; s++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            n[s] = (size_t)(x % 8);
            for (size_t e = 0; e < n[s]; e++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                f[s].u[e] = (double)(x % 1000) / 100.0;
                f[s].region[e] = (int32_t)((x >> 20) % 3) - 1;
                f[s].city[e] =
                    f[s].region[e] < 0 ? -1 : f[s].region[e] * 10 + (int32_t)((x >> 30) % 2);
            }
        }
        const rmc_joint_rules r = {(int)(x % 3), 1 + (size_t)((x >> 8) % 40),
                                   (size_t)((x >> 16) % 4), ((x >> 24) & 1) != 0};
        const rmc_joint_member A = as_member(&f[0], n[0]), B = as_member(&f[1], n[1]);
        rmc_joint_item items[65];
        rmc_joint_entry out[80];
        const size_t len = rmc_joint_build(&A, &B, &r, items, out);
        assert_true(len <= r.max_entries && len <= rmc_joint_bound(&r, n[0], n[1]));
        int last_tier = -1;
        double last_sum = HUGE_VAL;
        size_t opts_a = 0, opts_b = 0;
        bool in_options = false;
        for (size_t e = 0; e < len; e++) {
            const int32_t a = out[e].a, b = out[e].b;
            assert_true(a >= 0 || b >= 0);
            if (a < 0 || b < 0) {
                in_options = true;
                const member_fx *m = a >= 0 ? &f[0] : &f[1];
                const int32_t i = a >= 0 ? a : b;
                size_t better = 0;
                for (size_t q = 0; q < n[a >= 0 ? 0 : 1]; q++) {
                    better += m->u[q] > m->u[i] || (m->u[q] == m->u[i] && (int32_t)q < i);
                }
                assert_true(better < r.unmatched_options); /* among the partner's best k */
                opts_a += a >= 0;
                opts_b += b >= 0;
                continue;
            }
            assert_false(in_options); /* options come after every pair */
            const bool city = f[0].city[a] >= 0 && f[0].city[a] == f[1].city[b];
            const bool region = f[0].region[a] >= 0 && f[0].region[a] == f[1].region[b];
            const int tier = city ? 0 : region ? 1 : 2;
            assert_true(tier <= r.pairs);
            assert_true(tier >= last_tier);
            const double sum = f[0].u[a] + f[1].u[b];
            if (tier == last_tier) {
                assert_true(sum <= last_sum);
            }
            last_tier = tier;
            last_sum = sum;
        }
        assert_true(opts_a <= r.unmatched_options && opts_b <= r.unmatched_options);
        if (r.keep_unmatched) { /* every option asked for is there (when the cap allows) */
            const size_t want = (r.unmatched_options < n[0] ? r.unmatched_options : n[0]) +
                                (r.unmatched_options < n[1] ? r.unmatched_options : n[1]);
            assert_int_equal(opts_a + opts_b, want < r.max_entries ? want : r.max_entries);
        }
    }
}

/* ---- the engine ---- */

static rmc_accum *run(const rmc_model *m, uint64_t seed, uint64_t n, int threads)
{
    return rmc_test_run(m, rmc_model_params(m), seed, n, threads, NULL);
}

/* 1 and 3 threads give the same tables, the per-couple counts and sums
 * included; the counts obey city <= region <= both, both + one <= n, and
 * the per-replicate sums add up to them. */
static void test_generated_lists_thread_invariant(void **state)
{
    (void)state;
    rmc_model *m = rmc_test_load_model(RMC_TEST_DATA "/sim_joint");
    assert_int_equal(m->n_couples_gen, 2);
    const uint64_t n = 3 * RMC_SIM_BATCH;
    rmc_accum *a1 = run(m, 7, n, 1), *a3 = run(m, 7, n, 3);
    const rmc_accum_dims *d = rmc_accum_get_dims(a1);
    assert_int_equal(d->n_couples, 3);
    assert_memory_equal(d, rmc_accum_get_dims(a3), sizeof *d);
    assert_memory_equal(rmc_accum_choice_hist(a1), rmc_accum_choice_hist(a3),
                        d->n_app * (d->choice_len + 1) * 4);
    assert_memory_equal(rmc_accum_iv_matched(a1), rmc_accum_iv_matched(a3), d->n_iv * 4);
    assert_memory_equal(rmc_accum_rank_hist(a1), rmc_accum_rank_hist(a3),
                        d->n_iv * (d->rank_bins + 1) * 4);
    const uint32_t *c1 = rmc_accum_couple_counts(a1);
    assert_memory_equal(c1, rmc_accum_couple_counts(a3), 3 * RMC_COUPLE_N_OUTCOMES * 4);
    uint64_t s1[RMC_COUPLE_N_OUTCOMES], q1[RMC_COUPLE_N_OUTCOMES];
    uint64_t s3[RMC_COUPLE_N_OUTCOMES], q3[RMC_COUPLE_N_OUTCOMES];
    couple_sums(a1, s1, q1);
    couple_sums(a3, s3, q3);
    assert_memory_equal(s1, s3, sizeof s1);
    assert_memory_equal(q1, q3, sizeof q1);
    assert_int_equal(rmc_accum_unconverged(a1), rmc_accum_unconverged(a3));
    char h1[65], h3[65];
    rmc_accum_sha256(a1, h1);
    rmc_accum_sha256(a3, h3);
    assert_string_equal(h1, h3);
    uint64_t tot[RMC_COUPLE_N_OUTCOMES] = {0};
    for (size_t c = 0; c < 3; c++) {
        const uint32_t *row = c1 + c * RMC_COUPLE_N_OUTCOMES;
        assert_true(row[RMC_COUPLE_CITY] <= row[RMC_COUPLE_REGION]);
        assert_true(row[RMC_COUPLE_REGION] <= row[RMC_COUPLE_BOTH]);
        assert_true(row[RMC_COUPLE_BOTH] + row[RMC_COUPLE_ONE] <= n);
        for (int o = 0; o < RMC_COUPLE_N_OUTCOMES; o++) {
            tot[o] += row[o];
        }
    }
    assert_memory_equal(tot, s1, sizeof tot);
    /* the generated couples both matched in one city sometimes, and not
     * always (the lists vary between replicates) */
    assert_true(c1[RMC_COUPLE_CITY] > 0 && c1[RMC_COUPLE_CITY] < n);
    /* another seed draws other lists */
    rmc_accum *b = run(m, 8, n, 2);
    assert_memory_not_equal(c1, rmc_accum_couple_counts(b), 3 * RMC_COUPLE_N_OUTCOMES * 4);
    rmc_accum_free(b);
    rmc_accum_free(a3);
    rmc_accum_free(a1);
    rmc_model_free(m);
}

/* The counted outcomes are those of the replicate's matching: one
 * replicate per run, where each partner matched read from iv_matched, the
 * outcome recomputed from the programs' cities and regions. */
static void test_counted_outcomes_match_the_matching(void **state)
{
    (void)state;
    rmc_model *m = rmc_test_load_model(RMC_TEST_DATA "/sim_joint");
    uint64_t city = 0, both = 0;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        rmc_accum *a = run(m, seed, 1, 1);
        const uint32_t *ivm = rmc_accum_iv_matched(a);
        const uint32_t *cnt = rmc_accum_couple_counts(a);
        for (size_t c = 0; c < m->n_couples; c++) {
            rmc_id at[2] = {RMC_ID_NONE, RMC_ID_NONE};
            const rmc_id who[2] = {m->couple_a[c], m->couple_b[c]};
            for (int s = 0; s < 2; s++) {
                for (size_t e = m->app_off[who[s]]; e < m->app_off[who[s] + 1]; e++) {
                    const rmc_id k = m->iv_by_app[e];
                    if (ivm[k] > 0) {
                        assert_int_equal(at[s], RMC_ID_NONE);
                        at[s] = m->iv_prog[k];
                    }
                }
            }
            const int nm = (at[0] != RMC_ID_NONE) + (at[1] != RMC_ID_NONE);
            const bool same_city =
                nm == 2 && m->prog_city[at[0]] >= 0 && m->prog_city[at[0]] == m->prog_city[at[1]];
            const bool same_region = nm == 2 && m->prog_region[at[0]] == m->prog_region[at[1]];
            const uint32_t *row = cnt + c * RMC_COUPLE_N_OUTCOMES;
            assert_int_equal(row[RMC_COUPLE_BOTH], nm == 2);
            assert_int_equal(row[RMC_COUPLE_ONE], nm == 1);
            assert_int_equal(row[RMC_COUPLE_CITY], same_city);
            assert_int_equal(row[RMC_COUPLE_REGION], same_region);
            city += same_city;
            both += nm == 2;
        }
        rmc_accum_free(a);
    }
    assert_true(city > 0 && both > city); /* both kinds of outcome were seen */
    rmc_model_free(m);
}

/* A checkpoint keeps the per-couple counts and sums: two batches written,
 * read back and resumed to three give the uninterrupted run's totals. */
static void test_couple_counts_checkpointed(void **state)
{
    (void)state;
    rmc_model *m = rmc_test_load_model(RMC_TEST_DATA "/sim_joint");
    rmc_accum *part = run(m, 11, 2 * RMC_SIM_BATCH, 2);
    char dir[] = "/tmp/rmc_test_couples_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/c.ckpt", dir);
    rmc_h5_checkpoint_info info = {.seed = 11, .replicates_requested = 3 * RMC_SIM_BATCH};
    snprintf(info.rng_name, sizeof info.rng_name, "philox4x32");
    snprintf(info.model_sha256, sizeof info.model_sha256, "%s", rmc_model_sha256(m));
    rmc_diag d = {0};
    assert_int_equal(rmc_h5_checkpoint_write(path, part, &info, &d), RMC_OK);
    rmc_accum *back = NULL;
    rmc_h5_checkpoint_info in2;
    assert_int_equal(rmc_h5_checkpoint_read(path, &back, &in2, &d), RMC_OK);
    assert_int_equal(rmc_accum_get_dims(back)->n_couples, 3);
    assert_memory_equal(rmc_accum_couple_counts(back), rmc_accum_couple_counts(part),
                        3 * RMC_COUPLE_N_OUTCOMES * 4);
    rmc_accum *resumed = rmc_test_run(m, rmc_model_params(m), 11, 3 * RMC_SIM_BATCH, 2, back);
    rmc_accum *whole = run(m, 11, 3 * RMC_SIM_BATCH, 1);
    assert_memory_equal(rmc_accum_couple_counts(resumed), rmc_accum_couple_counts(whole),
                        3 * RMC_COUPLE_N_OUTCOMES * 4);
    uint64_t s[2][RMC_COUPLE_N_OUTCOMES], q[2][RMC_COUPLE_N_OUTCOMES];
    couple_sums(resumed, s[0], q[0]);
    couple_sums(whole, s[1], q[1]);
    assert_memory_equal(s[0], s[1], sizeof s[0]);
    assert_memory_equal(q[0], q[1], sizeof q[0]);
    char h[2][65];
    rmc_accum_sha256(resumed, h[0]);
    rmc_accum_sha256(whole, h[1]);
    assert_string_equal(h[0], h[1]);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
    rmc_accum_free(whole);
    rmc_accum_free(resumed);
    rmc_accum_free(back);
    rmc_accum_free(part);
    rmc_model_free(m);
}

/* Closed forms (tests/data/joint_solo): x and y have no pair in one
 * region, so their list is the two options ordered by utility and exactly
 * one matches, x with probability logistic((d_P1 - d_P2) / sigma); u and
 * v always match in their one city. */
static void test_generated_lists_closed_form(void **state)
{
    (void)state;
    rmc_model *m = rmc_test_load_model(RMC_TEST_DATA "/joint_solo");
    const uint64_t n = 4000;
    rmc_accum *a = run(m, 3, n, 2);
    const uint32_t *cnt = rmc_accum_couple_counts(a);
    assert_int_equal(cnt[RMC_COUPLE_ONE], n);
    assert_int_equal(cnt[RMC_COUPLE_BOTH], 0);
    const uint32_t *uv = cnt + RMC_COUPLE_N_OUTCOMES;
    assert_int_equal(uv[RMC_COUPLE_BOTH], n);
    assert_int_equal(uv[RMC_COUPLE_CITY], n);
    assert_int_equal(uv[RMC_COUPLE_REGION], n);
    const rmc_params *p = rmc_model_params(m);
    const double want =
        1.0 / (1.0 + exp(-(m->desirability[0] - m->desirability[1]) / p->preferences_sigma));
    const rmc_accum_dims *d = rmc_accum_get_dims(a);
    const uint32_t *ch = rmc_accum_choice_hist(a);
    const double got = 1.0 - (double)ch[0 * (d->choice_len + 1) + d->choice_len] / (double)n;
    const double se = sqrt(want * (1.0 - want) / (double)n);
    if (fabs(got - want) > 5.0 * se) {
        fail_msg("P(x matched) = %.4f, closed form %.4f (SE %.4f)", got, want, se);
    }
    rmc_accum_free(a);
    rmc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_joint_tiers_and_order),
        cmocka_unit_test(test_joint_cap_and_options),
        cmocka_unit_test(test_joint_random_lists_obey_rules),
        cmocka_unit_test(test_generated_lists_thread_invariant),
        cmocka_unit_test(test_counted_outcomes_match_the_matching),
        cmocka_unit_test(test_couple_counts_checkpointed),
        cmocka_unit_test(test_generated_lists_closed_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
