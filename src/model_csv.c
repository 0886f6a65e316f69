/* The CSV table reader behind every model file (DESIGN 1). It streams the
 * file through libcsv in blocks, split at newlines so it always knows the
 * physical line it is on (newlines inside quoted fields included), and
 * hands each data row to the table's row function with its fields matched
 * to the expected columns by header name (any order; `x_` columns ignored).
 *
 * Accepted: a UTF-8 BOM, LF, CRLF or CR line ends, quoted fields with commas,
 * quotes or newlines, a missing final newline. Rejected as problems at
 * FILE:LINE: an empty file, NUL bytes or invalid UTF-8 (binary data), a
 * field over RMC_CSV_MAX_FIELD bytes (detected while it grows, so memory
 * stays bounded), malformed or unclosed quotes, unknown / missing /
 * repeated columns, rows whose field count differs from the header's.
 * Problems that leave the rest of the file unreadable stop the file; the
 * others are all reported.
 */
#define _POSIX_C_SOURCE 200809L /* fileno */

#include <csv.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "model_load_int.h"

#define BLOCK_BYTES ((size_t)1 << 16)
/* A row's fields take at most this much; the arena starts small and grows
 * toward it only for wide or long rows, so typical files cost 4 KiB. */
#define ARENA_START ((size_t)4096)
#define ARENA_MAX ((size_t)RMC_CSV_MAX_COLS * (RMC_CSV_MAX_FIELD + 1))

typedef struct reader {
    rmc_loader *L;
    const rmc_csv_spec *spec;
    struct csv_parser p;
    char *arena;                          /* this row's fields, NUL-terminated */
    size_t arena_used;                    /* bytes of arena in use */
    size_t arena_cap;                     /* bytes allocated; grows up to ARENA_MAX */
    size_t off[RMC_CSV_MAX_COLS];         /* field starts in arena */
    size_t n_fields;                      /* fields in this row (may exceed MAX_COLS) */
    const char *fields[RMC_CSV_MAX_COLS]; /* row fields by expected column */
    int colmap[RMC_CSV_MAX_COLS];         /* expected column -> file column, or -1 */
    size_t n_header;                      /* columns in the header */
    size_t n_rows;                        /* rows seen, header included */
    long line;                            /* physical line being parsed, 1-based */
    long row_line;                        /* first line of the current row */
    bool stop;                            /* give up on the rest of the file */
    bool cr_pending;                      /* last byte fed was CR: a line break unless LF follows */
    rmc_status st;                        /* failure raised inside a callback */
} reader;

/* Make room for `need` more bytes in the row arena (at most ARENA_MAX in
 * all, which the field-length and column limits guarantee). */
static rmc_status arena_reserve(reader *r, size_t need)
{
    if (r->arena_used + need <= r->arena_cap) {
        return RMC_OK;
    }
    size_t cap = r->arena_cap;
    while (cap < r->arena_used + need) {
        cap *= 2;
    }
    cap = cap < ARENA_MAX ? cap : ARENA_MAX;
    RMC_ASSERT(r->arena_used + need <= cap);
    char *bigger = NULL;
    RMC_TRY(rmc_alloc_array((void **)&bigger, cap, 1, r->L->d));
    memcpy(bigger, r->arena, r->arena_used);
    rmc_free(r->arena);
    r->arena = bigger;
    r->arena_cap = cap;
    return RMC_OK;
}

bool rmc_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
            hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing above U+10FFFF */
        } else {
            return false;
        }
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi) {
            return false;
        }
        for (size_t k = 2; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return false;
            }
        }
        i += len;
    }
    return true;
}

static void on_field(void *data, size_t len, void *ctx)
{
    reader *r = ctx;
    if (r->stop) {
        return;
    }
    if (len > RMC_CSV_MAX_FIELD) {
        rmc_model_problem(r->L, r->line, "a field of %zu bytes exceeds the limit of %d bytes", len,
                          RMC_CSV_MAX_FIELD);
        r->stop = true;
        return;
    }
    if (!rmc_utf8_valid(data, len)) {
        rmc_model_problem(r->L, r->line, "not valid UTF-8 text (is this a binary file?)");
        r->stop = true;
        return;
    }
    if (r->n_fields < RMC_CSV_MAX_COLS) {
        const rmc_status st = arena_reserve(r, len + 1);
        if (st != RMC_OK) {
            r->st = st;
            r->stop = true;
            return;
        }
        r->off[r->n_fields] = r->arena_used;
        if (len > 0) {
            memcpy(r->arena + r->arena_used, data, len);
        }
        r->arena[r->arena_used + len] = '\0';
        r->arena_used += len + 1;
    }
    r->n_fields++;
}

/* Match header names to expected columns. False when rows cannot be read. */
static bool read_header(reader *r)
{
    const rmc_csv_spec *s = r->spec;
    const long line = r->row_line;
    if (r->n_fields > RMC_CSV_MAX_COLS) {
        rmc_model_problem(r->L, line, "the header has %zu columns; at most %d are supported",
                          r->n_fields, RMC_CSV_MAX_COLS);
        return false;
    }
    bool ok = true;
    for (size_t c = 0; c < s->n_cols; c++) {
        r->colmap[c] = -1;
    }
    r->n_header = r->n_fields;
    for (size_t f = 0; f < r->n_fields; f++) {
        const char *name = r->arena + r->off[f];
        size_t c = 0;
        while (c < s->n_cols && strcmp(s->cols[c], name) != 0) {
            c++;
        }
        if (c < s->n_cols && r->colmap[c] >= 0) {
            rmc_model_problem(r->L, line, "column '%s' appears twice in the header", name);
            ok = false;
        } else if (c < s->n_cols) {
            r->colmap[c] = (int)f;
        } else if (strncmp(name, "x_", 2) != 0 && !s->other_columns) {
            rmc_model_problem(r->L, line,
                              "unknown column '%.80s' (extra columns must start with 'x_')", name);
        }
    }
    for (size_t c = 0; c < s->n_required; c++) {
        if (r->colmap[c] < 0) {
            rmc_model_problem(r->L, line, "missing column '%s'", s->cols[c]);
            ok = false;
        }
    }
    return ok;
}

static void on_row(int term, void *ctx)
{
    (void)term;
    reader *r = ctx;
    if (r->stop) {
        return;
    }
    if (r->n_rows++ == 0) {
        r->stop = !read_header(r);
    } else if (r->n_fields != r->n_header) {
        rmc_model_problem(r->L, r->row_line, "ragged row: %zu fields, but the header has %zu",
                          r->n_fields, r->n_header);
    } else {
        for (size_t c = 0; c < r->spec->n_cols; c++) {
            const int f = r->colmap[c];
            r->fields[c] = f >= 0 ? r->arena + r->off[f] : NULL;
        }
        const rmc_status st = r->spec->row(r->L, r->fields, r->row_line);
        if (st != RMC_OK) {
            r->st = st;
            r->stop = true;
        }
    }
    r->n_fields = 0;
    r->arena_used = 0;
}

/* A line break is LF, CRLF or a lone CR (old Mac files). */
static bool lone_cr(const char *buf, size_t i, size_t n)
{
    return buf[i] == '\r' && (i + 1 == n || buf[i + 1] != '\n');
}

/* Physical line of buf[at], given that buf[0] is on line `line`. */
static long line_at(const char *buf, size_t at, long line)
{
    for (size_t i = 0; i < at; i++) {
        line += buf[i] == '\n' || lone_cr(buf, i, at);
    }
    return line;
}

/* One past the next CR or LF at or after pos, or n. */
static size_t next_break(const char *buf, size_t pos, size_t n)
{
    while (pos < n && buf[pos] != '\n' && buf[pos] != '\r') {
        pos++;
    }
    return pos < n ? pos + 1 : n;
}

/* Feed one block to the parser, a line at a time. */
static void feed_block(reader *r, const char *buf, size_t n)
{
    const char *nul = memchr(buf, '\0', n);
    if (nul != NULL) {
        rmc_model_problem(r->L, line_at(buf, (size_t)(nul - buf), r->line),
                          "NUL byte: this is not a CSV text file");
        r->stop = true;
        return;
    }
    size_t pos = 0;
    while (pos < n && !r->stop) {
        const size_t end = next_break(buf, pos, n);
        if (r->cr_pending) {
            r->cr_pending = false;
            r->line += buf[pos] != '\n';
        }
        if (r->p.pstate == 0) { /* libcsv's ROW_NOT_BEGUN: a new row starts here */
            r->row_line = r->line;
        }
        const size_t got = csv_parse(&r->p, buf + pos, end - pos, on_field, on_row, r);
        if (got != end - pos && !r->stop) {
            if (csv_error(&r->p) == CSV_EPARSE) {
                rmc_model_problem(r->L, r->line,
                                  "malformed quoting (a quote inside an unquoted field, or text "
                                  "after a closing quote)");
            } else {
                r->st = RMC_FAIL(r->L->d, RMC_ENOMEM, "%s: out of memory parsing CSV", r->L->path);
            }
            r->stop = true;
        }
        if (!r->stop && r->p.entry_pos > RMC_CSV_MAX_FIELD) {
            rmc_model_problem(r->L, r->row_line,
                              "a field in the row starting here exceeds the limit of %d bytes",
                              RMC_CSV_MAX_FIELD);
            r->stop = true;
        }
        r->line += buf[end - 1] == '\n';
        r->cr_pending = buf[end - 1] == '\r';
        pos = end;
    }
}

/* Stream the open file through the parser, hashing every byte. */
static rmc_status parse_file(reader *r, FILE *f, char *buf)
{
    bool first = true;
    size_t n;
    while (!r->stop && (n = fread(buf, 1, BLOCK_BYTES, f)) > 0) {
        rmc_sha256_update(&r->L->sha, buf, n);
        size_t skip = 0;
        if (first && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
            skip = 3; /* UTF-8 byte order mark */
        }
        first = false;
        feed_block(r, buf + skip, n - skip);
    }
    if (r->st != RMC_OK) {
        return r->st;
    }
    if (ferror(f)) {
        return RMC_FAIL_AT(r->L->d, RMC_EIO, r->L->path, 0, "read error");
    }
    if (!r->stop && csv_fini(&r->p, on_field, on_row, r) != 0 && !r->stop) {
        if (csv_error(&r->p) == CSV_EPARSE) {
            rmc_model_problem(r->L, r->row_line,
                              "unclosed quote: the quoted field in the row starting here never "
                              "ends");
        } else {
            return RMC_FAIL(r->L->d, RMC_ENOMEM, "%s: out of memory parsing CSV", r->L->path);
        }
        r->stop = true;
    }
    return r->st;
}

static void report_empty(reader *r)
{
    const rmc_csv_spec *s = r->spec;
    if (r->n_rows == 0 && !r->stop) {
        char cols[512] = "";
        for (size_t c = 0; c < s->n_cols; c++) {
            const size_t len = strlen(cols);
            snprintf(cols + len, sizeof cols - len, "%s%s", c ? "," : "", s->cols[c]);
        }
        rmc_model_problem(r->L, 1, "the file is empty (expected a header line: %s)", cols);
    } else if (r->n_rows == 1 && !r->stop && s->need_rows) {
        rmc_model_problem(r->L, r->row_line + 1, "no data rows after the header");
    }
}

static rmc_status read_open(reader *r, FILE *f)
{
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        rmc_model_problem(r->L, 0, "not a regular file");
        return RMC_OK;
    }
    rmc_model_hash_header(r->L, r->spec->name, (uint64_t)sb.st_size);
    char *buf = NULL;
    rmc_status st = rmc_alloc_array((void **)&buf, BLOCK_BYTES, 1, r->L->d);
    if (st == RMC_OK) {
        st = rmc_alloc_array((void **)&r->arena, ARENA_START, 1, r->L->d);
        r->arena_cap = ARENA_START;
    }
    if (st == RMC_OK && csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        st = RMC_FAIL(r->L->d, RMC_ENOMEM, "out of memory starting the CSV parser");
    } else if (st == RMC_OK) {
        st = parse_file(r, f, buf);
        csv_free(&r->p);
        if (st == RMC_OK) {
            report_empty(r);
        }
    }
    rmc_free(r->arena);
    rmc_free(buf);
    return st;
}

rmc_status rmc_csv_read(rmc_loader *L, const rmc_csv_spec *spec, bool *found)
{
    RMC_ASSERT(spec->n_cols <= RMC_CSV_MAX_COLS);
    *found = false;
    RMC_TRY(rmc_model_set_path(L, spec->name));
    FILE *f = fopen(L->path, "rb");
    if (f == NULL) {
        if (errno != ENOENT) {
            *found = true;
            rmc_model_problem(L, 0, "cannot open: %s", strerror(errno));
        }
        return RMC_OK;
    }
    *found = true;
    reader r = {.L = L, .spec = spec, .line = 1, .row_line = 1};
    const rmc_status st = read_open(&r, f);
    fclose(f);
    return st;
}
