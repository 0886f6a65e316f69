/* The rankmc command-line tool: one function per command, each returning
 * the process exit status (0 success, 1 runtime failure, 2 bad usage or bad
 * input). Only the CLI prints to stderr or exits; it uses public headers only. */
#ifndef RANKMC_CLI_H
#define RANKMC_CLI_H

#include "rankmc/rankmc.h"

enum { RMC_EXIT_OK = 0, RMC_EXIT_FAILURE = 1, RMC_EXIT_USAGE = 2 };

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
/* Install handler for SIGINT and SIGTERM (the signals that ask a long run
 * to stop). */
void rmc_cli_catch_stop_signals(void (*handler)(int));
/* Print "rankmc CMD: message" and a hint to run --help; returns 2. */
int rmc_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
