/* The rankmc command-line tool: one function per command, each returning
 * the process exit status (0 success, 1 runtime failure, 2 bad usage or bad
 * input). Only the CLI prints to stderr or exits; it uses public headers only. */
#ifndef RANKMC_CLI_H
#define RANKMC_CLI_H

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

#endif
