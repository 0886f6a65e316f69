/* Turning library statuses, diagnostics and problem lists into messages on
 * stderr and exit codes. */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

int rmc_cli_exit_code(rmc_status st)
{
    switch (st) {
    case RMC_OK:
        return RMC_EXIT_OK;
    case RMC_EINPUT:
    case RMC_EUSAGE:
    case RMC_EEXIST:
    case RMC_ELIMIT:
        return RMC_EXIT_USAGE;
    default:
        return RMC_EXIT_FAILURE;
    }
}

void rmc_cli_print_diag(const char *cmd, const rmc_diag *d, rmc_status st)
{
    if (d == NULL || d->status != st || d->message[0] == '\0') {
        fprintf(stderr, "rankmc %s: %s\n", cmd, rmc_strerror(st));
    } else if (d->file[0] != '\0' && d->line > 0) {
        fprintf(stderr, "rankmc %s: %s:%ld: %s\n", cmd, d->file, d->line, d->message);
    } else if (d->file[0] != '\0') {
        fprintf(stderr, "rankmc %s: %s: %s\n", cmd, d->file, d->message);
    } else {
        fprintf(stderr, "rankmc %s: %s\n", cmd, d->message);
    }
}

void rmc_cli_print_problems(const rmc_problems *p)
{
    const size_t kept = rmc_problems_kept(p);
    for (size_t i = 0; i < kept; i++) {
        fprintf(stderr, "%s\n", rmc_problems_get(p, i));
    }
    const size_t total = rmc_problems_count(p);
    if (total > kept) {
        fprintf(stderr, "... and %zu more problem%s\n", total - kept, total - kept == 1 ? "" : "s");
    }
}

int rmc_cli_load_model(const char *cmd, const char *dir, rmc_model **out)
{
    *out = NULL;
    rmc_problems *problems = NULL;
    rmc_diag d = {0};
    rmc_status st = rmc_problems_alloc(100, &problems);
    if (st != RMC_OK) {
        rmc_cli_print_diag(cmd, NULL, st);
        return RMC_EXIT_FAILURE;
    }
    st = rmc_model_load(dir, problems, &d, out);
    if (st == RMC_EINPUT && rmc_problems_count(problems) > 0) {
        rmc_cli_print_problems(problems);
        const size_t n = rmc_problems_count(problems);
        fprintf(stderr, "rankmc %s: %s: %zu problem%s found\n", cmd, dir, n, n == 1 ? "" : "s");
    } else if (st != RMC_OK) {
        rmc_cli_print_diag(cmd, &d, st);
    }
    rmc_problems_free(problems);
    return rmc_cli_exit_code(st);
}

int rmc_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rankmc %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'rankmc %s --help'.\n", cmd);
    va_end(ap);
    return RMC_EXIT_USAGE;
}
