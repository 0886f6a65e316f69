/* model.ini: the parameters of a model (DESIGN 1), read with inih against
 * the parameter table (rankmc/params.def). Every key starts at its default;
 * a key in the file must exist in the table, appear once, and hold a value
 * of its kind: a finite number in [lo, hi] (REAL), a whole number in
 * [lo, hi] (INT) or one of the listed words (ENUM).
 *
 * The file is read into memory and fed to inih by the line reader of
 * ini_lines.h, which counts lines (the Debian build of inih does not pass
 * them to the handler); line_ok below checks each line's shape (section
 * header, key = value, comment or blank) so that every syntax error is
 * reported, not only inih's first.
 */
#define _POSIX_C_SOURCE 200809L /* fileno */

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "ini_lines.h"
#include "model_load_int.h"

typedef struct ini_ctx {
    rmc_ini_lines in; /* first: the reader's stream is this struct */
    rmc_loader *L;
    bool section_bad; /* current section was reported unknown */
    long *seen;       /* [rmc_params_count()] line a key was set on, 0 if not */
} ini_ctx;

static bool section_known(const char *name, size_t len)
{
    for (size_t i = 0; i < rmc_params_count(); i++) {
        const char *s = rmc_params_info(i)->section;
        if (strlen(s) == len && strncmp(s, name, len) == 0) {
            return true;
        }
    }
    return false;
}

/* Check one line's shape. False (problem recorded) when inih must not see it. */
static bool line_ok(ini_ctx *c, const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        n--;
    }
    if (n == 0 || s[0] == ';' || s[0] == '#') {
        return true;
    }
    if (s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (close == NULL) {
            rmc_model_problem(c->L, c->in.line, "section header without a closing ']'");
            return false;
        }
        c->section_bad = !section_known(s + 1, (size_t)(close - s - 1));
        if (c->section_bad) {
            rmc_model_problem(c->L, c->in.line, "unknown section [%.*s] (see 'rankmc params')",
                              (int)(close - s - 1 < 60 ? close - s - 1 : 60), s + 1);
        }
        return true;
    }
    if (memchr(s, '=', n) == NULL && memchr(s, ':', n) == NULL) {
        rmc_model_problem(c->L, c->in.line, "expected 'key = value', '[section]' or a comment");
        return false;
    }
    return true;
}

static bool line_ok_cb(void *owner, const char *s, size_t n)
{
    return line_ok(owner, s, n);
}

static void too_long_cb(void *owner, int max)
{
    ini_ctx *c = owner;
    rmc_model_problem(c->L, c->in.line, "line longer than %d characters", max);
}

/* Parse value for parameter pi; false (problem recorded) when it is bad. */
static bool parse_value(ini_ctx *c, const rmc_param_info *pi, const char *value, double *out)
{
    if (pi->kind == RMC_PARAM_KIND_ENUM) {
        const char *s = pi->choices;
        for (int k = 0; s != NULL; k++) {
            const char *bar = strchr(s, '|');
            const size_t len = bar ? (size_t)(bar - s) : strlen(s);
            if (strlen(value) == len && strncmp(s, value, len) == 0) {
                *out = k;
                return true;
            }
            s = bar ? bar + 1 : NULL;
        }
        rmc_model_problem(c->L, c->in.line, "[%s] %s: '%.40s' is not one of %s", pi->section,
                          pi->key, value, pi->choices);
        return false;
    }
    char *end = NULL;
    errno = 0;
    const double v = value[0] ? strtod(value, &end) : 0;
    if (value[0] == '\0' || *end != '\0') {
        rmc_model_problem(c->L, c->in.line, "[%s] %s: '%.40s' is not a number", pi->section,
                          pi->key, value);
    } else if (!isfinite(v) || errno == ERANGE) {
        rmc_model_problem(c->L, c->in.line, "[%s] %s: '%.40s' is not a finite number", pi->section,
                          pi->key, value);
    } else if (pi->kind == RMC_PARAM_KIND_INT && v != floor(v)) {
        rmc_model_problem(c->L, c->in.line, "[%s] %s: %.40s is not a whole number", pi->section,
                          pi->key, value);
    } else if (v < pi->lo || v > pi->hi) {
        rmc_model_problem(c->L, c->in.line, "[%s] %s: %.40s is outside %g..%g", pi->section,
                          pi->key, value, pi->lo, pi->hi);
    } else {
        *out = v;
        return true;
    }
    return false;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    ini_ctx *c = user;
    if (c->section_bad) {
        return 1; /* the section was reported; its keys would only repeat that */
    }
    if (section[0] == '\0') {
        rmc_model_problem(c->L, c->in.line, "key '%.60s' before any [section]", name);
        return 1;
    }
    const rmc_param_info *pi = rmc_params_find(section, name);
    if (pi == NULL) {
        rmc_model_problem(c->L, c->in.line, "unknown key '%.60s' in [%s] (see 'rankmc params')",
                          name, section);
        return 1;
    }
    const size_t idx = (size_t)(pi - rmc_params_info(0));
    if (c->seen[idx] != 0) {
        rmc_model_problem(c->L, c->in.line, "[%s] %s is set twice (first on line %ld)", section,
                          name, c->seen[idx]);
        return 1;
    }
    c->seen[idx] = c->in.line;
    double v = 0;
    if (parse_value(c, pi, value, &v)) {
        rmc_params_set(&c->L->m->params, pi, v);
    }
    return 1;
}

/* Ranges that must be ordered: minimum <= maximum. */
static void check_pairs(ini_ctx *c)
{
    static const char *const pairs[][3] = {{"advocacy", "rotation_min", "rotation_max"},
                                           {"advocacy", "fellow_min", "fellow_max"}};
    const rmc_params *p = &c->L->m->params;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const rmc_param_info *lo = rmc_params_find(pairs[i][0], pairs[i][1]);
        const rmc_param_info *hi = rmc_params_find(pairs[i][0], pairs[i][2]);
        RMC_ASSERT(lo != NULL && hi != NULL);
        const double a = rmc_params_get(p, lo), b = rmc_params_get(p, hi);
        if (a > b) {
            const long l1 = c->seen[lo - rmc_params_info(0)], l2 = c->seen[hi - rmc_params_info(0)];
            rmc_model_problem(c->L, l1 > l2 ? l1 : l2, "[%s] %s = %g exceeds %s = %g", pairs[i][0],
                              pairs[i][1], a, pairs[i][2], b);
        }
    }
}

/* Whole-file checks, then inih. */
static rmc_status parse_text(ini_ctx *c)
{
    rmc_loader *L = c->L;
    const char *nul = memchr(c->in.text, '\0', c->in.len);
    if (nul != NULL || !rmc_utf8_valid((const unsigned char *)c->in.text, c->in.len)) {
        rmc_model_problem(L, 0, "not a text file (NUL bytes or invalid UTF-8)");
        return RMC_OK;
    }
    size_t i = 0;
    if (c->in.len >= 3 && memcmp(c->in.text, "\xEF\xBB\xBF", 3) == 0) {
        c->in.pos = i = 3;
    }
    while (i < c->in.len && isspace((unsigned char)c->in.text[i])) {
        i++;
    }
    if (i == c->in.len) {
        rmc_model_problem(L, 1, "the file is empty (for all defaults, write a comment line)");
        return RMC_OK;
    }
    const size_t before = L->n_problems;
    const int ret = ini_parse_stream(rmc_ini_next_line, c, on_key, c);
    if (ret == -2) {
        return RMC_FAIL(L->d, RMC_ENOMEM, "%s: out of memory parsing", L->path);
    }
    if (ret != 0 && L->n_problems == before) {
        rmc_model_problem(L, ret > 0 ? ret : 0, "syntax error");
    }
    check_pairs(c);
    return RMC_OK;
}

static rmc_status read_all(rmc_loader *L, FILE *f, ini_ctx *c)
{
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        rmc_model_problem(L, 0, "not a regular file");
        return RMC_OK;
    }
    if ((uint64_t)sb.st_size > RMC_INI_MAX_BYTES) {
        rmc_model_problem(L, 0, "larger than %u bytes; is this really model.ini?",
                          RMC_INI_MAX_BYTES);
        return RMC_OK;
    }
    const size_t size = (size_t)sb.st_size;
    char *text = NULL;
    RMC_TRY(rmc_alloc_array((void **)&text, size + 1, 1, L->d));
    c->in.len = fread(text, 1, size, f);
    text[c->in.len] = '\0';
    c->in.text = text;
    rmc_status st = RMC_OK;
    if (ferror(f) || c->in.len != size) {
        st = RMC_FAIL_AT(L->d, RMC_EIO, L->path, 0, "read error (or the file changed)");
    } else {
        rmc_model_hash_header(L, "model.ini", size);
        rmc_sha256_update(&L->sha, text, size);
        st = rmc_calloc_array((void **)&c->seen, rmc_params_count(), sizeof(long), L->d);
    }
    if (st == RMC_OK) {
        st = parse_text(c);
    }
    rmc_free(c->seen);
    rmc_free(text);
    return st;
}

rmc_status rmc_model_config_read(rmc_loader *L, bool *found)
{
    *found = false;
    RMC_TRY(rmc_model_set_path(L, "model.ini"));
    FILE *f = fopen(L->path, "rb");
    if (f == NULL) {
        if (errno != ENOENT) {
            *found = true;
            rmc_model_problem(L, 0, "cannot open: %s", strerror(errno));
        }
        return RMC_OK;
    }
    *found = true;
    ini_ctx c = {.in = {.line_ok = line_ok_cb, .too_long = too_long_cb}, .L = L};
    const rmc_status st = read_all(L, f, &c);
    fclose(f);
    return st;
}
