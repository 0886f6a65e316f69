/* The progress bar of `rankmc run` (see progress.h): "[#####.....]  640/1000
 * replicates  212.4/s  ETA 0:02", rewritten in place with a carriage
 * return. Time comes from CLOCK_MONOTONIC so clock changes do not skew the
 * rate. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <time.h>

#include "progress.h"

#define BAR_WIDTH 30

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void rmc_cli_progress_init(rmc_cli_progress *p, bool enabled)
{
    p->enabled = enabled;
    p->drawn = false;
    p->t0 = now_seconds();
    p->last_draw = 0.0;
}

static void format_eta(char *buf, size_t size, double seconds)
{
    const long s = seconds > 0.0 && seconds < 1e8 ? (long)(seconds + 0.5) : 0;
    if (s >= 3600) {
        snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    } else {
        snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
    }
}

void rmc_cli_progress_update(void *ctx, uint64_t done, uint64_t total)
{
    rmc_cli_progress *p = ctx;
    if (!p->enabled || total == 0) {
        return;
    }
    const double t = now_seconds();
    if (done < total && t - p->last_draw < 0.1) {
        return;
    }
    p->last_draw = t;
    const double elapsed = t - p->t0;
    const double rate = elapsed > 0.0 ? (double)done / elapsed : 0.0;
    char eta[32];
    format_eta(eta, sizeof eta, rate > 0.0 ? (double)(total - done) / rate : 0.0);
    const size_t fill = (size_t)((double)BAR_WIDTH * (double)done / (double)total);
    char bar[BAR_WIDTH + 1];
    for (size_t i = 0; i < BAR_WIDTH; i++) {
        bar[i] = i < fill ? '#' : '.';
    }
    bar[BAR_WIDTH] = '\0';
    fprintf(stderr, "\r[%s] %llu/%llu replicates  %.1f/s  ETA %s ", bar, (unsigned long long)done,
            (unsigned long long)total, rate, eta);
    fflush(stderr);
    p->drawn = true;
}

void rmc_cli_progress_finish(rmc_cli_progress *p)
{
    if (p->enabled && p->drawn) {
        fprintf(stderr, "\r%*s\r", BAR_WIDTH + 60, "");
        fflush(stderr);
        p->drawn = false;
    }
}
