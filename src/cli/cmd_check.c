/* rankmc check MODEL_DIR [--max-problems N]: load and validate a model
 * folder. Every problem goes to stderr as FILE:LINE: message (the first N,
 * then a count of the rest) with exit status 2 and nothing on stdout; a
 * valid model gets a short summary on stdout and exit status 0. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: rankmc check MODEL_DIR [--max-problems N]\n\n"
               "Validate a model folder (model.ini, applicants.csv, programs.csv,\n"
               "interviews.csv and the optional supplemental_rols.csv, applicant_rols.csv,\n"
               "program_rols.csv, couples.csv, reversions.csv) and list every problem as\n"
               "FILE:LINE: message.\n\n"
               "  --max-problems N  print at most N problems (default 100), then a count\n"
               "  -h, --help        this text\n\n"
               "Exit status: 0 valid (a summary is printed), 2 problems or bad usage.\n");
}

static void print_summary(const rmc_model *m)
{
    printf("model %s: valid\n", rmc_model_dir(m));
    printf("applicants      %zu (", rmc_model_n_applicants(m));
    for (int t = 0; t < RMC_N_TYPES; t++) {
        printf("%s%s %zu", t ? ", " : "", rmc_type_name((rmc_type)t),
               rmc_model_n_type(m, (rmc_type)t));
    }
    printf(")\n");
    printf("programs        %zu\n", rmc_model_n_programs(m));
    printf("positions       %zu\n", rmc_model_n_positions(m));
    printf("interviews      %zu\n", rmc_model_n_interviews(m));
    printf("applicant ROLs  %zu fixed\n", rmc_model_n_applicant_rols(m));
    printf("program ROLs    %zu fixed\n", rmc_model_n_program_rols(m));
    printf("couples         %zu\n", rmc_model_n_couples(m));
    const size_t n_adv = rmc_model_n_track(m, RMC_TRACK_ADVANCED);
    const size_t n_pre = rmc_model_n_track(m, RMC_TRACK_PRELIMINARY);
    if (n_adv + n_pre + rmc_model_n_supplemental(m) + rmc_model_n_reversions(m) > 0) {
        printf("tracks          %zu advanced, %zu preliminary programs\n", n_adv, n_pre);
        printf("supplemental    %zu lists\n", rmc_model_n_supplemental(m));
        printf("reversions      %zu\n", rmc_model_n_reversions(m));
    }
    printf("sha256          %s\n", rmc_model_sha256(m));
}

static int run_check(const char *dir, size_t max_problems)
{
    rmc_problems *problems = NULL;
    rmc_diag d = {0};
    rmc_status st = rmc_problems_alloc(max_problems, &problems);
    if (st != RMC_OK) {
        rmc_cli_print_diag("check", NULL, st);
        return RMC_EXIT_FAILURE;
    }
    rmc_model *m = NULL;
    st = rmc_model_load(dir, problems, &d, &m);
    if (st == RMC_OK) {
        print_summary(m);
        rmc_model_free(m);
    } else if (st == RMC_EINPUT) {
        rmc_cli_print_problems(problems);
        const size_t n = rmc_problems_count(problems);
        fprintf(stderr, "rankmc check: %s: %zu problem%s found\n", dir, n, n == 1 ? "" : "s");
    } else {
        rmc_cli_print_diag("check", &d, st);
    }
    rmc_problems_free(problems);
    return rmc_cli_exit_code(st);
}

int rmc_cli_check(int argc, char **argv)
{
    static const struct option opts[] = {{"max-problems", required_argument, NULL, 'm'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    uint64_t max_problems = 100;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return RMC_EXIT_OK;
        }
        if (c != 'm') {
            return rmc_cli_usage_error("check", "bad option");
        }
        if (!rmc_cli_parse_u64(optarg, 1, 1000000, false, &max_problems)) {
            return rmc_cli_usage_error("check",
                                       "--max-problems wants a whole number >= 1, "
                                       "not '%s'",
                                       optarg);
        }
    }
    if (argc - optind != 1) {
        return rmc_cli_usage_error("check", argc - optind == 0 ? "missing MODEL_DIR"
                                                               : "expected one MODEL_DIR");
    }
    return run_check(argv[optind], (size_t)max_problems);
}
