/* The human-readable summary of a result file, printed by `rankmc summary`
 * and at the end of `rankmc run` (docs/output.md describes its sections). */
#ifndef RANKMC_CLI_SUMMARY_H
#define RANKMC_CLI_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "rankmc/h5io.h"

typedef struct rmc_cli_summary_opts {
    const char *const *applicants; /* ids to show in detail; none: ids starting "focal" */
    size_t n_applicants;
    size_t top; /* rows in each top-N list; 0 = every row */
} rmc_cli_summary_opts;

/* Print the summary of r to out. Returns 0, or 2 when a requested
 * applicant id is not in the file (after printing the rest). */
int rmc_cli_summary_print(FILE *out, const char *path, const rmc_result *r,
                          const rmc_cli_summary_opts *o);

#endif
