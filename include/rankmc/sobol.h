/* Variance-based global sensitivity analysis (Sobol' indices): Saltelli
 * sampling on a Sobol' quasi-random sequence, Jansen estimators of the
 * first-order and total indices, bootstrap percentile intervals.
 *
 * The module knows nothing about the model: a design hands out input points
 * (one row = one model evaluation), the caller evaluates the model at every
 * row in any order and on any thread, and rmc_sobol_analyze turns the outputs
 * into indices. With k factors and N base samples there are N * (k + 2)
 * rows. Base sample j (0 <= j < N) owns rows j*(k+2) .. j*(k+2)+k+1:
 *
 *   row j*(k+2)           A_j       (first k coordinates of Sobol' point j)
 *   row j*(k+2) + 1 + i   A_B^(i)_j (A_j with factor i taken from B_j), i < k
 *   row j*(k+2) + k + 1   B_j       (last k coordinates of Sobol' point j)
 *
 * See docs/sobol.md for the formulas and references.
 */
#ifndef RANKMC_SOBOL_H
#define RANKMC_SOBOL_H

#include <stddef.h>
#include <stdint.h>

#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* gsl_qrng_sobol has 40 dimensions and a design needs 2k of them. */
#define RMC_SOBOL_MAX_FACTORS 20
/* gsl_qrng_sobol generates at most 2^30 points. */
#define RMC_SOBOL_MAX_SAMPLES ((size_t)1 << 30)

typedef struct rmc_sobol_design rmc_sobol_design;

/* A Saltelli design for k factors (1 <= k <= RMC_SOBOL_MAX_FACTORS) and
 * n_samples base samples N (2 <= N <= RMC_SOBOL_MAX_SAMPLES; a power of two
 * keeps the Sobol' points balanced). Factor i is uniform on [lo[i], hi[i]]
 * (finite, lo[i] <= hi[i]; lo == hi fixes the factor). The N Sobol' points
 * are computed here, so rmc_sobol_design_point is cheap and allocates
 * nothing. lo and hi are copied. Caller owns the result (free with
 * rmc_sobol_design_free). RMC_EUSAGE for bad arguments, RMC_ENOMEM. */
rmc_status rmc_sobol_design_alloc(size_t k, size_t n_samples, const double *lo, const double *hi,
                                  rmc_sobol_design **out, rmc_diag *d);
void rmc_sobol_design_free(rmc_sobol_design *design);

/* Number of factors k, base samples N and rows N * (k + 2) of a design. */
size_t rmc_sobol_design_factors(const rmc_sobol_design *design);
size_t rmc_sobol_design_samples(const rmc_sobol_design *design);
size_t rmc_sobol_design_rows(const rmc_sobol_design *design);

/* Write the k factor values of `row` (0 <= row < rows, order in the file
 * comment) to x[0 .. k). Reads the design only and allocates nothing, so any
 * number of threads may call it at once. RMC_EUSAGE when row is out of
 * range (x untouched). */
rmc_status rmc_sobol_design_point(const rmc_sobol_design *design, size_t row, double *x);

/* How rmc_sobol_analyze computes intervals. */
typedef struct rmc_sobol_opts {
    size_t n_boot;      /* bootstrap resamples; 0: no intervals (they are NaN) */
    uint64_t boot_seed; /* seed of the resampling generator (GSL mt19937, low 32 bits) */
    double level;       /* interval coverage, 0 < level < 1 (0.95) */
} rmc_sobol_opts;

/* Defaults: 1000 resamples, seed 20260611, level 0.95. */
void rmc_sobol_opts_default(rmc_sobol_opts *opts);

/* Indices of one analysis. Arrays indexed [o * n_factors + i] hold output o,
 * factor i. An output with zero variance has NaN indices and intervals. The
 * arrays share one block owned by the result: free it only with
 * rmc_sobol_result_free. */
typedef struct rmc_sobol_result {
    size_t n_factors; /* k */
    size_t n_outputs; /* outputs per row */
    size_t n_samples; /* N base samples */
    size_t n_boot;    /* resamples behind the intervals (0: intervals are NaN) */
    double level;     /* interval coverage */
    double *mean;     /* [n_outputs] mean of f over the 2N rows of A and B */
    double *var;      /* [n_outputs] variance of f over A and B (divisor 2N - 1) */
    double *s1;       /* [n_outputs * n_factors] first-order index S_i (Jansen) */
    double *s1_lo;    /* lower end of S_i's bootstrap percentile interval */
    double *s1_hi;    /* upper end */
    double *st;       /* [n_outputs * n_factors] total index ST_i (Jansen) */
    double *st_lo;    /* lower end of ST_i's interval */
    double *st_hi;    /* upper end */
} rmc_sobol_result;

/* Estimate the indices from the model outputs y[row * n_outputs + o] at
 * every row of the design (row order as in the file comment). The bootstrap
 * resamples the N base samples with replacement, the same resamples for
 * every output, so an output's results do not depend on the other outputs.
 * Deterministic: the same inputs give bit-identical results. Caller owns
 * *out (free with rmc_sobol_result_free). RMC_EUSAGE for bad arguments,
 * RMC_EINPUT for a non-finite y (d names row and output), RMC_ENOMEM.
 * Cost O(n_boot * N * (k + 2) * n_outputs), single-threaded. */
rmc_status rmc_sobol_analyze(const rmc_sobol_design *design, const double *y, size_t n_outputs,
                             const rmc_sobol_opts *opts, rmc_sobol_result **out, rmc_diag *d);
void rmc_sobol_result_free(rmc_sobol_result *res);

#ifdef __cplusplus
}
#endif
#endif
