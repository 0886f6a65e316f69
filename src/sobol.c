/* Sobol' sensitivity indices: Saltelli's sampling scheme on a Sobol'
 * quasi-random sequence, Jansen's estimators, bootstrap percentile intervals.
 *
 * A design holds N points of the 2k-dimensional Sobol' sequence in the unit
 * cube (gsl_qrng_sobol, Bratley and Fox 1988); the first k coordinates of
 * point j are A_j, the last k are B_j, and the rows handed to the caller are
 * A_j, the k mixtures A_B^(i)_j and B_j, scaled to the factor ranges
 * (Saltelli 2002; Saltelli et al. 2010). GSL's sequence starts at the
 * sequence's second point (0.5, ..., 0.5); the design puts the origin back in
 * front, so N = 2^m points form a full (t, m, 2k)-net (Owen 2020 on why the
 * first point must not be dropped).
 *
 * rmc_sobol_analyze estimates, per output, V = Var f from the 2N rows of A and
 * B, then (Saltelli et al. 2010, table 2: their recommended S_i; Jansen 1999
 * for ST_i)
 *   S_i  = 1/N sum_j f(B_j) (f(A_B^(i)_j) - f(A_j)) / V
 *   ST_i = 1/(2N) sum_j (f(A_j) - f(A_B^(i)_j))^2 / V.
 * (S_i was Jansen's (V - 1/(2N) sum_j (f(B_j) - f(A_B^(i)_j))^2) / V, which
 * subtracts two numbers of size V: at N = 64 on twelve factors its bootstrap
 * intervals for the small indices were +-0.3 and it put S_i above ST_i for
 * almost every small factor; tested in test_rmc_sobol_analyze_small_indices.)
 * Sums of f are taken about the full-sample mean, which keeps the variance
 * accurate when the outputs are probabilities close to each other. The
 * bootstrap resamples the N base samples (each with its k + 2 rows) with
 * replacement, using one mt19937 generator seeded once, and reports the
 * percentile interval of each index. Everything runs sequentially in a fixed
 * order, so results are bit-for-bit reproducible.
 */
#include "rankmc/sobol.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "internal.h"

struct rmc_sobol_design {
    size_t k;     /* factors, 1 .. RMC_SOBOL_MAX_FACTORS */
    size_t n;     /* base samples N, 2 .. RMC_SOBOL_MAX_SAMPLES */
    double *lo;   /* [k] lower ends of the ranges */
    double *span; /* [k] hi - lo, >= 0 */
    double *unit; /* [n * 2k] Sobol' point j at unit + j * 2k, coordinates in [0, 1) */
};

/* Resamples whose variance falls below this fraction of the full sample's are
 * treated as constant (their indices are undefined) and left out. */
#define RESAMPLE_MIN_VAR 1e-12

static rmc_status check_design_args(size_t k, size_t n_samples, const double *lo, const double *hi,
                                    rmc_sobol_design **out, rmc_diag *d)
{
    if (out == NULL || lo == NULL || hi == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "sobol design: NULL argument");
    }
    if (k < 1 || k > RMC_SOBOL_MAX_FACTORS) {
        return RMC_FAIL(d, RMC_EUSAGE, "sobol design: %zu factors, need 1 to %d", k,
                        RMC_SOBOL_MAX_FACTORS);
    }
    if (n_samples < 2 || n_samples > RMC_SOBOL_MAX_SAMPLES) {
        return RMC_FAIL(d, RMC_EUSAGE, "sobol design: %zu samples, need 2 to %zu", n_samples,
                        RMC_SOBOL_MAX_SAMPLES);
    }
    for (size_t i = 0; i < k; i++) {
        if (!isfinite(lo[i]) || !isfinite(hi[i]) || !(lo[i] <= hi[i]) || !isfinite(hi[i] - lo[i])) {
            return RMC_FAIL(d, RMC_EUSAGE, "sobol design: factor %zu range [%g, %g] is not finite",
                            i, lo[i], hi[i]);
        }
    }
    return RMC_OK;
}

/* Fill unit[0 .. n * dim) with the origin followed by GSL's first n - 1
 * Sobol' points. */
static rmc_status fill_sobol(double *unit, size_t n, size_t dim, rmc_diag *d)
{
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)dim);
    if (q == NULL) {
        return RMC_FAIL(d, RMC_ENOMEM, "sobol design: gsl_qrng_alloc(%zu dimensions) failed", dim);
    }
    memset(unit, 0, dim * sizeof *unit);
    for (size_t j = 1; j < n; j++) {
        const int gst = gsl_qrng_get(q, unit + j * dim);
        if (gst != 0) {
            gsl_qrng_free(q);
            return RMC_FAIL(d, RMC_EGSL, "sobol design: gsl_qrng_get failed at point %zu (%d)", j,
                            gst);
        }
    }
    gsl_qrng_free(q);
    return RMC_OK;
}

rmc_status rmc_sobol_design_alloc(size_t k, size_t n_samples, const double *lo, const double *hi,
                                  rmc_sobol_design **out, rmc_diag *d)
{
    if (out != NULL) {
        *out = NULL;
    }
    RMC_TRY(check_design_args(k, n_samples, lo, hi, out, d));
    size_t n_unit = 0;
    if (!rmc_mul_ok(n_samples, 2 * k, &n_unit)) {
        return RMC_FAIL(d, RMC_ENOMEM, "sobol design: %zu samples overflow", n_samples);
    }
    rmc_sobol_design *s = NULL;
    rmc_status st = RMC_OK;
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&s, 1, sizeof *s, d), fail);
    s->k = k;
    s->n = n_samples;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s->lo, 2 * k, sizeof *s->lo, d), fail);
    s->span = s->lo + k;
    for (size_t i = 0; i < k; i++) {
        s->lo[i] = lo[i];
        s->span[i] = hi[i] - lo[i];
    }
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s->unit, n_unit, sizeof *s->unit, d), fail);
    RMC_TRY_GOTO(st, fill_sobol(s->unit, n_samples, 2 * k, d), fail);
    *out = s;
    return RMC_OK;
fail:
    rmc_sobol_design_free(s);
    return st;
}

void rmc_sobol_design_free(rmc_sobol_design *design)
{
    if (design == NULL) {
        return;
    }
    rmc_free(design->unit);
    rmc_free(design->lo);
    rmc_free(design);
}

size_t rmc_sobol_design_factors(const rmc_sobol_design *design)
{
    return design->k;
}

size_t rmc_sobol_design_samples(const rmc_sobol_design *design)
{
    return design->n;
}

size_t rmc_sobol_design_rows(const rmc_sobol_design *design)
{
    return design->n * (design->k + 2);
}

rmc_status rmc_sobol_design_point(const rmc_sobol_design *design, size_t row, double *x)
{
    if (design == NULL || x == NULL || row >= rmc_sobol_design_rows(design)) {
        return RMC_EUSAGE;
    }
    const size_t k = design->k;
    const size_t j = row / (k + 2);
    const size_t c = row % (k + 2); /* 0: A, 1 .. k: A_B^(c-1), k + 1: B */
    const double *a = design->unit + j * 2 * k;
    const double *b = a + k;
    for (size_t i = 0; i < k; i++) {
        const double u = (c == k + 1 || c == i + 1) ? b[i] : a[i];
        x[i] = design->lo[i] + u * design->span[i];
    }
    return RMC_OK;
}

void rmc_sobol_opts_default(rmc_sobol_opts *opts)
{
    opts->n_boot = 1000;
    opts->boot_seed = 20260611;
    opts->level = 0.95;
}

/* ---- analysis ---------------------------------------------------------- */

/* Scratch for one analysis. acc holds, per output, the sums over the base
 * samples of one (re)sample: [sA, sB, qA, qB, d1[k], dT[k]] with sA = sum of
 * f(A) - mean, qA = sum of (f(A) - mean)^2, d1[i] = sum of (f(B) -
 * f(A_B^(i)))^2 and dT[i] = sum of (f(A) - f(A_B^(i)))^2. */
typedef struct analysis {
    size_t k, n, n_out, n_boot;
    size_t stride;   /* doubles of acc per output: 2k + 4 */
    double *acc;     /* [n_out * stride] */
    size_t *idx;     /* [n] base samples of the current resample */
    double *boot_s1; /* [n_out * k * n_boot], column (o, i) contiguous */
    double *boot_st; /* same layout */
    gsl_rng *r;      /* resampling generator */
} analysis;

static void analysis_free(analysis *w)
{
    gsl_rng_free(w->r);
    rmc_free(w->boot_st);
    rmc_free(w->boot_s1);
    rmc_free(w->idx);
    rmc_free(w->acc);
}

static rmc_status analysis_alloc(analysis *w, size_t k, size_t n, size_t n_out,
                                 const rmc_sobol_opts *opts, rmc_diag *d)
{
    *w = (analysis){.k = k, .n = n, .n_out = n_out, .n_boot = opts->n_boot, .stride = 2 * k + 4};
    size_t n_acc = 0, n_cols = 0, n_boot_vals = 0;
    if (!rmc_mul_ok(n_out, w->stride, &n_acc) || !rmc_mul_ok(n_out, k, &n_cols) ||
        !rmc_mul_ok(n_cols, opts->n_boot, &n_boot_vals)) {
        return RMC_FAIL(d, RMC_ENOMEM, "sobol analysis: %zu outputs x %zu resamples overflow",
                        n_out, opts->n_boot);
    }
    rmc_status st = RMC_OK;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->acc, n_acc, sizeof *w->acc, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->idx, n, sizeof *w->idx, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->boot_s1, n_boot_vals, sizeof(double), d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&w->boot_st, n_boot_vals, sizeof(double), d), fail);
    w->r = gsl_rng_alloc(gsl_rng_mt19937);
    if (w->r == NULL) {
        st = RMC_FAIL(d, RMC_ENOMEM, "sobol analysis: gsl_rng_alloc failed");
        goto fail;
    }
    gsl_rng_set(w->r, (unsigned long)(opts->boot_seed & 0xffffffffu));
    return RMC_OK;
fail:
    analysis_free(w);
    return st;
}

static rmc_status result_alloc(size_t k, size_t n_out, rmc_sobol_result **out, rmc_diag *d)
{
    *out = NULL;
    size_t n_cols = 0, n_vals = 0;
    if (!rmc_mul_ok(n_out, k, &n_cols) || !rmc_mul_ok(n_cols, 6, &n_vals) ||
        n_vals > SIZE_MAX - 2 * n_out) {
        return RMC_FAIL(d, RMC_ENOMEM, "sobol result: %zu outputs overflow", n_out);
    }
    rmc_sobol_result *res = NULL;
    RMC_TRY(rmc_calloc_array((void **)&res, 1, sizeof *res, d));
    double *block = NULL;
    const rmc_status st = rmc_alloc_array((void **)&block, n_vals + 2 * n_out, sizeof *block, d);
    if (st != RMC_OK) {
        rmc_free(res);
        return st;
    }
    res->mean = block;
    res->var = block + n_out;
    double **cols[6] = {&res->s1, &res->s1_lo, &res->s1_hi, &res->st, &res->st_lo, &res->st_hi};
    for (size_t c = 0; c < 6; c++) {
        *cols[c] = block + 2 * n_out + c * n_cols;
    }
    *out = res;
    return RMC_OK;
}

void rmc_sobol_result_free(rmc_sobol_result *res)
{
    if (res == NULL) {
        return;
    }
    rmc_free(res->mean);
    rmc_free(res);
}

static rmc_status check_analyze_args(const rmc_sobol_design *design, const double *y,
                                     size_t n_outputs, const rmc_sobol_opts *opts,
                                     rmc_sobol_result **out, rmc_diag *d)
{
    if (design == NULL || y == NULL || opts == NULL || out == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "sobol analysis: NULL argument");
    }
    if (n_outputs < 1) {
        return RMC_FAIL(d, RMC_EUSAGE, "sobol analysis: no outputs");
    }
    if (!(opts->level > 0 && opts->level < 1)) {
        return RMC_FAIL(d, RMC_EUSAGE, "sobol analysis: level %g outside (0, 1)", opts->level);
    }
    size_t n_y = 0;
    if (!rmc_mul_ok(rmc_sobol_design_rows(design), n_outputs, &n_y)) {
        return RMC_FAIL(d, RMC_EUSAGE, "sobol analysis: %zu outputs overflow", n_outputs);
    }
    for (size_t v = 0; v < n_y; v++) {
        if (!isfinite(y[v])) {
            return RMC_FAIL(d, RMC_EINPUT, "sobol analysis: output %zu of row %zu is %g",
                            v % n_outputs, v / n_outputs, y[v]);
        }
    }
    return RMC_OK;
}

/* Mean of each output over the rows of A and B; is_const[o] = 1 when those
 * 2N values are all equal (the indices are then undefined). */
static void output_means(const analysis *w, const double *y, double *mean, unsigned char *is_const)
{
    const size_t rows_per = w->k + 2;
    for (size_t o = 0; o < w->n_out; o++) {
        const double first = y[o];
        double sum = 0;
        is_const[o] = 1;
        for (size_t j = 0; j < w->n; j++) {
            const double *yr = y + j * rows_per * w->n_out;
            const double fa = yr[o];
            const double fb = yr[(w->k + 1) * w->n_out + o];
            sum += fa + fb;
            if (fa != first || fb != first) {
                is_const[o] = 0;
            }
        }
        mean[o] = is_const[o] ? first : sum / (double)(2 * w->n);
    }
}

/* Sums of one (re)sample into w->acc: base samples idx[0 .. n), or 0 .. n-1
 * when idx is NULL. */
static void accumulate(analysis *w, const double *y, const double *mean, const size_t *idx)
{
    const size_t k = w->k, n_out = w->n_out;
    memset(w->acc, 0, n_out * w->stride * sizeof *w->acc);
    for (size_t jj = 0; jj < w->n; jj++) {
        const size_t j = idx != NULL ? idx[jj] : jj;
        const double *yr = y + j * (k + 2) * n_out;
        for (size_t o = 0; o < n_out; o++) {
            double *acc = w->acc + o * w->stride;
            const double fa = yr[o];
            const double fb = yr[(k + 1) * n_out + o];
            const double ca = fa - mean[o], cb = fb - mean[o];
            acc[0] += ca;
            acc[1] += cb;
            acc[2] += ca * ca;
            acc[3] += cb * cb;
            for (size_t i = 0; i < k; i++) {
                const double fab = yr[(i + 1) * n_out + o];
                acc[4 + i] += cb * (fab - fa); /* f(B) about the mean: the same sum */
                acc[4 + k + i] += (fa - fab) * (fa - fab);
            }
        }
    }
}

/* Variance (divisor 2N - 1) of output o from its sums. */
static double acc_variance(const analysis *w, size_t o)
{
    const double *acc = w->acc + o * w->stride;
    const double m2 = (double)(2 * w->n);
    const double s = acc[0] + acc[1];
    return (acc[2] + acc[3] - s * s / m2) / (m2 - 1);
}

/* Jansen's S_i and ST_i of output o from its sums, given the variance v;
 * NaN when v is not positive. */
static void acc_indices(const analysis *w, size_t o, double v, double *s1, double *st)
{
    const double *acc = w->acc + o * w->stride;
    const double m2 = (double)(2 * w->n);
    for (size_t i = 0; i < w->k; i++) {
        if (!(v > 0)) {
            s1[i] = st[i] = (double)NAN;
            continue;
        }
        s1[i] = acc[4 + i] / (m2 / 2) / v;
        st[i] = acc[4 + w->k + i] / m2 / v;
    }
}

static void point_estimates(analysis *w, const double *y, const unsigned char *is_const,
                            rmc_sobol_result *res)
{
    accumulate(w, y, res->mean, NULL);
    for (size_t o = 0; o < w->n_out; o++) {
        res->var[o] = is_const[o] ? 0.0 : acc_variance(w, o);
        acc_indices(w, o, res->var[o], res->s1 + o * w->k, res->st + o * w->k);
    }
}

/* Resample b: draw N base samples with replacement and store each output's
 * indices in column position b of boot_s1 / boot_st. */
static void bootstrap_one(analysis *w, const double *y, const rmc_sobol_result *res, size_t b)
{
    for (size_t jj = 0; jj < w->n; jj++) {
        w->idx[jj] = (size_t)gsl_rng_uniform_int(w->r, (unsigned long)w->n);
    }
    accumulate(w, y, res->mean, w->idx);
    double s1[RMC_SOBOL_MAX_FACTORS], st[RMC_SOBOL_MAX_FACTORS];
    for (size_t o = 0; o < w->n_out; o++) {
        const double v_full = res->var[o];
        double v = acc_variance(w, o);
        if (!(v_full > 0) || v <= RESAMPLE_MIN_VAR * v_full) {
            v = 0;
        }
        acc_indices(w, o, v, s1, st);
        for (size_t i = 0; i < w->k; i++) {
            const size_t col = (o * w->k + i) * w->n_boot;
            w->boot_s1[col + b] = s1[i];
            w->boot_st[col + b] = st[i];
        }
    }
}

/* Percentile interval of the finite values among vals[0 .. n) (reordered in
 * place); NaN ends when there are none. */
static void percentile_interval(double *vals, size_t n, double level, double *lo, double *hi)
{
    size_t n_fin = 0;
    for (size_t b = 0; b < n; b++) {
        if (isfinite(vals[b])) {
            vals[n_fin++] = vals[b];
        }
    }
    if (n_fin == 0) {
        *lo = *hi = (double)NAN;
        return;
    }
    gsl_sort(vals, 1, n_fin);
    *lo = gsl_stats_quantile_from_sorted_data(vals, 1, n_fin, (1 - level) / 2);
    *hi = gsl_stats_quantile_from_sorted_data(vals, 1, n_fin, (1 + level) / 2);
}

static void intervals(analysis *w, double level, rmc_sobol_result *res)
{
    const size_t n_cols = w->n_out * w->k;
    for (size_t c = 0; c < n_cols; c++) {
        double *col_s1 = w->boot_s1 + c * w->n_boot;
        double *col_st = w->boot_st + c * w->n_boot;
        percentile_interval(col_s1, w->n_boot, level, &res->s1_lo[c], &res->s1_hi[c]);
        percentile_interval(col_st, w->n_boot, level, &res->st_lo[c], &res->st_hi[c]);
    }
}

rmc_status rmc_sobol_analyze(const rmc_sobol_design *design, const double *y, size_t n_outputs,
                             const rmc_sobol_opts *opts, rmc_sobol_result **out, rmc_diag *d)
{
    if (out != NULL) {
        *out = NULL;
    }
    RMC_TRY(check_analyze_args(design, y, n_outputs, opts, out, d));
    const size_t k = design->k;
    analysis w;
    RMC_TRY(analysis_alloc(&w, k, design->n, n_outputs, opts, d));
    rmc_sobol_result *res = NULL;
    unsigned char *is_const = NULL;
    rmc_status st = RMC_OK;
    RMC_TRY_GOTO(st, result_alloc(k, n_outputs, &res, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&is_const, n_outputs, 1, d), done);
    res->n_factors = k;
    res->n_outputs = n_outputs;
    res->n_samples = design->n;
    res->n_boot = opts->n_boot;
    res->level = opts->level;
    output_means(&w, y, res->mean, is_const);
    point_estimates(&w, y, is_const, res);
    for (size_t b = 0; b < opts->n_boot; b++) {
        bootstrap_one(&w, y, res, b);
    }
    intervals(&w, opts->level, res);
    *out = res;
    res = NULL;
done:
    rmc_free(is_const);
    rmc_sobol_result_free(res);
    analysis_free(&w);
    return st;
}
