/* The presets of `rankmc synth`: every calibration knob of the synthetic
 * markets in one place. Sources (docs/synth.md has the derivations):
 * NRMP 2025 Main Residency Match (active applicants, programs, positions,
 * match rates by type; /work/shared/data/nrmp.md), Tiako et al., JGME 2022
 * (visa sponsorship of internal-medicine programs), and the national
 * workload of the project's performance brief (565,221 interviews, ~12 per
 * applicant). Figures marked "approx." are rounded estimates, not NRMP
 * table values; they are the first things to revisit when calibrating.
 */
#include <string.h>

#include "synth_int.h"

/* Specialty rows: name, programs, positions, then the five affinities (MD
 * senior, DO senior, US IMG, non-US IMG, other); PRE rows also take the
 * supplemental-application weight and the reversion field. */
#define CAT(name, progs, pos, ...)                                                                 \
    {                                                                                              \
        name, progs, pos, {__VA_ARGS__}, RMC_SYNTH_CATEGORICAL, 0.0, NULL                          \
    }
#define ADV(name, progs, pos, ...)                                                                 \
    {                                                                                              \
        name, progs, pos, {__VA_ARGS__}, RMC_SYNTH_ADVANCED, 0.0, NULL                             \
    }
#define PRE(name, progs, pos, supp, revert, ...)                                                   \
    {                                                                                              \
        name, progs, pos, {__VA_ARGS__}, RMC_SYNTH_PRELIMINARY, supp, revert                       \
    }

/* Groups of the national market. Counts: 47,208 active applicants (NRMP
 * 2025) split as derived in docs/synth.md: 16,052 active IMGs split by the
 * 2024 US/non-US ratio (4,748 : 10,024); DO seniors extrapolated linearly
 * from 7,436 (2023) and 8,033 (2024); "other" at the 2023 share (5.4%);
 * US MD seniors the remainder. */
static const rmc_synth_group_spec national_groups[RMC_SYNTH_N_GROUPS] = {
    [RMC_SYNTH_MD_SENIOR] =
        {
            .type = RMC_TYPE_US_MD,
            .count = 19956,
            .pre_mean = 0.30,
            .comm_a = 20.0,
            .comm_b = 1.0,
            .p_clinical = 0.0,
            .clinical_mean = 0.0,
            .usexp = {0.0, 0.0, 0.15, 0.85},
            .visa = {1, 0, 0, 0},
            .applications = 40,
            .cap = 20,
            .offer_shift = 0.0,
            .p_rotation = 0.08,
            .p_fellow = 0.02,
            .p_chief = 0.05,
            .p_ties = 0.12,
        },
    [RMC_SYNTH_DO_SENIOR] =
        {
            .type = RMC_TYPE_US_DO,
            .count = 8630,
            .pre_mean = 0.2,
            .comm_a = 20.0,
            .comm_b = 1.0,
            .p_clinical = 0.0,
            .clinical_mean = 0.0,
            .usexp = {0.0, 0.0, 0.20, 0.80},
            .visa = {1, 0, 0, 0},
            .applications = 45,
            .cap = 18,
            .offer_shift = -0.05,
            .p_rotation = 0.10,
            .p_fellow = 0.02,
            .p_chief = 0.04,
            .p_ties = 0.12,
        },
    [RMC_SYNTH_US_IMG] =
        {
            .type = RMC_TYPE_US_IMG,
            .count = 5160,
            .pre_mean = -0.7,
            .comm_a = 12.0,
            .comm_b = 1.5,
            .p_clinical = 0.20,
            .clinical_mean = 2.0,
            .usexp = {0.10, 0.30, 0.50, 0.10},
            .visa = {1, 0, 0, 0},
            .applications = 60,
            .cap = 14,
            .offer_shift = -1.0,
            .p_rotation = 0.04,
            .p_fellow = 0.08,
            .p_chief = 0.03,
            .p_ties = 0.10,
        },
    [RMC_SYNTH_NON_US_IMG] =
        {
            .type = RMC_TYPE_IMG,
            .count = 10892,
            .pre_mean = -0.5,
            .comm_a = 6.0,
            .comm_b = 2.0,
            .p_clinical = 0.60,
            .clinical_mean = 4.0,
            .usexp = {0.30, 0.45, 0.25, 0.0},
            .visa = {0.15, 0.60, 0.20, 0.05},
            .applications = 80,
            .cap = 14,
            .offer_shift = -1.3,
            .p_rotation = 0.02,
            .p_fellow = 0.10,
            .p_chief = 0.03,
            .p_ties = 0.04,
        },
    [RMC_SYNTH_OTHER] =
        {
            .type = RMC_TYPE_US_MD,
            .count = 2570,
            .pre_mean = -1.4,
            .comm_a = 15.0,
            .comm_b = 1.5,
            .p_clinical = 0.30,
            .clinical_mean = 2.0,
            .usexp = {0.05, 0.15, 0.50, 0.30},
            .visa = {1, 0, 0, 0},
            .applications = 50,
            .cap = 12,
            .offer_shift = -1.3,
            .p_rotation = 0.03,
            .p_fellow = 0.08,
            .p_chief = 0.05,
            .p_ties = 0.10,
        },
};

/* Groups of an internal-medicine market: IMG-heavy mix (approx.: IM takes
 * about half of all matched IMGs), 14,000 applicants for 11,347 positions.
 * Same behaviour as the national groups except the IMGs' insider contact
 * and practice, set when calibrating models/default (docs/calibration-
 * default.md; judgements, not measured figures): US IMGs do their clinical
 * years at US teaching hospitals, so more of their interviews are where
 * they rotated (p_rotation 0.15); non-US IMGs rotate less often (0.07),
 * come more often through a US research post (p_fellow 0.15) and more often
 * have years of independent practice (p_clinical 0.75, clinical_mean 5). */
static const rmc_synth_group_spec im_groups[RMC_SYNTH_N_GROUPS] = {
    [RMC_SYNTH_MD_SENIOR] =
        {
            .type = RMC_TYPE_US_MD,
            .count = 3900,
            .pre_mean = 0.30,
            .comm_a = 20.0,
            .comm_b = 1.0,
            .p_clinical = 0.0,
            .clinical_mean = 0.0,
            .usexp = {0.0, 0.0, 0.15, 0.85},
            .visa = {1, 0, 0, 0},
            .applications = 40,
            .cap = 16,
            .offer_shift = 0.0,
            .p_rotation = 0.08,
            .p_fellow = 0.02,
            .p_chief = 0.05,
            .p_ties = 0.12,
        },
    [RMC_SYNTH_DO_SENIOR] =
        {
            .type = RMC_TYPE_US_DO,
            .count = 2300,
            .pre_mean = 0.05,
            .comm_a = 20.0,
            .comm_b = 1.0,
            .p_clinical = 0.0,
            .clinical_mean = 0.0,
            .usexp = {0.0, 0.0, 0.20, 0.80},
            .visa = {1, 0, 0, 0},
            .applications = 45,
            .cap = 15,
            .offer_shift = -0.2,
            .p_rotation = 0.10,
            .p_fellow = 0.02,
            .p_chief = 0.04,
            .p_ties = 0.12,
        },
    [RMC_SYNTH_US_IMG] =
        {
            .type = RMC_TYPE_US_IMG,
            .count = 2100,
            .pre_mean = -0.45,
            .comm_a = 12.0,
            .comm_b = 1.5,
            .p_clinical = 0.20,
            .clinical_mean = 2.0,
            .usexp = {0.10, 0.30, 0.50, 0.10},
            .visa = {1, 0, 0, 0},
            .applications = 60,
            .cap = 14,
            .offer_shift = -0.6,
            .p_rotation = 0.15,
            .p_fellow = 0.08,
            .p_chief = 0.03,
            .p_ties = 0.10,
        },
    [RMC_SYNTH_NON_US_IMG] =
        {
            .type = RMC_TYPE_IMG,
            .count = 4900,
            .pre_mean = -0.25,
            .comm_a = 6.0,
            .comm_b = 2.0,
            .p_clinical = 0.75,
            .clinical_mean = 5.0,
            .usexp = {0.30, 0.45, 0.25, 0.0},
            .visa = {0.15, 0.60, 0.20, 0.05},
            .applications = 80,
            .cap = 14,
            .offer_shift = -0.8,
            .p_rotation = 0.07,
            .p_fellow = 0.15,
            .p_chief = 0.03,
            .p_ties = 0.04,
        },
    [RMC_SYNTH_OTHER] =
        {
            .type = RMC_TYPE_US_MD,
            .count = 800,
            .pre_mean = -0.70,
            .comm_a = 15.0,
            .comm_b = 1.5,
            .p_clinical = 0.30,
            .clinical_mean = 2.0,
            .usexp = {0.05, 0.15, 0.50, 0.30},
            .visa = {1, 0, 0, 0},
            .applications = 50,
            .cap = 12,
            .offer_shift = -0.7,
            .p_rotation = 0.03,
            .p_fellow = 0.08,
            .p_chief = 0.05,
            .p_ties = 0.10,
        },
};

/* NRMP 2025 programs and positions (PGY-1 + PGY-2) by specialty. From
 * nrmp.md: internal medicine 11,347 positions (10,984 filled = 96.8%),
 * general surgery 1,778, OB/GYN 1,587, orthopaedic surgery 929; totals
 * 6,626 programs and 43,237 positions ("other" is the remainder). Program
 * counts and the other specialties' positions are approx. Affinity order:
 * MD senior, DO senior, US IMG, non-US IMG, other. */
static const rmc_synth_specialty national_specialties[] = {
    CAT("internal_medicine", 1050, 11347, 1.0, 1.0, 2.0, 2.6, 1.4),
    CAT("family_medicine", 790, 5150, 0.8, 1.5, 1.6, 1.0, 1.2),
    CAT("pediatrics", 230, 3000, 1.0, 1.0, 1.0, 0.8, 1.0),
    CAT("emergency_medicine", 290, 3000, 1.1, 1.3, 0.8, 0.2, 0.8),
    CAT("psychiatry", 340, 2200, 1.0, 1.0, 1.3, 0.9, 1.2),
    CAT("general_surgery", 360, 1778, 1.3, 0.8, 0.6, 0.6, 1.0),
    CAT("obstetrics_gynecology", 300, 1587, 1.1, 1.0, 0.6, 0.4, 0.8),
    CAT("anesthesiology", 300, 1600, 1.2, 1.0, 0.6, 0.4, 0.8),
    CAT("orthopaedic_surgery", 210, 929, 1.6, 0.8, 0.2, 0.1, 0.6),
    CAT("neurology", 220, 700, 0.9, 0.9, 1.2, 1.6, 1.0),
    CAT("diagnostic_radiology", 380, 500, 1.2, 0.9, 0.6, 0.6, 0.8),
    CAT("other", 2156, 8250, 1.0, 0.9, 0.8, 0.6, 1.0),
};

/* NRMP 2025 with tracks (docs/synth.md "Tracks"): the same 6,626 programs
 * and 40,041 PGY-1 positions as above plus the 3,196 PGY-2 (advanced)
 * positions, 43,237 in all (NRMP 2025). The PGY-1 positions split into
 * 35,391 categorical and 4,650 preliminary / transitional ones; NRMP-sourced
 * rows keep their figures (internal medicine, general surgery, OB/GYN,
 * orthopaedics; categorical anesthesiology, radiology and neurology keep
 * the PGY-1 preset's approx. figures). Assumption (approximate shares of
 * NRMP Results and Data tables, not verified figures): advanced positions
 * anesthesiology 420, diagnostic radiology 850, neurology 320, dermatology
 * 480, PM&R 300, radiation oncology 180, other specialties 646 (the
 * remainder: interventional radiology, nuclear medicine, ...); preliminary
 * medicine 2,000, preliminary surgery 1,100, transitional year 1,550; the
 * program counts of every split row; dermatology and PM&R's categorical
 * rows (60, 200) and the preliminary positions come out of "other"
 * (8,250 -> 3,340). Applicants of a field apply to all its rows' programs;
 * the preliminary rows' affinities set how many applicants rank only
 * preliminary programs (assumption: mostly IMGs and previous graduates,
 * and seniors seeking a preliminary surgery year). supp_weight: how
 * advanced applicants spread their supplemental applications (assumption:
 * transitional and medicine years preferred to surgery); revert_to: the
 * categorical field a preliminary program's reversion goes to. */
#define ANES 1.2, 1.0, 0.6, 0.4, 0.8
#define NEURO 0.9, 0.9, 1.2, 1.6, 1.0
#define RAD 1.2, 0.9, 0.6, 0.6, 0.8
#define DERM 1.4, 0.8, 0.3, 0.2, 0.6
#define PMR 0.9, 1.4, 0.8, 0.6, 1.0
#define OTHER 1.0, 0.9, 0.8, 0.6, 1.0
static const rmc_synth_specialty national_track_specialties[] = {
    CAT("internal_medicine", 1050, 11347, 1.0, 1.0, 2.0, 2.6, 1.4),
    CAT("family_medicine", 790, 5150, 0.8, 1.5, 1.6, 1.0, 1.2),
    CAT("pediatrics", 230, 3000, 1.0, 1.0, 1.0, 0.8, 1.0),
    CAT("emergency_medicine", 290, 3000, 1.1, 1.3, 0.8, 0.2, 0.8),
    CAT("psychiatry", 340, 2200, 1.0, 1.0, 1.3, 0.9, 1.2),
    CAT("general_surgery", 360, 1778, 1.3, 0.8, 0.6, 0.6, 1.0),
    CAT("obstetrics_gynecology", 300, 1587, 1.1, 1.0, 0.6, 0.4, 0.8),
    CAT("anesthesiology", 170, 1600, ANES),
    ADV("anesthesiology", 60, 420, ANES),
    CAT("orthopaedic_surgery", 210, 929, 1.6, 0.8, 0.2, 0.1, 0.6),
    CAT("neurology", 150, 700, NEURO),
    ADV("neurology", 70, 320, NEURO),
    CAT("diagnostic_radiology", 90, 500, RAD),
    ADV("diagnostic_radiology", 190, 850, RAD),
    CAT("dermatology", 30, 60, DERM),
    ADV("dermatology", 120, 480, DERM),
    CAT("physical_medicine_rehabilitation", 40, 200, PMR),
    ADV("physical_medicine_rehabilitation", 70, 300, PMR),
    ADV("radiation_oncology", 80, 180, 1.0, 0.8, 0.6, 0.6, 0.8),
    CAT("other", 1156, 3340, OTHER),
    ADV("other", 120, 646, OTHER),
    PRE("prelim_medicine", 330, 2000, 1.0, "internal_medicine", 0.15, 0.15, 0.6, 0.6, 0.6),
    PRE("prelim_surgery", 230, 1100, 0.3, "general_surgery", 0.3, 0.3, 0.6, 0.5, 0.8),
    PRE("transitional", 150, 1550, 1.5, "internal_medicine", 0.05, 0.05, 0.1, 0.1, 0.2),
};
#undef ANES
#undef NEURO
#undef RAD
#undef DERM
#undef PMR
#undef OTHER

static const rmc_synth_specialty im_national[] = {
    CAT("internal_medicine", 1050, 11347, 1, 1, 1, 1, 1),
};

/* 40 programs with the national internal-medicine mean size (10.8). */
static const rmc_synth_specialty im_regional[] = {
    CAT("internal_medicine", 40, 432, 1, 1, 1, 1, 1),
};

static const rmc_synth_preset presets[] = {
    {
        .name = "nrmp2025",
        .doc =
            "NRMP 2025 Main Residency Match: 47,208 applicants, 6,626 programs, 43,237 positions "
            "(40,041 PGY-1 + 3,196 PGY-2), SOAP",
        .groups = national_groups,
        .specialties = national_specialties,
        .n_specialties = sizeof national_specialties / sizeof national_specialties[0],
        .applicants = 47208,
        .slots_per_position = 14.1,
        .offer_concentration = 1.5,
        .size_dispersion = 2.0,
        .p_community = 0.5,
        .sponsors_academic = {0.252, 0.417, 0.331},
        .sponsors_community = {0.474, 0.417, 0.109},
        .visa_exception = 0.02,
        .h1b_at_j1 = 0.35,
        .academic_bonus = 0.4,
        .p_interest_low = 0.15,
        .p_interest_high = 0.20,
        /* NRMP: about 1,150 couples a year (1,239 in 2023, nrmp.md); partners
         * mostly US seniors (assumption: 75% MD, 15% DO, 5% each IMG group);
         * joint lists up to 30 pairs with one "partner unmatched" option per
         * partner (assumption: NRMP allows 300; longer lists and more such
         * options made the couples procedure cycle more, docs/synth.md);
         * about 12 programs per city (assumption); partners hold at least 4
         * interviews (calibrated: with any interview count couples matched
         * 85% both, with >= 4 about 94.8% against NRMP's 93.8%).
         * docs/synth.md "Couples". */
        .couples = 1150,
        .couple_group = {0.75, 0.15, 0.05, 0.05, 0.0},
        .couple_max_pairs = 30,
        .couple_solo = 1,
        .couple_min_interviews = 4,
        .programs_per_city = 12,
        /* Tracks (docs/synth.md "Tracks"; all assumptions, calibrated in
         * docs/calibration.md): an applicant holding an advanced interview
         * sends about 12 supplemental applications to preliminary programs
         * and attends up to about 6 of those interviews; preliminary
         * programs offer 8 supplemental interview slots per position; 10%
         * of preliminary programs revert unfilled positions to a categorical
         * program of the same setting and region (standing in for "the
         * same institution"). */
        .track_specialties = national_track_specialties,
        .n_track_specialties =
            sizeof national_track_specialties / sizeof national_track_specialties[0],
        .tracks_default = true,
        .supp_applications = 12,
        .supp_cap = 6,
        .supp_slots_per_position = 8,
        .p_revert = 0.10,
        /* calibrated with tracks (docs/calibration.md): US IMGs' pre_mean
         * -0.7 -> -0.63 (they matched 65.7% against NRMP's 67.8%) */
        .track_pre_mean = {0, 0, 0.07, 0, 0},
        /* SOAP (docs/soap.md, docs/calibration.md): 4 rounds and 45
         * applications (NRMP); nobody declines and every unmatched or
         * partially matched applicant is eligible (the soap defaults):
         * calibrated, these give 2,398 placed in SOAP (NRMP 2025: 2,521)
         * and 99.3% filled after SOAP (99.4%); fewer eligible IMGs
         * (eligible_img 0.6, 0.35) raised seniors' after-SOAP rates by 0.6
         * and 1.3 points but took the fill under 99.2% and 99.0%. */
        .soap_decline = 0.0,
        .soap_eligible_us = 1.0,
        .soap_eligible_img = 1.0,
    },
    {
        .name = "im",
        .doc = "national internal medicine: 14,000 applicants, 1,050 programs",
        .groups = im_groups,
        .specialties = im_national,
        .n_specialties = 1,
        .applicants = 14000,
        .slots_per_position = 14.0,
        .offer_concentration = 1.5,
        .size_dispersion = 2.0,
        .p_community = 0.5,
        .sponsors_academic = {0.252, 0.417, 0.331},
        .sponsors_community = {0.474, 0.417, 0.109},
        .visa_exception = 0.02,
        .h1b_at_j1 = 0.35,
        .academic_bonus = 0.4,
        .p_interest_low = 0.15,
        .p_interest_high = 0.20,
        /* couples at nrmp2025's share of applicants (1,150 / 47,208) */
        .couples = 341,
        .couple_group = {0.75, 0.15, 0.05, 0.05, 0.0},
        .couple_max_pairs = 30,
        .couple_solo = 1,
        .couple_min_interviews = 4,
        .programs_per_city = 2,
    },
    {
        .name = "im-regional",
        .doc = "regional internal medicine: 600 applicants, 40 programs",
        .groups = im_groups,
        .specialties = im_regional,
        .n_specialties = 1,
        .applicants = 600,
        .slots_per_position = 16.0,
        .offer_concentration = 1.5,
        .size_dispersion = 2.0,
        .p_community = 0.5,
        .sponsors_academic = {0.252, 0.417, 0.331},
        .sponsors_community = {0.474, 0.417, 0.109},
        .visa_exception = 0.02,
        .h1b_at_j1 = 0.35,
        .academic_bonus = 0.4,
        .p_interest_low = 0.15,
        .p_interest_high = 0.20,
        .couples = 0, /* a regional market: no couples */
        .couple_max_pairs = 30,
        .couple_solo = 1,
        .couple_min_interviews = 4,
        .programs_per_city = 2,
    },
};
enum { N_PRESETS = sizeof presets / sizeof presets[0] };

const rmc_synth_preset *rmc_synth_preset_at(size_t i)
{
    return i < N_PRESETS ? &presets[i] : NULL;
}

const rmc_synth_preset *rmc_synth_preset_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < N_PRESETS; i++) {
        if (strcmp(presets[i].name, name) == 0) {
            return &presets[i];
        }
    }
    return NULL;
}

size_t rmc_synth_n_presets(void)
{
    return N_PRESETS;
}

const char *rmc_synth_preset_name(size_t i)
{
    return i < N_PRESETS ? presets[i].name : NULL;
}

const char *rmc_synth_preset_doc(size_t i)
{
    return i < N_PRESETS ? presets[i].doc : NULL;
}
