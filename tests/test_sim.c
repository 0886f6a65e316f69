/* Tests for sim.c on tests/data/sim_small (24 applicants, 5 programs, 84
 * interviews, one fixed applicant ROL): the determinism promise (1, 2 and 3
 * threads, same seed twice, different seeds), invariants of every run,
 * stability of every matching, binning, the memory limit, stopping (at
 * batch boundaries, and inside a batch from another thread), resuming from
 * any count, progress, and allocation failure. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include "test_util.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "internal.h"
#include "model_int.h"
#include "rankmc/rankmc.h"

#define MODEL_DIR RMC_TEST_DATA "/sim_small"

static rmc_model *model;

static int load_model(void **state)
{
    (void)state;
    rmc_problems *pr = NULL;
    rmc_diag d = {0};
    assert_int_equal(rmc_problems_alloc(10, &pr), RMC_OK);
    const rmc_status st = rmc_model_load(MODEL_DIR, pr, &d, &model);
    for (size_t i = 0; i < rmc_problems_kept(pr); i++) {
        print_error("%s\n", rmc_problems_get(pr, i));
    }
    if (st != RMC_OK) {
        print_error("load failed: %s\n", d.message);
    }
    rmc_problems_free(pr);
    return st == RMC_OK ? 0 : -1;
}

static int free_model(void **state)
{
    (void)state;
    rmc_model_free(model);
    return 0;
}

static uint64_t n_reps(void)
{
    return rmc_test_quick() ? 70 : 150; /* not a multiple of the batch size */
}

static rmc_accum *run(uint64_t seed, int threads, uint64_t n, rmc_sim_stats *stats)
{
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.seed = seed;
    o.threads = threads;
    o.replicates = n;
    rmc_accum *a = NULL;
    rmc_diag d = {0};
    const rmc_status st = rmc_sim_run(model, rmc_model_params(model), &o, &a, stats, &d);
    if (st != RMC_OK) {
        fail_msg("rmc_sim_run: %s", d.message);
    }
    return a;
}

/* Bytes of each table, for comparisons. */
static void assert_same_totals(const rmc_accum *x, const rmc_accum *y)
{
    const rmc_accum_dims *d = rmc_accum_get_dims(x);
    assert_memory_equal(d, rmc_accum_get_dims(y), sizeof *d);
    assert_int_equal(rmc_accum_replicates(x), rmc_accum_replicates(y));
    assert_memory_equal(rmc_accum_rank_hist(x), rmc_accum_rank_hist(y),
                        d->n_iv * (d->rank_bins + 1) * 4);
    assert_memory_equal(rmc_accum_choice_hist(x), rmc_accum_choice_hist(y),
                        d->n_app * (d->choice_len + 1) * 4);
    assert_memory_equal(rmc_accum_fill_hist(x), rmc_accum_fill_hist(y),
                        d->n_prog * (d->max_positions + 1) * 4);
    assert_memory_equal(rmc_accum_depth_hist(x), rmc_accum_depth_hist(y),
                        d->n_prog * (d->rank_bins + 1) * 4);
    assert_memory_equal(rmc_accum_iv_matched(x), rmc_accum_iv_matched(y), d->n_iv * 4);
    assert_memory_equal(rmc_accum_move_sum(x), rmc_accum_move_sum(y), d->n_iv * d->n_factors * 8);
    uint64_t sx[RMC_ACCUM_TYPE_GROUPS], qx[RMC_ACCUM_TYPE_GROUPS];
    uint64_t sy[RMC_ACCUM_TYPE_GROUPS], qy[RMC_ACCUM_TYPE_GROUPS];
    rmc_accum_rep_sums(x, RMC_REP_TYPE, RMC_ACCUM_TYPE_GROUPS, sx, qx);
    rmc_accum_rep_sums(y, RMC_REP_TYPE, RMC_ACCUM_TYPE_GROUPS, sy, qy);
    assert_memory_equal(sx, sy, sizeof sx);
    assert_memory_equal(qx, qy, sizeof qx);
    assert_int_equal(rmc_accum_soap_replicates(x), rmc_accum_soap_replicates(y));
    assert_memory_equal(rmc_accum_soap_hist(x), rmc_accum_soap_hist(y),
                        d->n_app * RMC_ACCUM_SOAP_COLS * 4);
    assert_memory_equal(rmc_accum_soap_fill_hist(x), rmc_accum_soap_fill_hist(y),
                        d->n_prog * (d->max_positions + 1) * 4);
    uint64_t tx[RMC_ACCUM_SOAP_TOTALS], ux[RMC_ACCUM_SOAP_TOTALS];
    uint64_t ty[RMC_ACCUM_SOAP_TOTALS], uy[RMC_ACCUM_SOAP_TOTALS];
    rmc_accum_rep_sums(x, RMC_REP_SOAP, RMC_ACCUM_SOAP_TOTALS, tx, ux);
    rmc_accum_rep_sums(y, RMC_REP_SOAP, RMC_ACCUM_SOAP_TOTALS, ty, uy);
    assert_memory_equal(tx, ty, sizeof tx);
    assert_memory_equal(ux, uy, sizeof ux);
}

static uint64_t row_sum(const uint32_t *t, size_t row, size_t cols)
{
    uint64_t s = 0;
    for (size_t c = 0; c < cols; c++) {
        s += t[row * cols + c];
    }
    return s;
}

/* SOAP's invariants when the run had it: its histogram agrees with the
 * Main Match (SOAP moves no Main-Match placement), fill after SOAP is at
 * least the fill after the Match in every replicate (so its distribution
 * dominates) and never over capacity, and the totals add up. */
static void check_soap_invariants(const rmc_accum *a, uint64_t n)
{
    const rmc_accum_dims *d = rmc_accum_get_dims(a);
    const size_t cc = d->choice_len + 1, fc = d->max_positions + 1, sc = RMC_ACCUM_SOAP_COLS;
    const uint32_t *sh = rmc_accum_soap_hist(a), *ch = rmc_accum_choice_hist(a);
    uint64_t placed = 0, filled = 0, after = 0;
    for (size_t i = 0; i < d->n_app; i++) {
        assert_int_equal(row_sum(sh, i, sc), n);
        const uint64_t unmatched = ch[i * cc + d->choice_len];
        assert_int_equal(sh[i * sc + RMC_SOAP_COL_MAIN], n - unmatched);
        assert_int_equal(sh[i * sc + RMC_SOAP_COL_PLACED] + sh[i * sc + RMC_SOAP_COL_UNPLACED],
                         unmatched);
        placed += sh[i * sc + RMC_SOAP_COL_PLACED];
    }
    for (size_t j = 0; j < d->n_prog; j++) {
        const uint32_t *fm = rmc_accum_fill_hist(a) + j * fc;
        const uint32_t *fs = rmc_accum_soap_fill_hist(a) + j * fc;
        assert_int_equal(row_sum(rmc_accum_soap_fill_hist(a), j, fc), n);
        const size_t cap = (size_t)rmc_model_program_positions(model, j);
        uint64_t cm = 0, cs = 0;
        for (size_t f = 0; f < fc; f++) {
            cm += fm[f];
            cs += fs[f];
            assert_true(cs <= cm); /* P(fill after SOAP <= f) <= P(fill after Match <= f) */
            assert_true(f <= cap || fs[f] == 0);
            filled += f * fm[f];
            after += f * fs[f];
        }
    }
    uint64_t sum[RMC_ACCUM_SOAP_TOTALS], sumsq[RMC_ACCUM_SOAP_TOTALS];
    rmc_accum_rep_sums(a, RMC_REP_SOAP, RMC_ACCUM_SOAP_TOTALS, sum, sumsq);
    assert_int_equal(sum[RMC_SOAP_TOTAL_PLACED], placed);
    assert_int_equal(sum[RMC_SOAP_TOTAL_FILLED_MATCH], filled);
    assert_int_equal(sum[RMC_SOAP_TOTAL_FILLED_SOAP], after);
    assert_int_equal(after - filled, placed);
    assert_true(sum[RMC_SOAP_TOTAL_PLACES] >= placed);
    assert_true(sum[RMC_SOAP_TOTAL_ELIGIBLE] >= placed);
}

/* Invariants every run must satisfy. */
static void check_invariants(const rmc_accum *a, uint64_t n)
{
    const rmc_accum_dims *d = rmc_accum_get_dims(a);
    assert_int_equal(rmc_accum_replicates(a), n);
    const size_t rc = d->rank_bins + 1, cc = d->choice_len + 1, fc = d->max_positions + 1;
    for (size_t k = 0; k < d->n_iv; k++) {
        assert_int_equal(row_sum(rmc_accum_rank_hist(a), k, rc), n);
    }
    for (size_t i = 0; i < d->n_app; i++) {
        assert_int_equal(row_sum(rmc_accum_choice_hist(a), i, cc), n);
        /* matched anywhere = sum of matches at its interviews = 1 - unmatched */
        uint64_t matched = 0;
        for (size_t k = 0; k < d->n_iv; k++) {
            matched += (size_t)rmc_model_interview_applicant(model, k) == i
                           ? rmc_accum_iv_matched(a)[k]
                           : 0;
        }
        assert_int_equal(matched, n - rmc_accum_choice_hist(a)[i * cc + d->choice_len]);
    }
    for (size_t j = 0; j < d->n_prog; j++) {
        assert_int_equal(row_sum(rmc_accum_fill_hist(a), j, fc), n);
        assert_int_equal(row_sum(rmc_accum_depth_hist(a), j, rc), n);
        const size_t cap = (size_t)rmc_model_program_positions(model, j);
        for (size_t f = cap + 1; f < fc; f++) {
            assert_int_equal(rmc_accum_fill_hist(a)[j * fc + f], 0); /* never over capacity */
        }
        /* nobody matched <=> no depth */
        assert_int_equal(rmc_accum_fill_hist(a)[j * fc], rmc_accum_depth_hist(a)[j * rc + rc - 1]);
    }
    const uint64_t ns = rmc_accum_soap_replicates(a);
    assert_true(ns == 0 || ns == n);
    if (ns == n) {
        check_soap_invariants(a, n);
    }
}

/* SOAP runs after the Match and changes none of its tables: with and
 * without it every Main-Match table is the same. sim_small fills every
 * position, so two programs get eight more here (more positions than
 * applicants), which SOAP fills in part. */
static void test_rmc_sim_run_soap_leaves_match(void **state)
{
    (void)state;
    const uint64_t n = n_reps();
    model->positions[0] += 8;
    model->positions[3] += 8;
    model->n_positions += 16;
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.seed = 2385;
    o.threads = 2;
    o.replicates = n;
    o.check_stability = true;
    rmc_accum *with = NULL, *without = NULL;
    rmc_sim_stats st;
    rmc_diag d = {0};
    assert_true(rmc_model_params(model)->soap_enabled);
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &with, &st, &d), RMC_OK);
    assert_int_equal(st.unstable, 0);
    o.skip_soap = true;
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &without, &st, &d), RMC_OK);
    assert_int_equal(st.unstable, 0);
    assert_int_equal(rmc_accum_soap_replicates(with), n);
    assert_int_equal(rmc_accum_soap_replicates(without), 0);
    check_invariants(with, n);
    check_invariants(without, n);
    const rmc_accum_dims *dm = rmc_accum_get_dims(with);
    assert_memory_equal(rmc_accum_choice_hist(with), rmc_accum_choice_hist(without),
                        dm->n_app * (dm->choice_len + 1) * 4);
    assert_memory_equal(rmc_accum_fill_hist(with), rmc_accum_fill_hist(without),
                        dm->n_prog * (dm->max_positions + 1) * 4);
    assert_memory_equal(rmc_accum_rank_hist(with), rmc_accum_rank_hist(without),
                        dm->n_iv * (dm->rank_bins + 1) * 4);
    assert_memory_equal(rmc_accum_move_sum(with), rmc_accum_move_sum(without),
                        dm->n_iv * dm->n_factors * 8);
    uint64_t sum[RMC_ACCUM_SOAP_TOTALS], sumsq[RMC_ACCUM_SOAP_TOTALS];
    rmc_accum_rep_sums(with, RMC_REP_SOAP, RMC_ACCUM_SOAP_TOTALS, sum, sumsq);
    print_message("SOAP on sim_small: %.2f eligible, %.2f places, %.2f placed per replicate\n",
                  (double)sum[0] / (double)n, (double)sum[1] / (double)n,
                  (double)sum[2] / (double)n);
    assert_true(sum[RMC_SOAP_TOTAL_PLACED] > 0);
    /* bit-identical for any thread count, SOAP tables included */
    for (int t = 1; t <= 3; t += 2) {
        rmc_accum *other = NULL;
        o.skip_soap = false;
        o.threads = t;
        assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &other, &st, &d), RMC_OK);
        assert_same_totals(with, other);
        rmc_accum_free(other);
    }
    rmc_accum_free(without);
    rmc_accum_free(with);
    model->positions[0] -= 8;
    model->positions[3] -= 8;
    model->n_positions -= 16;
}

static void test_rmc_sim_run_thread_count_invariant(void **state)
{
    (void)state;
    const uint64_t n = n_reps();
    rmc_sim_stats s1, s2, s3;
    rmc_accum *a1 = run(2385, 1, n, &s1);
    rmc_accum *a2 = run(2385, 2, n, &s2);
    rmc_accum *a3 = run(2385, 3, n, &s3);
    /* one thread takes the replicates four at a time, their meetings program
     * by program (src/sim.c SIM_GROUP); a thread per replicate of a batch
     * takes them one at a time */
    rmc_sim_stats s64;
    rmc_accum *a64 = run(2385, RMC_SIM_BATCH, n, &s64);
    assert_int_equal(s1.threads, 1);
    assert_int_equal(s3.threads, 3);
    assert_int_equal(s64.threads, RMC_SIM_BATCH);
    check_invariants(a1, n);
    assert_same_totals(a1, a2);
    assert_same_totals(a1, a3);
    assert_same_totals(a1, a64);
    rmc_accum_free(a64);
    rmc_accum_free(a3);
    rmc_accum_free(a2);
    rmc_accum_free(a1);
}

static void test_rmc_sim_run_seed_decides(void **state)
{
    (void)state;
    const uint64_t n = n_reps();
    rmc_sim_stats s;
    rmc_accum *a = run(37, 2, n, &s);
    rmc_accum *b = run(37, 2, n, &s);
    rmc_accum *c = run(38, 2, n, &s);
    assert_same_totals(a, b);
    check_invariants(c, n);
    const rmc_accum_dims *d = rmc_accum_get_dims(a);
    assert_true(memcmp(rmc_accum_rank_hist(a), rmc_accum_rank_hist(c),
                       d->n_iv * (d->rank_bins + 1) * 4) != 0);
    assert_true(memcmp(rmc_accum_move_sum(a), rmc_accum_move_sum(c), d->n_iv * d->n_factors * 8) !=
                0);
    rmc_accum_free(c);
    rmc_accum_free(b);
    rmc_accum_free(a);
}

/* Every replicate's matching passes the independent checker, both sides
 * proposing; program-proposing gives different totals on this market or at
 * least the same invariants. */
static void test_rmc_sim_run_check_stability(void **state)
{
    (void)state;
    const rmc_proposing sides[2] = {RMC_PROPOSE_APPLICANTS, RMC_PROPOSE_PROGRAMS};
    for (size_t s = 0; s < 2; s++) {
        rmc_sim_options o;
        rmc_sim_options_default(&o);
        o.seed = 11;
        o.threads = 2;
        o.replicates = n_reps();
        o.proposing = sides[s];
        o.check_stability = true;
        rmc_accum *a = NULL;
        rmc_sim_stats st;
        rmc_diag d = {0};
        assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &a, &st, &d), RMC_OK);
        assert_int_equal(st.unstable, 0);
        assert_int_equal(st.first_unstable, -1);
        assert_int_equal(st.unconverged, 0); /* no couples */
        check_invariants(a, o.replicates);
        rmc_accum_free(a);
    }
}

static void test_rmc_sim_run_rank_bins(void **state)
{
    (void)state;
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.replicates = 40;
    o.threads = 2;
    o.rank_bins = 2;
    rmc_accum *a = NULL;
    rmc_sim_stats st;
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &a, &st, NULL), RMC_OK);
    const rmc_accum_dims *d = rmc_accum_get_dims(a);
    assert_int_equal(d->rank_bins, 2);
    assert_true(d->rank_bin_width * 2 >= d->max_list);
    check_invariants(a, 40);
    rmc_accum_free(a);
}

static void test_rmc_sim_plan_memory_limit(void **state)
{
    (void)state;
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.threads = 2;
    o.max_memory = 4096;
    rmc_accum_dims dims;
    size_t bytes = 0;
    rmc_diag d = {0};
    assert_int_equal(rmc_sim_plan(model, rmc_model_params(model), &o, &dims, &bytes, &d),
                     RMC_ELIMIT);
    assert_non_null(strstr(d.message, "--rank-bins"));
    assert_true(bytes > 4096);
    rmc_accum *a = (rmc_accum *)1;
    rmc_sim_stats st;
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &a, &st, NULL), RMC_ELIMIT);
    assert_null(a);
    /* The default limit: full resolution, a column per list position. */
    o.max_memory = 0;
    assert_int_equal(rmc_sim_plan(model, rmc_model_params(model), &o, &dims, &bytes, &d), RMC_OK);
    assert_int_equal(dims.rank_bin_width, 1);
    assert_int_equal(dims.n_iv, rmc_model_n_interviews(model));
}

typedef struct stop_ctx {
    volatile int stop;
    uint64_t calls, last;
} stop_ctx;

static void stop_after_first(void *ctx, uint64_t done, uint64_t total)
{
    stop_ctx *c = ctx;
    assert_true(done > c->last && done <= total);
    c->calls++;
    c->last = done;
    c->stop = 1;
}

static void test_rmc_sim_run_stop_at_batch(void **state)
{
    (void)state;
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.replicates = 200;
    o.threads = 2;
    stop_ctx c = {0, 0, 0};
    o.progress = stop_after_first;
    o.progress_ctx = &c;
    o.stop = &c.stop;
    rmc_accum *a = NULL;
    rmc_sim_stats st;
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &a, &st, NULL), RMC_OK);
    assert_true(st.stopped);
    assert_int_equal(st.replicates, RMC_SIM_BATCH);
    assert_int_equal(c.calls, 1);
    check_invariants(a, RMC_SIM_BATCH);
    /* The first batch of a stopped run equals the same replicates run alone. */
    rmc_sim_stats s2;
    rmc_accum *b = run(1, 1, RMC_SIM_BATCH, &s2);
    assert_same_totals(a, b);
    rmc_accum_free(b);
    rmc_accum_free(a);
}

/* --until-se stops at the first batch where every SE is small enough; the
 * stopping point and the totals do not depend on the thread count. */
static void test_rmc_sim_run_until_se(void **state)
{
    (void)state;
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.replicates = 100000;
    o.until_se = 0.037;
    rmc_accum *a[2] = {NULL, NULL};
    rmc_sim_stats st[2];
    for (int t = 0; t < 2; t++) {
        o.threads = t + 1;
        assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &a[t], &st[t], NULL),
                         RMC_OK);
        assert_true(st[t].se_reached);
        assert_false(st[t].stopped);
        assert_true(st[t].max_se <= 0.037);
        assert_int_equal(st[t].replicates % RMC_SIM_BATCH, 0);
        /* p(1-p)/n <= 0.037^2 needs n >= 0.25/0.037^2 ~ 183 for p near 1/2 */
        assert_true(st[t].replicates < 100000);
        check_invariants(a[t], st[t].replicates);
        /* every interview's P(matched here) is covered too (smoothed SE) */
        const uint64_t n = st[t].replicates;
        double worst_iv = 0;
        for (size_t k = 0; k < rmc_model_n_interviews(model); k++) {
            const double p = ((double)rmc_accum_iv_matched(a[t])[k] + 1.0) / ((double)n + 2.0);
            worst_iv = fmax(worst_iv, sqrt(p * (1 - p) / (double)n));
        }
        assert_true(worst_iv <= 0.037);
        assert_true(worst_iv <= st[t].max_se);
    }
    assert_int_equal(st[0].replicates, st[1].replicates);
    assert_same_totals(a[0], a[1]);
    rmc_accum_free(a[1]);
    rmc_accum_free(a[0]);
}

/* --until-se covers each interview's P(matched here), not only P(match):
 * in tests/data/sim_spare both applicants always match (smoothed SE after
 * 64 replicates 0.015) but split between two programs (SE ~ 0.5/sqrt(n)),
 * so an SE of 0.05 needs at least 100 replicates: two batches. */
static void test_rmc_sim_run_until_se_interviews(void **state)
{
    (void)state;
    rmc_model *m = NULL;
    assert_int_equal(rmc_model_load(RMC_TEST_DATA "/sim_spare", NULL, NULL, &m), RMC_OK);
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.replicates = 100000;
    o.until_se = 0.05;
    o.threads = 2;
    rmc_accum *a = NULL;
    rmc_sim_stats st;
    assert_int_equal(rmc_sim_run(m, rmc_model_params(m), &o, &a, &st, NULL), RMC_OK);
    assert_true(st.se_reached);
    assert_true(st.replicates >= 2 * RMC_SIM_BATCH);
    const uint64_t n = st.replicates;
    for (size_t k = 0; k < rmc_model_n_interviews(m); k++) {
        const double p = ((double)rmc_accum_iv_matched(a)[k] + 1.0) / ((double)n + 2.0);
        assert_true(sqrt(p * (1 - p) / (double)n) <= 0.05);
    }
    rmc_accum_free(a);
    rmc_model_free(m);
}

/* Per-replicate matched counts by type (tests/data/sim_seats: six IMGs for
 * the two seats of P1, four US MDs and one US DO for the four of P2, every
 * list ranking everyone). The stored sums equal what every replicate's
 * recorded outcome gives, for 1 and 2 threads alike; and the group rate's
 * SE from them goes the known way: no spread at all for the IMGs and for
 * all applicants (exactly 2 and 6 match every replicate) where the
 * independence SE is clearly positive; the lone US DO's equals the binomial
 * SE up to the n / (n - 1) of the sample variance; the US MDs' is the DO's
 * over 4 (4 - X of them match when X DOs do). */
static void test_rmc_sim_run_type_sums(void **state)
{
    (void)state;
    rmc_model *m = NULL;
    assert_int_equal(rmc_model_load(RMC_TEST_DATA "/sim_seats", NULL, NULL, &m), RMC_OK);
    enum { R = 300, NAPP = 11 };
    assert_int_equal(rmc_model_n_applicants(m), NAPP);
    rmc_id focal[NAPP];
    for (size_t i = 0; i < NAPP; i++) {
        focal[i] = (rmc_id)i;
    }
    static int32_t choice[R][NAPP];
    rmc_accum *a[2] = {NULL, NULL};
    for (int t = 0; t < 2; t++) {
        rmc_sim_options o;
        rmc_sim_options_default(&o);
        o.seed = 4711;
        o.replicates = R;
        o.threads = t + 1;
        o.n_focal = NAPP;
        o.focal = focal;
        o.focal_choice = &choice[0][0];
        rmc_sim_stats st;
        assert_int_equal(rmc_sim_run(m, rmc_model_params(m), &o, &a[t], &st, NULL), RMC_OK);
    }
    assert_same_totals(a[0], a[1]);
    uint64_t want_s[RMC_ACCUM_TYPE_GROUPS] = {0}, want_q[RMC_ACCUM_TYPE_GROUPS] = {0};
    for (size_t r = 0; r < R; r++) {
        uint64_t c[RMC_ACCUM_TYPE_GROUPS] = {0};
        for (size_t i = 0; i < NAPP; i++) {
            if (choice[r][i] >= 0) {
                c[rmc_model_applicant_type(m, i)]++;
                c[RMC_N_TYPES]++;
            }
        }
        assert_int_equal(c[RMC_TYPE_IMG], 2);
        for (size_t t = 0; t < RMC_ACCUM_TYPE_GROUPS; t++) {
            want_s[t] += c[t];
            want_q[t] += c[t] * c[t];
        }
    }
    uint64_t sum[RMC_ACCUM_TYPE_GROUPS], sumsq[RMC_ACCUM_TYPE_GROUPS];
    rmc_accum_rep_sums(a[0], RMC_REP_TYPE, RMC_ACCUM_TYPE_GROUPS, sum, sumsq);
    assert_memory_equal(sum, want_s, sizeof sum);
    assert_memory_equal(sumsq, want_q, sizeof sumsq);
    assert_int_equal(sum[RMC_N_TYPES], 6 * R);
    assert_true(sum[RMC_TYPE_US_DO] > R / 4 && sum[RMC_TYPE_US_DO] < R);
    /* The SEs, through a result as a file would hold it. */
    const rmc_accum_dims *dm = rmc_accum_get_dims(a[0]);
    const uint32_t *ch = rmc_accum_choice_hist(a[0]);
    double p[NAPP];
    char type_text[NAPP][16], group_text[RMC_ACCUM_TYPE_GROUPS][16];
    char *types[NAPP], *groups[RMC_ACCUM_TYPE_GROUPS];
    uint64_t rows[2 * RMC_ACCUM_TYPE_GROUPS];
    for (size_t i = 0; i < NAPP; i++) {
        const uint32_t unmatched = ch[i * (dm->choice_len + 1) + dm->choice_len];
        p[i] = (double)(R - unmatched) / R;
        snprintf(type_text[i], sizeof type_text[i], "%s",
                 rmc_type_name(rmc_model_applicant_type(m, i)));
        types[i] = type_text[i];
    }
    for (size_t t = 0; t < RMC_ACCUM_TYPE_GROUPS; t++) {
        snprintf(group_text[t], sizeof group_text[t], "%s",
                 t < RMC_N_TYPES ? rmc_type_name((rmc_type)t) : "all");
        groups[t] = group_text[t];
        rows[2 * t] = sum[t];
        rows[2 * t + 1] = sumsq[t];
    }
    rmc_result res;
    memset(&res, 0, sizeof res);
    res.replicates = R;
    res.n_app = NAPP;
    res.app_type = types;
    res.p_match = p;
    res.n_type_groups = RMC_ACCUM_TYPE_GROUPS;
    res.type_groups = groups;
    res.type_matched_sums = rows;
    rmc_group_rate *g = NULL;
    size_t n = 0;
    assert_int_equal(rmc_groups_rates(&res, (const char *const *)types, &g, &n, NULL), RMC_OK);
    rmc_groups_type_se(&res, g, n);
    rmc_market_rates mk;
    rmc_groups_market(&res, &mk);
    assert_int_equal(n, 3);
    const rmc_group_rate *img = &g[0], *dO = &g[1], *md = &g[2];
    assert_string_equal(img->name, "IMG");
    assert_string_equal(dO->name, "US_DO");
    assert_string_equal(md->name, "US_MD");
    assert_close(img->rate, 2.0 / 6.0, 1e-12, 0);
    assert_true(img->se_rep == 0.0 && img->se > 0.005);
    assert_true(mk.all.se_rep == 0.0 && mk.all.se > 0.003);
    assert_close(dO->se_rep, dO->se * sqrt((double)R / (R - 1)), 1e-9, 0);
    assert_close(md->se_rep, dO->se_rep / 4.0, 1e-9, 0);
    assert_true(md->se_rep < md->se);
    rmc_groups_rates_free(g);
    rmc_accum_free(a[1]);
    rmc_accum_free(a[0]);
    rmc_model_free(m);
}

/* Couples (tests/data/sim_couples): the joint lists reach the Match with
 * each member's rank, members' matches map back to their interviews
 * (invariants), every converged matching is stable, non-converged
 * replicates are counted, and threads do not change anything. Three
 * batches: this market once overran the couples matcher's queue of programs
 * to rescan (fixed in match_da.c), which ASan caught here. */
static void test_rmc_sim_run_couples(void **state)
{
    (void)state;
    rmc_model *saved = model;
    rmc_problems *pr = NULL;
    assert_int_equal(rmc_problems_alloc(10, &pr), RMC_OK);
    rmc_model *mc = NULL;
    assert_int_equal(rmc_model_load(RMC_TEST_DATA "/sim_couples", pr, NULL, &mc), RMC_OK);
    rmc_problems_free(pr);
    assert_int_equal(rmc_model_n_couples(mc), 2);
    model = mc; /* check_invariants reads `model` */
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.replicates = 3 * RMC_SIM_BATCH;
    o.check_stability = true;
    rmc_accum *a[2] = {NULL, NULL};
    rmc_sim_stats st[2];
    for (int t = 0; t < 2; t++) {
        o.threads = t + 1;
        rmc_diag d = {0};
        const rmc_status s = rmc_sim_run(mc, rmc_model_params(mc), &o, &a[t], &st[t], &d);
        if (s != RMC_OK) {
            fail_msg("couples run: %s", d.message);
        }
        assert_int_equal(st[t].unstable, 0);
        assert_int_equal(st[t].unconverged, rmc_accum_unconverged(a[t]));
        assert_true(st[t].unconverged == 0 ||
                    (st[t].first_unconverged >= 0 && st[t].first_unconverged < 3 * RMC_SIM_BATCH));
        check_invariants(a[t], 3 * RMC_SIM_BATCH);
    }
    assert_int_equal(st[0].first_unconverged, st[1].first_unconverged);
    assert_same_totals(a[0], a[1]);
    /* The restart histogram: every replicate once, the same for any thread
     * count; non-converged replicates (this market has about 11%, nearly
     * all without a stable matching: docs/match.md) used every restart the
     * model allows. */
    const uint64_t *rh[2] = {rmc_accum_restart_hist(a[0]), rmc_accum_restart_hist(a[1])};
    uint64_t total = 0, unconv = 0;
    const size_t bound = (size_t)rmc_model_params(mc)->match_couples_restarts;
    for (size_t k = 0; k < 2 * RMC_ACCUM_RESTART_BINS; k++) {
        assert_int_equal(rh[0][k], rh[1][k]);
        total += rh[0][k];
        if (k >= RMC_ACCUM_RESTART_BINS) {
            unconv += rh[0][k];
            if (rh[0][k] > 0) {
                assert_int_equal(k - RMC_ACCUM_RESTART_BINS, bound);
            }
        }
    }
    assert_int_equal(total, 3 * RMC_SIM_BATCH);
    assert_int_equal(unconv, st[0].unconverged);
    assert_true(unconv > 0);
    /* The non-converged replicates' matchings, checked: each is unstable
     * (an attempt stops only when a round moved someone), so at least one
     * agent blocks each; the same for any thread count. */
    uint64_t bs[2][2], bq[2][2];
    rmc_accum_rep_sums(a[0], RMC_REP_BLOCK_APPLICANTS, 2, bs[0], bq[0]);
    rmc_accum_rep_sums(a[1], RMC_REP_BLOCK_APPLICANTS, 2, bs[1], bq[1]);
    assert_memory_equal(bs[0], bs[1], sizeof bs[0]);
    assert_memory_equal(bq[0], bq[1], sizeof bq[0]);
    assert_true(bs[0][0] + bs[0][1] >= unconv);
    assert_true(bq[0][0] >= bs[0][0] && bq[0][1] >= bs[0][1]); /* counts are whole numbers */
    {
        /* Not checked: nothing counted, the rest as before. */
        o.check_stability = false;
        o.threads = 1;
        rmc_accum *u = NULL;
        rmc_sim_stats su;
        rmc_diag d = {0};
        assert_int_equal(rmc_sim_run(mc, rmc_model_params(mc), &o, &u, &su, &d), RMC_OK);
        assert_int_equal(su.unconverged, st[0].unconverged);
        rmc_accum_rep_sums(u, RMC_REP_BLOCK_APPLICANTS, 2, bs[1], bq[1]);
        assert_int_equal(bs[1][0] + bs[1][1] + bq[1][0] + bq[1][1], 0);
        rmc_accum_free(u);
    }
    /* Couples' per-replicate counts: the same for any thread count, and
     * their totals equal what the members' choice histograms say (member
     * a counted at entries naming both programs: both matched; a or b at
     * entries naming one: exactly one matched). */
    uint64_t cs[2][2], cq[2][2];
    rmc_accum_rep_sums(a[0], RMC_REP_COUPLE_BOTH, 2, cs[0], cq[0]);
    rmc_accum_rep_sums(a[1], RMC_REP_COUPLE_BOTH, 2, cs[1], cq[1]);
    assert_memory_equal(cs[0], cs[1], sizeof cs[0]);
    assert_memory_equal(cq[0], cq[1], sizeof cq[0]);
    {
        const rmc_accum_dims *dc = rmc_accum_get_dims(a[0]);
        const uint32_t *hc = rmc_accum_choice_hist(a[0]);
        const size_t cols = dc->choice_len + 1;
        uint64_t both = 0, one = 0;
        for (size_t c = 0; c < mc->n_couples; c++) {
            for (size_t e = mc->crol_off[c]; e < mc->crol_off[c + 1]; e++) {
                const size_t k = e - mc->crol_off[c];
                const size_t ia = (size_t)mc->couple_a[c], ib = (size_t)mc->couple_b[c];
                if (mc->crol_pa[e] != RMC_ID_NONE && mc->crol_pb[e] != RMC_ID_NONE) {
                    both += hc[ia * cols + k];
                    assert_int_equal(hc[ia * cols + k], hc[ib * cols + k]);
                } else {
                    one += hc[ia * cols + k] + hc[ib * cols + k];
                }
            }
        }
        assert_int_equal(both, cs[0][0]);
        assert_int_equal(one, cs[0][1]);
        assert_true(cq[0][0] >= cs[0][0] && cq[0][0] <= 2 * cs[0][0]); /* X in {0, 1, 2} */
        assert_true(both > 0);
    }
    /* The couple a00 + a01: a01 is never matched when a00 matched alone
     * (the last joint entry), so a01 matches no more often than a00. */
    const rmc_accum_dims *dm = rmc_accum_get_dims(a[0]);
    const uint32_t *ch = rmc_accum_choice_hist(a[0]);
    const size_t cc = dm->choice_len + 1;
    assert_true(ch[1 * cc + dm->choice_len] >= ch[0 * cc + dm->choice_len]);
    rmc_accum_free(a[1]);
    rmc_accum_free(a[0]);
    model = saved;
    rmc_model_free(mc);
}

typedef struct ckpt_capture {
    rmc_accum *copy; /* the totals at the last checkpoint */
    uint64_t calls;
    volatile int stop; /* set once `stop_at` replicates are saved */
    uint64_t stop_at;
} ckpt_capture;

static rmc_status capture(void *ctx, const rmc_accum *totals, rmc_diag *d)
{
    ckpt_capture *c = ctx;
    c->calls++;
    assert_int_equal(rmc_accum_replicates(totals) % RMC_SIM_BATCH, 0);
    rmc_accum_clear(c->copy);
    RMC_TRY(rmc_accum_merge(c->copy, totals, d));
    if (rmc_accum_replicates(totals) >= c->stop_at) {
        c->stop = 1;
    }
    return RMC_OK;
}

/* Checkpoint after 128 of 200 replicates, stop, resume with another thread
 * count: the same totals as one uninterrupted run. */
static void test_rmc_sim_run_checkpoint_resume(void **state)
{
    (void)state;
    rmc_sim_stats st;
    rmc_accum *whole = run(2385, 2, 200, &st);
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.seed = 2385;
    o.replicates = 200;
    o.threads = 2;
    ckpt_capture c = {NULL, 0, 0, 128};
    assert_int_equal(rmc_accum_alloc(rmc_accum_get_dims(whole), true, &c.copy, NULL), RMC_OK);
    o.checkpoint_every = 50; /* boundaries at 64 and 128 */
    o.checkpoint = capture;
    o.checkpoint_ctx = &c;
    o.stop = &c.stop;
    rmc_accum *part = NULL;
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &part, &st, NULL), RMC_OK);
    assert_true(st.stopped);
    assert_int_equal(st.replicates, 128);
    assert_int_equal(c.calls, 2);
    assert_same_totals(part, c.copy);
    rmc_sim_options r;
    rmc_sim_options_default(&r);
    r.seed = 2385;
    r.replicates = 200;
    r.threads = 3;
    r.resume = c.copy;
    rmc_accum *rest = NULL;
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &r, &rest, &st, NULL), RMC_OK);
    assert_int_equal(st.replicates, 200);
    assert_same_totals(rest, whole);
    /* A checkpoint with more replicates than asked is refused. */
    r.replicates = 100;
    rmc_accum *none = NULL;
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &r, &none, &st, NULL), RMC_EUSAGE);
    rmc_accum_free(rest);
    rmc_accum_free(part);
    rmc_accum_free(c.copy);
    rmc_accum_free(whole);
}

/* A resumed run meets the batch boundaries of an uninterrupted one
 * whatever its start (a stop inside a batch leaves any count): from 100
 * replicates, --until-se decides at 128, 192, ... as the whole run does,
 * and stops at the same count with the same totals; so does a plain run. */
static void test_rmc_sim_run_resume_inside_batch(void **state)
{
    (void)state;
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.seed = 77;
    o.replicates = 100000;
    o.until_se = 0.03;
    o.threads = 2;
    rmc_accum *whole = NULL;
    rmc_sim_stats sw;
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &whole, &sw, NULL), RMC_OK);
    assert_true(sw.se_reached);
    assert_int_equal(sw.replicates % RMC_SIM_BATCH, 0);
    assert_true(sw.replicates > 2 * RMC_SIM_BATCH);
    rmc_sim_stats s100;
    rmc_accum *part = run(77, 1, 100, &s100);
    o.resume = part;
    o.threads = 3;
    rmc_accum *rest = NULL;
    rmc_sim_stats sr;
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &rest, &sr, NULL), RMC_OK);
    assert_int_equal(sr.replicates, sw.replicates);
    assert_same_totals(rest, whole);
    rmc_accum_free(rest);
    /* without --until-se: 100 resumed to 300 is the run of 300 */
    rmc_sim_stats s300;
    rmc_accum *whole300 = run(77, 2, 300, &s300);
    o.until_se = 0;
    o.replicates = 300;
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &rest, &sr, NULL), RMC_OK);
    assert_int_equal(sr.replicates, 300);
    assert_same_totals(rest, whole300);
    rmc_accum_free(rest);
    rmc_accum_free(whole300);
    rmc_accum_free(part);
    rmc_accum_free(whole);
}

typedef struct late_stop {
    int flag;
    unsigned ms;
} late_stop;

static void *raise_stop(void *arg)
{
    late_stop *l = arg;
    const struct timespec t = {(time_t)(l->ms / 1000), (long)(l->ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
    __atomic_store_n(&l->flag, 1, __ATOMIC_RELAXED);
    return NULL;
}

/* The stop flag raised by another thread while a long run is under way
 * (a signal, as rankmc run catches it): one process stops after the
 * replicates under way, nearly always inside a batch, and what it kept is
 * exactly the first replicates: the totals equal a run of that many, and
 * resumed they end as an uninterrupted run. Holds at whatever count the
 * stop lands. */
static void test_rmc_sim_run_stop_inside_batch(void **state)
{
    (void)state;
    unsigned inside = 0;
    for (unsigned attempt = 0; attempt < 3; attempt++) {
        rmc_sim_options o;
        rmc_sim_options_default(&o);
        o.seed = 91 + attempt;
        o.replicates = 100000000;
        o.threads = 2;
        late_stop l = {0, 20 + 15 * attempt};
        o.stop = &l.flag;
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, raise_stop, &l), 0);
        rmc_accum *a = NULL;
        rmc_sim_stats st;
        assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &a, &st, NULL), RMC_OK);
        assert_int_equal(pthread_join(th, NULL), 0);
        assert_true(st.stopped);
        assert_true(st.replicates < o.replicates);
        assert_int_equal(rmc_accum_replicates(a), st.replicates);
        inside += st.replicates % RMC_SIM_BATCH != 0;
        if (st.replicates > 0) {
            check_invariants(a, st.replicates);
            rmc_sim_stats s1;
            rmc_accum *b = run(o.seed, 1, st.replicates, &s1);
            assert_same_totals(a, b);
            rmc_accum_free(b);
        }
        const uint64_t n = st.replicates + 100;
        rmc_sim_options r;
        rmc_sim_options_default(&r);
        r.seed = o.seed;
        r.replicates = n;
        r.threads = 3;
        r.resume = a;
        rmc_accum *rest = NULL;
        assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &r, &rest, &st, NULL), RMC_OK);
        rmc_sim_stats sn;
        rmc_accum *whole = run(o.seed, 2, n, &sn);
        assert_same_totals(rest, whole);
        rmc_accum_free(whole);
        rmc_accum_free(rest);
        rmc_accum_free(a);
    }
    print_message("stop inside a batch: %u of 3 runs\n", inside);
}

static void test_rmc_sim_run_bad_options(void **state)
{
    (void)state;
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.replicates = 0;
    rmc_accum *a = NULL;
    rmc_sim_stats st;
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &a, &st, NULL), RMC_EUSAGE);
    o.replicates = 10;
    o.until_se = -0.37;
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &a, &st, NULL), RMC_EUSAGE);
    o.until_se = 0;
    o.rng_name = "no-such-generator";
    assert_int_equal(rmc_sim_run(model, rmc_model_params(model), &o, &a, &st, NULL), RMC_EUSAGE);
    assert_null(a);
}

/* No more than a few replicates per allocation point: checks a clean
 * RMC_ENOMEM and, under ASan, no leaks. */
static void test_rmc_sim_run_alloc_failure_sweep(void **state)
{
    (void)state;
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.replicates = 2;
    o.threads = 2;
    for (size_t k = 1; k < 10000; k++) {
        rmc_mem_fail_at(k);
        rmc_accum *a = NULL;
        rmc_sim_stats st;
        const rmc_status s = rmc_sim_run(model, rmc_model_params(model), &o, &a, &st, NULL);
        rmc_mem_fail_at(0);
        if (s == RMC_OK) {
            assert_true(k > 20);
            check_invariants(a, 2);
            rmc_accum_free(a);
            return;
        }
        assert_int_equal(s, RMC_ENOMEM);
        assert_null(a);
    }
    fail_msg("rmc_sim_run never succeeded");
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_sim_run_thread_count_invariant),
        cmocka_unit_test(test_rmc_sim_run_soap_leaves_match),
        cmocka_unit_test(test_rmc_sim_run_seed_decides),
        cmocka_unit_test(test_rmc_sim_run_check_stability),
        cmocka_unit_test(test_rmc_sim_run_rank_bins),
        cmocka_unit_test(test_rmc_sim_plan_memory_limit),
        cmocka_unit_test(test_rmc_sim_run_stop_at_batch),
        cmocka_unit_test(test_rmc_sim_run_until_se),
        cmocka_unit_test(test_rmc_sim_run_until_se_interviews),
        cmocka_unit_test(test_rmc_sim_run_type_sums),
        cmocka_unit_test(test_rmc_sim_run_couples),
        cmocka_unit_test(test_rmc_sim_run_checkpoint_resume),
        cmocka_unit_test(test_rmc_sim_run_resume_inside_batch),
        cmocka_unit_test(test_rmc_sim_run_stop_inside_batch),
        cmocka_unit_test(test_rmc_sim_run_bad_options),
        cmocka_unit_test(test_rmc_sim_run_alloc_failure_sweep),
    };
    return cmocka_run_group_tests(tests, load_model, free_model);
}
