/* The steps the profile commands (forecast, apply) share after their
 * options are read: refuse an existing output without --force, load the
 * profile (its problems: FILE:LINE, exit 2, nothing written), then in a
 * work folder under $TMPDIR run the library with the progress line and the
 * stop flag, and print the report and write the file (rmc_cli_profile_job
 * in cli.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

static void on_progress(void *ctx, size_t done, size_t total)
{
    rmc_cli_progress_update(ctx, (uint64_t)done, (uint64_t)total);
}

/* The library's run in a fresh work folder (removed again), then the
 * command's report and file. */
static int run(const rmc_cli_profile_job *job, const rmc_profile_file *pf, const char *cmdline)
{
    const char *tmp = getenv("TMPDIR");
    char work[4096];
    snprintf(work, sizeof work, "%s/rankmc-%s-XXXXXX", tmp != NULL && tmp[0] ? tmp : "/tmp",
             job->cmd);
    if (mkdtemp(work) == NULL) {
        fprintf(stderr, "rankmc %s: cannot create a work folder %s: %s\n", job->cmd, work,
                strerror(errno));
        return RMC_EXIT_FAILURE;
    }
    rmc_cli_progress prog;
    rmc_cli_progress_init(&prog, !job->com->quiet && isatty(STDERR_FILENO));
    const rmc_cli_job_env env = {.work_dir = work,
                                 .progress = on_progress,
                                 .progress_ctx = &prog,
                                 .stop = &rmc_cli_stop_signal};
    rmc_problems *pr = NULL;
    if (rmc_problems_alloc(100, &pr) != RMC_OK) {
        rmdir(work);
        return RMC_EXIT_FAILURE;
    }
    rmc_diag d = {0};
    const rmc_status st = job->run(job->ctx, pf, &env, pr, &d);
    rmc_cli_progress_finish(&prog);
    rmdir(work);
    int rc = RMC_EXIT_OK;
    if (st == RMC_EINTERRUPTED) {
        fprintf(stderr, "rankmc %s: stopped by signal %d; nothing written\n", job->cmd,
                (int)rmc_cli_stop_signal);
        rc = 128 + (int)rmc_cli_stop_signal;
    } else if (st == RMC_EINPUT && rmc_problems_count(pr) > 0) {
        rmc_cli_print_problems(pr);
        rc = RMC_EXIT_USAGE;
    } else if (st != RMC_OK) {
        rmc_cli_print_diag(job->cmd, &d, st);
        rc = rmc_cli_exit_code(st);
    } else {
        const rmc_status wst = job->finish(job->ctx, pf, cmdline, &d);
        if (wst != RMC_OK) {
            rmc_cli_print_diag(job->cmd, &d, wst);
            rc = rmc_cli_exit_code(wst);
        }
    }
    rmc_problems_free(pr);
    return rc;
}

int rmc_cli_profile_command(const rmc_cli_profile_job *job, int argc, char **argv)
{
    if (rmc_cli_output_blocked(job->cmd, job->com->out, job->com->force)) {
        return RMC_EXIT_USAGE;
    }
    rmc_problems *pr = NULL, *warn = NULL;
    if (rmc_problems_alloc(100, &pr) != RMC_OK || rmc_problems_alloc(100, &warn) != RMC_OK) {
        rmc_problems_free(pr);
        return RMC_EXIT_FAILURE;
    }
    rmc_profile_file *pf = NULL;
    rmc_diag d = {0};
    const rmc_status st = job->load(job->com->operand, pr, warn, &d, &pf);
    int rc = RMC_EXIT_OK;
    if (st == RMC_EINPUT) {
        rmc_cli_print_problems(pr);
        rc = RMC_EXIT_USAGE;
    } else if (st != RMC_OK) {
        rmc_cli_print_diag(job->cmd, &d, st);
        rc = rmc_cli_exit_code(st);
    } else {
        rmc_cli_print_problems(warn);
        char *cmdline = rmc_cli_command_line(argc, argv);
        rmc_cli_catch_stop_signals(NULL, 0);
        rc = run(job, pf, cmdline != NULL ? cmdline : "");
        free(cmdline);
    }
    rmc_profile_free(pf);
    rmc_problems_free(warn);
    rmc_problems_free(pr);
    return rc;
}
