/* Internals shared by meeting.c and rols.c: the per-thread workspace and
 * the packing of (float key, index) pairs into words for the
 * comparator-free list sort (sort_int.h). Not installed.
 *
 * A list entry is packed into one uint64_t: the float key mapped to a
 * monotonic unsigned 32-bit pattern in the high half, a 32-bit tie-breaker
 * (an index) in the low half. Unsigned order of the packed words is then the
 * order (key ascending, index ascending), and every word is distinct, so the
 * result does not depend on the sort's stability.
 */
#ifndef RANKMC_MEETING_INT_H
#define RANKMC_MEETING_INT_H

#include <string.h>

#include "model_int.h"
#include "rankmc/meeting.h"
#include "rng_int.h"
#include "sort_int.h"

/* An applicant's meeting inputs side by side (one cache line holds two),
 * so a meeting reads one line per name instead of one per column. */
typedef struct rmc_app_pack {
    double pre;     /* pre_score */
    double comm;    /* communication */
    double service; /* service_p_statement x the share of service_max_years practised (the
                     * service statement's probability before the program's service_load) */
    uint8_t type, us_exp, visa, profile;
    float p_gone; /* IMGs: P("communication concern is gone") */
} rmc_app_pack;

/* An interview's meeting inputs, in iv_by_prog order (a program's are
 * contiguous). */
typedef struct rmc_iv_pack {
    int32_t app; /* applicant index */
    uint8_t advocacy, ties, interest, loi;
} rmc_iv_pack;

/* Programs with up to this many residents draw their comment counts from a
 * per-meeting table. */
enum { RMC_MAX_TABLE_RESIDENTS = 64 };

/* Applicants whose ROL streams' first blocks rols.c makes at once. */
enum { RMC_ROL_HEAD_APPS = 64 };

struct rmc_meeting_ws {
    const rmc_model *m; /* the model this workspace was made for */
    rmc_app_pack *app;  /* [n_app] */
    rmc_iv_pack *iv;    /* [n_iv], iv_by_prog order */
    size_t cap_prog;    /* largest program's interview count (>= 1) */
    size_t cap_app;     /* largest applicant's interview count (>= 1) */
    uint64_t *keys;     /* [max(cap_prog, cap_app)] packed sort words */
    uint64_t *tmp;      /* [same] merge buffer */
    int32_t *order;     /* [cap_prog] initial position -> local index */
    float *awk;         /* [cap_prog] summed awkward shocks of a name's interviews */
    uint8_t *awk_n;     /* [cap_prog] how many of its interviews went awkwardly (<= 255) */
    uint64_t *far;      /* [cap_prog] final keys of names that moved far (meeting.c) */
    float *pi;          /* [cap_prog] discussion probability by initial position */
    uint32_t *heads;    /* [cap_prog][RMC_PHILOX_HEAD_WORDS] first words of each name's stream */
    /* rols.c: the first RMC_PHILOX_ROL_BLOCKS blocks of the preference
     * streams of applicants rol_lo .. rol_lo + rol_n - 1 in replicate
     * rol_rep of seed rol_seed (valid when rol_n > 0) */
    uint32_t *rol_heads; /* [RMC_ROL_HEAD_APPS][4 * RMC_PHILOX_ROL_BLOCKS] */
    size_t rol_lo, rol_n;
    uint64_t rol_seed, rol_rep;
    double comment_cdf[RMC_MAX_TABLE_RESIDENTS + 1]; /* P(comments <= i) of the current program */
    /* 1 / (comment_cdf[i] - comment_cdf[i - 1]) (cdf[-1] = 0), or 0 where
     * that is not a finite positive number */
    double comment_inv[RMC_MAX_TABLE_RESIDENTS + 1];
    double *race_w;               /* [n_prog] exp(-(desirability - mid) / sigma), see rols.c */
    double race_tie;              /* exp(-beta_ties / sigma) */
    double race_sigma, race_beta; /* the parameters race_w was made for */
    bool race_valid;              /* race_w matches race_sigma, race_beta */
    bool race_ok;                 /* the weights fit float's range (else prefs use logs) */
    /* the parameters app[].p_gone and app[].service were made for */
    double comm_slope, comm_threshold, service_p, service_years;
    bool app_valid; /* app[].p_gone and app[].service match them */
    double *eps;    /* [cap_prog] the names' interview noise (meeting.c, score_names) */
};

/* Resident feedback's comment split (meeting.c): the positive comments
 * among n (1 <= n <= RMC_MAX_TABLE_RESIDENTS) at likability like, from the
 * uniform u inside the comment count's cell [lo, hi) of the comment table
 * (inv: 1 / (hi - lo), or 0). rmc_comment_split_exact is the definition
 * (libm's exp and a division); rmc_comment_split is what the meetings use,
 * and returns the same for every input (rmc_exp_neg and a multiplication,
 * the definition where a comparison is too close to tell). For tests. */
RMC_INTERNAL unsigned rmc_comment_split(double u, double lo, double hi, double inv, double like,
                                        unsigned n);
RMC_INTERNAL unsigned rmc_comment_split_exact(double u, double lo, double hi, double like,
                                              unsigned n);

/* exp(-y) for 0 <= y <= RMC_EXP_NEG_MAX within a relative 2^-44 (tested;
 * the Taylor remainder is below 2^-48), without libm. For tests. */
#define RMC_EXP_NEG_MAX 700.0
RMC_INTERNAL double rmc_exp_neg(double y);

/* ---- a meeting's names across vector lanes (meeting_vec.c) -------------- */

/* 2^(-j/32), j = 0 .. 31, correctly rounded (exp(-y) of the comment split). */
RMC_INTERNAL extern const double rmc_exp2_neg32[32];

/* 1/k for k = 0 .. RMC_MAX_TABLE_RESIDENTS + 3 (index 0 unused): the
 * inversions' step ratios. */
RMC_INTERNAL extern const double rmc_inv_int[RMC_MAX_TABLE_RESIDENTS + 4];

/* The largest double below 1: recycled uniforms are clamped to it. */
#define RMC_BELOW_ONE 0x1.fffffffffffffp-1

/* How far every comparison of the comment split's inversion must be from a
 * tie for its result to be known from the approximations (meeting.c). */
#define RMC_SPLIT_MARGIN 0x1p-26

/* The most names one pass of the vector code decides (meeting_vec.c): 8
 * with AVX-512, 4 with AVX2 (rmc_lanes_ops.width). */
enum { RMC_LANES = 8 };

/* Words of a name's stream a lane may read: the discussion uniform, the
 * visa uniform, the comment uniform and the likability normal. */
enum { RMC_LANE_WORDS = 4 };

/* What the vector pass decided for a name. RMC_LANE_SKIP .. _DISCUSS are
 * decisions; from RMC_LANE_ZIG on the name is handed back to the scalar
 * code, which redoes it from its stream's start (the reason is kept for
 * tests). */
enum {
    RMC_LANE_SKIP,    /* ranked, not discussed: no moves */
    RMC_LANE_DROPPED, /* the visa filter left it off */
    RMC_LANE_DISCUSS, /* discussed: residents holds resident feedback's move */
    RMC_LANE_ZIG,     /* the likability normal took the ziggurat's slow branch */
    RMC_LANE_RANGE,   /* the split's fast path does not apply (|likability| > 700, no inverse) */
    RMC_LANE_SPLIT    /* a comparison of the split within RMC_SPLIT_MARGIN of a tie */
};

/* One meeting's constants for the vector pass. */
typedef struct rmc_lanes_ctx {
    double discuss_q;        /* meeting.discuss_prob */
    double h1b_drop;         /* visa.h1b_at_j1_only_drop */
    uint8_t sponsors;        /* the program's visa sponsorship */
    bool residents;          /* residents comment (n_res > 0, p_comment > 0; then cdf is set) */
    unsigned n_res;          /* residents who may comment (<= RMC_MAX_TABLE_RESIDENTS) */
    const double *cdf, *inv; /* the comment table and its cells' inverse widths */
    double like_base, like_comm, sigma_like; /* likability: base + comm (c - 1/2) + sigma N */
    double spots_pos, spots_neg;             /* spots of a positive / negative comment */
    const uint32_t *zig_k;                   /* the normal ziggurat (rmc_philox) */
    const double *zig_w;
} rmc_lanes_ctx;

/* A pass's names' inputs (width <= RMC_LANES of them): where to find
 * them (the pass loads them). */
typedef struct rmc_lanes_in {
    const int32_t *t;        /* [RMC_LANES] the names' local indices */
    const uint32_t *heads;   /* [.][RMC_PHILOX_HEAD_WORDS] heads by local index */
    const rmc_iv_pack *iv;   /* packed interviews by local index */
    const rmc_app_pack *app; /* every applicant's packed inputs */
    const float *pi;         /* [RMC_LANES] discussion probabilities (0 < discuss_prob < 1) */
} rmc_lanes_in;

/* What the pass gives per lane. */
typedef struct rmc_lanes_out {
    double residents[RMC_LANES]; /* RMC_LANE_DISCUSS: resident feedback's move, reference spots */
    uint8_t words[RMC_LANES];    /* words of the stream used (decided lanes) */
    uint8_t state[RMC_LANES];    /* RMC_LANE_* */
} rmc_lanes_out;

/* The vector code across `width` names (meeting_vec.c). first: a name's
 * first draws, whether it is discussed, the visa filter and resident
 * feedback's move, each lane exactly as the scalar code (meeting.c)
 * computes it from the same words, or handed back (state >=
 * RMC_LANE_ZIG). */
typedef struct rmc_lanes_ops {
    void (*first)(const rmc_lanes_ctx *c, const rmc_lanes_in *in, rmc_lanes_out *out);
    size_t width; /* names a pass: lanes [0, width) of in and out */
} rmc_lanes_ops;

/* The vector code by path: 1 AVX2 (4 names a pass; also on AVX-512
 * CPUs), 2 AVX-512F (8 names); NULL where the CPU lacks it (or path 0, the
 * scalar code). rmc_lanes_best: what the meetings use (AVX-512, else
 * AVX2), NULL where the CPU has no vector path. */
RMC_INTERNAL const rmc_lanes_ops *rmc_lanes_by(unsigned path);
RMC_INTERNAL const rmc_lanes_ops *rmc_lanes_best(void);

/* For tests: the pass over lanes [0, n) (n <= RMC_LANES) of a program with
 * n_res residents and sponsorship `sponsors` under p, by the scalar code
 * (path 0: each name from a generator at its head, heads[l x
 * RMC_PHILOX_HEAD_WORDS ..]) or by rmc_lanes_by(path). False when the path
 * does not apply (CPU, or no comment table). */
typedef struct rmc_lanes_case {
    const rmc_params *p;
    unsigned n_res;
    uint8_t sponsors;
    size_t n;
    const uint32_t *heads; /* [n][RMC_PHILOX_HEAD_WORDS] */
    const float *pi;       /* [n] */
    const double *comm;    /* [n] */
    const uint8_t *visa;   /* [n] */
} rmc_lanes_case;
RMC_INTERNAL bool rmc_meeting_lanes_by(unsigned path, const rmc_lanes_case *k, rmc_rng *r,
                                       rmc_lanes_out *out);

/* rmc_meeting_run with the names' first draws by lanes path `path` (0: the
 * scalar code only); false (nothing written) where rmc_lanes_by(path) is
 * NULL. For tests. */
RMC_INTERNAL bool rmc_meeting_run_by(unsigned path, const rmc_model *m, const rmc_params *p,
                                     size_t j, const double *day, rmc_rng *r, uint64_t seed,
                                     uint64_t replicate, rmc_meeting_ws *w, int32_t *rank,
                                     float *moves);

/* Where the engine's meetings add their moves (rmc_meeting_run_sums): the
 * thread's int32 sums in program order and the total's int64 sums in
 * interview order, which take a sum that would leave int32. */
typedef struct rmc_move_sums {
    int32_t *sum;   /* [n_iv][RMC_N_FACTORS]: row e is interview iv_by_prog[e] */
    int64_t *spill; /* [n_iv][RMC_N_FACTORS]: row k is interview k (the total's) */
} rmc_move_sums;

/* rmc_meeting_run for the engine: instead of writing float moves, each
 * ranked name's moves (the floats rmc_meeting_run would write) are added in
 * the move sums' fixed point into s->sum's row prog_off[j] + t (t: the
 * name's index among the program's interviews), with
 * rmc_accum_add_moves_i32's rounding and overflow rule (a sum that would
 * leave int32 goes whole, atomically, into s->spill's row of its interview
 * and restarts at 0). Names whose moves rmc_meeting_run would write as
 * zeros (undiscussed, left off by the visa filter, a fixed list) add
 * nothing; a risky name the meeting drops adds the moves it was given, as
 * rmc_meeting_run records them. Ranks as rmc_meeting_run. Not thread safe
 * on one s->sum; s->spill may be shared. */
RMC_INTERNAL void rmc_meeting_run_sums(const rmc_model *m, const rmc_params *p, size_t j,
                                       const double *day, rmc_rng *r, uint64_t seed,
                                       uint64_t replicate, rmc_meeting_ws *w, int32_t *rank,
                                       const rmc_move_sums *s);

/* Monotonic map of a float onto uint32_t: a < b (as floats, no NaN) iff
 * map(a) < map(b); -0 sorts just below +0. */
static inline uint32_t rmc_float_order(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

static inline uint64_t rmc_pack_key(float key, uint32_t index)
{
    return ((uint64_t)rmc_float_order(key) << 32) | index;
}

static inline uint32_t rmc_pack_index(uint64_t w)
{
    return (uint32_t)w;
}

/* Tiers of a list of n names (DESIGN 2.3): tiers' = min(tiers, n) tiers
 * with integer boundaries b_i = floor(i n / tiers'), i = 0 .. tiers'; tier i
 * holds positions b_i .. b_{i+1} - 1 (sizes differ by at most one). */
static inline size_t rmc_tier_count(size_t n, size_t tiers)
{
    return tiers < n ? tiers : (n > 0 ? n : 1);
}

static inline size_t rmc_tier_start(size_t i, size_t n, size_t tiers)
{
    const size_t nt = rmc_tier_count(n, tiers);
    return i * n / nt;
}

/* The tier of 0-based position x (x < n): the largest i with b_i <= x. */
static inline size_t rmc_tier_of(size_t x, size_t n, size_t tiers)
{
    const size_t nt = rmc_tier_count(n, tiers);
    return ((x + 1) * nt - 1) / n;
}

/* A couple partner's acceptable programs and utilities in one replicate,
 * for the engine's generated joint lists: the entries of the list
 * rmc_prefs_generate would give applicant i (the same stream, so the same
 * draws: interviews sorted by U = desirability + beta_ties ties + eta,
 * truncated to preferences.max_length) into iv[0 .. n), their U into
 * u[0 .. n), n returned; scratch holds i's interview count. A fixed ROL
 * is copied with U = minus its position. Allocates nothing. */
RMC_INTERNAL size_t rmc_prefs_utilities(const rmc_model *m, const rmc_params *p, size_t i,
                                        rmc_rng *r, uint64_t seed, uint64_t replicate,
                                        rmc_meeting_ws *w, rmc_id *iv, double *u, double *scratch);

/* The spreadsheet's visa filter, shared by the meeting and SOAP: true when a
 * name with visa need `visa` is left off a list of a program that sponsors
 * `sponsors`. Any visa need at a program that sponsors none is left off; H1B
 * at a J1-only program is left off with probability q
 * ([visa] h1b_at_j1_only_drop), one uniform from s drawn only when q > 0. */
static inline bool rmc_visa_refused(uint8_t visa, uint8_t sponsors, double q, rmc_philox *s)
{
    if (visa == RMC_VISA_NONE) {
        return false;
    }
    if (sponsors == RMC_SPONSORS_NONE) {
        return true;
    }
    return visa == RMC_VISA_H1B && sponsors == RMC_SPONSORS_J1 && q > 0 &&
           rmc_philox_uniform(s) < q;
}

#endif
