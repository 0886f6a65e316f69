/* rankmc run: load a model, run the Monte Carlo engine, write the HDF5
 * result (temp file then rename), print the summary. SIGINT / SIGTERM stop
 * the run at the next batch of replicates; the replicates done so far are
 * written (marked interrupted) and the exit status is 130 / 143.
 */
#define _POSIX_C_SOURCE 200809L

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"
#include "summary.h"

typedef struct run_args {
    rmc_cli_common com; /* MODEL_DIR, -o (NULL: MODEL_DIR basename + ".h5"), -f, -q */
    bool resume;
    bool n_given; /* -n on the command line (overrides a checkpoint's) */
    rmc_sim_options sim;
} run_args;

static void usage(FILE *f)
{
    fprintf(f, "usage: rankmc run MODEL_DIR [-n N] [-s SEED] [-t THREADS] [-o OUT.h5] [--force]\n"
               "                  [--proposing applicants|programs] [--check-stability]\n"
               "                  [--rank-bins B] [--max-memory BYTES] [--until-se X]\n"
               "                  [--checkpoint-every N] [--resume] [--quiet]\n\n"
               "Run N Monte Carlo replicates of every program's rank meeting and the Match on\n"
               "the model in MODEL_DIR; write the histograms to OUT.h5 (docs/output.md) and\n"
               "print a summary. The same seed and model give identical data whatever THREADS.\n\n"
               "  -n, --replicates N     replicates (default 1000)\n"
               "  -s, --seed SEED        master seed (default 1)\n"
               "  -t, --threads T        OpenMP threads (default: all, omp_get_max_threads)\n"
               "  -o, --output OUT.h5    result file (default: MODEL_DIR's last component\n"
               "                         + .h5, in the current directory)\n"
               "  -f, --force            replace an existing result file\n"
               "      --proposing SIDE   applicants (default, as the NRMP) or programs\n"
               "      --check-stability  verify every replicate's matching (slower)\n"
               "      --rank-bins B      group list positions into at most B bins\n"
               "                         (default: one column per position unless the rank\n"
               "                         histogram would exceed a quarter of --max-memory)\n"
               "      --max-memory BYTES refuse runs estimated above this (default 2G;\n"
               "                         suffixes K, M, G)\n"
               "      --until-se X       stop (at a batch of 64) once every reported probability\n"
               "                         -- each applicant's P(match) and each interview's\n"
               "                         P(matched here) -- has standard error <= X; -n is\n"
               "                         then the maximum\n"
               "      --checkpoint-every N  save a resumable state to OUT.h5.ckpt every N\n"
               "                         replicates (also written when a signal stops the run)\n"
               "      --resume           continue from OUT.h5.ckpt (same model; seed and\n"
               "                         settings come from the checkpoint, -n too unless\n"
               "                         given; replaces OUT.h5); the result equals an\n"
               "                         uninterrupted run\n"
               "  -q, --quiet            no progress bar, no summary\n"
               "  -h, --help             this text\n\n"
               "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input,\n"
               "130 / 143 stopped by SIGINT / SIGTERM (partial result written).\n");
}

enum { OPT_PROPOSING = 256, OPT_CHECK, OPT_BINS, OPT_MAXMEM, OPT_UNTIL_SE, OPT_CKPT, OPT_RESUME };

static int parse_until_se(const char *arg, run_args *a)
{
    double v = 0;
    if (!rmc_cli_parse_real(arg, 0.0, 0.5, RMC_CLI_OPEN_LO | RMC_CLI_OPEN_HI, &v)) {
        return rmc_cli_usage_error("run", "--until-se needs a standard error in (0, 0.5), not '%s'",
                                   arg);
    }
    a->sim.until_se = v;
    return 0;
}

static int parse_option(int c, char *arg, void *ctx)
{
    run_args *a = ctx;
    uint64_t v = 0;
    const int engine = rmc_cli_engine_option("run", c, arg, 1, &a->sim);
    if (engine != 1) {
        a->n_given = a->n_given || (c == 'n' && engine == 0);
        return engine;
    }
    switch (c) {
    case OPT_CHECK:
        a->sim.check_stability = true;
        return 0;
    case OPT_RESUME:
        a->resume = true;
        return 0;
    case OPT_BINS:
        if (!rmc_cli_parse_u64(arg, 1, 65534, false, &v)) {
            return rmc_cli_usage_error("run", "--rank-bins needs 1 to 65534, not '%s'", arg);
        }
        a->sim.rank_bins = (size_t)v;
        return 0;
    case OPT_MAXMEM:
        if (!rmc_cli_parse_u64(arg, 1, SIZE_MAX, true, &v)) {
            return rmc_cli_usage_error("run", "--max-memory needs a size such as 512M, not '%s'",
                                       arg);
        }
        a->sim.max_memory = (size_t)v;
        return 0;
    case OPT_UNTIL_SE:
        return parse_until_se(arg, a);
    case OPT_CKPT:
        if (!rmc_cli_parse_u64(arg, 1, UINT64_MAX, false, &v)) {
            return rmc_cli_usage_error("run", "--checkpoint-every needs a count, not '%s'", arg);
        }
        a->sim.checkpoint_every = v;
        return 0;
    case OPT_PROPOSING:
        if (strcmp(arg, "applicants") == 0 || strcmp(arg, "programs") == 0) {
            a->sim.proposing = arg[0] == 'a' ? RMC_PROPOSE_APPLICANTS : RMC_PROPOSE_PROGRAMS;
            return 0;
        }
        return rmc_cli_usage_error("run", "--proposing is applicants or programs, not '%s'", arg);
    default:
        return rmc_cli_usage_error("run", "unknown option");
    }
}

/* Parse argv into a; returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, run_args *a)
{
    static const struct option longopts[] = {
        RMC_CLI_COMMON_LONGOPTS,
        {"proposing", required_argument, NULL, OPT_PROPOSING},
        {"check-stability", no_argument, NULL, OPT_CHECK},
        {"rank-bins", required_argument, NULL, OPT_BINS},
        {"max-memory", required_argument, NULL, OPT_MAXMEM},
        {"until-se", required_argument, NULL, OPT_UNTIL_SE},
        {"checkpoint-every", required_argument, NULL, OPT_CKPT},
        {"resume", no_argument, NULL, OPT_RESUME},
        {NULL, 0, NULL, 0}};
    return rmc_cli_parse_args("run", argc, argv, longopts, usage, parse_option, a, &a->com);
}

/* MODEL_DIR's last path component + ".h5" into buf. */
static void default_output(const char *dir, char *buf, size_t size)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') {
        len--;
    }
    size_t start = len;
    while (start > 0 && dir[start - 1] != '/') {
        start--;
    }
    const size_t n = len - start;
    snprintf(buf, size, "%.*s.h5", (int)n, n > 0 && dir[start] != '.' ? dir + start : "rankmc");
}

/* path's name from an h5io naming function (rmc_h5_temp_path and the
 * like), malloc'd at its full length (caller frees), or NULL when out of
 * memory. */
static char *h5_name(size_t (*name)(const char *, char *, size_t), const char *path)
{
    const size_t len = name(path, NULL, 0);
    char *s = malloc(len + 1);
    if (s != NULL) {
        name(path, s, len + 1);
    }
    return s;
}

static void report_outcome(const rmc_sim_stats *st, bool check)
{
    if (st->unconverged > 0) {
        fprintf(stderr,
                "rankmc run: warning: in %llu replicates (first: %lld) the couples procedure did "
                "not converge (every attempt, match.couples_restarts restarts, cycled or hit "
                "match.couples_max_rounds); they are kept and counted in the file\n",
                (unsigned long long)st->unconverged, (long long)st->first_unconverged);
    }
    if (check && st->unstable > 0) {
        fprintf(stderr, "rankmc run: %llu replicates had an unstable matching (first: %lld)\n",
                (unsigned long long)st->unstable, (long long)st->first_unstable);
    }
}

typedef struct ckpt_state {
    char *path;                  /* OUT.h5.ckpt, as h5io names it (owned) */
    rmc_h5_checkpoint_info info; /* settings saved with the totals */
} ckpt_state;

static rmc_status write_checkpoint(void *ctx, const rmc_accum *totals, rmc_diag *d)
{
    const ckpt_state *c = ctx;
    return rmc_h5_checkpoint_write(c->path, totals, &c->info, d);
}

static void fill_ckpt_info(ckpt_state *c, const rmc_sim_options *so, const rmc_model *m)
{
    c->info.seed = so->seed;
    c->info.replicates_requested = so->replicates;
    c->info.proposing = (int64_t)so->proposing;
    c->info.check_stability = so->check_stability ? 1 : 0;
    c->info.until_se = so->until_se;
    if (so->rng_name != c->info.rng_name) {
        snprintf(c->info.rng_name, sizeof c->info.rng_name, "%s",
                 so->rng_name != NULL ? so->rng_name : "philox4x32");
    }
    snprintf(c->info.model_sha256, sizeof c->info.model_sha256, "%s", rmc_model_sha256(m));
    c->info.threads = so->threads;
}

/* --resume: the checkpoint's totals and settings into so (h5io checks that
 * the checkpoint belongs to m and fits -n). Returns the exit status on
 * failure, -1 to go on. */
static int load_checkpoint(ckpt_state *c, const rmc_model *m, bool n_given, rmc_sim_options *so,
                           rmc_accum **resume)
{
    rmc_diag d = {0};
    const rmc_status st =
        rmc_h5_checkpoint_resume(c->path, m, n_given ? so->replicates : 0, resume, &c->info, &d);
    if (st != RMC_OK) {
        rmc_cli_print_diag("run", &d, st);
        return rmc_cli_exit_code(st);
    }
    so->seed = c->info.seed;
    if (!n_given) {
        so->replicates = c->info.replicates_requested;
    }
    so->proposing = c->info.proposing == 0 ? RMC_PROPOSE_APPLICANTS : RMC_PROPOSE_PROGRAMS;
    so->check_stability = c->info.check_stability != 0;
    so->until_se = c->info.until_se;
    so->rng_name = c->info.rng_name;
    so->resume = *resume;
    return -1;
}

static int print_summary(const char *out)
{
    rmc_result *r = NULL;
    rmc_diag d = {0};
    const rmc_status st = rmc_result_read_opts(out, RMC_RESULT_NO_RANK_HIST, &r, &d);
    if (st != RMC_OK) {
        rmc_cli_print_diag("run", &d, st);
        return RMC_EXIT_FAILURE;
    }
    const rmc_cli_summary_opts o = {NULL, 0, 10};
    const int rc = rmc_cli_summary_print(stdout, out, r, &o);
    rmc_result_free(r);
    return rc;
}

/* Simulate and write; returns the exit status. */
static int simulate_and_write(const run_args *a, const rmc_model *m, const char *out,
                              const char *cmdline, rmc_sim_options so, ckpt_state *ckpt)
{
    rmc_cli_progress prog;
    rmc_cli_progress_init(&prog, !a->com.quiet && isatty(STDERR_FILENO));
    so.progress = rmc_cli_progress_update;
    so.progress_ctx = &prog;
    so.stop = &rmc_cli_stop_signal;
    fill_ckpt_info(ckpt, &so, m);
    so.checkpoint = write_checkpoint;
    so.checkpoint_ctx = ckpt;
    rmc_accum *acc = NULL;
    rmc_sim_stats stats;
    rmc_diag d = {0};
    rmc_status st = rmc_sim_run(m, rmc_model_params(m), &so, &acc, &stats, &d);
    rmc_cli_progress_finish(&prog);
    if (st != RMC_OK) {
        rmc_cli_print_diag("run", &d, st);
        return rmc_cli_exit_code(st);
    }
    if (!rmc_cli_root()) { /* rank 0 writes and reports */
        const int rc = rmc_cli_agree("run", RMC_EXIT_OK);
        if (rc != RMC_EXIT_OK) {
            return rc;
        }
        return stats.stopped ? 128 + (rmc_cli_stop_signal != 0 ? (int)rmc_cli_stop_signal : SIGTERM)
                             : RMC_EXIT_OK;
    }
    const char *factors[RMC_N_FACTORS];
    for (int f = 0; f < RMC_N_FACTORS; f++) {
        factors[f] = rmc_factor_name((rmc_factor)f);
    }
    const rmc_h5_run_info info = {
        .seed = so.seed,
        .threads = stats.threads,
        .ranks = stats.ranks,
        .rng_name = stats.rng_name,
        .proposing = so.proposing == RMC_PROPOSE_APPLICANTS ? "applicants" : "programs",
        .check_stability = so.check_stability,
        .wall_seconds = stats.wall_seconds,
        .command_line = cmdline,
        .interrupted = stats.stopped,
        .replicates_requested = so.replicates,
        .until_se = so.until_se,
        .se_reached = stats.se_reached,
        .factor_names = factors,
    };
    st = stats.replicates > 0 ? rmc_h5_write(out, a->com.force || a->resume, m, acc, &info, &d)
                              : RMC_OK;
    if (st == RMC_OK && stats.stopped && stats.replicates > 0) {
        st = rmc_h5_checkpoint_write(ckpt->path, acc, &ckpt->info, &d);
    }
    rmc_accum_free(acc);
    if (st != RMC_OK) {
        rmc_cli_print_diag("run", &d, st);
    }
    const int wrc = rmc_cli_agree("run", rmc_cli_exit_code(st));
    if (wrc != RMC_EXIT_OK) {
        return wrc;
    }
    report_outcome(&stats, so.check_stability);
    if (stats.stopped) {
        fprintf(stderr, "rankmc run: stopped by signal %d after %llu replicates%s%s%s\n",
                (int)rmc_cli_stop_signal, (unsigned long long)stats.replicates,
                stats.replicates > 0 ? "; partial result written; continue with --resume (from "
                                     : "; nothing written",
                stats.replicates > 0 ? ckpt->path : "", stats.replicates > 0 ? ")" : "");
        return 128 + (int)rmc_cli_stop_signal;
    }
    unlink(ckpt->path); /* finished: a leftover checkpoint would only mislead */
    int rc = a->com.quiet ? RMC_EXIT_OK : print_summary(out);
    if (so.check_stability && stats.unstable > 0) {
        rc = RMC_EXIT_FAILURE;
    }
    return rc;
}

/* Simulate, with the stop flag raised by the first signal and the
 * temporary files a second one removes named by h5io; returns the exit
 * status. */
static int simulate(const run_args *a, const rmc_model *m, const char *out, const char *cmdline,
                    const rmc_sim_options *so, ckpt_state *ckpt)
{
    char *temp_result = h5_name(rmc_h5_temp_path, out);
    char *temp_ckpt = h5_name(rmc_h5_temp_path, ckpt->path);
    int rc = RMC_EXIT_FAILURE;
    if (temp_result == NULL || temp_ckpt == NULL) {
        fprintf(stderr, "rankmc run: out of memory\n");
    } else {
        const char *const temps[] = {temp_result, temp_ckpt};
        rmc_cli_catch_stop_signals(temps, 2);
        rc = simulate_and_write(a, m, out, cmdline, *so, ckpt);
        /* From here a second signal must not touch the freed names. */
        rmc_cli_catch_stop_signals(NULL, 0);
    }
    free(temp_ckpt);
    free(temp_result);
    return rc;
}

int rmc_cli_run(int argc, char **argv)
{
    run_args a = {0};
    rmc_cli_sim_defaults(&a.sim);
    const int parsed = parse_args(argc, argv, &a);
    if (parsed >= 0) {
        return parsed;
    }
    char defout[1024];
    default_output(a.com.operand, defout, sizeof defout);
    const char *out = a.com.out != NULL ? a.com.out : defout;
    rmc_model *m = NULL;
    int rc = rmc_cli_start("run", out, a.com.force || a.resume, a.com.operand, &m);
    if (rc != RMC_EXIT_OK) {
        return rc;
    }
    ckpt_state ckpt;
    memset(&ckpt, 0, sizeof ckpt);
    ckpt.path = h5_name(rmc_h5_checkpoint_path, out);
    rmc_sim_options so = a.sim;
    rmc_accum *resume = NULL;
    if (ckpt.path == NULL) {
        fprintf(stderr, "rankmc run: out of memory\n");
        rc = RMC_EXIT_FAILURE;
    } else {
        rc = a.resume ? load_checkpoint(&ckpt, m, a.n_given, &so, &resume) : -1;
    }
    rc = rmc_cli_agree("run", rc < 0 ? RMC_EXIT_OK : rc);
    if (rc == RMC_EXIT_OK) {
        char *cmdline = rmc_cli_command_line(argc, argv);
        rc = simulate(&a, m, out, cmdline != NULL ? cmdline : "", &so, &ckpt);
        free(cmdline);
    }
    free(ckpt.path);
    rmc_accum_free(resume);
    rmc_model_free(m);
    return rc;
}
