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

/* `summary --by COLUMN`: print match rates by COLUMN (`type`, or a column of
 * model_dir/applicants.csv), the overall rate and the share of positions
 * filled. Returns the exit status. */
int rmc_cli_summary_groups(FILE *out, const rmc_result *r, const char *column,
                           const char *model_dir);

/* `summary --couples MODEL_DIR`: couples' both-matched, same-city,
 * same-region and one-unmatched chances, means and the `top` couples least
 * likely to both match (0: all). Returns the exit status. */
int rmc_cli_summary_couples(FILE *out, const rmc_result *r, const char *model_dir, size_t top);

#endif
