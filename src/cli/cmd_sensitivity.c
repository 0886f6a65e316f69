/* rankmc sensitivity: one-at-a-time what-ifs for focal applicants with
 * common random numbers (docs/sensitivity.md). Prints a tornado-style table
 * per applicant (factors ordered by the swing |P(fav) - P(unfav)|) and, with
 * -o, writes the /sensitivity/... datasets (rmc_sens_write).
 */
#define _POSIX_C_SOURCE 200809L

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "sens_cli.h"

#define MAX_IDS 4096

typedef struct sens_args {
    rmc_cli_common com; /* MODEL_DIR, -o (NULL: no file), -f, -q */
    char *ids[MAX_IDS];
    size_t n_ids;
    rmc_sens_factor factors[RMC_SENS_N_FACTORS];
    size_t n_factors;
    rmc_sim_options sim;
} sens_args;

static void usage(FILE *f)
{
    fprintf(f, "usage: rankmc sensitivity MODEL_DIR [--applicant ID]... [--factor NAME]...\n"
               "                          [-n N] [-s SEED] [-t THREADS] [-o OUT.h5] [--force]\n\n"
               "One-at-a-time what-ifs: for each focal applicant and factor, rerun the model\n"
               "with that applicant's attribute at a favourable and an unfavourable level,\n"
               "with the same seed (common random numbers), and report the change in\n"
               "P(match) and in the expected matched ROL position, with paired standard\n"
               "errors (and the unpaired ones independent runs would give).\n\n"
               "  --applicant ID     focal applicant (repeatable; default: every id starting\n"
               "                     with focal_, else every US_IMG and IMG)\n"
               "  --factor NAME      advocacy, advocacy_all, communication, visa, ties,\n"
               "                     us_experience, clinical_years (repeatable; default all)\n"
               "  -n, --replicates N replicates per run (default 1000, at least 2)\n"
               "  -s, --seed SEED    master seed, the same for every run (default 1)\n"
               "  -t, --threads T    OpenMP threads (default: all)\n"
               "  -o, --output FILE  also write /sensitivity/... datasets to FILE (HDF5)\n"
               "  -f, --force        replace an existing FILE\n"
               "  -q, --quiet        no progress line\n"
               "  -h, --help         this text\n\n"
               "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input,\n"
               "130 / 143 stopped by SIGINT / SIGTERM (nothing written).\n");
}

static int add_factor(sens_args *a, const char *name)
{
    rmc_sens_factor f;
    if (!rmc_sens_factor_parse(name, &f)) {
        return rmc_cli_usage_error("sensitivity", "unknown factor '%s'", name);
    }
    for (size_t i = 0; i < a->n_factors; i++) {
        if (a->factors[i] == f) {
            return rmc_cli_usage_error("sensitivity", "factor '%s' given twice", name);
        }
    }
    a->factors[a->n_factors++] = f;
    return 0;
}

static int parse_value(int c, char *arg, void *ctx)
{
    sens_args *a = ctx;
    const int engine = rmc_cli_engine_option("sensitivity", c, arg, 2, &a->sim);
    if (engine != 1) {
        return engine;
    }
    switch (c) {
    case 'A':
        if (a->n_ids == MAX_IDS) {
            return rmc_cli_usage_error("sensitivity", "at most %d --applicant options", MAX_IDS);
        }
        a->ids[a->n_ids++] = arg;
        return 0;
    case 'F':
        return add_factor(a, arg);
    default:
        return rmc_cli_usage_error("sensitivity", "unknown option or missing value");
    }
}

static int parse_args(int argc, char **argv, sens_args *a)
{
    static const struct option longopts[] = {{"applicant", required_argument, NULL, 'A'},
                                             {"factor", required_argument, NULL, 'F'},
                                             RMC_CLI_COMMON_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    return rmc_cli_parse_args("sensitivity", argc, argv, longopts, usage, parse_value, a, &a->com);
}

/* ---- the table -------------------------------------------------------- */

static size_t widx(const rmc_sens_result *r, size_t a, size_t f, int level)
{
    return (a * r->n_factors + f) * RMC_SENS_N_LEVELS + (size_t)level;
}

static double swing(const rmc_sens_result *r, size_t a, size_t f)
{
    return fabs(r->p[widx(r, a, f, RMC_SENS_FAVOURABLE)] -
                r->p[widx(r, a, f, RMC_SENS_UNFAVOURABLE)]);
}

static double rank_swing(const rmc_sens_result *r, size_t a, size_t f)
{
    return fabs(r->rank[widx(r, a, f, RMC_SENS_FAVOURABLE)] -
                r->rank[widx(r, a, f, RMC_SENS_UNFAVOURABLE)]);
}

/* Whether factor f goes before g for applicant a: larger P(match) swing,
 * then (for applicants who always match) larger rank swing. */
static bool before(const rmc_sens_result *r, size_t a, size_t f, size_t g)
{
    const double sf = swing(r, a, f), sg = swing(r, a, g);
    return sf != sg ? sf > sg : rank_swing(r, a, f) > rank_swing(r, a, g);
}

/* A bar of width 2 * half: '#' from the centre toward dp's side. */
static void bar(char *buf, double dp, double scale, int half)
{
    const int len = scale > 0 ? (int)lround(fabs(dp) / scale * half) : 0;
    for (int i = 0; i < 2 * half + 1; i++) {
        const int off = i - half;
        const bool on = dp < 0 ? (off < 0 && -off <= len) : (off > 0 && off <= len);
        buf[i] = off == 0 ? '|' : on ? '#' : ' ';
    }
    buf[2 * half + 1] = '\0';
}

static void print_applicant(const rmc_model *m, const rmc_sens_result *r, size_t a)
{
    const size_t i = (size_t)r->applicants[a];
    printf("\n%s (%s): P(match) %.4f (SE %.4f); mean rank %.3f (SE %.3f; unmatched = %d)\n",
           rmc_model_applicant_id(m, i), rmc_type_name(rmc_model_applicant_type(m, i)),
           r->base_p[a], r->base_p_se[a], r->base_rank[a], r->base_rank_se[a],
           (int)r->unmatched_rank[a]);
    printf("  %-15s %-3s %-36s %8s %7s %7s %11s %7s %6s %6s  %s\n", "factor", "lvl", "what-if",
           "dP", "SE", "SE(unp)", "gain/loss", "drank", "SE", "SE(unp)", "dP bar");
    size_t order[RMC_SENS_N_FACTORS];
    double scale = 0;
    for (size_t f = 0; f < r->n_factors; f++) {
        order[f] = f;
        for (int l = 0; l < RMC_SENS_N_LEVELS; l++) {
            scale = fmax(scale, fabs(r->dp[widx(r, a, f, l)]));
        }
    }
    for (size_t x = 1; x < r->n_factors; x++) { /* stable insertion sort by swing */
        const size_t v = order[x];
        size_t y = x;
        while (y > 0 && before(r, a, v, order[y - 1])) {
            order[y] = order[y - 1];
            y--;
        }
        order[y] = v;
    }
    for (size_t x = 0; x < r->n_factors; x++) {
        const size_t f = order[x];
        for (int l = 0; l < RMC_SENS_N_LEVELS; l++) {
            const size_t w = widx(r, a, f, l);
            char b[24];
            bar(b, r->dp[w], scale, 10);
            printf("  %-15s %-3s %-36.36s %+8.4f %7.4f %7.4f %5d/%-5d %+7.3f %6.3f %6.3f  %s%s\n",
                   l == 0 ? rmc_sens_factor_name(r->factors[f]) : "", l == 0 ? "+" : "-",
                   r->desc[w], r->dp[w], r->dp_se[w], r->dp_se_unpaired[w], (int)r->n_gain[w],
                   (int)r->n_loss[w], r->drank[w], r->drank_se[w], r->drank_se_unpaired[w], b,
                   r->changed[w] ? "" : " (no change)");
        }
    }
}

/* Means over the focal applicants, ordered by the mean swing P(+) - P(-).
 * SEs from the per-replicate means of the paired differences (the
 * applicants share the base run and the seeds); SE(indep) is what treating
 * their runs as independent would give. */
static void print_across(const rmc_sens_result *r)
{
    printf("\nMean over the %zu focal applicants (SE: from the per-replicate means of the paired\n"
           "differences; SE(ind): sqrt(sum of squared SEs) / n, which ignores that the applicants\n"
           "share the base run and the seeds)\n",
           r->n_applicants);
    printf("  %-15s %9s %8s %9s %8s %8s %9s %8s %9s %8s\n", "factor", "swing", "SE", "dP(+)", "SE",
           "SE(ind)", "dP(-)", "SE", "drank(+)", "drank(-)");
    size_t order[RMC_SENS_N_FACTORS];
    for (size_t f = 0; f < r->n_factors; f++) {
        size_t y = f;
        while (y > 0 && r->mean_swing[order[y - 1]] < r->mean_swing[f]) {
            order[y] = order[y - 1];
            y--;
        }
        order[y] = f;
    }
    for (size_t x = 0; x < r->n_factors; x++) {
        const size_t f = order[x], p = f * RMC_SENS_N_LEVELS + RMC_SENS_FAVOURABLE,
                     u = f * RMC_SENS_N_LEVELS + RMC_SENS_UNFAVOURABLE;
        printf("  %-15s %+9.4f %8.4f %+9.4f %8.4f %8.4f %+9.4f %8.4f %+9.3f %+9.3f\n",
               rmc_sens_factor_name(r->factors[f]), r->mean_swing[f], r->mean_swing_se[f],
               r->mean_dp[p], r->mean_dp_se[p], r->mean_dp_se_indep[p], r->mean_dp[u],
               r->mean_dp_se[u], r->mean_drank[p], r->mean_drank[u]);
    }
}

static void print_table(const rmc_model *m, const rmc_sens_result *r, const char *dir)
{
    printf("rankmc sensitivity %s: %llu replicates per run, seed %llu, %d threads, %.1f s\n", dir,
           (unsigned long long)r->replicates, (unsigned long long)r->seed, r->threads,
           r->wall_seconds);
    printf("dP: change in P(match); drank: change in the mean matched ROL position (1 = first\n"
           "choice, unmatched = interviews + 1). SE: paired, from per-replicate differences with\n"
           "common random numbers; SE(unp): what two independent runs would give.\n"
           "gain/loss: replicates unmatched in the base and matched in the what-if / the\n"
           "reverse (with perfect pairing a one-sided change moves only one way).\n"
           "Factors in order of swing |P(+) - P(-)| (ties: swing of the mean rank);\n"
           "+ favourable, - unfavourable level.\n");
    for (size_t a = 0; a < r->n_applicants; a++) {
        print_applicant(m, r, a);
    }
    if (r->n_applicants > 1) {
        print_across(r);
    }
}

static void on_progress(void *ctx, size_t done, size_t total)
{
    rmc_cli_progress_update(ctx, (uint64_t)done, (uint64_t)total);
}

static int run(const sens_args *a, const rmc_model *m, const rmc_id *focal, size_t n_focal,
               const char *cmdline)
{
    rmc_sens_options o;
    rmc_sens_options_default(&o);
    o.sim = a->sim;
    o.sim.stop = &rmc_cli_stop_signal;
    o.applicants = focal;
    o.n_applicants = n_focal;
    o.factors = a->n_factors > 0 ? a->factors : NULL;
    o.n_factors = a->n_factors;
    rmc_cli_progress prog;
    rmc_cli_progress_init(&prog, !a->com.quiet && isatty(STDERR_FILENO));
    o.progress = on_progress;
    o.progress_ctx = &prog;
    rmc_sens_result *r = NULL;
    rmc_diag d = {0};
    const rmc_status st = rmc_sens_run(m, &o, &r, &d);
    rmc_cli_progress_finish(&prog);
    if (st != RMC_OK) {
        return rmc_cli_outcome("sensitivity", &d, st);
    }
    int rc = RMC_EXIT_OK;
    if (rmc_cli_root()) { /* every rank holds the result; rank 0 reports it */
        print_table(m, r, a->com.operand);
        const rmc_status wst = a->com.out != NULL
                                   ? rmc_sens_write(a->com.out, a->com.force, m, &o, r, cmdline, &d)
                                   : RMC_OK;
        rc = rmc_cli_outcome("sensitivity", &d, wst);
    }
    rc = rmc_cli_agree("sensitivity", rc);
    rmc_sens_result_free(r);
    return rc;
}

int rmc_cli_sensitivity(int argc, char **argv)
{
    sens_args a;
    memset(&a, 0, sizeof a);
    rmc_cli_sim_defaults(&a.sim);
    const int parsed = parse_args(argc, argv, &a);
    if (parsed >= 0) {
        return parsed;
    }
    rmc_model *m = NULL;
    int rc = rmc_cli_start("sensitivity", a.com.out, a.com.force, a.com.operand, &m);
    if (rc != RMC_EXIT_OK) {
        return rc;
    }
    rmc_id *focal = NULL;
    size_t n_focal = 0;
    rc = rmc_sens_cli_focal("sensitivity", m, a.ids, a.n_ids, &focal, &n_focal);
    rc = rmc_cli_agree("sensitivity", rc < 0 ? RMC_EXIT_OK : rc);
    if (rc == RMC_EXIT_OK) {
        char *cmdline = rmc_cli_command_line(argc, argv);
        rmc_cli_catch_stop_signals(NULL, 0);
        rc = run(&a, m, focal, n_focal, cmdline != NULL ? cmdline : "");
        free(cmdline);
    }
    free(focal);
    rmc_model_free(m);
    return rc;
}
