/* rankmc: the command-line entry point. Joins the job (rankmc/dist.h: one
 * process, or every rank under mpirun with the MPI build), dispatches
 * `rankmc COMMAND ...` to the command functions in cli.h and handles --help
 * and --version. Every rank runs the same command; only rank 0 prints. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"run", rmc_cli_run, "Monte Carlo replicates of rank meetings and the Match -> HDF5"},
    {"check", rmc_cli_check, "validate a model folder and list every problem"},
    {"match", rmc_cli_match, "one deterministic Match on fixed rank order lists -> CSV"},
    {"summary", rmc_cli_summary, "human-readable tables from a result file"},
    {"forecast", rmc_cli_forecast, "one applicant's chances from a profile file"},
    {"sensitivity", rmc_cli_sensitivity, "factor what-ifs with common random numbers"},
    {"sobol", rmc_cli_sobol, "global variance-based sensitivity indices"},
    {"report", rmc_cli_report, "HTML page of figures for a result file (Python, matplotlib)"},
    {"synth", rmc_cli_synth, "write a synthetic market (e.g. national scale)"},
    {"bench", rmc_cli_bench, "standard national workload: thread-scaling table"},
    {"params", rmc_cli_params, "list every model.ini key with its default and meaning"},
    {"calibrate", rmc_cli_calibrate, "rank-meeting moves against the calibration targets"},
};

static void print_help(FILE *f)
{
    fprintf(f, "usage: rankmc COMMAND [OPTIONS]\n\n"
               "Monte Carlo estimates of residency-match outcomes.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "\n'rankmc COMMAND --help' describes a command.\n"
               "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input.\n");
}

static rmc_dist *job;

const rmc_dist *rmc_cli_dist(void)
{
    return job;
}

bool rmc_cli_root(void)
{
    return rmc_dist_rank(job) == 0;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return RMC_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_help(stdout);
        return RMC_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("rankmc %s\n", rmc_version());
        return RMC_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) == 0) {
            return commands[i].fn(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "rankmc: unknown command '%s'\nTry 'rankmc --help'.\n", name);
    return RMC_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    rmc_diag d = {0};
    const rmc_status st = rmc_dist_init(&argc, &argv, &job, &d);
    if (st != RMC_OK) {
        rmc_cli_print_diag("", &d, st);
        return RMC_EXIT_FAILURE;
    }
    if (!rmc_cli_root()) {
        /* One voice: what the other ranks would print, rank 0 prints. */
        if (freopen("/dev/null", "w", stdout) == NULL ||
            freopen("/dev/null", "w", stderr) == NULL) {
            rmc_dist_abort(job, RMC_EXIT_FAILURE);
        }
    }
    const int rc = dispatch(argc, argv);
    rmc_dist_finish(job);
    return rc;
}
