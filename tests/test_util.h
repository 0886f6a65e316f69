/* Helpers shared by the cmocka suites. cmocka 1.1.5 casts
 * assert_float_equal to float, so doubles go through assert_close, which
 * prints both values with 17 significant digits. */
#ifndef RANKMC_TEST_UTIL_H
#define RANKMC_TEST_UTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "rankmc/model.h"
#include "rankmc/sim.h"
#include "rankmc/status.h"

/* |actual - expected| <= atol + rtol * |expected|, else fail with both values. */
#define assert_close(actual, expected, rtol, atol)                                                 \
    rmc_test_assert_close((actual), (expected), (rtol), (atol), #actual, __FILE__, __LINE__)

static inline void rmc_test_assert_close(double actual, double expected, double rtol, double atol,
                                         const char *what, const char *file, int line)
{
    const double tol = atol + rtol * fabs(expected);
    if (!(fabs(actual - expected) <= tol)) {
        print_error("%s = %.17g, expected %.17g (tolerance %.3g)\n", what, actual, expected, tol);
        _fail(file, line);
    }
}

/* Nonzero when RMC_TEST_QUICK is set (sanitizer builds): statistical tests
 * use fewer replicates and widen nothing else. */
static inline int rmc_test_quick(void)
{
    const char *q = getenv("RMC_TEST_QUICK");
    return q != NULL && q[0] != '\0' && q[0] != '0';
}

/* The model in dir, loaded or the test failed (with every problem printed). */
static inline rmc_model *rmc_test_load_model(const char *dir)
{
    rmc_problems *pr = NULL;
    rmc_diag d = {0};
    rmc_model *m = NULL;
    assert_int_equal(rmc_problems_alloc(10, &pr), RMC_OK);
    const rmc_status st = rmc_model_load(dir, pr, &d, &m);
    for (size_t i = 0; i < rmc_problems_kept(pr); i++) {
        print_error("%s\n", rmc_problems_get(pr, i));
    }
    rmc_problems_free(pr);
    assert_int_equal(st, RMC_OK);
    return m;
}

/* n replicates of m under parameters p from seed on `threads` threads,
 * continuing from resume's totals when it is not NULL; the totals, or the
 * test failed with the engine's message. */
static inline rmc_accum *rmc_test_run(const rmc_model *m, const rmc_params *p, uint64_t seed,
                                      uint64_t n, int threads, const rmc_accum *resume)
{
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.resume = resume;
    o.seed = seed;
    o.replicates = n;
    o.threads = threads;
    rmc_sim_stats st;
    rmc_diag d = {0};
    rmc_accum *a = NULL;
    if (rmc_sim_run(m, p, &o, &a, &st, &d) != RMC_OK) {
        fail_msg("run: %s", d.message);
    }
    return a;
}

/* Directory of the test fixtures, relative to the repository root where
 * `make check` runs the tests. */
#define RMC_TEST_DATA "tests/data"

#endif
