/* A one-line progress bar on stderr for long runs: replicates done, rate
 * and ETA, redrawn at most ten times a second. Used only when stderr is a
 * terminal, so logs and pipes never see carriage returns. */
#ifndef RANKMC_CLI_PROGRESS_H
#define RANKMC_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct rmc_cli_progress {
    bool enabled;     /* draw anything at all */
    bool drawn;       /* a line is on screen (finish clears it) */
    double t0;        /* start, seconds (monotonic clock) */
    double last_draw; /* last redraw, seconds */
} rmc_cli_progress;

/* Start timing; draws only when `enabled` (the caller checks isatty). */
void rmc_cli_progress_init(rmc_cli_progress *p, bool enabled);

/* rmc_sim_progress_fn: ctx is an rmc_cli_progress. */
void rmc_cli_progress_update(void *ctx, uint64_t done, uint64_t total);

/* Erase the bar so the summary starts on a clean line. */
void rmc_cli_progress_finish(rmc_cli_progress *p);

#endif
