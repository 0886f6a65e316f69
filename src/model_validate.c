/* The model tables (DESIGN 1): one row function per CSV file, strict value
 * parsing, cross-references, and the indexes the simulation reads.
 *
 * Values: numbers through strtod / strtol with the whole field consumed,
 * finite, within the column's range; enums spelled exactly. A row whose id
 * resolves is kept even when another of its values is bad (set to 0), so
 * one mistake does not cascade into "unknown id" reports elsewhere.
 * References to a table whose file is missing or empty are not reported
 * (the missing file already is).
 *
 * Interviews are indexed both ways in CSR form and by (applicant, program)
 * in an open-addressing table, which ROLs and couples use to check that
 * every program they name was an interview and to store its index. ROL and
 * couple rows may come in any order; each owner's ranks must be exactly
 * 1..n (checked by placing row r at slot rank - 1: a rank beyond n or a
 * taken slot is the problem), and the lists are stored in rank order.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "joint_int.h"
#include "model_load_int.h"
#include "rankmc/profile.h"

#define MAX_COUNT 1000000L /* positions, interviewers, residents, ranks */

/* ---- value parsing: each reports its own problem and returns false ---- */

static bool get_real(rmc_loader *L, long line, const char *col, const char *s, double lo, double hi,
                     double *out)
{
    *out = 0;
    char *end = NULL;
    errno = 0;
    const double v = s[0] ? strtod(s, &end) : 0;
    if (s[0] == '\0' || *end != '\0') {
        rmc_model_problem(L, line, "column '%s': '%.40s' is not a number", col, s);
    } else if (!isfinite(v) || errno == ERANGE) {
        rmc_model_problem(L, line, "column '%s': '%.40s' is not a finite number", col, s);
    } else if (v < lo || v > hi) {
        if (isinf(hi)) {
            rmc_model_problem(L, line, "column '%s': %.40s is below %g", col, s, lo);
        } else {
            rmc_model_problem(L, line, "column '%s': %.40s is outside %g..%g", col, s, lo, hi);
        }
    } else {
        *out = v;
        return true;
    }
    return false;
}

static bool get_int(rmc_loader *L, long line, const char *col, const char *s, long lo, long hi,
                    int32_t *out)
{
    *out = 0;
    char *end = NULL;
    errno = 0;
    const long v = s[0] ? strtol(s, &end, 10) : 0;
    if (s[0] == '\0' || *end != '\0') {
        rmc_model_problem(L, line, "column '%s': '%.40s' is not a whole number", col, s);
    } else if (errno == ERANGE || v < lo || v > hi) {
        rmc_model_problem(L, line, "column '%s': %.40s is outside %ld..%ld", col, s, lo, hi);
    } else {
        *out = (int32_t)v;
        return true;
    }
    return false;
}

static bool get_enum(rmc_loader *L, long line, const char *col, const char *s,
                     const char *const *names, size_t n, uint8_t *out)
{
    *out = 0;
    for (size_t v = 0; v < n; v++) {
        if (strcmp(s, names[v]) == 0) {
            *out = (uint8_t)v;
            return true;
        }
    }
    char allowed[160] = "";
    for (size_t v = 0; v < n; v++) {
        const size_t len = strlen(allowed);
        snprintf(allowed + len, sizeof allowed - len, "%s%s", v ? ", " : "", names[v]);
    }
    rmc_model_problem(L, line, "column '%s': '%.40s' is not one of %s", col, s, allowed);
    return false;
}

/* Look an id up; an unknown one is a problem unless its table is empty. */
static rmc_id resolve(rmc_loader *L, long line, bool applicant, const char *col, const char *id)
{
    const rmc_model *m = L->m;
    const rmc_id i = applicant ? rmc_model_index_find(m->app_id, &m->app_index, id)
                               : rmc_model_index_find(m->prog_id, &m->prog_index, id);
    if (i == RMC_ID_NONE && (applicant ? m->n_app : m->n_prog) > 0) {
        rmc_model_problem(L, line, "column '%s': unknown %s '%.80s' (not in %s)", col,
                          applicant ? "applicant" : "program", id,
                          applicant ? "applicants.csv" : "programs.csv");
    }
    return i;
}

/* ---- applicants.csv ---- */

/* pre_score or step2_ck: one of the two in every row (docs/forecast.md maps
 * a Step 2 CK score to pre_score by type with the [step2_ck] parameters). */
static const char *const app_cols[] = {
    "id",   "type",    "communication", "clinical_years", "us_experience",
    "visa", "profile", "pre_score",     "step2_ck"};
#define PROFILE_DERIVE 0xFF

/* pre_score, or step2_ck mapped through [step2_ck] by type (each row gives
 * exactly one; an empty field counts as not given). */
static void app_score(rmc_loader *L, const char *pre, const char *ck, bool type_ok, long line,
                      size_t i)
{
    rmc_model *m = L->m;
    const bool has_pre = pre != NULL && pre[0] != '\0', has_ck = ck != NULL && ck[0] != '\0';
    m->pre_score[i] = 0;
    if (pre == NULL && ck == NULL) {
        if (!L->app_score_reported) {
            rmc_model_problem(L, 1, "needs a column 'pre_score' or 'step2_ck'");
            L->app_score_reported = true;
        }
    } else if (has_pre && has_ck) {
        rmc_model_problem(L, line, "give 'pre_score' or 'step2_ck', not both");
    } else if (has_pre) {
        get_real(L, line, "pre_score", pre, -HUGE_VAL, HUGE_VAL, &m->pre_score[i]);
    } else if (has_ck) {
        double v = 0;
        if (get_real(L, line, "step2_ck", ck, 1, 300, &v) && type_ok) {
            m->pre_score[i] = rmc_step2_ck_pre_score(&m->params, (rmc_type)m->app_type[i], v);
        }
    } else if (ck == NULL) {
        get_real(L, line, "pre_score", pre, -HUGE_VAL, HUGE_VAL, &m->pre_score[i]);
    } else {
        rmc_model_problem(L, line, "columns 'pre_score' and 'step2_ck' are both empty");
    }
}

static rmc_status app_row(rmc_loader *L, const char *const *f, long line)
{
    rmc_model *m = L->m;
    if (f[0][0] == '\0') {
        rmc_model_problem(L, line, "column 'id' is empty");
        return RMC_OK;
    }
    void **const arrs[] = {
        (void **)&m->app_id,        (void **)&m->app_type,       (void **)&m->pre_score,
        (void **)&m->communication, (void **)&m->clinical_years, (void **)&m->us_exp,
        (void **)&m->visa,          (void **)&m->profile,        (void **)&L->app_line};
    const size_t elem[] = {
        sizeof(char *), 1, sizeof(double), sizeof(double), sizeof(double), 1, 1, 1, sizeof(long)};
    RMC_TRY(rmc_model_grow(arrs, elem, 9, m->n_app, &L->cap_app, L->d));
    const size_t i = m->n_app;
    RMC_TRY(rmc_strdup(&m->app_id[i], f[0], L->d));
    const bool type_ok =
        get_enum(L, line, "type", f[1], rmc_type_names, RMC_N_TYPES, &m->app_type[i]);
    get_real(L, line, "communication", f[2], 0, 1, &m->communication[i]);
    get_real(L, line, "clinical_years", f[3], 0, HUGE_VAL, &m->clinical_years[i]);
    get_enum(L, line, "us_experience", f[4], rmc_usexp_names, RMC_N_USEXP, &m->us_exp[i]);
    get_enum(L, line, "visa", f[5], rmc_visa_names, RMC_N_VISA, &m->visa[i]);
    m->profile[i] = PROFILE_DERIVE;
    if (f[6] != NULL && f[6][0] != '\0') {
        get_enum(L, line, "profile", f[6], rmc_profile_names, RMC_N_PROFILES, &m->profile[i]);
    }
    app_score(L, f[7], f[8], type_ok, line, i);
    L->app_line[i] = line;
    m->n_app++;
    return RMC_OK;
}

static rmc_status read_table(rmc_loader *L, const rmc_csv_spec *spec)
{
    bool found = false;
    RMC_TRY(rmc_csv_read(L, spec, &found));
    if (!found) {
        rmc_model_problem(L, 0, "missing required file");
    }
    return RMC_OK;
}

rmc_status rmc_model_read_applicants(rmc_loader *L)
{
    static const rmc_csv_spec spec = {"applicants.csv", app_cols, 9, 6, true, app_row, false};
    RMC_TRY(read_table(L, &spec));
    rmc_model *m = L->m;
    return rmc_model_index_build(L, m->app_id, m->n_app, L->app_line, "applicant", &m->app_index);
}

/* ---- programs.csv ---- */

static const char *const prog_cols[] = {"id",        "name",     "positions",    "interviewers",
                                        "residents", "sponsors", "service_load", "desirability",
                                        "track",     "region",   "city"};

/* The index of name in names[0 .. *n), added (and *line_of set) when new. */
static rmc_status intern_name(rmc_loader *L, char ***names, size_t *n, size_t *cap,
                              int32_t **region_of, long **line_of, const char *name, int32_t *out)
{
    for (size_t t = 0; t < *n; t++) {
        if (strcmp((*names)[t], name) == 0) {
            *out = (int32_t)t;
            return RMC_OK;
        }
    }
    if (*n >= INT32_MAX) {
        return RMC_FAIL(L->d, RMC_ELIMIT, "more than %d places", INT32_MAX);
    }
    void **const arrs[] = {(void **)names, (void **)region_of, (void **)line_of};
    const size_t elem[] = {sizeof(char *), sizeof(int32_t), sizeof(long)};
    RMC_TRY(rmc_model_grow(arrs, elem, region_of != NULL ? 3 : 1, *n, cap, L->d));
    RMC_TRY(rmc_strdup(&(*names)[*n], name, L->d));
    *out = (int32_t)(*n)++;
    return RMC_OK;
}

/* Program j's region and city (the optional columns; docs/model-format.md):
 * a city needs a region and stays in the region it was first named in. */
static rmc_status prog_place(rmc_loader *L, long line, size_t j, const char *region,
                             const char *city)
{
    rmc_model *m = L->m;
    m->prog_region[j] = m->prog_city[j] = -1;
    L->has_region = L->has_region || region != NULL;
    L->has_city = L->has_city || city != NULL;
    if (region != NULL && region[0] != '\0') {
        RMC_TRY(intern_name(L, &m->region_name, &m->n_region, &L->cap_region, NULL, NULL, region,
                            &m->prog_region[j]));
    }
    if (city == NULL || city[0] == '\0') {
        return RMC_OK;
    }
    if (m->prog_region[j] < 0) {
        rmc_model_problem(L, line, "city '%.80s' without a region (a city is in one region)", city);
        return RMC_OK;
    }
    const size_t before = m->n_city;
    int32_t c = -1;
    RMC_TRY(intern_name(L, &m->city_name, &m->n_city, &L->cap_city, &m->city_region, &L->city_line,
                        city, &c));
    if (m->n_city > before) {
        m->city_region[c] = m->prog_region[j];
        L->city_line[c] = line;
    } else if (m->city_region[c] != m->prog_region[j]) {
        rmc_model_problem(L, line,
                          "city '%.80s' is in region '%.80s' here but in '%.80s' on line %ld (a "
                          "city is in one region)",
                          city, m->region_name[m->prog_region[j]],
                          m->region_name[m->city_region[c]], L->city_line[c]);
        return RMC_OK;
    }
    m->prog_city[j] = c;
    return RMC_OK;
}

static rmc_status prog_row(rmc_loader *L, const char *const *f, long line)
{
    rmc_model *m = L->m;
    if (f[0][0] == '\0') {
        rmc_model_problem(L, line, "column 'id' is empty");
        return RMC_OK;
    }
    void **const arrs[] = {
        (void **)&m->prog_id,      (void **)&m->prog_name,    (void **)&m->positions,
        (void **)&m->interviewers, (void **)&m->residents,    (void **)&m->sponsors,
        (void **)&m->service_load, (void **)&m->desirability, (void **)&L->prog_line,
        (void **)&m->track,        (void **)&m->prog_region,  (void **)&m->prog_city};
    const size_t elem[] = {sizeof(char *), sizeof(char *), 4, 4, 4, 1, sizeof(double),
                           sizeof(double), sizeof(long),   1, 4, 4};
    RMC_TRY(rmc_model_grow(arrs, elem, 12, m->n_prog, &L->cap_prog, L->d));
    const size_t j = m->n_prog;
    RMC_TRY(rmc_strdup(&m->prog_id[j], f[0], L->d));
    const rmc_status st = rmc_strdup(&m->prog_name[j], f[1], L->d);
    if (st != RMC_OK) {
        rmc_free(m->prog_id[j]);
        return st;
    }
    get_int(L, line, "positions", f[2], 1, MAX_COUNT, &m->positions[j]);
    get_int(L, line, "interviewers", f[3], 1, MAX_COUNT, &m->interviewers[j]);
    get_int(L, line, "residents", f[4], 0, MAX_COUNT, &m->residents[j]);
    get_enum(L, line, "sponsors", f[5], rmc_sponsors_names, RMC_N_SPONSORS, &m->sponsors[j]);
    get_real(L, line, "service_load", f[6], 0, 1, &m->service_load[j]);
    get_real(L, line, "desirability", f[7], -HUGE_VAL, HUGE_VAL, &m->desirability[j]);
    m->track[j] = RMC_TRACK_CATEGORICAL;
    if (f[8] != NULL && f[8][0] != '\0') {
        get_enum(L, line, "track", f[8], rmc_track_names, RMC_N_TRACKS, &m->track[j]);
    }
    RMC_TRY(prog_place(L, line, j, f[9], f[10]));
    m->n_positions += (size_t)m->positions[j];
    L->prog_line[j] = line;
    m->n_prog++;
    return RMC_OK;
}

rmc_status rmc_model_read_programs(rmc_loader *L)
{
    static const rmc_csv_spec spec = {"programs.csv", prog_cols, 11, 8, true, prog_row, false};
    RMC_TRY(read_table(L, &spec));
    rmc_model *m = L->m;
    if (!L->has_region && !L->has_city) { /* no locations: the arrays say so by NULL */
        rmc_free(m->prog_region);
        rmc_free(m->prog_city);
        m->prog_region = m->prog_city = NULL;
    }
    return rmc_model_index_build(L, m->prog_id, m->n_prog, L->prog_line, "program", &m->prog_index);
}

/* ---- interviews.csv ---- */

static const char *const iv_cols[] = {"applicant", "program",  "advocacy",
                                      "ties",      "interest", "loi"};

static rmc_status iv_row(rmc_loader *L, const char *const *f, long line)
{
    rmc_model *m = L->m;
    const rmc_id a = resolve(L, line, true, "applicant", f[0]);
    const rmc_id p = resolve(L, line, false, "program", f[1]);
    uint8_t adv = 0, interest = 0;
    int32_t ties = 0;
    get_enum(L, line, "advocacy", f[2], rmc_advocacy_names, RMC_N_ADVOCACY, &adv);
    get_int(L, line, "ties", f[3], 0, 1, &ties);
    get_enum(L, line, "interest", f[4], rmc_interest_names, RMC_N_INTEREST, &interest);
    int32_t loi = 0;
    if (f[5] != NULL && f[5][0] != '\0') {
        get_int(L, line, "loi", f[5], 0, 1, &loi);
    }
    if (a == RMC_ID_NONE || p == RMC_ID_NONE) {
        return RMC_OK;
    }
    void **const arrs[] = {(void **)&m->iv_app, (void **)&m->iv_prog,  (void **)&m->advocacy,
                           (void **)&m->ties,   (void **)&m->interest, (void **)&m->loi,
                           (void **)&L->iv_line};
    const size_t elem[] = {sizeof(rmc_id), sizeof(rmc_id), 1, 1, 1, 1, sizeof(long)};
    RMC_TRY(rmc_model_grow(arrs, elem, 7, m->n_iv, &L->cap_iv, L->d));
    const size_t k = m->n_iv++;
    m->iv_app[k] = a;
    m->iv_prog[k] = p;
    m->advocacy[k] = adv;
    m->ties[k] = (uint8_t)ties;
    m->interest[k] = interest;
    m->loi[k] = (uint8_t)loi;
    L->iv_line[k] = line;
    return RMC_OK;
}

/* Whether stored interview k is (applicant a, program p). */
typedef struct pair_key {
    const rmc_model *m;
    rmc_id a, p;
} pair_key;

static bool same_pair(const void *ctx, rmc_id k)
{
    const pair_key *key = ctx;
    return key->m->iv_app[k] == key->a && key->m->iv_prog[k] == key->p;
}

rmc_id rmc_model_find_interview(const rmc_loader *L, rmc_id a, rmc_id p)
{
    const pair_key key = {L->m, a, p};
    return rmc_id_table_find(&L->iv_index, rmc_hash_pair(a, p), same_pair, &key, NULL);
}

static rmc_status index_pairs(rmc_loader *L)
{
    const rmc_model *m = L->m;
    RMC_TRY(rmc_id_table_alloc(&L->iv_index, m->n_iv, L->d));
    for (size_t k = 0; k < m->n_iv; k++) {
        const pair_key key = {m, m->iv_app[k], m->iv_prog[k]};
        size_t slot = 0;
        const rmc_id first =
            rmc_id_table_find(&L->iv_index, rmc_hash_pair(key.a, key.p), same_pair, &key, &slot);
        if (first != RMC_ID_NONE) {
            rmc_model_problem(L, L->iv_line[k],
                              "duplicate interview of applicant '%.80s' at program '%.80s' "
                              "(first on line %ld)",
                              m->app_id[m->iv_app[k]], m->prog_id[m->iv_prog[k]],
                              L->iv_line[first]);
            continue;
        }
        rmc_id_table_put(&L->iv_index, slot, (rmc_id)k);
    }
    return RMC_OK;
}

/* CSR of interview indices grouped by key[k] (n_keys groups, file order within). */
static rmc_status group_csr(const rmc_id *key, size_t n, size_t n_keys, size_t **off,
                            rmc_id **items, rmc_diag *d)
{
    RMC_TRY(rmc_calloc_array((void **)off, n_keys + 1, sizeof **off, d));
    RMC_TRY(rmc_alloc_array((void **)items, n, sizeof **items, d));
    for (size_t k = 0; k < n; k++) {
        (*off)[key[k] + 1]++;
    }
    for (size_t g = 0; g < n_keys; g++) {
        (*off)[g + 1] += (*off)[g];
    }
    for (size_t k = 0; k < n; k++) {
        /* off[g] serves as the fill cursor, then is shifted back below */
        (*items)[(*off)[key[k]]++] = (rmc_id)k;
    }
    for (size_t g = n_keys; g > 0; g--) {
        (*off)[g] = (*off)[g - 1];
    }
    (*off)[0] = 0;
    return RMC_OK;
}

rmc_status rmc_model_read_interviews(rmc_loader *L)
{
    static const rmc_csv_spec spec = {"interviews.csv", iv_cols, 6, 5, true, iv_row, false};
    RMC_TRY(read_table(L, &spec));
    rmc_model *m = L->m;
    RMC_TRY(index_pairs(L));
    RMC_TRY(group_csr(m->iv_prog, m->n_iv, m->n_prog, &m->prog_off, &m->iv_by_prog, L->d));
    RMC_TRY(group_csr(m->iv_app, m->n_iv, m->n_app, &m->app_off, &m->iv_by_app, L->d));
    RMC_TRY(rmc_alloc_array((void **)&m->prog_by_app, m->n_iv, sizeof *m->prog_by_app, L->d));
    rmc_model_fill_prog_by_app(m);
    return RMC_OK;
}

/* ---- fixed ROLs and couples: rows staged, then checked and stored ---- */

/* Rows of one ROL or couples file, in file order. For ROLs pb / ivb are
 * unused; for couples "owner" is the couple index. */
typedef struct stage {
    bool applicant_side; /* ROLs: applicant_rols.csv (else program_rols.csv) */
    size_t n, cap;
    rmc_id *owner;
    int32_t *rank;
    rmc_id *pa, *pb; /* ROLs: the ranked program / applicant in pa */
    rmc_id *iva, *ivb;
    long *line;
    bool *bad;          /* [owners]: a row of this owner had a problem */
    size_t cap_couples; /* couples allocated in couple_a / couple_b / couple_line */
    long *couple_line;  /* first line of each couple */
    long *gen_line;     /* [couples] line of its "generated list" row, or 0 */
    long *ranked_line;  /* [couples] line of its first ranked row, or 0 */
} stage;

static void stage_free(stage *s)
{
    void *const arrs[] = {s->owner, s->rank, s->pa,          s->pb,       s->iva,        s->ivb,
                          s->line,  s->bad,  s->couple_line, s->gen_line, s->ranked_line};
    for (size_t i = 0; i < sizeof arrs / sizeof arrs[0]; i++) {
        rmc_free(arrs[i]);
    }
}

static rmc_status stage_push(rmc_loader *L, rmc_id owner, int32_t rank, rmc_id pa, rmc_id pb,
                             rmc_id iva, rmc_id ivb, long line)
{
    stage *s = L->stage;
    void **const arrs[] = {(void **)&s->owner, (void **)&s->rank, (void **)&s->pa,  (void **)&s->pb,
                           (void **)&s->iva,   (void **)&s->ivb,  (void **)&s->line};
    const size_t elem[] = {
        sizeof(rmc_id), 4,           sizeof(rmc_id), sizeof(rmc_id), sizeof(rmc_id),
        sizeof(rmc_id), sizeof(long)};
    RMC_TRY(rmc_model_grow(arrs, elem, 7, s->n, &s->cap, L->d));
    const size_t r = s->n++;
    s->owner[r] = owner;
    s->rank[r] = rank;
    s->pa[r] = pa;
    s->pb[r] = pb;
    s->iva[r] = iva;
    s->ivb[r] = ivb;
    s->line[r] = line;
    return RMC_OK;
}

/* The interview of a at p, reporting its absence (unless interviews.csv
 * gave nothing to check against). */
static rmc_id need_interview(rmc_loader *L, long line, rmc_id a, rmc_id p)
{
    const rmc_model *m = L->m;
    const rmc_id k = rmc_model_find_interview(L, a, p);
    if (k == RMC_ID_NONE && m->n_iv > 0) {
        rmc_model_problem(L, line,
                          "applicant '%.80s' did not interview at program '%.80s' (a list may "
                          "only name interviews from interviews.csv)",
                          m->app_id[a], m->prog_id[p]);
    }
    return k;
}

/* Applicant a's supplemental list labelled `label`, or RMC_ID_NONE. */
static rmc_id find_sup_list(const rmc_loader *L, rmc_id a, const char *label)
{
    for (rmc_id l = L->sup_first[a]; l != RMC_ID_NONE; l = L->sup_next[l]) {
        if (strcmp(L->m->sup_label[l], label) == 0) {
            return l;
        }
    }
    return RMC_ID_NONE;
}

/* applicant_rols.csv's optional `supplemental` column: the list serving an
 * advanced entry (empty: none). RMC_ID_NONE, with a problem when the label
 * is bad. */
static rmc_id entry_sup_list(rmc_loader *L, long line, rmc_id a, rmc_id p, const char *label,
                             bool *ok)
{
    const rmc_model *m = L->m;
    if (label == NULL || label[0] == '\0') {
        return RMC_ID_NONE;
    }
    const rmc_id l = find_sup_list(L, a, label);
    if (l == RMC_ID_NONE) {
        rmc_model_problem(L, line,
                          "applicant '%.80s' has no supplemental list '%.40s' (in "
                          "supplemental_rols.csv)",
                          m->app_id[a], label);
        *ok = false;
        return RMC_ID_NONE;
    }
    L->sup_used[l] = true;
    if (p != RMC_ID_NONE && rmc_model_track_of(m, (size_t)p) != RMC_TRACK_ADVANCED) {
        rmc_model_problem(L, line,
                          "supplemental list '%.40s' named on the entry of program '%.80s', "
                          "which is %s: only advanced programs' entries link a supplemental list",
                          label, m->prog_id[p], rmc_track_names[rmc_model_track_of(m, (size_t)p)]);
        *ok = false;
    }
    return l;
}

static rmc_status rol_row(rmc_loader *L, const char *const *f, long line)
{
    stage *s = L->stage;
    const bool side = s->applicant_side;
    const rmc_id owner = resolve(L, line, side, side ? "applicant" : "program", f[0]);
    int32_t rank = 0;
    bool ok = get_int(L, line, "rank", f[1], 1, MAX_COUNT, &rank);
    const rmc_id target = resolve(L, line, !side, side ? "program" : "applicant", f[2]);
    if (owner == RMC_ID_NONE) {
        return RMC_OK;
    }
    const rmc_id list = side ? entry_sup_list(L, line, owner, target, f[3], &ok) : RMC_ID_NONE;
    rmc_id k = RMC_ID_NONE;
    if (target != RMC_ID_NONE) {
        k = side ? need_interview(L, line, owner, target) : need_interview(L, line, target, owner);
    }
    if (!ok || k == RMC_ID_NONE) {
        s->bad[owner] = true;
        return RMC_OK;
    }
    return stage_push(L, owner, rank, target, list, k, RMC_ID_NONE, line);
}

/* Place each good owner's rows at slot[off[o] + rank - 1]; off counts rows
 * per owner. A rank beyond the list's length or a taken slot is a problem. */
static void place_by_rank(rmc_loader *L, const size_t *off, rmc_id *slot, const char *what,
                          char *const *names)
{
    const stage *s = L->stage;
    for (size_t r = 0; r < s->n; r++) {
        const rmc_id o = s->owner[r];
        const size_t len = off[o + 1] - off[o];
        const size_t rank = (size_t)s->rank[r];
        if (s->bad[o]) {
            continue;
        }
        if (rank > len) {
            rmc_model_problem(L, s->line[r],
                              "rank %zu, but %s '%.80s' has only %zu rows (ranks must run "
                              "1..%zu without gaps)",
                              rank, what, names[o], len, len);
        } else if (slot[off[o] + rank - 1] != RMC_ID_NONE) {
            rmc_model_problem(L, s->line[r],
                              "duplicate rank %zu for %s '%.80s' (first on line %ld)", rank, what,
                              names[o], s->line[slot[off[o] + rank - 1]]);
        } else {
            slot[off[o] + rank - 1] = (rmc_id)r;
        }
    }
}

/* Per-owner row counts as CSR offsets [n_owners + 1] (bad owners: 0 rows). */
static rmc_status count_rows(rmc_loader *L, size_t n_owners, size_t **off)
{
    const stage *s = L->stage;
    RMC_TRY(rmc_calloc_array((void **)off, n_owners + 1, sizeof **off, L->d));
    for (size_t r = 0; r < s->n; r++) {
        (*off)[s->owner[r] + 1] += !s->bad[s->owner[r]];
    }
    for (size_t o = 0; o < n_owners; o++) {
        (*off)[o + 1] += (*off)[o];
    }
    return RMC_OK;
}

/* A list naming the same program (applicant) twice is a problem. */
static rmc_status check_repeats(rmc_loader *L, const size_t *off, const rmc_id *slot,
                                size_t n_owners, size_t n_targets)
{
    const stage *s = L->stage;
    const rmc_model *m = L->m;
    rmc_id *seen = NULL; /* target -> row that named it in the current list */
    RMC_TRY(rmc_alloc_array((void **)&seen, n_targets, sizeof *seen, L->d));
    memset(seen, 0xff, n_targets * sizeof *seen);
    for (size_t o = 0; o < n_owners; o++) {
        for (size_t q = off[o]; q < off[o + 1]; q++) {
            const rmc_id r = slot[q];
            if (r == RMC_ID_NONE) {
                continue;
            }
            const rmc_id t = s->pa[r];
            if (seen[t] != RMC_ID_NONE && s->owner[seen[t]] == (rmc_id)o) {
                rmc_model_problem(L, s->line[r], "%s '%.80s' is ranked twice (also on line %ld)",
                                  s->applicant_side ? "program" : "applicant",
                                  s->applicant_side ? m->prog_id[t] : m->app_id[t],
                                  s->line[seen[t]]);
            }
            seen[t] = r;
        }
    }
    rmc_free(seen);
    return RMC_OK;
}

/* Check ranks and store the lists in rank order in the model. */
static rmc_status store_rols(rmc_loader *L)
{
    const stage *s = L->stage;
    rmc_model *m = L->m;
    const bool side = s->applicant_side;
    const size_t n_owners = side ? m->n_app : m->n_prog;
    size_t **off = side ? &m->arol_off : &m->prol_off;
    rmc_id **items = side ? &m->arol_prog : &m->prol_app;
    rmc_id **ivs = side ? &m->arol_iv : &m->prol_iv;
    bool *has = side ? m->has_app_rol : m->has_prog_rol;
    RMC_TRY(count_rows(L, n_owners, off));
    const size_t n = (*off)[n_owners];
    RMC_TRY(rmc_alloc_array((void **)items, n, sizeof **items, L->d));
    RMC_TRY(rmc_alloc_array((void **)ivs, n, sizeof **ivs, L->d));
    memset(*items, 0xff, n * sizeof **items); /* slots start empty */
    place_by_rank(L, *off, *items, side ? "applicant" : "program", side ? m->app_id : m->prog_id);
    RMC_TRY(check_repeats(L, *off, *items, n_owners, side ? m->n_prog : m->n_app));
    size_t n_lists = 0;
    for (size_t o = 0; o < n_owners; o++) {
        has[o] = (*off)[o + 1] > (*off)[o];
        n_lists += has[o];
    }
    if (side) {
        RMC_TRY(rmc_alloc_array((void **)&m->arol_sup, n, sizeof *m->arol_sup, L->d));
    }
    for (size_t q = 0; q < n; q++) {
        const rmc_id r = (*items)[q];
        (*items)[q] = r != RMC_ID_NONE ? s->pa[r] : RMC_ID_NONE;
        (*ivs)[q] = r != RMC_ID_NONE ? s->iva[r] : RMC_ID_NONE;
        if (side) {
            m->arol_sup[q] = r != RMC_ID_NONE ? s->pb[r] : RMC_ID_NONE;
        }
    }
    *(side ? &m->n_app_rols : &m->n_prog_rols) = n_lists;
    return RMC_OK;
}

static const char *const arol_cols[] = {"applicant", "rank", "program", "supplemental"};
static const char *const prol_cols[] = {"program", "rank", "applicant"};

rmc_status rmc_model_read_rols(rmc_loader *L, bool applicant_side)
{
    rmc_model *m = L->m;
    const size_t n_owners = applicant_side ? m->n_app : m->n_prog;
    bool **has = applicant_side ? &m->has_app_rol : &m->has_prog_rol;
    RMC_TRY(rmc_calloc_array((void **)has, n_owners, sizeof(bool), L->d));
    const rmc_csv_spec spec = {applicant_side ? "applicant_rols.csv" : "program_rols.csv",
                               applicant_side ? arol_cols : prol_cols,
                               applicant_side ? 4 : 3,
                               3,
                               false,
                               rol_row,
                               false};
    stage s = {.applicant_side = applicant_side};
    L->stage = &s;
    bool found = false;
    rmc_status st = rmc_calloc_array((void **)&s.bad, n_owners, sizeof(bool), L->d);
    if (st == RMC_OK) {
        st = rmc_csv_read(L, &spec, &found);
    }
    if (st == RMC_OK) {
        st = store_rols(L);
    }
    stage_free(&s);
    L->stage = NULL;
    return st;
}

/* ---- supplemental_rols.csv: rows staged per (applicant, list) ---- */

#define MAX_SUP_LISTS 16 /* per applicant (NRMP: lists A..P) */

/* Applicant a's list labelled `label`, created at its first row; at most
 * MAX_SUP_LISTS per applicant (RMC_ID_NONE, problem reported, beyond). */
static rmc_status sup_list_of(rmc_loader *L, long line, rmc_id a, const char *label, rmc_id *out)
{
    rmc_model *m = L->m;
    stage *s = L->stage;
    *out = find_sup_list(L, a, label);
    if (*out != RMC_ID_NONE) {
        return RMC_OK;
    }
    size_t n_lists = 0;
    for (rmc_id l = L->sup_first[a]; l != RMC_ID_NONE; l = L->sup_next[l]) {
        n_lists++;
    }
    if (n_lists >= MAX_SUP_LISTS) {
        rmc_model_problem(L, line,
                          "applicant '%.80s' has more than %d supplemental lists (list "
                          "'%.40s'; the NRMP allows %d)",
                          m->app_id[a], MAX_SUP_LISTS, label, MAX_SUP_LISTS);
        return RMC_OK;
    }
    void **const arrs[] = {(void **)&m->sup_app,  (void **)&m->sup_label, (void **)&s->bad,
                           (void **)&L->sup_next, (void **)&L->sup_line,  (void **)&L->sup_used};
    const size_t elem[] = {sizeof(rmc_id), sizeof(char *), sizeof(bool),
                           sizeof(rmc_id), sizeof(long),   sizeof(bool)};
    RMC_TRY(rmc_model_grow(arrs, elem, 6, m->n_sup, &L->cap_sup, L->d));
    const rmc_id l = (rmc_id)m->n_sup;
    RMC_TRY(rmc_strdup(&m->sup_label[l], label, L->d));
    m->n_sup++;
    m->sup_app[l] = a;
    s->bad[l] = false;
    L->sup_next[l] = L->sup_first[a];
    L->sup_first[a] = l;
    L->sup_line[l] = line;
    L->sup_used[l] = false;
    *out = l;
    return RMC_OK;
}

static rmc_status sup_row(rmc_loader *L, const char *const *f, long line)
{
    const rmc_model *m = L->m;
    stage *s = L->stage;
    const rmc_id a = resolve(L, line, true, "applicant", f[0]);
    int32_t rank = 0;
    bool ok = get_int(L, line, "rank", f[2], 1, MAX_COUNT, &rank);
    const rmc_id p = resolve(L, line, false, "program", f[3]);
    if (f[1][0] == '\0') {
        rmc_model_problem(L, line, "column 'list' is empty");
    }
    if (p != RMC_ID_NONE && rmc_model_track_of(m, (size_t)p) != RMC_TRACK_PRELIMINARY) {
        rmc_model_problem(L, line,
                          "program '%.80s' is %s: a supplemental list may name only "
                          "preliminary programs (programs.csv column 'track')",
                          m->prog_id[p], rmc_track_names[rmc_model_track_of(m, (size_t)p)]);
        ok = false;
    }
    if (a == RMC_ID_NONE || f[1][0] == '\0') {
        return RMC_OK;
    }
    const rmc_id k = p != RMC_ID_NONE ? need_interview(L, line, a, p) : RMC_ID_NONE;
    rmc_id l = RMC_ID_NONE;
    RMC_TRY(sup_list_of(L, line, a, f[1], &l));
    if (l == RMC_ID_NONE) {
        return RMC_OK;
    }
    if (!ok || k == RMC_ID_NONE) {
        s->bad[l] = true;
        return RMC_OK;
    }
    return stage_push(L, l, rank, p, RMC_ID_NONE, k, RMC_ID_NONE, line);
}

/* Check ranks 1..n per list and store the lists in rank order. */
static rmc_status store_sup(rmc_loader *L)
{
    const stage *s = L->stage;
    rmc_model *m = L->m;
    RMC_TRY(count_rows(L, m->n_sup, &m->sup_off));
    const size_t n = m->sup_off[m->n_sup];
    rmc_id *slot = NULL;
    char **names = NULL; /* "A' of applicant 'X": messages say list 'A' of applicant 'X' */
    rmc_status st = rmc_alloc_array((void **)&slot, n, sizeof *slot, L->d);
    if (st == RMC_OK) {
        st = rmc_calloc_array((void **)&names, m->n_sup, sizeof *names, L->d);
    }
    for (size_t l = 0; l < m->n_sup && st == RMC_OK; l++) {
        const size_t len = strlen(m->sup_label[l]) + strlen(m->app_id[m->sup_app[l]]) + 32;
        st = rmc_alloc_array((void **)&names[l], len, 1, L->d);
        if (st == RMC_OK) {
            snprintf(names[l], len, "%.40s' of applicant '%.80s", m->sup_label[l],
                     m->app_id[m->sup_app[l]]);
        }
    }
    if (st == RMC_OK) {
        memset(slot, 0xff, n * sizeof *slot);
        place_by_rank(L, m->sup_off, slot, "supplemental list", names);
        st = check_repeats(L, m->sup_off, slot, m->n_sup, m->n_prog);
    }
    if (st == RMC_OK) {
        st = rmc_alloc_array((void **)&m->sup_prog, n, sizeof *m->sup_prog, L->d);
    }
    if (st == RMC_OK) {
        st = rmc_alloc_array((void **)&m->sup_iv, n, sizeof *m->sup_iv, L->d);
    }
    for (size_t q = 0; q < n && st == RMC_OK; q++) {
        m->sup_prog[q] = slot[q] != RMC_ID_NONE ? s->pa[slot[q]] : RMC_ID_NONE;
        m->sup_iv[q] = slot[q] != RMC_ID_NONE ? s->iva[slot[q]] : RMC_ID_NONE;
    }
    for (size_t l = 0; names != NULL && l < m->n_sup; l++) {
        rmc_free(names[l]);
    }
    rmc_free(names);
    rmc_free(slot);
    return st;
}

static const char *const sup_cols[] = {"applicant", "list", "rank", "program"};

rmc_status rmc_model_read_supplemental(rmc_loader *L)
{
    rmc_model *m = L->m;
    RMC_TRY(rmc_alloc_array((void **)&L->sup_first, m->n_app, sizeof(rmc_id), L->d));
    memset(L->sup_first, 0xff, m->n_app * sizeof(rmc_id));
    static const rmc_csv_spec spec = {
        "supplemental_rols.csv", sup_cols, 4, 4, false, sup_row, false};
    stage s = {.applicant_side = true};
    L->stage = &s;
    bool found = false;
    rmc_status st = rmc_csv_read(L, &spec, &found);
    if (st == RMC_OK) {
        st = store_sup(L);
    }
    stage_free(&s);
    L->stage = NULL;
    return st;
}

/* The couple of a and b, creating it when neither is in one; RMC_ID_NONE
 * (problem reported) when the row conflicts with an existing couple. */
static rmc_status couple_of_pair(rmc_loader *L, long line, rmc_id a, rmc_id b, rmc_id *out)
{
    rmc_model *m = L->m;
    stage *s = L->stage;
    const rmc_id ca = m->couple_of[a], cb = m->couple_of[b];
    *out = RMC_ID_NONE;
    if (ca == RMC_ID_NONE && cb == RMC_ID_NONE) {
        void **const arrs[] = {(void **)&m->couple_a,   (void **)&m->couple_b,
                               (void **)&s->bad,        (void **)&s->couple_line,
                               (void **)&m->couple_gen, (void **)&s->gen_line,
                               (void **)&s->ranked_line};
        const size_t elem[] = {sizeof(rmc_id), sizeof(rmc_id), sizeof(bool), sizeof(long), 1,
                               sizeof(long),   sizeof(long)};
        RMC_TRY(rmc_model_grow(arrs, elem, 7, m->n_couples, &s->cap_couples, L->d));
        const rmc_id c = (rmc_id)m->n_couples++;
        m->couple_a[c] = a;
        m->couple_b[c] = b;
        m->couple_gen[c] = 0;
        s->bad[c] = false;
        s->couple_line[c] = line;
        s->gen_line[c] = s->ranked_line[c] = 0;
        m->couple_of[a] = m->couple_of[b] = c;
        *out = c;
    } else if (ca == cb && m->couple_a[ca] == a) {
        *out = ca;
    } else if (ca == cb) {
        rmc_model_problem(L, line,
                          "couple written as ('%.80s', '%.80s') here but the other way round on "
                          "line %ld: keep one order",
                          m->app_id[a], m->app_id[b], s->couple_line[ca]);
    } else {
        const rmc_id x = ca != RMC_ID_NONE ? a : b;
        const rmc_id c = m->couple_of[x];
        const rmc_id partner = m->couple_a[c] == x ? m->couple_b[c] : m->couple_a[c];
        rmc_model_problem(L, line,
                          "applicant '%.80s' is already in a couple with '%.80s' (line %ld); an "
                          "applicant may be in at most one couple",
                          m->app_id[x], m->app_id[partner], s->couple_line[c]);
    }
    return RMC_OK;
}

/* One member's program: empty means "unmatched is acceptable". */
static bool couple_program(rmc_loader *L, long line, const char *col, const char *id, rmc_id a,
                           rmc_id *p, rmc_id *k)
{
    *p = RMC_ID_NONE;
    *k = RMC_ID_NONE;
    if (id[0] == '\0') {
        return true;
    }
    *p = resolve(L, line, false, col, id);
    if (*p == RMC_ID_NONE || a == RMC_ID_NONE) {
        return false;
    }
    *k = need_interview(L, line, a, *p);
    return *k != RMC_ID_NONE;
}

static bool field_empty(const char *f)
{
    return f == NULL || f[0] == '\0';
}

/* Couple c's row on `line`: a ranked row, or (gen) the row asking for a
 * list generated every replicate; the two kinds do not mix. False when
 * it conflicts (problem reported). */
static bool couple_kind(rmc_loader *L, long line, rmc_id c, bool gen)
{
    stage *s = L->stage;
    rmc_model *m = L->m;
    if (s->gen_line[c] != 0) {
        rmc_model_problem(
            L, line,
            "the couple of '%.80s' and '%.80s' has a generated joint list (line %ld): "
            "a couple is written either as one row without rank and programs or as "
            "ranked rows",
            m->app_id[m->couple_a[c]], m->app_id[m->couple_b[c]], s->gen_line[c]);
        return false;
    }
    if (gen && s->ranked_line[c] != 0) {
        rmc_model_problem(L, line,
                          "the couple of '%.80s' and '%.80s' has ranked rows (line %ld): a row "
                          "without rank and programs (a generated joint list) cannot be added",
                          m->app_id[m->couple_a[c]], m->app_id[m->couple_b[c]], s->ranked_line[c]);
        return false;
    }
    if (gen) {
        s->gen_line[c] = line;
        m->couple_gen[c] = 1;
        m->n_couples_gen++;
    } else if (s->ranked_line[c] == 0) {
        s->ranked_line[c] = line;
    }
    return true;
}

static rmc_status couple_row(rmc_loader *L, const char *const *f, long line)
{
    const rmc_id a = resolve(L, line, true, "applicant_a", f[0]);
    const rmc_id b = resolve(L, line, true, "applicant_b", f[1]);
    const bool gen = field_empty(f[2]) && field_empty(f[3]) && field_empty(f[4]);
    int32_t rank = 0;
    bool ok = true;
    rmc_id pa = RMC_ID_NONE, pb = RMC_ID_NONE, ka = RMC_ID_NONE, kb = RMC_ID_NONE;
    if (!gen) {
        ok = get_int(L, line, "rank", f[2] != NULL ? f[2] : "", 1, MAX_COUNT, &rank);
        ok &= couple_program(L, line, "program_a", f[3] != NULL ? f[3] : "", a, &pa, &ka);
        ok &= couple_program(L, line, "program_b", f[4] != NULL ? f[4] : "", b, &pb, &kb);
        if (field_empty(f[3]) && field_empty(f[4])) {
            rmc_model_problem(L, line,
                              "program_a and program_b are both empty (both unmatched is "
                              "implied at the end of every couple's list; a row without rank "
                              "too asks for a generated list)");
            ok = false;
        }
    }
    if (a == RMC_ID_NONE || b == RMC_ID_NONE) {
        return RMC_OK;
    }
    if (a == b) {
        rmc_model_problem(L, line, "applicant_a and applicant_b are the same applicant");
        return RMC_OK;
    }
    rmc_id c = RMC_ID_NONE;
    RMC_TRY(couple_of_pair(L, line, a, b, &c));
    stage *s = L->stage;
    if (c != RMC_ID_NONE && !couple_kind(L, line, c, gen)) {
        s->bad[c] = true;
        return RMC_OK;
    }
    if (c == RMC_ID_NONE || !ok) {
        if (c != RMC_ID_NONE) {
            s->bad[c] = true;
        }
        return RMC_OK;
    }
    return gen ? RMC_OK : stage_push(L, c, rank, pa, pb, ka, kb, line);
}

/* The same program pair listed twice in one couple's list. */
static void check_couple_repeats(rmc_loader *L, const size_t *off, const rmc_id *slot)
{
    const stage *s = L->stage;
    const rmc_model *m = L->m;
    for (size_t c = 0; c < m->n_couples; c++) {
        for (size_t q = off[c]; q < off[c + 1]; q++) {
            for (size_t e = off[c]; e < q && slot[q] != RMC_ID_NONE; e++) {
                const rmc_id r = slot[q], x = slot[e];
                if (x != RMC_ID_NONE && s->pa[x] == s->pa[r] && s->pb[x] == s->pb[r]) {
                    rmc_model_problem(L, s->line[r],
                                      "this program pair is already ranked on line %ld",
                                      s->line[x]);
                }
            }
        }
    }
}

static rmc_status store_couples(rmc_loader *L)
{
    const stage *s = L->stage;
    rmc_model *m = L->m;
    RMC_TRY(count_rows(L, m->n_couples, &m->crol_off));
    const size_t n = m->crol_off[m->n_couples];
    rmc_id *slot = NULL;
    RMC_TRY(rmc_alloc_array((void **)&slot, n, sizeof *slot, L->d));
    memset(slot, 0xff, n * sizeof *slot);
    char **names = NULL; /* messages name a couple by its applicant_a */
    rmc_status st = rmc_alloc_array((void **)&names, m->n_couples, sizeof *names, L->d);
    if (st == RMC_OK) {
        for (size_t c = 0; c < m->n_couples; c++) {
            names[c] = m->app_id[m->couple_a[c]];
        }
        place_by_rank(L, m->crol_off, slot, "the couple of applicant", names);
        check_couple_repeats(L, m->crol_off, slot);
    }
    rmc_id **const outs[] = {&m->crol_pa, &m->crol_pb, &m->crol_iva, &m->crol_ivb};
    const rmc_id *const ins[] = {s->pa, s->pb, s->iva, s->ivb};
    for (size_t i = 0; i < 4 && st == RMC_OK; i++) {
        st = rmc_alloc_array((void **)outs[i], n, sizeof(rmc_id), L->d);
        for (size_t q = 0; q < n && st == RMC_OK; q++) {
            (*outs[i])[q] = slot[q] != RMC_ID_NONE ? ins[i][slot[q]] : RMC_ID_NONE;
        }
    }
    rmc_free(names);
    rmc_free(slot);
    return st;
}

static const char *const couple_cols[] = {"applicant_a", "applicant_b", "rank", "program_a",
                                          "program_b"};

rmc_status rmc_model_read_couples(rmc_loader *L)
{
    rmc_model *m = L->m;
    RMC_TRY(rmc_alloc_array((void **)&m->couple_of, m->n_app, sizeof(rmc_id), L->d));
    memset(m->couple_of, 0xff, m->n_app * sizeof(rmc_id));
    static const rmc_csv_spec spec = {"couples.csv", couple_cols, 5, 2, false, couple_row, false};
    stage s = {.applicant_side = true};
    L->stage = &s;
    bool found = false;
    rmc_status st = rmc_csv_read(L, &spec, &found);
    if (st == RMC_OK) {
        st = store_couples(L);
    }
    /* A generated list pairs programs by place: without places only
     * pairs = any has pairs to rank. */
    for (size_t c = 0; c < m->n_couples && st == RMC_OK; c++) {
        if (s.gen_line[c] != 0 && m->prog_region == NULL &&
            m->params.couples_pairs != RMC_JOINT_ANY) {
            rmc_model_problem(L, s.gen_line[c],
                              "a generated joint list pairs programs by place: programs.csv needs "
                              "a region (and city) column, or set [couples] pairs = any in "
                              "model.ini");
            break;
        }
    }
    stage_free(&s);
    L->stage = NULL;
    return st;
}

/* ---- after every file ---- */

/* Profile when applicants.csv leaves it out. Precedence: a visa that needs
 * H1B or is uncertain makes a visa headache whatever else; then a red flag
 * (pre_score at or below risky_pre_score, or communication below
 * risky_communication) makes risky; then a high pre_score a star; else a
 * workhorse. */
uint8_t rmc_model_derive_profile(const rmc_params *p, const rmc_model *m, size_t i)
{
    if (m->visa[i] == RMC_VISA_H1B || m->visa[i] == RMC_VISA_UNCERTAIN) {
        return RMC_PROFILE_VISA_HEADACHE;
    }
    if (m->pre_score[i] <= p->profile_risky_pre_score ||
        m->communication[i] < p->profile_risky_communication) {
        return RMC_PROFILE_RISKY;
    }
    if (m->pre_score[i] >= p->profile_star_pre_score) {
        return RMC_PROFILE_STAR;
    }
    return RMC_PROFILE_WORKHORSE;
}

void rmc_model_finish(rmc_loader *L)
{
    rmc_model *m = L->m;
    for (size_t i = 0; i < m->n_app; i++) {
        if (m->profile[i] == PROFILE_DERIVE) {
            m->profile[i] = rmc_model_derive_profile(&m->params, m, i);
        }
        m->n_by_type[m->app_type[i]]++;
    }
}

/* ---- shared with model_tracks.c ---- */

bool rmc_model_get_int(rmc_loader *L, long line, const char *col, const char *s, long lo, long hi,
                       int32_t *out)
{
    return get_int(L, line, col, s, lo, hi, out);
}

bool rmc_model_get_enum(rmc_loader *L, long line, const char *col, const char *s,
                        const char *const *names, size_t n, uint8_t *out)
{
    return get_enum(L, line, col, s, names, n, out);
}

rmc_id rmc_model_resolve(rmc_loader *L, long line, bool applicant, const char *col, const char *id)
{
    return resolve(L, line, applicant, col, id);
}
