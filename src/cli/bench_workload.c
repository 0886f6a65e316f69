/* The standard national workload of `rankmc bench` (benchmark.h):
 * synth nrmp2025 at a scale with a fixed seed into a temporary folder, load
 * it, remove the folder, then one timed rmc_sim_run per rank count x thread
 * count with a fixed seed and phase timing on, over the first ranks of the
 * job (rmc_dist_split), and the result written from rank 0, timed. The checksum digests every
 * accumulated table, so equal answers show as equal checksums on any machine.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "benchmark.h"
#include "rankmc/rankmc.h"

static const char *const model_files[] = {"model.ini", "applicants.csv", "programs.csv",
                                          "interviews.csv"};

void rmc_bench_options_default(rmc_bench_options *o)
{
    memset(o, 0, sizeof *o);
    o->scale = 1.0;
    o->replicates = 64;
    o->threads[0] = 1;
    o->n_threads = 1;
    o->ranks[0] = 1;
    o->n_ranks = 1;
    const int max = omp_get_max_threads();
    if (max > 1) {
        o->threads[o->n_threads++] = max < RMC_BENCH_MAX_THREADS ? max : RMC_BENCH_MAX_THREADS;
    }
}

void rmc_bench_checksum(const rmc_accum *a, char hex[17])
{
    char full[65];
    rmc_accum_sha256(a, full);
    memcpy(hex, full, 16);
    hex[16] = '\0';
}

static rmc_status check_options(const rmc_bench_options *o, rmc_diag *d)
{
    if (!(o->scale > 0.0) || o->scale > 100.0) {
        return RMC_FAIL(d, RMC_EUSAGE, "scale must be in (0, 100]");
    }
    if (o->replicates < 1 || o->replicates > UINT32_MAX) {
        return RMC_FAIL(d, RMC_EUSAGE, "replicates must be between 1 and %u", UINT32_MAX);
    }
    if (o->n_threads < 1 || o->n_threads > RMC_BENCH_MAX_THREADS) {
        return RMC_FAIL(d, RMC_EUSAGE, "give 1 to %d thread counts", RMC_BENCH_MAX_THREADS);
    }
    for (size_t t = 0; t < o->n_threads; t++) {
        if (o->threads[t] < 1 || o->threads[t] > RMC_BENCH_MAX_THREADS) {
            return RMC_FAIL(d, RMC_EUSAGE, "thread counts must be 1 to %d", RMC_BENCH_MAX_THREADS);
        }
    }
    if (o->n_ranks < 1 || o->n_ranks > RMC_BENCH_MAX_RANKS) {
        return RMC_FAIL(d, RMC_EUSAGE, "give 1 to %d rank counts", RMC_BENCH_MAX_RANKS);
    }
    for (size_t r = 0; r < o->n_ranks; r++) {
        if (o->ranks[r] < 1 || o->ranks[r] > rmc_dist_size(o->dist)) {
            return RMC_FAIL(d, RMC_EUSAGE, "rank counts must be 1 to %d (the ranks mpirun started)",
                            rmc_dist_size(o->dist));
        }
    }
    return RMC_OK;
}

/* Remove the generated files and the folder (best effort). */
static void remove_market(const char *dir)
{
    char path[4200];
    for (size_t f = 0; f < sizeof model_files / sizeof model_files[0]; f++) {
        snprintf(path, sizeof path, "%s/%s", dir, model_files[f]);
        (void)unlink(path);
    }
    (void)rmdir(dir);
}

/* Generate the market into a fresh folder and load it; the folder is
 * removed before returning. */
static rmc_status make_market(const rmc_bench_options *o, rmc_bench_workload *w, rmc_model **m,
                              rmc_diag *d)
{
    const char *base = o->tmp_dir != NULL ? o->tmp_dir : getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/rankmc-bench-XXXXXX", base != NULL && *base ? base : "/tmp");
    if (mkdtemp(dir) == NULL) {
        return RMC_FAIL_AT(d, RMC_EIO, dir, 0, "cannot make a temporary folder: %s",
                           strerror(errno));
    }
    rmc_synth_options so;
    rmc_synth_options_default(&so);
    so.preset = "nrmp2025";
    so.scale = o->scale;
    so.seed = RMC_BENCH_SYNTH_SEED;
    so.tracks = 0; /* the standard workload: categorical PGY-1 positions (docs/bench.md) */
    so.force = true;
    rmc_synth_summary sum;
    double t0 = omp_get_wtime();
    rmc_status st = rmc_synth_write(&so, dir, &sum, d);
    w->synth_seconds = omp_get_wtime() - t0;
    if (st == RMC_OK) {
        t0 = omp_get_wtime();
        st = rmc_model_load(dir, NULL, d, m);
        w->load_seconds = omp_get_wtime() - t0;
        if (st == RMC_EINPUT) {
            RMC_FAIL(d, st, "the generated market does not load (a synth bug)");
        }
    }
    remove_market(dir);
    if (st == RMC_OK) {
        w->n_applicants = rmc_model_n_applicants(*m);
        w->n_programs = rmc_model_n_programs(*m);
        w->n_positions = rmc_model_n_positions(*m);
        w->n_interviews = rmc_model_n_interviews(*m);
    }
    return st;
}

static size_t peak_rss_bytes(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (size_t)ru.ru_maxrss * 1024u : 0;
}

/* The result file a run would write, from rank 0: its seconds into *secs;
 * the file is removed. */
static rmc_status timed_write(const rmc_model *m, const rmc_bench_options *o, const rmc_accum *acc,
                              const rmc_sim_stats *stats, double *secs, rmc_diag *d)
{
    const char *base = o->tmp_dir != NULL ? o->tmp_dir : getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/rankmc-bench-%ld.h5", base != NULL && *base ? base : "/tmp",
             (long)getpid());
    const char *factors[RMC_N_FACTORS];
    for (int f = 0; f < RMC_N_FACTORS; f++) {
        factors[f] = rmc_factor_name((rmc_factor)f);
    }
    const rmc_h5_run_info info = {
        .seed = RMC_BENCH_SIM_SEED,
        .threads = stats->threads,
        .ranks = stats->ranks,
        .rng_name = stats->rng_name,
        .proposing = "applicants",
        .wall_seconds = stats->wall_seconds,
        .command_line = "rankmc bench",
        .replicates_requested = o->replicates,
        .factor_names = factors,
    };
    const double t0 = omp_get_wtime();
    const rmc_status st = rmc_h5_write(path, true, m, acc, &info, d);
    *secs = omp_get_wtime() - t0;
    (void)unlink(path);
    return st;
}

/* One timed run at `threads` threads on the ranks of g into row (on rank 0),
 * the size of the tables reduced into w. */
static rmc_status bench_row(const rmc_model *m, const rmc_bench_options *o, const rmc_dist *g,
                            int threads, rmc_bench_row *row, rmc_bench_workload *w, rmc_diag *d)
{
    rmc_sim_options so;
    rmc_sim_options_default(&so);
    so.seed = RMC_BENCH_SIM_SEED;
    so.replicates = o->replicates;
    so.threads = threads;
    so.time_phases = true;
    /* The shape `rankmc run` uses by default (binning planned under the 2 GiB
     * default limit, which depends only on the model), without refusing
     * high thread counts whose per-thread scratch would pass that limit. */
    rmc_accum_dims dims;
    size_t bytes = 0;
    so.threads = 1;
    RMC_TRY(rmc_sim_plan(m, rmc_model_params(m), &so, &dims, &bytes, d));
    so.threads = threads;
    so.rank_bins = dims.rank_bins;
    w->reduced_bytes = rmc_accum_bytes(&dims, true);
    w->rank_hist_bytes = w->reduced_bytes - rmc_accum_bytes(&dims, false);
    so.max_memory = (size_t)1 << 40;
    so.dist = g;
    rmc_accum *acc = NULL;
    rmc_sim_stats stats;
    RMC_TRY(rmc_sim_run(m, rmc_model_params(m), &so, &acc, &stats, d));
    memset(row, 0, sizeof *row);
    if (acc == NULL) { /* not rank 0: its share is in rank 0's totals */
        return RMC_OK;
    }
    rmc_status st = timed_write(m, o, acc, &stats, &row->write_seconds, d);
    row->ranks = stats.ranks;
    row->reduce_seconds = stats.reduce_seconds;
    row->threads = stats.threads;
    row->replicates = stats.replicates;
    row->wall_seconds = stats.wall_seconds;
    row->reps_per_s =
        stats.wall_seconds > 0.0 ? (double)stats.replicates / stats.wall_seconds : 0.0;
    memcpy(row->phase_seconds, stats.phase_seconds, sizeof row->phase_seconds);
    row->memory_estimate = stats.memory_estimate;
    rmc_bench_checksum(acc, row->checksum);
    rmc_accum_free(acc);
    return st;
}

rmc_status rmc_bench_run(const rmc_bench_options *o, rmc_bench_row *rows, rmc_bench_workload *w,
                         rmc_bench_row_fn on_row, void *ctx, rmc_diag *d)
{
    memset(w, 0, sizeof *w);
    RMC_TRY(check_options(o, d));
    rmc_model *m = NULL;
    rmc_status st = rmc_dist_agree(o->dist, make_market(o, w, &m, d), d);
    for (size_t ri = 0; ri < o->n_ranks && st == RMC_OK; ri++) {
        rmc_dist *sub = NULL;
        st = rmc_dist_split(o->dist, o->ranks[ri], &sub, d);
        for (size_t t = 0; t < o->n_threads && st == RMC_OK; t++) {
            rmc_bench_row *row = &rows[ri * o->n_threads + t];
            st = sub != NULL ? bench_row(m, o, sub, o->threads[t], row, w, d) : RMC_OK;
            /* every rank of the job, also those that sat this row out */
            st = rmc_dist_agree(o->dist, st, d);
            int64_t rss = (int64_t)peak_rss_bytes();
            if (st == RMC_OK) {
                st = rmc_dist_all_max_i64(o->dist, &rss, 1, d);
            }
            if (st == RMC_OK && rmc_dist_rank(o->dist) == 0) {
                row->peak_rss = (size_t)rss;
                const double base = rows[0].reps_per_s;
                row->speedup = base > 0.0 ? row->reps_per_s / base : 0.0;
                row->efficiency = row->speedup * rows[0].ranks * rows[0].threads /
                                  ((double)row->ranks * row->threads);
                if (on_row != NULL) {
                    on_row(ctx, row);
                }
            }
        }
        rmc_dist_free(sub);
    }
    rmc_model_free(m);
    return st;
}
