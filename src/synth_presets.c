/* The presets of `rankmc synth`: every calibration knob of the synthetic
 * markets in one place. Sources (docs/synth.md has the derivations):
 * NRMP 2025 Main Residency Match (active applicants, programs, positions,
 * match rates by type; /work/shared/data/nrmp.md), Tiako et al., JGME 2022
 * (visa sponsorship of internal-medicine programs), and the project's
 * PERFORMANCE.md workload (565,221 interviews, ~12 per applicant). Figures
 * marked "approx." are rounded estimates, not NRMP table values; they are
 * the first things to revisit when calibrating.
 */
#include <string.h>

#include "synth_int.h"

/* Groups of the national market. Counts: 47,208 active applicants (NRMP
 * 2025) split as derived in docs/synth.md: 16,052 active IMGs split by the
 * 2024 US/non-US ratio (4,748 : 10,024); DO seniors extrapolated linearly
 * from 7,436 (2023) and 8,033 (2024); "other" at the 2023 share (5.4%);
 * US MD seniors the remainder. */
static const rmc_synth_group_spec national_groups[RMC_SYNTH_N_GROUPS] = {
    [RMC_SYNTH_MD_SENIOR] = {RMC_TYPE_US_MD, 19956, 0.30, 20.0, 1.0, 0.0, 0.0,
                             {0.0, 0.0, 0.15, 0.85}, {1, 0, 0, 0},
                             40, 16, 0.0, 0.08, 0.02, 0.05, 0.12},
    [RMC_SYNTH_DO_SENIOR] = {RMC_TYPE_US_DO, 8630, 0.05, 20.0, 1.0, 0.0, 0.0,
                             {0.0, 0.0, 0.20, 0.80}, {1, 0, 0, 0},
                             45, 15, -0.2, 0.10, 0.02, 0.04, 0.12},
    [RMC_SYNTH_US_IMG] = {RMC_TYPE_US_IMG, 5160, -0.45, 12.0, 1.5, 0.20, 2.0,
                          {0.10, 0.30, 0.50, 0.10}, {1, 0, 0, 0},
                          60, 14, -0.6, 0.04, 0.08, 0.03, 0.10},
    [RMC_SYNTH_NON_US_IMG] = {RMC_TYPE_IMG, 10892, -0.25, 6.0, 2.0, 0.60, 4.0,
                              {0.30, 0.45, 0.25, 0.0}, {0.15, 0.60, 0.20, 0.05},
                              80, 14, -0.8, 0.02, 0.10, 0.03, 0.04},
    [RMC_SYNTH_OTHER] = {RMC_TYPE_US_MD, 2570, -0.70, 15.0, 1.5, 0.30, 2.0,
                         {0.05, 0.15, 0.50, 0.30}, {1, 0, 0, 0},
                         50, 12, -0.7, 0.03, 0.08, 0.05, 0.10},
};

/* Groups of an internal-medicine market: same behaviour, IMG-heavy mix
 * (approx.: IM takes about half of all matched IMGs). 14,000 applicants for
 * 11,347 positions. */
static const rmc_synth_group_spec im_groups[RMC_SYNTH_N_GROUPS] = {
    [RMC_SYNTH_MD_SENIOR] = {RMC_TYPE_US_MD, 3900, 0.30, 20.0, 1.0, 0.0, 0.0,
                             {0.0, 0.0, 0.15, 0.85}, {1, 0, 0, 0},
                             40, 16, 0.0, 0.08, 0.02, 0.05, 0.12},
    [RMC_SYNTH_DO_SENIOR] = {RMC_TYPE_US_DO, 2300, 0.05, 20.0, 1.0, 0.0, 0.0,
                             {0.0, 0.0, 0.20, 0.80}, {1, 0, 0, 0},
                             45, 15, -0.2, 0.10, 0.02, 0.04, 0.12},
    [RMC_SYNTH_US_IMG] = {RMC_TYPE_US_IMG, 2100, -0.45, 12.0, 1.5, 0.20, 2.0,
                          {0.10, 0.30, 0.50, 0.10}, {1, 0, 0, 0},
                          60, 14, -0.6, 0.04, 0.08, 0.03, 0.10},
    [RMC_SYNTH_NON_US_IMG] = {RMC_TYPE_IMG, 4900, -0.25, 6.0, 2.0, 0.60, 4.0,
                              {0.30, 0.45, 0.25, 0.0}, {0.15, 0.60, 0.20, 0.05},
                              80, 14, -0.8, 0.02, 0.10, 0.03, 0.04},
    [RMC_SYNTH_OTHER] = {RMC_TYPE_US_MD, 800, -0.70, 15.0, 1.5, 0.30, 2.0,
                         {0.05, 0.15, 0.50, 0.30}, {1, 0, 0, 0},
                         50, 12, -0.7, 0.03, 0.08, 0.05, 0.10},
};

/* NRMP 2025 programs and positions (PGY-1 + PGY-2) by specialty. From
 * nrmp.md: internal medicine 11,347 positions (10,984 filled = 96.8%),
 * general surgery 1,778, OB/GYN 1,587, orthopaedic surgery 929; totals
 * 6,626 programs and 43,237 positions ("other" is the remainder). Program
 * counts and the other specialties' positions are approx. Affinity order:
 * MD senior, DO senior, US IMG, non-US IMG, other. */
static const rmc_synth_specialty national_specialties[] = {
    {"internal_medicine", 1050, 11347, {1.0, 1.0, 2.0, 2.6, 1.4}},
    {"family_medicine", 790, 5150, {0.8, 1.5, 1.6, 1.0, 1.2}},
    {"pediatrics", 230, 3000, {1.0, 1.0, 1.0, 0.8, 1.0}},
    {"emergency_medicine", 290, 3000, {1.1, 1.3, 0.8, 0.2, 0.8}},
    {"psychiatry", 340, 2200, {1.0, 1.0, 1.3, 0.9, 1.2}},
    {"general_surgery", 360, 1778, {1.3, 0.8, 0.6, 0.6, 1.0}},
    {"obstetrics_gynecology", 300, 1587, {1.1, 1.0, 0.6, 0.4, 0.8}},
    {"anesthesiology", 300, 2000, {1.2, 1.0, 0.6, 0.4, 0.8}},
    {"orthopaedic_surgery", 210, 929, {1.6, 0.8, 0.2, 0.1, 0.6}},
    {"neurology", 220, 1000, {0.9, 0.9, 1.2, 1.6, 1.0}},
    {"diagnostic_radiology", 380, 1300, {1.2, 0.9, 0.6, 0.6, 0.8}},
    {"other", 2156, 9946, {1.0, 0.9, 0.8, 0.6, 1.0}},
};

static const rmc_synth_specialty im_national[] = {
    {"internal_medicine", 1050, 11347, {1, 1, 1, 1, 1}},
};

/* 40 programs with the national internal-medicine mean size (10.8). */
static const rmc_synth_specialty im_regional[] = {
    {"internal_medicine", 40, 432, {1, 1, 1, 1, 1}},
};

static const rmc_synth_preset presets[] = {
    {"nrmp2025", "NRMP 2025 Main Residency Match: 47,208 applicants, 6,626 programs, 12 specialties",
     national_groups, national_specialties,
     sizeof national_specialties / sizeof national_specialties[0], 47208, 13.1, 1.5, 2.0, 0.5,
     {0.252, 0.417, 0.331}, {0.474, 0.417, 0.109}, 0.02, 0.35, 0.4, 0.15, 0.20},
    {"im", "national internal medicine: 14,000 applicants, 1,050 programs", im_groups,
     im_national, 1, 14000, 14.0, 1.5, 2.0, 0.5, {0.252, 0.417, 0.331}, {0.474, 0.417, 0.109}, 0.02,
     0.35, 0.4, 0.15, 0.20},
    {"im-regional", "regional internal medicine: 600 applicants, 40 programs", im_groups,
     im_regional, 1, 600, 16.0, 1.5, 2.0, 0.5, {0.252, 0.417, 0.331}, {0.474, 0.417, 0.109}, 0.02,
     0.35, 0.4, 0.15, 0.20},
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
