/* One applicant described in their own terms (docs/forecast.md): a profile
 * file with an [applicant] section and one [program NAME] section per
 * interview, in the applicant's rank order, read strictly with inih; and the
 * USMLE Step 2 CK -> pre_score mapping the profile and applicants.csv share.
 * A couple's profile adds a [partner] section (the partner's own applicant
 * keys), one [partner.program NAME] section per partner interview in the
 * partner's order, a region (and city) for every program, and an optional
 * [couple] section saying how the joint list is built.
 */
#ifndef RANKMC_PROFILE_H
#define RANKMC_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/model.h"
#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* pre_score for a Step 2 CK score (1..300) of an applicant of type t:
 * pre_<type> + weight * (ck - mean) / sd, where mean is step2_ck.mean_us for
 * US_MD and US_DO and step2_ck.mean_img for US_IMG and IMG (the [step2_ck]
 * parameters of p; their sources are in params.def and docs/forecast.md). */
double rmc_step2_ck_pre_score(const rmc_params *p, rmc_type t, double ck);

/* A program's setting; RMC_SETTING_ANY when the profile does not say. */
typedef enum { RMC_SETTING_ANY, RMC_SETTING_ACADEMIC, RMC_SETTING_COMMUNITY } rmc_setting;

/* Desirability given as a word: a quantile of the market's programs of the
 * specialty (docs/forecast.md). RMC_TIER_Z: a z value was given. */
typedef enum { RMC_TIER_Z, RMC_TIER_TOP, RMC_TIER_HIGH, RMC_TIER_MIDDLE, RMC_TIER_LOW } rmc_tier;

/* "academic", "community", "any"; "z", "top", "high", "middle", "low". */
const char *rmc_setting_name(rmc_setting s);
const char *rmc_tier_name(rmc_tier t);
/* The market quantile of a tier word (top 0.90, high 0.70, middle 0.50,
 * low 0.25; an assumption, docs/forecast.md); -1 for RMC_TIER_Z. */
double rmc_tier_quantile(rmc_tier t);
/* A desirability floor as a market quantile: a tier word top | high |
 * middle | low (rmc_tier_quantile) or a number 0 <= Q < 1 into *q; false
 * (and *q untouched) when s is neither. */
bool rmc_desirability_quantile(const char *s, double *q);

/* Census regions of a program's location (as synth's x_region);
 * RMC_REGION_NONE when the profile does not say. */
typedef enum {
    RMC_REGION_NONE,
    RMC_REGION_NORTHEAST,
    RMC_REGION_MIDWEST,
    RMC_REGION_SOUTH,
    RMC_REGION_WEST,
    RMC_N_REGIONS
} rmc_region;

/* "none", "northeast", "midwest", "south", "west". */
const char *rmc_region_name(rmc_region r);

/* Which pairs of programs a couple's joint list ranks ([couple] pairs):
 * only those in one city; those in one city, then those in one region (the
 * default); or also pairs in different regions after those. */
typedef enum { RMC_PAIRS_CITY, RMC_PAIRS_REGION, RMC_PAIRS_ANY } rmc_pairs;

/* "city", "region", "any". */
const char *rmc_pairs_name(rmc_pairs p);

typedef struct rmc_profile_program {
    char name[96];         /* the section name after "program " */
    long line;             /* line of the section header */
    int32_t positions;     /* >= 1, required */
    rmc_setting setting;   /* default any */
    rmc_sponsors sponsors; /* default none when the applicant needs no visa, else required */
    rmc_tier tier;         /* default middle */
    double desirability;   /* the z value when tier == RMC_TIER_Z */
    rmc_advocacy advocacy; /* default none */
    int ties;              /* 0 / 1, default 0 */
    rmc_interest interest; /* default normal */
    int loi;               /* 0 / 1: a letter of intent sent, default 0 */
    rmc_region region;     /* where it is; required in a couple's profile */
    char city[64];         /* "" when not given (then in no city pair) */
    int same_as;           /* a partner's program that is the applicant's program of the same
                              name: that program's index (its program keys hold); else -1 */
} rmc_profile_program;

typedef struct rmc_profile_file {
    char path[256];
    rmc_type type;                 /* required */
    char specialty[64];            /* required: a specialty of the market (synth names) */
    long specialty_line;           /* its line, for "unknown specialty" problems */
    bool has_step2_ck;             /* step2_ck given (else pre_score) */
    double step2_ck;               /* 1..300 */
    double pre_score;              /* given, or 0 until rmc_profile_pre_score maps step2_ck */
    double communication;          /* 0..1, default 1 (no concern) */
    double clinical_years;         /* 0..60, default 0 */
    rmc_usexp us_experience;       /* default sub_i for US_MD / US_DO, none for IMGs */
    rmc_visa visa;                 /* default none for US_MD / US_DO / US_IMG, J1 for IMG */
    size_t n_programs;             /* >= 1 */
    rmc_profile_program *programs; /* [n_programs] in the applicant's rank order */
    /* Where the applicant would be happy, from an optional [apply] section
     * (used by `rankmc apply` only; command-line options override it): */
    rmc_setting apply_setting; /* setting = academic | community | any; default any */
    double apply_min_quantile; /* min_desirability = top | high | middle | low | Q (0 <= Q < 1),
                                  as a market quantile; default 0 (no floor) */
    long apply_line;           /* line of [apply], 0 if none */
    /* A couple: the partner from [partner] and [partner.program NAME]
     * (the same fields; its own partner is NULL), and the [couple] keys. */
    struct rmc_profile_file *partner; /* NULL for a single applicant */
    long partner_line;                /* line of [partner], 0 if none */
    rmc_pairs couple_pairs;           /* pairs = city | region | any; default region */
    int couple_unmatched; /* unmatched_options = 0..5: per partner, their best k programs with
                             the other unmatched, after every pair; default 1 */
} rmc_profile_file;

/* Read and check the profile at path. Every problem goes to problems as
 * "FILE:LINE: message" (unknown sections or keys, bad values, a key set
 * twice, a program without positions, duplicate program names, Step 2 CK
 * outside 1..300, no program); then RMC_EINPUT and *out NULL. Things that
 * are allowed but change the forecast (a program that cannot sponsor the
 * applicant's visa, so it will not rank them) go to warnings (may be NULL).
 * RMC_EIO / RMC_ENOMEM with details in d. Free with rmc_profile_free. */
rmc_status rmc_profile_load(const char *path, rmc_problems *problems, rmc_problems *warnings,
                            rmc_diag *d, rmc_profile_file **out);
void rmc_profile_free(rmc_profile_file *pf);

/* rmc_profile_load for `rankmc apply`: the same file and checks, but the
 * [program NAME] sections are optional (n_programs may be 0). */
rmc_status rmc_profile_load_applicant(const char *path, rmc_problems *problems,
                                      rmc_problems *warnings, rmc_diag *d, rmc_profile_file **out);

/* The applicant's pre_score under parameters p: the given pre_score, or
 * the mapped step2_ck (rmc_step2_ck_pre_score). */
double rmc_profile_pre_score(const rmc_profile_file *pf, const rmc_params *p);

#ifdef __cplusplus
}
#endif
#endif
