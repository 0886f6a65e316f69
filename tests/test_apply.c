/* Tests for rankmc apply (apply.c, synth_offers.c): the run-time offer model
 * reproduces the screening/offer closed form against each program's offer
 * cutoff; the offer cutoffs are those of synth's own deferred acceptance
 * (a program whose slots are open took everyone who applied and was
 * considered); the incremental outcomes equal the direct ones; the greedy
 * optimiser finds the best portfolio of size <= 3 within Monte Carlo error
 * (brute force over every portfolio); the optimiser beats the baselines;
 * bit-identical for any thread count; bad input. */
#define _GNU_SOURCE /* mkdtemp */
#include "test_util.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "model_int.h"
#include "rankmc/rankmc.h"
#include "synth_int.h"

static const char us_md[] = "[applicant]\ntype = US_MD\nspecialty = internal_medicine\n"
                            "step2_ck = 249\n";
static const char img_j1[] = "[applicant]\ntype = IMG\nspecialty = internal_medicine\n"
                             "step2_ck = 240\nus_experience = observership\nvisa = J1\n";

static char *write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/rmc_test_ap_XXXXXX");
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return path;
}

static rmc_profile_file *profile_from(const char *text)
{
    char *path = write_temp(text);
    rmc_problems *pr = NULL;
    assert_int_equal(rmc_problems_alloc(20, &pr), RMC_OK);
    rmc_profile_file *pf = NULL;
    assert_int_equal(rmc_profile_load_applicant(path, pr, NULL, NULL, &pf), RMC_OK);
    rmc_problems_free(pr);
    unlink(path);
    return pf;
}

typedef struct run_cfg {
    const char *market;
    size_t K, M;
    uint64_t N;
    int threads;
    const char *candidates;
    bool what_ifs;
} run_cfg;

static rmc_status run_apply(const rmc_profile_file *pf, const run_cfg *c, rmc_problems *pr,
                            rmc_apply_result **out)
{
    char work[64] = "/tmp/rmc_test_apw_XXXXXX";
    assert_non_null(mkdtemp(work));
    rmc_apply_options o;
    rmc_apply_options_default(&o);
    o.market = c->market;
    o.n_markets = c->K;
    o.replicates = c->N;
    o.max_applications = c->M;
    o.threads = c->threads;
    o.candidates = c->candidates;
    o.what_ifs = c->what_ifs;
    o.work_dir = work;
    rmc_diag d = {0};
    const rmc_status st = rmc_apply_run(pf, &o, pr, out, &d);
    assert_int_equal(rmdir(work), 0); /* every market file removed again */
    return st;
}

static rmc_apply_result *run_ok(const char *profile, const run_cfg *c)
{
    rmc_profile_file *pf = profile_from(profile);
    rmc_problems *pr = NULL;
    assert_int_equal(rmc_problems_alloc(20, &pr), RMC_OK);
    rmc_apply_result *r = NULL;
    const rmc_status st = run_apply(pf, c, pr, &r);
    if (st != RMC_OK && rmc_problems_kept(pr) > 0) {
        print_error("%s\n", rmc_problems_get(pr, 0));
    }
    assert_int_equal(st, RMC_OK);
    rmc_problems_free(pr);
    rmc_profile_free(pf);
    return r;
}

/* P(offer | applied) in market 0 (K = 1) is P(considered) * P(score > cutoff)
 * = P(considered) * Phi(c * pre + shift - cutoff), for every candidate. */
static void test_offer_closed_form(void **state)
{
    (void)state;
    const char *profiles[2] = {us_md, img_j1};
    const rmc_synth_preset *pre = rmc_synth_preset_find("im-regional");
    assert_non_null(pre);
    for (int p = 0; p < 2; p++) {
        const run_cfg c = {"im-regional", 1, 3, 400, 2, NULL, false};
        rmc_apply_result *r = run_ok(profiles[p], &c);
        const rmc_synth_group g = p == 0 ? RMC_SYNTH_MD_SENIOR : RMC_SYNTH_NON_US_IMG;
        assert_string_equal(r->group, rmc_synth_group_name(g));
        size_t open = 0, closed = 0;
        for (size_t l = 0; l < r->n_candidates; l++) {
            const rmc_apply_candidate *x = &r->candidates[l];
            double considered = 1.0;
            if (p == 1 && x->sponsors == RMC_SPONSORS_NONE) {
                considered = pre->visa_exception;
            }
            const double mu = pre->offer_concentration * r->pre_score + pre->groups[g].offer_shift;
            const double q =
                isinf(x->offer_cutoff) ? 1.0 : gsl_cdf_ugaussian_P(mu - x->offer_cutoff);
            const double want = considered * q;
            const double se = sqrt(fmax(want * (1 - want), 1e-4) / 400.0);
            if (fabs(x->p_offer.p - want) > 5 * se) {
                print_error("candidate %zu: P(offer) %.3f, closed form %.3f (SE %.3f)\n", l,
                            x->p_offer.p, want, se);
                fail();
            }
            open += isinf(x->offer_cutoff) ? 1u : 0u;
            closed += isinf(x->offer_cutoff) ? 0u : 1u;
        }
        assert_true(closed > 0); /* the market has full programs to screen with */
        (void)open;
        rmc_apply_result_free(r);
    }
}

/* The cutoffs are synth's own: a full program's cutoff is a score it really
 * offered at, and a program with open slots interviewed every applicant who
 * applied and was considered, so it holds fewer interviews than slots. */
static void test_offer_cutoffs_are_synths(void **state)
{
    (void)state;
    char dir[64] = "/tmp/rmc_test_apc_XXXXXX";
    assert_non_null(mkdtemp(dir));
    rmc_synth_options so;
    rmc_synth_options_default(&so);
    so.preset = "im-regional";
    so.seed = 7;
    so.force = true;
    double *cut = NULL;
    size_t n = 0;
    rmc_synth_summary sum;
    assert_int_equal(rmc_synth_write_offers(&so, dir, &sum, &cut, &n, NULL), RMC_OK);
    assert_int_equal(n, sum.n_programs);
    rmc_model *m = NULL;
    assert_int_equal(rmc_model_load(dir, NULL, NULL, &m), RMC_OK);
    const rmc_synth_preset *pre = rmc_synth_preset_find("im-regional");
    size_t full = 0;
    for (size_t j = 0; j < n; j++) {
        const size_t held = m->prog_off[j + 1] - m->prog_off[j];
        const size_t slots = (size_t)ceil(pre->slots_per_position * m->positions[j]);
        if (isinf(cut[j])) {
            assert_true(held <= slots); /* open slots (rescued applicants aside) */
        } else {
            full++;
            assert_true(held >= slots); /* every slot held at the end of the offers */
        }
    }
    assert_true(full > 0);
    /* rmc_synth_write gives the same files as rmc_synth_write_offers */
    char dir2[64] = "/tmp/rmc_test_apd_XXXXXX";
    assert_non_null(mkdtemp(dir2));
    assert_int_equal(rmc_synth_write(&so, dir2, NULL, NULL), RMC_OK);
    rmc_model *m2 = NULL;
    assert_int_equal(rmc_model_load(dir2, NULL, NULL, &m2), RMC_OK);
    assert_string_equal(m->sha256, m2->sha256);
    rmc_model_free(m2);
    rmc_model_free(m);
    rmc_free(cut);
    const char *files[] = {"model.ini", "applicants.csv", "programs.csv", "interviews.csv"};
    char path[128];
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
        snprintf(path, sizeof path, "%s/%s", dir2, files[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(dir), 0);
    assert_int_equal(rmdir(dir2), 0);
}

/* Matched-replicate count of portfolio set on rows [r0, r1). */
static size_t count(const rmc_apply_draws *dr, size_t r0, size_t r1, const size_t *set, size_t n)
{
    size_t x = 0;
    for (size_t r = r0; r < r1; r++) {
        x += (size_t)rmc_apply_outcome(dr, r, set, n, NULL);
    }
    return x;
}

/* The incremental curve equals the direct outcome of each prefix, the
 * expected interviews too; the brute force over every portfolio of size
 * 1..3 finds nothing better than the greedy one beyond Monte Carlo error. */
static void test_greedy_brute_force(void **state)
{
    (void)state;
    const run_cfg c = {"im-regional", 2, 3, 200, 2, NULL, false};
    rmc_apply_result *r = run_ok(img_j1, &c);
    const rmc_apply_draws *dr = &r->draws;
    const size_t C = dr->C, KN = dr->R / 2;
    const double dKN = (double)KN;
    assert_int_equal(KN, 400);
    size_t set[3];
    for (size_t s = 0; s < 3; s++) {
        set[s] = r->steps[s].cand;
        double att = 0;
        for (size_t row = 0; row < KN; row++) {
            int32_t a = 0;
            rmc_apply_outcome(dr, row, set, s + 1, &a);
            att += a;
        }
        assert_true(fabs(r->steps[s].p_match.p - (double)count(dr, 0, KN, set, s + 1) / dKN) <
                    1e-12);
        assert_true(fabs(r->steps[s].interviews - att / dKN) < 1e-12);
    }
    /* the greedy first step is the exact best single application (selection rows) */
    size_t best1 = 0;
    for (size_t a = 0; a < C; a++) {
        const size_t x = count(dr, KN, 2 * KN, &a, 1);
        best1 = x > best1 ? x : best1;
    }
    assert_int_equal(count(dr, KN, 2 * KN, set, 1), best1);
    /* every portfolio of size 3, chosen on the selection rows, judged on the
     * evaluation rows like the greedy one */
    size_t best_sel = 0, best[3] = {0, 1, 2};
    for (size_t a = 0; a < C; a++) {
        for (size_t b = a + 1; b < C; b++) {
            for (size_t e = b + 1; e < C; e++) {
                const size_t p[3] = {a, b, e};
                const size_t x = count(dr, KN, 2 * KN, p, 3);
                if (x > best_sel) {
                    best_sel = x;
                    memcpy(best, p, sizeof p);
                }
            }
        }
    }
    const size_t greedy_sel = count(dr, KN, 2 * KN, set, 3);
    const double g = (double)count(dr, 0, KN, set, 3) / dKN;
    const double b = (double)count(dr, 0, KN, best, 3) / dKN;
    /* paired SE of the evaluation difference */
    double s1 = 0, s2 = 0;
    for (size_t row = 0; row < KN; row++) {
        const double dd = (double)(rmc_apply_outcome(dr, row, set, 3, NULL) -
                                   rmc_apply_outcome(dr, row, best, 3, NULL));
        s1 += dd;
        s2 += dd * dd;
    }
    const double se = sqrt(fmax(s2 / dKN - (s1 / dKN) * (s1 / dKN), 1.0 / dKN) / dKN);
    print_message("brute force, size 3: greedy %zu / best %zu of %zu selection replicates; "
                  "evaluation %.3f vs %.3f (paired SE %.3f)\n",
                  greedy_sel, best_sel, KN, g, b, se);
    assert_true(g >= b - 4 * se);
    assert_true((double)greedy_sel >= (double)best_sel - 4 * sqrt(dKN * 0.25));
    assert_true(b > 0.05 && b < 0.95); /* a case where the choice matters */
    rmc_apply_result_free(r);
}

/* The optimiser's portfolio beats each baseline at equal size (paired), and
 * the curve rises. Same answer on 1 and 2 threads (three markets: the
 * second and third are built at once on 2). */
static void test_baselines_and_threads(void **state)
{
    (void)state;
    run_cfg c = {"im-regional", 3, 12, 100, 1, NULL, false};
    rmc_apply_result *r1 = run_ok(img_j1, &c);
    c.threads = 2;
    rmc_apply_result *r2 = run_ok(img_j1, &c);
    for (size_t s = 0; s < c.M; s++) {
        assert_int_equal(r1->steps[s].cand, r2->steps[s].cand);
        assert_true(r1->steps[s].p_match.p == r2->steps[s].p_match.p);
        assert_true(r1->steps[s].gain_se == r2->steps[s].gain_se);
    }
    assert_true(r1->steps[c.M - 1].p_match.p > r1->steps[0].p_match.p);
    for (int b = 0; b < RMC_APPLY_N_BASELINES; b++) {
        const rmc_apply_baseline *bl = &r1->baselines[b];
        print_message("k = 5: optimised - %s = %+.3f (SE %.3f)\n", bl->name, bl->diff[4],
                      bl->diff_se[4]);
        assert_true(bl->diff[4] > 2 * bl->diff_se[4]);
        assert_true(bl->diff[4] >= 0);
    }
    rmc_apply_result_free(r1);
    rmc_apply_result_free(r2);
}

static const rmc_apply_whatif *find_whatif(const rmc_apply_result *r, const char *prefix)
{
    for (size_t w = 0; w < r->n_whatifs; w++) {
        if (strncmp(r->whatifs[w].desc, prefix, strlen(prefix)) == 0) {
            return &r->whatifs[w];
        }
    }
    fail_msg("no what-if '%s'", prefix);
    return NULL;
}

/* What-ifs leave the recommendation alone; ten more Step 2 CK points raise
 * P(match) of the same list, ten fewer lower it, losing the J1 route lowers
 * it even with a list chosen anew (paired, > 3 SE). */
static void test_whatifs(void **state)
{
    (void)state;
    run_cfg c = {"im-regional", 2, 8, 100, 2, NULL, false};
    rmc_apply_result *r0 = run_ok(img_j1, &c);
    c.what_ifs = true;
    rmc_apply_result *r = run_ok(img_j1, &c);
    assert_int_equal(r0->n_whatifs, 0);
    assert_int_equal(r->n_whatifs, 4); /* CK +-10, US experience, visa */
    for (size_t s = 0; s < c.M; s++) {
        assert_int_equal(r->steps[s].cand, r0->steps[s].cand);
        assert_true(r->steps[s].p_match.p == r0->steps[s].p_match.p);
    }
    const rmc_apply_whatif *up = find_whatif(r, "Step 2 CK 240 -> 250");
    const rmc_apply_whatif *down = find_whatif(r, "Step 2 CK 240 -> 230");
    const rmc_apply_whatif *h1b = find_whatif(r, "visa J1 -> H1B");
    print_message("CK +10: %+.3f (%.3f); CK -10: %+.3f (%.3f); H1B anew: %+.3f (%.3f)\n",
                  up->dp_list, up->dp_list_se, down->dp_list, down->dp_list_se, h1b->dp_reopt,
                  h1b->dp_reopt_se);
    assert_true(up->dp_list > 3 * up->dp_list_se);
    assert_true(down->dp_list < -3 * down->dp_list_se);
    assert_true(h1b->dp_reopt < -3 * h1b->dp_reopt_se);
    for (size_t w = 0; w < r->n_whatifs; w++) {
        assert_true(r->whatifs[w].overlap <= c.M);
        assert_true(fabs(r->whatifs[w].p_list - r->whatifs[w].dp_list -
                         r->steps[c.M - 1].p_match.p) < 1e-12);
    }
    rmc_apply_result_free(r0);
    rmc_apply_result_free(r);
}

static void expect_problem(const char *profile, const run_cfg *c, const char *what)
{
    rmc_profile_file *pf = profile_from(profile);
    rmc_problems *pr = NULL;
    assert_int_equal(rmc_problems_alloc(20, &pr), RMC_OK);
    rmc_apply_result *r = NULL;
    assert_int_equal(run_apply(pf, c, pr, &r), RMC_EINPUT);
    assert_null(r);
    assert_true(rmc_problems_kept(pr) > 0);
    if (strstr(rmc_problems_get(pr, 0), what) == NULL) {
        print_error("problem '%s' lacks '%s'\n", rmc_problems_get(pr, 0), what);
        fail();
    }
    rmc_problems_free(pr);
    rmc_profile_free(pf);
}

static void test_bad_input(void **state)
{
    (void)state;
    run_cfg c = {"im-regional", 1, 2, 4, 1, NULL, false};
    expect_problem("[applicant]\ntype = US_MD\nspecialty = dermatology\nstep2_ck = 249\n", &c,
                   ":3: unknown specialty 'dermatology'");
    /* a candidates file: an unknown id at its line; a visa no candidate sponsors */
    char cand[64];
    snprintf(cand, sizeof cand, "%s", write_temp("# ids\np01\nnope\n"));
    c.candidates = cand;
    expect_problem(us_md, &c, ":3: 'nope' is not a program");
    unlink(cand);
    /* the programs of im-regional market 0 that sponsor nothing */
    char dir[64] = "/tmp/rmc_test_ape_XXXXXX";
    assert_non_null(mkdtemp(dir));
    rmc_synth_options so;
    rmc_synth_options_default(&so);
    so.preset = "im-regional";
    so.seed = rmc_forecast_market_seed(1, 0);
    so.force = true;
    assert_int_equal(rmc_synth_write(&so, dir, NULL, NULL), RMC_OK);
    rmc_model *m = NULL;
    assert_int_equal(rmc_model_load(dir, NULL, NULL, &m), RMC_OK);
    char text[4096] = "";
    size_t n = 0;
    for (size_t j = 0; j < m->n_prog; j++) {
        if (m->sponsors[j] == RMC_SPONSORS_NONE) {
            strcat(text, m->prog_id[j]);
            strcat(text, "\n");
            n++;
        }
    }
    assert_true(n >= 2);
    rmc_model_free(m);
    const char *files[] = {"model.ini", "applicants.csv", "programs.csv", "interviews.csv"};
    char path[128];
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    snprintf(cand, sizeof cand, "%s", write_temp(text));
    expect_problem(img_j1, &c, "no candidate program sponsors a visa");
    /* the same candidates are fine for an applicant without a visa */
    rmc_apply_result *r = run_ok(us_md, &c);
    assert_int_equal(r->n_candidates, n);
    rmc_apply_result_free(r);
    unlink(cand);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offer_closed_form),
        cmocka_unit_test(test_offer_cutoffs_are_synths),
        cmocka_unit_test(test_greedy_brute_force),
        cmocka_unit_test(test_baselines_and_threads),
        cmocka_unit_test(test_whatifs),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
