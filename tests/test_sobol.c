/* Tests for sobol.c: the Saltelli design's row layout, Jansen's indices
 * against closed forms (Ishigami, a linear model, a pure interaction) with
 * tolerances taken from the bootstrap intervals, determinism, argument
 * errors and an allocation-failure sweep. */
#include "test_util.h"

#include <float.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>

#include "internal.h"
#include "rankmc/sobol.h"

typedef void (*model_fn)(const double *x, double *out);

/* Evaluate fn at every row of the design into a new y[rows * n_out]. */
static double *evaluate(const rmc_sobol_design *s, model_fn fn, size_t n_out)
{
    const size_t rows = rmc_sobol_design_rows(s);
    double *y = malloc(rows * n_out * sizeof *y);
    assert_non_null(y);
    double x[RMC_SOBOL_MAX_FACTORS];
    for (size_t row = 0; row < rows; row++) {
        assert_int_equal(rmc_sobol_design_point(s, row, x), RMC_OK);
        fn(x, y + row * n_out);
    }
    return y;
}

/* Build a design, evaluate fn, analyze; caller frees *res. */
static void run_case(size_t k, size_t n, const double *lo, const double *hi, model_fn fn,
                     size_t n_out, const rmc_sobol_opts *opts, rmc_sobol_result **res)
{
    rmc_sobol_design *s = NULL;
    rmc_diag d = {0};
    assert_int_equal(rmc_sobol_design_alloc(k, n, lo, hi, &s, &d), RMC_OK);
    double *y = evaluate(s, fn, n_out);
    const rmc_status st = rmc_sobol_analyze(s, y, n_out, opts, res, &d);
    if (st != RMC_OK) {
        print_error("rmc_sobol_analyze: %s\n", d.message);
    }
    assert_int_equal(st, RMC_OK);
    free(y);
    rmc_sobol_design_free(s);
}

/* The estimate must lie in its 95% interval, the analytic value in the
 * interval widened by a quarter of its width on each side (about 3 bootstrap
 * sigmas from the estimate), and the interval must be narrower than
 * max_width so the check has teeth. The bootstrap treats the Sobol' points
 * as independent draws, so it overstates the quasi-Monte Carlo error: the
 * estimates below land within a few percent of a width of the truth. */
static void assert_in_interval(const char *what, size_t i, double est, double lo, double hi,
                               double analytic, double max_width)
{
    const double w = hi - lo;
    const int ok = lo <= est && est <= hi && w >= 0 && w <= max_width &&
                   lo - 0.25 * w <= analytic && analytic <= hi + 0.25 * w;
    if (!ok) {
        print_error("%s[%zu] = %.6f, interval [%.6f, %.6f] (width %.4f, max %.4f), "
                    "analytic %.6f\n",
                    what, i, est, lo, hi, w, max_width, analytic);
        fail();
    }
}

static void assert_indices(const rmc_sobol_result *res, size_t o, const double *s1,
                           const double *st, double max_width)
{
    for (size_t i = 0; i < res->n_factors; i++) {
        const size_t c = o * res->n_factors + i;
        assert_in_interval("S1", i, res->s1[c], res->s1_lo[c], res->s1_hi[c], s1[i], max_width);
        assert_in_interval("ST", i, res->st[c], res->st_lo[c], res->st_hi[c], st[i], max_width);
    }
}

static size_t samples(size_t full, size_t quick)
{
    return rmc_test_quick() ? quick : full;
}

static rmc_sobol_opts test_opts(void)
{
    rmc_sobol_opts o;
    rmc_sobol_opts_default(&o);
    o.n_boot = rmc_test_quick() ? 200 : 500;
    o.boot_seed = 2385;
    return o;
}

/* ---- Ishigami: f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x ~ U(-pi, pi)^3 --- */

static const double ISH_A = 7.0, ISH_B = 0.1;

static void ishigami(const double *x, double *out)
{
    const double s2 = sin(x[1]);
    out[0] = sin(x[0]) + ISH_A * s2 * s2 + ISH_B * pow(x[2], 4) * sin(x[0]);
}

/* Closed form. With E sin^2 = 1/2, E sin^4 = 3/8, E x^4 = pi^4/5 and
 * E x^8 = pi^8/9 on U(-pi, pi):
 *   V1  = Var_x1 E[f | x1] = (1 + b pi^4/5)^2 / 2
 *   V2  = a^2 Var sin^2 x2 = a^2 (3/8 - 1/4) = a^2/8
 *   V3  = 0 (E[f | x3] is constant because E sin x1 = 0)
 *   V13 = b^2 Var(x3^4) E sin^2 x1 = b^2 pi^8 (1/9 - 1/25) / 2 = b^2 pi^8 (1/18 - 1/50)
 *   V   = V1 + V2 + V13 = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2. */
static void ishigami_indices(double *s1, double *st)
{
    const double pi4 = pow(M_PI, 4), pi8 = pow(M_PI, 8);
    const double a = ISH_A, b = ISH_B;
    const double v1 = 0.5 * (1 + b * pi4 / 5) * (1 + b * pi4 / 5);
    const double v2 = a * a / 8;
    const double v13 = b * b * pi8 * (1.0 / 18 - 1.0 / 50);
    const double v = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5;
    assert_close(v1 + v2 + v13, v, 1e-14, 0);
    s1[0] = v1 / v;
    s1[1] = v2 / v;
    s1[2] = 0;
    st[0] = (v1 + v13) / v;
    st[1] = v2 / v;
    st[2] = v13 / v;
}

static void test_rmc_sobol_analyze_ishigami(void **state)
{
    (void)state;
    double s1[3], st[3];
    ishigami_indices(s1, st);
    /* The values quoted in the literature (Saltelli et al. 2008, 4.4). */
    assert_close(s1[0], 0.314, 0, 5e-4);
    assert_close(s1[1], 0.442, 0, 5e-4);
    assert_close(st[0], 0.558, 0, 5e-4);
    assert_close(st[2], 0.244, 0, 5e-4);
    const double lo[3] = {-M_PI, -M_PI, -M_PI}, hi[3] = {M_PI, M_PI, M_PI};
    const rmc_sobol_opts opts = test_opts();
    rmc_sobol_result *res = NULL;
    run_case(3, samples(32768, 2048), lo, hi, ishigami, 1, &opts, &res);
    assert_int_equal(res->n_samples, samples(32768, 2048));
    assert_close(res->var[0], 13.844587940719254, 0.02, 0);
    assert_indices(res, 0, s1, st, rmc_test_quick() ? 0.2 : 0.05);
    rmc_sobol_result_free(res);
}

/* ---- linear: y = sum w_i x_i, x_i ~ U(lo_i, hi_i) ------------------------ */

static const double LIN_W[4] = {0.37, -2.385, 1.7, 0.9};
static const double LIN_LO[4] = {0.0, -0.5, 2.0, -3.0};
static const double LIN_HI[4] = {1.0, 1.3, 2.6, 1.0};

static void linear(const double *x, double *out)
{
    out[0] = 0;
    for (size_t i = 0; i < 4; i++) {
        out[0] += LIN_W[i] * x[i];
    }
}

static void test_rmc_sobol_analyze_linear(void **state)
{
    (void)state;
    double part[4], total = 0;
    for (size_t i = 0; i < 4; i++) {
        const double r = LIN_HI[i] - LIN_LO[i];
        part[i] = LIN_W[i] * LIN_W[i] * r * r / 12;
        total += part[i];
    }
    double s[4];
    for (size_t i = 0; i < 4; i++) {
        s[i] = part[i] / total; /* no interactions: S_i = ST_i */
    }
    const rmc_sobol_opts opts = test_opts();
    rmc_sobol_result *res = NULL;
    run_case(4, samples(16384, 1024), LIN_LO, LIN_HI, linear, 1, &opts, &res);
    assert_close(res->var[0], total, 0.01, 0);
    assert_indices(res, 0, s, s, rmc_test_quick() ? 0.2 : 0.05);
    rmc_sobol_result_free(res);
}

/* ---- pure interaction: y = x1 x2 + 0.37 x3, x1, x2 ~ U(-1, 1), x3 ~ U(0, 1) */

static void interaction(const double *x, double *out)
{
    out[0] = x[0] * x[1] + 0.37 * x[2];
}

static void test_rmc_sobol_analyze_pure_interaction(void **state)
{
    (void)state;
    const double v12 = 1.0 / 9, v3 = 0.37 * 0.37 / 12, v = v12 + v3;
    const double s1[3] = {0, 0, v3 / v}, st[3] = {v12 / v, v12 / v, v3 / v};
    const double lo[3] = {-1, -1, 0}, hi[3] = {1, 1, 1};
    const rmc_sobol_opts opts = test_opts();
    rmc_sobol_result *res = NULL;
    run_case(3, samples(16384, 1024), lo, hi, interaction, 1, &opts, &res);
    assert_indices(res, 0, s1, st, rmc_test_quick() ? 0.25 : 0.07);
    /* The point of the case: no first-order effect, a large total one. */
    for (size_t i = 0; i < 2; i++) {
        assert_true(fabs(res->s1[i]) < 0.03);
        assert_true(res->st_lo[i] > 0.75);
    }
    rmc_sobol_result_free(res);
}

/* ---- design layout ------------------------------------------------------- */

/* Small indices at a small N: twelve factors of a linear function, two
 * large and ten of 0.3 each (S_i = ST_i = w_i^2 / sum w^2), N = 64. Every
 * small S_i must be within 0.05 of the truth and at most 0.02 above the top
 * of its ST interval (Jansen's first-order estimator gave S_i about 0.12,
 * interval [-0.28, 0.43], with ST_i about 0.025, on such a design). */
static void test_rmc_sobol_analyze_small_indices(void **state)
{
    (void)state;
    enum { K = 12, N = 64 };
    double lo[K], hi[K], w[K], tot = 0;
    for (int i = 0; i < K; i++) {
        lo[i] = 0;
        hi[i] = 1;
        w[i] = i == 0 ? 3.0 : i == 1 ? 1.5 : 0.3;
        tot += w[i] * w[i];
    }
    rmc_sobol_design *des = NULL;
    assert_int_equal(rmc_sobol_design_alloc(K, N, lo, hi, &des, NULL), RMC_OK);
    const size_t rows = rmc_sobol_design_rows(des);
    double *y = calloc(rows, sizeof *y), x[K];
    for (size_t r = 0; r < rows; r++) {
        assert_int_equal(rmc_sobol_design_point(des, r, x), RMC_OK);
        for (int i = 0; i < K; i++) {
            y[r] += w[i] * x[i];
        }
    }
    rmc_sobol_opts o;
    rmc_sobol_opts_default(&o);
    o.n_boot = 200;
    rmc_sobol_result *res = NULL;
    assert_int_equal(rmc_sobol_analyze(des, y, 1, &o, &res, NULL), RMC_OK);
    for (int i = 2; i < K; i++) {
        assert_close(res->s1[i], w[i] * w[i] / tot, 0, 0.05);
        if (res->s1[i] > res->st_hi[i]) {
            print_message("S1[%d] = %.4f, ST interval top %.4f\n", i, res->s1[i], res->st_hi[i]);
        }
        assert_true(res->s1[i] <= res->st_hi[i] + 0.02);
    }
    assert_close(res->s1[0], w[0] * w[0] / tot, 0, 0.2);
    rmc_sobol_result_free(res);
    free(y);
    rmc_sobol_design_free(des);
}

static void test_rmc_sobol_design_point_row_layout(void **state)
{
    (void)state;
    const size_t k = 5, n = 64;
    const double lo[5] = {-1.5, 0.37, 2.385, 0, -4};
    const double hi[5] = {2.5, 0.37, 3.0, 1e-3, 7};
    rmc_sobol_design *s = NULL;
    assert_int_equal(rmc_sobol_design_alloc(k, n, lo, hi, &s, NULL), RMC_OK);
    assert_int_equal(rmc_sobol_design_factors(s), k);
    assert_int_equal(rmc_sobol_design_samples(s), n);
    assert_int_equal(rmc_sobol_design_rows(s), n * (k + 2));
    double a[5], b[5], x[5];
    for (size_t j = 0; j < n; j++) {
        assert_int_equal(rmc_sobol_design_point(s, j * (k + 2), a), RMC_OK);
        assert_int_equal(rmc_sobol_design_point(s, j * (k + 2) + k + 1, b), RMC_OK);
        for (size_t i = 0; i < k; i++) {
            assert_true(lo[i] <= a[i] && a[i] <= hi[i] && lo[i] <= b[i] && b[i] <= hi[i]);
            if (j == 0) {
                assert_close(a[i], lo[i], 0, 0); /* the Sobol' sequence starts at the origin */
            }
        }
        for (size_t i = 0; i < k; i++) {
            assert_int_equal(rmc_sobol_design_point(s, j * (k + 2) + 1 + i, x), RMC_OK);
            for (size_t l = 0; l < k; l++) {
                assert_close(x[l], l == i ? b[l] : a[l], 0, 0);
            }
        }
    }
    /* Point 1 of the 10-dimensional sequence is (0.5, ...): the mid-range. */
    assert_int_equal(rmc_sobol_design_point(s, k + 2, a), RMC_OK);
    assert_close(a[0], 0.5, 0, 0);
    assert_close(a[4], 1.5, 0, 0);
    rmc_sobol_design_free(s);
}

/* Each factor's A column over the N = 2^m points is stratified: exactly one
 * point in each of the N cells [c/N, (c+1)/N). */
static void test_rmc_sobol_design_point_stratified(void **state)
{
    (void)state;
    const size_t k = RMC_SOBOL_MAX_FACTORS, n = 256;
    double lo[RMC_SOBOL_MAX_FACTORS], hi[RMC_SOBOL_MAX_FACTORS];
    for (size_t i = 0; i < k; i++) {
        lo[i] = 0;
        hi[i] = 1;
    }
    rmc_sobol_design *s = NULL;
    assert_int_equal(rmc_sobol_design_alloc(k, n, lo, hi, &s, NULL), RMC_OK);
    unsigned char seen[2][RMC_SOBOL_MAX_FACTORS][256] = {{{0}}};
    double x[RMC_SOBOL_MAX_FACTORS];
    for (size_t j = 0; j < n; j++) {
        for (size_t side = 0; side < 2; side++) {
            assert_int_equal(rmc_sobol_design_point(s, j * (k + 2) + side * (k + 1), x), RMC_OK);
            for (size_t i = 0; i < k; i++) {
                const size_t cell = (size_t)(x[i] * (double)n);
                assert_true(cell < n);
                assert_int_equal(seen[side][i][cell], 0);
                seen[side][i][cell] = 1;
            }
        }
    }
    rmc_sobol_design_free(s);
}

/* ---- determinism and independence of outputs ----------------------------- */

static void two_outputs(const double *x, double *out)
{
    ishigami(x, out);
    out[1] = 0.37 * x[0] - 2.385 * x[2] * x[2];
}

static void second_output(const double *x, double *out)
{
    out[0] = 0.37 * x[0] - 2.385 * x[2] * x[2];
}

static void assert_same_column(const rmc_sobol_result *a, size_t oa, const rmc_sobol_result *b,
                               size_t ob)
{
    const size_t k = a->n_factors;
    assert_memory_equal(&a->mean[oa], &b->mean[ob], sizeof(double));
    assert_memory_equal(&a->var[oa], &b->var[ob], sizeof(double));
    const double *ca[6] = {a->s1, a->s1_lo, a->s1_hi, a->st, a->st_lo, a->st_hi};
    const double *cb[6] = {b->s1, b->s1_lo, b->s1_hi, b->st, b->st_lo, b->st_hi};
    for (size_t c = 0; c < 6; c++) {
        assert_memory_equal(ca[c] + oa * k, cb[c] + ob * k, k * sizeof(double));
    }
}

static void test_rmc_sobol_analyze_deterministic(void **state)
{
    (void)state;
    const double lo[3] = {-M_PI, -M_PI, -M_PI}, hi[3] = {M_PI, M_PI, M_PI};
    rmc_sobol_opts opts = test_opts();
    opts.n_boot = 100;
    rmc_sobol_result *r1 = NULL, *r2 = NULL, *single = NULL, *second = NULL, *reseeded = NULL;
    run_case(3, 512, lo, hi, two_outputs, 2, &opts, &r1);
    run_case(3, 512, lo, hi, two_outputs, 2, &opts, &r2);
    assert_same_column(r1, 0, r2, 0);
    assert_same_column(r1, 1, r2, 1);
    /* An output's results do not depend on the other outputs. */
    run_case(3, 512, lo, hi, ishigami, 1, &opts, &single);
    run_case(3, 512, lo, hi, second_output, 1, &opts, &second);
    assert_same_column(r1, 0, single, 0);
    assert_same_column(r1, 1, second, 0);
    /* The seed drives the intervals only. */
    opts.boot_seed = 2386;
    run_case(3, 512, lo, hi, ishigami, 1, &opts, &reseeded);
    assert_memory_equal(single->s1, reseeded->s1, 3 * sizeof(double));
    assert_memory_equal(single->st, reseeded->st, 3 * sizeof(double));
    assert_memory_not_equal(single->s1_lo, reseeded->s1_lo, 3 * sizeof(double));
    rmc_sobol_result_free(reseeded);
    rmc_sobol_result_free(second);
    rmc_sobol_result_free(single);
    rmc_sobol_result_free(r2);
    rmc_sobol_result_free(r1);
}

/* ---- degenerate outputs and options -------------------------------------- */

static void constant_and_linear(const double *x, double *out)
{
    out[0] = 0.37;
    out[1] = 2.385 * x[0] + x[1];
}

static void test_rmc_sobol_analyze_constant_output_is_nan(void **state)
{
    (void)state;
    const double lo[2] = {0, 0}, hi[2] = {1, 1};
    rmc_sobol_opts opts = test_opts();
    opts.n_boot = 50;
    rmc_sobol_result *res = NULL;
    run_case(2, 128, lo, hi, constant_and_linear, 2, &opts, &res);
    assert_close(res->mean[0], 0.37, 0, 0);
    assert_close(res->var[0], 0, 0, 0);
    for (size_t i = 0; i < 2; i++) {
        assert_true(isnan(res->s1[i]) && isnan(res->st[i]));
        assert_true(isnan(res->s1_lo[i]) && isnan(res->st_hi[i]));
        assert_true(isfinite(res->s1[2 + i]) && isfinite(res->st_hi[2 + i]));
    }
    rmc_sobol_result_free(res);
}

static void sum3(const double *x, double *out)
{
    out[0] = 2.385 * x[0] + x[1] + x[2];
}

/* A factor with lo == hi never moves: ST is exactly 0, S1 close to 0. */
static void test_rmc_sobol_analyze_fixed_factor(void **state)
{
    (void)state;
    const double lo[3] = {0, -1, 0.37}, hi[3] = {1, 1, 0.37};
    rmc_sobol_opts opts = test_opts();
    opts.n_boot = 100;
    rmc_sobol_result *res = NULL;
    run_case(3, 1024, lo, hi, sum3, 1, &opts, &res);
    assert_close(res->st[2], 0, 0, 0);
    assert_close(res->st_hi[2], 0, 0, 0);
    assert_close(res->s1[2], 0, 0, 0.02);
    const double v0 = 2.385 * 2.385 / 12, v1 = 4.0 / 12;
    assert_close(res->st[0], v0 / (v0 + v1), 0, 0.02);
    rmc_sobol_result_free(res);
}

static void test_rmc_sobol_analyze_no_bootstrap(void **state)
{
    (void)state;
    const double lo[3] = {-1, -1, 0}, hi[3] = {1, 1, 1};
    rmc_sobol_opts opts = test_opts();
    rmc_sobol_result *with = NULL, *without = NULL;
    run_case(3, 256, lo, hi, interaction, 1, &opts, &with);
    opts.n_boot = 0;
    run_case(3, 256, lo, hi, interaction, 1, &opts, &without);
    assert_int_equal(without->n_boot, 0);
    assert_memory_equal(with->s1, without->s1, 3 * sizeof(double));
    assert_memory_equal(with->st, without->st, 3 * sizeof(double));
    for (size_t i = 0; i < 3; i++) {
        assert_true(isnan(without->s1_lo[i]) && isnan(without->st_hi[i]));
    }
    rmc_sobol_result_free(without);
    rmc_sobol_result_free(with);
}

/* ---- argument errors ----------------------------------------------------- */

static void test_rmc_sobol_design_alloc_bad_arguments(void **state)
{
    (void)state;
    double lo[RMC_SOBOL_MAX_FACTORS + 1], hi[RMC_SOBOL_MAX_FACTORS + 1];
    for (size_t i = 0; i <= RMC_SOBOL_MAX_FACTORS; i++) {
        lo[i] = -0.37;
        hi[i] = 2.385;
    }
    rmc_sobol_design *s = (rmc_sobol_design *)&lo; /* must be reset to NULL */
    rmc_diag d = {0};
    assert_int_equal(rmc_sobol_design_alloc(RMC_SOBOL_MAX_FACTORS + 1, 8, lo, hi, &s, &d),
                     RMC_EUSAGE);
    assert_null(s);
    assert_non_null(strstr(d.message, "21 factors"));
    assert_int_equal(rmc_sobol_design_alloc(0, 8, lo, hi, &s, NULL), RMC_EUSAGE);
    assert_int_equal(rmc_sobol_design_alloc(2, 1, lo, hi, &s, NULL), RMC_EUSAGE);
    assert_int_equal(rmc_sobol_design_alloc(2, RMC_SOBOL_MAX_SAMPLES + 1, lo, hi, &s, NULL),
                     RMC_EUSAGE);
    assert_int_equal(rmc_sobol_design_alloc(2, 8, NULL, hi, &s, NULL), RMC_EUSAGE);
    assert_int_equal(rmc_sobol_design_alloc(2, 8, lo, NULL, &s, NULL), RMC_EUSAGE);
    assert_int_equal(rmc_sobol_design_alloc(2, 8, lo, hi, NULL, NULL), RMC_EUSAGE);
    const double bad_lo[3][2] = {{0, 1}, {0, (double)NAN}, {0, -HUGE_VAL}};
    const double bad_hi[3][2] = {{1, 0.5}, {1, 2}, {1, 0}};
    for (size_t c = 0; c < 3; c++) {
        assert_int_equal(rmc_sobol_design_alloc(2, 8, bad_lo[c], bad_hi[c], &s, NULL), RMC_EUSAGE);
        assert_null(s);
    }
    const double huge_lo[1] = {-DBL_MAX}, huge_hi[1] = {DBL_MAX}; /* span overflows */
    assert_int_equal(rmc_sobol_design_alloc(1, 8, huge_lo, huge_hi, &s, NULL), RMC_EUSAGE);
    assert_int_equal(rmc_sobol_design_alloc(RMC_SOBOL_MAX_FACTORS, 8, lo, hi, &s, NULL), RMC_OK);
    double x[RMC_SOBOL_MAX_FACTORS];
    x[0] = 0.37;
    assert_int_equal(rmc_sobol_design_point(s, rmc_sobol_design_rows(s), x), RMC_EUSAGE);
    assert_close(x[0], 0.37, 0, 0);
    assert_int_equal(rmc_sobol_design_point(NULL, 0, x), RMC_EUSAGE);
    assert_int_equal(rmc_sobol_design_point(s, 0, NULL), RMC_EUSAGE);
    assert_int_equal(rmc_sobol_design_point(s, rmc_sobol_design_rows(s) - 1, x), RMC_OK);
    rmc_sobol_design_free(s);
    rmc_sobol_design_free(NULL);
}

static void sum2(const double *x, double *out)
{
    out[0] = 0.37 * x[0] + x[1];
}

static void test_rmc_sobol_analyze_bad_arguments(void **state)
{
    (void)state;
    const double lo[2] = {0, 0}, hi[2] = {1, 1};
    rmc_sobol_design *s = NULL;
    assert_int_equal(rmc_sobol_design_alloc(2, 16, lo, hi, &s, NULL), RMC_OK);
    double *y = evaluate(s, sum2, 1);
    rmc_sobol_opts opts = test_opts();
    rmc_sobol_result *res = (rmc_sobol_result *)&opts; /* must be reset to NULL */
    assert_int_equal(rmc_sobol_analyze(NULL, y, 1, &opts, &res, NULL), RMC_EUSAGE);
    assert_null(res);
    assert_int_equal(rmc_sobol_analyze(s, NULL, 1, &opts, &res, NULL), RMC_EUSAGE);
    assert_int_equal(rmc_sobol_analyze(s, y, 0, &opts, &res, NULL), RMC_EUSAGE);
    assert_int_equal(rmc_sobol_analyze(s, y, 1, NULL, &res, NULL), RMC_EUSAGE);
    assert_int_equal(rmc_sobol_analyze(s, y, 1, &opts, NULL, NULL), RMC_EUSAGE);
    assert_int_equal(rmc_sobol_analyze(s, y, SIZE_MAX / 4, &opts, &res, NULL), RMC_EUSAGE);
    const double bad_levels[4] = {0, 1, -0.5, (double)NAN};
    for (size_t c = 0; c < 4; c++) {
        opts.level = bad_levels[c];
        assert_int_equal(rmc_sobol_analyze(s, y, 1, &opts, &res, NULL), RMC_EUSAGE);
    }
    opts.level = 0.9;
    y[37] = (double)NAN;
    rmc_diag d = {0};
    assert_int_equal(rmc_sobol_analyze(s, y, 1, &opts, &res, &d), RMC_EINPUT);
    assert_null(res);
    assert_non_null(strstr(d.message, "row 37"));
    y[37] = 0.37;
    assert_int_equal(rmc_sobol_analyze(s, y, 1, &opts, &res, NULL), RMC_OK);
    assert_close(res->level, 0.9, 0, 0);
    rmc_sobol_result_free(res);
    rmc_sobol_result_free(NULL);
    free(y);
    rmc_sobol_design_free(s);
}

/* ---- allocation failure sweep -------------------------------------------- */

static void test_rmc_sobol_alloc_failure_is_clean(void **state)
{
    (void)state;
    const double lo[3] = {-1, -1, 0}, hi[3] = {1, 1, 1};
    rmc_sobol_opts opts = test_opts();
    opts.n_boot = 20;
    rmc_sobol_design *ref = NULL;
    assert_int_equal(rmc_sobol_design_alloc(3, 64, lo, hi, &ref, NULL), RMC_OK);
    double *y = evaluate(ref, interaction, 1);
    size_t n_failed = 0;
    for (size_t k = 1;; k++) {
        rmc_mem_fail_at(k);
        rmc_sobol_design *s = NULL;
        rmc_sobol_result *res = NULL;
        rmc_status st = rmc_sobol_design_alloc(3, 64, lo, hi, &s, NULL);
        if (st == RMC_OK) {
            st = rmc_sobol_analyze(s, y, 1, &opts, &res, NULL);
        }
        const size_t made = rmc_mem_fail_at(0);
        rmc_sobol_result_free(res);
        rmc_sobol_design_free(s);
        if (st == RMC_OK) {
            assert_true(k > made);
            break;
        }
        assert_int_equal(st, RMC_ENOMEM);
        assert_null(res);
        n_failed++;
    }
    assert_true(n_failed >= 8); /* 3 design + 4 workspace + 2 result + 1 scratch allocations */
    free(y);
    rmc_sobol_design_free(ref);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_sobol_analyze_ishigami),
        cmocka_unit_test(test_rmc_sobol_analyze_linear),
        cmocka_unit_test(test_rmc_sobol_analyze_pure_interaction),
        cmocka_unit_test(test_rmc_sobol_analyze_small_indices),
        cmocka_unit_test(test_rmc_sobol_design_point_row_layout),
        cmocka_unit_test(test_rmc_sobol_design_point_stratified),
        cmocka_unit_test(test_rmc_sobol_analyze_deterministic),
        cmocka_unit_test(test_rmc_sobol_analyze_constant_output_is_nan),
        cmocka_unit_test(test_rmc_sobol_analyze_fixed_factor),
        cmocka_unit_test(test_rmc_sobol_analyze_no_bootstrap),
        cmocka_unit_test(test_rmc_sobol_design_alloc_bad_arguments),
        cmocka_unit_test(test_rmc_sobol_analyze_bad_arguments),
        cmocka_unit_test(test_rmc_sobol_alloc_failure_is_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
