/* rankmc sobol: variance-based global sensitivity (Sobol' indices) of focal
 * applicants' P(match) and of the IMG match rate to the meeting's factor
 * weights (docs/sensitivity.md). Prints one table per output (factors by
 * total index) and, with -o, writes the /sobol/... datasets (rmc_sens_sobol_write).
 */
#define _POSIX_C_SOURCE 200809L

#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "sens_cli.h"

#define MAX_IDS 64

typedef struct sobol_args {
    rmc_cli_common com; /* MODEL_DIR, -o (NULL: no file), -f, -q */
    char *ids[MAX_IDS];
    size_t n_ids;
    rmc_sens_sobol_options o;
} sobol_args;

static void usage(FILE *f)
{
    fprintf(f, "usage: rankmc sobol MODEL_DIR [--samples N] [-n REPS] [-s SEED] [-t THREADS]\n"
               "                    [-o OUT.h5] [--force] [--applicant ID]... [--range R]\n"
               "                    [--boot B] [--noise-rows M]\n\n"
               "Sobol' first-order and total indices of each focal applicant's P(match) and of\n"
               "the IMG match rate with respect to 12 meeting weights of model.ini, each varied\n"
               "uniformly over its value -/+ R x |value|. Saltelli design with N base samples:\n"
               "N x (k + 2) engine runs of REPS replicates, all with the same seed.\n\n"
               "  --samples N        base samples, a power of two (default 64)\n"
               "  -n, --replicates R replicates per design point (default 100)\n"
               "  -s, --seed SEED    master seed, the same at every point (default 1)\n"
               "  -t, --threads T    OpenMP threads (default: all)\n"
               "  -o, --output FILE  also write /sobol/... datasets to FILE (HDF5)\n"
               "  -f, --force        replace an existing FILE\n"
               "  --applicant ID     output applicant (repeatable; default: ids starting with\n"
               "                     focal_; with none, only the IMG match rate)\n"
               "  --range R          relative range in [0, 1] (default: model.ini [sobol]\n"
               "                     relative_range, itself 0.5 by default)\n"
               "  --boot B           bootstrap resamples for the intervals (default 1000)\n"
               "  --noise-rows M     design points run again with seed + 1 to measure the\n"
               "                     Monte Carlo noise printed beside V (default 16; 0: none)\n"
               "  -q, --quiet        no progress line\n"
               "  -h, --help         this text\n\n"
               "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input,\n"
               "130 / 143 stopped by SIGINT / SIGTERM (nothing written).\n");
}

enum { OPT_SAMPLES = 256, OPT_APPLICANT, OPT_RANGE, OPT_BOOT, OPT_NOISE };

static int parse_range(const char *arg, sobol_args *a)
{
    double v = 0;
    if (!rmc_cli_parse_real(arg, 0.0, 1.0, 0, &v)) {
        return rmc_cli_usage_error("sobol", "--range needs a number in [0, 1], not '%s'", arg);
    }
    a->o.relative_range = v;
    return 0;
}

static int parse_value(int c, char *arg, void *ctx)
{
    sobol_args *a = ctx;
    uint64_t v = 0;
    const int engine = rmc_cli_engine_option("sobol", c, arg, 1, &a->o.sim);
    if (engine != 1) {
        return engine;
    }
    switch (c) {
    case OPT_SAMPLES:
        if (!rmc_cli_parse_u64(arg, 2, (uint64_t)1 << 20, false, &v)) {
            return rmc_cli_usage_error("sobol", "--samples needs 2 to 2^20, not '%s'", arg);
        }
        a->o.n_samples = (size_t)v;
        return 0;
    case OPT_BOOT:
        if (!rmc_cli_parse_u64(arg, 0, 1000000, false, &v)) {
            return rmc_cli_usage_error("sobol", "--boot needs 0 to 1000000, not '%s'", arg);
        }
        a->o.analysis.n_boot = (size_t)v;
        return 0;
    case OPT_NOISE:
        if (!rmc_cli_parse_u64(arg, 0, (uint64_t)1 << 24, false, &v)) {
            return rmc_cli_usage_error("sobol", "--noise-rows needs 0 to 2^24, not '%s'", arg);
        }
        a->o.noise_rows = (size_t)v;
        return 0;
    case OPT_RANGE:
        return parse_range(arg, a);
    case OPT_APPLICANT:
        if (a->n_ids == MAX_IDS) {
            return rmc_cli_usage_error("sobol", "at most %d --applicant options", MAX_IDS);
        }
        a->ids[a->n_ids++] = arg;
        return 0;
    default:
        return rmc_cli_usage_error("sobol", "unknown option or missing value");
    }
}

static int parse_args(int argc, char **argv, sobol_args *a)
{
    static const struct option longopts[] = {{"samples", required_argument, NULL, OPT_SAMPLES},
                                             {"applicant", required_argument, NULL, OPT_APPLICANT},
                                             {"range", required_argument, NULL, OPT_RANGE},
                                             {"boot", required_argument, NULL, OPT_BOOT},
                                             {"noise-rows", required_argument, NULL, OPT_NOISE},
                                             RMC_CLI_COMMON_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    return rmc_cli_parse_args("sobol", argc, argv, longopts, usage, parse_value, a, &a->com);
}

/* The output applicants: --applicant ids, else the focal_ ones (not the
 * every-IMG fallback: the IMG rate covers them). Returns -1 or an exit
 * status. */
static int pick_applicants(const sobol_args *a, const rmc_model *m, rmc_id **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (a->n_ids > 0) {
        return rmc_sens_cli_focal("sobol", m, a->ids, a->n_ids, out, n);
    }
    const size_t na = rmc_model_n_applicants(m);
    size_t count = 0;
    for (size_t i = 0; i < na; i++) {
        count += strncmp(rmc_model_applicant_id(m, i), "focal_", 6) == 0;
    }
    if (count == 0) {
        return -1;
    }
    *out = calloc(count, sizeof **out);
    if (*out == NULL) {
        fprintf(stderr, "rankmc sobol: out of memory\n");
        return RMC_EXIT_FAILURE;
    }
    for (size_t i = 0; i < na; i++) {
        if (strncmp(rmc_model_applicant_id(m, i), "focal_", 6) == 0) {
            (*out)[(*n)++] = (rmc_id)i;
        }
    }
    return -1;
}

/* ---- the table -------------------------------------------------------- */

static void print_output(const rmc_model *m, const rmc_sens_sobol_result *r, size_t o)
{
    const rmc_sobol_result *x = r->indices;
    const size_t k = r->n_factors;
    char name[300];
    rmc_sens_sobol_output_name(m, r, o, name, sizeof name);
    printf("\n%s: mean %.4f, variance over the design V %.3g\n", name, x->mean[o], x->var[o]);
    if (r->n_noise_rows > 0) {
        printf("  Monte Carlo noise of one point: %.3g measured (%zu points again with seed + 1; "
               "%.1f%% of V), %.3g binomial\n",
               r->noise_var_seeds[o], r->n_noise_rows, 100.0 * r->noise_var_seeds[o] / x->var[o],
               r->noise_var[o]);
    } else {
        printf("  Monte Carlo noise of one point: %.3g binomial (%.1f%% of V; not measured)\n",
               r->noise_var[o], 100.0 * r->noise_var[o] / x->var[o]);
    }
    if (r->noise_large[o]) {
        printf("  WARNING: the noise is not small against V (over %.0f%%): these indices partly\n"
               "  describe one seed's noise; raise -n (replicates) or check with another -s\n",
               100.0 * RMC_SOBOL_NOISE_SMALL);
    }
    printf("  %-30s %17s %8s %19s %8s %19s\n", "factor", "range", "S1", "95% interval", "ST",
           "95% interval");
    size_t order[RMC_SOBOL_MAX_FACTORS];
    for (size_t i = 0; i < k; i++) {
        size_t y = i;
        const double st = isnan(x->st[o * k + i]) ? -1 : x->st[o * k + i];
        while (y > 0 &&
               (isnan(x->st[o * k + order[y - 1]]) ? -1 : x->st[o * k + order[y - 1]]) < st) {
            order[y] = order[y - 1];
            y--;
        }
        order[y] = i;
    }
    for (size_t j = 0; j < k; j++) {
        const size_t i = order[j], c = o * k + i;
        char fname[64];
        snprintf(fname, sizeof fname, "%s.%s", r->factor[i]->section, r->factor[i]->key);
        printf("  %-30s %8.3g .. %-6.3g %8.3f [%7.3f, %7.3f] %8.3f [%7.3f, %7.3f]\n", fname,
               r->lo[i], r->hi[i], x->s1[c], x->s1_lo[c], x->s1_hi[c], x->st[c], x->st_lo[c],
               x->st_hi[c]);
    }
}

static void print_table(const rmc_model *m, const rmc_sens_sobol_result *r, const char *dir)
{
    printf("rankmc sobol %s: %zu factors over -/+%.0f%%, N = %zu base samples, %zu design "
           "points x %llu replicates, seed %llu (the same at every point), %d threads, %.1f s\n",
           dir, r->n_factors, 100.0 * r->relative_range, r->n_samples, r->n_rows,
           (unsigned long long)r->replicates, (unsigned long long)r->seed, r->threads,
           r->wall_seconds);
    printf("S1: first-order index (share of the variance a factor explains alone); ST: total\n"
           "index (with interactions). Bootstrap percentile intervals (%zu resamples) are\n"
           "conservative for the quasi-random design. Factors by ST.\n",
           r->indices->n_boot);
    for (size_t o = 0; o < r->n_outputs; o++) {
        print_output(m, r, o);
    }
}

static void on_progress(void *ctx, size_t done, size_t total)
{
    rmc_cli_progress_update(ctx, (uint64_t)done, (uint64_t)total);
}

static int run(sobol_args *a, const rmc_model *m, const rmc_id *apps, size_t n_apps,
               const char *cmdline)
{
    rmc_sens_sobol_options *o = &a->o;
    o->applicants = apps;
    o->n_applicants = n_apps;
    o->sim.stop = &rmc_cli_stop_signal;
    rmc_cli_progress prog;
    rmc_cli_progress_init(&prog, !a->com.quiet && isatty(STDERR_FILENO));
    o->progress = on_progress;
    o->progress_ctx = &prog;
    rmc_sens_sobol_result *r = NULL;
    rmc_diag d = {0};
    const rmc_status st = rmc_sens_sobol_run(m, o, &r, &d);
    rmc_cli_progress_finish(&prog);
    if (st != RMC_OK) {
        return rmc_cli_outcome("sobol", &d, st);
    }
    int rc = RMC_EXIT_OK;
    if (rmc_cli_root()) { /* every rank holds the result; rank 0 reports it */
        print_table(m, r, a->com.operand);
        const rmc_status wst = a->com.out != NULL ? rmc_sens_sobol_write(a->com.out, a->com.force,
                                                                         m, o, r, cmdline, &d)
                                                  : RMC_OK;
        rc = rmc_cli_outcome("sobol", &d, wst);
    }
    rc = rmc_cli_agree("sobol", rc);
    rmc_sens_sobol_result_free(r);
    return rc;
}

int rmc_cli_sobol(int argc, char **argv)
{
    sobol_args a;
    memset(&a, 0, sizeof a);
    rmc_sens_sobol_options_default(&a.o);
    a.o.sim.threads = omp_get_max_threads();
    a.o.sim.dist = rmc_cli_dist();
    const int parsed = parse_args(argc, argv, &a);
    if (parsed >= 0) {
        return parsed;
    }
    rmc_model *m = NULL;
    int rc = rmc_cli_start("sobol", a.com.out, a.com.force, a.com.operand, &m);
    if (rc != RMC_EXIT_OK) {
        return rc;
    }
    rmc_id *apps = NULL;
    size_t n_apps = 0;
    rc = pick_applicants(&a, m, &apps, &n_apps);
    rc = rmc_cli_agree("sobol", rc < 0 ? RMC_EXIT_OK : rc);
    if (rc == RMC_EXIT_OK) {
        char *cmdline = rmc_cli_command_line(argc, argv);
        rmc_cli_catch_stop_signals(NULL, 0);
        rc = run(&a, m, apps, n_apps, cmdline != NULL ? cmdline : "");
        free(cmdline);
    }
    free(apps);
    rmc_model_free(m);
    return rc;
}
