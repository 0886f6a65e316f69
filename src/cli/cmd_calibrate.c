/* rankmc calibrate: the rank meeting's moves against the design's calibration
 * targets (advocacy by level, a chief's tier jump, the split of IMGs' upward
 * movement), from n replicates of every program's meeting (no Match). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *mark(double v, double lo, double hi)
{
    return v >= lo && v <= hi ? "ok" : "OFF";
}

static void print_report(const rmc_meeting_calibration *c)
{
    printf("rank-meeting calibration: %zu replicates, %zu programs, %zu interviews\n\n",
           c->replicates, c->n_programs, c->n_interviews);
    printf("advocacy: median move, spots on a %d-name list (ranked names)\n", c->reference_list);
    static const char *const level[3] = {"none", "rotation", "research_fellow"};
    static const double lo[3] = {0, 5, 10}, hi[3] = {2, 20, 30};
    for (int l = 0; l < 3; l++) {
        printf("  %-16s %8.2f   target %g..%g  %-3s (n = %zu)\n", level[l], c->advocacy_median[l],
               lo[l], hi[l], mark(c->advocacy_median[l], lo[l], hi[l]), c->n_level[l]);
    }
    printf("  %-16s %8.2f   tiers up by advocacy (target 1 tier; %d tiers of the list)\n", "chief",
           c->chief_tiers_median, c->tiers);
    printf("  %-16s %8.2f   mean net tier change, every factor included (n = %zu)\n\n", "",
           c->chief_tier_change_mean, c->n_level[RMC_ADVOCACY_CHIEF]);
    static const char *const names[5] = {"resident feedback", "advocacy", "communication",
                                         "service readiness", "visa"};
    static const double target[5] = {0.30, 0.25, 0.20, 0.15, 0.10};
    printf("Why IMGs moved up (US_IMG and IMG, %zu names moved up): the largest upward\n"
           "statement, share of the names whose largest is one of the five (the article's chart)\n",
           c->n_img_up);
    for (int s = 0; s < 5; s++) {
        printf("  %-18s %5.1f%%   target %2.0f%% +-5  %-3s  (share of spots %5.1f%%)\n", names[s],
               100 * c->img_reason[s], 100 * target[s],
               mark(c->img_reason[s], target[s] - 0.05, target[s] + 0.05), 100 * c->img_split[s]);
    }
    printf("  %-18s %5.1f%%   of the names moved up: largest from familiarity, commitment or "
           "profile\n\n",
           "other", 100 * c->img_reason_other);
    printf("statements (reference spots, every name)\n");
    printf("  %-16s %8.2f   median, 'they'll survive here' (n = %zu); %.1f%% within 10..30\n",
           "service spots", c->service_median, c->n_service, 100 * c->service_in_band);
    printf("  %-16s %8.2f   median tiers down, 'not sure he wants to be here' (n = %zu; target "
           "1)\n",
           "flight risk", c->flight_tiers_median, c->n_flight);
}

static int usage(FILE *f, int status)
{
    fprintf(f, "usage: rankmc calibrate MODEL_DIR [-n N] [-s SEED]\n\n"
               "Run N replicates (default 20) of every program's rank meeting, no Match, and\n"
               "print the calibration figures (README, \"Calibration\"): the median advocacy\n"
               "move by level on the reference list, a chief's tier jump, and how IMGs' upward\n"
               "movement splits across resident feedback / advocacy / communication / service /\n"
               "visa.\n");
    return status;
}

int rmc_cli_calibrate(int argc, char **argv)
{
    static const struct option opts[] = {{"replicates", required_argument, NULL, 'n'},
                                         {"seed", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    uint64_t n = 20, seed = 1;
    int c;
    while ((c = getopt_long(argc, argv, "n:s:h", opts, NULL)) != -1) {
        if (c == 'n' && !rmc_cli_parse_u64(optarg, 1, SIZE_MAX, false, &n)) {
            return rmc_cli_usage_error("calibrate", "-n needs a positive integer, not '%s'",
                                       optarg);
        } else if (c == 's' && !rmc_cli_parse_u64(optarg, 1, SIZE_MAX, false, &seed)) {
            return rmc_cli_usage_error("calibrate", "-s needs a positive integer, not '%s'",
                                       optarg);
        } else if (c == 'h') {
            return usage(stdout, RMC_EXIT_OK);
        } else if (c != 'n' && c != 's') {
            return rmc_cli_usage_error("calibrate", "bad option");
        }
    }
    if (optind + 1 != argc) {
        return rmc_cli_usage_error("calibrate", "expected exactly one MODEL_DIR");
    }
    rmc_model *m = NULL;
    const int rc = rmc_cli_load_model("calibrate", argv[optind], &m);
    if (rc != RMC_EXIT_OK) {
        return rc;
    }
    rmc_meeting_calibration cal;
    rmc_diag d = {0};
    const rmc_status st = rmc_meeting_calibrate(m, NULL, (size_t)n, seed, &cal, &d);
    if (st != RMC_OK) {
        rmc_cli_print_diag("calibrate", &d, st);
        rmc_model_free(m);
        return rmc_cli_exit_code(st);
    }
    print_report(&cal);
    rmc_model_free(m);
    return RMC_EXIT_OK;
}
