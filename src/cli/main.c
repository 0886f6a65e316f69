/* rankmc: the command-line entry point. Joins the job (rankmc/dist.h: one
 * process, or every rank under mpirun with the MPI build), dispatches
 * `rankmc COMMAND ...` to the command functions in cli.h and handles --help
 * and --version. Every rank runs the same command; only rank 0 prints. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
    bool split; /* splits its work over MPI ranks; else rank 0 runs it alone */
} command;

static const command commands[] = {
    {"run", rmc_cli_run, "Monte Carlo replicates of rank meetings and the Match -> HDF5", true},
    {"check", rmc_cli_check, "validate a model folder and list every problem", false},
    {"match", rmc_cli_match, "one deterministic Match on fixed rank order lists -> CSV", false},
    {"verify", rmc_cli_verify, "check a matching made elsewhere for stability (blocking pairs)",
     false},
    {"convert", rmc_cli_convert, "model folder <-> stable-matching-suite problem file", false},
    {"summary", rmc_cli_summary, "human-readable tables from a result file", false},
    {"forecast", rmc_cli_forecast, "one applicant's chances from a profile file", false},
    {"apply", rmc_cli_apply, "where to apply: the applications that raise P(match) most", false},
    {"sensitivity", rmc_cli_sensitivity, "factor what-ifs with common random numbers", true},
    {"sobol", rmc_cli_sobol, "global variance-based sensitivity indices", true},
    {"report", rmc_cli_report, "HTML page of figures for a result file (Python, matplotlib)",
     false},
    {"synth", rmc_cli_synth, "write a synthetic market (e.g. national scale)", false},
    {"bench", rmc_cli_bench, "standard national workload: ranks x threads scaling table", true},
    {"params", rmc_cli_params, "list every model.ini key with its default and meaning", false},
    {"calibrate", rmc_cli_calibrate, "rank-meeting moves against the calibration targets", false},
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
static FILE *captured; /* ranks other than 0: where their stderr goes */

const rmc_dist *rmc_cli_dist(void)
{
    return job;
}

bool rmc_cli_root(void)
{
    return rmc_dist_rank(job) == 0;
}

/* The last size-1 bytes this rank wrote to stderr, into buf. */
static void captured_tail(char *buf, size_t size)
{
    buf[0] = '\0';
    if (captured == NULL || fflush(stderr) != 0 || fseek(captured, 0, SEEK_END) != 0) {
        return;
    }
    const long end = ftell(captured);
    const long start = end > (long)size - 1 ? end - ((long)size - 1) : 0;
    if (end < 0 || fseek(captured, start, SEEK_SET) != 0) {
        return;
    }
    const size_t n = fread(buf, 1, (size_t)(end - start), captured);
    buf[n] = '\0';
}

int rmc_cli_agree(const char *cmd, int rc)
{
    const int size = rmc_dist_size(job), rank = rmc_dist_rank(job);
    if (size == 1) {
        return rc;
    }
    int64_t first = rc != RMC_EXIT_OK ? rank : size;
    struct {
        int64_t rc;
        char text[1024];
    } msg = {0, ""};
    if (rmc_dist_all_min_i64(job, &first, 1, NULL) != RMC_OK) {
        rmc_dist_abort(job, RMC_EXIT_FAILURE);
    }
    if (first == size) {
        return RMC_EXIT_OK;
    }
    if (rank == (int)first) {
        msg.rc = rc;
        captured_tail(msg.text, sizeof msg.text);
    }
    if (rmc_dist_bcast(job, &msg, sizeof msg, (int)first, NULL) != RMC_OK) {
        rmc_dist_abort(job, RMC_EXIT_FAILURE);
    }
    if (rank == 0 && first != 0) {
        if (msg.text[0] != '\0') {
            fprintf(stderr, "rankmc %s: on rank %d:\n%s", cmd, (int)first, msg.text);
        } else {
            fprintf(stderr, "rankmc %s: rank %d failed (exit status %d)\n", cmd, (int)first,
                    (int)msg.rc);
        }
    }
    return (int)msg.rc;
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
            if (!commands[i].split && !rmc_cli_root()) {
                return RMC_EXIT_OK; /* not split over ranks: rank 0 runs it alone */
            }
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
        /* One voice: what the other ranks would print, rank 0 prints. Their
         * stderr is kept aside for rmc_cli_agree to pass on a failure. */
        captured = tmpfile();
        if (freopen("/dev/null", "w", stdout) == NULL || captured == NULL ||
            dup2(fileno(captured), STDERR_FILENO) < 0) {
            rmc_dist_abort(job, RMC_EXIT_FAILURE);
        }
    }
    const int rc = dispatch(argc, argv);
    rmc_dist_finish(job);
    if (captured != NULL) {
        fclose(captured);
    }
    return rc;
}
