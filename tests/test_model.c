/* Tests for the model module (model*.c; SHA-256 through nettle): vectors; a
 * valid model and its accepted variants (CRLF, BOM, quoted commas and
 * newlines, no final newline, x_ and reordered columns); every class of bad
 * input reported as FILE:LINE with the right file and physical line; all
 * problems of several files in one load; accessors; hash stability; and an
 * allocation-failure sweep. Each test writes its model into a fresh
 * temporary folder from the base files below plus its own changes. */
#define _GNU_SOURCE /* mkdtemp */
#include "test_util.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_int.h"
#include "rankmc/rankmc.h"
#include "sha256_int.h"

#define N_FILES 7

static const char *const file_names[N_FILES] = {
    "model.ini",          "applicants.csv",   "programs.csv", "interviews.csv",
    "applicant_rols.csv", "program_rols.csv", "couples.csv"};

static const char *const base_text[N_FILES] = {
    "; test model\n[interview]\nsigma_day = 0.37\n\n[preferences]\nnoise = normal\n"
    "max_length = 7\n",
    "id,type,pre_score,communication,clinical_years,us_experience,visa\n"
    "A1,US_MD,1.9,0.95,0,sub_i,none\n"
    "A2,IMG,0.2,0.85,6,hands_on,J1\n"
    "A3,IMG,-0.4,0.3,3,none,H1B\n"
    "A4,US_DO,-2.0,0.9,0,observership,none\n"
    "A5,US_IMG,0.1,0.35,1,hands_on,uncertain\n"
    "A6,US_MD,0.5,0.6,0,sub_i,none\n",
    "id,name,positions,interviewers,residents,sponsors,service_load,desirability\n"
    "P1,\"Mercy, St. Luke's\",2,3,4,J1,0.55,-0.2\n"
    "P2,City,1,2,0,J1_H1B,0.4,0.35\n"
    "P3,\"General \"\"Main\"\" Campus\",3,4,6,none,0.7,0.1\n",
    "applicant,program,advocacy,ties,interest\n"
    "A1,P1,rotation,1,high\n"
    "A1,P2,none,0,normal\n"
    "A2,P1,chief,0,normal\n"
    "A3,P3,research_fellow,0,low\n"
    "A4,P2,none,0,normal\n"
    "A5,P1,none,1,high\n"
    "A6,P3,none,0,normal\n"
    "A6,P1,none,0,normal\n"
    "A2,P3,none,0,normal\n",
    "applicant,rank,program\nA1,2,P1\nA2,1,P3\nA1,1,P2\nA2,2,P1\n",
    "program,rank,applicant\nP1,1,A2\nP1,2,A1\nP1,3,A5\n",
    "applicant_a,applicant_b,rank,program_a,program_b\nA6,A5,2,P3,\nA6,A5,1,P1,P1\n",
};

typedef struct file_change {
    const char *name; /* file to change */
    const char *text; /* its new contents, or NULL to delete it */
    size_t len;       /* bytes of text; 0 means strlen */
} file_change;

static void write_bytes(const char *dir, const char *name, const char *text, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (text == NULL) {
        unlink(path);
        return;
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* A fresh folder holding the base model with the changes applied. */
static void make_model(char dir[64], const file_change *changes, size_t n_changes)
{
    snprintf(dir, 64, "/tmp/rmc_test_model_XXXXXX");
    assert_non_null(mkdtemp(dir));
    for (size_t i = 0; i < N_FILES; i++) {
        write_bytes(dir, file_names[i], base_text[i], strlen(base_text[i]));
    }
    for (size_t i = 0; i < n_changes; i++) {
        const char *t = changes[i].text;
        write_bytes(dir, changes[i].name, t, changes[i].len ? changes[i].len : t ? strlen(t) : 0);
    }
}

/* Optional files no base model has. */
static const char *const extra_names[] = {"supplemental_rols.csv", "reversions.csv"};

static void remove_model(const char *dir)
{
    for (size_t i = 0; i < N_FILES; i++) {
        write_bytes(dir, file_names[i], NULL, 0);
    }
    for (size_t i = 0; i < sizeof extra_names / sizeof extra_names[0]; i++) {
        write_bytes(dir, extra_names[i], NULL, 0);
    }
    assert_int_equal(rmdir(dir), 0);
}

/* Load dir; every kept problem, one per line, goes into msgs. */
static rmc_status load(const char *dir, rmc_model **m, char *msgs, size_t cap)
{
    rmc_problems *pr = NULL;
    assert_int_equal(rmc_problems_alloc(1000, &pr), RMC_OK);
    rmc_diag d = {0};
    const rmc_status st = rmc_model_load(dir, pr, &d, m);
    msgs[0] = '\0';
    for (size_t i = 0; i < rmc_problems_kept(pr); i++) {
        const size_t len = strlen(msgs);
        snprintf(msgs + len, cap - len, "%s\n", rmc_problems_get(pr, i));
    }
    assert_int_equal(rmc_problems_count(pr), rmc_problems_kept(pr));
    rmc_problems_free(pr);
    if (st == RMC_EINPUT) {
        assert_null(*m);
        assert_true(msgs[0] != '\0');
    }
    return st;
}

/* msgs contains "DIR/" + what (what starts with the file name). */
static void expect_problem(const char *msgs, const char *dir, const char *what)
{
    char want[512];
    snprintf(want, sizeof want, "%s/%s", dir, what);
    if (strstr(msgs, want) == NULL) {
        print_error("expected problem: %s\nproblems were:\n%s", want, msgs);
        fail();
    }
}

/* Load the base model with changes; it must fail with each expected problem. */
static void expect_rejected(const file_change *changes, size_t n_changes, const char *const *want,
                            size_t n_want)
{
    char dir[64];
    make_model(dir, changes, n_changes);
    rmc_model *m = NULL;
    char msgs[16384];
    assert_int_equal(load(dir, &m, msgs, sizeof msgs), RMC_EINPUT);
    for (size_t i = 0; i < n_want; i++) {
        expect_problem(msgs, dir, want[i]);
    }
    remove_model(dir);
}

#define REJECT1(file, text, problem)                                                               \
    do {                                                                                           \
        const file_change ch_[] = {{(file), (text), 0}};                                           \
        const char *const want_[] = {(problem)};                                                   \
        expect_rejected(ch_, 1, want_, 1);                                                         \
    } while (0)

/* Load the base model with changes; it must succeed. Caller frees. */
static rmc_model *expect_loaded(const file_change *changes, size_t n_changes)
{
    char dir[64];
    make_model(dir, changes, n_changes);
    rmc_model *m = NULL;
    char msgs[16384];
    const rmc_status st = load(dir, &m, msgs, sizeof msgs);
    if (st != RMC_OK) {
        print_error("load failed (%s):\n%s", rmc_strerror(st), msgs);
        fail();
    }
    remove_model(dir);
    return m;
}

/* ---- SHA-256 ---- */

static void sha_hex(const char *msg, size_t len, size_t piece, char hex[65])
{
    rmc_sha256 s;
    rmc_sha256_init(&s);
    for (size_t i = 0; i < len; i += piece) {
        rmc_sha256_update(&s, msg + i, len - i < piece ? len - i : piece);
    }
    rmc_sha256_final_hex(&s, hex);
}

static void test_sha256_standard_vectors(void **state)
{
    (void)state;
    char hex[65];
    sha_hex("", 0, 1, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha_hex("abc", 3, 1, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* the two-block FIPS 180-2 vector, fed in uneven pieces */
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    for (size_t piece = 1; piece <= 64; piece += 7) {
        sha_hex(two, strlen(two), piece, hex);
        assert_string_equal(hex,
                            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
}

/* ---- valid models ---- */

static void test_rmc_model_load_accessors(void **state)
{
    (void)state;
    rmc_model *m = expect_loaded(NULL, 0);
    assert_int_equal(rmc_model_n_applicants(m), 6);
    assert_int_equal(rmc_model_n_programs(m), 3);
    assert_int_equal(rmc_model_n_interviews(m), 9);
    assert_int_equal(rmc_model_n_positions(m), 6);
    assert_int_equal(rmc_model_n_type(m, RMC_TYPE_US_MD), 2);
    assert_int_equal(rmc_model_n_type(m, RMC_TYPE_IMG), 2);
    assert_int_equal(rmc_model_n_type(m, RMC_TYPE_US_DO), 1);
    assert_int_equal(rmc_model_n_applicant_rols(m), 2);
    assert_int_equal(rmc_model_n_program_rols(m), 1);
    assert_int_equal(rmc_model_n_couples(m), 1);
    assert_string_equal(rmc_model_applicant_id(m, 3), "A4");
    assert_int_equal(rmc_model_applicant_type(m, 1), RMC_TYPE_IMG);
    assert_string_equal(rmc_model_program_name(m, 0), "Mercy, St. Luke's");
    assert_string_equal(rmc_model_program_name(m, 2), "General \"Main\" Campus");
    assert_int_equal(rmc_model_program_positions(m, 2), 3);
    assert_int_equal(rmc_model_find_applicant(m, "A5"), 4);
    assert_int_equal(rmc_model_find_program(m, "P3"), 2);
    assert_int_equal(rmc_model_find_applicant(m, "P3"), RMC_ID_NONE);
    assert_int_equal(rmc_model_find_program(m, ""), RMC_ID_NONE);
    assert_int_equal(rmc_model_interview_applicant(m, 8), 1);
    assert_int_equal(rmc_model_interview_program(m, 8), 2);
    const rmc_params *p = rmc_model_params(m);
    assert_close(p->interview_sigma_day, 0.37, 0, 0);
    assert_int_equal(p->preferences_noise, 1);
    assert_int_equal(p->preferences_max_length, 7);
    assert_close(p->interview_sigma_leniency, 0.30, 0, 0); /* a default */
    assert_int_equal(strlen(rmc_model_sha256(m)), 64);
    assert_string_equal(rmc_type_name(RMC_TYPE_US_IMG), "US_IMG");
    assert_string_equal(rmc_sponsors_name(RMC_SPONSORS_J1_H1B), "J1_H1B");
    assert_string_equal(rmc_advocacy_name(RMC_ADVOCACY_RESEARCH_FELLOW), "research_fellow");
    assert_string_equal(rmc_interest_name(RMC_INTEREST_HIGH), "high");
    assert_string_equal(rmc_usexp_name(RMC_USEXP_SUB_I), "sub_i");
    assert_string_equal(rmc_visa_name(RMC_VISA_UNCERTAIN), "uncertain");
    assert_string_equal(rmc_profile_name(RMC_PROFILE_VISA_HEADACHE), "visa_headache");
    rmc_model_free(m);
}

static void test_rmc_model_load_internal_layout(void **state)
{
    (void)state;
    rmc_model *m = expect_loaded(NULL, 0);
    /* CSR by program: P1 has k0, k2, k5, k7 in file order */
    assert_int_equal(m->prog_off[0], 0);
    assert_int_equal(m->prog_off[1], 4);
    assert_int_equal(m->prog_off[3], 9);
    const rmc_id p1[] = {0, 2, 5, 7};
    for (size_t q = 0; q < 4; q++) {
        assert_int_equal(m->iv_by_prog[q], p1[q]);
    }
    /* CSR by applicant: A2 (index 1) has k2, k8 */
    assert_int_equal(m->app_off[2] - m->app_off[1], 2);
    assert_int_equal(m->iv_by_app[m->app_off[1]], 2);
    assert_int_equal(m->iv_by_app[m->app_off[1] + 1], 8);
    /* applicant ROLs in rank order with their interviews */
    assert_true(m->has_app_rol[0] && m->has_app_rol[1] && !m->has_app_rol[2]);
    assert_int_equal(m->arol_off[1] - m->arol_off[0], 2);
    assert_int_equal(m->arol_prog[m->arol_off[0]], 1);
    assert_int_equal(m->arol_iv[m->arol_off[0]], 1);
    assert_int_equal(m->arol_prog[m->arol_off[0] + 1], 0);
    assert_int_equal(m->arol_iv[m->arol_off[1]], 8);
    /* program ROL of P1: A2, A1, A5 */
    assert_true(m->has_prog_rol[0] && !m->has_prog_rol[1]);
    assert_int_equal(m->prol_app[m->prol_off[0] + 2], 4);
    assert_int_equal(m->prol_iv[m->prol_off[0] + 2], 5);
    /* the couple (A6, A5): (P1, P1) first, then (P3, unmatched) */
    assert_int_equal(m->couple_a[0], 5);
    assert_int_equal(m->couple_b[0], 4);
    assert_int_equal(m->couple_of[4], 0);
    assert_int_equal(m->couple_of[0], RMC_ID_NONE);
    assert_int_equal(m->crol_off[1], 2);
    assert_int_equal(m->crol_pa[0], 0);
    assert_int_equal(m->crol_iva[0], 7);
    assert_int_equal(m->crol_ivb[0], 5);
    assert_int_equal(m->crol_pa[1], 2);
    assert_int_equal(m->crol_pb[1], RMC_ID_NONE);
    assert_int_equal(m->crol_ivb[1], RMC_ID_NONE);
    /* values and derived profiles (visa headache before risky before star) */
    assert_close(m->clinical_years[1], 6, 0, 0);
    assert_int_equal(m->sponsors[1], RMC_SPONSORS_J1_H1B);
    assert_int_equal(m->advocacy[2], RMC_ADVOCACY_CHIEF);
    assert_int_equal(m->ties[5], 1);
    assert_int_equal(m->interest[3], RMC_INTEREST_LOW);
    const uint8_t profiles[] = {RMC_PROFILE_STAR,          RMC_PROFILE_WORKHORSE,
                                RMC_PROFILE_VISA_HEADACHE, RMC_PROFILE_RISKY,
                                RMC_PROFILE_VISA_HEADACHE, RMC_PROFILE_WORKHORSE};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(m->profile[i], profiles[i]);
    }
    rmc_model_free(m);
}

/* The same text with every "\n" turned into "\r\n". */
static char *to_crlf(const char *s)
{
    char *out = malloc(2 * strlen(s) + 1);
    assert_non_null(out);
    char *o = out;
    for (; *s; s++) {
        if (*s == '\n') {
            *o++ = '\r';
        }
        *o++ = *s;
    }
    *o = '\0';
    return out;
}

static void test_rmc_model_load_accepts_variants(void **state)
{
    (void)state;
    char *crlf[N_FILES];
    file_change ch[N_FILES];
    for (size_t i = 0; i < N_FILES; i++) {
        crlf[i] = to_crlf(base_text[i]);
        ch[i] = (file_change){file_names[i], crlf[i], 0};
    }
    rmc_model *m = expect_loaded(ch, N_FILES);
    assert_int_equal(rmc_model_n_interviews(m), 9);
    assert_string_equal(rmc_model_program_name(m, 0), "Mercy, St. Luke's");
    rmc_model_free(m);
    for (size_t i = 0; i < N_FILES; i++) {
        free(crlf[i]);
    }
    /* BOM, reordered columns, x_ columns, a profile column with a blank,
     * a quoted newline, no final newline, spaces around fields */
    const file_change v[] = {
        {"applicants.csv",
         "\xEF\xBB\xBFx_note,visa,id,type,pre_score,communication,clinical_years,us_experience,"
         "profile\n"
         "\"two\nlines\",none,A1,US_MD,1.9,0.95,0,sub_i,risky\n"
         "b,J1,A2,IMG,0.2,0.85,6,hands_on,\n"
         "c,H1B,A3,IMG,-0.4,0.3,3,none,star\n"
         "d,none,A4,US_DO,-2.0,0.9,0,observership,workhorse\n"
         "e,uncertain,A5,US_IMG,0.1,0.35,1,hands_on,\n"
         " f , none , A6 ,US_MD,0.5,0.6,0,sub_i,",
         0},
        {"model.ini", "\xEF\xBB\xBF[meeting]\n  tiers = 4 ; indented, inline comment\r\n", 0},
    };
    m = expect_loaded(v, 2);
    assert_int_equal(m->profile[0], RMC_PROFILE_RISKY);
    assert_int_equal(m->profile[1], RMC_PROFILE_WORKHORSE); /* blank: derived */
    assert_int_equal(m->profile[2], RMC_PROFILE_STAR);
    assert_int_equal(m->visa[2], RMC_VISA_H1B);
    assert_string_equal(rmc_model_applicant_id(m, 5), "A6");
    assert_int_equal(rmc_model_params(m)->meeting_tiers, 4);
    rmc_model_free(m);
    /* the optional loi column: 1, 0, empty (0); absent, every loi is 0 */
    const file_change loi[] = {{"interviews.csv",
                                "applicant,program,advocacy,ties,interest,loi\n"
                                "A1,P1,rotation,1,high,1\nA1,P2,none,0,normal,0\n"
                                "A2,P1,chief,0,normal,\nA3,P3,research_fellow,0,low,1\n"
                                "A4,P2,none,0,normal,0\nA5,P1,none,1,high,0\n"
                                "A6,P3,none,0,normal,0\nA6,P1,none,0,normal,0\n"
                                "A2,P3,none,0,normal,0\n",
                                0}};
    m = expect_loaded(loi, 1);
    const uint8_t want_loi[9] = {1, 0, 0, 1, 0, 0, 0, 0, 0};
    assert_memory_equal(m->loi, want_loi, sizeof want_loi);
    rmc_model_free(m);
    m = expect_loaded(NULL, 0);
    for (size_t k = 0; k < rmc_model_n_interviews(m); k++) {
        assert_int_equal(m->loi[k], 0);
    }
    rmc_model_free(m);
    /* optional files may be absent */
    const file_change none[] = {
        {"applicant_rols.csv", NULL, 0}, {"program_rols.csv", NULL, 0}, {"couples.csv", NULL, 0}};
    m = expect_loaded(none, 3);
    assert_int_equal(rmc_model_n_couples(m), 0);
    assert_int_equal(rmc_model_n_applicant_rols(m), 0);
    assert_int_equal(m->couple_of[5], RMC_ID_NONE);
    rmc_model_free(m);
}

/* ---- bad input: one test per class, each naming FILE:LINE ---- */

#define APP_HEADER "id,type,pre_score,communication,clinical_years,us_experience,visa\n"
#define APP_REST                                                                                   \
    "A2,IMG,0.2,0.85,6,hands_on,J1\nA3,IMG,-0.4,0.3,3,none,H1B\n"                                  \
    "A4,US_DO,-2.0,0.9,0,observership,none\nA5,US_IMG,0.1,0.35,1,hands_on,uncertain\n"             \
    "A6,US_MD,0.5,0.6,0,sub_i,none\n"
#define PROG_HEADER "id,name,positions,interviewers,residents,sponsors,service_load,desirability\n"
#define PROG_REST "P2,City,1,2,0,J1_H1B,0.4,0.35\nP3,Gen,3,4,6,none,0.7,0.1\n"

static void test_rmc_model_load_rejects_duplicate_ids(void **state)
{
    (void)state;
    REJECT1("applicants.csv",
            APP_HEADER "A1,US_MD,1.9,0.95,0,sub_i,none\n" APP_REST "A3,US_MD,0,0.5,0,none,none\n",
            "applicants.csv:8: duplicate applicant id 'A3' (first on line 4)");
    REJECT1("programs.csv", PROG_HEADER "P1,M,2,3,4,J1,0.55,-0.2\n" PROG_REST "P1,X,1,1,1,J1,0,0\n",
            "programs.csv:5: duplicate program id 'P1' (first on line 2)");
}

static void test_rmc_model_load_rejects_bad_enums(void **state)
{
    (void)state;
    REJECT1("applicants.csv", APP_HEADER "A1,MD,1.9,0.95,0,sub_i,none\n" APP_REST,
            "applicants.csv:2: column 'type': 'MD' is not one of US_MD, US_DO, US_IMG, IMG");
    REJECT1("applicants.csv", APP_HEADER "A1,US_MD,1.9,0.95,0,sub_i,H1-B\n" APP_REST,
            "applicants.csv:2: column 'visa': 'H1-B' is not one of");
    REJECT1("applicants.csv", APP_HEADER "A1,US_MD,1.9,0.95,0,lots,none\n" APP_REST,
            "applicants.csv:2: column 'us_experience': 'lots'");
    REJECT1("programs.csv", PROG_HEADER "P1,M,2,3,4,H1B,0.55,-0.2\n" PROG_REST,
            "programs.csv:2: column 'sponsors': 'H1B' is not one of none, J1, J1_H1B");
    const file_change ch[] = {{"interviews.csv",
                               "applicant,program,advocacy,ties,interest,loi\n"
                               "A1,P1,friend,1,high,0\nA1,P2,none,2,normal,0\nA2,P1,none,0,huge,0\n"
                               "A3,P3,none,0,low,yes\nA4,P2,none,0,low,2\n",
                               0}};
    const char *const want[] = {
        "interviews.csv:2: column 'advocacy': 'friend' is not one of none, rotation",
        "interviews.csv:3: column 'ties': 2 is outside 0..1",
        "interviews.csv:4: column 'interest': 'huge' is not one of low, normal, high",
        "interviews.csv:5: column 'loi': 'yes' is not a whole number",
        "interviews.csv:6: column 'loi': 2 is outside 0..1"};
    expect_rejected(ch, 1, want, 5);
}

static void test_rmc_model_load_rejects_bad_numbers(void **state)
{
    (void)state;
    const file_change ch[] = {
        {"applicants.csv",
         APP_HEADER "A1,US_MD,nan,0.95,0,sub_i,none\nA2,IMG,abc,0.85,6,hands_on,J1\n"
                    "A3,IMG,-0.4,1.5,3,none,H1B\nA4,US_DO,-2.0,0.9,-1,observership,none\n"
                    "A5,US_IMG,inf,0.35,1,hands_on,uncertain\nA6,US_MD,,0.6,0,sub_i,none\n",
         0},
        {"programs.csv",
         PROG_HEADER "P1,M,0,3,4,J1,0.55,-0.2\nP2,City,1,0,-1,J1_H1B,1.2,0.35\n"
                     "P3,Gen,2.5,4,6,none,0.7,1e999\n",
         0}};
    const char *const want[] = {
        "applicants.csv:2: column 'pre_score': 'nan' is not a finite number",
        "applicants.csv:3: column 'pre_score': 'abc' is not a number",
        "applicants.csv:4: column 'communication': 1.5 is outside 0..1",
        "applicants.csv:5: column 'clinical_years': -1 is below 0",
        "applicants.csv:6: column 'pre_score': 'inf' is not a finite number",
        "applicants.csv:7: column 'pre_score': '' is not a number",
        "programs.csv:2: column 'positions': 0 is outside 1..1000000",
        "programs.csv:3: column 'interviewers': 0 is outside 1..",
        "programs.csv:3: column 'residents': -1 is outside 0..",
        "programs.csv:3: column 'service_load': 1.2 is outside 0..1",
        "programs.csv:4: column 'positions': '2.5' is not a whole number",
        "programs.csv:4: column 'desirability': '1e999' is not a finite number"};
    expect_rejected(ch, 2, want, sizeof want / sizeof want[0]);
}

static void test_rmc_model_load_rejects_structure(void **state)
{
    (void)state;
    REJECT1("applicants.csv", APP_HEADER "A1,US_MD,1.9,0.95,0,sub_i\n" APP_REST,
            "applicants.csv:2: ragged row: 6 fields, but the header has 7");
    REJECT1("applicants.csv",
            "id,type,pre_score,communication,clinical_years,us_experience,visa,note\n"
            "A1,US_MD,1.9,0.95,0,sub_i,none,x\n",
            "applicants.csv:1: unknown column 'note' (extra columns must start with 'x_')");
    REJECT1("programs.csv",
            "id,name,positions,interviewers,residents,service_load,desirability\n"
            "P1,M,2,3,4,0.55,-0.2\n",
            "programs.csv:1: missing column 'sponsors'");
    REJECT1("interviews.csv",
            "applicant,program,advocacy,ties,interest,program\nA1,P1,none,0,low,P2\n",
            "interviews.csv:1: column 'program' appears twice in the header");
    REJECT1("programs.csv", "", "programs.csv:1: the file is empty");
    REJECT1("couples.csv", "\n\n", "couples.csv:1: the file is empty");
    REJECT1("interviews.csv", "applicant,program,advocacy,ties,interest\r\n",
            "interviews.csv:2: no data rows after the header");
    REJECT1("programs.csv", PROG_HEADER "P1,\"Mercy,2,3,4,J1,0.55,-0.2\n" PROG_REST,
            "programs.csv:2: unclosed quote");
    REJECT1("programs.csv", PROG_HEADER PROG_REST "P1,Mer\"cy,2,3,4,J1,0.55,-0.2\n",
            "programs.csv:4: malformed quoting");
}

static void test_rmc_model_load_counts_physical_lines(void **state)
{
    (void)state;
    /* a quoted name spanning three lines; a blank line; CRLF */
    REJECT1("programs.csv",
            PROG_HEADER
            "P1,\"Mercy\r\nSt.\r\nLuke\",2,3,4,J1,0.55,-0.2\r\n\r\nP2,City,0,2,0,J1,0.4,0\r\n"
            "P3,Gen,3,4,6,none,7,0.1",
            "programs.csv:6: column 'positions': 0 is outside");
    REJECT1("programs.csv",
            PROG_HEADER "P1,\"Mercy\nSt.\nLuke\",2,3,4,J1,0.55,-0.2\n\nP2,City,1,2,0,J1,0.4,0\n"
                        "P3,Gen,3,4,6,none,7,0.1",
            "programs.csv:7: column 'service_load': 7 is outside 0..1");
    /* old Mac line ends: CR alone */
    REJECT1("programs.csv",
            "id,name,positions,interviewers,residents,sponsors,service_load,desirability\r"
            "P1,\"Mercy\rSt.\",2,3,4,J1,0.55,-0.2\rP2,City,1,2,0,J1,0.4,0\r"
            "P3,Gen,3,4,6,none,0.7,x\r",
            "programs.csv:5: column 'desirability': 'x' is not a number");
}

static void test_rmc_model_load_rejects_bad_references(void **state)
{
    (void)state;
    const file_change ch[] = {
        {"interviews.csv",
         "applicant,program,advocacy,ties,interest\n"
         "A1,P1,none,0,low\nA9,P1,none,0,low\nA2,P7,none,0,low\nA1,P1,rotation,1,high\n",
         0},
        {"applicant_rols.csv", "applicant,rank,program\nA1,1,P1\nA2,1,P2\nA8,1,P1\n", 0},
        {"program_rols.csv", "program,rank,applicant\nP1,1,A1\nP1,2,A3\nP9,1,A1\n", 0},
        {"couples.csv", NULL, 0}};
    const char *const want[] = {
        "interviews.csv:3: column 'applicant': unknown applicant 'A9' (not in applicants.csv)",
        "interviews.csv:4: column 'program': unknown program 'P7' (not in programs.csv)",
        ("interviews.csv:5: duplicate interview of applicant 'A1' at program 'P1' (first on "
         "line 2)"),
        "applicant_rols.csv:3: applicant 'A2' did not interview at program 'P2'",
        "applicant_rols.csv:4: column 'applicant': unknown applicant 'A8'",
        "program_rols.csv:3: applicant 'A3' did not interview at program 'P1'",
        "program_rols.csv:4: column 'program': unknown program 'P9'"};
    expect_rejected(ch, 4, want, sizeof want / sizeof want[0]);
}

static void test_rmc_model_load_rejects_bad_ranks(void **state)
{
    (void)state;
    const file_change ch[] = {
        {"applicant_rols.csv",
         "applicant,rank,program\nA1,1,P1\nA1,1,P2\nA2,1,P1\nA2,3,P3\nA6,1,P1\nA6,2,P1\n"
         "A4,0,P2\n",
         0},
        {"program_rols.csv", "program,rank,applicant\nP1,2,A1\nP1,two,A2\n", 0}};
    const char *const want[] = {
        "applicant_rols.csv:3: duplicate rank 1 for applicant 'A1' (first on line 2)",
        "applicant_rols.csv:5: rank 3, but applicant 'A2' has only 2 rows (ranks must run 1..2",
        "applicant_rols.csv:7: program 'P1' is ranked twice (also on line 6)",
        "applicant_rols.csv:8: column 'rank': 0 is outside 1..",
        "program_rols.csv:3: column 'rank': 'two' is not a whole number"};
    expect_rejected(ch, 2, want, sizeof want / sizeof want[0]);
}

static void test_rmc_model_load_rejects_bad_couples(void **state)
{
    (void)state;
    const file_change ch[] = {{"couples.csv",
                               "applicant_a,applicant_b,rank,program_a,program_b\n"
                               "A6,A5,1,P1,P1\n"
                               "A6,A5,2,P2,\n"
                               "A5,A6,3,P1,P3\n"
                               "A1,A6,1,P1,P1\n"
                               "A3,A3,1,P3,P3\n"
                               "A1,A2,1,,\n"
                               "A1,A2,1,P1,P1\n"
                               "A3,A4,1,P3,P2\n"
                               "A3,A4,2,P3,P2\n",
                               0}};
    const char *const want[] = {
        "couples.csv:3: applicant 'A6' did not interview at program 'P2'",
        "couples.csv:4: couple written as ('A5', 'A6') here but the other way round on line 2",
        "couples.csv:5: applicant 'A6' is already in a couple with 'A5' (line 2)",
        "couples.csv:6: applicant_a and applicant_b are the same applicant",
        "couples.csv:7: program_a and program_b are both empty",
        "couples.csv:10: this program pair is already ranked on line 9"};
    expect_rejected(ch, 1, want, sizeof want / sizeof want[0]);
}

/* Program locations and couples with generated lists (couples.csv rows
 * without rank and programs). */
static const char located_programs[] =
    "id,name,positions,interviewers,residents,sponsors,service_load,desirability,region,city\n"
    "P1,\"Mercy, St. Luke's\",2,3,4,J1,0.55,-0.2,west,Reno\n"
    "P2,City,1,2,0,J1_H1B,0.4,0.35,west,\n"
    "P3,Main,3,4,6,none,0.7,0.1,,\n";

static void test_rmc_model_load_generated_couples(void **state)
{
    (void)state;
    const file_change ch[] = {{"programs.csv", located_programs, 0},
                              {"couples.csv", "applicant_a,applicant_b\nA6,A5\nA1,A2\n", 0}};
    rmc_model *m = expect_loaded(ch, 2);
    assert_non_null(m->prog_region);
    assert_int_equal(m->n_region, 1);
    assert_int_equal(m->n_city, 1);
    assert_string_equal(m->region_name[0], "west");
    assert_string_equal(m->city_name[0], "Reno");
    assert_int_equal(m->prog_region[0], 0);
    assert_int_equal(m->prog_region[1], 0);
    assert_int_equal(m->prog_region[2], -1);
    assert_int_equal(m->prog_city[0], 0);
    assert_int_equal(m->prog_city[1], -1);
    assert_int_equal(m->prog_city[2], -1);
    assert_int_equal(m->n_couples, 2);
    assert_int_equal(m->n_couples_gen, 2);
    assert_int_equal(m->couple_gen[0], 1);
    assert_int_equal(m->crol_off[2], 0);
    rmc_model_free(m);
    /* The five columns, a generated couple beside a ranked one; the
     * location columns may be absent (then no locations), with pairs = any. */
    const file_change mixed[] = {
        {"couples.csv",
         "applicant_a,applicant_b,rank,program_a,program_b\nA6,A5,1,P1,P1\nA1,A2,,,\n", 0},
        {"model.ini", "[couples]\npairs = any\n", 0}};
    m = expect_loaded(mixed, 2);
    assert_null(m->prog_region);
    assert_int_equal(m->n_couples_gen, 1);
    assert_int_equal(m->couple_gen[0], 0);
    assert_int_equal(m->couple_gen[1], 1);
    assert_int_equal(m->crol_off[2], 1);
    rmc_model_free(m);
}

static void test_rmc_model_load_rejects_bad_locations(void **state)
{
    (void)state;
    const file_change ch[] = {
        {"programs.csv",
         "id,name,positions,interviewers,residents,sponsors,service_load,desirability,region,city\n"
         "P1,A,2,3,4,J1,0.55,-0.2,west,Reno\n"
         "P2,B,1,2,0,J1_H1B,0.4,0.35,south,Reno\n"
         "P3,C,3,4,6,none,0.7,0.1,,Boston\n",
         0}};
    const char *const want[] = {
        "programs.csv:3: city 'Reno' is in region 'south' here but in 'west' on line 2",
        "programs.csv:4: city 'Boston' without a region"};
    expect_rejected(ch, 1, want, sizeof want / sizeof want[0]);
    /* Generated and ranked rows of one couple; a row without rank but with
     * a program; a generated list without locations (pairs = region). */
    const file_change cp[] = {{"couples.csv",
                               "applicant_a,applicant_b,rank,program_a,program_b\n"
                               "A6,A5,1,P1,P1\n"
                               "A6,A5,,,\n"
                               "A1,A2,,,\n"
                               "A1,A2,1,P1,P1\n"
                               "A3,A4,,P3,\n",
                               0}};
    const char *const want_cp[] = {
        "couples.csv:3: the couple of 'A6' and 'A5' has ranked rows (line 2)",
        "couples.csv:5: the couple of 'A1' and 'A2' has a generated joint list (line 4)",
        "couples.csv:6: column 'rank': '' is not a whole number",
        ("couples.csv:4: a generated joint list pairs programs by place: programs.csv needs a "
         "region")};
    expect_rejected(cp, 1, want_cp, sizeof want_cp / sizeof want_cp[0]);
}

/* Tracks: P1 advanced, P2 preliminary, P3 categorical (the base programs
 * with a track column); A1 ranks P1 with supplemental list 'A' = [P2], A2
 * ranks P1 with no list; a chain of reversions P1 -> P2 -> P3. */
static const char tracks_programs[] =
    "id,name,positions,interviewers,residents,sponsors,service_load,desirability,track\n"
    "P1,\"Mercy, St. Luke's\",2,3,4,J1,0.55,-0.2,advanced\n"
    "P2,City,1,2,0,J1_H1B,0.4,0.35,preliminary\n"
    "P3,\"General \"\"Main\"\" Campus\",3,4,6,none,0.7,0.1,\n";

static void test_rmc_model_load_tracks(void **state)
{
    (void)state;
    const file_change ch[] = {
        {"programs.csv", tracks_programs, 0},
        {"supplemental_rols.csv", "applicant,list,rank,program\nA1,A,1,P2\n", 0},
        {"applicant_rols.csv",
         "applicant,rank,program,supplemental\nA1,1,P1,A\nA2,1,P3,\nA2,2,P1,\n", 0},
        {"reversions.csv", "donor,receiver,positions\nP2,P3,1\nP1,P2,2\n", 0}};
    char dir[64];
    make_model(dir, ch, 4);
    rmc_model *m = NULL;
    char msgs[16384];
    assert_int_equal(load(dir, &m, msgs, sizeof msgs), RMC_OK);
    assert_int_equal(rmc_model_program_track(m, 0), RMC_TRACK_ADVANCED);
    assert_int_equal(rmc_model_program_track(m, 1), RMC_TRACK_PRELIMINARY);
    assert_int_equal(rmc_model_program_track(m, 2), RMC_TRACK_CATEGORICAL);
    assert_int_equal(rmc_model_n_track(m, RMC_TRACK_ADVANCED), 1);
    assert_string_equal(rmc_track_name(RMC_TRACK_PRELIMINARY), "preliminary");
    assert_int_equal(rmc_model_n_supplemental(m), 1);
    assert_int_equal(m->sup_app[0], 0);
    assert_string_equal(m->sup_label[0], "A");
    assert_int_equal(m->sup_off[1], 1);
    assert_int_equal(m->sup_prog[0], 1);
    assert_int_equal(m->iv_prog[m->sup_iv[0]], 1);
    /* A1's entry (P1) is served by list 0; A2's entries by none. */
    assert_int_equal(m->arol_sup[m->arol_off[0]], 0);
    for (size_t e = m->arol_off[1]; e < m->arol_off[2]; e++) {
        assert_int_equal(m->arol_sup[e], RMC_ID_NONE);
    }
    assert_int_equal(rmc_model_n_reversions(m), 2);
    assert_int_equal(m->rev_donor[0], 1);
    assert_int_equal(m->rev_receiver[0], 2);
    assert_int_equal(m->rev_positions[1], 2);
    rmc_model_free(m);
    remove_model(dir);
}

static void test_rmc_model_load_rejects_bad_tracks(void **state)
{
    (void)state;
    const file_change ch[] = {
        {"programs.csv",
         "id,name,positions,interviewers,residents,sponsors,service_load,desirability,track\n"
         "P1,Mercy,2,3,4,J1,0.55,-0.2,advanced\n"
         "P2,City,1,2,0,J1_H1B,0.4,0.35,preliminary\n"
         "P3,General,3,4,6,none,0.7,0.1,categorical\n",
         0},
        {"supplemental_rols.csv",
         "applicant,list,rank,program\n"
         "A1,A,1,P2\n"
         "A2,B,1,P3\n"
         "A1,A,1,P2\n"
         "A6,C,1,P1\n"
         "A2,,1,P1\n",
         0},
        {"applicant_rols.csv",
         "applicant,rank,program,supplemental\nA1,1,P1,A\nA1,2,P2,A\nA2,1,P1,Z\n", 0}};
    const char *const want[] = {
        "supplemental_rols.csv:3: program 'P3' is categorical: a supplemental list may name only "
        "preliminary programs",
        "supplemental_rols.csv:4: duplicate rank 1 for supplemental list 'A' of applicant 'A1' "
        "(first on line 2)",
        "supplemental_rols.csv:5: program 'P1' is advanced: a supplemental list",
        "supplemental_rols.csv:6: column 'list' is empty",
        "applicant_rols.csv:3: supplemental list 'A' named on the entry of program 'P2', which "
        "is preliminary",
        "applicant_rols.csv:4: applicant 'A2' has no supplemental list 'Z'"};
    expect_rejected(ch, 3, want, sizeof want / sizeof want[0]);
    const file_change ch2[] = {
        {"programs.csv", tracks_programs, 0},
        {"supplemental_rols.csv", "applicant,list,rank,program\nA1,A,1,P2\nA5,B,1,P1\n", 0},
        {"programs.csv",
         "id,name,positions,interviewers,residents,sponsors,service_load,desirability,track\n"
         "P1,Mercy,2,3,4,J1,0.55,-0.2,advanced\n"
         "P2,City,1,2,0,J1_H1B,0.4,0.35,pgy2\n"
         "P3,General,3,4,6,none,0.7,0.1,categorical\n",
         0}};
    const char *const want2[] = {
        "programs.csv:3: column 'track': 'pgy2' is not one of categorical, preliminary, advanced",
        "supplemental_rols.csv:2: supplemental list 'A' of applicant 'A1' serves no entry"};
    expect_rejected(ch2, 3, want2, sizeof want2 / sizeof want2[0]);
    const file_change ch3[] = {
        {"programs.csv", tracks_programs, 0},
        {"supplemental_rols.csv", "applicant,list,rank,program\nA5,A,1,P1\n", 0}};
    /* A5 is in a couple (base couples.csv) and P1 is advanced. */
    const char *const want3[] = {"supplemental_rols.csv:2: program 'P1' is advanced"};
    expect_rejected(ch3, 2, want3, 1);
}

static void test_rmc_model_load_rejects_couple_supplemental(void **state)
{
    (void)state;
    const file_change ch[] = {
        {"programs.csv",
         "id,name,positions,interviewers,residents,sponsors,service_load,desirability,track\n"
         "P1,Mercy,2,3,4,J1,0.55,-0.2,preliminary\n"
         "P2,City,1,2,0,J1_H1B,0.4,0.35,advanced\n"
         "P3,General,3,4,6,none,0.7,0.1,categorical\n",
         0},
        {"supplemental_rols.csv", "applicant,list,rank,program\nA5,A,1,P1\n", 0},
        {"applicant_rols.csv", "applicant,rank,program,supplemental\nA1,1,P1,\n", 0}};
    const char *const want[] = {
        "supplemental_rols.csv:2: applicant 'A5' is in a couple (couples.csv): supplemental "
        "lists of couple members are not supported"};
    expect_rejected(ch, 3, want, 1);
}

static void test_rmc_model_load_rejects_bad_reversions(void **state)
{
    (void)state;
    const file_change ch[] = {{"reversions.csv",
                               "donor,receiver,positions\n"
                               "P1,P2,1\n"
                               "P2,P3,1\n"
                               "P3,P1,2\n"
                               "P1,P9,1\n"
                               "P2,P2,1\n"
                               "P2,P1,2\n"
                               "P1,P2,1\n"
                               "P3,P2,0\n",
                               0}};
    const char *const want[] = {
        "reversions.csv:5: column 'receiver': unknown program 'P9' (not in programs.csv)",
        "reversions.csv:6: program 'P2' reverts positions to itself (a cycle)",
        "reversions.csv:7: column 'positions': 2 is more than donor 'P2' offers (1)",
        "reversions.csv:8: the reversion from 'P1' to 'P2' is already on line 2",
        "reversions.csv:9: column 'positions': 0 is outside 1..",
        "reversions.csv:4: reversion cycle: 'P1' -> 'P2' -> 'P3' -> 'P1'"};
    expect_rejected(ch, 1, want, sizeof want / sizeof want[0]);
}

static void test_rmc_model_load_rejects_bad_ini(void **state)
{
    (void)state;
    const file_change ch[] = {{"model.ini",
                               "[interview]\n"
                               "sigma_day = 0.4\n"
                               "sigma_dya = 0.4\n"
                               "sigma_day = 0.5\n"
                               "p_awkward = 1.5\n"
                               "w_pre = nan\n"
                               "[meeting]\n"
                               "tiers = 2.5\n"
                               "reference_list = lots\n"
                               "[preferences]\n"
                               "noise = cauchy\n"
                               "this line is wrong\n"
                               "[colour]\n"
                               "hue = 3\n"
                               "[advocacy]\n"
                               "rotation_min = 30\n",
                               0}};
    const char *const want[] = {
        "model.ini:3: unknown key 'sigma_dya' in [interview]",
        "model.ini:4: [interview] sigma_day is set twice (first on line 2)",
        "model.ini:5: [interview] p_awkward: 1.5 is outside 0..1",
        "model.ini:6: [interview] w_pre: 'nan' is not a finite number",
        "model.ini:8: [meeting] tiers: 2.5 is not a whole number",
        "model.ini:9: [meeting] reference_list: 'lots' is not a number",
        "model.ini:11: [preferences] noise: 'cauchy' is not one of gumbel|normal",
        "model.ini:12: expected 'key = value', '[section]' or a comment",
        "model.ini:13: unknown section [colour]",
        "model.ini:16: [advocacy] rotation_min = 30 exceeds rotation_max = 20"};
    expect_rejected(ch, 1, want, sizeof want / sizeof want[0]);
    REJECT1("model.ini", "", "model.ini:1: the file is empty");
    char long_ini[1200];
    snprintf(long_ini, sizeof long_ini, "; %0500d\n[meeting]\ntiers = 3 ; %0300d\n", 0, 0);
    REJECT1("model.ini", long_ini, "model.ini:3: line longer than 198 characters");
    /* a long comment line alone is fine */
    snprintf(long_ini, sizeof long_ini, "; %0500d\n[meeting]\ntiers = 3\n", 0);
    const file_change ok_ini[] = {{"model.ini", long_ini, 0}};
    rmc_model_free(expect_loaded(ok_ini, 1));
    REJECT1("model.ini", "x = 1\n", "model.ini:1: key 'x' before any [section]");
    REJECT1("model.ini", "[couples]\n; programs rank partners together\nrank_together = yes\n",
            "model.ini:3: [couples] rank_together: 'yes' is not one of off|on");
}

static void test_rmc_model_load_rejects_binary_and_huge(void **state)
{
    (void)state;
    static const char nul[] = APP_HEADER "A1,US_MD,1.9,0.95,0,sub_i,none\nA2,\0\0\x01\x02,3\n";
    const file_change ch[] = {{"applicants.csv", nul, sizeof nul - 1}};
    const char *const want[] = {"applicants.csv:3: NUL byte"};
    expect_rejected(ch, 1, want, 1);
    REJECT1("programs.csv", PROG_HEADER "P1,\xff\xfe\x80,2,3,4,J1,0.55,-0.2\n",
            "programs.csv:2: not valid UTF-8 text");
    REJECT1("model.ini", "[meeting]\ntiers = \xc3\x28\n", "model.ini: not a text file");
    /* a field of 5 MB, unquoted and quoted (spanning many read blocks) */
    const size_t big = 5u << 20;
    char *text = malloc(big + 256);
    assert_non_null(text);
    for (int quoted = 0; quoted < 2; quoted++) {
        const int n = snprintf(text, 256, PROG_HEADER "P1,%s", quoted ? "\"" : "");
        memset(text + n, 'x', big);
        snprintf(text + n + big, 256 - 0, "%s,2,3,4,J1,0.55,-0.2\n", quoted ? "\"" : "");
        REJECT1("programs.csv", text, "programs.csv:2: a field");
    }
    free(text);
}

/* The widest valid row: 57 ignored x_ columns of 4096 bytes each besides
 * the seven real ones (64 in all) loads, and the values survive the row
 * buffer growing under them. */
static void test_rmc_model_load_accepts_widest_rows(void **state)
{
    (void)state;
    enum { EXTRA = 57, FIELD = 4096 };
    const size_t cap = (size_t)EXTRA * (FIELD + 1) * 6 + 8192; /* 6 rows + header */
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap,
                                "id,type,pre_score,communication,clinical_years,"
                                "us_experience,visa");
    for (int c = 0; c < EXTRA; c++) {
        n += (size_t)snprintf(text + n, cap - n, ",x_%d", c);
    }
    static const char *const rows[] = {"A1,US_MD,1.9,0.95,0,sub_i,none",
                                       "A2,IMG,0.2,0.85,6,hands_on,J1",
                                       "A3,IMG,-0.4,0.3,3,none,H1B",
                                       "A4,US_DO,-2.0,0.9,0,observership,none",
                                       "A5,US_IMG,0.1,0.35,1,hands_on,uncertain",
                                       "A6,US_MD,0.5,0.6,0,sub_i,none"};
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        n += (size_t)snprintf(text + n, cap - n, "\n%s", rows[r]);
        for (int c = 0; c < EXTRA; c++) {
            text[n++] = ',';
            memset(text + n, (int)('a' + (c + (int)r) % 26), FIELD);
            n += FIELD;
        }
    }
    text[n++] = '\n';
    const file_change ch[] = {{"applicants.csv", text, n}};
    rmc_model *m = expect_loaded(ch, 1);
    assert_int_equal(rmc_model_n_applicants(m), 6);
    assert_string_equal(rmc_model_applicant_id(m, 4), "A5");
    assert_close(m->pre_score[3], -2.0, 0, 0);
    assert_close(m->communication[4], 0.35, 0, 0);
    rmc_model_free(m);
    free(text);
}

static void test_rmc_model_load_reports_missing_files(void **state)
{
    (void)state;
    const file_change ch[] = {{"model.ini", NULL, 0}, {"interviews.csv", NULL, 0}};
    const char *const want[] = {"model.ini: missing required file",
                                "interviews.csv: missing required file"};
    expect_rejected(ch, 2, want, 2);
    rmc_problems *pr = NULL;
    assert_int_equal(rmc_problems_alloc(10, &pr), RMC_OK);
    rmc_model *m = (rmc_model *)1;
    assert_int_equal(rmc_model_load("/nonexistent/rankmc", pr, NULL, &m), RMC_EINPUT);
    assert_null(m);
    assert_int_equal(rmc_problems_count(pr), 1);
    assert_non_null(
        strstr(rmc_problems_get(pr, 0), "/nonexistent/rankmc: cannot open model folder"));
    rmc_problems_free(pr);
}

static void test_rmc_model_load_reports_every_file(void **state)
{
    (void)state;
    const file_change ch[] = {
        {"model.ini", "[meeting]\nbogus = 1\n", 0},
        {"applicants.csv",
         APP_HEADER "A1,US_MD,1.9,0.95,0,sub_i,none\n" APP_REST "A7,X,0,0,0,none,none\n", 0},
        {"programs.csv", PROG_HEADER "P1,M,2,3,4,J1,0.55,-0.2\n" PROG_REST "P4,Q,1,1,1,J1,0.5\n",
         0},
        {"couples.csv",
         "applicant_a,applicant_b,rank,program_a,program_b\nA6,A5,1,P1,P1\nA6,A5,1,P1,\n", 0}};
    const char *const want[] = {
        "model.ini:2: unknown key 'bogus' in [meeting]", "applicants.csv:8: column 'type': 'X'",
        "programs.csv:5: ragged row",
        "couples.csv:3: duplicate rank 1 for the couple of applicant 'A6' (first on line 2)"};
    expect_rejected(ch, 4, want, sizeof want / sizeof want[0]);
}

/* ---- hash and allocation failure ---- */

static void test_rmc_model_sha256_stable(void **state)
{
    (void)state;
    rmc_model *a = expect_loaded(NULL, 0);
    rmc_model *b = expect_loaded(NULL, 0);
    assert_string_equal(rmc_model_sha256(a), rmc_model_sha256(b));
    /* one byte changed, and a file removed, each change the digest */
    const file_change ch[] = {{"model.ini", "; test model\n[interview]\nsigma_day = 0.38\n", 0}};
    rmc_model *c = expect_loaded(ch, 1);
    assert_string_not_equal(rmc_model_sha256(a), rmc_model_sha256(c));
    const file_change del[] = {{"couples.csv", NULL, 0}};
    rmc_model *e = expect_loaded(del, 1);
    assert_string_not_equal(rmc_model_sha256(a), rmc_model_sha256(e));
    /* the digest is SHA-256 over name, NUL, decimal length, NUL, bytes per file */
    rmc_sha256 s;
    rmc_sha256_init(&s);
    for (size_t i = 0; i < N_FILES; i++) {
        char len[32];
        const int n = snprintf(len, sizeof len, "%zu", strlen(base_text[i]));
        rmc_sha256_update(&s, file_names[i], strlen(file_names[i]) + 1);
        rmc_sha256_update(&s, len, (size_t)n + 1);
        rmc_sha256_update(&s, base_text[i], strlen(base_text[i]));
    }
    char hex[65];
    rmc_sha256_final_hex(&s, hex);
    assert_string_equal(rmc_model_sha256(a), hex);
    rmc_model_free(a);
    rmc_model_free(b);
    rmc_model_free(c);
    rmc_model_free(e);
}

static void test_rmc_model_load_alloc_failure_sweep(void **state)
{
    (void)state;
    char dir[64];
    make_model(dir, NULL, 0);
    size_t k = 1;
    for (;; k++) {
        rmc_mem_fail_at(k);
        rmc_model *m = (rmc_model *)1;
        rmc_diag d = {0};
        const rmc_status st = rmc_model_load(dir, NULL, &d, &m);
        const size_t made = rmc_mem_fail_at(0);
        if (st == RMC_OK) {
            assert_true(k > made);
            rmc_model_free(m);
            break;
        }
        assert_int_equal(st, RMC_ENOMEM);
        assert_int_equal(d.status, RMC_ENOMEM);
        assert_null(m);
    }
    assert_true(k > 50); /* the sweep really went through the loader */
    remove_model(dir);
}

/* step2_ck instead of pre_score: mapped by type through [step2_ck]
 * (defaults: US mean 249, IMG mean 240, SD 15, weight 0.7, per-type
 * offsets 0.30 / 0.20 / -0.70 / -0.50), row by row with pre_score rows. */
static void test_rmc_model_load_step2_ck(void **state)
{
    (void)state;
    const file_change ch[] = {
        {"applicants.csv",
         "id,type,pre_score,communication,clinical_years,us_experience,visa,step2_ck\n"
         "A1,US_MD,,0.95,0,sub_i,none,264\n"
         "A2,IMG,,0.85,6,hands_on,J1,225\n"
         "A3,IMG,-0.4,0.3,3,none,H1B,\n"
         "A4,US_DO,,0.9,0,observership,none,249\n"
         "A5,US_IMG,,0.35,1,hands_on,uncertain,240\n"
         "A6,US_MD,0.5,0.6,0,sub_i,none,\n",
         0}};
    char dir[64];
    make_model(dir, ch, 1);
    rmc_model *m = NULL;
    char msgs[4096];
    assert_int_equal(load(dir, &m, msgs, sizeof msgs), RMC_OK);
    assert_close(m->pre_score[0], 0.30 + 0.7, 1e-12, 1e-12);
    assert_close(m->pre_score[1], -0.50 - 0.7, 1e-12, 1e-12);
    assert_close(m->pre_score[2], -0.4, 0, 0);
    assert_close(m->pre_score[3], 0.20, 1e-12, 1e-12);
    assert_close(m->pre_score[4], -0.70, 1e-12, 1e-12);
    assert_close(m->pre_score[5], 0.5, 0, 0);
    /* the public mapping is the same function */
    assert_close(rmc_step2_ck_pre_score(rmc_model_params(m), RMC_TYPE_US_MD, 264), 1.0, 1e-12,
                 1e-12);
    rmc_model_free(m);
    remove_model(dir);
}

static void test_rmc_model_load_rejects_bad_step2_ck(void **state)
{
    (void)state;
    const file_change ch[] = {
        {"applicants.csv",
         "id,type,pre_score,communication,clinical_years,us_experience,visa,step2_ck\n"
         "A1,US_MD,0.2,0.95,0,sub_i,none,250\n"
         "A2,IMG,,0.85,6,hands_on,J1,301\n"
         "A3,IMG,,0.3,3,none,H1B,0\n"
         "A4,US_DO,,0.9,0,observership,none,\n"
         "A5,US_IMG,,0.35,1,hands_on,uncertain,abc\n"
         "A6,US_MD,0.5,0.6,0,sub_i,none,\n",
         0}};
    const char *const want[] = {
        "applicants.csv:2: give 'pre_score' or 'step2_ck', not both",
        "applicants.csv:3: column 'step2_ck': 301 is outside 1..300",
        "applicants.csv:4: column 'step2_ck': 0 is outside 1..300",
        "applicants.csv:5: columns 'pre_score' and 'step2_ck' are both empty",
        "applicants.csv:6: column 'step2_ck': 'abc' is not a number"};
    expect_rejected(ch, 1, want, sizeof want / sizeof want[0]);
    const file_change none[] = {
        {"applicants.csv",
         "id,type,communication,clinical_years,us_experience,visa\n"
         "A1,US_MD,0.95,0,sub_i,none\nA2,IMG,0.85,6,hands_on,J1\nA3,IMG,0.3,3,none,H1B\n"
         "A4,US_DO,0.9,0,observership,none\nA5,US_IMG,0.35,1,hands_on,uncertain\n"
         "A6,US_MD,0.6,0,sub_i,none\n",
         0}};
    const char *const want2[] = {"applicants.csv:1: needs a column 'pre_score' or 'step2_ck'"};
    expect_rejected(none, 1, want2, 1);
    char dir[64];
    make_model(dir, none, 1);
    rmc_model *m = NULL;
    char msgs[16384];
    assert_int_equal(load(dir, &m, msgs, sizeof msgs), RMC_EINPUT);
    assert_null(strstr(strstr(msgs, "needs a column") + 1, "needs a column")); /* once only */
    remove_model(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_model_load_step2_ck),
        cmocka_unit_test(test_rmc_model_load_rejects_bad_step2_ck),
        cmocka_unit_test(test_rmc_model_load_tracks),
        cmocka_unit_test(test_rmc_model_load_generated_couples),
        cmocka_unit_test(test_rmc_model_load_rejects_bad_locations),
        cmocka_unit_test(test_rmc_model_load_rejects_bad_tracks),
        cmocka_unit_test(test_rmc_model_load_rejects_couple_supplemental),
        cmocka_unit_test(test_rmc_model_load_rejects_bad_reversions),
        cmocka_unit_test(test_sha256_standard_vectors),
        cmocka_unit_test(test_rmc_model_load_accessors),
        cmocka_unit_test(test_rmc_model_load_internal_layout),
        cmocka_unit_test(test_rmc_model_load_accepts_variants),
        cmocka_unit_test(test_rmc_model_load_rejects_duplicate_ids),
        cmocka_unit_test(test_rmc_model_load_rejects_bad_enums),
        cmocka_unit_test(test_rmc_model_load_rejects_bad_numbers),
        cmocka_unit_test(test_rmc_model_load_rejects_structure),
        cmocka_unit_test(test_rmc_model_load_counts_physical_lines),
        cmocka_unit_test(test_rmc_model_load_rejects_bad_references),
        cmocka_unit_test(test_rmc_model_load_rejects_bad_ranks),
        cmocka_unit_test(test_rmc_model_load_rejects_bad_couples),
        cmocka_unit_test(test_rmc_model_load_rejects_bad_ini),
        cmocka_unit_test(test_rmc_model_load_rejects_binary_and_huge),
        cmocka_unit_test(test_rmc_model_load_accepts_widest_rows),
        cmocka_unit_test(test_rmc_model_load_reports_missing_files),
        cmocka_unit_test(test_rmc_model_load_reports_every_file),
        cmocka_unit_test(test_rmc_model_sha256_stable),
        cmocka_unit_test(test_rmc_model_load_alloc_failure_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
