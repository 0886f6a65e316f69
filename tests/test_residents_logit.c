/* Resident feedback's comment split (meeting.c, binomial_logit) at fixed
 * likabilities on both sides of 0 and near it: with sigma_like = 0 and no
 * communication term, a name's (positive, negative) comment counts are
 * multinomial(R; p_comment pi, p_comment (1 - pi), 1 - p_comment) with pi =
 * logistic(like_base). The counts are read back from the resident move
 * (1 spot per positive, 100 per negative, scale 1) and compared with the
 * multinomial by a chi-square over every cell (P = 1e-6 cut-off). Then the
 * meeting's split without libm's exp (rmc_comment_split) against its
 * definition, word for word, and rmc_exp_neg's accuracy. */
#include "test_util.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "meeting_int.h"
#include "model_fixture.h"

enum { N = 400, R = 4 };

static rmc_model *one_meeting(double like)
{
    rmc_model *m = fx_alloc(N, 1, N);
    for (size_t i = 0; i < N; i++) {
        m->iv_app[i] = (rmc_id)i;
        m->pre_score[i] = 0.01 * (double)i;
    }
    m->positions[0] = 3;
    m->residents[0] = R;
    m->params.meeting_reference_list = N;
    m->params.residents_p_comment = 0.37;
    m->params.residents_like_base = like;
    m->params.residents_like_communication = 0;
    m->params.residents_sigma_like = 0;
    m->params.residents_spots_positive = 1;
    m->params.residents_spots_negative = 100;
    fx_index(m);
    return m;
}

/* The (positive, negative) counts behind a resident move v = pos - 100 neg. */
static size_t cell_of(float v)
{
    for (int neg = 0; neg <= R; neg++) {
        const double pos = (double)v + 100.0 * neg;
        if (pos >= 0 && pos + neg <= R && pos == floor(pos)) {
            return (size_t)neg * (R + 1) + (size_t)pos;
        }
    }
    fail_msg("resident move %g is not pos - 100 neg", (double)v);
    return 0;
}

static void check_split(double like, uint64_t seed)
{
    rmc_model *m = one_meeting(like);
    rmc_meeting_ws *w = NULL;
    rmc_rng *r = NULL;
    assert_int_equal(rmc_meeting_ws_alloc(m, &w, NULL), RMC_OK);
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    double *day = fx_calloc(N, sizeof *day);
    int32_t *rank = fx_calloc(N, sizeof *rank);
    float *moves = fx_calloc(N * RMC_N_FACTORS, sizeof *moves);
    double count[(R + 1) * (R + 1)] = {0};
    const size_t reps = rmc_test_quick() ? 15 : 60;
    for (size_t rep = 0; rep < reps; rep++) {
        rmc_meeting_run(m, &m->params, 0, day, r, seed, rep, w, rank, moves);
        for (size_t k = 0; k < N; k++) {
            count[cell_of(moves[k * RMC_N_FACTORS + RMC_FACTOR_RESIDENTS])] += 1;
        }
    }
    const double pc = 0.37, pi = 1 / (1 + exp(-like)), n = (double)(reps * N);
    const double p3[3] = {pc * pi, pc * (1 - pi), 1 - pc};
    double chi2 = 0;
    int cells = 0;
    for (int neg = 0; neg <= R; neg++) {
        for (int pos = 0; pos + neg <= R; pos++) {
            const unsigned k[3] = {(unsigned)pos, (unsigned)neg, (unsigned)(R - pos - neg)};
            const double e = n * gsl_ran_multinomial_pdf(3, p3, k);
            const double o = count[neg * (R + 1) + pos];
            chi2 += (o - e) * (o - e) / e;
            cells++;
        }
    }
    assert_true(chi2 < gsl_cdf_chisq_Qinv(1e-6, cells - 1));
    free(moves);
    free(rank);
    free(day);
    rmc_rng_free(r);
    rmc_meeting_ws_free(w);
    fx_free(m);
}

static void test_rmc_meeting_residents_split_fixed_likability(void **state)
{
    (void)state;
    check_split(0.17, 3);
    check_split(-0.23, 4);
    check_split(2.385, 5);
    check_split(-1.9, 6);
}

/* rmc_exp_neg is within a relative 2^-44 of libm's exp(-y) over its whole
 * range (comment_split's margin assumes 2^-40): a grid of step 2^-12 up to
 * 8, then of step 2^-6 up to RMC_EXP_NEG_MAX, and random points. */
static void test_rmc_exp_neg_relative_error(void **state)
{
    (void)state;
    double worst = 0;
    assert_true(rmc_exp_neg(0) == 1.0);
    for (double y = 0; y <= RMC_EXP_NEG_MAX; y += y < 8 ? 0x1p-12 : 0x1p-6) {
        const double ref = exp(-y), err = fabs(rmc_exp_neg(y) - ref) / ref;
        worst = err > worst ? err : worst;
    }
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 44);
    for (int i = 0; i < 200000; i++) {
        const double y = RMC_EXP_NEG_MAX * gsl_rng_uniform(g);
        const double ref = exp(-y), err = fabs(rmc_exp_neg(y) - ref) / ref;
        worst = err > worst ? err : worst;
    }
    gsl_rng_free(g);
    assert_true(worst <= 0x1p-44);
}

/* binomial_logit's inversion thresholds at (like, n): u at which the count
 * steps, into th[0 .. n), as the definition computes them (libm's exp). */
static void thresholds(double like, unsigned n, double *th)
{
    const double e = exp(-fabs(like)), q = 1.0 / (1.0 + e);
    double pmf = 1, cum = 0;
    for (unsigned t = 0; t < n; t++) {
        pmf *= q;
    }
    for (unsigned x = 0; x < n; x++) {
        cum += pmf;
        th[x] = cum;
        pmf *= e * (double)(n - x) / (double)(x + 1);
    }
}

/* The meeting's comment split equals its definition for every input tried:
 * random cells of real comment tables, likabilities from N(0, 3^2) and
 * extremes (0, -0, past RMC_EXP_NEG_MAX, infinities, NaN), and uniforms
 * placed within a few ulps of every inversion threshold, where the
 * approximation must give way to the definition. */
static void test_rmc_comment_split_equals_definition(void **state)
{
    (void)state;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 2026);
    const int n_random = rmc_test_quick() ? 200000 : 2000000;
    const double extremes[] = {0.0,   -0.0,   1e-300,   36.0,      -36.0,  699.9,
                               700.1, -800.0, HUGE_VAL, -HUGE_VAL, nan("")};
    size_t n_cases = 0;
    for (int i = 0; i < n_random; i++) {
        /* a comment table's cell, as the meeting builds it */
        const unsigned r = 1 + (unsigned)gsl_rng_uniform_int(g, RMC_MAX_TABLE_RESIDENTS);
        const double pc = 0.02 + 0.96 * gsl_rng_uniform(g);
        const unsigned n = 1 + (unsigned)gsl_rng_uniform_int(g, r);
        const double lo = gsl_cdf_binomial_P(n - 1, pc, r), hi = gsl_cdf_binomial_P(n, pc, r);
        if (!(hi > lo)) {
            continue;
        }
        const double inv = 1.0 / (hi - lo);
        const double u = lo + (hi - lo) * gsl_rng_uniform(g);
        const double like = i % 64 == 0
                                ? extremes[(size_t)i / 64 % (sizeof extremes / sizeof *extremes)]
                                : 3.0 * gsl_ran_gaussian(g, 1.0);
        assert_int_equal(rmc_comment_split(u, lo, hi, inv, like, n),
                         rmc_comment_split_exact(u, lo, hi, like, n));
        n_cases++;
    }
    /* at the thresholds: the cell [0, 1), so the split's uniform is u */
    double th[RMC_MAX_TABLE_RESIDENTS];
    for (int i = 0; i < 20000; i++) {
        const unsigned n = 1 + (unsigned)gsl_rng_uniform_int(g, RMC_MAX_TABLE_RESIDENTS);
        const double like = 4.0 * gsl_ran_gaussian(g, 1.0);
        thresholds(like, n, th);
        for (unsigned x = 0; x < n; x++) {
            double u = th[x];
            for (int k = 0; k < 6; k++) {
                u = nextafter(u, 0.0);
            }
            for (int k = 0; k < 12 && u < 1; k++, u = nextafter(u, 1.0)) {
                assert_int_equal(rmc_comment_split(u, 0.0, 1.0, 1.0, like, n),
                                 rmc_comment_split_exact(u, 0.0, 1.0, like, n));
                n_cases++;
            }
        }
    }
    gsl_rng_free(g);
    assert_true(n_cases > (size_t)n_random / 2);
}

int main(void)
{
    (void)fx_market; /* the fixture's market builder is not needed here */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_meeting_residents_split_fixed_likability),
        cmocka_unit_test(test_rmc_exp_neg_relative_error),
        cmocka_unit_test(test_rmc_comment_split_equals_definition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
