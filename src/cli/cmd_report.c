/* rankmc report: an HTML page of figures for a result file. The figures are
 * drawn by the Python module rankmc.report (python/rankmc/, h5py +
 * matplotlib); this command finds an interpreter that has those packages and
 * the rankmc package, checks the arguments and runs it. docs/python.md.
 *
 * Interpreter: $RANKMC_PYTHON when set (and only it), else /usr/bin/python3
 * (Debian's, which the python3-* packages install for), else python3 on
 * PATH; the first that can import h5py, numpy, pandas and matplotlib.
 * Package: $RANKMC_PYTHONPATH when set, else found beside the executable:
 * PREFIX/lib/python3/dist-packages (installed) or the source tree's python/
 * (build/<cfg>/rankmc).
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

#define PY_IMPORTS "import h5py, numpy, pandas, matplotlib"
#define PY_DEBS "python3-h5py python3-numpy python3-pandas python3-matplotlib"

/* Writable copies of the child's fixed arguments (exec takes char *const[]). */
static char arg_c[] = "-c", arg_imports[] = PY_IMPORTS, arg_m[] = "-m",
            arg_module[] = "rankmc.report", arg_output[] = "--output",
            arg_applicant[] = "--applicant", arg_top[] = "--top", arg_force[] = "--force";

/* Run argv[0] (searched on PATH) with argv; stdout and stderr to /dev/null
 * when quiet. Returns the exit status, or -1 when it could not start or was
 * killed by a signal. */
static int spawn_wait(char *const argv[], bool quiet)
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) {
        return -1;
    }
    if (quiet) {
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    }
    pid_t pid;
    const int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err != 0) {
        return -1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The interpreter to use, copied to py (then true), or false with tried
 * listing what was tried. */
static bool find_python(char *py, size_t py_size, char *tried, size_t size)
{
    const char *env = getenv("RANKMC_PYTHON");
    const char *cands[] = {"/usr/bin/python3", "python3"};
    const char *const *list = cands;
    size_t n = sizeof cands / sizeof cands[0];
    if (env != NULL && env[0] != '\0') {
        list = &env;
        n = 1;
    }
    tried[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        snprintf(py, py_size, "%s", list[i]);
        char *argv[] = {py, arg_c, arg_imports, NULL};
        if (spawn_wait(argv, true) == 0) {
            return true;
        }
        const size_t len = strlen(tried);
        snprintf(tried + len, size - len, "%s%s", len > 0 ? ", " : "", list[i]);
    }
    return false;
}

static bool has_package(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    return snprintf(p, sizeof p, "%s/rankmc/report.py", dir) < (int)sizeof p && stat(p, &st) == 0;
}

/* The folder holding the rankmc Python package, written to out. */
static bool find_package(char *out, size_t size)
{
    const char *env = getenv("RANKMC_PYTHONPATH");
    if (env != NULL && env[0] != '\0') {
        snprintf(out, size, "%s", env);
        return has_package(out);
    }
    char exe[PATH_MAX];
    const ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        return false;
    }
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL) {
        return false;
    }
    *slash = '\0'; /* exe is now the binary's folder */
    const char *rel[] = {"/../lib/python3/dist-packages", "/../../python"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        char cand[PATH_MAX];
        if (snprintf(cand, sizeof cand, "%s%s", exe, rel[i]) >= (int)sizeof cand) {
            continue;
        }
        char real[PATH_MAX];
        if (has_package(cand) && realpath(cand, real) != NULL) {
            snprintf(out, size, "%s", real);
            return true;
        }
    }
    return false;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: rankmc report RESULT.h5 [-o OUT.html] [--applicant ID]... [--top N] [--force]\n"
            "       rankmc report --python\n\n"
            "Write one self-contained HTML page (figures embedded, no network, no JavaScript)\n"
            "for whatever RESULT.h5 holds: for a run, each focal applicant's chances with\n"
            "intervals and list positions at each program, P(match) by type, programs' fill\n"
            "and depth of list, the meeting's factor moves; sensitivity tornado charts; Sobol\n"
            "indices; a forecast's chances, what-ifs and list-length curve; and the\n"
            "provenance. Needs Python 3 with h5py, numpy, pandas and\n"
            "matplotlib (Debian: " PY_DEBS ").\n\n"
            "  -o, --output OUT.html  the page (default: RESULT with .html for .h5)\n"
            "  -a, --applicant ID     draw this applicant (repeatable; default: ids starting\n"
            "                         \"focal\")\n"
            "  -N, --top N            programs in the depth table and, for large markets, the\n"
            "                         depth figure (default 10; 0 = all in the table)\n"
            "  -f, --force            replace an existing OUT.html\n"
            "      --python           print the Python interpreter the report would use\n"
            "  -h, --help             this text\n\n"
            "Environment: RANKMC_PYTHON (the interpreter; default /usr/bin/python3, then\n"
            "python3), RANKMC_PYTHONPATH (the folder holding the rankmc package).\n"
            "Exit status: 0 written; 1 no usable Python or a runtime failure; 2 bad usage,\n"
            "a file that is not a rankmc result, an unknown applicant, or OUT.html exists.\n");
}

/* What the command line asked for. cargv is the child's argv being built:
 * interpreter -m rankmc.report RESULT -o OUT [-a ID]... [-N N] [--force]
 * NULL, slots 0 .. 5 filled in by run_report. */
typedef struct report_args {
    char **cargv;
    size_t nc; /* next free slot of cargv */
    char *output, *top;
    bool force, print_python;
} report_args;

/* The options into r; returns -1 to go on, else the exit status. */
static int parse_report_args(int argc, char **argv, report_args *r)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"applicant", required_argument, NULL, 'a'},
                                             {"top", required_argument, NULL, 'N'},
                                             {"force", no_argument, NULL, 'f'},
                                             {"python", no_argument, NULL, 'P'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:a:N:fh", longopts, NULL)) != -1) {
        if (c == 'o') {
            r->output = optarg;
        } else if (c == 'a') {
            r->cargv[r->nc++] = arg_applicant;
            r->cargv[r->nc++] = optarg;
        } else if (c == 'N') {
            uint64_t v;
            if (!rmc_cli_parse_u64(optarg, 0, UINT32_MAX, false, &v)) {
                return rmc_cli_usage_error("report", "--top needs a count, not '%s'", optarg);
            }
            r->top = optarg;
        } else if (c == 'f') {
            r->force = true;
        } else if (c == 'P') {
            r->print_python = true;
        } else if (c == 'h') {
            usage(stdout);
            return RMC_EXIT_OK;
        } else {
            return rmc_cli_usage_error("report", "unknown option");
        }
    }
    return -1;
}

/* --python: print the interpreter the report would use. */
static int print_python(void)
{
    char tried[512], py[PATH_MAX];
    if (find_python(py, sizeof py, tried, sizeof tried)) {
        printf("%s\n", py);
        return RMC_EXIT_OK;
    }
    fprintf(stderr,
            "rankmc report: no Python 3 with h5py, numpy, pandas and matplotlib "
            "(tried %s)\n",
            tried);
    return RMC_EXIT_FAILURE;
}

/* Check the inputs, find the package and the interpreter, and run the
 * child on result -> output; returns the exit status. */
static int run_report(report_args *r, char *result, char *output)
{
    char tried[512], py[PATH_MAX], pkg[PATH_MAX];
    int rc = RMC_EXIT_OK;
    if (access(result, R_OK) != 0) {
        fprintf(stderr, "rankmc report: %s: %s\n", result, strerror(errno));
        rc = RMC_EXIT_USAGE;
    } else if (rmc_cli_output_blocked("report", output, r->force)) {
        rc = RMC_EXIT_USAGE;
    } else if (!find_package(pkg, sizeof pkg)) {
        fprintf(stderr,
                "rankmc report: cannot find the rankmc Python package (python/rankmc in the "
                "source tree, PREFIX/lib/python3/dist-packages when installed); set "
                "RANKMC_PYTHONPATH\n");
        rc = RMC_EXIT_FAILURE;
    } else if (!find_python(py, sizeof py, tried, sizeof tried)) {
        fprintf(stderr,
                "rankmc report: no Python 3 with h5py, numpy, pandas and matplotlib (tried %s); "
                "apt-get install " PY_DEBS ", or set RANKMC_PYTHON\n",
                tried);
        rc = RMC_EXIT_FAILURE;
    }
    if (rc != RMC_EXIT_OK) {
        return rc;
    }
    const char *old = getenv("PYTHONPATH");
    const size_t plen = strlen(pkg) + (old != NULL ? strlen(old) + 1 : 0) + 1;
    char *pp = malloc(plen);
    if (pp == NULL) {
        return RMC_EXIT_FAILURE;
    }
    snprintf(pp, plen, "%s%s%s", pkg, old != NULL && old[0] != '\0' ? ":" : "",
             old != NULL ? old : "");
    setenv("PYTHONPATH", pp, 1);
    setenv("MPLBACKEND", "Agg", 1);
    free(pp);
    char **cargv = r->cargv;
    cargv[0] = py;
    cargv[1] = arg_m;
    cargv[2] = arg_module;
    cargv[3] = result;
    cargv[4] = arg_output;
    cargv[5] = output;
    if (r->top != NULL) {
        cargv[r->nc++] = arg_top;
        cargv[r->nc++] = r->top;
    }
    if (r->force) {
        cargv[r->nc++] = arg_force;
    }
    cargv[r->nc] = NULL;
    const int s = spawn_wait(cargv, false);
    if (s < 0) {
        fprintf(stderr, "rankmc report: %s did not run to the end\n", py);
    }
    return s < 0 ? RMC_EXIT_FAILURE : s;
}

int rmc_cli_report(int argc, char **argv)
{
    report_args r = {0};
    r.cargv = calloc(2 * (size_t)argc + 10, sizeof *r.cargv);
    if (r.cargv == NULL) {
        return RMC_EXIT_FAILURE;
    }
    r.nc = 6; /* 0 .. 5 (interpreter .. OUT) are filled in by run_report */
    int rc = parse_report_args(argc, argv, &r);
    char *outbuf = NULL;
    if (rc < 0 && r.print_python) {
        rc = print_python();
    } else if (rc < 0 && optind != argc - 1) {
        rc = rmc_cli_usage_error("report", "expected one result file");
    } else if (rc < 0) {
        char *result = argv[optind];
        char *output = r.output;
        if (output == NULL) { /* RESULT without .h5, + .html */
            const size_t len = strlen(result);
            outbuf = malloc(len + 6);
            if (outbuf != NULL) {
                memcpy(outbuf, result, len + 1);
                if (len > 3 && strcmp(result + len - 3, ".h5") == 0) {
                    outbuf[len - 3] = '\0';
                }
                strcat(outbuf, ".html");
            }
            output = outbuf;
        }
        rc = output != NULL ? run_report(&r, result, output) : RMC_EXIT_FAILURE;
    }
    free(outbuf);
    free((void *)r.cargv);
    return rc;
}
