/* The rankmc command-line tool: one function per command, each returning
 * the process exit status (0 success, 1 runtime failure, 2 bad usage or bad
 * input). Only the CLI prints to stderr or exits; it uses public headers only. */
#ifndef RANKMC_CLI_H
#define RANKMC_CLI_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/rankmc.h"

enum { RMC_EXIT_OK = 0, RMC_EXIT_FAILURE = 1, RMC_EXIT_USAGE = 2 };

/* main.c: the job this process belongs to (a world of one without MPI), and
 * whether this is rank 0, the one that prints and writes files. */
const rmc_dist *rmc_cli_dist(void);
bool rmc_cli_root(void);
/* Collective: every rank passes its exit status so far (0 = going on) and
 * gets that of the lowest-numbered failing rank, or 0. Rank 0 prints what a
 * failing other rank wrote to stderr (theirs is kept aside), so a failure
 * on any rank ends every rank with one message. */
int rmc_cli_agree(const char *cmd, int rc);

int rmc_cli_check(int argc, char **argv);
int rmc_cli_match(int argc, char **argv);
int rmc_cli_run(int argc, char **argv);
int rmc_cli_summary(int argc, char **argv);
int rmc_cli_sensitivity(int argc, char **argv);
int rmc_cli_sobol(int argc, char **argv);
int rmc_cli_report(int argc, char **argv);
int rmc_cli_synth(int argc, char **argv);
int rmc_cli_bench(int argc, char **argv);
int rmc_cli_params(int argc, char **argv);
int rmc_cli_calibrate(int argc, char **argv);
int rmc_cli_convert(int argc, char **argv);
int rmc_cli_verify(int argc, char **argv);
int rmc_cli_forecast(int argc, char **argv);
int rmc_cli_apply(int argc, char **argv);

/* report.c */
/* Exit status for a library status: 2 for input/usage problems, else 1. */
int rmc_cli_exit_code(rmc_status st);
/* Print "rankmc CMD: FILE:LINE: message" (or without FILE:LINE) to stderr. */
void rmc_cli_print_diag(const char *cmd, const rmc_diag *d, rmc_status st);
/* Print every kept problem, one per line, then "... and N more problems"
 * when some were not kept. */
void rmc_cli_print_problems(const rmc_problems *p);
/* Load a model, printing every problem; returns the exit status to use when
 * it fails (0 when *out is set). */
int rmc_cli_load_model(const char *cmd, const char *dir, rmc_model **out);

/* The exit status for st, after printing its diagnostic when it is not
 * RMC_OK; for RMC_EINTERRUPTED (an analysis stopped by the stop flag) the
 * message "stopped by signal N; nothing written" and 128 + N. */
int rmc_cli_outcome(const char *cmd, const rmc_diag *d, rmc_status st);

/* The engine options every long command starts from:
 * rmc_sim_options_default, all threads (omp_get_max_threads), the job's
 * ranks (rmc_cli_dist). */
void rmc_cli_sim_defaults(rmc_sim_options *so);

/* How run, sensitivity and sobol start, each step agreed by the ranks
 * (rmc_cli_agree) so that a rank failing alone does not leave the others
 * waiting: refuse an existing `out` unless force (rank 0 decides; NULL:
 * no output), then load the model from dir. Returns 0 with *m set, else the
 * exit status with *m NULL. */
int rmc_cli_start(const char *cmd, const char *out, bool force, const char *dir, rmc_model **m);
/* Print "rankmc CMD: message" and a hint to run --help; returns 2. */
int rmc_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* args.c: one helper per job shared by the commands. */

/* A decimal count in [lo, hi] into *out: digits only (no sign, no blanks),
 * rejected on overflow (errno) or trailing text; with suffix, one trailing
 * K, M or G (either case) multiplies by 1024, 1024^2, 1024^3. False, *out
 * untouched, when s is not such a count. */
bool rmc_cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, bool suffix, uint64_t *out);

/* Bounds of rmc_cli_parse_real that are open (excluded); 0 = both closed. */
enum { RMC_CLI_OPEN_LO = 1, RMC_CLI_OPEN_HI = 2 };

/* A finite real in [lo, hi] (ends excluded as `open` says) into *out;
 * rejected on overflow (errno), NaN/inf or trailing text. */
bool rmc_cli_parse_real(const char *s, double lo, double hi, unsigned open, double *out);

/* -s SEED (any unsigned 64-bit integer) and -t THREADS (1 .. 4096), read
 * the same way by every command: 0 and *out set, or the usage error printed
 * for cmd (exit status 2 returned). */
int rmc_cli_parse_seed(const char *cmd, const char *arg, uint64_t *out);
int rmc_cli_parse_threads(const char *cmd, const char *arg, int *out);

/* The getopt_long entries every long command (run, sensitivity, sobol)
 * shares: --replicates/-n, --seed/-s, --threads/-t, --output/-o, --force/-f,
 * --quiet/-q, --help/-h (also forecast and apply). */
#define RMC_CLI_COMMON_LONGOPTS                                                                    \
    {"replicates", required_argument, NULL, 'n'}, {"seed", required_argument, NULL, 's'},          \
        {"threads", required_argument, NULL, 't'}, {"output", required_argument, NULL, 'o'},       \
        {"force", no_argument, NULL, 'f'}, {"quiet", no_argument, NULL, 'q'},                      \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }

/* What rmc_cli_parse_args fills besides the command's own options. */
typedef struct rmc_cli_common {
    const char *operand;      /* the one MODEL_DIR */
    const char *out;          /* -o FILE, NULL when not given */
    bool force, quiet;        /* -f, -q */
    const char *operand_name; /* set by the caller for the usage error; NULL: MODEL_DIR */
} rmc_cli_common;

/* getopt_long over argv with the short options "n:s:t:o:fqh": -h prints
 * usage(stdout) and returns 0; -o, -f and -q fill *com; every other option
 * (-n, -s, -t and the command's own; arg NULL for one without a value) goes
 * to option(c, arg, ctx), which returns 0 or an exit status; then exactly
 * one operand (com->operand_name) into com->operand. Returns -1 to go on, else the exit
 * status. */
int rmc_cli_parse_args(const char *cmd, int argc, char **argv, const struct option *longopts,
                       void (*usage)(FILE *f), int (*option)(int c, char *arg, void *ctx),
                       void *ctx, rmc_cli_common *com);

/* -n N (min_replicates to UINT32_MAX), -s SEED and -t THREADS (1 to 4096),
 * the engine options of the long commands (run, sensitivity, sobol), into
 * so. Returns 1 when c is none of them, 0 when it set one, RMC_EXIT_USAGE
 * after printing the usage error when the value is bad. */
int rmc_cli_engine_option(const char *cmd, int c, const char *arg, uint64_t min_replicates,
                          rmc_sim_options *so);

/* "rankmc ARGV..." joined by spaces, for provenance (caller frees with
 * free), or NULL when out of memory. */
char *rmc_cli_command_line(int argc, char **argv);

/* Whether `path` (NULL: none) exists while force is false; then prints
 * "rankmc CMD: PATH exists; use --force to replace it". */
bool rmc_cli_output_blocked(const char *cmd, const char *path, bool force);

/* The signal (SIGINT / SIGTERM) that asked the running command to stop, 0
 * while none has; the engine's stop flag (read once per batch). */
extern volatile sig_atomic_t rmc_cli_stop_signal;

/* Temporary files a second signal may remove, at most. */
#define RMC_CLI_MAX_TEMPS 4

/* Install the SIGINT / SIGTERM handler that sets rmc_cli_stop_signal. With
 * n_temps > 0, a second signal removes those files (borrowed: they must
 * stay valid while the handler is installed) and exits at once with status
 * 128 + signal; with none, a second signal only sets the flag again. */
void rmc_cli_catch_stop_signals(const char *const *temps, size_t n_temps);

/* ---- the profile commands (forecast, apply) ---- */

/* What the profile commands' library runs take from the CLI: the work
 * folder, the progress line and the stop flag. */
typedef struct rmc_cli_job_env {
    const char *work_dir;
    rmc_forecast_progress_fn progress;
    void *progress_ctx;
    const volatile int *stop;
} rmc_cli_job_env;

/* A command that runs one applicant's profile, for
 * rmc_cli_profile_command. */
typedef struct rmc_cli_profile_job {
    const char *cmd;           /* "forecast": messages, the work folder's name */
    const rmc_cli_common *com; /* PROFILE.ini, -o, -f, -q */
    rmc_status (*load)(const char *path, rmc_problems *problems, rmc_problems *warnings,
                       rmc_diag *d, rmc_profile_file **out); /* rmc_profile_load... */
    /* the library's run with env in its options; keeps the result in ctx */
    rmc_status (*run)(void *ctx, const rmc_profile_file *pf, const rmc_cli_job_env *env,
                      rmc_problems *problems, rmc_diag *d);
    /* after a successful run: the report on stdout, then with -o the file */
    rmc_status (*finish)(void *ctx, const rmc_profile_file *pf, const char *cmdline, rmc_diag *d);
    void *ctx;
} rmc_cli_profile_job;

/* Everything after the options: the --force refusal, the profile loaded
 * (problems: FILE:LINE, exit 2), its warnings printed, the stop signals
 * caught, job->run in a work folder under $TMPDIR (removed again) with the
 * progress line (unless -q), then job->finish. Returns the exit status;
 * the command frees what run kept. */
int rmc_cli_profile_command(const rmc_cli_profile_job *job, int argc, char **argv);

#endif
