/* Tiny helpers shared by the benchmark drivers: a monotonic clock, the
 * process's peak resident set size, a median of a few samples, and the
 * synthetic market they time. Public API only (bench_sim includes it);
 * include it with _POSIX_C_SOURCE 200809L defined (mkdtemp). */
#ifndef RANKMC_BENCH_H
#define RANKMC_BENCH_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>
#include <time.h>

#include "rankmc/rankmc.h"

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

/* The nrmp2025 market at this scale (seed 2385), written to a temporary
 * folder, loaded, and the folder removed; NULL after a message on stderr
 * naming prog when that fails. Caller frees with rmc_model_free. */
static inline rmc_model *bench_synth_market(double scale, const char *prog)
{
    char dir[] = "/tmp/rankmc_bench_XXXXXX";
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "%s: cannot make a temporary folder\n", prog);
        return NULL;
    }
    rmc_synth_options so;
    rmc_synth_options_default(&so);
    so.preset = "nrmp2025";
    so.scale = scale;
    so.seed = 2385;
    so.tracks = 0; /* the categorical PGY-1 market the benchmarks have always timed */
    so.force = true;
    rmc_synth_summary sum;
    rmc_diag d = {0};
    rmc_model *m = NULL;
    if (rmc_synth_write(&so, dir, &sum, &d) != RMC_OK ||
        rmc_model_load(dir, NULL, &d, &m) != RMC_OK) {
        fprintf(stderr, "%s: cannot make the market: %s\n", prog, d.message);
    }
    const char *files[] = {"model.ini", "applicants.csv", "programs.csv", "interviews.csv"};
    char path[sizeof dir + 32];
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[f]);
        remove(path);
    }
    rmdir(dir);
    return m;
}

#endif
