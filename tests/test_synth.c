/* Tests for synth.c: the files `rankmc synth` writes are read back with
 * libcsv and checked for determinism, counts, structure (ids, duplicates,
 * visa screening, value domains), scaling, tiny markets, errors and
 * allocation failures. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>
#include <gsl/gsl_errno.h>

#include "internal.h"
#include "rankmc/model.h"
#include "rankmc/synth.h"

/* ---- a small CSV table reader ---------------------------------------- */

typedef struct table {
    size_t n_rows, n_cols; /* rows include the header (row 0) */
    size_t cap, n_cells;
    char **cells;     /* row-major, n_rows * n_cols when rectangular */
    size_t row_cells; /* cells in the row being read */
    int ragged;
} table;

static void on_field(void *s, size_t len, void *data)
{
    table *t = data;
    if (t->n_cells == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 1024;
        t->cells = realloc(t->cells, t->cap * sizeof *t->cells);
        assert_non_null(t->cells);
    }
    char *c = malloc(len + 1);
    assert_non_null(c);
    memcpy(c, s, len);
    c[len] = '\0';
    t->cells[t->n_cells++] = c;
    t->row_cells++;
}

static void on_row(int ch, void *data)
{
    (void)ch;
    table *t = data;
    if (t->n_rows == 0) {
        t->n_cols = t->row_cells;
    } else if (t->row_cells != t->n_cols) {
        t->ragged = 1;
    }
    t->n_rows++;
    t->row_cells = 0;
}

static void table_read(table *t, const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    memset(t, 0, sizeof *t);
    struct csv_parser p;
    assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        assert_int_equal(csv_parse(&p, buf, n, on_field, on_row, t), n);
    }
    assert_int_equal(csv_fini(&p, on_field, on_row, t), 0);
    csv_free(&p);
    fclose(f);
    assert_false(t->ragged);
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n_cells; i++) {
        free(t->cells[i]);
    }
    free(t->cells);
}

static const char *cell(const table *t, size_t row, size_t col)
{
    return t->cells[row * t->n_cols + col];
}

static size_t col_of(const table *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        if (strcmp(cell(t, 0, c), name) == 0) {
            return c;
        }
    }
    fail_msg("no column %s", name);
    return 0;
}

/* The index (0-based, among data rows) of a string in a set, or -1. */
static int in_set(const char *s, const char *const *set, int n)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(s, set[i]) == 0) {
            return i;
        }
    }
    return -1;
}

static double num(const char *s)
{
    char *end = NULL;
    const double v = strtod(s, &end);
    assert_true(end != s && *end == '\0');
    assert_true(isfinite(v));
    return v;
}

/* ---- helpers ---------------------------------------------------------- */

static char *new_dir(void)
{
    char *d = strdup("/tmp/rmc_synth_XXXXXX");
    assert_non_null(d);
    assert_non_null(mkdtemp(d));
    return d;
}

static void remove_dir(char *dir)
{
    DIR *dd = opendir(dir);
    if (dd != NULL) {
        char path[512];
        for (const struct dirent *e = readdir(dd); e != NULL; e = readdir(dd)) {
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
                unlink(path);
            }
        }
        closedir(dd);
    }
    rmdir(dir);
    free(dir);
}

static rmc_synth_summary synth(const char *preset, double scale, uint64_t seed, size_t n_app,
                               size_t n_prog, const char *dir)
{
    rmc_synth_options o;
    rmc_synth_options_default(&o);
    o.preset = preset;
    o.scale = scale;
    o.seed = seed;
    o.n_applicants = n_app;
    o.n_programs = n_prog;
    o.tracks = 0; /* the categorical market; synth_tracks() below has the tracks */
    o.force = true;
    rmc_synth_summary s;
    rmc_diag d = {0};
    const rmc_status st = rmc_synth_write(&o, dir, &s, &d);
    if (st != RMC_OK) {
        fail_msg("rmc_synth_write %s: %s", preset, d.message);
    }
    return s;
}

static int files_equal(const char *a, const char *b, const char *name)
{
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s/%s", a, name);
    snprintf(pb, sizeof pb, "%s/%s", b, name);
    FILE *fa = fopen(pa, "rb"), *fb = fopen(pb, "rb");
    assert_non_null(fa);
    assert_non_null(fb);
    int ca, cb, same = 1;
    do {
        ca = getc(fa);
        cb = getc(fb);
        same = ca == cb;
    } while (same && ca != EOF);
    fclose(fa);
    fclose(fb);
    return same;
}

static const char *const files[] = {"model.ini", "applicants.csv", "programs.csv",
                                    "interviews.csv"};

/* ---- determinism ------------------------------------------------------ */

static void test_rmc_synth_write_same_seed_identical(void **state)
{
    (void)state;
    char *a = new_dir(), *b = new_dir(), *c = new_dir();
    synth("nrmp2025", 0.02, 37, 0, 0, a);
    synth("nrmp2025", 0.02, 37, 0, 0, b);
    synth("nrmp2025", 0.02, 38, 0, 0, c);
    for (size_t i = 0; i < 4; i++) {
        assert_true(files_equal(a, b, files[i]));
    }
    assert_false(files_equal(a, c, "applicants.csv"));
    assert_false(files_equal(a, c, "programs.csv"));
    assert_false(files_equal(a, c, "interviews.csv"));
    remove_dir(a);
    remove_dir(b);
    remove_dir(c);
}

/* ---- structure -------------------------------------------------------- */

static const char *const types[] = {"US_MD", "US_DO", "US_IMG", "IMG"};
static const char *const usexps[] = {"none", "observership", "hands_on", "sub_i"};
static const char *const visas[] = {"none", "J1", "H1B", "uncertain"};
static const char *const sponsors[] = {"none", "J1", "J1_H1B"};
static const char *const advocacies[] = {"none", "rotation", "research_fellow", "chief"};
static const char *const interests[] = {"low", "normal", "high"};
static const char *const groups[] = {"md_senior", "do_senior", "us_img", "non_us_img", "other"};

typedef struct market_view {
    table app, prog, iv;
    int *app_visa; /* per applicant row (0-based data rows) */
    int *app_group;
    int *prog_sponsors;
    size_t *n_iv_app;
} market_view;

static int find_row(const table *t, const char *id)
{
    /* Ids are a<k> / p<k> with k the 1-based row, zero-padded: check it. */
    const long k = strtol(id + 1, NULL, 10);
    if (k < 1 || (size_t)k >= t->n_rows || strcmp(cell(t, (size_t)k, 0), id) != 0) {
        return -1;
    }
    return (int)k - 1;
}

static void check_applicants(market_view *v)
{
    const table *t = &v->app;
    static const char *const header[] = {
        "id", "type", "pre_score", "communication", "clinical_years", "us_experience", "visa"};
    for (size_t c = 0; c < 7; c++) {
        assert_string_equal(cell(t, 0, c), header[c]);
    }
    v->app_visa = calloc(t->n_rows, sizeof(int));
    v->app_group = calloc(t->n_rows, sizeof(int));
    const size_t cg = col_of(t, "x_group");
    for (size_t r = 1; r < t->n_rows; r++) {
        assert_int_equal(find_row(t, cell(t, r, 0)), (int)r - 1);
        assert_true(in_set(cell(t, r, 1), types, 4) >= 0);
        num(cell(t, r, 2));
        const double comm = num(cell(t, r, 3)), years = num(cell(t, r, 4));
        assert_true(comm >= 0.0 && comm <= 1.0);
        assert_true(years >= 0.0 && years == floor(years));
        assert_true(in_set(cell(t, r, 5), usexps, 4) >= 0);
        v->app_visa[r - 1] = in_set(cell(t, r, 6), visas, 4);
        v->app_group[r - 1] = in_set(cell(t, r, cg), groups, 5);
        assert_true(v->app_visa[r - 1] >= 0 && v->app_group[r - 1] >= 0);
        /* US citizens never need a visa. */
        if (strcmp(cell(t, r, 1), "IMG") != 0) {
            assert_int_equal(v->app_visa[r - 1], 0);
        }
    }
}

static size_t check_programs(market_view *v)
{
    const table *t = &v->prog;
    static const char *const header[] = {"id",        "name",     "positions",    "interviewers",
                                         "residents", "sponsors", "service_load", "desirability"};
    for (size_t c = 0; c < 8; c++) {
        assert_string_equal(cell(t, 0, c), header[c]);
    }
    v->prog_sponsors = calloc(t->n_rows, sizeof(int));
    size_t positions = 0;
    for (size_t r = 1; r < t->n_rows; r++) {
        assert_int_equal(find_row(t, cell(t, r, 0)), (int)r - 1);
        assert_true(strlen(cell(t, r, 1)) > 0);
        const double pos = num(cell(t, r, 2)), k = num(cell(t, r, 3)), res = num(cell(t, r, 4));
        assert_true(pos >= 1.0 && pos == floor(pos));
        assert_true(k >= 1.0 && k == floor(k));
        assert_true(res >= 0.0 && res == floor(res));
        positions += (size_t)pos;
        v->prog_sponsors[r - 1] = in_set(cell(t, r, 5), sponsors, 3);
        assert_true(v->prog_sponsors[r - 1] >= 0);
        const double load = num(cell(t, r, 6));
        assert_true(load >= 0.0 && load <= 1.0);
        num(cell(t, r, 7));
    }
    return positions;
}

/* Returns the share of visa applicants' interviews held at programs that
 * sponsor no visa (screened out except rarely), divided by the same share
 * for applicants who need no visa (about the share of such programs). */
static double check_interviews(market_view *v)
{
    const table *t = &v->iv;
    static const char *const header[] = {"applicant", "program", "advocacy", "ties", "interest"};
    for (size_t c = 0; c < 5; c++) {
        assert_string_equal(cell(t, 0, c), header[c]);
    }
    const size_t n_app = v->app.n_rows - 1;
    v->n_iv_app = calloc(n_app + 1, sizeof(size_t));
    size_t *strong = calloc(n_app + 1, sizeof(size_t));
    size_t visa_iv = 0, visa_at_none = 0, free_iv = 0, free_at_none = 0;
    int last_a = -1, last_p = -1;
    for (size_t r = 1; r < t->n_rows; r++) {
        const int a = find_row(&v->app, cell(t, r, 0)), p = find_row(&v->prog, cell(t, r, 1));
        assert_true(a >= 0 && p >= 0);
        /* Sorted by applicant, then program: a repeat would show as equal neighbours. */
        assert_true(a > last_a || (a == last_a && p > last_p));
        last_a = a;
        last_p = p;
        v->n_iv_app[a]++;
        const int adv = in_set(cell(t, r, 2), advocacies, 4);
        assert_true(adv >= 0);
        strong[a] += adv >= 2;
        assert_true(strcmp(cell(t, r, 3), "0") == 0 || strcmp(cell(t, r, 3), "1") == 0);
        assert_true(in_set(cell(t, r, 4), interests, 3) >= 0);
        if (v->app_visa[a] != 0) {
            visa_iv++;
            visa_at_none += v->prog_sponsors[p] == 0;
        } else {
            free_iv++;
            free_at_none += v->prog_sponsors[p] == 0;
        }
    }
    for (size_t a = 0; a < n_app; a++) {
        assert_true(strong[a] <= 2); /* at most one fellowship and one chief */
    }
    free(strong);
    const double visa_share = visa_iv > 0 ? (double)visa_at_none / (double)visa_iv : 0.0;
    const double free_share = free_iv > 0 ? (double)free_at_none / (double)free_iv : 1.0;
    return free_share > 0.0 ? visa_share / free_share : 0.0;
}

static void view_read(market_view *v, const char *dir)
{
    memset(v, 0, sizeof *v);
    table_read(&v->app, dir, "applicants.csv");
    table_read(&v->prog, dir, "programs.csv");
    table_read(&v->iv, dir, "interviews.csv");
}

static void view_free(market_view *v)
{
    table_free(&v->app);
    table_free(&v->prog);
    table_free(&v->iv);
    free(v->app_visa);
    free(v->app_group);
    free(v->prog_sponsors);
    free(v->n_iv_app);
}

static void test_rmc_synth_write_structure_nrmp(void **state)
{
    (void)state;
    char *dir = new_dir();
    const rmc_synth_summary s = synth("nrmp2025", rmc_test_quick() ? 0.03 : 0.1, 2385, 0, 0, dir);
    market_view v;
    view_read(&v, dir);
    check_applicants(&v);
    assert_int_equal(check_programs(&v), s.n_positions);
    /* 2% exceptions against ~36% non-sponsoring programs: a ratio near 0.06. */
    const double visa_ratio = check_interviews(&v);
    assert_true(visa_ratio < 0.15);
    assert_int_equal(v.app.n_rows - 1, s.n_applicants);
    assert_int_equal(v.prog.n_rows - 1, s.n_programs);
    assert_int_equal(v.iv.n_rows - 1, s.n_interviews);
    /* Every applicant is active: at least one interview. Offers go to the
     * stronger applicants: pre_score > 1 gets more than pre_score < -1. */
    double iv_hi = 0.0, iv_lo = 0.0, n_hi = 0.0, n_lo = 0.0;
    for (size_t a = 0; a < s.n_applicants; a++) {
        assert_true(v.n_iv_app[a] >= 1);
        const double pre = num(cell(&v.app, a + 1, 2));
        if (pre > 1.0) {
            iv_hi += (double)v.n_iv_app[a];
            n_hi++;
        } else if (pre < -1.0) {
            iv_lo += (double)v.n_iv_app[a];
            n_lo++;
        }
    }
    assert_true(iv_hi / n_hi > 1.3 * (iv_lo / n_lo));
    view_free(&v);
    remove_dir(dir);
}

static void test_rmc_synth_write_structure_regional(void **state)
{
    (void)state;
    char *dir = new_dir();
    const rmc_synth_summary s = synth("im-regional", 1.0, 7, 0, 0, dir);
    market_view v;
    view_read(&v, dir);
    check_applicants(&v);
    assert_int_equal(check_programs(&v), s.n_positions);
    assert_true(check_interviews(&v) < 0.15);
    assert_int_equal(s.n_applicants, 600);
    assert_int_equal(s.n_programs, 40);
    assert_int_equal(s.n_specialties, 1);
    view_free(&v);
    remove_dir(dir);
}

/* ---- counts ----------------------------------------------------------- */

static void test_rmc_synth_write_counts_nrmp(void **state)
{
    (void)state;
    static const double national[5] = {19956, 8630, 5160, 10892, 2570};
    const double scale = rmc_test_quick() ? 0.05 : 0.2;
    char *dir = new_dir();
    const rmc_synth_summary s = synth("nrmp2025", scale, 11, 0, 0, dir);
    assert_int_equal(s.n_applicants, (size_t)llround(scale * 47208));
    assert_int_equal(s.n_programs, (size_t)llround(scale * 6626));
    /* Positions follow programs at 40,041 (PGY-1) / 6,626 per program. */
    assert_close((double)s.n_positions, (double)s.n_programs * 40041.0 / 6626.0, 0.0, 0.5);
    assert_int_equal(s.n_specialties, 12);
    for (int g = 0; g < RMC_SYNTH_N_GROUPS; g++) {
        assert_close((double)s.n_group[g], (double)s.n_applicants * national[g] / 47208.0, 0.0,
                     1.0);
    }
    /* About 12 interviews per applicant (565,221 / 47,208), fewer for IMGs. */
    const double mean = (double)s.n_interviews / (double)s.n_applicants;
    assert_true(mean > 10.5 && mean < 13.5);
    const double md = (double)s.n_iv_group[0] / (double)s.n_group[0];
    const double img = (double)s.n_iv_group[3] / (double)s.n_group[3];
    assert_true(img < md - 2.0);
    remove_dir(dir);
}

/* pre_score of MD seniors ~ N(0.30, 1): the sample mean within 5 SE. */
static void test_rmc_synth_write_pre_score_mean(void **state)
{
    (void)state;
    char *dir = new_dir();
    synth("nrmp2025", 0.1, 5, 0, 0, dir);
    table t;
    table_read(&t, dir, "applicants.csv");
    const size_t cg = col_of(&t, "x_group");
    double sum = 0.0;
    size_t n = 0;
    for (size_t r = 1; r < t.n_rows; r++) {
        if (strcmp(cell(&t, r, cg), "md_senior") == 0) {
            sum += num(cell(&t, r, 2));
            n++;
        }
    }
    assert_true(n > 1000);
    assert_close(sum / (double)n, 0.30, 0.0, 5.0 / sqrt((double)n) + 0.001);
    table_free(&t);
    remove_dir(dir);
}

static void test_rmc_synth_write_scale_proportional(void **state)
{
    (void)state;
    char *dir = new_dir();
    const rmc_synth_summary a = synth("im", 0.05, 3, 0, 0, dir);
    const rmc_synth_summary b = synth("im", 0.15, 3, 0, 0, dir);
    assert_int_equal(a.n_applicants, 700);
    assert_int_equal(b.n_applicants, 2100);
    assert_int_equal(a.n_programs, 53);  /* round(0.05 * 1050) */
    assert_int_equal(b.n_programs, 158); /* round(0.15 * 1050) */
    assert_close((double)b.n_positions / (double)a.n_positions, 158.0 / 53.0, 0.01, 0.0);
    assert_close((double)b.n_interviews / (double)a.n_interviews, 3.0, 0.15, 0.0);
    remove_dir(dir);
}

/* ---- small and explicit sizes ----------------------------------------- */

static void test_rmc_synth_write_tiny(void **state)
{
    (void)state;
    static const char *const presets[] = {"nrmp2025", "im", "im-regional"};
    for (size_t i = 0; i < 3; i++) {
        char *dir = new_dir();
        const rmc_synth_summary s = synth(presets[i], 1.0, 9, 7, 2, dir);
        market_view v;
        view_read(&v, dir);
        check_applicants(&v);
        assert_int_equal(check_programs(&v), s.n_positions);
        check_interviews(&v);
        assert_int_equal(v.app.n_rows - 1, 7);
        assert_int_equal(v.prog.n_rows - 1, 2);
        assert_true(s.n_positions >= 2);
        size_t groups_total = 0;
        for (int g = 0; g < RMC_SYNTH_N_GROUPS; g++) {
            groups_total += s.n_group[g];
        }
        assert_int_equal(groups_total, 7);
        view_free(&v);
        remove_dir(dir);
    }
    char *dir = new_dir();
    const rmc_synth_summary s = synth("im-regional", 1.0, 9, 1, 1, dir);
    assert_int_equal(s.n_applicants, 1);
    assert_int_equal(s.n_programs, 1);
    remove_dir(dir);
}

/* ---- the model loader accepts what synth writes -------------------------- */

static void test_rmc_synth_write_loads(void **state)
{
    (void)state;
    char *dir = new_dir();
    const rmc_synth_summary s = synth("nrmp2025", 0.02, 29, 0, 0, dir);
    rmc_problems *problems = NULL;
    assert_int_equal(rmc_problems_alloc(10, &problems), RMC_OK);
    rmc_model *m = NULL;
    rmc_diag d = {0};
    const rmc_status st = rmc_model_load(dir, problems, &d, &m);
    for (size_t i = 0; i < rmc_problems_kept(problems); i++) {
        print_error("%s\n", rmc_problems_get(problems, i));
    }
    assert_int_equal(st, RMC_OK);
    assert_int_equal(rmc_model_n_applicants(m), s.n_applicants);
    assert_int_equal(rmc_model_n_programs(m), s.n_programs);
    assert_int_equal(rmc_model_n_positions(m), s.n_positions);
    assert_int_equal(rmc_model_n_interviews(m), s.n_interviews);
    /* "other" is written as US_MD. */
    assert_int_equal(rmc_model_n_type(m, RMC_TYPE_US_MD),
                     s.n_group[RMC_SYNTH_MD_SENIOR] + s.n_group[RMC_SYNTH_OTHER]);
    assert_int_equal(rmc_model_n_type(m, RMC_TYPE_US_DO), s.n_group[RMC_SYNTH_DO_SENIOR]);
    assert_int_equal(rmc_model_n_type(m, RMC_TYPE_US_IMG), s.n_group[RMC_SYNTH_US_IMG]);
    assert_int_equal(rmc_model_n_type(m, RMC_TYPE_IMG), s.n_group[RMC_SYNTH_NON_US_IMG]);
    rmc_model_free(m);
    rmc_problems_free(problems);
    remove_dir(dir);
}

/* With tracks the loader reads the track column and reversions.csv, and its
 * counts agree with the summary: programs and positions by track. */
static void test_rmc_synth_write_tracks_load(void **state)
{
    (void)state;
    char *dir = new_dir();
    rmc_synth_options o;
    rmc_synth_options_default(&o);
    o.preset = "nrmp2025";
    o.scale = 0.04;
    o.seed = 29;
    o.tracks = 1;
    rmc_synth_summary s;
    assert_int_equal(rmc_synth_write(&o, dir, &s, NULL), RMC_OK);
    rmc_problems *problems = NULL;
    assert_int_equal(rmc_problems_alloc(10, &problems), RMC_OK);
    rmc_model *m = NULL;
    const rmc_status st = rmc_model_load(dir, problems, NULL, &m);
    for (size_t i = 0; i < rmc_problems_kept(problems); i++) {
        print_error("%s\n", rmc_problems_get(problems, i));
    }
    assert_int_equal(st, RMC_OK);
    assert_int_equal(rmc_model_n_positions(m), s.n_positions);
    assert_int_equal(rmc_model_n_interviews(m), s.n_interviews);
    assert_int_equal(rmc_model_n_reversions(m), s.n_reversions);
    static const rmc_track track_of[3] = {RMC_TRACK_CATEGORICAL, RMC_TRACK_PRELIMINARY,
                                          RMC_TRACK_ADVANCED};
    size_t pos[3] = {0};
    for (size_t j = 0; j < rmc_model_n_programs(m); j++) {
        const rmc_track t = rmc_model_program_track(m, j);
        for (int k = 0; k < 3; k++) {
            pos[k] += t == track_of[k] ? (size_t)rmc_model_program_positions(m, j) : 0;
        }
    }
    for (int k = 0; k < 3; k++) {
        assert_int_equal(rmc_model_n_track(m, track_of[k]), s.n_programs_track[k]);
        assert_int_equal(pos[k], s.n_positions_track[k]);
    }
    rmc_model_free(m);
    rmc_problems_free(problems);
    remove_dir(dir);
}

/* ---- couples ---------------------------------------------------------- */

static rmc_synth_summary synth_couples_lists(double scale, uint64_t seed, int64_t couples,
                                             bool fixed, const char *dir)
{
    rmc_synth_options o;
    rmc_synth_options_default(&o);
    o.fixed_lists = fixed;
    o.preset = "nrmp2025";
    o.scale = scale;
    o.seed = seed;
    o.couples = couples;
    o.tracks = 0;
    o.force = true;
    rmc_synth_summary sum;
    rmc_diag d = {0};
    if (rmc_synth_write(&o, dir, &sum, &d) != RMC_OK) {
        fail_msg("rmc_synth_write with couples: %s", d.message);
    }
    return sum;
}

/* Couples with the joint lists drawn once (--fixed-lists). */
static rmc_synth_summary synth_couples(double scale, uint64_t seed, int64_t couples,
                                       const char *dir)
{
    return synth_couples_lists(scale, seed, couples, true, dir);
}

/* --couples nrmp: the NRMP share of couples (1,150 of 47,208 applicants),
 * partners with at least 4 interviews, mostly US MD seniors; joint lists
 * of at most 30 entries, same-city pairs first, then same-region pairs,
 * then at most one "partner unmatched" option per partner, never a pair
 * across regions; the model loads; the same seed writes the same bytes;
 * without couples no couples.csv is left. */
static void test_rmc_synth_write_couples(void **state)
{
    (void)state;
    char *dir = new_dir(), *again = new_dir();
    const rmc_synth_summary s = synth_couples(0.1, 5, -1, dir);
    synth_couples(0.1, 5, -1, again);
    const size_t want = (size_t)floor(1150.0 * (double)s.n_applicants / 47208.0 + 0.5);
    assert_int_equal(s.n_couples, want);
    assert_true(files_equal(dir, again, "couples.csv"));
    assert_true(files_equal(dir, again, "programs.csv"));
    rmc_problems *problems = NULL;
    assert_int_equal(rmc_problems_alloc(10, &problems), RMC_OK);
    rmc_model *m = NULL;
    assert_int_equal(rmc_model_load(dir, problems, NULL, &m), RMC_OK);
    assert_int_equal(rmc_model_n_couples(m), want);
    rmc_model_free(m);
    rmc_problems_free(problems);
    table app = {0}, prog = {0}, cp = {0};
    table_read(&app, dir, "applicants.csv");
    table_read(&prog, dir, "programs.csv");
    table_read(&cp, dir, "couples.csv");
    const size_t c_reg = col_of(&prog, "region"), c_city = col_of(&prog, "city");
    const size_t c_grp = col_of(&app, "x_group");
    size_t md = 0, members = 0, same_city = 0, entries = 0;
    int last_tier = -1, solo_a = 0, solo_b = 0;
    size_t len = 0;
    for (size_t r = 1; r < cp.n_rows; r++) {
        const char *a = cell(&cp, r, 0), *pa = cell(&cp, r, 3), *pb = cell(&cp, r, 4);
        if (strcmp(cell(&cp, r, 2), "1") == 0) { /* a new couple */
            last_tier = -1;
            solo_a = solo_b = 0;
            len = 0;
            for (size_t k = 0; k < 2; k++) {
                const int row = find_row(&app, cell(&cp, r, k));
                assert_true(row >= 0);
                md += strcmp(cell(&app, (size_t)row + 1, c_grp), "md_senior") == 0;
                members++;
            }
        }
        (void)a;
        int tier = 2;
        if (pa[0] != '\0' && pb[0] != '\0') {
            const int ra = find_row(&prog, pa), rb = find_row(&prog, pb);
            assert_true(ra >= 0 && rb >= 0);
            assert_string_equal(cell(&prog, (size_t)ra + 1, c_reg),
                                cell(&prog, (size_t)rb + 1, c_reg));
            tier = strcmp(cell(&prog, (size_t)ra + 1, c_city),
                          cell(&prog, (size_t)rb + 1, c_city)) == 0
                       ? 0
                       : 1;
            same_city += tier == 0;
        } else {
            solo_a += pb[0] == '\0';
            solo_b += pa[0] == '\0';
            assert_true(solo_a <= 1 && solo_b <= 1);
        }
        assert_true(tier >= last_tier);
        last_tier = tier;
        assert_true(++len <= 30);
        entries++;
    }
    assert_int_equal(members, 2 * want);
    assert_true(md * 2 > members); /* mostly US MD seniors (75% of couples) */
    assert_true(same_city > 0);
    assert_true(entries > 5 * want);
    table_free(&app);
    table_free(&prog);
    /* By default the same couples without lists: one row each, rank and
     * programs empty (generated every replicate), the same programs.csv. */
    synth_couples_lists(0.1, 5, -1, false, again);
    assert_true(files_equal(dir, again, "programs.csv"));
    table gen = {0};
    table_read(&gen, again, "couples.csv");
    assert_int_equal(gen.n_rows, want + 1);
    size_t q = 1;
    for (size_t r = 1; r < cp.n_rows; r++) {
        if (strcmp(cell(&cp, r, 2), "1") == 0) {
            assert_string_equal(cell(&gen, q, 0), cell(&cp, r, 0));
            assert_string_equal(cell(&gen, q, 1), cell(&cp, r, 1));
            for (size_t k = 2; k < 5; k++) {
                assert_string_equal(cell(&gen, q, k), "");
            }
            q++;
        }
    }
    table_free(&gen);
    table_free(&cp);
    /* Rewritten without couples: no couples.csv. */
    const rmc_synth_summary none = synth_couples(0.1, 5, 0, dir);
    assert_int_equal(none.n_couples, 0);
    char path[512];
    snprintf(path, sizeof path, "%s/couples.csv", dir);
    assert_int_equal(access(path, F_OK), -1);
    remove_dir(dir);
    remove_dir(again);
}

/* ---- tracks (docs/synth.md "Tracks") ----------------------------------- */

static rmc_synth_summary synth_tracks(double scale, uint64_t seed, int tracks, const char *dir)
{
    rmc_synth_options o;
    rmc_synth_options_default(&o);
    o.preset = "nrmp2025";
    o.scale = scale;
    o.seed = seed;
    o.tracks = tracks;
    o.force = true;
    rmc_synth_summary sum;
    rmc_diag d = {0};
    if (rmc_synth_write(&o, dir, &sum, &d) != RMC_OK) {
        fail_msg("rmc_synth_write with tracks: %s", d.message);
    }
    return sum;
}

static const char *const tracks[] = {"categorical", "preliminary", "advanced"};

/* Positions of each track in programs.csv; every program has a track. */
static void track_positions(const table *prog, size_t out[3])
{
    const size_t c_track = col_of(prog, "track"), c_pos = col_of(prog, "positions");
    out[0] = out[1] = out[2] = 0;
    for (size_t r = 1; r < prog->n_rows; r++) {
        const int t = in_set(cell(prog, r, c_track), tracks, 3);
        assert_true(t >= 0);
        out[t] += (size_t)num(cell(prog, r, c_pos));
    }
}

/* The national market at scale 1 has NRMP 2025's positions exactly:
 * 43,237 = 40,041 PGY-1 (35,391 categorical + 4,650 preliminary and
 * transitional) + 3,196 advanced; 6,626 programs. At other scales the
 * tracks still add up to the positions. */
static void test_rmc_synth_write_tracks_national_counts(void **state)
{
    (void)state;
    char *dir = new_dir();
    const rmc_synth_summary s = synth_tracks(1.0, 1, 1, dir);
    assert_true(s.tracks);
    assert_int_equal(s.n_applicants, 47208);
    assert_int_equal(s.n_programs, 6626);
    assert_int_equal(s.n_positions, 43237);
    table prog = {0};
    table_read(&prog, dir, "programs.csv");
    assert_int_equal(prog.n_rows - 1, 6626);
    size_t pos[3];
    track_positions(&prog, pos);
    assert_int_equal(pos[0], 35391);
    assert_int_equal(pos[1], 4650);
    assert_int_equal(pos[2], 3196);
    assert_int_equal(pos[0] + pos[1], 40041);
    for (int t = 0; t < 3; t++) {
        assert_int_equal(s.n_positions_track[t], pos[t]);
    }
    table_free(&prog);
    const rmc_synth_summary q = synth_tracks(0.137, 3, 1, dir);
    table_read(&prog, dir, "programs.csv");
    track_positions(&prog, pos);
    assert_int_equal(pos[0] + pos[1] + pos[2], q.n_positions);
    /* each track near its national share: the rows' program counts are
     * rounded, so a track is off by at most about one program per row */
    assert_close((double)pos[2], 3196.0 * (double)q.n_positions / 43237.0, 0.0, 40.0);
    assert_close((double)pos[1], 4650.0 * (double)q.n_positions / 43237.0, 0.0, 25.0);
    table_free(&prog);
    remove_dir(dir);
}

/* The structure the engine builds on: advanced programs only in fields
 * that also list them (anesthesiology, radiology, ...); an applicant's
 * interviews outside their own field (supplemental interviews) are all at
 * preliminary programs and only for applicants with an advanced
 * interview; some applicants interview only at preliminary programs;
 * reversions go from a preliminary donor to an existing categorical
 * receiver, each donor once, positions 1..the donor's, no cycle. */
static void test_rmc_synth_write_tracks_structure(void **state)
{
    (void)state;
    char *dir = new_dir();
    const rmc_synth_summary s = synth_tracks(rmc_test_quick() ? 0.05 : 0.1, 17, 1, dir);
    table app = {0}, prog = {0}, iv = {0}, rv = {0};
    table_read(&app, dir, "applicants.csv");
    table_read(&prog, dir, "programs.csv");
    table_read(&iv, dir, "interviews.csv");
    table_read(&rv, dir, "reversions.csv");
    const size_t c_track = col_of(&prog, "track"), c_pspec = col_of(&prog, "x_specialty");
    const size_t c_aspec = col_of(&app, "x_specialty"), c_pos = col_of(&prog, "positions");
    static const char *const advanced_fields[] = {"anesthesiology",
                                                  "neurology",
                                                  "diagnostic_radiology",
                                                  "dermatology",
                                                  "physical_medicine_rehabilitation",
                                                  "radiation_oncology",
                                                  "other"};
    static const char *const prelim_fields[] = {"prelim_medicine", "prelim_surgery",
                                                "transitional"};
    const size_t n_prog = prog.n_rows - 1, n_app = app.n_rows - 1;
    int *track = calloc(n_prog, sizeof(int));
    assert_non_null(track);
    for (size_t r = 1; r <= n_prog; r++) {
        track[r - 1] = in_set(cell(&prog, r, c_track), tracks, 3);
        assert_true(track[r - 1] >= 0);
        const char *f = cell(&prog, r, c_pspec);
        if (track[r - 1] == 2) {
            assert_true(in_set(f, advanced_fields, 7) >= 0);
        }
        assert_int_equal(track[r - 1] == 1, in_set(f, prelim_fields, 3) >= 0);
    }
    /* interviews grouped by applicant (synth writes them in that order) */
    size_t supp = 0, prelim_only = 0, with_adv = 0, r = 1;
    for (size_t a = 0; a < n_app; a++) {
        const char *id = cell(&app, a + 1, 0), *own = cell(&app, a + 1, c_aspec);
        size_t n = 0, n_pre = 0, n_out = 0, n_adv = 0;
        for (; r < iv.n_rows && strcmp(cell(&iv, r, 0), id) == 0; r++, n++) {
            const int j = find_row(&prog, cell(&iv, r, 1));
            assert_true(j >= 0);
            n_pre += track[j] == 1;
            n_adv += track[j] == 2;
            if (strcmp(cell(&prog, (size_t)j + 1, c_pspec), own) != 0) {
                assert_int_equal(track[j], 1); /* a supplemental interview: preliminary */
                n_out++;
            }
        }
        if (n_out > 0) {
            assert_true(n_adv > 0); /* only applicants to advanced programs get them */
        }
        supp += n_out;
        with_adv += n_adv > 0;
        if (n > 0 && n_pre == n) {
            prelim_only++;
            assert_true(in_set(own, prelim_fields, 3) >= 0);
        }
    }
    assert_int_equal(r, iv.n_rows); /* every interview belongs to an applicant, in order */
    assert_int_equal(supp, s.n_supp_interviews);
    assert_int_equal(with_adv, s.n_supp_applicants);
    assert_int_equal(prelim_only, s.n_prelim_only);
    assert_true(supp > 2 * with_adv); /* several supplemental interviews each, on average */
    assert_true(prelim_only > n_app / 100);
    /* reversions */
    assert_int_equal(rv.n_rows - 1, s.n_reversions);
    assert_true(s.n_reversions > 0);
    int *next = malloc(n_prog * sizeof(int));
    assert_non_null(next);
    for (size_t j = 0; j < n_prog; j++) {
        next[j] = -1;
    }
    for (size_t k = 1; k < rv.n_rows; k++) {
        const int d = find_row(&prog, cell(&rv, k, 0)), to = find_row(&prog, cell(&rv, k, 1));
        assert_true(d >= 0 && to >= 0 && d != to);
        assert_int_equal(track[d], 1);
        assert_int_equal(track[to], 0);
        assert_int_equal(next[d], -1); /* one row per donor */
        next[d] = to;
        const double n = num(cell(&rv, k, 2));
        assert_true(n >= 1.0 && n <= num(cell(&prog, (size_t)d + 1, c_pos)));
    }
    for (size_t j = 0; j < n_prog; j++) { /* following receivers ends: no cycle */
        int at = (int)j;
        size_t steps = 0;
        while (at >= 0 && steps <= n_prog) {
            at = next[at];
            steps++;
        }
        assert_true(at < 0);
    }
    free(next);
    free(track);
    table_free(&app);
    table_free(&prog);
    table_free(&iv);
    table_free(&rv);
    remove_dir(dir);
}

/* A seed writes the same bytes with tracks too; tracks draw from their own
 * streams, so applicants' attributes other than their field are those of
 * the market without tracks (US IMGs' pre_score shifted by the tracks
 * calibration's 0.07, from the same draw); without tracks there is no track column and
 * no reversions.csv (a forced rewrite removes it); presets other than
 * nrmp2025 have no tracks. */
static void test_rmc_synth_write_tracks_deterministic(void **state)
{
    (void)state;
    char *a = new_dir(), *b = new_dir(), *c = new_dir();
    synth_tracks(0.03, 41, 1, a);
    synth_tracks(0.03, 41, 1, b);
    for (size_t i = 0; i < 4; i++) {
        assert_true(files_equal(a, b, files[i]));
    }
    assert_true(files_equal(a, b, "reversions.csv"));
    synth_tracks(0.03, 41, 0, c);
    table ta = {0}, tc = {0};
    table_read(&ta, a, "applicants.csv");
    table_read(&tc, c, "applicants.csv");
    assert_int_equal(ta.n_rows, tc.n_rows);
    const size_t spec = col_of(&ta, "x_specialty"), pre = col_of(&ta, "pre_score");
    const size_t grp = col_of(&ta, "x_group");
    for (size_t r = 0; r < ta.n_rows; r++) {
        const bool us_img = r > 0 && strcmp(cell(&ta, r, grp), "us_img") == 0;
        for (size_t k = 0; k < ta.n_cols; k++) {
            if (r > 0 && k == pre && us_img) { /* the tracks calibration's shift, same draw */
                assert_close(num(cell(&ta, r, k)) - num(cell(&tc, r, k)), 0.07, 0.0, 0.0015);
            } else if (k != spec || r == 0) {
                assert_string_equal(cell(&ta, r, k), cell(&tc, r, k));
            }
        }
    }
    table_free(&ta);
    table_free(&tc);
    table prog = {0};
    table_read(&prog, c, "programs.csv");
    for (size_t k = 0; k < prog.n_cols; k++) {
        assert_string_not_equal(cell(&prog, 0, k), "track");
    }
    table_free(&prog);
    char path[512];
    snprintf(path, sizeof path, "%s/reversions.csv", c);
    assert_int_equal(access(path, F_OK), -1);
    synth_tracks(0.03, 41, 0, a); /* forced over a market with tracks */
    snprintf(path, sizeof path, "%s/reversions.csv", a);
    assert_int_equal(access(path, F_OK), -1);
    assert_true(files_equal(a, c, "programs.csv"));
    rmc_synth_options o;
    rmc_synth_options_default(&o);
    assert_int_equal(o.tracks, -1); /* the preset's choice: nrmp2025 with tracks, im without */
    o.preset = "nrmp2025";
    o.scale = 0.01;
    o.force = true;
    rmc_synth_summary sum;
    assert_int_equal(rmc_synth_write(&o, b, &sum, NULL), RMC_OK);
    assert_true(sum.tracks);
    o.preset = "im";
    assert_int_equal(rmc_synth_write(&o, b, &sum, NULL), RMC_OK);
    assert_false(sum.tracks);
    o.tracks = 1;
    rmc_diag d = {0};
    assert_int_equal(rmc_synth_write(&o, b, NULL, &d), RMC_EUSAGE);
    assert_non_null(strstr(d.message, "no tracks"));
    remove_dir(a);
    remove_dir(b);
    remove_dir(c);
}

/* ---- errors ----------------------------------------------------------- */

static rmc_status try_synth(const char *preset, double scale, size_t n_app, const char *dir,
                            bool force, rmc_diag *d)
{
    rmc_synth_options o;
    rmc_synth_options_default(&o);
    o.preset = preset;
    o.scale = scale;
    o.n_applicants = n_app;
    o.force = force;
    return rmc_synth_write(&o, dir, NULL, d);
}

static void test_rmc_synth_write_bad_usage(void **state)
{
    (void)state;
    char *dir = new_dir();
    rmc_diag d = {0};
    assert_int_equal(try_synth("nrmp2024", 1.0, 0, dir, false, &d), RMC_EUSAGE);
    assert_non_null(strstr(d.message, "nrmp2024"));
    assert_int_equal(try_synth(NULL, 1.0, 0, dir, false, &d), RMC_EUSAGE);
    assert_int_equal(try_synth("im", 0.0, 0, dir, false, &d), RMC_EUSAGE);
    assert_int_equal(try_synth("im", -0.37, 0, dir, false, &d), RMC_EUSAGE);
    assert_int_equal(try_synth("im", (double)NAN, 0, dir, false, &d), RMC_EUSAGE);
    assert_int_equal(try_synth("im", HUGE_VAL, 0, dir, false, &d), RMC_EUSAGE);
    assert_int_equal(try_synth("im", 1e6, 0, dir, false, &d), RMC_EUSAGE);
    assert_int_equal(try_synth("im-regional", 1e-4, 0, dir, false, &d), RMC_EUSAGE);
    assert_int_equal(try_synth("im", 1.0, 100000000, dir, false, &d), RMC_EUSAGE);
    assert_int_equal(try_synth("im", 1.0, 0, "", false, &d), RMC_EUSAGE);
    /* Nothing was written for any of them. */
    DIR *dd = opendir(dir);
    size_t entries = 0;
    while (readdir(dd) != NULL) {
        entries++;
    }
    closedir(dd);
    assert_int_equal(entries, 2);
    remove_dir(dir);
    assert_null(rmc_synth_preset_name(99));
    assert_null(rmc_synth_group_name(RMC_SYNTH_N_GROUPS));
    assert_string_equal(rmc_synth_group_name(RMC_SYNTH_NON_US_IMG), "non_us_img");
}

static void test_rmc_synth_write_refuses_nonempty(void **state)
{
    (void)state;
    char *dir = new_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/couples.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("applicant_a,applicant_b,rank,program_a,program_b\n", f);
    fclose(f);
    rmc_diag d = {0};
    assert_int_equal(try_synth("im-regional", 1.0, 0, dir, false, &d), RMC_EEXIST);
    snprintf(path, sizeof path, "%s/applicants.csv", dir);
    assert_int_equal(access(path, F_OK), -1);
    /* With force: written, and the stale couples file is gone. */
    assert_int_equal(try_synth("im-regional", 1.0, 0, dir, true, &d), RMC_OK);
    assert_int_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/couples.csv", dir);
    assert_int_equal(access(path, F_OK), -1);
    /* A folder under a missing parent cannot be created. */
    snprintf(path, sizeof path, "%s/no/such", dir);
    assert_int_equal(try_synth("im-regional", 1.0, 0, path, false, &d), RMC_EIO);
    remove_dir(dir);
}

/* Fail each allocation in turn: a clean RMC_ENOMEM, no temporary files. */
static void test_rmc_synth_write_alloc_failure(void **state)
{
    (void)state;
    char *dir = new_dir();
    rmc_status st = RMC_ENOMEM;
    size_t k = 1;
    for (; st == RMC_ENOMEM && k < 200; k++) {
        rmc_mem_fail_at(k);
        rmc_synth_options o;
        rmc_synth_options_default(&o);
        o.n_applicants = 37;
        o.n_programs = 3;
        st = rmc_synth_write(&o, dir, NULL, NULL);
        rmc_mem_fail_at(0);
        if (st == RMC_ENOMEM) {
            DIR *dd = opendir(dir);
            size_t entries = 0;
            while (readdir(dd) != NULL) {
                entries++;
            }
            closedir(dd);
            assert_int_equal(entries, 2);
        }
    }
    assert_int_equal(st, RMC_OK);
    assert_true(k > 20);
    /* with tracks: the supplemental interviews and reversions allocate too */
    remove_dir(dir);
    dir = new_dir();
    st = RMC_ENOMEM;
    for (k = 1; st == RMC_ENOMEM && k < 400; k++) {
        rmc_mem_fail_at(k);
        rmc_synth_options o;
        rmc_synth_options_default(&o);
        o.preset = "nrmp2025";
        o.tracks = 1;
        o.n_applicants = 300;
        o.n_programs = 80;
        st = rmc_synth_write(&o, dir, NULL, NULL);
        rmc_mem_fail_at(0);
        if (st == RMC_ENOMEM) {
            DIR *dd = opendir(dir);
            size_t entries = 0;
            while (readdir(dd) != NULL) {
                entries++;
            }
            closedir(dd);
            assert_int_equal(entries, 2);
        }
    }
    assert_int_equal(st, RMC_OK);
    assert_true(k > 40);
    remove_dir(dir);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_synth_write_same_seed_identical),
        cmocka_unit_test(test_rmc_synth_write_structure_nrmp),
        cmocka_unit_test(test_rmc_synth_write_structure_regional),
        cmocka_unit_test(test_rmc_synth_write_counts_nrmp),
        cmocka_unit_test(test_rmc_synth_write_pre_score_mean),
        cmocka_unit_test(test_rmc_synth_write_scale_proportional),
        cmocka_unit_test(test_rmc_synth_write_tiny),
        cmocka_unit_test(test_rmc_synth_write_loads),
        cmocka_unit_test(test_rmc_synth_write_couples),
        cmocka_unit_test(test_rmc_synth_write_tracks_national_counts),
        cmocka_unit_test(test_rmc_synth_write_tracks_structure),
        cmocka_unit_test(test_rmc_synth_write_tracks_deterministic),
        cmocka_unit_test(test_rmc_synth_write_tracks_load),
        cmocka_unit_test(test_rmc_synth_write_bad_usage),
        cmocka_unit_test(test_rmc_synth_write_refuses_nonempty),
        cmocka_unit_test(test_rmc_synth_write_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
