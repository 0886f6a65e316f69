/* Resident feedback's comment split (meeting.c, binomial_logit) at fixed
 * likabilities on both sides of 0 and near it: with sigma_like = 0 and no
 * communication term, a name's (positive, negative) comment counts are
 * multinomial(R; p_comment pi, p_comment (1 - pi), 1 - p_comment) with pi =
 * logistic(like_base). The counts are read back from the resident move
 * (1 spot per positive, 100 per negative, scale 1) and compared with the
 * multinomial by a chi-square over every cell (P = 1e-6 cut-off). */
#include "test_util.h"

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

int main(void)
{
    (void)fx_market; /* the fixture's market builder is not needed here */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_meeting_residents_split_fixed_likability),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
