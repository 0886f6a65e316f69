/* Binomial standard errors and the Wilson score interval (rankmc/stats.h).
 * The Wilson interval (Wilson 1927) inverts the normal test of a
 * proportion, so it stays inside [0, 1] and keeps near-nominal coverage
 * at p near 0 or 1, where p +- 1.96 SE does not.
 */
#include <math.h>

#include "rankmc/stats.h"

double rmc_binomial_var(double p, uint64_t n)
{
    return n > 0 ? p * (1.0 - p) / (double)n : 0.0;
}

double rmc_binomial_se(double p, uint64_t n)
{
    return n > 0 ? sqrt(p * (1.0 - p) / (double)n) : 0.0;
}

void rmc_wilson95(uint64_t k, uint64_t n, double *lo, double *hi)
{
    if (n == 0) {
        *lo = 0.0;
        *hi = 1.0;
        return;
    }
    const double z = 1.959963984540054;
    const double nn = (double)n, p = (double)k / nn, z2 = z * z;
    const double denom = 1.0 + z2 / nn;
    const double centre = (p + z2 / (2.0 * nn)) / denom;
    const double half = z / denom * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
    *lo = fmax(0.0, centre - half);
    *hi = fmin(1.0, centre + half);
}

void rmc_sums_mean_se(uint64_t sum, uint64_t sumsq, uint64_t n, double *mean, double *se)
{
    const double nr = (double)n, m = n > 0 ? (double)sum / nr : 0.0;
    const double var = n > 1 ? ((double)sumsq - (double)sum * m) / (nr - 1.0) : 0.0;
    *mean = m;
    *se = var > 0.0 ? sqrt(var / nr) : 0.0;
}
