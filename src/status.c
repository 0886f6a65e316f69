/* Status codes, the single error sink and the input-problem list.
 *
 * rmc_fail is the one function every error passes through (as GSL's
 * gsl_error and SQLite's sqlite3ErrorWithMsg are), so one breakpoint catches
 * them all. rmc_problems keeps the first `cap` messages of a validation run
 * and counts the rest, so `rankmc check` can report every problem in a model
 * without unbounded memory.
 */
#include "rankmc/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const status_text[RMC_STATUS_COUNT] = {
    [RMC_OK] = "success",
    [RMC_ENOMEM] = "out of memory",
    [RMC_EIO] = "input/output error",
    [RMC_EINPUT] = "bad input",
    [RMC_EUSAGE] = "bad usage",
    [RMC_EEXIST] = "output exists",
    [RMC_ELIMIT] = "limit exceeded",
    [RMC_EHDF5] = "HDF5 error",
    [RMC_EGSL] = "GSL error",
    [RMC_EINTERRUPTED] = "interrupted",
    [RMC_NOT_CONVERGED] = "did not converge",
    [RMC_EINTERNAL] = "internal error",
};

const char *rmc_strerror(rmc_status st)
{
    if ((int)st < 0 || st >= RMC_STATUS_COUNT) {
        return "unknown status";
    }
    return status_text[st];
}

static rmc_status vfail(rmc_diag *d, rmc_status st, const char *src, int src_line, const char *file,
                        long line, const char *fmt, va_list ap)
    __attribute__((format(printf, 7, 0)));

static rmc_status vfail(rmc_diag *d, rmc_status st, const char *src, int src_line, const char *file,
                        long line, const char *fmt, va_list ap)
{
    if (d == NULL) {
        return st;
    }
    d->status = st;
    d->src = src;
    d->src_line = src_line;
    snprintf(d->file, sizeof d->file, "%s", file ? file : "");
    d->line = line;
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    return st;
}

rmc_status rmc_fail(rmc_diag *d, rmc_status st, const char *src, int src_line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const rmc_status ret = vfail(d, st, src, src_line, NULL, 0, fmt, ap);
    va_end(ap);
    return ret;
}

rmc_status rmc_fail_at(rmc_diag *d, rmc_status st, const char *src, int src_line, const char *file,
                       long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const rmc_status ret = vfail(d, st, src, src_line, file, line, fmt, ap);
    va_end(ap);
    return ret;
}

struct rmc_problems {
    size_t cap;   /* messages kept at most */
    size_t kept;  /* messages kept, <= cap */
    size_t total; /* problems recorded, >= kept */
    char **msg;   /* kept messages, caller-visible through rmc_problems_get */
};

rmc_status rmc_problems_alloc(size_t cap, rmc_problems **out)
{
    *out = NULL;
    if (cap == 0) {
        cap = 100;
    }
    rmc_problems *p = NULL;
    RMC_TRY(rmc_calloc_array((void **)&p, 1, sizeof *p, NULL));
    const rmc_status st = rmc_calloc_array((void **)&p->msg, cap, sizeof *p->msg, NULL);
    if (st != RMC_OK) {
        rmc_free(p);
        return st;
    }
    p->cap = cap;
    *out = p;
    return RMC_OK;
}

void rmc_problems_free(rmc_problems *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->kept; i++) {
        rmc_free(p->msg[i]);
    }
    rmc_free(p->msg);
    rmc_free(p);
}

void rmc_problems_vadd(rmc_problems *p, const char *file, long line, const char *fmt, va_list ap)
{
    if (p == NULL) {
        return;
    }
    p->total++;
    if (p->kept == p->cap) {
        return;
    }
    char text[1024];
    int n = 0;
    if (line > 0) {
        n = snprintf(text, sizeof text, "%s:%ld: ", file ? file : "?", line);
    } else if (file != NULL && file[0] != '\0') {
        n = snprintf(text, sizeof text, "%s: ", file);
    }
    if (n < 0 || (size_t)n >= sizeof text) {
        n = 0;
    }
    vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
    char *copy = NULL;
    const size_t len = strlen(text);
    if (rmc_alloc_array((void **)&copy, len + 1, 1, NULL) != RMC_OK) {
        return;
    }
    memcpy(copy, text, len + 1);
    p->msg[p->kept++] = copy;
}

void rmc_problems_add(rmc_problems *p, const char *file, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rmc_problems_vadd(p, file, line, fmt, ap);
    va_end(ap);
}

size_t rmc_problems_count(const rmc_problems *p)
{
    return p ? p->total : 0;
}

size_t rmc_problems_kept(const rmc_problems *p)
{
    return p ? p->kept : 0;
}

const char *rmc_problems_get(const rmc_problems *p, size_t i)
{
    RMC_ASSERT(p != NULL && i < p->kept);
    return p->msg[i];
}
