/* Helpers shared by `rankmc sensitivity` and `rankmc sobol` (sens_cli.h). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sens_cli.h"

volatile sig_atomic_t rmc_sens_cli_stop = 0;
volatile int rmc_sens_cli_stop_flag = 0;

static void on_signal(int sig)
{
    rmc_sens_cli_stop = sig;
    rmc_sens_cli_stop_flag = 1;
}

void rmc_sens_cli_signals(void)
{
    rmc_cli_catch_stop_signals(on_signal);
}

bool rmc_sens_cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (s == NULL || s[0] < '0' || s[0] > '9') {
        return false;
    }
    char *end = NULL;
    const unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || v < lo || v > hi) {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

char *rmc_sens_cli_command_line(int argc, char **argv)
{
    size_t len = strlen("rankmc") + 1;
    for (int i = 0; i < argc; i++) {
        len += strlen(argv[i]) + 1;
    }
    char *s = malloc(len);
    if (s == NULL) {
        return NULL;
    }
    strcpy(s, "rankmc");
    for (int i = 0; i < argc; i++) {
        strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

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

bool rmc_sens_cli_output_blocked(const char *cmd, const char *path, bool force)
{
    struct stat sb;
    if (path != NULL && !force && stat(path, &sb) == 0) {
        fprintf(stderr, "rankmc %s: %s exists; use --force to replace it\n", cmd, path);
        return true;
    }
    return false;
}
