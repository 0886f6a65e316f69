/* Helpers shared by `rankmc sensitivity` and `rankmc sobol` (sens_cli.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sens_cli.h"

int rmc_sens_cli_focal(const char *cmd, const rmc_model *m, char *const *ids, size_t n_ids,
                       rmc_id **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const size_t count = n_ids > 0 ? n_ids : rmc_sens_default_focal(m, NULL, 0);
    if (count == 0) {
        fprintf(stderr,
                "rankmc %s: the model has no focal_ applicant and no IMG; name one with "
                "--applicant\n",
                cmd);
        return RMC_EXIT_USAGE;
    }
    rmc_id *idx = calloc(count, sizeof *idx);
    if (idx == NULL) {
        fprintf(stderr, "rankmc %s: out of memory\n", cmd);
        return RMC_EXIT_FAILURE;
    }
    if (n_ids == 0) {
        rmc_sens_default_focal(m, idx, count);
    }
    for (size_t a = 0; a < n_ids; a++) {
        idx[a] = rmc_model_find_applicant(m, ids[a]);
        if (idx[a] == RMC_ID_NONE) {
            fprintf(stderr, "rankmc %s: unknown applicant '%s'\n", cmd, ids[a]);
            free(idx);
            return RMC_EXIT_USAGE;
        }
        for (size_t b = 0; b < a; b++) {
            if (idx[b] == idx[a]) {
                fprintf(stderr, "rankmc %s: applicant '%s' given twice\n", cmd, ids[a]);
                free(idx);
                return RMC_EXIT_USAGE;
            }
        }
    }
    *out = idx;
    *n = count;
    return -1;
}
