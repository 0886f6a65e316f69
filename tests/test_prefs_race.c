/* Tests for the exponential-race form of Gumbel taste shocks (rols.c):
 * an applicant's whole ranking of three programs follows the
 * Plackett-Luce (multinomial-logit) law, P(a, b, c) = w_a / (w_a + w_b +
 * w_c) x w_b / (w_b + w_c), w = exp(U / sigma), through the race keys, through the
 * log form the code falls back to when desirabilities are too spread for
 * float keys, and after the parameters change (the cached weights are
 * rebuilt). Frequencies of all six orders within 5 sigma. */
#include "test_util.h"

#include "model_fixture.h"
#include "meeting_int.h"

/* Applicant 0 interviews programs 0, 1, 2 (interview k at program k);
 * program 3 exists only to stretch the desirability range. */
static rmc_model *three_programs(double far)
{
    rmc_model *m = fx_alloc(1, 4, 3);
    for (size_t k = 0; k < 3; k++) {
        m->iv_prog[k] = (rmc_id)k;
    }
    m->desirability[0] = 0.37;
    m->desirability[1] = -0.81;
    m->desirability[2] = 1.14;
    m->desirability[3] = far;
    m->ties[1] = 1;
    m->params.preferences_noise = 0;
    m->params.preferences_beta_ties = 0.62;
    fx_index(m);
    return m;
}

static size_t order_index(const rmc_id *rol)
{
    static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                    {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (size_t q = 0; q < 6; q++) {
        if (rol[0] == perms[q][0] && rol[1] == perms[q][1] && rol[2] == perms[q][2]) {
            return q;
        }
    }
    fail_msg("not a permutation: %d %d %d", rol[0], rol[1], rol[2]);
    return 6;
}

static void check_law(rmc_model *m, double sigma, bool expect_race, uint64_t seed)
{
    static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                    {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    m->params.preferences_sigma = sigma;
    rmc_meeting_ws *w = NULL;
    rmc_rng *r = NULL;
    assert_int_equal(rmc_meeting_ws_alloc(m, &w, NULL), RMC_OK);
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    rmc_id rol[3];
    double count[6] = {0};
    const size_t n = rmc_test_quick() ? 6000 : 48000;
    /* first with another sigma, so the cache must be rebuilt for this one */
    m->params.preferences_sigma = sigma * 1.7;
    assert_int_equal(rmc_prefs_generate(m, &m->params, 0, r, seed, 0, w, rol), 3);
    m->params.preferences_sigma = sigma;
    for (size_t rep = 0; rep < n; rep++) {
        assert_int_equal(rmc_prefs_generate(m, &m->params, 0, r, seed, rep, w, rol), 3);
        count[order_index(rol)] += 1;
    }
    assert_true(w->race_ok == expect_race);
    double u[3];
    for (size_t k = 0; k < 3; k++) {
        u[k] = exp((m->desirability[k] + m->params.preferences_beta_ties * m->ties[k]) / sigma);
    }
    for (size_t q = 0; q < 6; q++) {
        const double a = u[perms[q][0]], b = u[perms[q][1]], c = u[perms[q][2]];
        const double p = a / (a + b + c) * b / (b + c);
        const double se = sqrt(p * (1 - p) / (double)n);
        assert_close(count[q] / (double)n, p, 0, 5 * se);
    }
    rmc_rng_free(r);
    rmc_meeting_ws_free(w);
}

static void test_rmc_prefs_race_plackett_luce(void **state)
{
    (void)state;
    rmc_model *m = three_programs(0.5);
    check_law(m, 0.93, true, 11);
    check_law(m, 2.385, true, 12);
    fx_free(m);
}

static void test_rmc_prefs_log_fallback_plackett_luce(void **state)
{
    (void)state;
    rmc_model *m = three_programs(200.0); /* (200 + 0.81) / 2 / 0.93 > 40 */
    check_law(m, 0.93, false, 13);
    fx_free(m);
}

int main(void)
{
    (void)fx_market; /* the fixture's market builder is not needed here */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_prefs_race_plackett_luce),
        cmocka_unit_test(test_rmc_prefs_log_fallback_plackett_luce),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
