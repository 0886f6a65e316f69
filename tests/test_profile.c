/* Tests for applicant profiles (profile.c): the exact shape, every
 * shipped example in models/profiles, defaults, the Step 2 CK mapping, and
 * every class of bad input reported as FILE:LINE (with warnings, not
 * errors, for programs that cannot sponsor the applicant's visa); a
 * couple's profile and its own bad input. */
#define _GNU_SOURCE /* mkstemp */
#include "test_util.h"

#include <dirent.h>
#include <string.h>
#include <unistd.h>

#include "rankmc/rankmc.h"

static const char exact_shape[] =
    "[applicant]\n"
    "type = IMG                  ; US_MD | US_DO | US_IMG | IMG\n"
    "specialty = internal_medicine   ; a specialty of the market (synth names)\n"
    "step2_ck = 236              ; USMLE Step 2 CK three-digit score (or pre_score = z)\n"
    "communication = 0.7         ; 0..1 as in applicants.csv\n"
    "clinical_years = 3\n"
    "us_experience = hands_on    ; none | observership | hands_on | sub_i\n"
    "visa = J1                   ; none | J1 | H1B | uncertain\n"
    "\n"
    "[program Mercy Internal Medicine]   ; one section per interview, in the applicant's rank "
    "order\n"
    "positions = 12\n"
    "setting = community         ; academic | community\n"
    "sponsors = J1               ; none | J1 | J1_H1B\n"
    "desirability = middle       ; a z value, or top | high | middle | low\n"
    "advocacy = rotation         ; none | rotation | research_fellow | chief\n"
    "ties = 1\n"
    "interest = high             ; low | normal | high\n";

static void write_file(char path[64], const char *text)
{
    snprintf(path, 64, "/tmp/rmc_test_profile_XXXXXX");
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

/* Load text; problems and warnings (one per line) into msgs / warns. */
static rmc_status load_text(const char *text, rmc_profile_file **out, char *msgs, char *warns,
                            size_t cap, char path[64])
{
    write_file(path, text);
    rmc_problems *pr = NULL, *wr = NULL;
    assert_int_equal(rmc_problems_alloc(100, &pr), RMC_OK);
    assert_int_equal(rmc_problems_alloc(100, &wr), RMC_OK);
    rmc_diag d = {0};
    const rmc_status st = rmc_profile_load(path, pr, wr, &d, out);
    msgs[0] = warns[0] = '\0';
    for (size_t i = 0; i < rmc_problems_kept(pr); i++) {
        snprintf(msgs + strlen(msgs), cap - strlen(msgs), "%s\n", rmc_problems_get(pr, i));
    }
    for (size_t i = 0; i < rmc_problems_kept(wr); i++) {
        snprintf(warns + strlen(warns), cap - strlen(warns), "%s\n", rmc_problems_get(wr, i));
    }
    rmc_problems_free(pr);
    rmc_problems_free(wr);
    unlink(path);
    return st;
}

static void expect_in(const char *msgs, const char *path, const char *what)
{
    char want[512];
    snprintf(want, sizeof want, "%s:%s", path, what);
    if (strstr(msgs, want) == NULL) {
        print_error("expected: %s\ngot:\n%s", want, msgs);
        fail();
    }
}

static void test_rmc_profile_load_exact_shape(void **state)
{
    (void)state;
    rmc_profile_file *pf = NULL;
    char msgs[8192], warns[8192], path[64];
    assert_int_equal(load_text(exact_shape, &pf, msgs, warns, sizeof msgs, path), RMC_OK);
    assert_string_equal(msgs, "");
    assert_string_equal(warns, "");
    assert_int_equal(pf->type, RMC_TYPE_IMG);
    assert_string_equal(pf->specialty, "internal_medicine");
    assert_int_equal(pf->specialty_line, 3);
    assert_true(pf->has_step2_ck);
    assert_close(pf->step2_ck, 236, 0, 0);
    assert_close(pf->communication, 0.7, 0, 0);
    assert_close(pf->clinical_years, 3, 0, 0);
    assert_int_equal(pf->us_experience, RMC_USEXP_HANDS_ON);
    assert_int_equal(pf->visa, RMC_VISA_J1);
    assert_int_equal(pf->n_programs, 1);
    const rmc_profile_program *pp = &pf->programs[0];
    assert_string_equal(pp->name, "Mercy Internal Medicine");
    assert_int_equal(pp->line, 10);
    assert_int_equal(pp->positions, 12);
    assert_int_equal(pp->setting, RMC_SETTING_COMMUNITY);
    assert_int_equal(pp->sponsors, RMC_SPONSORS_J1);
    assert_int_equal(pp->tier, RMC_TIER_MIDDLE);
    assert_int_equal(pp->advocacy, RMC_ADVOCACY_ROTATION);
    assert_int_equal(pp->ties, 1);
    assert_int_equal(pp->interest, RMC_INTEREST_HIGH);
    /* 236 for an IMG: -0.50 + 0.7 * (236 - 240) / 15 with the default parameters */
    rmc_params p;
    rmc_params_default(&p);
    assert_close(rmc_profile_pre_score(pf, &p), -0.5 + 0.7 * (236.0 - 240.0) / 15.0, 1e-12, 1e-12);
    rmc_profile_free(pf);
}

/* Defaults, a z desirability, pre_score instead of step2_ck. */
static void test_rmc_profile_load_defaults(void **state)
{
    (void)state;
    rmc_profile_file *pf = NULL;
    char msgs[8192], warns[8192], path[64];
    const char *text = "[applicant]\ntype = US_MD\nspecialty = pediatrics\npre_score = 0.4\n"
                       "[program A]\npositions = 3\n[program B]\npositions = 4\n"
                       "desirability = -0.25\nloi = 1\n";
    assert_int_equal(load_text(text, &pf, msgs, warns, sizeof msgs, path), RMC_OK);
    assert_false(pf->has_step2_ck);
    assert_int_equal(pf->programs[0].loi, 0);
    assert_int_equal(pf->programs[1].loi, 1);
    assert_close(pf->communication, 1.0, 0, 0);
    assert_close(pf->clinical_years, 0.0, 0, 0);
    assert_int_equal(pf->us_experience, RMC_USEXP_SUB_I);
    assert_int_equal(pf->visa, RMC_VISA_NONE);
    assert_int_equal(pf->n_programs, 2);
    assert_int_equal(pf->programs[0].tier, RMC_TIER_MIDDLE);
    assert_int_equal(pf->programs[0].setting, RMC_SETTING_ANY);
    assert_int_equal(pf->programs[0].sponsors, RMC_SPONSORS_NONE);
    assert_int_equal(pf->programs[1].tier, RMC_TIER_Z);
    assert_close(pf->programs[1].desirability, -0.25, 0, 0);
    rmc_params p;
    rmc_params_default(&p);
    assert_close(rmc_profile_pre_score(pf, &p), 0.4, 0, 0);
    rmc_profile_free(pf);
    /* an IMG's defaults: J1, no US experience */
    text = "[applicant]\ntype = IMG\nspecialty = x\nstep2_ck = 240\n"
           "[program A]\npositions = 3\nsponsors = J1\n";
    assert_int_equal(load_text(text, &pf, msgs, warns, sizeof msgs, path), RMC_OK);
    assert_int_equal(pf->visa, RMC_VISA_J1);
    assert_int_equal(pf->us_experience, RMC_USEXP_NONE);
    assert_close(rmc_profile_pre_score(pf, &p), p.step2_ck_pre_img, 1e-12, 0);
    rmc_profile_free(pf);
}

/* Monotone in the score, and higher for US types at the same score only by
 * their offsets. */
static void test_rmc_step2_ck_pre_score(void **state)
{
    (void)state;
    rmc_params p;
    rmc_params_default(&p);
    for (int t = 0; t < RMC_N_TYPES; t++) {
        double last = -HUGE_VAL;
        for (int ck = 1; ck <= 300; ck++) {
            const double z = rmc_step2_ck_pre_score(&p, (rmc_type)t, ck);
            assert_true(z > last);
            last = z;
        }
    }
    assert_close(rmc_step2_ck_pre_score(&p, RMC_TYPE_US_MD, 249), 0.30, 1e-12, 1e-12);
    assert_close(rmc_step2_ck_pre_score(&p, RMC_TYPE_US_DO, 264), 0.20 + 0.7, 1e-12, 1e-12);
    assert_close(rmc_step2_ck_pre_score(&p, RMC_TYPE_US_IMG, 225), -0.70 - 0.7, 1e-12, 1e-12);
}

static void test_rmc_profile_load_rejects(void **state)
{
    (void)state;
    rmc_profile_file *pf = NULL;
    char msgs[8192], warns[8192], path[64];
    const char *text = "type = IMG\n"                    /* 1 */
                       "[applicant]\n"                   /* 2 */
                       "type = MD\n"                     /* 3 */
                       "specialty = internal medicine\n" /* 4 */
                       "step2_ck = 301\n"                /* 5 */
                       "communication = 1.2\n"           /* 6 */
                       "visa = J1\n"                     /* 7 */
                       "visa = H1B\n"                    /* 8 */
                       "hobby = chess\n"                 /* 9 */
                       "[program A]\n"                   /* 10 */
                       "positions = 2.5\n"               /* 11 */
                       "sponsors = J1\n"                 /* 12 */
                       "[program B]\n"                   /* 13 */
                       "sponsors = none\n"               /* 14 */
                       "desirability = great\n"          /* 15 */
                       "[program A]\n"                   /* 16 */
                       "[schools]\n"                     /* 17 */
                       "[program C]\n"                   /* 18 */
                       "positions = 4\n"                 /* 19 */
                       "ties = 2\n"                      /* 20 */
                       "just words\n"                    /* 21 */
                       "[program D\n";                   /* 22 */
    assert_int_equal(load_text(text, &pf, msgs, warns, sizeof msgs, path), RMC_EINPUT);
    assert_null(pf);
    expect_in(msgs, path, "1: key 'type' before any [section]");
    expect_in(msgs, path, "3: type: 'MD' is not one of US_MD | US_DO | US_IMG | IMG");
    expect_in(msgs, path, "4: specialty: 'internal medicine' is not a specialty name");
    expect_in(msgs, path, "5: step2_ck: 301 is outside 1..300");
    expect_in(msgs, path, "6: communication: 1.2 is outside 0..1");
    expect_in(msgs, path, "8: visa is set twice (first on line 7)");
    expect_in(msgs, path, "9: unknown key 'hobby' in [applicant]");
    expect_in(msgs, path, "11: positions: 2.5 is not a whole number");
    expect_in(msgs, path, "15: desirability: 'great' is not a z value");
    expect_in(msgs, path, "16: duplicate program 'A' (first on line 10)");
    expect_in(msgs, path, "17: unknown section [schools]");
    expect_in(msgs, path, "20: ties: '2' is not one of 0 | 1");
    expect_in(msgs, path, "21: expected 'key = value', '[section]' or a comment");
    expect_in(msgs, path, "22: section header without a closing ']'");
    expect_in(msgs, path, "13: [program B] needs positions");
    expect_in(msgs, path, "18: [program C] needs sponsors = none | J1 | J1_H1B (your visa is J1)");
    /* a visa the program cannot sponsor is a warning */
    expect_in(warns, path, "13: warning: [program B] sponsors no visa, so it will not rank you");

    /* Step 2 CK below range; both scores; nothing but [applicant] */
    text = "[applicant]\ntype = US_MD\nspecialty = x\nstep2_ck = 0\npre_score = 1\n";
    assert_int_equal(load_text(text, &pf, msgs, warns, sizeof msgs, path), RMC_EINPUT);
    expect_in(msgs, path, "4: step2_ck: 0 is outside 1..300");
    expect_in(msgs, path, "1: [applicant] needs step2_ck (or pre_score), exactly one of them");
    expect_in(msgs, path, " no [program NAME] section");
    assert_int_equal(load_text("", &pf, msgs, warns, sizeof msgs, path), RMC_EINPUT);
    expect_in(msgs, path, " no [applicant] section");
}

/* A valid profile for `rankmc apply` ([program] sections optional). */
static rmc_profile_file *load_applicant_ok(const char *text)
{
    char path[64];
    rmc_diag d = {0};
    rmc_profile_file *pf = NULL;
    write_file(path, text);
    assert_int_equal(rmc_profile_load_applicant(path, NULL, NULL, &d, &pf), RMC_OK);
    unlink(path);
    return pf;
}

/* The optional [apply] section: where the applicant would be happy. */
static void test_rmc_profile_load_apply_section(void **state)
{
    (void)state;
    char msgs[4096], warns[4096], path[64];
    rmc_profile_file *pf =
        load_applicant_ok("[applicant]\ntype = IMG\nspecialty = internal_medicine\nstep2_ck = 241\n"
                          "[apply]\nsetting = community\nmin_desirability = high\n");
    assert_int_equal(pf->apply_setting, RMC_SETTING_COMMUNITY);
    assert_close(pf->apply_min_quantile, rmc_tier_quantile(RMC_TIER_HIGH), 0, 0);
    assert_int_equal(pf->apply_line, 5);
    rmc_profile_free(pf);

    /* absent: no filter; a quantile as a number */
    pf = load_applicant_ok("[applicant]\ntype = US_MD\nspecialty = internal_medicine\n"
                           "step2_ck = 249\n[apply]\nmin_desirability = 0.37\n");
    assert_int_equal(pf->apply_setting, RMC_SETTING_ANY);
    assert_close(pf->apply_min_quantile, 0.37, 0, 0);
    rmc_profile_free(pf);

    const char *bad = "[applicant]\n"                   /* 1 */
                      "type = IMG\n"                    /* 2 */
                      "specialty = internal_medicine\n" /* 3 */
                      "step2_ck = 241\n"                /* 4 */
                      "[apply]\n"                       /* 5 */
                      "setting = rural\n"               /* 6 */
                      "min_desirability = 1\n"          /* 7 */
                      "budget = 3000\n"                 /* 8 */
                      "setting = academic\n"            /* 9 */
                      "[apply]\n"                       /* 10 */
                      "[program A]\npositions = 3\nsponsors = J1\n";
    assert_int_equal(load_text(bad, &pf, msgs, warns, sizeof msgs, path), RMC_EINPUT);
    assert_null(pf);
    expect_in(msgs, path, "6: setting: 'rural' is not one of any | academic | community");
    expect_in(msgs, path, "7: min_desirability: '1' is not top | high | middle | low");
    expect_in(msgs, path, "8: unknown key 'budget' in [apply]");
    expect_in(msgs, path, "9: setting is set twice (first on line 6)");
    expect_in(msgs, path, "10: [apply] appears twice (first on line 5)");
}

static void test_rmc_profile_load_warns_h1b_at_j1_only(void **state)
{
    (void)state;
    rmc_profile_file *pf = NULL;
    char msgs[8192], warns[8192], path[64];
    const char *text = "[applicant]\ntype = IMG\nspecialty = x\nstep2_ck = 240\nvisa = H1B\n"
                       "[program A]\npositions = 3\nsponsors = J1\n"
                       "[program B]\npositions = 3\nsponsors = J1_H1B\n";
    assert_int_equal(load_text(text, &pf, msgs, warns, sizeof msgs, path), RMC_OK);
    expect_in(warns, path, "6: warning: [program A] sponsors J1 only");
    assert_null(strstr(warns, "[program B]"));
    rmc_profile_free(pf);
}

/* A couple's profile: the partner's keys and programs (one of them the
 * applicant's own program, by name), places, the [couple] keys. */
static void test_rmc_profile_load_couple(void **state)
{
    (void)state;
    rmc_profile_file *pf = NULL;
    char msgs[8192], warns[8192], path[64];
    const char *text = "[applicant]\ntype = US_MD\nspecialty = internal_medicine\nstep2_ck = 240\n"
                       "[partner]\ntype = IMG\nspecialty = internal_medicine\npre_score = -0.4\n"
                       "[couple]\npairs = city\nunmatched_options = 2\n"
                       "[program A]\npositions = 3\nregion = south\ncity = Atlanta\n"
                       "sponsors = none\n"
                       "[program B]\npositions = 5\nregion = west\n"
                       "[partner.program C]\npositions = 4\nsponsors = J1\nregion = south\n"
                       "city = Atlanta\n"
                       "[partner.program A]\nties = 1\n";
    assert_int_equal(load_text(text, &pf, msgs, warns, sizeof msgs, path), RMC_OK);
    assert_non_null(pf->partner);
    assert_int_equal(pf->partner->type, RMC_TYPE_IMG);
    assert_int_equal(pf->partner->visa, RMC_VISA_J1); /* the IMG default */
    assert_string_equal(pf->partner->specialty, "internal_medicine");
    assert_close(pf->partner->pre_score, -0.4, 0, 0);
    assert_int_equal(pf->couple_pairs, RMC_PAIRS_CITY);
    assert_int_equal(pf->couple_unmatched, 2);
    assert_int_equal(pf->n_programs, 2);
    assert_int_equal(pf->programs[0].region, RMC_REGION_SOUTH);
    assert_string_equal(pf->programs[0].city, "Atlanta");
    assert_int_equal(pf->programs[0].same_as, -1);
    assert_int_equal(pf->partner->n_programs, 2);
    const rmc_profile_program *c = &pf->partner->programs[0], *a = &pf->partner->programs[1];
    assert_int_equal(c->same_as, -1);
    assert_int_equal(a->same_as, 0); /* the applicant's program A: its program keys */
    assert_int_equal(a->positions, 3);
    assert_int_equal(a->region, RMC_REGION_SOUTH);
    assert_string_equal(a->city, "Atlanta");
    assert_int_equal(a->ties, 1);
    /* the partner's visa needs sponsorship: A sponsors none, a warning for the partner */
    expect_in(warns, path,
              "25: warning: [partner.program A] sponsors no visa, so it will not "
              "rank your partner");
    rmc_profile_free(pf);

    /* defaults, and a single applicant's profile has no partner */
    text = "[applicant]\ntype = US_MD\nspecialty = x\nstep2_ck = 240\n"
           "[partner]\ntype = US_DO\nspecialty = x\nstep2_ck = 230\n"
           "[program A]\npositions = 3\nregion = south\n"
           "[partner.program B]\npositions = 3\nregion = south\n";
    assert_int_equal(load_text(text, &pf, msgs, warns, sizeof msgs, path), RMC_OK);
    assert_int_equal(pf->couple_pairs, RMC_PAIRS_REGION);
    assert_int_equal(pf->couple_unmatched, 1);
    assert_int_equal(pf->partner->us_experience, RMC_USEXP_SUB_I);
    rmc_profile_free(pf);
    assert_int_equal(load_text(exact_shape, &pf, msgs, warns, sizeof msgs, path), RMC_OK);
    assert_null(pf->partner);
    rmc_profile_free(pf);
}

static void test_rmc_profile_load_couple_rejects(void **state)
{
    (void)state;
    rmc_profile_file *pf = NULL;
    char msgs[8192], warns[8192], path[64];
    const char *text = "[applicant]\n"           /* 1 */
                       "type = US_MD\n"          /* 2 */
                       "specialty = x\n"         /* 3 */
                       "step2_ck = 240\n"        /* 4 */
                       "[partner]\n"             /* 5 */
                       "specialty = y\n"         /* 6 */
                       "step2_ck = 230\n"        /* 7 */
                       "pets = 2\n"              /* 8 */
                       "[couple]\n"              /* 9 */
                       "pairs = country\n"       /* 10 */
                       "unmatched_options = 6\n" /* 11 */
                       "budget = 1\n"            /* 12 */
                       "[program A]\n"           /* 13 */
                       "positions = 3\n"         /* 14 */
                       "region = mars\n"         /* 15 */
                       "[program B]\n"           /* 16 */
                       "positions = 3\n"         /* 17 */
                       "[partner.program A]\n"   /* 18 */
                       "positions = 4\n"         /* 19 */
                       "[partner.program C]\n"   /* 20 */
                       "positions = 4\n"         /* 21 */
                       "region = west\n"         /* 22 */
                       "[partner.program C]\n"   /* 23 */
                       "[partner]\n";            /* 24 */
    assert_int_equal(load_text(text, &pf, msgs, warns, sizeof msgs, path), RMC_EINPUT);
    assert_null(pf);
    expect_in(msgs, path, "5: [partner] needs type = US_MD | US_DO | US_IMG | IMG");
    expect_in(msgs, path, "8: unknown key 'pets' in [partner]");
    expect_in(msgs, path, "10: pairs: 'country' is not one of city | region | any");
    expect_in(msgs, path, "11: unmatched_options: 6 is outside 0..5");
    expect_in(msgs, path, "12: unknown key 'budget' in [couple]");
    expect_in(msgs, path, "15: region: 'mars' is not one of northeast | midwest | south | west");
    expect_in(msgs, path, "16: [program B] needs region = northeast | midwest | south | west");
    expect_in(msgs, path,
              "19: [partner.program A] is your program of the same name: set "
              "positions in [program A] only");
    expect_in(msgs, path, "23: duplicate partner.program 'C' (first on line 20)");
    expect_in(msgs, path, "24: [partner] appears twice (first on line 5)");

    /* partner sections without [partner]; a partner without programs */
    text = "[applicant]\ntype = US_MD\nspecialty = x\nstep2_ck = 240\n"
           "[program A]\npositions = 3\n[couple]\npairs = city\n";
    assert_int_equal(load_text(text, &pf, msgs, warns, sizeof msgs, path), RMC_EINPUT);
    expect_in(msgs, path, "7: [couple] without a [partner] section");
    text = "[applicant]\ntype = US_MD\nspecialty = x\nstep2_ck = 240\n"
           "[program A]\npositions = 3\n[partner.program B]\npositions = 3\n";
    assert_int_equal(load_text(text, &pf, msgs, warns, sizeof msgs, path), RMC_EINPUT);
    expect_in(msgs, path, "7: [partner.program NAME] without a [partner] section");
    text = "[applicant]\ntype = US_MD\nspecialty = x\nstep2_ck = 240\n"
           "[partner]\ntype = US_MD\nspecialty = x\nstep2_ck = 240\n"
           "[program A]\npositions = 3\nregion = west\n";
    assert_int_equal(load_text(text, &pf, msgs, warns, sizeof msgs, path), RMC_EINPUT);
    expect_in(msgs, path, "5: no [partner.program NAME] section");
    text = "[applicant]\ntype = US_MD\nspecialty = x\nstep2_ck = 240\n"
           "[partner]\ntype = US_MD\nspecialty = y\nstep2_ck = 240\n"
           "[program A]\npositions = 3\nregion = west\n[partner.program A]\n";
    assert_int_equal(load_text(text, &pf, msgs, warns, sizeof msgs, path), RMC_EINPUT);
    expect_in(msgs, path,
              "12: [partner.program A] is your program of the same name, but your "
              "partner's specialty (y) is not yours (x)");
}

/* Every shipped example loads cleanly. */
static void test_rmc_profile_load_shipped_examples(void **state)
{
    (void)state;
    DIR *dir = opendir("models/profiles");
    assert_non_null(dir);
    size_t n = 0;
    for (struct dirent *e = readdir(dir); e != NULL; e = readdir(dir)) {
        const size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".ini") != 0) {
            continue;
        }
        char path[512];
        snprintf(path, sizeof path, "models/profiles/%s", e->d_name);
        rmc_problems *pr = NULL;
        assert_int_equal(rmc_problems_alloc(100, &pr), RMC_OK);
        rmc_profile_file *pf = NULL;
        const rmc_status st = rmc_profile_load(path, pr, NULL, NULL, &pf);
        if (st != RMC_OK) {
            print_error("%s: %s\n", path,
                        rmc_problems_kept(pr) > 0 ? rmc_problems_get(pr, 0) : "failed");
        }
        assert_int_equal(st, RMC_OK);
        assert_true(pf->n_programs >= 5);
        assert_string_equal(pf->specialty, "internal_medicine");
        rmc_profile_free(pf);
        rmc_problems_free(pr);
        n++;
    }
    closedir(dir);
    assert_true(n >= 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_profile_load_exact_shape),
        cmocka_unit_test(test_rmc_profile_load_defaults),
        cmocka_unit_test(test_rmc_step2_ck_pre_score),
        cmocka_unit_test(test_rmc_profile_load_rejects),
        cmocka_unit_test(test_rmc_profile_load_apply_section),
        cmocka_unit_test(test_rmc_profile_load_warns_h1b_at_j1_only),
        cmocka_unit_test(test_rmc_profile_load_couple),
        cmocka_unit_test(test_rmc_profile_load_couple_rejects),
        cmocka_unit_test(test_rmc_profile_load_shipped_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
