/* Helpers shared by `rankmc sensitivity` and `rankmc sobol`: number
 * parsing, focal applicants by id, the command line for provenance, and a
 * stop flag raised by SIGINT / SIGTERM. */
#ifndef RANKMC_CLI_SENS_CLI_H
#define RANKMC_CLI_SENS_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* Set by the signal handler installed with rmc_sens_cli_signals (0 = none). */
extern volatile sig_atomic_t rmc_sens_cli_stop;
/* The stop flag in the engine's type (int, read once per batch). */
extern volatile int rmc_sens_cli_stop_flag;

/* Install SIGINT / SIGTERM handlers that raise both flags above. */
void rmc_sens_cli_signals(void);

/* A decimal integer in [lo, hi] into *out; false when it is not one. */
bool rmc_sens_cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* "rankmc ARGV..." (caller frees with free), or NULL when out of memory. */
char *rmc_sens_cli_command_line(int argc, char **argv);

/* The focal applicants: the n_ids ids given (each must exist: else prints
 * "rankmc CMD: unknown applicant 'X'" and returns exit status 2), else
 * rmc_sens_default_focal. *out is malloc'd (caller frees), *n its length.
 * Returns -1 on success, else the exit status. */
int rmc_sens_cli_focal(const char *cmd, const rmc_model *m, char *const *ids, size_t n_ids,
                       rmc_id **out, size_t *n);

/* Whether `path` exists; prints the --force hint when it does and force is
 * false. */
bool rmc_sens_cli_output_blocked(const char *cmd, const char *path, bool force);

#endif
