/* Tests for the sensitivity module (sens_variant.c, sens_whatif.c,
 * sens_sobol.c) and the engine's focal-outcome hook, on tests/data/sim_small
 * (24 applicants, 5 programs, 12 positions: a tight market where many
 * applicants match with probability between 0.1 and 0.9).
 */
#include "test_util.h"

#include <string.h>

#include <gsl/gsl_errno.h>

#include "internal.h"
#include "model_int.h"
#include "rankmc/rankmc.h"

#define MODEL_DIR RMC_TEST_DATA "/sim_small"

static rmc_model *M;

static int load_model(void **state)
{
    (void)state;
    rmc_diag d = {0};
    return rmc_model_load(MODEL_DIR, NULL, &d, &M) == RMC_OK ? 0 : -1;
}

static int free_model(void **state)
{
    (void)state;
    rmc_model_free(M);
    return 0;
}

static size_t app(const char *id)
{
    const rmc_id i = rmc_model_find_applicant(M, id);
    assert_true(i != RMC_ID_NONE);
    return (size_t)i;
}

/* ---- variants ------------------------------------------------------------ */

static void test_variant_shares_base(void **state)
{
    (void)state;
    rmc_variant *v = NULL;
    rmc_diag d = {0};
    assert_int_equal(rmc_variant_alloc(M, &v, &d), RMC_OK);
    const rmc_model *vm = rmc_variant_model(v);
    assert_ptr_equal(vm->communication, M->communication);
    assert_ptr_equal(vm->advocacy, M->advocacy);
    assert_false(rmc_variant_differs(v));
    const size_t i = app("a15");
    const double before = M->communication[i];
    assert_int_equal(rmc_variant_set_communication(v, i, before, &d), RMC_OK);
    assert_ptr_equal(vm->communication, M->communication); /* same value: no copy */
    assert_int_equal(rmc_variant_set_communication(v, i, 0.37, &d), RMC_OK);
    assert_ptr_not_equal(vm->communication, M->communication);
    assert_true(vm->communication[i] == 0.37);
    assert_true(M->communication[i] == before); /* the base is never written */
    assert_ptr_equal(vm->clinical_years, M->clinical_years);
    assert_ptr_equal(vm->app_id, M->app_id);
    assert_true(rmc_variant_differs(v));
    assert_int_equal(rmc_variant_set_communication(v, i, before, &d), RMC_OK);
    assert_false(rmc_variant_differs(v)); /* set back: no difference */
    const size_t k = (size_t)M->iv_by_app[M->app_off[i]];
    assert_int_equal(rmc_variant_set_ties(v, k, !M->ties[k], &d), RMC_OK);
    assert_ptr_not_equal(vm->ties, M->ties);
    assert_true(rmc_variant_differs(v));
    /* bad values and indices */
    assert_int_equal(rmc_variant_set_communication(v, i, 1.5, &d), RMC_EUSAGE);
    assert_int_equal(rmc_variant_set_clinical_years(v, i, -1.0, &d), RMC_EUSAGE);
    assert_int_equal(rmc_variant_set_visa(v, M->n_app, RMC_VISA_J1, &d), RMC_EUSAGE);
    assert_int_equal(rmc_variant_set_ties(v, M->n_iv, 1, &d), RMC_EUSAGE);
    assert_int_equal(rmc_variant_set_ties(v, k, 2, &d), RMC_EUSAGE);
    assert_int_equal(rmc_variant_set_advocacy(v, k, RMC_N_ADVOCACY, &d), RMC_EUSAGE);
    rmc_variant_free(v);
    rmc_variant_free(NULL);
}

/* Fail each allocation of building a two-field variant in turn: a clean
 * RMC_ENOMEM, nothing leaked (ASan), the base untouched. */
static void test_variant_alloc_failures(void **state)
{
    (void)state;
    const size_t i = app("a15");
    for (size_t k = 1;; k++) {
        rmc_mem_fail_at(k);
        rmc_variant *v = NULL;
        rmc_diag d = {0};
        rmc_status st = rmc_variant_alloc(M, &v, &d);
        if (st == RMC_OK) {
            st = rmc_variant_set_visa(v, i, RMC_VISA_UNCERTAIN, &d);
        }
        if (st == RMC_OK) {
            st = rmc_variant_set_clinical_years(v, i, 7.25, &d);
        }
        const size_t made = rmc_mem_fail_at(0);
        rmc_variant_free(v);
        if (st == RMC_OK) {
            assert_true(made < k);
            break;
        }
        assert_int_equal(st, RMC_ENOMEM);
    }
    assert_true(M->clinical_years[i] == 5.0);
}

/* ---- factor rules -------------------------------------------------------- */

static rmc_variant *applied(size_t i, rmc_sens_factor f, int level, char *desc)
{
    rmc_variant *v = NULL;
    rmc_diag d = {0};
    assert_int_equal(rmc_variant_alloc(M, &v, &d), RMC_OK);
    assert_int_equal(rmc_sens_apply(v, i, f, level, desc, 96, &d), RMC_OK);
    return v;
}

static void test_sens_apply_levels(void **state)
{
    (void)state;
    char desc[96];
    const size_t a15 = app("a15"), a07 = app("focal_a07"), a02 = app("a02");
    rmc_variant *v = applied(a15, RMC_SENS_COMMUNICATION, RMC_SENS_FAVOURABLE, desc);
    assert_true(rmc_variant_model(v)->communication[a15] == 0.95);
    assert_string_equal(desc, "communication 0.764 -> 0.95");
    rmc_variant_free(v);
    v = applied(a15, RMC_SENS_COMMUNICATION, RMC_SENS_UNFAVOURABLE, desc);
    assert_true(rmc_variant_model(v)->communication[a15] == 0.5);
    rmc_variant_free(v);
    /* a non-citizen IMG needing H1B: favourable visa is J1; a US_IMG: none */
    v = applied(a07, RMC_SENS_VISA, RMC_SENS_FAVOURABLE, desc);
    assert_int_equal(rmc_variant_model(v)->visa[a07], RMC_VISA_J1);
    rmc_variant_free(v);
    v = applied(a02, RMC_SENS_VISA, RMC_SENS_UNFAVOURABLE, desc);
    assert_int_equal(rmc_variant_model(v)->visa[a02], RMC_VISA_UNCERTAIN);
    rmc_variant_free(v);
    v = applied(a15, RMC_SENS_CLINICAL_YEARS, RMC_SENS_FAVOURABLE, desc);
    assert_true(rmc_variant_model(v)->clinical_years[a15] == 10.0);
    rmc_variant_free(v);
    v = applied(a15, RMC_SENS_US_EXPERIENCE, RMC_SENS_FAVOURABLE, desc);
    assert_int_equal(rmc_variant_model(v)->us_exp[a15], RMC_USEXP_SUB_I);
    rmc_variant_free(v);
    /* advocacy: a rotation at the top program only; none everywhere */
    const rmc_id top = rmc_sens_top_interview(M, a15);
    assert_true(top != RMC_ID_NONE && M->iv_app[top] == (rmc_id)a15);
    v = applied(a15, RMC_SENS_ADVOCACY, RMC_SENS_FAVOURABLE, desc);
    const rmc_model *vm = rmc_variant_model(v);
    for (size_t e = M->app_off[a15]; e < M->app_off[a15 + 1]; e++) {
        const rmc_id k = M->iv_by_app[e];
        assert_int_equal(vm->advocacy[k], k == top && M->advocacy[k] < RMC_ADVOCACY_ROTATION
                                              ? RMC_ADVOCACY_ROTATION
                                              : M->advocacy[k]);
    }
    rmc_variant_free(v);
    v = applied(a15, RMC_SENS_ADVOCACY_ALL, RMC_SENS_UNFAVOURABLE, desc);
    vm = rmc_variant_model(v);
    for (size_t e = M->app_off[a15]; e < M->app_off[a15 + 1]; e++) {
        assert_int_equal(vm->advocacy[M->iv_by_app[e]], RMC_ADVOCACY_NONE);
    }
    rmc_variant_free(v);
    /* names */
    rmc_sens_factor f;
    assert_true(rmc_sens_factor_parse("us_experience", &f) && f == RMC_SENS_US_EXPERIENCE);
    assert_false(rmc_sens_factor_parse("luck", &f));
    /* default focal: the one focal_ applicant */
    rmc_id focal[4];
    assert_int_equal(rmc_sens_default_focal(M, focal, 4), 1);
    assert_int_equal(focal[0], (rmc_id)a07);
}

/* ---- the engine hook ----------------------------------------------------- */

/* The per-replicate choices recorded for two applicants add up to their
 * rows of the run's choice histogram. */
static void test_sim_focal_hook(void **state)
{
    (void)state;
    enum { N = 256 };
    const rmc_id focal[2] = {(rmc_id)app("a15"), (rmc_id)app("a00")};
    int32_t *choice = malloc(N * 2 * sizeof *choice);
    assert_non_null(choice);
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.replicates = N;
    o.seed = 2385;
    o.threads = 2;
    o.focal = focal;
    o.n_focal = 2;
    o.focal_choice = choice;
    rmc_accum *acc = NULL;
    rmc_sim_stats stats;
    rmc_diag d = {0};
    assert_int_equal(rmc_sim_run(M, rmc_model_params(M), &o, &acc, &stats, &d), RMC_OK);
    const rmc_accum_dims *dm = rmc_accum_get_dims(acc);
    const uint32_t *hist = rmc_accum_choice_hist(acc);
    for (size_t f = 0; f < 2; f++) {
        for (size_t c = 0; c <= dm->choice_len; c++) {
            uint32_t n = 0;
            for (size_t r = 0; r < N; r++) {
                const int32_t x = choice[r * 2 + f];
                n += c == dm->choice_len ? x == -1 : x == (int32_t)c;
            }
            assert_int_equal(n, hist[(size_t)focal[f] * (dm->choice_len + 1) + c]);
        }
    }
    rmc_accum_free(acc);
    const rmc_id bad = (rmc_id)M->n_app;
    o.focal = &bad;
    o.n_focal = 1;
    assert_int_equal(rmc_sim_run(M, rmc_model_params(M), &o, &acc, &stats, &d), RMC_EUSAGE);
    assert_null(acc);
    free(choice);
}

/* ---- what-ifs ------------------------------------------------------------ */

static rmc_sens_result *run_sens(const rmc_id *apps, size_t na, const rmc_sens_factor *fs,
                                 size_t nf, uint64_t reps, int threads, bool run_unchanged)
{
    rmc_sens_options o;
    rmc_sens_options_default(&o);
    o.sim.replicates = reps;
    o.sim.seed = 37;
    o.sim.threads = threads;
    o.applicants = apps;
    o.n_applicants = na;
    o.factors = fs;
    o.n_factors = nf;
    o.run_unchanged = run_unchanged;
    rmc_sens_result *r = NULL;
    rmc_diag d = {0};
    const rmc_status st = rmc_sens_run(M, &o, &r, &d);
    if (st != RMC_OK) {
        print_error("rmc_sens_run: %s\n", d.message);
    }
    assert_int_equal(st, RMC_OK);
    return r;
}

/* us_experience of a15 (IMG, P(match) about 0.59) raised from observership
 * to sub_i: a deterministic move of a few spots at each of its programs,
 * with every random draw shared with the base run. The paired SE must be
 * far below the unpaired one (measured: about a third) and the effect
 * clearly positive. */
static void test_sens_paired_se_small(void **state)
{
    (void)state;
    const rmc_id a = (rmc_id)app("a15");
    const rmc_sens_factor f = RMC_SENS_US_EXPERIENCE;
    rmc_sens_result *r = run_sens(&a, 1, &f, 1, rmc_test_quick() ? 600 : 2000, 2, false);
    const size_t w = RMC_SENS_FAVOURABLE;
    assert_int_equal(r->changed[w], 1);
    assert_true(r->base_p[0] > 0.4 && r->base_p[0] < 0.8);
    assert_true(r->dp[w] > 4.0 * r->dp_se[w]);
    assert_true(r->dp_se[w] > 0.0);
    assert_true(r->dp_se[w] < 0.5 * r->dp_se_unpaired[w]);
    assert_true(r->drank_se[w] < 0.5 * r->drank_se_unpaired[w]);
    /* Deferred acceptance respects improvements (Balinski and Sonmez 1999):
     * moving up on programs' lists never costs a match, so with every draw
     * shared no replicate may lose one. */
    assert_int_equal(r->n_loss[w], 0);
    assert_true(r->n_gain[w] > 0);
    /* the variant's P(match) is the base's plus the change */
    assert_close(r->p[w], r->base_p[0] + r->dp[w], 1e-12, 1e-12);
    rmc_sens_result_free(r);
}

/* A what-if that changes nothing, run for real: identical draws and
 * outcomes, so every difference is exactly 0 with SE 0. */
static void test_sens_unchanged_exact_zero(void **state)
{
    (void)state;
    const rmc_id a = (rmc_id)app("a00"); /* already sub_i, clinical_years 0 */
    const rmc_sens_factor fs[2] = {RMC_SENS_US_EXPERIENCE, RMC_SENS_CLINICAL_YEARS};
    rmc_sens_result *r = run_sens(&a, 1, fs, 2, 256, 2, true);
    const size_t w_usexp = RMC_SENS_FAVOURABLE;                           /* sub_i -> sub_i */
    const size_t w_years = 1 * RMC_SENS_N_LEVELS + RMC_SENS_UNFAVOURABLE; /* 0 -> 0 */
    const size_t ws[2] = {w_usexp, w_years};
    for (size_t x = 0; x < 2; x++) {
        const size_t w = ws[x];
        assert_int_equal(r->changed[w], 0);
        assert_true(r->dp[w] == 0.0 && r->dp_se[w] == 0.0);
        assert_true(r->drank[w] == 0.0 && r->drank_se[w] == 0.0);
        assert_true(r->p[w] == r->base_p[0]);
        assert_true(r->dp_se_unpaired[w] > 0.0); /* a00 is not always matched */
    }
    rmc_sens_result_free(r);
}

/* Same seed, 1 versus 3 threads: every statistic bit-identical. */
static void test_sens_threads_deterministic(void **state)
{
    (void)state;
    const rmc_id apps[2] = {(rmc_id)app("a19"), (rmc_id)app("focal_a07")};
    const rmc_sens_factor fs[3] = {RMC_SENS_COMMUNICATION, RMC_SENS_ADVOCACY, RMC_SENS_VISA};
    rmc_sens_result *a = run_sens(apps, 2, fs, 3, 200, 1, false);
    rmc_sens_result *b = run_sens(apps, 2, fs, 3, 200, 3, false);
    const size_t nw = 2 * 3 * RMC_SENS_N_LEVELS;
    const double *const xa[] = {a->p,    a->dp,    a->dp_se,    a->dp_se_unpaired,
                                a->rank, a->drank, a->drank_se, a->drank_se_unpaired};
    const double *const xb[] = {b->p,    b->dp,    b->dp_se,    b->dp_se_unpaired,
                                b->rank, b->drank, b->drank_se, b->drank_se_unpaired};
    for (size_t t = 0; t < 8; t++) {
        assert_memory_equal(xa[t], xb[t], nw * sizeof(double));
    }
    assert_memory_equal(a->base_p, b->base_p, 2 * sizeof(double));
    assert_memory_equal(a->base_rank_se, b->base_rank_se, 2 * sizeof(double));
    assert_memory_equal(a->changed, b->changed, nw * sizeof(int32_t));
    assert_memory_equal(a->mean_dp, b->mean_dp, 3 * RMC_SENS_N_LEVELS * sizeof(double));
    assert_memory_equal(a->mean_dp_se, b->mean_dp_se, 3 * RMC_SENS_N_LEVELS * sizeof(double));
    assert_memory_equal(a->mean_swing_se, b->mean_swing_se, 3 * sizeof(double));
    rmc_sens_result_free(a);
    rmc_sens_result_free(b);
}

/* Means over applicants: with one applicant they are its own figures; with
 * several, the mean of theirs; the swing is P(+) - P(-). */
static void test_sens_mean_over_applicants(void **state)
{
    (void)state;
    const rmc_id apps[3] = {(rmc_id)app("a15"), (rmc_id)app("a19"), (rmc_id)app("focal_a07")};
    const rmc_sens_factor fs[2] = {RMC_SENS_US_EXPERIENCE, RMC_SENS_COMMUNICATION};
    rmc_sens_result *one = run_sens(apps, 1, fs, 2, 300, 2, false);
    for (size_t c = 0; c < 2 * RMC_SENS_N_LEVELS; c++) {
        assert_close(one->mean_dp[c], one->dp[c], 1e-12, 1e-12);
        assert_close(one->mean_dp_se[c], one->dp_se[c], 1e-12, 1e-12);
        assert_close(one->mean_dp_se_indep[c], one->dp_se[c], 1e-12, 1e-12);
        assert_close(one->mean_drank[c], one->drank[c], 1e-12, 1e-12);
        assert_close(one->mean_drank_se[c], one->drank_se[c], 1e-12, 1e-12);
    }
    rmc_sens_result_free(one);
    rmc_sens_result *r = run_sens(apps, 3, fs, 2, 300, 2, false);
    for (size_t f = 0; f < 2; f++) {
        double swing = 0;
        for (int l = 0; l < RMC_SENS_N_LEVELS; l++) {
            double sum = 0, sum_rank = 0;
            for (size_t a = 0; a < 3; a++) {
                const size_t w = (a * 2 + f) * RMC_SENS_N_LEVELS + (size_t)l;
                sum += r->dp[w];
                sum_rank += r->drank[w];
                swing += (l == RMC_SENS_FAVOURABLE ? 1.0 : -1.0) * r->p[w] / 3.0;
            }
            assert_close(r->mean_dp[f * RMC_SENS_N_LEVELS + (size_t)l], sum / 3.0, 1e-12, 1e-12);
            assert_close(r->mean_drank[f * RMC_SENS_N_LEVELS + (size_t)l], sum_rank / 3.0, 1e-12,
                         1e-12);
        }
        assert_close(r->mean_swing[f], swing, 1e-12, 1e-12);
        assert_true(r->mean_swing_se[f] > 0.0);
    }
    rmc_sens_result_free(r);
}

/* The SE of a mean over applicants must match how much that mean actually
 * varies between independent runs: 40 seeds, two applicants of the same
 * tight market (their outcomes are correlated through the shared seats and
 * the shared base run). The spread's own relative SE is about 1 /
 * sqrt(2 x 39) = 0.11, so the ratio must lie within 0.55 .. 1.45 (4 SE). */
static void test_sens_mean_se_matches_spread(void **state)
{
    (void)state;
    if (rmc_test_quick()) {
        skip();
    }
    enum { SEEDS = 40 };
    const rmc_id apps[2] = {(rmc_id)app("a15"), (rmc_id)app("a19")};
    const rmc_sens_factor f = RMC_SENS_COMMUNICATION;
    double x[SEEDS], se_mean = 0, swing[SEEDS], swing_se = 0;
    for (size_t k = 0; k < SEEDS; k++) {
        rmc_sens_options o;
        rmc_sens_options_default(&o);
        o.sim.replicates = 150;
        o.sim.seed = 1000 + k;
        o.sim.threads = 2;
        o.applicants = apps;
        o.n_applicants = 2;
        o.factors = &f;
        o.n_factors = 1;
        rmc_sens_result *r = NULL;
        assert_int_equal(rmc_sens_run(M, &o, &r, NULL), RMC_OK);
        x[k] = r->mean_dp[RMC_SENS_UNFAVOURABLE];
        se_mean += r->mean_dp_se[RMC_SENS_UNFAVOURABLE] / SEEDS;
        swing[k] = r->mean_swing[0];
        swing_se += r->mean_swing_se[0] / SEEDS;
        rmc_sens_result_free(r);
    }
    double m = 0, ms = 0, v = 0, vs = 0;
    for (size_t k = 0; k < SEEDS; k++) {
        m += x[k] / SEEDS;
        ms += swing[k] / SEEDS;
    }
    for (size_t k = 0; k < SEEDS; k++) {
        v += (x[k] - m) * (x[k] - m) / (SEEDS - 1);
        vs += (swing[k] - ms) * (swing[k] - ms) / (SEEDS - 1);
    }
    const double ratio = sqrt(v) / se_mean, ratio_s = sqrt(vs) / swing_se;
    if (!(ratio > 0.55 && ratio < 1.45 && ratio_s > 0.55 && ratio_s < 1.45)) {
        print_error("spread / SE: mean dP %.3f, swing %.3f\n", ratio, ratio_s);
    }
    assert_true(ratio > 0.55 && ratio < 1.45);
    assert_true(ratio_s > 0.55 && ratio_s < 1.45);
}

static void test_sens_bad_options(void **state)
{
    (void)state;
    rmc_sens_options o;
    rmc_sens_options_default(&o);
    rmc_sens_result *r = NULL;
    rmc_diag d = {0};
    assert_int_equal(rmc_sens_run(M, &o, &r, &d), RMC_EUSAGE); /* no applicants */
    const rmc_id bad = -3;
    o.applicants = &bad;
    o.n_applicants = 1;
    assert_int_equal(rmc_sens_run(M, &o, &r, &d), RMC_EUSAGE);
    assert_null(r);
}

/* ---- sobol --------------------------------------------------------------- */

/* A tiny Saltelli design end to end: shapes, outputs in [0, 1], row 0 equal
 * to a direct engine run at its parameters, and thread-count independence. */
static void test_sobol_end_to_end(void **state)
{
    (void)state;
    const rmc_id apps[2] = {(rmc_id)app("a15"), (rmc_id)app("a19")};
    rmc_sens_sobol_options o;
    rmc_sens_sobol_options_default(&o);
    o.sim.replicates = 64;
    o.sim.seed = 11;
    o.sim.threads = 2;
    o.n_samples = 4;
    o.applicants = apps;
    o.n_applicants = 2;
    o.analysis.n_boot = 50;
    rmc_sens_sobol_result *r = NULL;
    rmc_diag d = {0};
    assert_int_equal(rmc_sens_sobol_run(M, &o, &r, &d), RMC_OK);
    assert_int_equal(r->n_factors, rmc_sens_sobol_params(NULL, 0));
    assert_int_equal(r->n_outputs, 3); /* two applicants and the IMG rate */
    assert_int_equal(r->output_app[2], RMC_ID_NONE);
    assert_int_equal(r->n_rows, 4 * (r->n_factors + 2));
    for (size_t i = 0; i < r->n_rows * r->n_outputs; i++) {
        assert_true(r->y[i] >= 0.0 && r->y[i] <= 1.0);
    }
    for (size_t i = 0; i < r->n_factors; i++) {
        assert_true(r->lo[i] < r->base[i] && r->base[i] < r->hi[i]);
        assert_close(r->hi[i] - r->lo[i], fabs(r->base[i]), 1e-12, 0);
    }
    assert_true(r->indices->var[0] > 0.0 && isfinite(r->indices->st[0]));
    /* row 0 by hand */
    rmc_params p = *rmc_model_params(M);
    for (size_t i = 0; i < r->n_factors; i++) {
        rmc_params_set(&p, r->factor[i], r->x[i]);
    }
    rmc_accum *acc = NULL;
    rmc_sim_stats stats;
    assert_int_equal(rmc_sim_run(M, &p, &o.sim, &acc, &stats, &d), RMC_OK);
    const rmc_accum_dims *dm = rmc_accum_get_dims(acc);
    const uint32_t un =
        rmc_accum_choice_hist(acc)[(size_t)apps[0] * (dm->choice_len + 1) + dm->choice_len];
    assert_true(r->y[0] == 1.0 - (double)un / 64.0);
    rmc_accum_free(acc);
    acc = NULL;
    /* one thread: the same bits */
    o.sim.threads = 1;
    rmc_sens_sobol_result *r1 = NULL;
    assert_int_equal(rmc_sens_sobol_run(M, &o, &r1, &d), RMC_OK);
    assert_memory_equal(r->y, r1->y, r->n_rows * r->n_outputs * sizeof(double));
    assert_memory_equal(r->indices->st, r1->indices->st,
                        r->n_outputs * r->n_factors * sizeof(double));
    assert_memory_equal(r->noise_var_seeds, r1->noise_var_seeds, r->n_outputs * sizeof(double));
    rmc_sens_sobol_result_free(r1);
    /* the measured noise: 16 design rows again with seed + 1 (test below) */
    assert_int_equal(r->n_noise_rows, 16);
    for (size_t q = 0; q < r->n_outputs; q++) {
        assert_true(isfinite(r->noise_var_seeds[q]) && r->noise_var_seeds[q] >= 0.0);
        assert_int_equal(r->noise_large[q],
                         !(r->noise_var_seeds[q] <= RMC_SOBOL_NOISE_SMALL * r->indices->var[q]));
    }
    rmc_sens_sobol_result_free(r);
    o.relative_range = 1.5;
    assert_int_equal(rmc_sens_sobol_run(M, &o, &r, &d), RMC_EUSAGE);
    assert_null(r);
}

/* The measured noise, by hand: three design rows at seed 5 and seed 6,
 * var of the differences / 2; and it falls with the replicates (40 -> 640:
 * expected 1/16, asserted below 1/4). */
static double point(const rmc_sens_sobol_result *r, size_t row, uint64_t seed, uint64_t reps,
                    rmc_id a)
{
    rmc_params p = *rmc_model_params(M);
    for (size_t i = 0; i < r->n_factors; i++) {
        rmc_params_set(&p, r->factor[i], r->x[row * r->n_factors + i]);
    }
    rmc_sim_options so;
    rmc_sim_options_default(&so);
    so.replicates = reps;
    so.seed = seed;
    so.threads = 2;
    rmc_accum *acc = NULL;
    rmc_sim_stats stats;
    assert_int_equal(rmc_sim_run(M, &p, &so, &acc, &stats, NULL), RMC_OK);
    const rmc_accum_dims *dm = rmc_accum_get_dims(acc);
    const uint32_t un =
        rmc_accum_choice_hist(acc)[(size_t)a * (dm->choice_len + 1) + dm->choice_len];
    rmc_accum_free(acc);
    return 1.0 - (double)un / (double)reps;
}

static void test_sobol_noise_two_seeds(void **state)
{
    (void)state;
    const rmc_id a = (rmc_id)app("a15");
    rmc_sens_sobol_options o;
    rmc_sens_sobol_options_default(&o);
    o.sim.replicates = 40;
    o.sim.seed = 5;
    o.sim.threads = 2;
    o.n_samples = 4;
    o.noise_rows = 3;
    o.applicants = &a;
    o.n_applicants = 1;
    o.img_rate = false;
    o.analysis.n_boot = 0;
    o.relative_range = 1.0;
    rmc_sens_sobol_result *r = NULL;
    assert_int_equal(rmc_sens_sobol_run(M, &o, &r, NULL), RMC_OK);
    assert_int_equal(r->n_noise_rows, 3);
    double dd[3], mean = 0, ss = 0;
    for (size_t row = 0; row < 3; row++) {
        assert_true(point(r, row, 5, 40, a) == r->y[row]);
        dd[row] = r->y[row] - point(r, row, 6, 40, a);
        mean += dd[row] / 3;
    }
    for (size_t row = 0; row < 3; row++) {
        ss += (dd[row] - mean) * (dd[row] - mean);
    }
    assert_close(r->noise_var_seeds[0], ss / 2 / 2, 1e-12, 1e-15);
    rmc_sens_sobol_result_free(r);
    /* the IMG rate's noise falls with the replicates */
    double noise[2];
    const uint64_t reps[2] = {40, 640};
    for (int t = 0; t < 2; t++) {
        o.sim.replicates = reps[t];
        o.noise_rows = 24;
        o.n_applicants = 0;
        o.img_rate = true;
        assert_int_equal(rmc_sens_sobol_run(M, &o, &r, NULL), RMC_OK);
        noise[t] = r->noise_var_seeds[0];
        rmc_sens_sobol_result_free(r);
    }
    if (!(noise[0] > 0 && noise[1] < noise[0] / 4)) {
        print_error("noise at 40 / 640 replicates: %.3g / %.3g\n", noise[0], noise[1]);
    }
    assert_true(noise[0] > 0 && noise[1] < noise[0] / 4);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variant_shares_base),
        cmocka_unit_test(test_variant_alloc_failures),
        cmocka_unit_test(test_sens_apply_levels),
        cmocka_unit_test(test_sim_focal_hook),
        cmocka_unit_test(test_sens_paired_se_small),
        cmocka_unit_test(test_sens_unchanged_exact_zero),
        cmocka_unit_test(test_sens_threads_deterministic),
        cmocka_unit_test(test_sens_mean_over_applicants),
        cmocka_unit_test(test_sens_mean_se_matches_spread),
        cmocka_unit_test(test_sens_bad_options),
        cmocka_unit_test(test_sobol_end_to_end),
        cmocka_unit_test(test_sobol_noise_two_seeds),
    };
    return cmocka_run_group_tests(tests, load_model, free_model);
}
