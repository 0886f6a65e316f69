/* What `rankmc sensitivity` and `rankmc sobol` share beyond args.c: the
 * focal applicants by id. */
#ifndef RANKMC_CLI_SENS_CLI_H
#define RANKMC_CLI_SENS_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* The focal applicants: the n_ids ids given (each must exist: else prints
 * "rankmc CMD: unknown applicant 'X'" and returns exit status 2), else
 * rmc_sens_default_focal. *out is malloc'd (caller frees), *n its length.
 * Returns -1 on success, else the exit status. */
int rmc_sens_cli_focal(const char *cmd, const rmc_model *m, char *const *ids, size_t n_ids,
                       rmc_id **out, size_t *n);

#endif
