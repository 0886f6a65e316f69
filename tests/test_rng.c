/* Tests for rng.c: Philox known answers, stream naming, reproducibility,
 * independence of streams and the uniformity of the words and doubles. */
#include "test_util.h"

#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "rankmc/rng.h"

static rmc_rng *new_rng(void)
{
    rmc_rng *r = NULL;
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    return r;
}

/* Random123's published known answer for Philox4x32-10 with counter 0 and
 * key 0: the generator is wired to the real Philox, not a look-alike. */
static void test_rmc_rng_philox_known_answer(void **state)
{
    (void)state;
    rmc_rng *r = new_rng();
    gsl_rng *g = rmc_rng_gsl(r);
    gsl_rng_set(g, 0);
    assert_int_equal(gsl_rng_get(g), 0x6627e8d5UL);
    assert_int_equal(gsl_rng_get(g), 0xe169c58dUL);
    assert_int_equal(gsl_rng_get(g), 0xbc57ac4cUL);
    assert_int_equal(gsl_rng_get(g), 0x9b00dbd8UL);
    assert_string_equal(rmc_rng_name(r), "philox4x32");
    rmc_rng_free(r);
}

static void test_rmc_rng_alloc_unknown_name(void **state)
{
    (void)state;
    rmc_rng *r = (rmc_rng *)1;
    rmc_diag d = {0};
    assert_int_equal(rmc_rng_alloc("mt19937", &r, &d), RMC_EUSAGE);
    assert_null(r);
    assert_non_null(strstr(d.message, "philox4x32"));
}

static void draw(rmc_rng *r, uint64_t seed, uint64_t rep, rmc_stream_purpose p, uint32_t sub,
                 unsigned long *out, size_t n)
{
    rmc_rng_seek(r, seed, rep, p, sub);
    for (size_t i = 0; i < n; i++) {
        out[i] = gsl_rng_get(rmc_rng_gsl(r));
    }
}

/* Seeking to a stream always gives the same words, whatever was drawn
 * before; changing any part of the name gives different words. */
static void test_rmc_rng_seek_reproducible_and_distinct(void **state)
{
    (void)state;
    rmc_rng *r = new_rng();
    enum { N = 37 };
    unsigned long a[N], b[N];
    draw(r, 2385, 17, RMC_STREAM_MEETING, 3, a, N);
    draw(r, 99, 1, RMC_STREAM_TEST, 0, b, 5); /* disturb the state */
    draw(r, 2385, 17, RMC_STREAM_MEETING, 3, b, N);
    assert_memory_equal(a, b, sizeof a);
    const uint64_t names[][4] = {
        {2386, 17, RMC_STREAM_MEETING, 3},      {2385, 18, RMC_STREAM_MEETING, 3},
        {2385, 17, RMC_STREAM_PREFERENCES, 3},  {2385, 17, RMC_STREAM_MEETING, 4},
        {2385 + (UINT64_C(1) << 32), 17, RMC_STREAM_MEETING, 3},
        {2385, 17 + (UINT64_C(1) << 32), RMC_STREAM_MEETING, 3},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        draw(r, names[i][0], names[i][1], (rmc_stream_purpose)names[i][2], (uint32_t)names[i][3],
             b, N);
        size_t same = 0;
        for (size_t k = 0; k < N; k++) {
            same += a[k] == b[k];
        }
        assert_true(same <= 1);
    }
    rmc_rng_free(r);
}

/* Chi-square of 64 equal bins of gsl_rng_uniform over many streams, and the
 * mean and variance of GSL's gaussian sampler, within 5 sigma. */
static void test_rmc_rng_uniform_and_gaussian_moments(void **state)
{
    (void)state;
    rmc_rng *r = new_rng();
    gsl_rng *g = rmc_rng_gsl(r);
    enum { BINS = 64 };
    const size_t per_stream = 1000, streams = rmc_test_quick() ? 50 : 400;
    double count[BINS] = {0};
    double sum = 0, sumsq = 0;
    for (size_t s = 0; s < streams; s++) {
        rmc_rng_seek(r, 7, s, RMC_STREAM_TEST, 0);
        for (size_t i = 0; i < per_stream; i++) {
            const double u = gsl_rng_uniform(g);
            assert_true(u >= 0 && u < 1);
            count[(int)(u * BINS)] += 1;
            const double z = gsl_ran_gaussian_ziggurat(g, 2.385);
            sum += z;
            sumsq += z * z;
        }
    }
    const double n = (double)(per_stream * streams), expect = n / BINS;
    double chi2 = 0;
    for (int b = 0; b < BINS; b++) {
        chi2 += (count[b] - expect) * (count[b] - expect) / expect;
    }
    /* P(chi2_63 > x) = 1e-6 cut-off: fails only if the words are not uniform. */
    assert_true(chi2 < gsl_cdf_chisq_Qinv(1e-6, BINS - 1));
    const double mean = sum / n, var = sumsq / n - mean * mean, sd = 2.385;
    assert_close(mean, 0, 0, 5 * sd / sqrt(n));
    assert_close(var, sd * sd, 0, 5 * sd * sd * sqrt(2.0 / n));
    rmc_rng_free(r);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_rng_philox_known_answer),
        cmocka_unit_test(test_rmc_rng_alloc_unknown_name),
        cmocka_unit_test(test_rmc_rng_seek_reproducible_and_distinct),
        cmocka_unit_test(test_rmc_rng_uniform_and_gaussian_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
