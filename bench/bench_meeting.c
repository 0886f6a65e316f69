/* Micro-benchmark of one replicate's rank meetings and generated ROLs on a
 * national-shaped synthetic market (tests/model_fixture.h: 47,208
 * applicants x 12 interviews over 6,626 programs, about 85 interviewees a
 * program), single thread, with the RNG floor measured in the same run: the
 * same stream seeks and the same number of normal and uniform variates the
 * model draws per interview (2 normals, 4 uniforms, the name's stream
 * positioned as the meeting does it: first blocks made for the whole list
 * at once) and per ROL entry (one exponential), with no model logic. Times are the thread's
 * CPU time (see now_ms). Then the whole replicate as the engine runs it
 * (rmc_sim_run on one thread with its own phase timing, wall time), as a
 * multiple of the floor: the "whole / RNG floor" ratio of bench/RESULTS.md.
 * With -s SCALE the market is the one bench_sim uses (synth preset
 * nrmp2025 at SCALE, seed 2385) instead of the fixture. Two more rows time
 * the meetings with their moves summed as the engine sums them: the float
 * moves and then rmc_accum_add_moves_i32's pass over them ("+ move sums"),
 * and the moves added into program-order sums as the names are moved
 * (rmc_meeting_run_sums, "into sums", what the engine runs). The last
 * rows time the meetings (float moves) by each path of their vector pass
 * (rmc_meeting_run_by: the scalar code alone, AVX2 four names a pass,
 * AVX-512 eight; a path the CPU lacks is left out), interleaved replicate
 * by replicate, so their ratios come from one run.
 *
 * usage: bench_meeting [-n REPLICATES] [-a APPLICANTS] [-p PROGRAMS] [-i PER_APPLICANT]
 *                      [-s SCALE]
 * Prints the median and minimum ms per replicate of each part.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "../tests/model_fixture.h"
#include "bench.h"
#include "rankmc/rankmc.h"
#include "accum_int.h"
#include "meeting_int.h"
#include "model_int.h"
#include "rng_int.h"

/* The calling thread's CPU time: on a machine shared with other jobs it
 * leaves out the time the thread waits for a core (wall time doubled
 * under a load average of 4-5 on 2 cores). */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct bench_bufs {
    rmc_meeting_ws *w;
    rmc_rng *r;
    double *day;
    int32_t *rank;
    float *moves;
    rmc_id *rol;
    uint32_t *heads;  /* [largest program][RMC_PHILOX_HEAD_WORDS] */
    rmc_accum *total; /* the int64 move sums the int32 ones spill into */
    int32_t *sum;     /* [n_iv * RMC_N_FACTORS] int32 move sums */
    volatile double sink;
} bench_bufs;

static double time_meetings(const rmc_model *m, bench_bufs *b, uint64_t rep)
{
    const double t0 = now_ms();
    rmc_meeting_draw_applicants(m, &m->params, b->r, 1, rep, b->day);
    for (size_t j = 0; j < m->n_prog; j++) {
        rmc_meeting_run(m, &m->params, j, b->day, b->r, 1, rep, b->w, b->rank, b->moves);
    }
    return now_ms() - t0;
}

/* The meetings' float moves, then their pass into int32 sums
 * (interview order). */
static double time_meetings_add(const rmc_model *m, bench_bufs *b, uint64_t rep)
{
    const double t0 = now_ms();
    rmc_meeting_draw_applicants(m, &m->params, b->r, 1, rep, b->day);
    for (size_t j = 0; j < m->n_prog; j++) {
        rmc_meeting_run(m, &m->params, j, b->day, b->r, 1, rep, b->w, b->rank, b->moves);
    }
    rmc_accum_add_moves_i32(b->total, b->sum, b->moves);
    return now_ms() - t0;
}

/* The meetings adding their moves into int32 sums (program order). */
static double time_meetings_sums(const rmc_model *m, bench_bufs *b, uint64_t rep)
{
    const double t0 = now_ms();
    const rmc_move_sums sums = {b->sum, b->total->move_sum};
    rmc_meeting_draw_applicants(m, &m->params, b->r, 1, rep, b->day);
    for (size_t j = 0; j < m->n_prog; j++) {
        rmc_meeting_run_sums(m, &m->params, j, b->day, b->r, 1, rep, b->w, b->rank, &sums);
    }
    return now_ms() - t0;
}

/* The meetings by vector path `path` (rmc_meeting_run_by); -1 where the
 * CPU lacks it. */
static double time_meetings_path(const rmc_model *m, bench_bufs *b, uint64_t rep, unsigned path)
{
    if (path > 0 && rmc_lanes_by(path) == NULL) {
        return -1;
    }
    const double t0 = now_ms();
    rmc_meeting_draw_applicants(m, &m->params, b->r, 1, rep, b->day);
    for (size_t j = 0; j < m->n_prog; j++) {
        rmc_meeting_run_by(path, m, &m->params, j, b->day, b->r, 1, rep, b->w, b->rank, b->moves);
    }
    return now_ms() - t0;
}

/* The names' stream heads alone: rmc_philox_heads over every program's
 * list, as each meeting calls it. */
static double time_heads(const rmc_model *m, bench_bufs *b, uint64_t rep)
{
    const double t0 = now_ms();
    uint32_t acc = 0;
    for (size_t j = 0; j < m->n_prog; j++) {
        const size_t n = m->prog_off[j + 1] - m->prog_off[j];
        rmc_philox_heads(1, rep, RMC_STREAM_INTERVIEW, m->iv_by_prog + m->prog_off[j], n,
                         RMC_PHILOX_HEAD_BLOCKS, b->heads);
        acc += b->heads[0];
    }
    b->sink = (double)acc;
    return now_ms() - t0;
}

static double time_prefs(const rmc_model *m, bench_bufs *b, uint64_t rep)
{
    const double t0 = now_ms();
    size_t total = 0;
    for (size_t i = 0; i < m->n_app; i++) {
        total += rmc_prefs_generate(m, &m->params, i, b->r, 1, rep, b->w, b->rol);
    }
    b->sink = (double)total;
    return now_ms() - t0;
}

/* The RNG floor of one replicate: the variates a replicate draws, from the
 * same streams, drawn the cheapest way the library has and with no model
 * logic. Per applicant a day effect; per program a leniency normal and one
 * noise normal per interviewee (the program's stream); per interview its
 * own stream (the name's discussion: likability, advocacy and comment
 * draws, about a normal and four uniforms); per ROL entry one exponential
 * (the taste-shock race). The sum is returned so the compiler keeps the
 * draws. */
static double rng_floor(const rmc_model *m, rmc_rng *r, uint64_t rep, uint32_t *heads)
{
    double acc = 0;
    rmc_rng_seek(r, 1, rep, RMC_STREAM_APPLICANT, 0);
    rmc_philox *s = rmc_rng_philox(r);
    for (size_t i = 0; i < m->n_app; i++) {
        acc += rmc_philox_normal(s);
    }
    for (size_t j = 0; j < m->n_prog; j++) {
        rmc_rng_seek(r, 1, rep, RMC_STREAM_MEETING, (uint32_t)j);
        acc += rmc_philox_normal(s);
        for (size_t e = m->prog_off[j]; e < m->prog_off[j + 1]; e++) {
            acc += rmc_philox_normal(s);
        }
        /* the names' streams as the meeting positions them: their first
         * blocks made side by side for the whole list */
        const size_t n = m->prog_off[j + 1] - m->prog_off[j];
        rmc_philox_heads(1, rep, RMC_STREAM_INTERVIEW, m->iv_by_prog + m->prog_off[j], n,
                         RMC_PHILOX_HEAD_BLOCKS, heads);
        for (size_t e = m->prog_off[j]; e < m->prog_off[j + 1]; e++) {
            rmc_philox_seek_head(s, 1, rep, RMC_STREAM_INTERVIEW, (uint32_t)m->iv_by_prog[e],
                                 heads + (e - m->prog_off[j]) * RMC_PHILOX_HEAD_WORDS,
                                 RMC_PHILOX_HEAD_BLOCKS);
            acc += rmc_philox_normal(s);
            acc += rmc_philox_uniform(s) + rmc_philox_uniform(s) + rmc_philox_uniform(s) +
                   rmc_philox_uniform(s);
        }
    }
    for (size_t i = 0; i < m->n_app; i++) {
        rmc_rng_seek(r, 1, rep, RMC_STREAM_PREFERENCES, (uint32_t)i);
        for (size_t e = m->app_off[i]; e < m->app_off[i + 1]; e++) {
            acc += rmc_philox_exp1(s);
        }
    }
    return acc;
}

/* The variates alone, from the same streams, drawn the cheapest way the
 * library has (rng_int.h's inline draws). */
static double time_floor(const rmc_model *m, bench_bufs *b, uint64_t rep)
{
    const double t0 = now_ms();
    b->sink = rng_floor(m, b->r, rep, b->heads);
    return now_ms() - t0;
}

static void report(const char *what, double *t, size_t n, size_t n_iv)
{
    qsort(t, n, sizeof *t, cmp_double);
    const double med = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    printf("  %-23s median %8.2f ms   min %8.2f ms   (%.1f ns per interview)\n", what, med, t[0],
           med * 1e6 / (double)n_iv);
}

/* The whole replicate as the engine runs it: rmc_sim_run on one thread,
 * n_rep replicates, its own phase timing; the sum of the phases per
 * replicate against floor_ms (the floor's median). */
static void whole_replicate(const rmc_model *m, size_t n_rep, double floor_ms)
{
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.threads = 1;
    o.replicates = n_rep;
    o.time_phases = true;
    rmc_accum *acc = NULL;
    rmc_sim_stats st;
    rmc_diag d = {0};
    if (rmc_sim_run(m, &m->params, &o, &acc, &st, &d) != RMC_OK) {
        fprintf(stderr, "bench_meeting: rmc_sim_run: %s\n", d.message);
        exit(1);
    }
    rmc_accum_free(acc);
    double sum = 0;
    for (int ph = 0; ph < RMC_SIM_N_PHASES; ph++) {
        sum += st.phase_seconds[ph];
    }
    sum *= 1e3 / (double)st.replicates;
    printf("  %-23s mean   %8.2f ms   = %.2f x the RNG floor median (rmc_sim_run, 1 thread,\n"
           "  %-23s sum of its phase times per replicate, wall clock)\n",
           "whole replicate", sum, sum / floor_ms, "");
}

static size_t arg_size(const char *s)
{
    const long v = strtol(s, NULL, 10);
    return v > 0 ? (size_t)v : 1;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    size_t n_rep = 7, n_app = 47208, n_prog = 6626, per_app = 12;
    double scale = 0; /* > 0: the synth market */
    for (int a = 1; a + 1 < argc; a += 2) {
        const size_t v = arg_size(argv[a + 1]);
        if (strcmp(argv[a], "-s") == 0) {
            scale = strtod(argv[a + 1], NULL);
        } else if (strcmp(argv[a], "-n") == 0) {
            n_rep = v;
        } else if (strcmp(argv[a], "-a") == 0) {
            n_app = v;
        } else if (strcmp(argv[a], "-p") == 0) {
            n_prog = v;
        } else if (strcmp(argv[a], "-i") == 0) {
            per_app = v;
        }
    }
    rmc_model *m = scale > 0 ? bench_synth_market(scale, "bench_meeting")
                             : fx_market(n_app, n_prog, per_app, 2385);
    if (m == NULL) {
        return 1;
    }
    bench_bufs b = {0};
    if (rmc_meeting_ws_alloc(m, &b.w, NULL) != RMC_OK ||
        rmc_rng_alloc(NULL, &b.r, NULL) != RMC_OK) {
        fprintf(stderr, "bench_meeting: out of memory\n");
        return 1;
    }
    b.day = fx_calloc(m->n_app, sizeof *b.day);
    b.rank = fx_calloc(m->n_iv, sizeof *b.rank);
    b.moves = fx_calloc(m->n_iv * RMC_N_FACTORS, sizeof *b.moves);
    b.rol = fx_calloc(m->n_iv, sizeof *b.rol);
    b.heads = fx_calloc(m->n_iv * RMC_PHILOX_HEAD_WORDS, sizeof *b.heads);
    b.sum = fx_calloc(m->n_iv * RMC_N_FACTORS, sizeof *b.sum);
    rmc_accum_dims dims = {.n_app = m->n_app, .n_prog = m->n_prog, .n_iv = m->n_iv};
    dims.n_factors = RMC_N_FACTORS;
    dims.choice_len = 1;
    dims.max_positions = 1;
    rmc_accum_dims_bin(&dims, 1, 0);
    if (rmc_accum_alloc(&dims, false, &b.total, NULL) != RMC_OK) {
        fprintf(stderr, "bench_meeting: out of memory\n");
        return 1;
    }
    double *tm = fx_calloc(n_rep, sizeof *tm), *tp = fx_calloc(n_rep, sizeof *tp);
    double *tf = fx_calloc(n_rep, sizeof *tf), *tt = fx_calloc(n_rep, sizeof *tt);
    double *th = fx_calloc(n_rep, sizeof *th);
    double *ta = fx_calloc(n_rep, sizeof *ta), *ts = fx_calloc(n_rep, sizeof *ts);
    enum { PATHS = 3 };
    double *tl[PATHS];
    for (unsigned path = 0; path < PATHS; path++) {
        tl[path] = fx_calloc(n_rep, sizeof *tl[path]);
    }
    time_meetings(m, &b, 1000); /* warm-up: first touch of every buffer */
    time_meetings_add(m, &b, 1000);
    time_meetings_sums(m, &b, 1000);
    time_prefs(m, &b, 1000);
    for (size_t rep = 0; rep < n_rep; rep++) {
        tm[rep] = time_meetings(m, &b, rep);
        ta[rep] = time_meetings_add(m, &b, rep);
        ts[rep] = time_meetings_sums(m, &b, rep);
        tp[rep] = time_prefs(m, &b, rep);
        tt[rep] = tm[rep] + tp[rep];
        tf[rep] = time_floor(m, &b, rep);
        th[rep] = time_heads(m, &b, rep);
        for (unsigned path = 0; path < PATHS; path++) {
            tl[path][rep] = time_meetings_path(m, &b, rep, path);
        }
    }
    printf(
        "bench_meeting: %zu applicants, %zu programs, %zu interviews, %zu replicates, 1 thread\n",
        m->n_app, m->n_prog, m->n_iv, n_rep);
    report("meetings", tm, n_rep, m->n_iv);
    report("meetings + move sums", ta, n_rep, m->n_iv);
    report("meetings into sums", ts, n_rep, m->n_iv);
    report("applicant ROLs", tp, n_rep, m->n_iv);
    report("meetings + ROLs", tt, n_rep, m->n_iv);
    report("RNG floor", tf, n_rep, m->n_iv);
    report("names' heads", th, n_rep, m->n_iv);
    const char *const path_row[PATHS] = {"meetings, scalar code", "meetings, AVX2 lanes",
                                         "meetings, AVX-512 lanes"};
    for (unsigned path = 0; path < PATHS; path++) {
        if (tl[path][0] >= 0) {
            report(path_row[path], tl[path], n_rep, m->n_iv);
        }
    }
    /* report sorted tf: its median */
    whole_replicate(m, n_rep,
                    n_rep % 2 ? tf[n_rep / 2] : 0.5 * (tf[n_rep / 2 - 1] + tf[n_rep / 2]));
    free(tm);
    free(tp);
    free(tf);
    free(tt);
    free(th);
    free(ta);
    free(ts);
    for (unsigned path = 0; path < PATHS; path++) {
        free(tl[path]);
    }
    rmc_accum_free(b.total);
    free(b.sum);
    free(b.heads);
    free(b.rol);
    free(b.moves);
    free(b.rank);
    free(b.day);
    rmc_rng_free(b.r);
    rmc_meeting_ws_free(b.w);
    if (scale > 0) {
        rmc_model_free(m);
    } else {
        fx_free(m);
    }
    return 0;
}
