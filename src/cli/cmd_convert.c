/* rankmc convert: a model folder's fixed lists to the stable-matching-suite
 * text format, or such a file to a model folder (docs/interchange.md). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char *const cmd = "convert";

static void print_usage(FILE *f)
{
    fprintf(f, "usage: rankmc convert INPUT OUTPUT [--force]\n\n"
               "Interchange with the stable-matching-suite (Bacchus, Drummond, Perrault):\n"
               "  INPUT a model folder  -> OUTPUT a problem file (r, c and p lines) of its\n"
               "                           fixed lists (applicant_rols.csv, program_rols.csv,\n"
               "                           couples.csv)\n"
               "  INPUT a problem file  -> OUTPUT a model folder with those fixed lists,\n"
               "                           ready for rankmc match and rankmc verify\n\n"
               "  --force   replace an existing OUTPUT\n\n"
               "Ids: a model whose ids are all plain integers keeps them, else positions\n"
               "from 0 are used (docs/interchange.md).\n"
               "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input.\n");
}

/* Problem file -> model folder. */
static int to_model(const char *in, const char *out, bool force)
{
    rmc_problems *pr = NULL;
    if (rmc_problems_alloc(100, &pr) != RMC_OK) {
        rmc_cli_print_diag(cmd, NULL, RMC_ENOMEM);
        return RMC_EXIT_FAILURE;
    }
    rmc_diag d = {0};
    rmc_smp *s = NULL;
    rmc_status st = rmc_smp_read(in, pr, &d, &s);
    if (st == RMC_EINPUT && rmc_problems_count(pr) > 0) {
        rmc_cli_print_problems(pr);
    } else if (st != RMC_OK) {
        rmc_cli_print_diag(cmd, &d, st);
    }
    rmc_problems_free(pr);
    if (st == RMC_OK) {
        st = rmc_smp_write_model(out, force, s, in, &d);
        if (st != RMC_OK) {
            rmc_cli_print_diag(cmd, &d, st);
        } else {
            printf("%s: %zu residents (%zu in couples), %zu programs -> model folder %s\n", in,
                   s->n_res, 2 * s->n_couples, s->n_prog, out);
        }
    }
    rmc_smp_free(s);
    return rmc_cli_exit_code(st);
}

/* Model folder -> problem file. */
static int to_smp(const char *in, const char *out, bool force)
{
    rmc_model *m = NULL;
    const int rc = rmc_cli_load_model(cmd, in, &m);
    if (rc != 0) {
        return rc;
    }
    rmc_diag d = {0};
    rmc_smp *s = NULL;
    rmc_status st = rmc_smp_from_model(m, &d, &s);
    if (st == RMC_OK) {
        st = rmc_smp_write(out, force, s, &d);
    }
    if (st != RMC_OK) {
        rmc_cli_print_diag(cmd, &d, st);
    } else {
        printf("%s: %zu residents (%zu in couples), %zu programs -> problem file %s\n", in,
               s->n_res, 2 * s->n_couples, s->n_prog, out);
    }
    rmc_smp_free(s);
    rmc_model_free(m);
    return rmc_cli_exit_code(st);
}

int rmc_cli_convert(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    bool force = false;
    for (int k = 1; k < argc; k++) {
        const char *arg = argv[k];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_usage(stdout);
            return RMC_EXIT_OK;
        } else if (strcmp(arg, "--force") == 0) {
            force = true;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return rmc_cli_usage_error(cmd, "unknown option '%s'", arg);
        } else if (in == NULL) {
            in = arg;
        } else if (out == NULL) {
            out = arg;
        } else {
            return rmc_cli_usage_error(cmd, "unexpected argument '%s'", arg);
        }
    }
    if (in == NULL || out == NULL || in[0] == '\0' || out[0] == '\0') {
        return rmc_cli_usage_error(cmd, "needs INPUT and OUTPUT");
    }
    struct stat sb;
    if (stat(in, &sb) != 0) {
        fprintf(stderr, "rankmc %s: %s: no such file or folder\n", cmd, in);
        return RMC_EXIT_USAGE;
    }
    return S_ISDIR(sb.st_mode) ? to_smp(in, out, force) : to_model(in, out, force);
}
