/* Shared plumbing of the model-loader fuzz harnesses: the temporary model
 * folder, the base model and the contract check (see fuzz_common.h).
 *
 * The base model is the tiny NRMP example plus a profile column, an x_
 * column and a couple, so that every reader starts from a file it accepts
 * and the fuzzer reaches the cross-file checks (unknown ids, ROLs naming a
 * program never interviewed at, couples) and not only the tokeniser.
 */
#define _POSIX_C_SOURCE 200809L

#include "fuzz_common.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_int.h"

const char *const fuzz_file_names[FUZZ_N_FILES] = {
    "model.ini",          "applicants.csv",   "programs.csv", "interviews.csv",
    "applicant_rols.csv", "program_rols.csv", "couples.csv",
};

static const char *const base_files[FUZZ_N_FILES] = {
    /* model.ini */
    "; fuzz base model: a few keys set to their defaults' neighbours\n"
    "[interview]\n"
    "sigma_day = 0.3\n"
    "[meeting]\n"
    "reference_list = 200\n"
    "tiers = 3\n"
    "[preferences]\n"
    "noise = gumbel\n",
    /* applicants.csv */
    "id,type,pre_score,communication,clinical_years,us_experience,visa,profile,x_note\n"
    "Anderson,US_MD,0.62,0.93,0,sub_i,none,star,\n"
    "Chen,US_DO,0.18,0.88,0,sub_i,none,workhorse,\"a, quoted note\"\n"
    "Ford,US_IMG,-0.35,0.81,2.5,hands_on,none,workhorse,\n"
    "Davis,US_MD,0.41,0.90,0,sub_i,none,risky,\n"
    "Eastman,IMG,0.87,0.84,4,observership,J1,visa_headache,\n",
    /* programs.csv */
    "id,name,positions,interviewers,residents,sponsors,service_load,desirability\n"
    "Mercy,Mercy Hospital,2,3,4,J1,0.55,-0.20\n"
    "City,\"City Hospital, Main\",2,4,6,J1_H1B,0.40,0.35\n"
    "General,General Hospital,2,3,5,none,0.70,0.10\n",
    /* interviews.csv */
    "applicant,program,advocacy,ties,interest\n"
    "Anderson,City,rotation,1,high\n"
    "Anderson,General,none,0,normal\n"
    "Chen,City,none,0,high\n"
    "Chen,Mercy,chief,1,normal\n"
    "Ford,City,none,0,normal\n"
    "Ford,General,none,0,low\n"
    "Ford,Mercy,none,0,normal\n"
    "Davis,Mercy,none,0,high\n"
    "Davis,City,none,0,normal\n"
    "Davis,General,none,0,normal\n"
    "Eastman,City,research_fellow,0,high\n"
    "Eastman,Mercy,none,0,normal\n",
    /* applicant_rols.csv */
    "applicant,rank,program\n"
    "Anderson,1,City\n"
    "Chen,1,City\n"
    "Chen,2,Mercy\n"
    "Eastman,1,City\n"
    "Eastman,2,Mercy\n",
    /* program_rols.csv */
    "program,rank,applicant\n"
    "Mercy,1,Chen\n"
    "Mercy,2,Ford\n"
    "City,1,Eastman\n"
    "City,2,Anderson\n"
    "City,3,Chen\n"
    "General,1,Anderson\n"
    "General,2,Ford\n",
    /* couples.csv */
    "applicant_a,applicant_b,rank,program_a,program_b\n"
    "Ford,Davis,1,City,City\n"
    "Ford,Davis,2,General,Mercy\n"
    "Ford,Davis,3,,General\n",
};

static char dir[64];
static char paths[FUZZ_N_FILES][96];

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz contract broken: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            die("%s:%d: %s", __FILE__, __LINE__, #cond);                                           \
        }                                                                                          \
    } while (0)

static void check_model(const rmc_model *m);

static void cleanup(void)
{
    for (int f = 0; f < FUZZ_N_FILES; f++) {
        unlink(paths[f]);
    }
    rmdir(dir);
}

void fuzz_write(int f, const uint8_t *data, size_t n)
{
    FILE *fp = fopen(paths[f], "wb");
    if (fp == NULL) {
        die("cannot write %s", paths[f]);
    }
    const bool written = n == 0 || fwrite(data, 1, n, fp) == n;
    if (fclose(fp) != 0 || !written) {
        die("cannot write %s", paths[f]);
    }
}

void fuzz_remove(int f)
{
    unlink(paths[f]);
}

void fuzz_restore(int f)
{
    fuzz_write(f, (const uint8_t *)base_files[f], strlen(base_files[f]));
}

void fuzz_setup(void)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0' || strlen(tmp) > 32) {
        tmp = "/tmp";
    }
    snprintf(dir, sizeof dir, "%s/rankmc-fuzz-XXXXXX", tmp);
    if (mkdtemp(dir) == NULL) {
        die("mkdtemp %s failed", dir);
    }
    for (int f = 0; f < FUZZ_N_FILES; f++) {
        snprintf(paths[f], sizeof paths[f], "%s/%s", dir, fuzz_file_names[f]);
    }
    atexit(cleanup);
    for (int f = 0; f < FUZZ_N_FILES; f++) {
        fuzz_restore(f);
    }
    rmc_problems *pr = NULL;
    rmc_model *m = NULL;
    rmc_diag d = {0};
    if (rmc_problems_alloc(0, &pr) != RMC_OK) {
        die("out of memory");
    }
    const rmc_status st = rmc_model_load(dir, pr, &d, &m);
    for (size_t i = 0; i < rmc_problems_kept(pr); i++) {
        fprintf(stderr, "%s\n", rmc_problems_get(pr, i));
    }
    if (st != RMC_OK) {
        die("the base model in %s does not load: %s %s", dir, rmc_strerror(st), d.message);
    }
    check_model(m);
    rmc_model_free(m);
    rmc_problems_free(pr);
}

/* Every kept message names one of the seven files: "DIR/FILE:". */
static void check_problems(const rmc_problems *pr)
{
    CHECK(rmc_problems_count(pr) > 0);
    CHECK(rmc_problems_kept(pr) > 0);
    for (size_t i = 0; i < rmc_problems_kept(pr); i++) {
        const char *msg = rmc_problems_get(pr, i);
        bool named = false;
        for (int f = 0; f < FUZZ_N_FILES && !named; f++) {
            const size_t len = strlen(paths[f]);
            named = strncmp(msg, paths[f], len) == 0 && msg[len] == ':';
        }
        if (!named) {
            die("problem does not start with a model file path: %s", msg);
        }
    }
}

/* Index k (< n_iv) is the interview of applicant a at program p. */
static bool is_interview(const rmc_model *m, rmc_id k, rmc_id a, rmc_id p)
{
    return k >= 0 && (size_t)k < m->n_iv && m->iv_app[k] == a && m->iv_prog[k] == p;
}

/* A CSR offset array: starts at 0, never decreases, ends at total. */
static void check_offsets(const size_t *off, size_t n_rows, size_t total)
{
    CHECK(off != NULL);
    CHECK(off[0] == 0);
    for (size_t r = 0; r < n_rows; r++) {
        CHECK(off[r] <= off[r + 1]);
    }
    CHECK(off[n_rows] == total);
}

static void check_applicants(const rmc_model *m)
{
    const size_t n = rmc_model_n_applicants(m);
    size_t by_type = 0;
    for (int t = 0; t < RMC_N_TYPES; t++) {
        by_type += rmc_model_n_type(m, (rmc_type)t);
    }
    CHECK(by_type == n);
    for (size_t i = 0; i < n; i++) {
        CHECK(rmc_model_applicant_id(m, i) != NULL);
        CHECK(rmc_model_find_applicant(m, rmc_model_applicant_id(m, i)) == (rmc_id)i);
        CHECK(m->app_type[i] < RMC_N_TYPES && m->us_exp[i] < RMC_N_USEXP);
        CHECK(m->visa[i] < RMC_N_VISA && m->profile[i] < RMC_N_PROFILES);
        CHECK(isfinite(m->pre_score[i]));
        CHECK(m->communication[i] >= 0.0 && m->communication[i] <= 1.0);
        CHECK(m->clinical_years[i] >= 0.0 && isfinite(m->clinical_years[i]));
    }
}

static void check_programs(const rmc_model *m)
{
    const size_t n = rmc_model_n_programs(m);
    size_t positions = 0;
    for (size_t j = 0; j < n; j++) {
        CHECK(rmc_model_program_id(m, j) != NULL && rmc_model_program_name(m, j) != NULL);
        CHECK(rmc_model_find_program(m, rmc_model_program_id(m, j)) == (rmc_id)j);
        CHECK(rmc_model_program_positions(m, j) >= 1);
        CHECK(m->interviewers[j] >= 1 && m->residents[j] >= 0);
        CHECK(m->sponsors[j] < RMC_N_SPONSORS);
        CHECK(m->service_load[j] >= 0.0 && m->service_load[j] <= 1.0);
        CHECK(isfinite(m->desirability[j]));
        positions += (size_t)rmc_model_program_positions(m, j);
    }
    CHECK(positions == rmc_model_n_positions(m));
}

/* Interviews: indices in range, no pair twice, both CSR views agree. */
static void check_interviews(const rmc_model *m)
{
    const size_t n = rmc_model_n_interviews(m);
    for (size_t k = 0; k < n; k++) {
        const rmc_id a = rmc_model_interview_applicant(m, k);
        const rmc_id p = rmc_model_interview_program(m, k);
        CHECK(a >= 0 && (size_t)a < m->n_app && p >= 0 && (size_t)p < m->n_prog);
        CHECK(m->advocacy[k] < RMC_N_ADVOCACY && m->ties[k] <= 1);
        CHECK(m->interest[k] < RMC_N_INTEREST);
    }
    check_offsets(m->prog_off, m->n_prog, n);
    for (size_t j = 0; j < m->n_prog; j++) {
        for (size_t q = m->prog_off[j]; q < m->prog_off[j + 1]; q++) {
            const rmc_id k = m->iv_by_prog[q];
            CHECK(k >= 0 && (size_t)k < n && m->iv_prog[k] == (rmc_id)j);
            CHECK(q == m->prog_off[j] || m->iv_by_prog[q - 1] < k);
            for (size_t e = m->prog_off[j]; e < q; e++) {
                CHECK(m->iv_app[m->iv_by_prog[e]] != m->iv_app[k]);
            }
        }
    }
    check_offsets(m->app_off, m->n_app, n);
    for (size_t i = 0; i < m->n_app; i++) {
        for (size_t q = m->app_off[i]; q < m->app_off[i + 1]; q++) {
            const rmc_id k = m->iv_by_app[q];
            CHECK(k >= 0 && (size_t)k < n && m->iv_app[k] == (rmc_id)i);
            CHECK(q == m->app_off[i] || m->iv_by_app[q - 1] < k);
        }
    }
}

/* A fixed ROL table: each listed entry is a real interview of the owner. */
static void check_rols(const rmc_model *m, bool applicant_side)
{
    const size_t n_rows = applicant_side ? m->n_app : m->n_prog;
    const size_t n_other = applicant_side ? m->n_prog : m->n_app;
    const bool *has = applicant_side ? m->has_app_rol : m->has_prog_rol;
    const size_t *off = applicant_side ? m->arol_off : m->prol_off;
    const rmc_id *who = applicant_side ? m->arol_prog : m->prol_app;
    const rmc_id *iv = applicant_side ? m->arol_iv : m->prol_iv;
    size_t n_has = 0;
    CHECK(has != NULL && off != NULL);
    check_offsets(off, n_rows, off[n_rows]);
    for (size_t r = 0; r < n_rows; r++) {
        n_has += has[r];
        CHECK(has[r] || off[r] == off[r + 1]);
        for (size_t q = off[r]; q < off[r + 1]; q++) {
            CHECK(who[q] >= 0 && (size_t)who[q] < n_other);
            const rmc_id a = applicant_side ? (rmc_id)r : who[q];
            const rmc_id p = applicant_side ? who[q] : (rmc_id)r;
            CHECK(is_interview(m, iv[q], a, p));
            for (size_t e = off[r]; e < q; e++) {
                CHECK(who[e] != who[q]);
            }
        }
    }
    CHECK(n_has == (applicant_side ? rmc_model_n_applicant_rols(m) : rmc_model_n_program_rols(m)));
}

/* One member's program on a couple's list: none, or a real interview. */
static void check_couple_choice(const rmc_model *m, rmc_id app, rmc_id prog, rmc_id k)
{
    if (prog == RMC_ID_NONE) {
        CHECK(k == RMC_ID_NONE);
    } else {
        CHECK(prog >= 0 && (size_t)prog < m->n_prog);
        CHECK(is_interview(m, k, app, prog));
    }
}

static void check_couples(const rmc_model *m)
{
    const size_t n = rmc_model_n_couples(m);
    CHECK(m->couple_of != NULL || m->n_app == 0);
    size_t members = 0;
    for (size_t i = 0; i < m->n_app; i++) {
        const rmc_id c = m->couple_of[i];
        CHECK(c == RMC_ID_NONE || (c >= 0 && (size_t)c < n));
        members += c != RMC_ID_NONE;
    }
    CHECK(members == 2 * n);
    if (n == 0) {
        return;
    }
    check_offsets(m->crol_off, n, m->crol_off[n]);
    for (size_t c = 0; c < n; c++) {
        const rmc_id a = m->couple_a[c], b = m->couple_b[c];
        CHECK(a >= 0 && (size_t)a < m->n_app && b >= 0 && (size_t)b < m->n_app && a != b);
        CHECK(m->couple_of[a] == (rmc_id)c && m->couple_of[b] == (rmc_id)c);
        for (size_t q = m->crol_off[c]; q < m->crol_off[c + 1]; q++) {
            CHECK(m->crol_pa[q] != RMC_ID_NONE || m->crol_pb[q] != RMC_ID_NONE);
            check_couple_choice(m, a, m->crol_pa[q], m->crol_iva[q]);
            check_couple_choice(m, b, m->crol_pb[q], m->crol_ivb[q]);
        }
    }
}

/* Every parameter in its documented range; digest and folder recorded. */
static void check_params(const rmc_model *m)
{
    const rmc_params *p = rmc_model_params(m);
    for (size_t i = 0; i < rmc_params_count(); i++) {
        const rmc_param_info *info = rmc_params_info(i);
        const double v = rmc_params_get(p, info);
        double hi = info->hi;
        if (info->kind == RMC_PARAM_KIND_ENUM) { /* an index into "a|b|...": 0..n-1 */
            hi = 0;
            for (const char *c = info->choices; *c != '\0'; c++) {
                hi += *c == '|';
            }
        }
        if (!(isfinite(v) && v >= info->lo && v <= hi)) {
            die("[%s] %s = %g is outside %g..%g", info->section, info->key, v, info->lo, hi);
        }
    }
    const char *sha = rmc_model_sha256(m);
    CHECK(strlen(sha) == 64 && strspn(sha, "0123456789abcdef") == 64);
    CHECK(strcmp(rmc_model_dir(m), dir) == 0);
}

static void check_model(const rmc_model *m)
{
    check_applicants(m);
    check_programs(m);
    check_interviews(m);
    check_rols(m, true);
    check_rols(m, false);
    check_couples(m);
    check_params(m);
}

void fuzz_load_and_check(void)
{
    rmc_problems *pr = NULL;
    if (rmc_problems_alloc(16, &pr) != RMC_OK) {
        return; /* out of memory before the loader ran: nothing to check */
    }
    rmc_diag d = {0};
    rmc_model *m = NULL;
    const rmc_status st = rmc_model_load(dir, pr, &d, &m);
    if (st == RMC_OK) {
        CHECK(m != NULL);
        CHECK(rmc_problems_count(pr) == 0);
        check_model(m);
    } else if (st == RMC_EINPUT) {
        CHECK(m == NULL);
        check_problems(pr);
    } else if (st != RMC_ENOMEM) {
        die("rmc_model_load returned %d (%s): %s", (int)st, rmc_strerror(st), d.message);
    }
    rmc_model_free(m);
    rmc_problems_free(pr);
}
