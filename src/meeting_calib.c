/* Calibration figures of the rank meeting (DESIGN 2's targets): runs every
 * program's meeting for n replicates, no Match, and measures
 *   - the median advocacy move by level, in spots on the reference list
 *     (each list's move divided by its scale n_p / reference_list);
 *   - how far chief names move in tiers (their advocacy move, and their net
 *     change of tier with every factor included);
 *   - for IMG applicants (US_IMG and IMG), the split of upward movement (the
 *     sum of positive moves, reference spots) across resident feedback,
 *     advocacy, communication, service readiness and visa;
 *   - the article's chart as a frequency: among IMG names that moved up, the
 *     share whose largest upward move came from each of those five;
 *   - the size of service statements, and the tiers flight risk drops a
 *     name (names whose commitment move is negative: with the shipped
 *     interest spots of 0 that is exactly the flight-risk statement).
 * Medians come from histograms (0.01-spot bins for moves, whole tiers for
 * tier jumps) and report the bin's lower edge, so a median move is low by
 * less than 0.01 spot.
 * Not a hot path: allocates its own scratch.
 */
#include <math.h>

#include "meeting_int.h"
#include "rankmc/match.h"

enum { ADV_BINS = 100000, TIER_BINS = 64 };
static const double ADV_BIN = 0.01, TIER_BIN = 1.0;
/* A name "moved up" when its total move is at least this many reference
 * spots: the article's smallest named move (a rotation's 5-20); smaller is
 * its "minimal move" of a Zoom-only interview. */
static const double UP_SPOTS = 5.0;

/* The five factors of DESIGN 2's IMG split, in its order. */
static const rmc_factor split_factors[5] = {RMC_FACTOR_RESIDENTS, RMC_FACTOR_ADVOCACY,
                                            RMC_FACTOR_COMMUNICATION, RMC_FACTOR_SERVICE,
                                            RMC_FACTOR_VISA};

typedef struct calib_acc {
    size_t *adv_hist;   /* [RMC_N_ADVOCACY * ADV_BINS] */
    size_t *tier_hist;  /* [TIER_BINS] chief advocacy move in tiers */
    double tier_change; /* sum of chief names' net tier change */
    size_t n_chief;     /* chief names below the top tiers */
    double img_up[RMC_N_FACTORS];
    size_t reason[RMC_N_FACTORS]; /* IMG names moved up, by their largest upward factor */
    size_t n_img_up;
    size_t *svc_hist; /* [ADV_BINS] service statement sizes */
    size_t svc_in_band;
    size_t flight_hist[TIER_BINS];
} calib_acc;

static size_t bin_of(double v, double width, size_t n_bins)
{
    if (!(v > 0)) {
        return 0;
    }
    const double b = floor(v / width);
    return b >= (double)(n_bins - 1) ? n_bins - 1 : (size_t)b;
}

static double hist_median(const size_t *h, size_t n_bins, double width, size_t *count)
{
    size_t total = 0;
    for (size_t b = 0; b < n_bins; b++) {
        total += h[b];
    }
    *count = total;
    if (total == 0) {
        return (double)NAN;
    }
    size_t cum = 0;
    for (size_t b = 0; b < n_bins; b++) {
        cum += h[b];
        if (2 * cum >= total) {
            return (double)b * width;
        }
    }
    return (double)NAN;
}

/* Tally program j's meeting just run (w->order still holds its initial order). */
static void tally_program(const rmc_model *m, const rmc_params *p, size_t j,
                          const rmc_meeting_ws *w, const int32_t *rank, const float *moves,
                          calib_acc *acc, size_t *n_img)
{
    const size_t n = m->prog_off[j + 1] - m->prog_off[j];
    const rmc_id *ivs = m->iv_by_prog + m->prog_off[j];
    const double scale = (double)n / (double)p->meeting_reference_list;
    const size_t tiers = (size_t)p->meeting_tiers, up = (size_t)p->advocacy_chief_tiers;
    for (size_t x = 0; x < n; x++) {
        const size_t k = (size_t)ivs[w->order[x]];
        const float *mv = moves + k * RMC_N_FACTORS;
        const uint8_t type = m->app_type[m->iv_app[k]];
        if (type == RMC_TYPE_US_IMG || type == RMC_TYPE_IMG) {
            (*n_img)++;
            for (size_t f = 0; f < RMC_N_FACTORS; f++) {
                acc->img_up[f] += fmax(0.0, (double)mv[f]) / scale;
            }
        }
        if (rank[k] == RMC_RANK_NONE) {
            continue;
        }
        double total = 0, best = 0;
        size_t best_f = RMC_N_FACTORS;
        for (size_t f = 0; f < RMC_N_FACTORS; f++) {
            total += (double)mv[f];
            if ((double)mv[f] > best) {
                best = (double)mv[f];
                best_f = f;
            }
        }
        if ((type == RMC_TYPE_US_IMG || type == RMC_TYPE_IMG) && total >= UP_SPOTS * scale &&
            best_f < RMC_N_FACTORS) {
            acc->reason[best_f]++;
            acc->n_img_up++;
        }
        const double svc = (double)mv[RMC_FACTOR_SERVICE] / scale;
        if (svc != 0) {
            acc->svc_hist[bin_of(svc, ADV_BIN, ADV_BINS)]++;
            acc->svc_in_band +=
                svc >= p->service_spots_min - 1e-3 && svc <= p->service_spots_max + 1e-3;
        }
        const double cmt = (double)mv[RMC_FACTOR_COMMITMENT];
        if (cmt < 0 && m->advocacy[k] != RMC_ADVOCACY_CHIEF &&
            rmc_tier_of(x, n, tiers) + 1 < rmc_tier_count(n, tiers)) {
            const double y = fmin((double)(n - 1), round((double)x - cmt - 0.5));
            acc->flight_hist[bin_of(
                (double)(rmc_tier_of((size_t)y, n, tiers) - rmc_tier_of(x, n, tiers)), TIER_BIN,
                TIER_BINS)]++;
        }
        const uint8_t level = m->advocacy[k];
        const double adv = (double)mv[RMC_FACTOR_ADVOCACY];
        acc->adv_hist[(size_t)level * ADV_BINS + bin_of(adv / scale, ADV_BIN, ADV_BINS)]++;
        const size_t x_tier = rmc_tier_of(x, n, tiers);
        if (level == RMC_ADVOCACY_CHIEF && x_tier >= up && up > 0) {
            /* the place the advocacy alone sends the name to: x - adv + 1/2 */
            const double y = fmax(0.0, round((double)x - adv + 0.5));
            const size_t y_tier = rmc_tier_of((size_t)y, n, tiers);
            acc->tier_hist[bin_of((double)(x_tier - y_tier), TIER_BIN, TIER_BINS)]++;
            acc->tier_change += (double)x_tier - (double)rmc_tier_of((size_t)rank[k], n, tiers);
            acc->n_chief++;
        }
    }
}

static void finish(const rmc_params *p, const calib_acc *acc, size_t n_img,
                   rmc_meeting_calibration *out)
{
    (void)p;
    for (size_t l = 0; l < RMC_N_ADVOCACY; l++) {
        out->advocacy_median[l] =
            hist_median(acc->adv_hist + l * ADV_BINS, ADV_BINS, ADV_BIN, &out->n_level[l]);
    }
    size_t n_chief = 0;
    out->chief_tiers_median = hist_median(acc->tier_hist, TIER_BINS, TIER_BIN, &n_chief);
    out->chief_tier_change_mean = n_chief ? acc->tier_change / (double)n_chief : (double)NAN;
    out->n_img = n_img;
    double sum = 0;
    for (size_t f = 0; f < RMC_N_FACTORS; f++) {
        out->img_up_mean[f] = n_img ? acc->img_up[f] / (double)n_img : (double)NAN;
    }
    for (size_t s = 0; s < 5; s++) {
        sum += acc->img_up[split_factors[s]];
    }
    for (size_t s = 0; s < 5; s++) {
        out->img_split[s] = sum > 0 ? acc->img_up[split_factors[s]] / sum : (double)NAN;
    }
    size_t five = 0;
    for (size_t s = 0; s < 5; s++) {
        five += acc->reason[split_factors[s]];
    }
    out->n_img_up = acc->n_img_up;
    for (size_t s = 0; s < 5; s++) {
        out->img_reason[s] =
            five > 0 ? (double)acc->reason[split_factors[s]] / (double)five : (double)NAN;
    }
    out->img_reason_other =
        acc->n_img_up > 0 ? (double)(acc->n_img_up - five) / (double)acc->n_img_up : (double)NAN;
    out->service_median = hist_median(acc->svc_hist, ADV_BINS, ADV_BIN, &out->n_service);
    out->service_in_band =
        out->n_service > 0 ? (double)acc->svc_in_band / (double)out->n_service : (double)NAN;
    out->flight_tiers_median = hist_median(acc->flight_hist, TIER_BINS, TIER_BIN, &out->n_flight);
}

rmc_status rmc_meeting_calibrate(const rmc_model *m, const rmc_params *p, size_t n, uint64_t seed,
                                 rmc_meeting_calibration *out, rmc_diag *d)
{
    memset(out, 0, sizeof *out);
    if (n == 0) {
        return RMC_FAIL(d, RMC_EUSAGE, "calibration needs at least one replicate");
    }
    p = p != NULL ? p : &m->params;
    rmc_meeting_ws *w = NULL;
    rmc_rng *r = NULL;
    double *day = NULL;
    int32_t *rank = NULL;
    float *moves = NULL;
    calib_acc acc = {0};
    size_t n_img = 0;
    rmc_status st;
    RMC_TRY_GOTO(st, rmc_meeting_ws_alloc(m, &w, d), done);
    RMC_TRY_GOTO(st, rmc_rng_alloc(NULL, &r, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&day, m->n_app, sizeof *day, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&rank, m->n_iv, sizeof *rank, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&moves, m->n_iv, RMC_N_FACTORS * sizeof *moves, d),
                 done);
    RMC_TRY_GOTO(st,
                 rmc_calloc_array((void **)&acc.adv_hist, RMC_N_ADVOCACY * ADV_BINS,
                                  sizeof *acc.adv_hist, d),
                 done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&acc.tier_hist, TIER_BINS, sizeof *acc.tier_hist, d),
                 done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&acc.svc_hist, ADV_BINS, sizeof *acc.svc_hist, d),
                 done);
    for (size_t rep = 0; rep < n; rep++) {
        rmc_meeting_draw_applicants(m, p, r, seed, rep, day);
        for (size_t j = 0; j < m->n_prog; j++) {
            if (m->has_prog_rol[j]) {
                continue;
            }
            rmc_meeting_run(m, p, j, day, r, seed, rep, w, rank, moves);
            tally_program(m, p, j, w, rank, moves, &acc, &n_img);
        }
    }
    out->replicates = n;
    out->n_programs = m->n_prog;
    out->n_interviews = m->n_iv;
    out->reference_list = p->meeting_reference_list;
    out->tiers = p->meeting_tiers;
    finish(p, &acc, n_img, out);
done:
    rmc_free(acc.svc_hist);
    rmc_free(acc.tier_hist);
    rmc_free(acc.adv_hist);
    rmc_free(moves);
    rmc_free(rank);
    rmc_free(day);
    rmc_rng_free(r);
    rmc_meeting_ws_free(w);
    return st;
}
