/* Tests for the forecast (forecast*.c): the fast method agrees with the
 * exact one on a regional and a national-subset market; the sanity checks
 * users will make (a higher Step 2 CK never lowers P(match), more
 * interviews never lower it, an H1B applicant at J1-only programs is far
 * below the same applicant with J1, the list-length curve never decreases,
 * markets differ for an applicant in the uncertain middle); placement; bad
 * profiles against the market; thread-count independence; the file. A
 * couple: fast and exact agree on a regional and a national-fraction
 * market; P(both) + P(one) + P(neither) = 1 exactly; a couple with only
 * same-city pairs never ends apart; a stronger partner never loses a
 * both-matched replicate. */
#define _GNU_SOURCE /* mkdtemp */
#include "test_util.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rankmc/rankmc.h"

static const char internist[] = "[applicant]\ntype = IMG\nspecialty = internal_medicine\n"
                                "step2_ck = %s\ncommunication = 0.7\nclinical_years = 6\n"
                                "us_experience = hands_on\nvisa = %s\n"
                                "[program Mercy]\npositions = 12\nsetting = community\n"
                                "sponsors = J1\ndesirability = middle\nadvocacy = rotation\n"
                                "ties = 1\ninterest = high\n"
                                "[program Riverside]\npositions = 8\nsetting = community\n"
                                "sponsors = J1\ndesirability = low\n"
                                "[program St Luke]\npositions = 10\nsetting = community\n"
                                "sponsors = %s\ndesirability = middle\n"
                                "[program County]\npositions = 14\nsetting = community\n"
                                "sponsors = J1\ndesirability = low\ninterest = high\n"
                                "[program University]\npositions = 30\nsetting = academic\n"
                                "sponsors = %s\ndesirability = high\n";

static rmc_profile_file *profile_from(const char *text)
{
    char path[64] = "/tmp/rmc_test_fc_XXXXXX";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    rmc_problems *pr = NULL;
    assert_int_equal(rmc_problems_alloc(20, &pr), RMC_OK);
    rmc_profile_file *pf = NULL;
    const rmc_status st = rmc_profile_load(path, pr, NULL, NULL, &pf);
    if (st != RMC_OK) {
        print_error("%s\n", rmc_problems_kept(pr) > 0 ? rmc_problems_get(pr, 0) : "?");
    }
    assert_int_equal(st, RMC_OK);
    rmc_problems_free(pr);
    unlink(path);
    return pf;
}

static rmc_profile_file *internist_ck(const char *ck, const char *visa, const char *spons)
{
    char text[4096];
    snprintf(text, sizeof text, internist, ck, visa, spons, spons);
    return profile_from(text);
}

static rmc_profile_file *internist_profile(const char *visa, const char *spons)
{
    return internist_ck("236", visa, spons);
}

static rmc_forecast_result *forecast(const rmc_profile_file *pf, const char *market, size_t K,
                                     uint64_t N, bool fast, bool exact, int threads)
{
    char work[64] = "/tmp/rmc_test_fcw_XXXXXX";
    assert_non_null(mkdtemp(work));
    rmc_forecast_options o;
    rmc_forecast_options_default(&o);
    o.market = market;
    o.n_markets = K;
    o.replicates = N;
    o.threads = threads;
    o.fast = fast;
    o.exact = exact;
    o.work_dir = work;
    rmc_forecast_result *r = NULL;
    rmc_diag d = {0};
    const rmc_status st = rmc_forecast_run(pf, &o, NULL, &r, &d);
    if (st != RMC_OK) {
        print_error("forecast: %s\n", d.message);
    }
    assert_int_equal(st, RMC_OK);
    assert_int_equal(rmdir(work), 0); /* every market file was removed */
    return r;
}

static const rmc_forecast_whatif *find_whatif(const rmc_forecast_result *r, const char *prefix)
{
    for (size_t w = 0; w < r->n_whatifs; w++) {
        if (strncmp(r->whatifs[w].desc, prefix, strlen(prefix)) == 0) {
            return &r->whatifs[w];
        }
    }
    print_error("no what-if starting '%s'\n", prefix);
    fail();
    return NULL;
}

/* |fast - exact| within 3 combined SEs for P(match) and every P(here). */
static void expect_agree(const rmc_forecast_result *r)
{
    const double se =
        sqrt(r->fast.p_match.se * r->fast.p_match.se + r->exact.p_match.se * r->exact.p_match.se);
    assert_true(fabs(r->fast.p_match.p - r->exact.p_match.p) <= 3 * se + 1e-12);
    for (size_t l = 0; l < r->n_programs; l++) {
        const rmc_forecast_stat *f = &r->fast.programs[l].p_here, *e = &r->exact.programs[l].p_here;
        const double s = sqrt(f->se * f->se + e->se * e->se);
        if (!(fabs(f->p - e->p) <= 3 * s + 1e-12)) {
            print_error("program %zu: fast %.4f exact %.4f (SE %.4f)\n", l, f->p, e->p, s);
            fail();
        }
    }
    /* and the outcomes themselves rarely differ: the cutoffs are the Match's */
    assert_true(r->compared > 0);
    assert_true((double)r->disagreements <= 0.02 * (double)r->compared);
    printf("  fast %.4f exact %.4f (combined SE %.4f), outcomes differ in %llu of %llu\n",
           r->fast.p_match.p, r->exact.p_match.p, se, (unsigned long long)r->disagreements,
           (unsigned long long)r->compared);
}

static void test_forecast_fast_agrees_with_exact_regional(void **state)
{
    (void)state;
    rmc_profile_file *pf = internist_profile("J1", "J1_H1B");
    rmc_forecast_result *r =
        forecast(pf, "im-regional", 3, rmc_test_quick() ? 64 : 200, true, true, 0);
    expect_agree(r);
    rmc_forecast_result_free(r);
    rmc_profile_free(pf);
}

static void test_forecast_fast_agrees_with_exact_national_subset(void **state)
{
    (void)state;
    rmc_profile_file *pf = internist_profile("J1", "J1_H1B");
    rmc_forecast_result *r =
        forecast(pf, "nrmp2025:0.04", 2, rmc_test_quick() ? 64 : 128, true, true, 0);
    assert_true(r->market_applicants < 1500); /* the internal-medicine component only */
    expect_agree(r);
    rmc_forecast_result_free(r);
    rmc_profile_free(pf);
}

/* Paired what-ifs: a higher Step 2 CK never loses a replicate (this
 * applicant stays below the star threshold, whose extra variance is the
 * model's one deliberate exception); removing an interview never gains one;
 * the list-length curve never decreases and ends at P(match). */
static void test_forecast_monotone(void **state)
{
    (void)state;
    rmc_profile_file *pf = internist_profile("J1", "J1_H1B");
    rmc_forecast_result *r = forecast(pf, "im-regional", 2, 128, true, false, 0);
    const rmc_forecast_whatif *up = find_whatif(r, "Step 2 CK 236 -> 246");
    const rmc_forecast_whatif *down = find_whatif(r, "Step 2 CK 236 -> 226");
    assert_int_equal(up->n_loss, 0);
    assert_true(up->dp > 0);
    assert_int_equal(down->n_gain, 0);
    assert_true(down->dp < 0);
    const rmc_forecast_whatif *fewer = find_whatif(r, "one fewer interview");
    assert_int_equal(fewer->n_gain, 0);
    assert_true(fewer->dp <= 0);
    for (size_t k = 1; k < r->n_programs; k++) {
        assert_true(r->curve[k].p >= r->curve[k - 1].p);
    }
    assert_close(r->curve[r->n_programs - 1].p, r->fast.p_match.p, 0, 1e-12);
    /* sorted by effect, largest first */
    for (size_t w = 1; w < r->n_whatifs; w++) {
        assert_true(r->whatifs[w].dp <= r->whatifs[w - 1].dp);
    }
    rmc_forecast_result_free(r);
    rmc_profile_free(pf);
}

/* More interviews never lower P(match), in the exact method too: the same
 * applicant with a sixth interview appended to the list. */
static void test_forecast_more_interviews_exact(void **state)
{
    (void)state;
    rmc_profile_file *five = internist_profile("J1", "J1_H1B");
    char text[4096];
    snprintf(text, sizeof text, internist, "236", "J1", "J1_H1B", "J1_H1B");
    strcat(text, "[program Lakeside]\npositions = 6\nsetting = community\nsponsors = J1\n"
                 "desirability = low\n");
    rmc_profile_file *six = profile_from(text);
    rmc_forecast_result *a = forecast(five, "im-regional", 2, 200, false, true, 0);
    rmc_forecast_result *b = forecast(six, "im-regional", 2, 200, false, true, 0);
    const double se = sqrt(a->exact.p_match.se_mc * a->exact.p_match.se_mc +
                           b->exact.p_match.se_mc * b->exact.p_match.se_mc);
    assert_true(b->exact.p_match.p >= a->exact.p_match.p - 3 * se);
    rmc_forecast_result_free(a);
    rmc_forecast_result_free(b);
    rmc_profile_free(five);
    rmc_profile_free(six);
}

/* H1B at J1-only programs: far below the same applicant with J1. */
static void test_forecast_h1b_at_j1_only(void **state)
{
    (void)state;
    rmc_profile_file *j1 = internist_profile("J1", "J1");
    rmc_profile_file *h1b = internist_profile("H1B", "J1");
    rmc_forecast_result *a = forecast(j1, "im-regional", 2, 200, true, false, 0);
    rmc_forecast_result *b = forecast(h1b, "im-regional", 2, 200, true, false, 0);
    printf("  J1 %.3f (SE %.3f), H1B %.3f (SE %.3f)\n", a->fast.p_match.p, a->fast.p_match.se,
           b->fast.p_match.p, b->fast.p_match.se);
    assert_true(b->fast.p_match.p < 0.5 * a->fast.p_match.p);
    assert_true(b->fast.p_match.p + 5 * b->fast.p_match.se_mc < a->fast.p_match.p);
    /* and the J1 -> H1B what-if of the J1 applicant says the same, paired */
    const rmc_forecast_whatif *w = find_whatif(a, "visa J1 -> H1B");
    assert_true(w->dp < -10 * w->dp_se);
    rmc_forecast_result_free(a);
    rmc_forecast_result_free(b);
    rmc_profile_free(j1);
    rmc_profile_free(h1b);
}

/* An applicant in the uncertain middle: equally plausible markets give
 * clearly different chances (spread net of Monte Carlo noise > 0), and the
 * combined interval is wider than Monte Carlo noise alone. */
static void test_forecast_between_market_spread(void **state)
{
    (void)state;
    rmc_profile_file *pf = internist_ck("212", "J1", "J1_H1B");
    rmc_forecast_result *r = forecast(pf, "im-regional", 4, 128, true, false, 0);
    const rmc_forecast_stat *s = &r->fast.p_match;
    printf("  P %.3f, MC SE %.3f, spread %.3f, interval %.3f-%.3f\n", s->p, s->se_mc, s->spread,
           s->lo, s->hi);
    assert_true(s->p > 0.3 && s->p < 0.7); /* the uncertain middle */
    assert_true(s->spread > 0.02);
    assert_true(s->hi - s->lo > 2 * 1.96 * s->se_mc);
    assert_true(s->se >= s->se_mc);
    rmc_forecast_result_free(r);
    rmc_profile_free(pf);
}

/* The same result whatever the thread count. */
static void test_forecast_threads(void **state)
{
    (void)state;
    rmc_profile_file *pf = internist_profile("J1", "J1_H1B");
    rmc_forecast_result *a = forecast(pf, "im-regional:0.5", 2, 64, true, true, 1);
    rmc_forecast_result *b = forecast(pf, "im-regional:0.5", 2, 64, true, true, 3);
    for (size_t k = 0; k < 2; k++) {
        assert_true(a->fast.p_match_market[k] == b->fast.p_match_market[k]);
        assert_true(a->exact.p_match_market[k] == b->exact.p_match_market[k]);
    }
    assert_int_equal(a->n_whatifs, b->n_whatifs);
    for (size_t w = 0; w < a->n_whatifs; w++) {
        assert_true(a->whatifs[w].dp == b->whatifs[w].dp);
    }
    rmc_forecast_result_free(a);
    rmc_forecast_result_free(b);
    rmc_profile_free(pf);
}

/* Placement: each program replaces a distinct synthetic program with the
 * same sponsorship and setting when there is one. */
static void test_forecast_placement(void **state)
{
    (void)state;
    rmc_profile_file *pf = internist_profile("J1", "J1_H1B");
    rmc_forecast_result *r = forecast(pf, "im-regional", 1, 64, true, false, 0);
    for (size_t l = 0; l < r->n_programs; l++) {
        assert_string_equal(r->fast.programs[l].name, pf->programs[l].name);
        assert_true(r->fast.programs[l].replaced[0] == 'p');
        for (size_t q = 0; q < l; q++) {
            assert_string_not_equal(r->fast.programs[l].replaced, r->fast.programs[q].replaced);
        }
    }
    assert_int_equal(r->market_applicants, 601);
    rmc_forecast_result_free(r);
    rmc_profile_free(pf);
}

static void test_forecast_rejects_unknown_specialty(void **state)
{
    (void)state;
    rmc_profile_file *pf = profile_from("[applicant]\ntype = US_MD\nspecialty = dermatology\n"
                                        "step2_ck = 250\n[program A]\npositions = 3\n");
    char work[64] = "/tmp/rmc_test_fcw_XXXXXX";
    assert_non_null(mkdtemp(work));
    rmc_forecast_options o;
    rmc_forecast_options_default(&o);
    o.market = "im-regional";
    o.n_markets = 1;
    o.replicates = 8;
    o.work_dir = work;
    rmc_problems *pr = NULL;
    assert_int_equal(rmc_problems_alloc(20, &pr), RMC_OK);
    rmc_forecast_result *r = NULL;
    assert_int_equal(rmc_forecast_run(pf, &o, pr, &r, NULL), RMC_EINPUT);
    assert_null(r);
    assert_int_equal(rmc_problems_count(pr), 1);
    char want[512];
    snprintf(want, sizeof want, "%s:3: unknown specialty 'dermatology'", pf->path);
    assert_non_null(strstr(rmc_problems_get(pr, 0), want));
    rmc_problems_free(pr);
    /* markets built two at a time: the same one problem, once */
    o.n_markets = 2;
    o.threads = 2;
    assert_int_equal(rmc_problems_alloc(20, &pr), RMC_OK);
    assert_int_equal(rmc_forecast_run(pf, &o, pr, &r, NULL), RMC_EINPUT);
    assert_null(r);
    assert_int_equal(rmc_problems_count(pr), 1);
    assert_non_null(strstr(rmc_problems_get(pr, 0), want));
    rmc_problems_free(pr);
    assert_int_equal(rmdir(work), 0);
    rmc_profile_free(pf);
}

static void test_forecast_write(void **state)
{
    (void)state;
    rmc_profile_file *pf = internist_profile("J1", "J1_H1B");
    rmc_forecast_result *r = forecast(pf, "im-regional:0.5", 2, 64, true, false, 0);
    char path[] = "/tmp/rmc_test_fc_out.h5";
    unlink(path);
    assert_int_equal(rmc_forecast_write(path, false, r, "test", NULL), RMC_OK);
    assert_int_equal(rmc_forecast_write(path, false, r, "test", NULL), RMC_EEXIST);
    assert_int_equal(rmc_forecast_write(path, true, r, "test", NULL), RMC_OK);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > 1000);
    unlink(path);
    rmc_forecast_result_free(r);
    rmc_profile_free(pf);
}

/* ---- a couple's forecast ---- */

/* Two internists abroad (im-regional has one specialty), five and four
 * programs, one of them the same program (County); cities and regions. The
 * partner's Step 2 CK and the [couple] keys are filled in. */
static const char couple_text[] =
    "[applicant]\ntype = IMG\nspecialty = internal_medicine\nstep2_ck = 236\n"
    "communication = 0.7\nclinical_years = 6\nus_experience = hands_on\nvisa = J1\n"
    "[partner]\ntype = IMG\nspecialty = internal_medicine\nstep2_ck = %s\n"
    "us_experience = observership\nvisa = J1\n"
    "[couple]\npairs = %s\nunmatched_options = %s\n"
    "[program Mercy]\npositions = 12\nsetting = community\nsponsors = J1\n"
    "desirability = middle\nregion = south\ncity = Atlanta\n"
    "[program Riverside]\npositions = 8\nsetting = community\nsponsors = J1\n"
    "desirability = low\nregion = south\ncity = Nashville\n"
    "[program St Luke]\npositions = 10\nsetting = community\nsponsors = J1_H1B\n"
    "desirability = middle\nregion = midwest\ncity = Chicago\n"
    "[program County]\npositions = 14\nsetting = community\nsponsors = J1\n"
    "desirability = low\nregion = south\n"
    "[program University]\npositions = 30\nsetting = academic\nsponsors = J1_H1B\n"
    "desirability = high\nregion = midwest\ncity = Chicago\n"
    "[partner.program Grady]\npositions = 10\nsetting = community\nsponsors = J1\n"
    "desirability = low\nregion = south\ncity = Atlanta\n"
    "[partner.program Lakeside]\npositions = 6\nsetting = community\nsponsors = J1\n"
    "desirability = low\nregion = midwest\ncity = Chicago\n"
    "[partner.program County]\ninterest = high\n"
    "[partner.program Vanderbilt]\npositions = 9\nsetting = academic\nsponsors = J1\n"
    "desirability = middle\nregion = south\ncity = Nashville\n";

static rmc_profile_file *couple_profile(const char *ck, const char *pairs, const char *unmatched)
{
    char text[4096];
    snprintf(text, sizeof text, couple_text, ck, pairs, unmatched);
    return profile_from(text);
}

/* An internist and a paediatrician in the national market (US MD seniors
 * at the edge: Step 2 CK 228 and 226). */
static const char couple_national[] =
    "[applicant]\ntype = US_MD\nspecialty = internal_medicine\nstep2_ck = 228\n"
    "[partner]\ntype = US_MD\nspecialty = pediatrics\nstep2_ck = 226\n"
    "[program Boston IM]\npositions = 20\nsetting = academic\ndesirability = high\n"
    "region = northeast\ncity = Boston\n"
    "[program Philadelphia IM]\npositions = 10\nsetting = community\n"
    "region = northeast\ncity = Philadelphia\n"
    "[program Chicago IM]\npositions = 24\nsetting = academic\nregion = midwest\n"
    "city = Chicago\n"
    "[partner.program Boston Peds]\npositions = 12\nsetting = academic\ndesirability = top\n"
    "region = northeast\ncity = Boston\n"
    "[partner.program Philadelphia Peds]\npositions = 9\nregion = northeast\n"
    "city = Philadelphia\n"
    "[partner.program Chicago Peds]\npositions = 10\nregion = midwest\ncity = Chicago\n";

/* The joint outcome of entry e of r's joint list: 0 neither, 1 one, 2 both. */
static int joint_matched(const rmc_forecast_result *r, int e)
{
    return e < 0 ? 0 : (r->joint_a[e] >= 0) + (r->joint_b[e] >= 0);
}

/* Fast and exact agree within 3 combined SEs on every joint chance and each
 * partner's P(match); outcomes (joint-list entries) rarely differ. */
static void expect_couple_agree(const rmc_forecast_result *r)
{
    assert_true(r->couple && r->joint_fast.done && r->joint_exact.done);
    for (int o = 0; o < RMC_FORECAST_N_JOINT; o++) {
        const rmc_forecast_stat *f = &r->joint_fast.p[o], *e = &r->joint_exact.p[o];
        const double s = sqrt(f->se * f->se + e->se * e->se);
        printf("  %-11s fast %.4f exact %.4f (combined SE %.4f)\n",
               rmc_forecast_joint_name((rmc_forecast_joint_outcome)o), f->p, e->p, s);
        assert_true(fabs(f->p - e->p) <= 3 * s + 1e-12);
    }
    const rmc_forecast_stat *pm[4] = {&r->fast.p_match, &r->exact.p_match, &r->partner_fast.p_match,
                                      &r->partner_exact.p_match};
    for (int w = 0; w < 2; w++) {
        const double s =
            sqrt(pm[2 * w]->se * pm[2 * w]->se + pm[2 * w + 1]->se * pm[2 * w + 1]->se);
        assert_true(fabs(pm[2 * w]->p - pm[2 * w + 1]->p) <= 3 * s + 1e-12);
    }
    assert_true(r->compared > 0);
    printf("  outcomes differ in %llu of %llu; exact not converged %llu\n",
           (unsigned long long)r->disagreements, (unsigned long long)r->compared,
           (unsigned long long)r->joint_exact.unconverged);
    assert_true((double)r->disagreements <= 0.03 * (double)r->compared);
}

/* P(both) + P(one) + P(neither) = 1 exactly (the counts: N in every
 * market), one city within one region within both; entries agree with the
 * counts. */
static void expect_couple_sums(const rmc_forecast_result *r, const rmc_forecast_joint *j)
{
    const size_t J = RMC_FORECAST_N_JOINT;
    for (size_t k = 0; k < r->n_markets; k++) {
        const uint32_t *c = j->count + k * J;
        assert_int_equal(c[RMC_FORECAST_BOTH] + c[RMC_FORECAST_ONE] + c[RMC_FORECAST_NEITHER],
                         r->replicates);
        assert_true(c[RMC_FORECAST_SAME_CITY] <= c[RMC_FORECAST_SAME_REGION]);
        assert_true(c[RMC_FORECAST_SAME_REGION] <= c[RMC_FORECAST_BOTH]);
        uint32_t by[3] = {0};
        for (uint64_t i = 0; i < r->replicates; i++) {
            by[joint_matched(r, j->entry[k * r->replicates + i])]++;
        }
        assert_int_equal(by[2], c[RMC_FORECAST_BOTH]);
        assert_int_equal(by[1], c[RMC_FORECAST_ONE]);
        assert_int_equal(by[0], c[RMC_FORECAST_NEITHER]);
    }
    const double sum =
        j->p[RMC_FORECAST_BOTH].p + j->p[RMC_FORECAST_ONE].p + j->p[RMC_FORECAST_NEITHER].p;
    assert_close(sum, 1.0, 0, 1e-12);
}

/* Tier of a pair of profile programs: 0 one city, 1 one region, 2 other. */
static int pair_tier(const rmc_profile_program *a, const rmc_profile_program *b)
{
    if (a->region == b->region && a->city[0] != '\0' && strcmp(a->city, b->city) == 0) {
        return 0;
    }
    return a->region == b->region ? 1 : 2;
}

/* The joint list as docs/forecast.md builds it: every pair within the
 * widest tier the profile allows, tiers in order, inside a tier by the sum
 * of the two positions, then the "one unmatched" options, nothing twice. */
static void expect_joint_list(const rmc_profile_file *pf, const rmc_forecast_result *r)
{
    const rmc_profile_file *pb = pf->partner;
    const int max_tier = (int)pf->couple_pairs; /* city 0, region 1, any 2 */
    size_t n_pairs = 0, e = 0;
    for (size_t a = 0; a < pf->n_programs; a++) {
        for (size_t b = 0; b < pb->n_programs; b++) {
            n_pairs += pair_tier(&pf->programs[a], &pb->programs[b]) <= max_tier;
        }
    }
    int last_tier = 0, last_sum = -1;
    for (; e < r->n_joint && r->joint_a[e] >= 0 && r->joint_b[e] >= 0; e++) {
        const int t = pair_tier(&pf->programs[r->joint_a[e]], &pb->programs[r->joint_b[e]]);
        const int sum = r->joint_a[e] + r->joint_b[e];
        assert_true(t <= max_tier);
        assert_true(t > last_tier || (t == last_tier && sum >= last_sum));
        last_sum = t > last_tier ? sum : last_sum > sum ? last_sum : sum;
        last_tier = t;
        for (size_t q = 0; q < e; q++) {
            assert_false(r->joint_a[q] == r->joint_a[e] && r->joint_b[q] == r->joint_b[e]);
        }
    }
    assert_int_equal(e, n_pairs);
    assert_int_equal(r->n_joint - e, 2 * (size_t)pf->couple_unmatched);
    for (int k = 0; k < pf->couple_unmatched; k++, e += 2) {
        assert_true(r->joint_a[e] == k && r->joint_b[e] == -1);
        assert_true(r->joint_a[e + 1] == -1 && r->joint_b[e + 1] == k);
    }
}

static void test_forecast_couple_fast_agrees_with_exact_regional(void **state)
{
    (void)state;
    rmc_profile_file *pf = couple_profile("230", "region", "1");
    rmc_forecast_result *r =
        forecast(pf, "im-regional", 3, rmc_test_quick() ? 64 : 200, true, true, 0);
    assert_int_equal(r->n_programs, 5);
    assert_int_equal(r->n_partner_programs, 4);
    /* the shared program: both partners' County is one synthetic program */
    assert_string_equal(r->fast.programs[3].replaced, r->partner_fast.programs[2].replaced);
    expect_joint_list(pf, r);
    assert_int_equal(r->n_joint, 13); /* 11 pairs in one region, 2 "one unmatched" options */
    expect_couple_agree(r);
    expect_couple_sums(r, &r->joint_fast);
    expect_couple_sums(r, &r->joint_exact);
    rmc_forecast_result_free(r);
    rmc_profile_free(pf);
}

/* A market folder with `[couples] rank_together = on` reaches a couple's
 * forecast. Fast method: the replays move the partners together at their
 * shared program (County): its list positions change, P(ranked) does not,
 * and every other program's rows are those with the key off (the market
 * has no other couples). Exact method: its model (the market with the
 * couple in couples.csv) keeps the market's model.ini, so the engine moves
 * them and the couple's outcomes change. */
static void test_forecast_couple_rank_together(void **state)
{
    (void)state;
    char dir[2][32];
    for (int on = 0; on < 2; on++) {
        snprintf(dir[on], sizeof dir[on], "/tmp/rmc_test_fct%d_XXXXXX", on);
        assert_non_null(mkdtemp(dir[on]));
        rmc_synth_options so;
        rmc_synth_options_default(&so);
        so.force = true;
        assert_int_equal(rmc_synth_write(&so, dir[on], NULL, NULL), RMC_OK);
        if (on) {
            char ini[64];
            snprintf(ini, sizeof ini, "%.31s/model.ini", dir[on]);
            FILE *f = fopen(ini, "a");
            assert_non_null(f);
            fputs("\n[couples]\nrank_together = on\n", f);
            assert_int_equal(fclose(f), 0);
        }
    }
    rmc_profile_file *pf = couple_profile("236", "region", "1");
    const uint64_t N = rmc_test_quick() ? 64 : 128;
    rmc_forecast_result *r[2] = {forecast(pf, dir[0], 1, N, true, true, 0),
                                 forecast(pf, dir[1], 1, N, true, true, 0)};
    bool county_moved = false;
    for (int who = 0; who < 2; who++) {
        const size_t n = who == 0 ? r[0]->n_programs : r[0]->n_partner_programs;
        const size_t shared = who == 0 ? 3 : 2; /* County in each list */
        const rmc_forecast_program *pa = (who == 0 ? r[0]->fast : r[0]->partner_fast).programs;
        const rmc_forecast_program *pb = (who == 0 ? r[1]->fast : r[1]->partner_fast).programs;
        for (size_t l = 0; l < n; l++) {
            assert_string_equal(pa[l].replaced, pb[l].replaced);
            assert_true(pa[l].p_ranked.p == pb[l].p_ranked.p);
            const bool same = pa[l].pos_median == pb[l].pos_median &&
                              pa[l].pos_p10 == pb[l].pos_p10 && pa[l].pos_p90 == pb[l].pos_p90;
            if (l == shared) {
                county_moved |= !same;
            } else {
                assert_true(same);
            }
        }
    }
    assert_true(county_moved);
    const size_t J = RMC_FORECAST_N_JOINT;
    assert_memory_not_equal(r[0]->joint_exact.count, r[1]->joint_exact.count, J * 4);
    assert_memory_not_equal(r[0]->joint_exact.entry, r[1]->joint_exact.entry, N * sizeof(int16_t));
    for (int on = 0; on < 2; on++) {
        rmc_forecast_result_free(r[on]);
        const char *files[] = {"model.ini", "applicants.csv", "programs.csv", "interviews.csv"};
        for (size_t x = 0; x < 4; x++) {
            char path[64];
            snprintf(path, sizeof path, "%.31s/%.16s", dir[on], files[x]);
            unlink(path);
        }
        assert_int_equal(rmdir(dir[on]), 0);
    }
    rmc_profile_free(pf);
}

static void test_forecast_couple_fast_agrees_with_exact_national_subset(void **state)
{
    (void)state;
    rmc_profile_file *pf = profile_from(couple_national);
    rmc_forecast_result *r =
        forecast(pf, "nrmp2025:0.1", 2, rmc_test_quick() ? 64 : 128, true, true, 0);
    printf("  component: %zu applicants\n", r->market_applicants);
    expect_couple_agree(r);
    expect_couple_sums(r, &r->joint_fast);
    rmc_forecast_result_free(r);
    rmc_profile_free(pf);
}

/* Only "same city" pairs and no "one partner unmatched" option: the couple
 * ends in one city or with neither matched, in both methods. */
static void test_forecast_couple_same_city_only(void **state)
{
    (void)state;
    rmc_profile_file *pf = couple_profile("230", "city", "0");
    rmc_forecast_result *r = forecast(pf, "im-regional", 2, 128, true, true, 0);
    expect_joint_list(pf, r); /* only pairs in one city, nothing else */
    const rmc_forecast_joint *j[2] = {&r->joint_fast, &r->joint_exact};
    for (int m = 0; m < 2; m++) {
        expect_couple_sums(r, j[m]);
        for (size_t k = 0; k < r->n_markets; k++) {
            const uint32_t *c = j[m]->count + k * RMC_FORECAST_N_JOINT;
            assert_int_equal(c[RMC_FORECAST_ONE], 0);
            assert_int_equal(c[RMC_FORECAST_SAME_CITY], c[RMC_FORECAST_BOTH]);
        }
    }
    assert_true(r->joint_exact.p[RMC_FORECAST_BOTH].p > 0); /* the test says something */
    rmc_forecast_result_free(r);
    rmc_profile_free(pf);
}

/* A partner with a stronger Step 2 CK (230 -> 240, far below the star
 * threshold) never turns a replicate the couple both matched in into one
 * they did not, in the paired fast method (same seed: same markets, same
 * draws); it gains some. */
static void test_forecast_couple_stronger_partner(void **state)
{
    (void)state;
    rmc_profile_file *weak = couple_profile("230", "region", "1");
    rmc_profile_file *strong = couple_profile("240", "region", "1");
    rmc_forecast_result *a = forecast(weak, "im-regional", 2, 128, true, false, 0);
    rmc_forecast_result *b = forecast(strong, "im-regional", 2, 128, true, false, 0);
    const size_t KN = a->n_markets * a->replicates;
    size_t gain = 0, loss = 0;
    for (size_t i = 0; i < KN; i++) {
        const bool x = joint_matched(a, a->joint_fast.entry[i]) == 2;
        const bool y = joint_matched(b, b->joint_fast.entry[i]) == 2;
        gain += !x && y;
        loss += x && !y;
    }
    printf("  P(both) %.3f -> %.3f: %zu gained, %zu lost\n", a->joint_fast.p[0].p,
           b->joint_fast.p[0].p, gain, loss);
    assert_int_equal(loss, 0);
    assert_true(gain > 0);
    assert_true(b->partner_fast.p_match.p > a->partner_fast.p_match.p);
    rmc_forecast_result_free(a);
    rmc_forecast_result_free(b);
    rmc_profile_free(weak);
    rmc_profile_free(strong);
}

/* The couple's results whatever the thread count; and its file. */
static void test_forecast_couple_threads_and_file(void **state)
{
    (void)state;
    rmc_profile_file *pf = couple_profile("230", "region", "1");
    rmc_forecast_result *a = forecast(pf, "im-regional:0.5", 2, 64, true, true, 1);
    rmc_forecast_result *b = forecast(pf, "im-regional:0.5", 2, 64, true, true, 3);
    for (size_t i = 0; i < 2 * 64; i++) {
        assert_int_equal(a->joint_fast.entry[i], b->joint_fast.entry[i]);
        assert_int_equal(a->joint_exact.entry[i], b->joint_exact.entry[i]);
    }
    char path[] = "/tmp/rmc_test_fc_couple.h5";
    unlink(path);
    assert_int_equal(rmc_forecast_write(path, false, a, "test", NULL), RMC_OK);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > 1000);
    unlink(path);
    rmc_forecast_result_free(a);
    rmc_forecast_result_free(b);
    rmc_profile_free(pf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forecast_fast_agrees_with_exact_regional),
        cmocka_unit_test(test_forecast_fast_agrees_with_exact_national_subset),
        cmocka_unit_test(test_forecast_monotone),
        cmocka_unit_test(test_forecast_more_interviews_exact),
        cmocka_unit_test(test_forecast_h1b_at_j1_only),
        cmocka_unit_test(test_forecast_between_market_spread),
        cmocka_unit_test(test_forecast_threads),
        cmocka_unit_test(test_forecast_placement),
        cmocka_unit_test(test_forecast_rejects_unknown_specialty),
        cmocka_unit_test(test_forecast_write),
        cmocka_unit_test(test_forecast_couple_fast_agrees_with_exact_regional),
        cmocka_unit_test(test_forecast_couple_rank_together),
        cmocka_unit_test(test_forecast_couple_fast_agrees_with_exact_national_subset),
        cmocka_unit_test(test_forecast_couple_same_city_only),
        cmocka_unit_test(test_forecast_couple_stronger_partner),
        cmocka_unit_test(test_forecast_couple_threads_and_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
