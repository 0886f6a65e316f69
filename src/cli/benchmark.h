/* The standard national workload behind `rankmc bench`: the synthetic NRMP
 * 2025 market (synth preset nrmp2025, fixed seed) simulated with a fixed
 * seed at each of several thread counts, timed per phase. The workload and
 * the answer are the same on every machine, so its checksum (a digest of
 * every accumulated table) identifies the result and must agree across
 * thread counts; replicates per second then compare machines and builds.
 * Application code beside the CLI (temporary folders, the environment,
 * rusage), built on the public API only.
 */
#ifndef RANKMC_CLI_BENCHMARK_H
#define RANKMC_CLI_BENCHMARK_H

#include <stddef.h>
#include <stdint.h>

#include "rankmc/accum.h"
#include "rankmc/sim.h"
#include "rankmc/status.h"

/* Seeds of the standard workload (fixed: changing them changes the
 * workload, and checksums stop being comparable). */
#define RMC_BENCH_SYNTH_SEED 2025u
#define RMC_BENCH_SIM_SEED 1u
#define RMC_BENCH_MAX_THREADS 64
#define RMC_BENCH_MAX_RANKS 64

/* What to run. Start from rmc_bench_options_default. */
typedef struct rmc_bench_options {
    double scale;                       /* of the nrmp2025 preset (1 = national) */
    uint64_t replicates;                /* per thread count */
    int threads[RMC_BENCH_MAX_THREADS]; /* thread counts, in the order run */
    size_t n_threads;                   /* entries used in threads */
    int ranks[RMC_BENCH_MAX_RANKS];     /* rank counts (each at most the job's), in order;
                                           every thread count runs at each */
    size_t n_ranks;                     /* entries used in ranks */
    const rmc_dist *dist;               /* the job (rankmc/dist.h); NULL = this process */
    const char *tmp_dir;                /* where the market is written and read back
                                           (removed after); NULL = $TMPDIR or /tmp */
} rmc_bench_options;

/* One thread count's measurements. */
typedef struct rmc_bench_row {
    int ranks; /* the first `ranks` ranks of the job ran it */
    int threads;
    uint64_t replicates;
    double wall_seconds;   /* rmc_sim_run, allocation included */
    double reps_per_s;     /* replicates / wall_seconds */
    double speedup;        /* reps_per_s / the first row's */
    double efficiency;     /* speedup * first row's ranks x threads / (ranks x threads) */
    double reduce_seconds; /* of wall_seconds: summing the tables into rank 0 */
    double write_seconds;  /* writing the result file from rank 0 (not in wall_seconds) */
    double phase_seconds[RMC_SIM_N_PHASES]; /* thread-seconds per phase */
    size_t memory_estimate;                 /* rmc_sim_plan's estimate, bytes */
    size_t peak_rss;   /* peak resident set so far, bytes: the largest over the job's ranks */
    char checksum[17]; /* first 16 hex digits of the result's SHA-256 */
} rmc_bench_row;

/* The workload itself. */
typedef struct rmc_bench_workload {
    size_t n_applicants, n_programs, n_positions, n_interviews;
    double synth_seconds; /* generating and writing the market */
    double load_seconds;  /* loading it back */
} rmc_bench_workload;

/* Called after each row (may be NULL). */
typedef void (*rmc_bench_row_fn)(void *ctx, const rmc_bench_row *row);

/* Defaults: scale 1, 64 replicates, threads 1 and omp_get_max_threads()
 * (just 1 when that is 1), ranks 1, tmp_dir NULL, dist NULL. */
void rmc_bench_options_default(rmc_bench_options *o);

/* Generate the workload (rmc_synth_write of nrmp2025 at o->scale, seed
 * RMC_BENCH_SYNTH_SEED, into a fresh folder under tmp_dir, removed before
 * returning), load it, and run o->replicates replicates (seed
 * RMC_BENCH_SIM_SEED, phase timing on, the rank binning `rankmc run`
 * chooses under its default memory limit, no memory limit) at each rank
 * count x thread count, filling rows[r * n_threads + t] (on rank 0; the
 * row's result also written to a file from rank 0, timed, then removed)
 * and *w. Collective over o->dist: every rank makes the market, the first
 * `ranks` ranks run each row, on_row is called on rank 0. RMC_EUSAGE for
 * bad options (a rank count above the job's); RMC_EIO when
 * the folder cannot be made; else what synth, load or sim return (a model
 * problem comes back as RMC_EINPUT). */
rmc_status rmc_bench_run(const rmc_bench_options *o, rmc_bench_row *rows, rmc_bench_workload *w,
                         rmc_bench_row_fn on_row, void *ctx, rmc_diag *d);

/* First 16 hex digits of the SHA-256 of every table in a (replicates,
 * counts, histograms, move sums): equal results, equal checksums. */
void rmc_bench_checksum(const rmc_accum *a, char hex[17]);

#endif
