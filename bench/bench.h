/* Tiny timing helpers shared by the benchmark drivers: a monotonic clock,
 * the process's peak resident set size, and a median of a few samples. */
#ifndef RANKMC_BENCH_H
#define RANKMC_BENCH_H

#include <stddef.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Peak resident set size of this process so far, in MiB (getrusage). */
static inline double bench_peak_rss_mib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) {
        return -1.0;
    }
    return (double)ru.ru_maxrss / 1024.0; /* Linux reports KiB */
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts t[0..n) and returns its median (n >= 1). */
static inline double bench_median(double *t, size_t n)
{
    qsort(t, n, sizeof *t, bench_cmp_double);
    return n % 2 == 1 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

#endif
