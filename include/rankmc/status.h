/* rankmc status codes and diagnostics.
 *
 * Every library function that can fail returns an rmc_status (RMC_OK is 0)
 * and, when the caller passes one, fills an rmc_diag with the details. Input
 * problems that should all be listed at once (a model with many bad rows) are
 * collected in an rmc_problems list instead. The library never prints.
 */
#ifndef RANKMC_STATUS_H
#define RANKMC_STATUS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rmc_status {
    RMC_OK = 0,
    RMC_ENOMEM,        /* an allocation failed */
    RMC_EIO,           /* a file could not be read or written */
    RMC_EINPUT,        /* bad input: details in the diagnostic or problem list */
    RMC_EUSAGE,        /* bad command-line usage or API argument */
    RMC_EEXIST,        /* the output exists and overwriting was not allowed */
    RMC_ELIMIT,        /* a run would exceed a size or memory limit */
    RMC_EHDF5,         /* an HDF5 call failed */
    RMC_EGSL,          /* a GSL call failed */
    RMC_EINTERRUPTED,  /* stopped by a signal; results so far are consistent */
    RMC_NOT_CONVERGED, /* outcome, not failure: couples procedure hit its cap */
    RMC_EINTERNAL,     /* a bug: an invariant did not hold */
    RMC_STATUS_COUNT
} rmc_status;

/* Details of one failure. The caller owns it; every function accepts NULL. */
typedef struct rmc_diag {
    rmc_status status; /* the status that was raised */
    const char *src;   /* C source file that raised it (static string) */
    int src_line;      /* C source line */
    char file[256];    /* input file concerned, or "" */
    long line;         /* 1-based input line, or 0 */
    char message[512]; /* human-readable, no trailing newline */
} rmc_diag;

/* Short fixed text for a status ("out of memory", ...). Never NULL. */
const char *rmc_strerror(rmc_status st);

/* The single error sink: record st and a printf-style message in d (may be
 * NULL) and return st. Set a breakpoint here to catch every error. Use the
 * RMC_FAIL macro, which fills in the C location. */
rmc_status rmc_fail(rmc_diag *d, rmc_status st, const char *src, int src_line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Like rmc_fail, naming the input file and line the problem is in. */
rmc_status rmc_fail_at(rmc_diag *d, rmc_status st, const char *src, int src_line, const char *file,
                       long line, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

#define RMC_FAIL(d, st, ...) rmc_fail((d), (st), __FILE__, __LINE__, __VA_ARGS__)
#define RMC_FAIL_AT(d, st, file, line, ...)                                                        \
    rmc_fail_at((d), (st), __FILE__, __LINE__, (file), (line), __VA_ARGS__)

/* Forward a callee's failure in one line. */
#define RMC_TRY(expr)                                                                              \
    do {                                                                                           \
        const rmc_status rmc_try_st_ = (expr);                                                     \
        if (rmc_try_st_ != RMC_OK) {                                                               \
            return rmc_try_st_;                                                                    \
        }                                                                                          \
    } while (0)

/* Same, jumping to a cleanup label with the status stored in st. */
#define RMC_TRY_GOTO(st, expr, label)                                                              \
    do {                                                                                           \
        if (((st) = (expr)) != RMC_OK) {                                                           \
            goto label;                                                                            \
        }                                                                                          \
    } while (0)

/* A list of input problems, each "FILE:LINE: message" (LINE omitted when 0).
 * It keeps the first `cap` messages and counts the rest, so a file with a
 * million bad rows costs no more memory than one with `cap`. */
typedef struct rmc_problems rmc_problems;

/* Caller owns the result; free with rmc_problems_free. cap 0 means 100. */
rmc_status rmc_problems_alloc(size_t cap, rmc_problems **out);
void rmc_problems_free(rmc_problems *p);
/* Record a problem. Never fails: if memory runs out the problem is counted
 * but its text is dropped. p may be NULL (then nothing happens). */
void rmc_problems_add(rmc_problems *p, const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void rmc_problems_vadd(rmc_problems *p, const char *file, long line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
/* Total problems recorded, including those whose text was not kept. */
size_t rmc_problems_count(const rmc_problems *p);
/* Number of messages kept (<= cap). */
size_t rmc_problems_kept(const rmc_problems *p);
/* The i-th kept message, i < rmc_problems_kept(p). Borrowed from p. */
const char *rmc_problems_get(const rmc_problems *p, size_t i);

#ifdef __cplusplus
}
#endif
#endif
