/* The /apply file layout (docs/output.md): rmc_apply_run's result as a table
 * file through rmc_h5_write_tables, with the provenance root attributes of
 * every rankmc output (model_sha256 and model_dir name market 0 with the
 * applicant in it and the --market argument).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "model_int.h"
#include "rankmc/apply.h"
#include "rankmc/h5io.h"

enum { NS = 6 }; /* columns of a statistic: p, se_mc, spread, se, lo, hi */

static void put_stat(double *row, const rmc_forecast_stat *s)
{
    const double v[NS] = {s->p, s->se_mc, s->spread, s->se, s->lo, s->hi};
    memcpy(row, v, sizeof v);
}

typedef struct bufs {
    double *c_offer, *c_admit, *c_desir, *s_gain, *s_p, *s_iv, *b_p, *b_diff, *w_list, *w_reopt;
    int32_t *c_pos, *s_cand, *w_overlap;
    const char **c_id, **c_name, **c_sp, **b_name, **seeds, **w_desc;
    char (*seed_text)[24];
} bufs;

static void bufs_free(bufs *b)
{
    void *all[] = {b->c_offer,      b->c_admit,        b->c_desir,   b->s_gain,
                   b->s_p,          b->s_iv,           b->b_p,       b->b_diff,
                   b->c_pos,        b->s_cand,         b->c_id,      (void *)b->c_name,
                   (void *)b->c_sp, (void *)b->b_name, b->seeds,     b->seed_text,
                   b->w_list,       b->w_reopt,        b->w_overlap, (void *)b->w_desc};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        rmc_free(all[i]);
    }
}

static rmc_status bufs_alloc(bufs *b, size_t K, size_t C, size_t M, size_t W, rmc_diag *d)
{
    const size_t w = W > 0 ? W : 1;
    RMC_TRY(rmc_alloc_array((void **)&b->w_list, w * 3, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->w_reopt, w * 3, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->w_overlap, w, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&b->w_desc, w, sizeof(char *), d));
    const size_t B = RMC_APPLY_N_BASELINES;
    RMC_TRY(rmc_alloc_array((void **)&b->c_offer, C * NS, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->c_admit, C * NS, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->c_desir, C, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->s_gain, M * 2, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->s_p, M * NS, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->s_iv, M, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->b_p, B * M * NS, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->b_diff, B * M * 2, sizeof(double), d));
    RMC_TRY(rmc_alloc_array((void **)&b->c_pos, C, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&b->s_cand, M, sizeof(int32_t), d));
    RMC_TRY(rmc_alloc_array((void **)&b->c_id, C, sizeof(char *), d));
    RMC_TRY(rmc_alloc_array((void **)&b->c_name, C, sizeof(char *), d));
    RMC_TRY(rmc_alloc_array((void **)&b->c_sp, C, sizeof(char *), d));
    RMC_TRY(rmc_alloc_array((void **)&b->b_name, B, sizeof(char *), d));
    RMC_TRY(rmc_alloc_array((void **)&b->seeds, K, sizeof(char *), d));
    return rmc_alloc_array((void **)&b->seed_text, K, sizeof *b->seed_text, d);
}

static void fill(bufs *b, const rmc_apply_result *r)
{
    for (size_t c = 0; c < r->n_candidates; c++) {
        const rmc_apply_candidate *x = &r->candidates[c];
        b->c_id[c] = x->id;
        b->c_name[c] = x->name;
        b->c_sp[c] = rmc_sponsors_name((rmc_sponsors)x->sponsors);
        b->c_pos[c] = x->positions;
        b->c_desir[c] = x->desirability;
        put_stat(b->c_offer + c * NS, &x->p_offer);
        put_stat(b->c_admit + c * NS, &x->p_alone);
    }
    for (size_t s = 0; s < r->n_steps; s++) {
        const rmc_apply_step *p = &r->steps[s];
        b->s_cand[s] = (int32_t)p->cand;
        b->s_gain[2 * s] = p->gain;
        b->s_gain[2 * s + 1] = p->gain_se;
        put_stat(b->s_p + s * NS, &p->p_match);
        b->s_iv[s] = p->interviews;
    }
    for (size_t i = 0; i < RMC_APPLY_N_BASELINES; i++) {
        const rmc_apply_baseline *bl = &r->baselines[i];
        b->b_name[i] = bl->name;
        for (size_t s = 0; s < r->n_steps; s++) {
            put_stat(b->b_p + (i * r->n_steps + s) * NS, &bl->p_match[s]);
            b->b_diff[(i * r->n_steps + s) * 2] = bl->diff[s];
            b->b_diff[(i * r->n_steps + s) * 2 + 1] = bl->diff_se[s];
        }
    }
    for (size_t w = 0; w < r->n_whatifs; w++) {
        const rmc_apply_whatif *x = &r->whatifs[w];
        b->w_desc[w] = x->desc;
        const double l[3] = {x->p_list, x->dp_list, x->dp_list_se};
        const double n[3] = {x->p_reopt, x->dp_reopt, x->dp_reopt_se};
        memcpy(b->w_list + 3 * w, l, sizeof l);
        memcpy(b->w_reopt + 3 * w, n, sizeof n);
        b->w_overlap[w] = (int32_t)x->overlap;
    }
    for (size_t k = 0; k < r->n_markets; k++) {
        snprintf(b->seed_text[k], sizeof b->seed_text[k], "%llu",
                 (unsigned long long)r->market_seeds[k]);
        b->seeds[k] = b->seed_text[k];
    }
}

rmc_status rmc_apply_write(const char *path, bool force, const rmc_apply_result *r,
                           const char *command_line, rmc_diag *d)
{
    const size_t K = r->n_markets, C = r->n_candidates, M = r->n_steps;
    const size_t B = RMC_APPLY_N_BASELINES;
    bufs b = {0};
    const size_t W = r->n_whatifs;
    rmc_status st = bufs_alloc(&b, K, C, M, W, d);
    if (st != RMC_OK) {
        bufs_free(&b);
        return st;
    }
    fill(&b, r);
    static const char *const cols[NS] = {"p", "se_mc", "spread", "se", "lo", "hi"};
    static const char *const dcols[2] = {"mean", "se"};
#define T(p, ty, rk, a, b_, c, data, doc)                                                          \
    {                                                                                              \
        "apply/" p, ty, rk, {a, b_, c}, data, doc                                                  \
    }
    const rmc_h5_table t[] = {
        T("stat_columns", RMC_H5_STR, 1, NS, 0, 0, cols, "columns of every statistic [6]"),
        T("diff_columns", RMC_H5_STR, 1, 2, 0, 0, dcols, "columns of a paired difference [2]"),
        T("candidate_id", RMC_H5_STR, 1, C, 0, 0, b.c_id, "market 0's program id [C]"),
        T("candidate_name", RMC_H5_STR, 1, C, 0, 0, b.c_name, "program name [C]"),
        T("candidate_sponsors", RMC_H5_STR, 1, C, 0, 0, b.c_sp, "visa sponsorship [C]"),
        T("candidate_positions", RMC_H5_I32, 1, C, 0, 0, b.c_pos, "positions [C]"),
        T("candidate_desirability", RMC_H5_F64, 1, C, 0, 0, b.c_desir,
          "desirability (z), the applicant's preference [C]"),
        T("p_offer", RMC_H5_F64, 2, C, NS, 0, b.c_offer, "P(interview offer | applied) [C,6]"),
        T("p_alone", RMC_H5_F64, 2, C, NS, 0, b.c_admit,
          "P(matched there if it were the only application) [C,6]"),
        T("order", RMC_H5_I32, 1, M, 0, 0, b.s_cand,
          "recommended order: candidate index added at k = 1..M [M]"),
        T("gain", RMC_H5_F64, 2, M, 2, 0, b.s_gain,
          "marginal gain in P(match) at k, paired SE [M,2]"),
        T("p_match", RMC_H5_F64, 2, M, NS, 0, b.s_p, "P(match) with the first k [M,6]"),
        T("interviews", RMC_H5_F64, 1, M, 0, 0, b.s_iv, "expected interviews attended [M]"),
        T("baseline", RMC_H5_STR, 1, B, 0, 0, b.b_name, "baselines [3]"),
        T("baseline_p_match", RMC_H5_F64, 3, B, M, NS, b.b_p,
          "P(match) of each baseline at k [3,M,6]"),
        T("baseline_diff", RMC_H5_F64, 3, B, M, 2, b.b_diff,
          "recommended - baseline at k, paired SE [3,M,2]"),
        T("market_seed", RMC_H5_STR, 1, K, 0, 0, b.seeds, "synth seed of each market [K]"),
        T("whatif", RMC_H5_STR, 1, W, 0, 0, b.w_desc,
          "what-ifs, largest effect chosen anew first [W]"),
        T("whatif_list", RMC_H5_F64, 2, W, 3, 0, b.w_list,
          "the recommended M with the change: P(match), change, paired SE [W,3]"),
        T("whatif_reopt", RMC_H5_F64, 2, W, 3, 0, b.w_reopt,
          "M chosen anew with the change: P(match), change, paired SE [W,3]"),
        T("whatif_overlap", RMC_H5_I32, 1, W, 0, 0, b.w_overlap,
          "programs the list chosen anew shares with the recommendation [W]"),
    };
#undef T
    const rmc_h5_attr attrs[] = {
        {"apply_market", RMC_H5_STR, 0, 0, r->market},
        {"apply_markets", RMC_H5_I32, 0, (int64_t)K, NULL},
        {"apply_pre_score", RMC_H5_F64, r->pre_score, 0, NULL},
        {"apply_group", RMC_H5_STR, 0, 0, r->group},
        {"apply_diminishing_k", RMC_H5_I32, 0, (int64_t)r->diminishing_k, NULL},
        {"apply_cost_per_application", RMC_H5_F64, r->cost_per_application, 0, NULL},
    };
    const rmc_h5_tables tf = {
        .model_dir = r->market,
        .model_sha256 = r->market_sha256,
        .seed = r->seed,
        .replicates = r->replicates,
        .threads = r->threads,
        .rng_name = r->rng_name,
        .command_line = command_line,
        .wall_seconds = r->wall_seconds,
        .tables = t,
        .n_tables = sizeof t / sizeof t[0] - (W == 0 ? 4 : 0),
        .attrs = attrs,
        .n_attrs = sizeof attrs / sizeof attrs[0],
    };
    st = rmc_h5_write_tables(path, force, &tf, d);
    bufs_free(&b);
    return st;
}
