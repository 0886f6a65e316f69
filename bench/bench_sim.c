/* End-to-end benchmark of whole replicates on synthetic NRMP-2025-shaped
 * markets (rmc_synth_write, preset nrmp2025) at several scales, through the
 * public API only (rankmc/, as any program built on the library would; the
 * build compiles this file with include/ alone on the include path).
 *
 * For each scale, in a child process of its own (so that each peak memory
 * figure is that scale's alone):
 *   1. rmc_sim_run on one thread with the engine's own phase timing
 *      (rmc_sim_options.time_phases): meetings (day effects + every
 *      program's meeting), ROLs (with building the Match input), the Match
 *      and accumulation, in ms per replicate, and their sum against the
 *      run's wall time per replicate;
 *   2. rmc_sim_run at 1 and 2 threads, with n and 2n replicates: the
 *      difference gives the steady-state wall and CPU ms per replicate and
 *      replicates per second, the rest is the run's setup;
 *   3. the child's peak resident set size.
 * The RNG floor (the variates alone, with no model logic) is a
 * micro-benchmark: bench_meeting -s SCALE measures it on the same market.
 *
 * usage: bench_sim [-p] [-n REPLICATES_AT_1X] [SCALE ...]   (default 8; 0.1 0.3 1 3)
 * -p: the phases only (no 1- and 2-thread runs).
 * Replicates per scale: REPLICATES_AT_1X / scale, at least 2.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, fork */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "bench.h"
#include "rankmc/rankmc.h"

static const char *const ph_name[RMC_SIM_N_PHASES] = {"meetings", "ROLs + match input", "match",
                                                      "accumulation", "SOAP"};

/* One rmc_sim_run of n_rep replicates at nt threads: wall and process CPU
 * seconds, and the run's statistics (phase times when `phases`). */
static void sim_once(const rmc_model *m, int nt, size_t n_rep, bool phases, double *wall,
                     double *cpu, rmc_sim_stats *st)
{
    rmc_sim_options o;
    rmc_sim_options_default(&o);
    o.threads = nt;
    o.replicates = n_rep;
    o.time_phases = phases;
    rmc_accum *out = NULL;
    rmc_diag d = {0};
    struct timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    const double t0 = bench_now();
    if (rmc_sim_run(m, rmc_model_params(m), &o, &out, st, &d) != RMC_OK) {
        fprintf(stderr, "bench_sim: rmc_sim_run: %s\n", d.message);
        exit(1);
    }
    *wall = bench_now() - t0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    *cpu = (double)(c1.tv_sec - c0.tv_sec) + 1e-9 * (double)(c1.tv_nsec - c0.tv_nsec);
    rmc_accum_free(out);
}

/* The engine's phase times on one thread, ms per replicate. */
static void phases(const rmc_model *m, size_t n_rep)
{
    double wall, cpu;
    rmc_sim_stats st;
    sim_once(m, 1, n_rep, true, &wall, &cpu, &st);
    const double per = 1e3 / (double)st.replicates;
    printf("  phases on 1 thread (rmc_sim_run's own timing, ms per replicate, mean of %llu):\n",
           (unsigned long long)st.replicates);
    double sum = 0;
    for (int ph = 0; ph < RMC_SIM_N_PHASES; ph++) {
        printf("  %-22s %9.2f ms\n", ph_name[ph], st.phase_seconds[ph] * per);
        sum += st.phase_seconds[ph] * per;
    }
    printf("  %-22s %9.2f ms of %.2f ms wall per replicate (the rest: setup, batches)\n",
           "sum of phases", sum, wall * per);
}

/* rmc_sim_run at nt threads with n and 2n replicates: the difference is
 * the steady-state cost of n replicates; the rest of the n-run is setup
 * (allocating and first touching the histograms, workspaces). */
static void sim_run(const rmc_model *m, int nt, size_t n_rep)
{
    double w1, c1, w2, c2;
    rmc_sim_stats st;
    sim_once(m, nt, n_rep, false, &w1, &c1, &st);
    sim_once(m, nt, 2 * n_rep, false, &w2, &c2, &st);
    const double per_wall = (w2 - w1) / (double)n_rep, per_cpu = (c2 - c1) / (double)n_rep;
    printf(
        "  rmc_sim_run, %d thread%s: %zu and %zu replicates in %.2f / %.2f s wall (%.2f / %.2f s "
        "CPU):\n    per replicate %.2f ms wall, %.2f ms CPU, %.2f replicates/s; setup %.2f s "
        "wall; memory estimate %.0f MiB\n",
        nt, nt > 1 ? "s" : "", n_rep, 2 * n_rep, w1, w2, c1, c2, per_wall * 1e3, per_cpu * 1e3,
        1.0 / per_wall, w1 - per_wall * (double)n_rep, (double)st.memory_estimate / 1048576.0);
}

static int one_scale(double scale, size_t n_rep, bool phases_only)
{
    rmc_model *m = bench_synth_market(scale, "bench_sim");
    if (m == NULL) {
        return 1;
    }
    printf("scale %.1f: %zu applicants, %zu programs, %zu positions, %zu interviews, %zu couples; "
           "%zu replicates\n",
           scale, rmc_model_n_applicants(m), rmc_model_n_programs(m), rmc_model_n_positions(m),
           rmc_model_n_interviews(m), rmc_model_n_couples(m), n_rep);
    phases(m, n_rep);
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
