/* The model: loading a model folder (DESIGN 1) and read-only access to it.
 *
 * rmc_model_load reads model.ini, applicants.csv, programs.csv,
 * interviews.csv and the optional supplemental_rols.csv, applicant_rols.csv,
 * program_rols.csv, couples.csv and reversions.csv in that fixed order, hashing every byte (SHA-256
 * over each file's name, length and bytes), and records every input problem rather than stopping at
 * the first. Ids are indexed once in open-addressing hash tables (id_table_int.h: linear probing,
 * FNV-1a, load factor <= 1/2), so national-scale models load in linear time. On any problem the
 * half-built model is freed and RMC_EINPUT returned; the same on RMC_ENOMEM, so a load either
 * yields a complete, consistent, immutable model or nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "model_load_int.h"
#include "together_int.h"

void rmc_model_problem(rmc_loader *L, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (L->first != NULL && L->n_problems == 0) {
        char msg[sizeof L->first->message];
        va_list copy;
        va_copy(copy, ap);
        vsnprintf(msg, sizeof msg, fmt, copy);
        va_end(copy);
        RMC_FAIL_AT(L->first, RMC_EINPUT, L->path, line, "%s", msg);
    }
    rmc_problems_vadd(L->pr, L->path, line, fmt, ap);
    va_end(ap);
    L->n_problems++;
}

rmc_status rmc_model_set_path(rmc_loader *L, const char *name)
{
    /* "models/x/" and "models/x" name the same files: drop trailing slashes */
    size_t dir_len = strlen(L->m->dir);
    while (dir_len > 1 && L->m->dir[dir_len - 1] == '/') {
        dir_len--;
    }
    const size_t need = dir_len + strlen(name) + 2;
    if (need > L->path_cap) {
        char *p = NULL;
        RMC_TRY(rmc_alloc_array((void **)&p, need, 1, L->d));
        rmc_free(L->path);
        L->path = p;
        L->path_cap = need;
    }
    snprintf(L->path, L->path_cap, "%.*s/%s", (int)dir_len, L->m->dir, name);
    return RMC_OK;
}

void rmc_model_hash_header(rmc_loader *L, const char *name, uint64_t size)
{
    char text[64];
    const int n = snprintf(text, sizeof text, "%" PRIu64, size);
    rmc_sha256_update(&L->sha, name, strlen(name) + 1);
    rmc_sha256_update(&L->sha, text, (size_t)n + 1);
}

rmc_status rmc_model_grow(void **const arrs[], const size_t elem[], size_t n_arrs, size_t n_used,
                          size_t *cap, rmc_diag *d)
{
    if (n_used < *cap) {
        return RMC_OK;
    }
    const size_t new_cap = *cap < 16 ? 16 : *cap * 2;
    void *fresh[16] = {0};
    RMC_ASSERT(n_arrs <= 16);
    for (size_t i = 0; i < n_arrs; i++) {
        const rmc_status st = rmc_alloc_array(&fresh[i], new_cap, elem[i], d);
        if (st != RMC_OK) {
            for (size_t k = 0; k < i; k++) {
                rmc_free(fresh[k]);
            }
            return st;
        }
    }
    for (size_t i = 0; i < n_arrs; i++) {
        if (n_used > 0) {
            memcpy(fresh[i], *arrs[i], n_used * elem[i]);
        }
        rmc_free(*arrs[i]);
        *arrs[i] = fresh[i];
    }
    *cap = new_cap;
    return RMC_OK;
}

/* Whether stored id `id` has the looked-for name. */
typedef struct name_key {
    char *const *ids;
    const char *name;
} name_key;

static bool same_name(const void *ctx, rmc_id id)
{
    const name_key *k = ctx;
    return strcmp(k->ids[id], k->name) == 0;
}

rmc_status rmc_model_index_build(rmc_loader *L, char *const *ids, size_t n, const long *lines,
                                 const char *what, rmc_id_table *t)
{
    RMC_TRY(rmc_id_table_alloc(t, n, L->d));
    for (size_t i = 0; i < n; i++) {
        const name_key k = {ids, ids[i]};
        size_t slot = 0;
        const rmc_id first = rmc_id_table_find(t, rmc_hash_str(ids[i]), same_name, &k, &slot);
        if (first == RMC_ID_NONE) {
            rmc_id_table_put(t, slot, (rmc_id)i);
        } else {
            rmc_model_problem(L, lines[i], "duplicate %s id '%.80s' (first on line %ld)", what,
                              ids[i], lines[first]);
        }
    }
    return RMC_OK;
}

rmc_id rmc_model_index_find(char *const *ids, const rmc_id_table *t, const char *id)
{
    const name_key k = {ids, id};
    return rmc_id_table_find(t, rmc_hash_str(id), same_name, &k, NULL);
}

static void free_loader(rmc_loader *L)
{
    rmc_free(L->path);
    rmc_free(L->app_line);
    rmc_free(L->prog_line);
    rmc_free(L->iv_line);
    rmc_free(L->city_line);
    rmc_id_table_free(&L->iv_index);
    rmc_free(L->sup_first);
    rmc_free(L->sup_next);
    rmc_free(L->sup_line);
    rmc_free(L->sup_used);
}

/* Read every file in the fixed order. Problems accumulate in L. */
static rmc_status load_files(rmc_loader *L)
{
    bool found = false;
    RMC_TRY(rmc_model_config_read(L, &found));
    if (!found) {
        rmc_model_problem(L, 0, "missing required file");
    }
    RMC_TRY(rmc_model_read_applicants(L));
    RMC_TRY(rmc_model_read_programs(L));
    RMC_TRY(rmc_model_read_interviews(L));
    RMC_TRY(rmc_model_read_supplemental(L));
    RMC_TRY(rmc_model_read_rols(L, true));
    RMC_TRY(rmc_model_read_rols(L, false));
    RMC_TRY(rmc_model_read_couples(L));
    RMC_TRY(rmc_model_check_supplemental(L));
    RMC_TRY(rmc_model_read_reversions(L));
    rmc_model_finish(L);
    return L->n_problems == 0 ? rmc_together_plan(L->m, L->d) : RMC_OK;
}

/* A folder that does not exist is one clear problem, not seven. */
static bool dir_usable(rmc_loader *L, const char *dir)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        rmc_problems_add(L->pr, dir, 0, "cannot open model folder: %s", strerror(errno));
    } else if (!S_ISDIR(sb.st_mode)) {
        rmc_problems_add(L->pr, dir, 0,
                         "not a folder (a model is a folder of CSV files and "
                         "model.ini)");
    } else {
        return true;
    }
    L->n_problems++;
    return false;
}

rmc_status rmc_model_load(const char *dir, rmc_problems *problems, rmc_diag *d, rmc_model **out)
{
    *out = NULL;
    rmc_loader L = {.pr = problems, .d = d};
    if (!dir_usable(&L, dir)) {
        return RMC_EINPUT;
    }
    RMC_TRY(rmc_calloc_array((void **)&L.m, 1, sizeof *L.m, d));
    rmc_params_default(&L.m->params);
    rmc_sha256_init(&L.sha);
    rmc_status st = rmc_strdup(&L.m->dir, dir, d);
    if (st == RMC_OK) {
        st = load_files(&L);
    }
    if (st == RMC_OK && L.n_problems > 0) {
        st = RMC_EINPUT;
    }
    free_loader(&L);
    if (st != RMC_OK) {
        rmc_model_free(L.m);
        return st;
    }
    rmc_sha256_final_hex(&L.sha, L.m->sha256);
    *out = L.m;
    return RMC_OK;
}

static void free_strings(char **s, size_t n)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        rmc_free(s[i]);
    }
    rmc_free(s);
}

void rmc_model_free(rmc_model *m)
{
    if (m == NULL) {
        return;
    }
    void *const arrays[] = {m->app_type,         m->pre_score,
                            m->communication,    m->clinical_years,
                            m->us_exp,           m->visa,
                            m->profile,          m->positions,
                            m->interviewers,     m->residents,
                            m->sponsors,         m->service_load,
                            m->desirability,     m->track,
                            m->prog_region,      m->prog_city,
                            m->city_region,      m->couple_gen,
                            m->arol_sup,         m->sup_app,
                            m->sup_off,          m->sup_prog,
                            m->sup_iv,           m->rev_donor,
                            m->rev_receiver,     m->rev_positions,
                            m->iv_app,           m->iv_prog,
                            m->advocacy,         m->ties,
                            m->interest,         m->loi,
                            m->prog_off,         m->iv_by_prog,
                            m->app_off,          m->iv_by_app,
                            m->prog_by_app,      m->has_app_rol,
                            m->arol_off,         m->arol_prog,
                            m->arol_iv,          m->has_prog_rol,
                            m->prol_off,         m->prol_app,
                            m->prol_iv,          m->couple_a,
                            m->couple_b,         m->crol_off,
                            m->crol_pa,          m->crol_pb,
                            m->crol_iva,         m->crol_ivb,
                            m->couple_of,        m->tog_off,
                            m->tog_iv,           m->app_index.slots,
                            m->prog_index.slots, m->dir};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        rmc_free(arrays[i]);
    }
    free_strings(m->app_id, m->n_app);
    free_strings(m->prog_id, m->n_prog);
    free_strings(m->prog_name, m->n_prog);
    free_strings(m->sup_label, m->n_sup);
    free_strings(m->region_name, m->n_region);
    free_strings(m->city_name, m->n_city);
    rmc_free(m);
}

/* ---- accessors ---- */

const char *const rmc_type_names[RMC_N_TYPES] = {"US_MD", "US_DO", "US_IMG", "IMG"};
const char *const rmc_usexp_names[RMC_N_USEXP] = {"none", "observership", "hands_on", "sub_i"};
const char *const rmc_visa_names[RMC_N_VISA] = {"none", "J1", "H1B", "uncertain"};
const char *const rmc_profile_names[RMC_N_PROFILES] = {"workhorse", "star", "visa_headache",
                                                       "risky"};
const char *const rmc_sponsors_names[RMC_N_SPONSORS] = {"none", "J1", "J1_H1B"};
const char *const rmc_advocacy_names[RMC_N_ADVOCACY] = {"none", "rotation", "research_fellow",
                                                        "chief"};
const char *const rmc_interest_names[RMC_N_INTEREST] = {"low", "normal", "high"};
const char *const rmc_track_names[RMC_N_TRACKS] = {"categorical", "preliminary", "advanced"};

static const char *enum_name(const char *const *names, int n, int v)
{
    return v >= 0 && v < n ? names[v] : "?";
}

const char *rmc_type_name(rmc_type t)
{
    return enum_name(rmc_type_names, RMC_N_TYPES, (int)t);
}
const char *rmc_usexp_name(rmc_usexp v)
{
    return enum_name(rmc_usexp_names, RMC_N_USEXP, (int)v);
}
const char *rmc_visa_name(rmc_visa v)
{
    return enum_name(rmc_visa_names, RMC_N_VISA, (int)v);
}
const char *rmc_profile_name(rmc_profile v)
{
    return enum_name(rmc_profile_names, RMC_N_PROFILES, (int)v);
}
const char *rmc_sponsors_name(rmc_sponsors v)
{
    return enum_name(rmc_sponsors_names, RMC_N_SPONSORS, (int)v);
}
const char *rmc_advocacy_name(rmc_advocacy v)
{
    return enum_name(rmc_advocacy_names, RMC_N_ADVOCACY, (int)v);
}
const char *rmc_interest_name(rmc_interest v)
{
    return enum_name(rmc_interest_names, RMC_N_INTEREST, (int)v);
}
const char *rmc_track_name(rmc_track v)
{
    return enum_name(rmc_track_names, RMC_N_TRACKS, (int)v);
}

size_t rmc_model_n_applicants(const rmc_model *m)
{
    return m->n_app;
}
size_t rmc_model_n_programs(const rmc_model *m)
{
    return m->n_prog;
}
size_t rmc_model_n_interviews(const rmc_model *m)
{
    return m->n_iv;
}
size_t rmc_model_n_couples(const rmc_model *m)
{
    return m->n_couples;
}
size_t rmc_model_n_positions(const rmc_model *m)
{
    return m->n_positions;
}
size_t rmc_model_n_type(const rmc_model *m, rmc_type t)
{
    RMC_ASSERT((int)t >= 0 && t < RMC_N_TYPES);
    return m->n_by_type[t];
}
size_t rmc_model_n_applicant_rols(const rmc_model *m)
{
    return m->n_app_rols;
}
size_t rmc_model_n_program_rols(const rmc_model *m)
{
    return m->n_prog_rols;
}
size_t rmc_model_n_supplemental(const rmc_model *m)
{
    return m->n_sup;
}
size_t rmc_model_n_reversions(const rmc_model *m)
{
    return m->n_rev;
}
size_t rmc_model_n_track(const rmc_model *m, rmc_track t)
{
    size_t n = 0;
    for (size_t j = 0; j < m->n_prog; j++) {
        n += rmc_model_track_of(m, j) == (uint8_t)t;
    }
    return n;
}

const char *rmc_model_applicant_id(const rmc_model *m, size_t i)
{
    RMC_ASSERT(i < m->n_app);
    return m->app_id[i];
}
rmc_type rmc_model_applicant_type(const rmc_model *m, size_t i)
{
    RMC_ASSERT(i < m->n_app);
    return (rmc_type)m->app_type[i];
}
const char *rmc_model_program_id(const rmc_model *m, size_t j)
{
    RMC_ASSERT(j < m->n_prog);
    return m->prog_id[j];
}
const char *rmc_model_program_name(const rmc_model *m, size_t j)
{
    RMC_ASSERT(j < m->n_prog);
    return m->prog_name[j];
}
int32_t rmc_model_program_positions(const rmc_model *m, size_t j)
{
    RMC_ASSERT(j < m->n_prog);
    return m->positions[j];
}
rmc_track rmc_model_program_track(const rmc_model *m, size_t j)
{
    RMC_ASSERT(j < m->n_prog);
    return (rmc_track)rmc_model_track_of(m, j);
}
rmc_id rmc_model_interview_applicant(const rmc_model *m, size_t k)
{
    RMC_ASSERT(k < m->n_iv);
    return m->iv_app[k];
}
rmc_id rmc_model_interview_program(const rmc_model *m, size_t k)
{
    RMC_ASSERT(k < m->n_iv);
    return m->iv_prog[k];
}

rmc_id rmc_model_find_applicant(const rmc_model *m, const char *id)
{
    return rmc_model_index_find(m->app_id, &m->app_index, id);
}
rmc_id rmc_model_find_program(const rmc_model *m, const char *id)
{
    return rmc_model_index_find(m->prog_id, &m->prog_index, id);
}

const rmc_params *rmc_model_params(const rmc_model *m)
{
    return &m->params;
}
const char *rmc_model_sha256(const rmc_model *m)
{
    return m->sha256;
}
const char *rmc_model_dir(const rmc_model *m)
{
    return m->dir;
}
