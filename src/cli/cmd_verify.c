/* rankmc verify: check a matching made anywhere against a model's fixed
 * lists with rankmc's own stability checker (docs/interchange.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const cmd = "verify";

static void print_usage(FILE *f)
{
    fprintf(f, "usage: rankmc verify MODEL_DIR MATCHING\n\n"
               "Check MATCHING against the model's fixed rank order lists (applicant_rols.csv,\n"
               "program_rols.csv, couples.csv) with rankmc's stability checker, and list\n"
               "every violation: misplaced applicants, programs over capacity, blocking\n"
               "pairs and blocking couples (a couple's own seats count as free for it;\n"
               "docs/match.md).\n\n"
               "MATCHING is a CSV applicant,program as rankmc match writes it, or a\n"
               "stable-matching-suite matching file (lines 'r RID PID', optional 'm 0|1').\n\n"
               "Exit status: 0 stable, 1 not stable (or a runtime failure), 2 bad usage or\n"
               "bad input.\n");
}

/* A suite matching file starts, after comments, with an r or m line. */
static bool looks_like_smp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return false;
    }
    char line[256];
    bool smp = false;
    while (fgets(line, sizeof line, f) != NULL) {
        const char *p = line + strspn(line, " \t\r\n");
        if (*p == '\0' || *p == '#') {
            continue;
        }
        smp = (p[0] == 'r' || p[0] == 'm') && (p[1] == ' ' || p[1] == '\t');
        break;
    }
    fclose(f);
    return smp;
}

static int report(const rmc_model *m, const rmc_id *app_prog, rmc_problems *violations, int claimed)
{
    size_t matched = 0;
    const size_t n = rmc_model_n_applicants(m);
    for (size_t i = 0; i < n; i++) {
        matched += app_prog[i] != RMC_ID_NONE;
    }
    const size_t nv = rmc_problems_count(violations);
    for (size_t k = 0; k < rmc_problems_kept(violations); k++) {
        printf("%s\n", rmc_problems_get(violations, k));
    }
    if (nv > rmc_problems_kept(violations)) {
        printf("... and %zu more\n", nv - rmc_problems_kept(violations));
    }
    printf("%zu of %zu applicants matched; %s", matched, n,
           nv == 0 ? "stable (rankmc's definition)\n" : "");
    if (nv > 0) {
        printf("NOT stable: %zu violation%s\n", nv, nv == 1 ? "" : "s");
    }
    if (claimed == 0) {
        printf("note: the file says 'm 0' (its matcher claimed no matching)\n");
    }
    return nv == 0 ? RMC_EXIT_OK : RMC_EXIT_FAILURE;
}

int rmc_cli_verify(int argc, char **argv)
{
    const char *dir = NULL, *path = NULL;
    for (int k = 1; k < argc; k++) {
        const char *arg = argv[k];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_usage(stdout);
            return RMC_EXIT_OK;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return rmc_cli_usage_error(cmd, "unknown option '%s'", arg);
        } else if (dir == NULL) {
            dir = arg;
        } else if (path == NULL) {
            path = arg;
        } else {
            return rmc_cli_usage_error(cmd, "unexpected argument '%s'", arg);
        }
    }
    if (dir == NULL || path == NULL) {
        return rmc_cli_usage_error(cmd, "needs MODEL_DIR and MATCHING");
    }
    rmc_model *m = NULL;
    const int rc = rmc_cli_load_model(cmd, dir, &m);
    if (rc != 0) {
        return rc;
    }
    rmc_problems *pr = NULL, *viol = NULL;
    rmc_id *app_prog = calloc(rmc_model_n_applicants(m) + 1, sizeof *app_prog);
    int exit_code = RMC_EXIT_FAILURE;
    if (app_prog == NULL || rmc_problems_alloc(100, &pr) != RMC_OK ||
        rmc_problems_alloc(1000, &viol) != RMC_OK) {
        rmc_cli_print_diag(cmd, NULL, RMC_ENOMEM);
        goto done;
    }
    rmc_diag d = {0};
    int claimed = -1;
    rmc_status st = looks_like_smp(path)
                        ? rmc_smp_read_matching(path, m, pr, &d, app_prog, &claimed)
                        : rmc_matching_read_csv(path, m, pr, &d, app_prog);
    if (st == RMC_EINPUT && rmc_problems_count(pr) > 0) {
        rmc_cli_print_problems(pr);
    }
    if (st == RMC_OK) {
        st = rmc_match_fixed_verify(m, app_prog, viol, &d);
    }
    if (st != RMC_OK) {
        if (!(st == RMC_EINPUT && rmc_problems_count(pr) > 0)) {
            rmc_cli_print_diag(cmd, &d, st);
        }
        exit_code = rmc_cli_exit_code(st);
        goto done;
    }
    exit_code = report(m, app_prog, viol, claimed);
done:
    rmc_problems_free(viol);
    rmc_problems_free(pr);
    free(app_prog);
    rmc_model_free(m);
    return exit_code;
}
