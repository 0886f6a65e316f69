/* End-to-end benchmark of whole replicates on synthetic NRMP-2025-shaped
 * markets (rmc_synth_write, preset nrmp2025) at several scales.
 *
 * For each scale, in a child process of its own (so that each peak memory
 * figure is that scale's alone):
 *   1. the phases of a replicate on one thread, timed separately with the
 *      thread's CPU time: meetings (day effects + every program's meeting),
 *      ROLs (every applicant's list, written into the Match input as the
 *      engine does), the Match, and accumulation (rank columns, rmc_accum_add
 *      and 1/RMC_SIM_BATCH of folding a batch's columns into the rank
 *      histogram, as the engine does);
 *   2. the RNG floor: the same seeks and ~the same variates (2 normals and 4
 *      uniforms per interview, 1 Gumbel per ROL entry) drawn the cheapest
 *      way the library has, with no model logic (as bench_meeting);
 *   3. rmc_sim_run itself at 1 and 2 threads, with n and 2n replicates: the
 *      difference gives the steady-state wall and CPU ms per replicate and
 *      replicates per second, the rest is the run's setup;
 *   4. the child's peak resident set size.
 * The phase code mirrors src/sim.c's run_replicate for markets without
 * couples; its sum is checked against rmc_sim_run's 1-thread time.
 *
 * usage: bench_sim [-p] [-n REPLICATES_AT_1X] [SCALE ...]   (default 8; 0.1 0.3 1 3)
 * -p: the phases only (no rmc_sim_run).
 * Replicates per scale: REPLICATES_AT_1X / scale, at least 2.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, fork */

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "bench.h"
#include "bench_floor.h"
#include "internal.h"
#include "meeting_int.h"
#include "model_int.h"
#include "rankmc/accum.h"
#include "rankmc/match.h"
#include "rankmc/meeting.h"
#include "rankmc/sim.h"
#include "rankmc/synth.h"
#include "rng_int.h"

enum { PH_MEET, PH_ROL, PH_MATCH, PH_ACCUM, PH_FLOOR, N_PH };
static const char *const ph_name[N_PH] = {"meetings", "ROLs + match input", "match", "accumulation",
                                          "RNG floor"};

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* One thread's replicate scratch, as the engine's thread_ws. */
typedef struct bufs {
    rmc_rng *r;
    rmc_meeting_ws *mw;
    rmc_match_ws *xw;
    rmc_accum *acc, *total;
    double *day;
    int32_t *rank, *choice_rank, *app_choice, *fill;
    float *moves;
    rmc_id *rol, *choice_prog, *choice_iv, *app_prog, *app_iv;
    size_t *app_off;
    uint16_t *cols; /* [n_rep][n_iv] */
} bufs;

static void *must(void *p)
{
    if (p == NULL) {
        fprintf(stderr, "bench_sim: out of memory\n");
        exit(1);
    }
    return p;
}

static void bufs_alloc(const rmc_model *m, const rmc_accum_dims *dims, size_t n_rep, bufs *b)
{
    memset(b, 0, sizeof *b);
    if (rmc_rng_alloc(NULL, &b->r, NULL) != RMC_OK ||
        rmc_meeting_ws_alloc(m, &b->mw, NULL) != RMC_OK ||
        rmc_match_ws_alloc(m->n_app, m->n_prog, m->n_iv, m->n_positions, &b->xw) != RMC_OK ||
        rmc_accum_alloc(dims, false, &b->acc, NULL) != RMC_OK ||
        rmc_accum_alloc(dims, true, &b->total, NULL) != RMC_OK) {
        must(NULL);
    }
    /* the engine's allocator (64-byte aligned, huge pages where large) */
    void **arrays[] = {(void **)&b->day,         (void **)&b->rank,      (void **)&b->moves,
                       (void **)&b->rol,         (void **)&b->app_off,   (void **)&b->choice_prog,
                       (void **)&b->choice_rank, (void **)&b->choice_iv, (void **)&b->app_prog,
                       (void **)&b->app_choice,  (void **)&b->app_iv,    (void **)&b->fill};
    const size_t counts[] = {m->n_app,
                             m->n_iv,
                             m->n_iv * RMC_N_FACTORS,
                             b->mw->cap_app + 1,
                             m->n_app + 1,
                             m->n_iv,
                             m->n_iv,
                             m->n_iv,
                             m->n_app,
                             m->n_app,
                             m->n_app,
                             m->n_prog};
    for (size_t t = 0; t < sizeof counts / sizeof *counts; t++) {
        if (rmc_alloc_aligned(arrays[t], counts[t], 8, NULL) != RMC_OK) {
            must(NULL);
        }
    }
    b->cols = must(calloc(n_rep * m->n_iv, sizeof *b->cols));
}

static void bufs_free(bufs *b)
{
    free(b->cols);
    void *arrays[] = {b->fill,      b->app_iv,      b->app_choice,  b->app_prog,
                      b->choice_iv, b->choice_rank, b->choice_prog, b->app_off,
                      b->rol,       b->moves,       b->rank,        b->day};
    for (size_t t = 0; t < sizeof arrays / sizeof *arrays; t++) {
        rmc_free(arrays[t]);
    }
    rmc_accum_free(b->total);
    rmc_accum_free(b->acc);
    rmc_match_ws_free(b->xw);
    rmc_meeting_ws_free(b->mw);
    rmc_rng_free(b->r);
}

static void meetings(const rmc_model *m, bufs *b, uint64_t rep)
{
    rmc_meeting_draw_applicants(m, &m->params, b->r, 1, rep, b->day);
    for (size_t j = 0; j < m->n_prog; j++) {
        rmc_meeting_run(m, &m->params, j, b->day, b->r, 1, rep, b->mw, b->rank, b->moves);
    }
}

/* Every applicant's ROL into the Match input (singles only). */
static void rols(const rmc_model *m, bufs *b, uint64_t rep, rmc_match_input *in)
{
    b->app_off[0] = 0;
    for (size_t i = 0; i < m->n_app; i++) {
        const size_t off = b->app_off[i];
        const size_t n = rmc_prefs_generate(m, &m->params, i, b->r, 1, rep, b->mw, b->rol);
        for (size_t e = 0; e < n; e++) {
            const rmc_id k = b->rol[e];
            b->choice_prog[off + e] = m->iv_prog[k];
            b->choice_rank[off + e] = b->rank[k];
            b->choice_iv[off + e] = k;
        }
        b->app_off[i + 1] = off + n;
    }
    memset(in, 0, sizeof *in);
    in->n_app = m->n_app;
    in->n_prog = m->n_prog;
    in->capacity = m->positions;
    in->app_off = b->app_off;
    in->choice_prog = b->choice_prog;
    in->choice_rank = b->choice_rank;
}

static void match(bufs *b, const rmc_match_input *in)
{
    rmc_match_result res = {b->app_prog, b->app_choice, b->fill, 0, true};
    if (rmc_match_run(b->xw, in, RMC_PROPOSE_APPLICANTS, 0, &res, NULL) != RMC_OK) {
        fprintf(stderr, "bench_sim: the Match failed\n");
        exit(1);
    }
}

/* Rank columns, the interview each applicant matched through, and
 * rmc_accum_add; the batch's fold into the rank histogram is timed apart. */
static void accumulate(const rmc_model *m, const rmc_accum_dims *dims, bufs *b, uint16_t *cols)
{
    for (size_t k = 0; k < m->n_iv; k++) {
        cols[k] = (uint16_t)rmc_accum_rank_col(dims, b->rank[k]);
    }
    for (size_t i = 0; i < m->n_app; i++) {
        const int32_t ch = b->app_choice[i];
        b->app_iv[i] =
            b->app_prog[i] != RMC_ID_NONE ? b->choice_iv[b->app_off[i] + (size_t)ch] : RMC_ID_NONE;
    }
    const rmc_accum_replicate rep = {b->app_choice, b->app_iv, b->fill,
                                     b->rank,       b->moves,  m->iv_prog};
    rmc_accum_add(b->acc, &rep);
}

/* The variates alone, from the same streams (bench_floor.h). */
static double rng_floor(const rmc_model *m, bufs *b, uint64_t rep)
{
    return bench_rng_floor(m, b->r, rep);
}

static void report(const char *what, double *t, size_t n)
{
    const double med = bench_median(t, n);
    printf("  %-22s median %9.2f ms   min %9.2f ms\n", what, med, t[0]);
}

/* Phases of n_rep replicates on this thread; the medians' sum is returned. */
static double phases(const rmc_model *m, size_t n_rep)
{
    rmc_accum_dims dims;
    size_t bytes = 0;
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.threads = 1;
    if (rmc_sim_plan(m, &m->params, &o, &dims, &bytes, NULL) != RMC_OK) {
        fprintf(stderr, "bench_sim: rmc_sim_plan failed\n");
        exit(1);
    }
    bufs b;
    bufs_alloc(m, &dims, RMC_SIM_BATCH, &b);
    double *t[N_PH];
    for (int ph = 0; ph < N_PH; ph++) {
        t[ph] = must(calloc(n_rep, sizeof *t[ph]));
    }
    rmc_match_input in;
    meetings(m, &b, 999); /* warm-up: first touch of every buffer */
    rols(m, &b, 999, &in);
    match(&b, &in);
    volatile double sink = 0;
    for (size_t r = 0; r < n_rep; r++) {
        double t0 = cpu_ms();
        meetings(m, &b, r);
        double t1 = cpu_ms();
        rols(m, &b, r, &in);
        double t2 = cpu_ms();
        match(&b, &in);
        double t3 = cpu_ms();
        accumulate(m, &dims, &b, b.cols + (r % RMC_SIM_BATCH) * m->n_iv);
        double t4 = cpu_ms();
        sink = sink + rng_floor(m, &b, r);
        t[PH_MEET][r] = t1 - t0;
        t[PH_ROL][r] = t2 - t1;
        t[PH_MATCH][r] = t3 - t2;
        t[PH_ACCUM][r] = t4 - t3;
        t[PH_FLOOR][r] = cpu_ms() - t4;
    }
    /* the engine folds a batch of RMC_SIM_BATCH replicates' columns at once;
     * fill a batch from the replicates run and time one fold */
    for (size_t r = n_rep; r < RMC_SIM_BATCH; r++) {
        memcpy(b.cols + r * m->n_iv, b.cols + (r % n_rep) * m->n_iv, m->n_iv * sizeof *b.cols);
    }
    double folds[3];
    for (int f = 0; f < 3; f++) {
        const double f0 = cpu_ms();
        rmc_accum_add_ranks(b.total, b.cols, RMC_SIM_BATCH, m->n_iv, 0, m->n_iv);
        folds[f] = (cpu_ms() - f0) / (double)RMC_SIM_BATCH;
    }
    const double fold = bench_median(folds, 3);
    for (size_t r = 0; r < n_rep; r++) {
        t[PH_ACCUM][r] += fold;
    }
    printf("  phases on 1 thread (CPU time per replicate; accumulation includes %.2f ms, 1/%d of "
           "a batch's rank-histogram fold, median of 3):\n",
           fold, RMC_SIM_BATCH);
    double sum = 0;
    for (int ph = 0; ph < N_PH; ph++) {
        report(ph_name[ph], t[ph], n_rep);
        sum += ph == PH_FLOOR ? 0.0 : bench_median(t[ph], n_rep);
    }
    printf("  %-22s %9.2f ms = %.2f x the RNG floor\n", "sum of phase medians", sum,
           sum / bench_median(t[PH_FLOOR], n_rep));
    for (int ph = 0; ph < N_PH; ph++) {
        free(t[ph]);
    }
    bufs_free(&b);
    return sum;
}

/* One rmc_sim_run of n_rep replicates at nt threads: wall and process CPU
 * seconds. */
static void sim_once(const rmc_model *m, int nt, size_t n_rep, double *wall, double *cpu,
                     size_t *mem)
{
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.threads = nt;
    o.replicates = n_rep;
    rmc_accum *out = NULL;
    rmc_sim_stats st;
    rmc_diag d = {0};
    struct timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    const double t0 = bench_now();
    if (rmc_sim_run(m, &m->params, &o, &out, &st, &d) != RMC_OK) {
        fprintf(stderr, "bench_sim: rmc_sim_run: %s\n", d.message);
        exit(1);
    }
    *wall = bench_now() - t0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    *cpu = (double)(c1.tv_sec - c0.tv_sec) + 1e-9 * (double)(c1.tv_nsec - c0.tv_nsec);
    *mem = st.memory_estimate;
    rmc_accum_free(out);
}

/* rmc_sim_run at nt threads with n and 2n replicates: the difference is
 * the steady-state cost of n replicates; the rest of the n-run is setup
 * (allocating and first touching the histograms, workspaces). */
static void sim_run(const rmc_model *m, int nt, size_t n_rep)
{
    double w1, c1, w2, c2;
    size_t mem;
    sim_once(m, nt, n_rep, &w1, &c1, &mem);
    sim_once(m, nt, 2 * n_rep, &w2, &c2, &mem);
    const double per_wall = (w2 - w1) / (double)n_rep, per_cpu = (c2 - c1) / (double)n_rep;
    printf(
        "  rmc_sim_run, %d thread%s: %zu and %zu replicates in %.2f / %.2f s wall (%.2f / %.2f s "
        "CPU):\n    per replicate %.2f ms wall, %.2f ms CPU, %.2f replicates/s; setup %.2f s "
        "wall; memory estimate %.0f MiB\n",
        nt, nt > 1 ? "s" : "", n_rep, 2 * n_rep, w1, w2, c1, c2, per_wall * 1e3, per_cpu * 1e3,
        1.0 / per_wall, w1 - per_wall * (double)n_rep, (double)mem / 1048576.0);
}

static int one_scale(double scale, size_t n_rep, bool phases_only)
{
    char dir[] = "/tmp/rankmc_bench_sim_XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("bench_sim: mkdtemp");
        return 1;
    }
    rmc_synth_options so;
    rmc_synth_options_default(&so);
    so.preset = "nrmp2025";
    so.scale = scale;
    so.seed = 2385;
    so.force = true;
    rmc_synth_summary sum;
    rmc_diag d = {0};
    rmc_model *m = NULL;
    if (rmc_synth_write(&so, dir, &sum, &d) != RMC_OK ||
        rmc_model_load(dir, NULL, &d, &m) != RMC_OK) {
        fprintf(stderr, "bench_sim: %s\n", d.message);
        return 1;
    }
    const char *files[] = {"model.ini", "applicants.csv", "programs.csv", "interviews.csv"};
    char path[sizeof dir + 32];
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[f]);
        remove(path);
    }
    rmdir(dir);
    printf("scale %.1f: %zu applicants, %zu programs, %zu positions, %zu interviews, %zu couples; "
           "%zu replicates\n",
           scale, m->n_app, m->n_prog, m->n_positions, m->n_iv, m->n_couples, n_rep);
    if (m->n_couples == 0) {
        phases(m, n_rep);
    } else {
        printf("  (phase breakdown skipped: the bench mirrors the engine for singles only)\n");
    }
    if (!phases_only) {
        sim_run(m, 1, n_rep);
        sim_run(m, 2, n_rep);
    }
    printf("  peak RSS of this scale's process: %.0f MiB\n", bench_peak_rss_mib());
    rmc_model_free(m);
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    size_t n_at_1 = 8;
    double scales[16] = {0.1, 0.3, 1.0, 3.0};
    size_t n_scales = 4, given = 0;
    bool phases_only = false;
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "-p") == 0) {
            phases_only = true;
        } else if (strcmp(argv[a], "-n") == 0 && a + 1 < argc) {
            n_at_1 = (size_t)strtoul(argv[++a], NULL, 10);
        } else if (given < 16) {
            scales[given++] = strtod(argv[a], NULL);
        }
    }
    n_scales = given > 0 ? given : n_scales;
    int rc = 0;
    for (size_t s = 0; s < n_scales; s++) {
        fflush(stdout);
        const pid_t pid = fork();
        if (pid == 0) {
            const double want = (double)n_at_1 / scales[s];
            const int child_rc = one_scale(scales[s], want > 2 ? (size_t)want : 2, phases_only);
            fflush(stdout);
            _exit(child_rc);
        }
        int status = 1;
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            rc = 1;
        }
    }
    return rc;
}
