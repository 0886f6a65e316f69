/* The small statistics every output shares: the binomial standard error of
 * a Monte Carlo proportion and the Wilson score interval (DESIGN 6: every
 * probability shown carries its uncertainty). Pure functions, thread safe.
 */
#ifndef RANKMC_STATS_H
#define RANKMC_STATS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* p (1 - p) / n, the variance of a proportion p estimated from n
 * independent trials; 0 when n == 0. */
double rmc_binomial_var(double p, uint64_t n);

/* sqrt(p (1 - p) / n), its standard error; 0 when n == 0. */
double rmc_binomial_se(double p, uint64_t n);

/* Wilson score interval for k successes in n trials at 95% (z = 1.96):
 * lo, hi in [0, 1]; (0, 1) when n == 0. */
void rmc_wilson95(uint64_t k, uint64_t n, double *lo, double *hi);

/* The mean over n replicates of a per-replicate count and its standard
 * error (the sample SD over replicates / sqrt(n)), from the exact integer
 * sum and sum of squares; both 0 when n == 0, the SE 0 when n == 1. */
void rmc_sums_mean_se(uint64_t sum, uint64_t sumsq, uint64_t n, double *mean, double *se);

#ifdef __cplusplus
}
#endif
#endif
