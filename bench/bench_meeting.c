/* Micro-benchmark of one replicate's rank meetings and generated ROLs on a
 * national-shaped synthetic market (tests/model_fixture.h: 47,208
 * applicants x 12 interviews over 6,626 programs, about 85 interviewees a
 * program), single thread, with the RNG floor measured in the same run: the
 * same stream seeks and the same number of normal and uniform variates the
 * model draws per interview (2 normals, 4 uniforms) and per ROL entry (one
 * uniform and a double log), with no model logic. Times are the thread's
 * CPU time (see now_ms).
 *
 * usage: bench_meeting [-n REPLICATES] [-a APPLICANTS] [-p PROGRAMS] [-i PER_APPLICANT]
 * Prints the median and minimum ms per replicate of each part.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "../tests/model_fixture.h"
#include "rankmc/meeting.h"
#include "bench_floor.h"
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

/* The variates alone, from the same streams, drawn the cheapest way the
 * library has (rng_int.h's inline draws). */
static double time_floor(const rmc_model *m, bench_bufs *b, uint64_t rep)
{
    const double t0 = now_ms();
    b->sink = bench_rng_floor(m, b->r, rep);
    return now_ms() - t0;
}

static void report(const char *what, double *t, size_t n, size_t n_iv)
{
    qsort(t, n, sizeof *t, cmp_double);
    const double med = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    printf("  %-22s median %8.2f ms   min %8.2f ms   (%.1f ns per interview)\n", what, med, t[0],
           med * 1e6 / (double)n_iv);
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
    for (int a = 1; a + 1 < argc; a += 2) {
        const size_t v = arg_size(argv[a + 1]);
        if (strcmp(argv[a], "-n") == 0) {
            n_rep = v;
        } else if (strcmp(argv[a], "-a") == 0) {
            n_app = v;
        } else if (strcmp(argv[a], "-p") == 0) {
            n_prog = v;
        } else if (strcmp(argv[a], "-i") == 0) {
            per_app = v;
        }
    }
    rmc_model *m = fx_market(n_app, n_prog, per_app, 2385);
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
    double *tm = fx_calloc(n_rep, sizeof *tm), *tp = fx_calloc(n_rep, sizeof *tp);
    double *tf = fx_calloc(n_rep, sizeof *tf), *tt = fx_calloc(n_rep, sizeof *tt);
    time_meetings(m, &b, 1000); /* warm-up: first touch of every buffer */
    time_prefs(m, &b, 1000);
    for (size_t rep = 0; rep < n_rep; rep++) {
        tm[rep] = time_meetings(m, &b, rep);
        tp[rep] = time_prefs(m, &b, rep);
        tt[rep] = tm[rep] + tp[rep];
        tf[rep] = time_floor(m, &b, rep);
    }
    printf(
        "bench_meeting: %zu applicants, %zu programs, %zu interviews, %zu replicates, 1 thread\n",
        m->n_app, m->n_prog, m->n_iv, n_rep);
    report("meetings", tm, n_rep, m->n_iv);
    report("applicant ROLs", tp, n_rep, m->n_iv);
    report("meetings + ROLs", tt, n_rep, m->n_iv);
    report("RNG floor", tf, n_rep, m->n_iv);
    free(tm);
    free(tp);
    free(tf);
    free(tt);
    free(b.rol);
    free(b.moves);
    free(b.rank);
    free(b.day);
    rmc_rng_free(b.r);
    rmc_meeting_ws_free(b.w);
    fx_free(m);
    return 0;
}
