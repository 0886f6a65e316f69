/* rankmc match: one deterministic Match on a model's fixed rank order lists
 * (applicant_rols.csv and program_rols.csv, with supplemental_rols.csv,
 * couples.csv and reversions.csv when present), written as CSV
 * `applicant,program,track,status,pgy1`, one row per applicant in
 * applicants.csv order: the program matched from the primary list (empty
 * when unmatched), its track, matched / partial / unmatched, and the PGY-1
 * program from a supplemental list (empty when none). The file is written under a temporary name
 * in the same directory and renamed when complete, so a reader never sees a
 * partial file; an existing file is kept unless --force. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char *const cmd = "match";

typedef struct match_args {
    const char *model_dir;
    const char *out; /* NULL: stdout */
    rmc_proposing side;
    bool force;
    bool check_stability;
} match_args;

static void print_usage(FILE *f)
{
    fprintf(f, "usage: rankmc match MODEL_DIR [-o OUT.csv] [--proposing applicants|programs]\n"
               "                   [--force] [--check-stability]\n\n"
               "One deterministic Match (deferred acceptance with capacities) on the model's\n"
               "fixed rank order lists, applicant_rols.csv and program_rols.csv (with\n"
               "supplemental_rols.csv, couples.csv and reversions.csv when present).\n\n"
               "  -o OUT.csv          write the matching there (default: stdout); one row per\n"
               "                      applicant in applicants.csv order:\n"
               "                      applicant,program,track,status,pgy1 (program empty when\n"
               "                      unmatched; status matched, partial or unmatched; pgy1\n"
               "                      the PGY-1 program from a supplemental list, if any)\n"
               "  --proposing SIDE    applicants (default; as the NRMP runs it: the\n"
               "                      applicant-optimal stable matching) or programs\n"
               "  --force             overwrite an existing OUT.csv\n"
               "  --check-stability   verify the result with the independent checker\n\n"
               "A summary goes to stdout, or to stderr when the CSV goes to stdout.\n"
               "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input.\n");
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, match_args *a)
{
    *a = (match_args){.side = RMC_PROPOSE_APPLICANTS};
    for (int k = 1; k < argc; k++) {
        const char *arg = argv[k];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_usage(stdout);
            return RMC_EXIT_OK;
        } else if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) {
            if (++k == argc) {
                return rmc_cli_usage_error(cmd, "%s needs a file name", arg);
            }
            a->out = argv[k];
        } else if (strcmp(arg, "--proposing") == 0) {
            if (++k == argc) {
                return rmc_cli_usage_error(cmd, "--proposing needs applicants or programs");
            }
            if (strcmp(argv[k], "applicants") == 0) {
                a->side = RMC_PROPOSE_APPLICANTS;
            } else if (strcmp(argv[k], "programs") == 0) {
                a->side = RMC_PROPOSE_PROGRAMS;
            } else {
                return rmc_cli_usage_error(cmd, "--proposing: '%s' is not applicants or programs",
                                           argv[k]);
            }
        } else if (strcmp(arg, "--force") == 0) {
            a->force = true;
        } else if (strcmp(arg, "--check-stability") == 0) {
            a->check_stability = true;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return rmc_cli_usage_error(cmd, "unknown option '%s'", arg);
        } else if (a->model_dir == NULL) {
            a->model_dir = arg;
        } else {
            return rmc_cli_usage_error(cmd, "unexpected argument '%s'", arg);
        }
    }
    if (a->model_dir == NULL) {
        return rmc_cli_usage_error(cmd, "missing MODEL_DIR");
    }
    if (a->out != NULL && a->out[0] == '\0') {
        return rmc_cli_usage_error(cmd, "-o needs a file name");
    }
    return -1;
}

/* One CSV field, quoted per RFC 4180 when it holds a comma, quote or line break. */
static int put_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        return fputs(s, f) < 0 ? -1 : 0;
    }
    if (fputc('"', f) == EOF) {
        return -1;
    }
    for (const char *c = s; *c != '\0'; c++) {
        if ((*c == '"' && fputc('"', f) == EOF) || fputc(*c, f) == EOF) {
            return -1;
        }
    }
    return fputc('"', f) == EOF ? -1 : 0;
}

/* matched, partial (an advanced program and no PGY-1 from a supplemental
 * list) or unmatched. */
static const char *status_of(const rmc_model *m, rmc_id j, rmc_id pgy1)
{
    if (j == RMC_ID_NONE) {
        return "unmatched";
    }
    return rmc_model_program_track(m, (size_t)j) == RMC_TRACK_ADVANCED && pgy1 == RMC_ID_NONE
               ? "partial"
               : "matched";
}

static int write_csv(FILE *f, const rmc_model *m, const rmc_id *app_prog, const rmc_id *pgy1)
{
    if (fputs("applicant,program,track,status,pgy1\n", f) < 0) {
        return -1;
    }
    const size_t n_app = rmc_model_n_applicants(m);
    for (size_t i = 0; i < n_app; i++) {
        const rmc_id j = app_prog[i], q = pgy1[i];
        if (put_field(f, rmc_model_applicant_id(m, i)) != 0 || fputc(',', f) == EOF ||
            (j != RMC_ID_NONE && put_field(f, rmc_model_program_id(m, (size_t)j)) != 0) ||
            fputc(',', f) == EOF ||
            (j != RMC_ID_NONE &&
             fputs(rmc_track_name(rmc_model_program_track(m, (size_t)j)), f) < 0) ||
            fprintf(f, ",%s,", status_of(m, j, q)) < 0 ||
            (q != RMC_ID_NONE && put_field(f, rmc_model_program_id(m, (size_t)q)) != 0) ||
            fputc('\n', f) == EOF) {
            return -1;
        }
    }
    return 0;
}

/* Write to a temporary file beside a->out, then rename over it. */
static int write_output(const match_args *a, const rmc_model *m, const rmc_id *app_prog,
                        const rmc_id *pgy1)
{
    if (a->out == NULL) {
        if (write_csv(stdout, m, app_prog, pgy1) != 0 || fflush(stdout) != 0) {
            fprintf(stderr, "rankmc %s: writing to stdout: %s\n", cmd, strerror(errno));
            return RMC_EXIT_FAILURE;
        }
        return RMC_EXIT_OK;
    }
    const size_t len = strlen(a->out);
    char *tmp = malloc(len + 16);
    if (tmp == NULL) {
        fprintf(stderr, "rankmc %s: out of memory\n", cmd);
        return RMC_EXIT_FAILURE;
    }
    snprintf(tmp, len + 16, "%s.tmp.XXXXXX", a->out);
    const int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int ok = f != NULL && write_csv(f, m, app_prog, pgy1) == 0;
    if (f != NULL) {
        ok = (fclose(f) == 0) && ok;
    } else if (fd >= 0) {
        close(fd);
    }
    if (ok && rmc_cli_output_blocked(cmd, a->out, a->force)) {
        unlink(tmp);
        free(tmp);
        return RMC_EXIT_USAGE;
    }
    ok = ok && rename(tmp, a->out) == 0;
    if (!ok) {
        fprintf(stderr, "rankmc %s: cannot write %s: %s\n", cmd, a->out, strerror(errno));
        if (fd >= 0) {
            unlink(tmp);
        }
    }
    free(tmp);
    return ok ? RMC_EXIT_OK : RMC_EXIT_FAILURE;
}

static void print_summary(FILE *f, const rmc_model *m, const rmc_match_result *res,
                          rmc_proposing side)
{
    const size_t n_app = rmc_model_n_applicants(m), n_prog = rmc_model_n_programs(m);
    size_t matched = 0, partial = 0, filled = 0, offered = 0, unfilled_progs = 0;
    for (size_t i = 0; i < n_app; i++) {
        matched += res->app_prog[i] != RMC_ID_NONE;
        partial += res->app_prog[i] != RMC_ID_NONE &&
                   strcmp(status_of(m, res->app_prog[i], res->app_pgy1[i]), "partial") == 0;
    }
    for (size_t j = 0; j < n_prog; j++) {
        const int32_t pos = res->capacity_final[j];
        filled += (size_t)res->fill[j];
        offered += (size_t)pos;
        unfilled_progs += res->fill[j] < pos;
    }
    fprintf(f,
            "%s-proposing match: %zu of %zu applicants matched, %zu unmatched\n"
            "positions filled: %zu of %zu offered, %zu unfilled (in %zu of %zu programs)\n",
            side == RMC_PROPOSE_PROGRAMS ? "program" : "applicant", matched, n_app, n_app - matched,
            filled, offered, offered - filled, unfilled_progs, n_prog);
    if (rmc_model_n_track(m, RMC_TRACK_ADVANCED) > 0 || rmc_model_n_reversions(m) > 0) {
        fprintf(f,
                "partially matched (advanced, no PGY-1): %zu; positions moved by reversions: "
                "%zu\n",
                partial, res->n_reverted);
    }
}

static int run_match(const match_args *a, const rmc_model *m)
{
    const size_t n_app = rmc_model_n_applicants(m), n_prog = rmc_model_n_programs(m);
    rmc_id *app_prog = malloc((n_app + 1) * sizeof *app_prog);
    int32_t *app_choice = malloc((n_app + 1) * sizeof *app_choice);
    int32_t *fill = malloc((n_prog + 1) * sizeof *fill);
    rmc_id *pgy1 = malloc((n_app + 1) * sizeof *pgy1);
    int32_t *cap = malloc((n_prog + 1) * sizeof *cap);
    int32_t *moved = malloc((rmc_model_n_reversions(m) + 1) * sizeof *moved);
    int rc = RMC_EXIT_FAILURE;
    if (app_prog == NULL || app_choice == NULL || fill == NULL || pgy1 == NULL || cap == NULL ||
        moved == NULL) {
        fprintf(stderr, "rankmc %s: out of memory\n", cmd);
        goto done;
    }
    rmc_match_result res = {.app_prog = app_prog,
                            .app_choice = app_choice,
                            .fill = fill,
                            .app_pgy1 = pgy1,
                            .capacity_final = cap,
                            .rev_moved = moved};
    rmc_diag d = {0};
    const rmc_status st =
        rmc_match_fixed(m, a->side, (size_t)rmc_model_params(m)->match_couples_max_rounds,
                        a->check_stability, &res, &d);
    if (st == RMC_NOT_CONVERGED) {
        fprintf(stderr,
                "rankmc %s: warning: the couples procedure did not converge; the "
                "matching written is the last one reached and may be unstable\n",
                cmd);
    } else if (st != RMC_OK) {
        rmc_cli_print_diag(cmd, &d, st);
        rc = rmc_cli_exit_code(st);
        goto done;
    }
    rc = write_output(a, m, app_prog, pgy1);
    if (rc == RMC_EXIT_OK) {
        print_summary(a->out == NULL ? stderr : stdout, m, &res, a->side);
    }
done:
    free(app_prog);
    free(app_choice);
    free(fill);
    free(pgy1);
    free(cap);
    free(moved);
    return rc;
}

int rmc_cli_match(int argc, char **argv)
{
    match_args a;
    const int parsed = parse_args(argc, argv, &a);
    if (parsed >= 0) {
        return parsed;
    }
    if (rmc_cli_output_blocked(cmd, a.out, a.force)) {
        return RMC_EXIT_USAGE;
    }
    rmc_model *m = NULL;
    const int rc = rmc_cli_load_model(cmd, a.model_dir, &m);
    if (rc != RMC_EXIT_OK) {
        return rc;
    }
    const int out = run_match(&a, m);
    rmc_model_free(m);
    return out;
}
