/* The stable-matching-suite text format (smp.h; docs/interchange.md):
 * reading and writing problem files, converting to and from a model, and
 * reading matching files.
 *
 * Reading keeps every line's numbers in one growing array (the line's
 * kind, its line number, how many numbers, then the numbers), validates
 * everything while collecting problems, and builds the rmc_smp only when
 * there were none: bad input never yields a partial result.
 */
#define _POSIX_C_SOURCE 200809L
#include "rankmc/smp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>

#include "internal.h"
#include "model_int.h"

/* A growing array of int64. */
typedef struct vec {
    int64_t *v;
    size_t n, cap;
} vec;

static rmc_status vec_push(vec *a, int64_t x, rmc_diag *d)
{
    if (a->n == a->cap) {
        const size_t cap = a->cap == 0 ? 256 : 2 * a->cap;
        int64_t *nv = NULL;
        RMC_TRY(rmc_alloc_array((void **)&nv, cap, sizeof *nv, d));
        if (a->n > 0) {
            memcpy(nv, a->v, a->n * sizeof *nv);
        }
        rmc_free(a->v);
        a->v = nv;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return RMC_OK;
}

void rmc_smp_free(rmc_smp *s)
{
    if (s == NULL) {
        return;
    }
    rmc_free(s->res_id);
    rmc_free(s->prog_id);
    rmc_free(s->couple_id);
    rmc_free(s->quota);
    rmc_free(s->rol_off);
    rmc_free(s->rol);
    rmc_free(s->couple_a);
    rmc_free(s->couple_b);
    rmc_free(s->crol_off);
    rmc_free(s->crol_pa);
    rmc_free(s->crol_pb);
    rmc_free(s->prol_off);
    rmc_free(s->prol);
    rmc_free(s);
}

static rmc_status smp_alloc(size_t n_res, size_t n_prog, size_t n_couples, size_t n_rol,
                            size_t n_crol, size_t n_prol, rmc_smp **out, rmc_diag *d)
{
    rmc_smp *s = NULL;
    RMC_TRY(rmc_calloc_array((void **)&s, 1, sizeof *s, d));
    s->n_res = n_res;
    s->n_prog = n_prog;
    s->n_couples = n_couples;
    rmc_status st = RMC_OK;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s->res_id, n_res, sizeof(int64_t), d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s->prog_id, n_prog, sizeof(int64_t), d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s->couple_id, n_couples, sizeof(int64_t), d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s->quota, n_prog, sizeof(int32_t), d), fail);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&s->rol_off, n_res + 1, sizeof(size_t), d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s->rol, n_rol, sizeof(size_t), d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s->couple_a, n_couples, sizeof(size_t), d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s->couple_b, n_couples, sizeof(size_t), d), fail);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&s->crol_off, n_couples + 1, sizeof(size_t), d),
                 fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s->crol_pa, n_crol, sizeof(int64_t), d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s->crol_pb, n_crol, sizeof(int64_t), d), fail);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&s->prol_off, n_prog + 1, sizeof(size_t), d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&s->prol, n_prol, sizeof(size_t), d), fail);
    *out = s;
    return RMC_OK;
fail:
    rmc_smp_free(s);
    return st;
}

/* ---- reading ---- */

enum { KIND_R = 'r', KIND_C = 'c', KIND_P = 'p', KIND_M = 'm' };

/* Split line into integers after its kind letter; false (with a problem)
 * when a field is not an integer. */
static bool parse_numbers(char *line, const char *path, long ln, rmc_problems *pr, vec *out,
                          size_t *count, rmc_diag *d, rmc_status *st)
{
    *count = 0;
    char *save = NULL;
    strtok_r(line, " \t\r\n", &save); /* the kind letter */
    for (char *t = strtok_r(NULL, " \t\r\n", &save); t != NULL;
         t = strtok_r(NULL, " \t\r\n", &save)) {
        char *end = NULL;
        errno = 0;
        const long long v = strtoll(t, &end, 10);
        if (errno != 0 || end == t || *end != '\0' || v < -1 || v > INT32_MAX) {
            rmc_problems_add(pr, path, ln, "'%s' is not an id (an integer 0 .. 2147483647)", t);
            return false;
        }
        if ((*st = vec_push(out, v, d)) != RMC_OK) {
            return false;
        }
        (*count)++;
    }
    return true;
}

/* Every item of the file: kind, line number, count, numbers... */
static rmc_status read_items(const char *path, const char *kinds, rmc_problems *pr, vec *items,
                             rmc_diag *d)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return RMC_FAIL_AT(d, RMC_EIO, path, 0, "cannot open: %s", strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0;
    long ln = 0;
    rmc_status st = RMC_OK;
    while (st == RMC_OK && getline(&line, &cap, f) >= 0) {
        ln++;
        const char *p = line + strspn(line, " \t\r\n");
        if (*p == '\0' || *p == '#') {
            continue;
        }
        const char kind = *p;
        if (strchr(kinds, kind) == NULL ||
            (p[1] != ' ' && p[1] != '\t' && p[1] != '\r' && p[1] != '\n' && p[1] != '\0')) {
            rmc_problems_add(pr, path, ln, "a line must start with %s (or # for a comment)",
                             strcmp(kinds, "rcp") == 0 ? "r, c or p" : "r or m");
            continue;
        }
        const size_t head = items->n;
        if ((st = vec_push(items, kind, d)) != RMC_OK || (st = vec_push(items, ln, d)) != RMC_OK ||
            (st = vec_push(items, 0, d)) != RMC_OK) {
            break;
        }
        size_t count = 0;
        if (!parse_numbers(line + (p - line), path, ln, pr, items, &count, d, &st)) {
            items->n = head; /* drop the line */
            continue;
        }
        items->v[head + 2] = (int64_t)count;
    }
    const bool bad = ferror(f) != 0;
    free(line);
    fclose(f);
    if (st == RMC_OK && bad) {
        st = RMC_FAIL_AT(d, RMC_EIO, path, 0, "read error");
    }
    return st;
}

static int cmp_i64(const void *x, const void *y)
{
    const int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* Sort and deduplicate a[0 .. *n). */
static void sort_unique(int64_t *a, size_t *n)
{
    if (*n == 0) {
        return; /* a may be NULL */
    }
    qsort(a, *n, sizeof *a, cmp_i64);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        if (k == 0 || a[k - 1] != a[i]) {
            a[k++] = a[i];
        }
    }
    *n = k;
}

/* Index of id in the sorted ids[0 .. n), or SIZE_MAX. */
static size_t find_id(const int64_t *ids, size_t n, int64_t id)
{
    if (n == 0) {
        return SIZE_MAX;
    }
    const int64_t *p = bsearch(&id, ids, n, sizeof *ids, cmp_i64);
    return p == NULL ? SIZE_MAX : (size_t)(p - ids);
}

typedef struct reader {
    const char *path;
    rmc_problems *pr;
    vec items;
    vec res, prog, cpl; /* ids: every resident named, p-line programs, couple ids */
    int64_t *res_kind;  /* [n_res] 0 none yet, 'r' single, 'c' in a couple */
    bool *prog_seen;    /* [n_prog] p line seen */
    bool *cpl_seen;     /* [n_couples] */
} reader;

/* Item at offset o: kind, line, count, numbers at o + 3. */
#define ITEM_KIND(r, o) ((r)->items.v[(o)])
#define ITEM_LINE(r, o) ((long)(r)->items.v[(o) + 1])
#define ITEM_N(r, o) ((size_t)(r)->items.v[(o) + 2])
#define ITEM_X(r, o, k) ((r)->items.v[(o) + 3 + (k)])

/* Structural checks of each line and the id sets. */
static rmc_status collect_ids(reader *r, rmc_diag *d)
{
    for (size_t o = 0; o < r->items.n; o += 3 + ITEM_N(r, o)) {
        const size_t n = ITEM_N(r, o);
        const long ln = ITEM_LINE(r, o);
        bool neg = false;
        for (size_t k = 0; k < n; k++) {
            neg = neg || ITEM_X(r, o, k) < 0;
        }
        switch (ITEM_KIND(r, o)) {
        case KIND_R:
            if (n < 1 || neg) {
                rmc_problems_add(r->pr, r->path, ln,
                                 n < 1 ? "an r line needs a resident id" : "-1 on an r line");
                continue;
            }
            RMC_TRY(vec_push(&r->res, ITEM_X(r, o, 0), d));
            break;
        case KIND_C:
            if (n < 3 || (n - 3) % 2 != 0 || ITEM_X(r, o, 0) < 0 || ITEM_X(r, o, 1) < 0 ||
                ITEM_X(r, o, 2) < 0) {
                rmc_problems_add(r->pr, r->path, ln,
                                 "a c line is: c CID RID1 RID2 then pairs of program ids "
                                 "(-1: that member unmatched)");
                continue;
            }
            RMC_TRY(vec_push(&r->cpl, ITEM_X(r, o, 0), d));
            RMC_TRY(vec_push(&r->res, ITEM_X(r, o, 1), d));
            RMC_TRY(vec_push(&r->res, ITEM_X(r, o, 2), d));
            break;
        case KIND_P:
            if (n < 2 || neg) {
                rmc_problems_add(r->pr, r->path, ln,
                                 "a p line is: p PID QUOTA then resident ids (no -1)");
                continue;
            }
            if (ITEM_X(r, o, 1) < 1 || ITEM_X(r, o, 1) > 1000000) {
                rmc_problems_add(r->pr, r->path, ln,
                                 "quota %" PRId64 ": a rankmc program has 1 .. 1000000 positions",
                                 ITEM_X(r, o, 1));
            }
            RMC_TRY(vec_push(&r->prog, ITEM_X(r, o, 0), d));
            for (size_t k = 2; k < n; k++) {
                RMC_TRY(vec_push(&r->res, ITEM_X(r, o, k), d));
            }
            break;
        default:
            break;
        }
    }
    sort_unique(r->res.v, &r->res.n);
    sort_unique(r->prog.v, &r->prog.n);
    sort_unique(r->cpl.v, &r->cpl.n);
    return RMC_OK;
}

/* Is x[k] (k < n) equal to an earlier x[i] (stride step, pairs: both)? */
static bool repeated(const int64_t *x, size_t k, size_t step)
{
    for (size_t i = 0; i < k; i += step) {
        if (x[i] == x[k] && (step == 1 || x[i + 1] == x[k + 1])) {
            return true;
        }
    }
    return false;
}

/* Lists: ids known, nothing twice, one line per id, membership rules. */
static void validate(reader *r)
{
    for (size_t o = 0; o < r->items.n; o += 3 + ITEM_N(r, o)) {
        const size_t n = ITEM_N(r, o);
        const long ln = ITEM_LINE(r, o);
        const int64_t *x = &ITEM_X(r, o, 0);
        const int64_t kind = ITEM_KIND(r, o);
        if ((kind == KIND_R && n < 1) || (kind == KIND_P && n < 2) ||
            (kind == KIND_C && (n < 3 || (n - 3) % 2 != 0))) {
            continue; /* reported already */
        }
        if (kind == KIND_R || kind == KIND_C) {
            for (size_t m = 0; m < (kind == KIND_R ? 1u : 2u); m++) {
                const size_t i = find_id(r->res.v, r->res.n, x[kind == KIND_R ? 0 : 1 + m]);
                if (i == SIZE_MAX) {
                    continue;
                }
                if (r->res_kind[i] != 0) {
                    rmc_problems_add(r->pr, r->path, ln,
                                     "resident %" PRId64 " already has an r line or a couple",
                                     r->res.v[i]);
                }
                r->res_kind[i] = kind;
            }
            if (kind == KIND_C) {
                if (x[1] == x[2]) {
                    rmc_problems_add(r->pr, r->path, ln,
                                     "a couple of resident %" PRId64 " with themselves", x[1]);
                }
                const size_t c = find_id(r->cpl.v, r->cpl.n, x[0]);
                if (c != SIZE_MAX && r->cpl_seen[c]) {
                    rmc_problems_add(r->pr, r->path, ln, "couple %" PRId64 " given twice", x[0]);
                }
                if (c != SIZE_MAX) {
                    r->cpl_seen[c] = true;
                }
            }
            const size_t first = kind == KIND_R ? 1 : 3, step = kind == KIND_R ? 1 : 2;
            for (size_t k = first; k < n; k += step) {
                for (size_t q = 0; q < step; q++) {
                    if (x[k + q] >= 0 && find_id(r->prog.v, r->prog.n, x[k + q]) == SIZE_MAX) {
                        rmc_problems_add(r->pr, r->path, ln, "program %" PRId64 " has no p line",
                                         x[k + q]);
                    }
                    if (x[k + q] < 0 && kind == KIND_R) {
                        rmc_problems_add(r->pr, r->path, ln, "-1 on an r line");
                    }
                }
                if (kind == KIND_C && x[k] < 0 && x[k + 1] < 0) {
                    rmc_problems_add(r->pr, r->path, ln,
                                     "the pair -1 -1 (both unmatched is implied at the end of "
                                     "every joint list)");
                }
                if (repeated(x + first, k - first, step)) {
                    rmc_problems_add(r->pr, r->path, ln,
                                     step == 1 ? "program %" PRId64 " listed twice"
                                               : "program pair starting %" PRId64 " listed twice",
                                     x[k]);
                }
            }
        } else if (kind == KIND_P) {
            const size_t j = find_id(r->prog.v, r->prog.n, x[0]);
            if (j != SIZE_MAX && r->prog_seen[j]) {
                rmc_problems_add(r->pr, r->path, ln, "program %" PRId64 " given twice", x[0]);
            }
            if (j != SIZE_MAX) {
                r->prog_seen[j] = true;
            }
            for (size_t k = 2; k < n; k++) {
                if (repeated(x + 2, k - 2, 1)) {
                    rmc_problems_add(r->pr, r->path, ln, "resident %" PRId64 " listed twice", x[k]);
                }
            }
        }
    }
}

/* Build the problem from valid items. */
static rmc_status build(reader *r, rmc_smp **out, rmc_diag *d)
{
    size_t n_rol = 0, n_crol = 0, n_prol = 0;
    for (size_t o = 0; o < r->items.n; o += 3 + ITEM_N(r, o)) {
        const size_t n = ITEM_N(r, o);
        switch (ITEM_KIND(r, o)) {
        case KIND_R:
            n_rol += n - 1;
            break;
        case KIND_C:
            n_crol += (n - 3) / 2;
            break;
        default:
            n_prol += n - 2;
            break;
        }
    }
    rmc_smp *s = NULL;
    RMC_TRY(smp_alloc(r->res.n, r->prog.n, r->cpl.n, n_rol, n_crol, n_prol, &s, d));
    if (r->cpl.n > 0) { /* the others are never empty here */
        memcpy(s->couple_id, r->cpl.v, r->cpl.n * sizeof(int64_t));
    }
    memcpy(s->res_id, r->res.v, r->res.n * sizeof(int64_t));
    memcpy(s->prog_id, r->prog.v, r->prog.n * sizeof(int64_t));
    /* Counts first (offsets[i + 1]), then prefix sums, then fill by cursor. */
    for (size_t o = 0; o < r->items.n; o += 3 + ITEM_N(r, o)) {
        const size_t n = ITEM_N(r, o);
        const int64_t *x = &ITEM_X(r, o, 0);
        switch (ITEM_KIND(r, o)) {
        case KIND_R:
            s->rol_off[find_id(s->res_id, s->n_res, x[0]) + 1] = n - 1;
            break;
        case KIND_C:
            s->crol_off[find_id(s->couple_id, s->n_couples, x[0]) + 1] = (n - 3) / 2;
            break;
        default:
            s->prol_off[find_id(s->prog_id, s->n_prog, x[0]) + 1] = n - 2;
            break;
        }
    }
    for (size_t i = 0; i < s->n_res; i++) {
        s->rol_off[i + 1] += s->rol_off[i];
    }
    for (size_t c = 0; c < s->n_couples; c++) {
        s->crol_off[c + 1] += s->crol_off[c];
    }
    for (size_t j = 0; j < s->n_prog; j++) {
        s->prol_off[j + 1] += s->prol_off[j];
    }
    for (size_t o = 0; o < r->items.n; o += 3 + ITEM_N(r, o)) {
        const size_t n = ITEM_N(r, o);
        const int64_t *x = &ITEM_X(r, o, 0);
        if (ITEM_KIND(r, o) == KIND_R) {
            const size_t i = find_id(s->res_id, s->n_res, x[0]);
            for (size_t k = 1; k < n; k++) {
                s->rol[s->rol_off[i] + k - 1] = find_id(s->prog_id, s->n_prog, x[k]);
            }
        } else if (ITEM_KIND(r, o) == KIND_C) {
            const size_t c = find_id(s->couple_id, s->n_couples, x[0]);
            s->couple_a[c] = find_id(s->res_id, s->n_res, x[1]);
            s->couple_b[c] = find_id(s->res_id, s->n_res, x[2]);
            for (size_t k = 3; k < n; k += 2) {
                const size_t e = s->crol_off[c] + (k - 3) / 2;
                s->crol_pa[e] = x[k] < 0 ? -1 : (int64_t)find_id(s->prog_id, s->n_prog, x[k]);
                s->crol_pb[e] =
                    x[k + 1] < 0 ? -1 : (int64_t)find_id(s->prog_id, s->n_prog, x[k + 1]);
            }
        } else {
            const size_t j = find_id(s->prog_id, s->n_prog, x[0]);
            s->quota[j] = (int32_t)x[1];
            for (size_t k = 2; k < n; k++) {
                s->prol[s->prol_off[j] + k - 2] = find_id(s->res_id, s->n_res, x[k]);
            }
        }
    }
    *out = s;
    return RMC_OK;
}

rmc_status rmc_smp_read(const char *path, rmc_problems *problems, rmc_diag *d, rmc_smp **out)
{
    if (path == NULL || problems == NULL || out == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "rmc_smp_read needs a path, a problem list and out");
    }
    reader r = {.path = path, .pr = problems};
    const size_t before = rmc_problems_count(problems);
    rmc_status st = read_items(path, "rcp", problems, &r.items, d);
    if (st == RMC_OK) {
        st = collect_ids(&r, d);
    }
    if (st == RMC_OK) {
        st = rmc_calloc_array((void **)&r.res_kind, r.res.n, sizeof *r.res_kind, d);
    }
    if (st == RMC_OK) {
        st = rmc_calloc_array((void **)&r.prog_seen, r.prog.n, sizeof *r.prog_seen, d);
    }
    if (st == RMC_OK) {
        st = rmc_calloc_array((void **)&r.cpl_seen, r.cpl.n, sizeof *r.cpl_seen, d);
    }
    if (st == RMC_OK) {
        validate(&r);
        if (r.res.n == 0 || r.prog.n == 0) {
            rmc_problems_add(problems, path, 0, "no %s", r.res.n == 0 ? "residents" : "programs");
        }
        if (rmc_problems_count(problems) > before) {
            st = RMC_FAIL_AT(d, RMC_EINPUT, path, 0, "%zu problems",
                             rmc_problems_count(problems) - before);
        }
    }
    if (st == RMC_OK) {
        st = build(&r, out, d);
    }
    rmc_free(r.items.v);
    rmc_free(r.res.v);
    rmc_free(r.prog.v);
    rmc_free(r.cpl.v);
    rmc_free(r.res_kind);
    rmc_free(r.prog_seen);
    rmc_free(r.cpl_seen);
    return st;
}

/* ---- writing ---- */

/* Write path through path.tmp, renamed when complete; fill writes f. */
typedef void (*filler)(FILE *f, const void *ctx);

static rmc_status write_through_tmp(const char *path, bool force, filler fill, const void *ctx,
                                    rmc_diag *d)
{
    struct stat sb;
    if (!force && stat(path, &sb) == 0) {
        return RMC_FAIL(d, RMC_EEXIST, "%s exists (use --force to replace it)", path);
    }
    char tmp[4096];
    const int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        return RMC_FAIL(d, RMC_EUSAGE, "output path too long: %s", path);
    }
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        return RMC_FAIL(d, RMC_EIO, "cannot create %s: %s", tmp, strerror(errno));
    }
    fill(f, ctx);
    const bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        remove(tmp);
        return RMC_FAIL(d, RMC_EIO, "cannot write %s", tmp);
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return RMC_FAIL(d, RMC_EIO, "cannot rename %s: %s", tmp, strerror(errno));
    }
    return RMC_OK;
}

typedef struct smp_ctx {
    const rmc_smp *s;
    const bool *in_couple; /* [n_res] */
} smp_ctx;

static void fill_smp(FILE *f, const void *ctx)
{
    const rmc_smp *s = ((const smp_ctx *)ctx)->s;
    const bool *in_couple = ((const smp_ctx *)ctx)->in_couple;
    for (size_t i = 0; i < s->n_res; i++) {
        if (in_couple[i]) {
            continue;
        }
        fprintf(f, "r %" PRId64, s->res_id[i]);
        for (size_t e = s->rol_off[i]; e < s->rol_off[i + 1]; e++) {
            fprintf(f, " %" PRId64, s->prog_id[s->rol[e]]);
        }
        fputc('\n', f);
    }
    for (size_t c = 0; c < s->n_couples; c++) {
        fprintf(f, "c %" PRId64 " %" PRId64 " %" PRId64, s->couple_id[c], s->res_id[s->couple_a[c]],
                s->res_id[s->couple_b[c]]);
        for (size_t e = s->crol_off[c]; e < s->crol_off[c + 1]; e++) {
            fprintf(f, " %" PRId64 " %" PRId64,
                    s->crol_pa[e] < 0 ? (int64_t)-1 : s->prog_id[s->crol_pa[e]],
                    s->crol_pb[e] < 0 ? (int64_t)-1 : s->prog_id[s->crol_pb[e]]);
        }
        fputc('\n', f);
    }
    for (size_t j = 0; j < s->n_prog; j++) {
        fprintf(f, "p %" PRId64 " %d", s->prog_id[j], (int)s->quota[j]);
        for (size_t e = s->prol_off[j]; e < s->prol_off[j + 1]; e++) {
            fprintf(f, " %" PRId64, s->res_id[s->prol[e]]);
        }
        fputc('\n', f);
    }
}

rmc_status rmc_smp_write(const char *path, bool force, const rmc_smp *s, rmc_diag *d)
{
    if (path == NULL || s == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "rmc_smp_write needs a path and a problem");
    }
    bool *in_couple = NULL;
    RMC_TRY(rmc_calloc_array((void **)&in_couple, s->n_res, sizeof *in_couple, d));
    for (size_t c = 0; c < s->n_couples; c++) {
        in_couple[s->couple_a[c]] = in_couple[s->couple_b[c]] = true;
    }
    const smp_ctx w = {s, in_couple};
    const rmc_status st = write_through_tmp(path, force, fill_smp, &w, d);
    rmc_free(in_couple);
    return st;
}

/* ---- from a model ---- */

/* Is s a plain decimal below 2^31: digits, no sign, no leading zero? */
static bool plain_decimal(const char *s, int64_t *v)
{
    const size_t n = strlen(s);
    if (n == 0 || n > 10 || strspn(s, "0123456789") != n || (s[0] == '0' && n > 1)) {
        return false;
    }
    const long long x = strtoll(s, NULL, 10);
    if (x > INT32_MAX) {
        return false;
    }
    *v = x;
    return true;
}

static bool all_decimal(char *const *ids, size_t n)
{
    int64_t v;
    for (size_t i = 0; i < n; i++) {
        if (!plain_decimal(ids[i], &v)) {
            return false;
        }
    }
    return true;
}

int64_t rmc_smp_model_res_id(const rmc_model *m, size_t i)
{
    if (i >= m->n_app) {
        return -1;
    }
    int64_t v = (int64_t)i;
    if (all_decimal(m->app_id, m->n_app)) {
        plain_decimal(m->app_id[i], &v);
    }
    return v;
}

int64_t rmc_smp_model_prog_id(const rmc_model *m, size_t j)
{
    if (j >= m->n_prog) {
        return -1;
    }
    int64_t v = (int64_t)j;
    if (all_decimal(m->prog_id, m->n_prog)) {
        plain_decimal(m->prog_id[j], &v);
    }
    return v;
}

/* Positions 0 .. n-1 of ids sorted ascending: perm[k] = index of the k-th. */
typedef struct keyed {
    int64_t key;
    size_t idx;
} keyed;

static int cmp_keyed(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    return (a->key > b->key) - (a->key < b->key);
}

/* The model in the suite's form (rankmc/smp.h). Over 80 lines on purpose:
 * straight copying loops that share four scratch arrays and one cleanup
 * label (STYLE 3); split, each part would take the scratch as arguments. */
rmc_status rmc_smp_from_model(const rmc_model *m, rmc_diag *d, rmc_smp **out)
{
    for (size_t c = 0; c < m->n_couples; c++) {
        if (m->couple_gen != NULL && m->couple_gen[c]) {
            return RMC_FAIL_AT(d, RMC_EINPUT, "couples.csv", 0,
                               "the couple of '%.80s' and '%.80s' has no fixed joint list (it is "
                               "generated every replicate); the suite's format needs one",
                               m->app_id[m->couple_a[c]], m->app_id[m->couple_b[c]]);
        }
    }
    const bool dec_a = all_decimal(m->app_id, m->n_app), dec_p = all_decimal(m->prog_id, m->n_prog);
    size_t n_rol = 0, n_prol = 0;
    const size_t n_crol = m->n_couples > 0 ? m->crol_off[m->n_couples] : 0;
    for (size_t i = 0; i < m->n_app; i++) {
        const bool single = m->couple_of == NULL || m->couple_of[i] == RMC_ID_NONE;
        if (single && m->has_app_rol != NULL && m->has_app_rol[i]) {
            n_rol += m->arol_off[i + 1] - m->arol_off[i];
        }
    }
    for (size_t j = 0; j < m->n_prog; j++) {
        if (m->has_prog_rol != NULL && m->has_prog_rol[j]) {
            n_prol += m->prol_off[j + 1] - m->prol_off[j];
        }
    }
    rmc_smp *s = NULL;
    keyed *ka = NULL, *kp = NULL;
    size_t *pos_a = NULL, *pos_p = NULL; /* model index -> smp index */
    rmc_status st = smp_alloc(m->n_app, m->n_prog, m->n_couples, n_rol, n_crol, n_prol, &s, d);
    RMC_TRY_GOTO(st, st, done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&ka, m->n_app, sizeof *ka, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&kp, m->n_prog, sizeof *kp, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&pos_a, m->n_app, sizeof *pos_a, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&pos_p, m->n_prog, sizeof *pos_p, d), done);
    for (size_t i = 0; i < m->n_app; i++) {
        ka[i].idx = i;
        ka[i].key = (int64_t)i;
        if (dec_a) {
            plain_decimal(m->app_id[i], &ka[i].key);
        }
    }
    for (size_t j = 0; j < m->n_prog; j++) {
        kp[j].idx = j;
        kp[j].key = (int64_t)j;
        if (dec_p) {
            plain_decimal(m->prog_id[j], &kp[j].key);
        }
    }
    qsort(ka, m->n_app, sizeof *ka, cmp_keyed);
    qsort(kp, m->n_prog, sizeof *kp, cmp_keyed);
    for (size_t k = 0; k < m->n_app; k++) {
        s->res_id[k] = ka[k].key;
        pos_a[ka[k].idx] = k;
    }
    for (size_t k = 0; k < m->n_prog; k++) {
        s->prog_id[k] = kp[k].key;
        pos_p[kp[k].idx] = k;
        s->quota[k] = m->positions[kp[k].idx];
    }
    size_t e = 0;
    for (size_t k = 0; k < m->n_app; k++) {
        const size_t i = ka[k].idx;
        const bool single = m->couple_of == NULL || m->couple_of[i] == RMC_ID_NONE;
        if (single && m->has_app_rol != NULL && m->has_app_rol[i]) {
            for (size_t q = m->arol_off[i]; q < m->arol_off[i + 1]; q++) {
                s->rol[e++] = pos_p[m->arol_prog[q]];
            }
        }
        s->rol_off[k + 1] = e;
    }
    e = 0;
    for (size_t k = 0; k < m->n_prog; k++) {
        const size_t j = kp[k].idx;
        if (m->has_prog_rol != NULL && m->has_prog_rol[j]) {
            for (size_t q = m->prol_off[j]; q < m->prol_off[j + 1]; q++) {
                s->prol[e++] = pos_a[m->prol_app[q]];
            }
        }
        s->prol_off[k + 1] = e;
    }
    for (size_t c = 0; c < m->n_couples; c++) {
        s->couple_id[c] = (int64_t)c;
        s->couple_a[c] = pos_a[m->couple_a[c]];
        s->couple_b[c] = pos_a[m->couple_b[c]];
        s->crol_off[c + 1] = m->crol_off[c + 1];
        for (size_t q = m->crol_off[c]; q < m->crol_off[c + 1]; q++) {
            s->crol_pa[q] = m->crol_pa[q] == RMC_ID_NONE ? -1 : (int64_t)pos_p[m->crol_pa[q]];
            s->crol_pb[q] = m->crol_pb[q] == RMC_ID_NONE ? -1 : (int64_t)pos_p[m->crol_pb[q]];
        }
    }
done:
    rmc_free(pos_p);
    rmc_free(pos_a);
    rmc_free(kp);
    rmc_free(ka);
    if (st != RMC_OK) {
        rmc_smp_free(s);
        return st;
    }
    *out = s;
    return RMC_OK;
}

/* ---- as a model folder ---- */

typedef struct model_ctx {
    const rmc_smp *s;
    const char *source;
    const uint8_t *iv; /* [n_res][n_prog] 1 when some list names the pair */
} model_ctx;

static void fill_ini(FILE *f, const void *ctx)
{
    const model_ctx *w = ctx;
    fprintf(f,
            "; converted by rankmc convert from %s (stable-matching-suite format):\n"
            "; fixed lists only, every parameter at its default (docs/interchange.md).\n",
            w->source != NULL ? w->source : "a problem file");
}

static void fill_applicants(FILE *f, const void *ctx)
{
    const rmc_smp *s = ((const model_ctx *)ctx)->s;
    fputs("id,type,pre_score,communication,clinical_years,us_experience,visa\n", f);
    for (size_t i = 0; i < s->n_res; i++) {
        fprintf(f, "%" PRId64 ",US_MD,0,1,0,none,none\n", s->res_id[i]);
    }
}

static void fill_programs(FILE *f, const void *ctx)
{
    const rmc_smp *s = ((const model_ctx *)ctx)->s;
    fputs("id,name,positions,interviewers,residents,sponsors,service_load,desirability\n", f);
    for (size_t j = 0; j < s->n_prog; j++) {
        fprintf(f, "%" PRId64 ",,%d,1,0,none,0,0\n", s->prog_id[j], (int)s->quota[j]);
    }
}

static void fill_interviews(FILE *f, const void *ctx)
{
    const model_ctx *w = ctx;
    const rmc_smp *s = w->s;
    fputs("applicant,program,advocacy,ties,interest\n", f);
    for (size_t i = 0; i < s->n_res; i++) {
        for (size_t j = 0; j < s->n_prog; j++) {
            if (w->iv[i * s->n_prog + j]) {
                fprintf(f, "%" PRId64 ",%" PRId64 ",none,0,normal\n", s->res_id[i], s->prog_id[j]);
            }
        }
    }
}

static void fill_arols(FILE *f, const void *ctx)
{
    const rmc_smp *s = ((const model_ctx *)ctx)->s;
    fputs("applicant,rank,program\n", f);
    for (size_t i = 0; i < s->n_res; i++) {
        for (size_t e = s->rol_off[i]; e < s->rol_off[i + 1]; e++) {
            fprintf(f, "%" PRId64 ",%zu,%" PRId64 "\n", s->res_id[i], e - s->rol_off[i] + 1,
                    s->prog_id[s->rol[e]]);
        }
    }
}

static void fill_prols(FILE *f, const void *ctx)
{
    const rmc_smp *s = ((const model_ctx *)ctx)->s;
    fputs("program,rank,applicant\n", f);
    for (size_t j = 0; j < s->n_prog; j++) {
        for (size_t e = s->prol_off[j]; e < s->prol_off[j + 1]; e++) {
            fprintf(f, "%" PRId64 ",%zu,%" PRId64 "\n", s->prog_id[j], e - s->prol_off[j] + 1,
                    s->res_id[s->prol[e]]);
        }
    }
}

static void put_prog(FILE *f, const rmc_smp *s, int64_t p)
{
    if (p >= 0) {
        fprintf(f, "%" PRId64, s->prog_id[p]);
    }
}

static void fill_couples(FILE *f, const void *ctx)
{
    const rmc_smp *s = ((const model_ctx *)ctx)->s;
    fputs("applicant_a,applicant_b,rank,program_a,program_b\n", f);
    for (size_t c = 0; c < s->n_couples; c++) {
        for (size_t e = s->crol_off[c]; e < s->crol_off[c + 1]; e++) {
            fprintf(f, "%" PRId64 ",%" PRId64 ",%zu,", s->res_id[s->couple_a[c]],
                    s->res_id[s->couple_b[c]], e - s->crol_off[c] + 1);
            put_prog(f, s, s->crol_pa[e]);
            fputc(',', f);
            put_prog(f, s, s->crol_pb[e]);
            fputc('\n', f);
        }
    }
}

rmc_status rmc_smp_write_model(const char *dir, bool force, const rmc_smp *s, const char *source,
                               rmc_diag *d)
{
    if (dir == NULL || dir[0] == '\0' || s == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "rmc_smp_write_model needs a folder and a problem");
    }
    size_t cells = 0;
    if (!rmc_mul_ok(s->n_res, s->n_prog, &cells)) {
        return RMC_FAIL(d, RMC_ELIMIT, "%zu residents x %zu programs is too large", s->n_res,
                        s->n_prog);
    }
    uint8_t *iv = NULL;
    RMC_TRY(rmc_calloc_array((void **)&iv, cells, 1, d));
    for (size_t i = 0; i < s->n_res; i++) {
        for (size_t e = s->rol_off[i]; e < s->rol_off[i + 1]; e++) {
            iv[i * s->n_prog + s->rol[e]] = 1;
        }
    }
    for (size_t j = 0; j < s->n_prog; j++) {
        for (size_t e = s->prol_off[j]; e < s->prol_off[j + 1]; e++) {
            iv[s->prol[e] * s->n_prog + j] = 1;
        }
    }
    bool any_iv = false;
    for (size_t c = 0; c < s->n_couples; c++) {
        for (size_t e = s->crol_off[c]; e < s->crol_off[c + 1]; e++) {
            if (s->crol_pa[e] >= 0) {
                iv[s->couple_a[c] * s->n_prog + (size_t)s->crol_pa[e]] = 1;
            }
            if (s->crol_pb[e] >= 0) {
                iv[s->couple_b[c] * s->n_prog + (size_t)s->crol_pb[e]] = 1;
            }
        }
    }
    for (size_t k = 0; k < cells && !any_iv; k++) {
        any_iv = iv[k] != 0;
    }
    rmc_status st = any_iv ? RMC_OK
                           : RMC_FAIL(d, RMC_EINPUT,
                                      "no list names anybody: a model needs at "
                                      "least one interview");
    if (st == RMC_OK) {
        st = rmc_prepare_dir(dir, force, d);
    }
    const model_ctx w = {s, source, iv};
    static const char *const names[] = {"model.ini",      "applicants.csv",     "programs.csv",
                                        "interviews.csv", "applicant_rols.csv", "program_rols.csv",
                                        "couples.csv"};
    static const filler fills[] = {fill_ini,   fill_applicants, fill_programs, fill_interviews,
                                   fill_arols, fill_prols,      fill_couples};
    const bool present[] = {true,
                            true,
                            true,
                            true,
                            s->rol_off[s->n_res] > 0,
                            s->prol_off[s->n_prog] > 0,
                            s->n_couples > 0};
    char path[4096];
    for (size_t k = 0; k < sizeof names / sizeof names[0] && st == RMC_OK; k++) {
        const int n = snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        if (n < 0 || (size_t)n >= sizeof path) {
            st = RMC_FAIL(d, RMC_EUSAGE, "output path too long: %s", dir);
        } else if (present[k]) {
            st = write_through_tmp(path, true, fills[k], &w, d);
        } else {
            remove(path); /* a stale list from an earlier model there */
        }
    }
    rmc_free(iv);
    return st;
}

/* ---- matching files ---- */

rmc_status rmc_smp_read_matching(const char *path, const rmc_model *m, rmc_problems *problems,
                                 rmc_diag *d, rmc_id *app_prog, int *claimed)
{
    if (path == NULL || m == NULL || problems == NULL || app_prog == NULL || claimed == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "rmc_smp_read_matching: missing argument");
    }
    vec items = {0};
    keyed *ka = NULL, *kp = NULL;
    bool *seen = NULL;
    const size_t before = rmc_problems_count(problems);
    rmc_status st = read_items(path, "rm", problems, &items, d);
    RMC_TRY_GOTO(st, st, done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&ka, m->n_app, sizeof *ka, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&kp, m->n_prog, sizeof *kp, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&seen, m->n_app, sizeof *seen, d), done);
    for (size_t i = 0; i < m->n_app; i++) {
        ka[i] = (keyed){rmc_smp_model_res_id(m, i), i};
        app_prog[i] = RMC_ID_NONE;
    }
    for (size_t j = 0; j < m->n_prog; j++) {
        kp[j] = (keyed){rmc_smp_model_prog_id(m, j), j};
    }
    qsort(ka, m->n_app, sizeof *ka, cmp_keyed);
    qsort(kp, m->n_prog, sizeof *kp, cmp_keyed);
    *claimed = -1;
    for (size_t o = 0; o < items.n; o += 3 + (size_t)items.v[o + 2]) {
        const long ln = (long)items.v[o + 1];
        const size_t n = (size_t)items.v[o + 2];
        const int64_t *x = &items.v[o + 3];
        if (items.v[o] == KIND_M) {
            if (n != 1 || (x[0] != 0 && x[0] != 1)) {
                rmc_problems_add(problems, path, ln, "an m line is 'm 0' or 'm 1'");
            } else {
                *claimed = (int)x[0];
            }
            continue;
        }
        if (n != 2 || x[0] < 0) {
            rmc_problems_add(problems, path, ln, "an r line is 'r RID PID' (PID -1: unmatched)");
            continue;
        }
        const keyed key_a = {x[0], 0}, key_p = {x[1], 0};
        const keyed *a = bsearch(&key_a, ka, m->n_app, sizeof *ka, cmp_keyed);
        const keyed *p = x[1] < 0 ? NULL : bsearch(&key_p, kp, m->n_prog, sizeof *kp, cmp_keyed);
        if (a == NULL) {
            rmc_problems_add(problems, path, ln, "resident %" PRId64 " is not in the model", x[0]);
        } else if (x[1] >= 0 && p == NULL) {
            rmc_problems_add(problems, path, ln, "program %" PRId64 " is not in the model", x[1]);
        } else if (seen[a->idx]) {
            rmc_problems_add(problems, path, ln, "resident %" PRId64 " matched twice", x[0]);
        } else {
            seen[a->idx] = true;
            app_prog[a->idx] = p == NULL ? RMC_ID_NONE : (rmc_id)p->idx;
        }
    }
    if (rmc_problems_count(problems) > before) {
        st = RMC_FAIL_AT(d, RMC_EINPUT, path, 0, "%zu problems",
                         rmc_problems_count(problems) - before);
    }
done:
    rmc_free(seen);
    rmc_free(kp);
    rmc_free(ka);
    rmc_free(items.v);
    return st;
}

/* ---- matching CSV (applicant,program) ---- */

typedef struct mcsv {
    const rmc_model *m;
    const char *path;
    rmc_problems *pr;
    rmc_id *app_prog;
    bool *seen;
    char *field[2];
    size_t n_fields;
    size_t n_cols; /* fields in the header: 2, or 5 as rankmc match writes */
    long row;      /* 1 = header */
    bool header_ok;
    rmc_status st;
} mcsv;

static void on_mfield(void *s, size_t len, void *ctx)
{
    mcsv *c = ctx;
    if (c->st != RMC_OK) {
        return;
    }
    if (c->n_fields < 2) {
        if (rmc_alloc_array((void **)&c->field[c->n_fields], len + 1, 1, NULL) != RMC_OK) {
            c->st = RMC_ENOMEM;
            return;
        }
        memcpy(c->field[c->n_fields], s, len);
        c->field[c->n_fields][len] = '\0';
    }
    c->n_fields++;
}

static void on_mrow(int term, void *ctx)
{
    (void)term;
    mcsv *c = ctx;
    c->row++;
    if (c->st == RMC_OK && c->row == 1) {
        /* applicant,program, or rankmc match's applicant,program,track,status,pgy1 */
        c->n_cols = c->n_fields;
        c->header_ok = (c->n_fields == 2 || c->n_fields == 5) &&
                       strcmp(c->field[0], "applicant") == 0 && strcmp(c->field[1], "program") == 0;
        if (!c->header_ok) {
            rmc_problems_add(c->pr, c->path, 1,
                             "the header must be applicant,program (or "
                             "applicant,program,track,status,pgy1)");
        }
    } else if (c->st == RMC_OK && (c->n_fields != c->n_cols || c->n_fields < 2)) {
        rmc_problems_add(c->pr, c->path, c->row, "%zu fields; a row is applicant,program%s",
                         c->n_fields, c->n_cols == 5 ? ",track,status,pgy1" : "");
    } else if (c->st == RMC_OK) {
        const rmc_id a = rmc_model_find_applicant(c->m, c->field[0]);
        const rmc_id p =
            c->field[1][0] == '\0' ? RMC_ID_NONE : rmc_model_find_program(c->m, c->field[1]);
        if (a == RMC_ID_NONE) {
            rmc_problems_add(c->pr, c->path, c->row, "applicant '%.200s' is not in the model",
                             c->field[0]);
        } else if (c->field[1][0] != '\0' && p == RMC_ID_NONE) {
            rmc_problems_add(c->pr, c->path, c->row, "program '%.200s' is not in the model",
                             c->field[1]);
        } else if (c->seen[a]) {
            rmc_problems_add(c->pr, c->path, c->row, "applicant '%.200s' listed twice",
                             c->field[0]);
        } else {
            c->seen[a] = true;
            c->app_prog[a] = p;
        }
    }
    for (size_t k = 0; k < 2; k++) {
        rmc_free(c->field[k]);
        c->field[k] = NULL;
    }
    c->n_fields = 0;
}

rmc_status rmc_matching_read_csv(const char *path, const rmc_model *m, rmc_problems *problems,
                                 rmc_diag *d, rmc_id *app_prog)
{
    if (path == NULL || m == NULL || problems == NULL || app_prog == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "rmc_matching_read_csv: missing argument");
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return RMC_FAIL_AT(d, RMC_EIO, path, 0, "cannot open: %s", strerror(errno));
    }
    mcsv c = {.m = m, .path = path, .pr = problems, .app_prog = app_prog};
    const size_t before = rmc_problems_count(problems);
    rmc_status st = rmc_calloc_array((void **)&c.seen, m->n_app, sizeof *c.seen, d);
    for (size_t i = 0; i < m->n_app; i++) {
        app_prog[i] = RMC_ID_NONE;
    }
    struct csv_parser p;
    if (st == RMC_OK && csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        st = RMC_FAIL(d, RMC_ENOMEM, "cannot start the CSV parser");
    } else if (st == RMC_OK) {
        char buf[65536];
        size_t got;
        while (st == RMC_OK && c.st == RMC_OK && (got = fread(buf, 1, sizeof buf, f)) > 0) {
            if (csv_parse(&p, buf, got, on_mfield, on_mrow, &c) != got) {
                rmc_problems_add(problems, path, c.row + 1, "malformed CSV: %s",
                                 csv_strerror(csv_error(&p)));
                break;
            }
        }
        if (ferror(f) != 0) {
            st = RMC_FAIL_AT(d, RMC_EIO, path, 0, "read error");
        } else if (csv_fini(&p, on_mfield, on_mrow, &c) != 0) {
            rmc_problems_add(problems, path, c.row + 1, "malformed CSV: %s",
                             csv_strerror(csv_error(&p)));
        }
        csv_free(&p);
    }
    fclose(f);
    rmc_free(c.field[0]);
    rmc_free(c.field[1]);
    rmc_free(c.seen);
    if (st == RMC_OK && c.st != RMC_OK) {
        st = RMC_FAIL(d, c.st, "out of memory reading %s", path);
    }
    if (st == RMC_OK && c.row == 0) {
        rmc_problems_add(problems, path, 0, "empty file");
    }
    if (st == RMC_OK && rmc_problems_count(problems) > before) {
        st = RMC_FAIL_AT(d, RMC_EINPUT, path, 0, "%zu problems",
                         rmc_problems_count(problems) - before);
    }
    return st;
}
