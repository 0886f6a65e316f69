/* HDF5 result files, the writer behind `rankmc run` (see rankmc/h5io.h;
 * docs/output.md lists every name), and the HDF5 writing helpers the other
 * h5io files share (h5io_int.h).
 *
 * The writer derives the reported statistics from the integer totals
 * (P(match) = 1 - unmatched / replicates, its binomial standard error and
 * Wilson interval, mean moves from the fixed-point sums), then writes one
 * dataset at a time: numeric ones chunked (about 256 KiB a chunk), shuffled
 * and deflated here (zlib's run-length strategy, about twice as fast as
 * HDF5's deflate at level 4 and smaller on these tables) and stored with
 * H5Dwrite_chunk; strings variable-length UTF-8. It writes PATH.tmp.PID and
 * renames it over PATH at the end, so PATH is either the old file or the
 * complete new one. Every HDF5 id is closed on every path; a negative HDF5
 * return becomes RMC_EHDF5 naming the call and the object.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "h5io_int.h"
#include "accum_int.h"
#include "model_int.h"
#include "rankmc/rankmc.h"

#define CHUNK_BYTES ((size_t)256 * 1024)
/* The level the files record; zlib's Z_RLE strategy, used for every chunk,
 * encodes the same whatever the level above 0. */
#define DEFLATE_LEVEL 1U

rmc_status rmc_h5_fail(rmc_diag *d, const char *call, const char *what)
{
    return RMC_FAIL(d, RMC_EHDF5, "HDF5 call %s failed for '%s'", call, what);
}

void rmc_h5_close(hid_t id, herr_t (*fn)(hid_t))
{
    if (id >= 0) {
        fn(id);
    }
}

/* ---- writing helpers (h5io_int.h) ------------------------------------- */

hid_t rmc_h5_vlen_utf8(void)
{
    const hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* The chunk shape of a numeric dataset of this shape: whole rows, as many
 * as fit in CHUNK_BYTES (at least one); a row longer than that is split. */
static void chunk_shape(int rank, const hsize_t *dims, size_t elem, hsize_t *chunk)
{
    chunk[0] = dims[0];
    chunk[1] = rank == 2 ? dims[1] : 1;
    const hsize_t target = (hsize_t)(CHUNK_BYTES / elem);
    if (chunk[1] > target) {
        chunk[1] = target;
    }
    const hsize_t rows = target / chunk[1] > 0 ? target / chunk[1] : 1;
    chunk[0] = chunk[0] < rows ? chunk[0] : rows;
}

/* Chunked, shuffled, deflated dataset creation properties for a numeric
 * dataset of this shape (none for an empty one). */
static hid_t numeric_dcpl(int rank, const hsize_t *dims, size_t elem)
{
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (dcpl < 0 || dims[0] == 0 || (rank == 2 && dims[1] == 0)) {
        return dcpl;
    }
    hsize_t chunk[2];
    chunk_shape(rank, dims, elem, chunk);
    if (H5Pset_chunk(dcpl, rank, chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
        H5Pset_deflate(dcpl, DEFLATE_LEVEL) < 0) {
        H5Pclose(dcpl);
        return -1;
    }
    return dcpl;
}

/* A compressing thread's scratch: a chunk gathered (zero-padded at the
 * edges) and shuffled, and its deflate stream. Aligned so that threads do
 * not share a cache line. */
typedef struct chunk_thread {
    _Alignas(64) unsigned char *raw;
    unsigned char *shuf;
    z_stream z;
    bool z_open;
} chunk_thread;

/* One chunk of a wave: its compressed bytes. */
typedef struct chunk_item {
    _Alignas(64) unsigned char *out;
    size_t len;
    bool ok;
} chunk_item;

/* Chunks are numbered row-major over the table's grid of chunks; a wave
 * compresses chunks first .. first + n - 1 in parallel (items[0 .. n)),
 * then writes them in order. */
typedef struct chunk_job {
    const unsigned char *data;
    hsize_t dims[2], chunk[2];
    size_t elem, bytes, out_cap;
    hsize_t across; /* chunks across a row of the table */
    size_t first;
    chunk_thread *th;
    chunk_item *items;
} chunk_job;

static void chunk_origin(const chunk_job *j, size_t q, hsize_t off[2])
{
    off[0] = (hsize_t)q / j->across * j->chunk[0];
    off[1] = (hsize_t)q % j->across * j->chunk[1];
}

/* The bytes of chunk (r0, c0) of the row-major dims[0] x dims[1] table
 * `data` (elem bytes an element): in place when the chunk is whole rows
 * inside the table, else gathered into raw (bytes long) with zeros beyond
 * the table's edges (HDF5's default fill value, which a reader's edge
 * chunk holds there). */
static const unsigned char *chunk_bytes(const unsigned char *data, const hsize_t *dims,
                                        const hsize_t *chunk, size_t elem, hsize_t r0, hsize_t c0,
                                        unsigned char *raw, size_t bytes)
{
    const size_t nr = (size_t)(dims[0] - r0 < chunk[0] ? dims[0] - r0 : chunk[0]);
    const size_t nc = (size_t)(dims[1] - c0 < chunk[1] ? dims[1] - c0 : chunk[1]);
    const size_t row_out = (size_t)chunk[1] * elem, row_in = (size_t)dims[1] * elem;
    if (nr == chunk[0] && chunk[1] == dims[1]) {
        return data + (size_t)r0 * row_in;
    }
    memset(raw, 0, bytes);
    for (size_t r = 0; r < nr; r++) {
        memcpy(raw + r * row_out, data + ((size_t)r0 + r) * row_in + (size_t)c0 * elem, nc * elem);
    }
    return raw;
}

#if defined(__SSE2__)
/* Elements 0 .. 16 m - 1 of the shuffle below, sixteen at a time (elem 4
 * or 8: elem vectors of 16 bytes): four rounds in which vector j is
 * interleaved byte by byte with vector j + elem / 2 (the low halves into
 * vector 2 j, the high ones into 2 j + 1) leave vector k holding byte k of
 * the sixteen elements in order. Returns 16 m, the elements done. */
static inline __attribute__((always_inline)) size_t
shuffle_by16(const unsigned char *in, unsigned char *out, size_t n, size_t elem)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v[8], t[8];
        for (size_t j = 0; j < elem; j++) {
            v[j] = _mm_loadu_si128((const __m128i *)(const void *)(in + i * elem + 16 * j));
        }
        for (int round = 0; round < 4; round++) {
            for (size_t j = 0; j < elem / 2; j++) {
                t[2 * j] = _mm_unpacklo_epi8(v[j], v[j + elem / 2]);
                t[2 * j + 1] = _mm_unpackhi_epi8(v[j], v[j + elem / 2]);
            }
            for (size_t j = 0; j < elem; j++) {
                v[j] = t[j];
            }
        }
        for (size_t k = 0; k < elem; k++) {
            _mm_storeu_si128((__m128i *)(void *)(out + k * n + i), v[k]);
        }
    }
    return i;
}
#endif

/* HDF5's shuffle filter: byte k of every element, for k = 0 .. elem - 1.
 * Inlined with a constant elem, the inner loop unrolls and the input is
 * read once, in order; elements of 4 and 8 bytes go sixteen at a time
 * through SSE2 (shuffle_by16), the rest one at a time. */
static inline void shuffle_elems(const unsigned char *in, unsigned char *out, size_t n, size_t elem)
{
    size_t i0 = 0;
#if defined(__SSE2__)
    if (elem == 4 || elem == 8) {
        i0 = shuffle_by16(in, out, n, elem);
    }
#endif
    for (size_t i = i0; i < n; i++) {
        for (size_t k = 0; k < elem; k++) {
            out[k * n + i] = in[i * elem + k];
        }
    }
}

static void shuffle_chunk(const unsigned char *in, unsigned char *out, size_t bytes, size_t elem)
{
    if (elem == 4) {
        shuffle_elems(in, out, bytes / 4, 4);
    } else if (elem == 8) {
        shuffle_elems(in, out, bytes / 8, 8);
    } else {
        shuffle_elems(in, out, bytes / elem, elem);
    }
}

/* rmc_par_for's body: chunk first + i of the wave, shuffled and deflated
 * into items[i] with the thread's scratch (zlib only: no HDF5 call). */
static void compress_chunk(void *ctx, size_t i, int thread)
{
    const chunk_job *j = ctx;
    chunk_thread *t = &j->th[thread];
    chunk_item *it = &j->items[i];
    hsize_t off[2];
    chunk_origin(j, j->first + i, off);
    const unsigned char *in =
        chunk_bytes(j->data, j->dims, j->chunk, j->elem, off[0], off[1], t->raw, j->bytes);
    if (j->elem > 1) {
        shuffle_chunk(in, t->shuf, j->bytes, j->elem);
        in = t->shuf;
    }
    t->z.next_in = (Bytef *)(uintptr_t)in;
    t->z.avail_in = (uInt)j->bytes;
    t->z.next_out = it->out;
    t->z.avail_out = (uInt)j->out_cap;
    it->ok = deflateReset(&t->z) == Z_OK && deflate(&t->z, Z_FINISH) == Z_STREAM_END;
    it->len = (size_t)t->z.total_out;
}

/* The scratch of nt threads and `wave` items for job j. */
static rmc_status chunk_scratch(chunk_job *j, int nt, size_t wave, const char *name, rmc_diag *d)
{
    RMC_TRY(rmc_alloc_aligned((void **)&j->th, (size_t)nt, sizeof *j->th, d));
    RMC_TRY(rmc_alloc_aligned((void **)&j->items, wave, sizeof *j->items, d));
    for (int t = 0; t < nt; t++) {
        chunk_thread *th = &j->th[t];
        RMC_TRY(rmc_alloc_array((void **)&th->raw, j->bytes, 1, d));
        RMC_TRY(rmc_alloc_array((void **)&th->shuf, j->bytes, 1, d));
        if (deflateInit2(&th->z, (int)DEFLATE_LEVEL, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK) {
            return rmc_h5_fail(d, "deflateInit2", name);
        }
        th->z_open = true;
    }
    j->out_cap = (size_t)deflateBound(&j->th[0].z, (uLong)j->bytes);
    for (size_t i = 0; i < wave; i++) {
        RMC_TRY(rmc_alloc_array((void **)&j->items[i].out, j->out_cap, 1, d));
    }
    return RMC_OK;
}

static void chunk_scratch_free(chunk_job *j, int nt, size_t wave)
{
    for (int t = 0; j->th != NULL && t < nt; t++) {
        if (j->th[t].z_open) {
            deflateEnd(&j->th[t].z);
        }
        rmc_free(j->th[t].shuf);
        rmc_free(j->th[t].raw);
    }
    for (size_t i = 0; j->items != NULL && i < wave; i++) {
        rmc_free(j->items[i].out);
    }
    rmc_free(j->items);
    rmc_free(j->th);
}

/* Write every chunk of dset, filtered here as its pipeline (shuffle, then
 * deflate) would and stored with H5Dwrite_chunk: a zlib stream (RFC 1950)
 * made with zlib's run-length strategy Z_RLE, which any deflate decoder
 * reads (docs/output.md has the measurements). Up to `threads` threads
 * compress a wave of two chunks a thread at a time (rmc_par_for), then the
 * wave is written in chunk order: the file's bytes do not depend on the
 * thread count. */
static rmc_status write_chunks(hid_t dset, const char *name, int rank, const hsize_t *dims_in,
                               size_t elem, const void *data, int threads, rmc_diag *d)
{
    chunk_job j = {.data = data, .dims = {dims_in[0], rank == 2 ? dims_in[1] : 1}, .elem = elem};
    chunk_shape(rank, j.dims, elem, j.chunk);
    j.bytes = (size_t)(j.chunk[0] * j.chunk[1]) * elem;
    j.across = (j.dims[1] + j.chunk[1] - 1) / j.chunk[1];
    const size_t n = (size_t)((j.dims[0] + j.chunk[0] - 1) / j.chunk[0] * j.across);
    const int nt = threads < 1 ? 1 : (size_t)threads > n ? (int)n : threads;
    const size_t wave = (size_t)nt * 2 < n ? (size_t)nt * 2 : n;
    rmc_status st = chunk_scratch(&j, nt, wave, name, d);
    for (j.first = 0; st == RMC_OK && j.first < n; j.first += wave) {
        const size_t m = n - j.first < wave ? n - j.first : wave;
        rmc_par_for(m, nt, compress_chunk, &j);
        for (size_t i = 0; i < m; i++) {
            if (!j.items[i].ok) {
                st = rmc_h5_fail(d, "deflate", name);
                break;
            }
            hsize_t off[2];
            chunk_origin(&j, j.first + i, off);
            H5_CHECK(st, H5Dwrite_chunk(dset, H5P_DEFAULT, 0, off, j.items[i].len, j.items[i].out),
                     "H5Dwrite_chunk", name, done);
        }
    }
done:
    chunk_scratch_free(&j, nt, wave);
    return st;
}

rmc_status rmc_h5_write_numeric(hid_t grp, const char *name, hid_t mtype, hid_t ftype, int rank,
                                const hsize_t *dims, const void *data, rmc_diag *d)
{
    return rmc_h5_write_numeric_par(grp, name, mtype, ftype, rank, dims, data, 1, d);
}

rmc_status rmc_h5_write_numeric_par(hid_t grp, const char *name, hid_t mtype, hid_t ftype, int rank,
                                    const hsize_t *dims, const void *data, int threads, rmc_diag *d)
{
    rmc_status st = RMC_OK;
    hid_t space = -1, dcpl = -1, dset = -1;
    const size_t elem = H5Tget_size(mtype);
    const bool empty = dims[0] == 0 || (rank == 2 && dims[1] == 0);
    H5_CHECK(st, space = H5Screate_simple(rank, dims, NULL), "H5Screate_simple", name, done);
    H5_CHECK(st, dcpl = numeric_dcpl(rank, dims, elem), "H5Pset_chunk", name, done);
    H5_CHECK(st, dset = H5Dcreate2(grp, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
             "H5Dcreate2", name, done);
    const htri_t same = H5Tequal(mtype, ftype);
    H5_CHECK(st, same, "H5Tequal", name, done);
    if (!empty && same > 0) { /* the bytes in memory are the bytes in the file */
        st = write_chunks(dset, name, rank, dims, elem, data, threads, d);
    } else { /* an empty dataset, or a conversion HDF5 does (a big-endian host) */
        H5_CHECK(st, H5Dwrite(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite", name,
                 done);
    }
done:
    rmc_h5_close(dset, H5Dclose);
    rmc_h5_close(dcpl, H5Pclose);
    rmc_h5_close(space, H5Sclose);
    return st;
}

rmc_status rmc_h5_write_strings(hid_t grp, const char *name, const char *const *s, size_t n,
                                rmc_diag *d)
{
    rmc_status st = RMC_OK;
    hid_t type = -1, space = -1, dset = -1;
    const hsize_t dims[1] = {n};
    H5_CHECK(st, type = rmc_h5_vlen_utf8(), "H5Tset_size", name, done);
    H5_CHECK(st, space = H5Screate_simple(1, dims, NULL), "H5Screate_simple", name, done);
    H5_CHECK(st, dset = H5Dcreate2(grp, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
             "H5Dcreate2", name, done);
    if (n > 0) {
        H5_CHECK(st, H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, s), "H5Dwrite", name,
                 done);
    }
done:
    rmc_h5_close(dset, H5Dclose);
    rmc_h5_close(space, H5Sclose);
    rmc_h5_close(type, H5Tclose);
    return st;
}

/* An attribute of n elements (n == 0: scalar) of native type mtype. */
rmc_status rmc_h5_write_attr(hid_t loc, const char *name, hid_t mtype, size_t n, const void *v,
                             rmc_diag *d)
{
    rmc_status st = RMC_OK;
    hid_t space = -1, attr = -1;
    const hsize_t dims[1] = {n};
    H5_CHECK(st, space = n == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, NULL),
             "H5Screate", name, done);
    H5_CHECK(st, attr = H5Acreate2(loc, name, mtype, space, H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2",
             name, done);
    H5_CHECK(st, H5Awrite(attr, mtype, v), "H5Awrite", name, done);
done:
    rmc_h5_close(attr, H5Aclose);
    rmc_h5_close(space, H5Sclose);
    return st;
}

rmc_status rmc_h5_attr_str(hid_t loc, const char *name, const char *value, rmc_diag *d)
{
    const hid_t type = rmc_h5_vlen_utf8();
    if (type < 0) {
        return rmc_h5_fail(d, "H5Tset_size", name);
    }
    const char *v = value != NULL ? value : "";
    const rmc_status st = rmc_h5_write_attr(loc, name, type, 0, &v, d);
    H5Tclose(type);
    return st;
}

rmc_status rmc_h5_attr_u64(hid_t loc, const char *name, uint64_t v, rmc_diag *d)
{
    return rmc_h5_write_attr(loc, name, H5T_NATIVE_UINT64, 0, &v, d);
}

rmc_status rmc_h5_attr_i64(hid_t loc, const char *name, int64_t v, rmc_diag *d)
{
    return rmc_h5_write_attr(loc, name, H5T_NATIVE_INT64, 0, &v, d);
}

void rmc_h5_utc_now(char *buf, size_t size)
{
    const time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(buf, size, "unknown");
    }
}

size_t rmc_h5_temp_path(const char *path, char *buf, size_t size)
{
    const int len = snprintf(buf, size, "%s.tmp.%ld", path, (long)getpid());
    return len < 0 ? 0 : (size_t)len;
}

rmc_status rmc_h5_write_atomically(const char *path, bool force, rmc_h5_filler fill,
                                   const void *ctx, rmc_diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    struct stat sb;
    if (!force && stat(path, &sb) == 0) {
        return RMC_FAIL(d, RMC_EEXIST, "%s exists; use --force to replace it", path);
    }
    char tmp[4096];
    const size_t len = rmc_h5_temp_path(path, tmp, sizeof tmp);
    if (len == 0 || len >= sizeof tmp) {
        return RMC_FAIL(d, RMC_EUSAGE, "output path too long: %s", path);
    }
    const hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        return RMC_FAIL(d, RMC_EIO, "cannot create %s (HDF5 call H5Fcreate failed)", tmp);
    }
    rmc_status st = fill(f, ctx, d);
    if (H5Fclose(f) < 0 && st == RMC_OK) {
        st = rmc_h5_fail(d, "H5Fclose", tmp);
    }
    if (st == RMC_OK && rename(tmp, path) != 0) {
        st = RMC_FAIL(d, RMC_EIO, "cannot rename %s to %s", tmp, path);
    }
    if (st != RMC_OK) {
        unlink(tmp);
    }
    return st;
}

/* ---- the result file -------------------------------------------------- */

/* Root attributes NAME and NAME_se for rows first .. first + n - 1 of the
 * per-replicate sums: the mean over reps replicates and its standard error
 * (SD over replicates / sqrt(replicates)), from exact integer sums, each
 * divided by per (0 when per is 0: a share of nothing). */
static rmc_status write_rep_attrs(hid_t f, const rmc_accum *a, size_t first, size_t n,
                                  const char *const *names, uint64_t reps, double per, rmc_diag *d)
{
    uint64_t sum[RMC_ACCUM_REP_ROWS], sumsq[RMC_ACCUM_REP_ROWS];
    rmc_accum_rep_sums(a, first, n, sum, sumsq);
    for (size_t t = 0; t < n; t++) {
        double mean = 0.0, se = 0.0;
        if (per > 0.0) {
            rmc_sums_mean_se(sum[t], sumsq[t], reps, &mean, &se);
            mean /= per;
            se /= per;
        }
        char name[64];
        RMC_TRY(rmc_h5_write_attr(f, names[t], H5T_NATIVE_DOUBLE, 0, &mean, d));
        snprintf(name, sizeof name, "%s_se", names[t]);
        RMC_TRY(rmc_h5_write_attr(f, name, H5T_NATIVE_DOUBLE, 0, &se, d));
    }
    return RMC_OK;
}

/* SOAP's per-replicate totals over the replicates that ran it. */
static rmc_status write_soap_attrs(hid_t f, const rmc_accum *a, rmc_diag *d)
{
    static const char *const names[RMC_ACCUM_SOAP_TOTALS] = {
        "soap_eligible", "soap_places", "soap_placed", "positions_filled_match",
        "positions_filled_soap"};
    const uint64_t n = rmc_accum_soap_replicates(a);
    RMC_TRY(rmc_h5_attr_u64(f, "soap_replicates", n, d));
    if (n == 0) {
        return RMC_OK;
    }
    return write_rep_attrs(f, a, RMC_REP_SOAP, RMC_ACCUM_SOAP_TOTALS, names, n, 1.0, d);
}

static rmc_status write_root_attrs(hid_t f, const rmc_model *m, const rmc_accum *a,
                                   const rmc_h5_run_info *info, rmc_diag *d)
{
    char created[32];
    rmc_h5_utc_now(created, sizeof created);
    const double wall = info->wall_seconds;
    RMC_TRY(rmc_h5_attr_str(f, "rankmc_version", rmc_version(), d));
    RMC_TRY(rmc_h5_attr_u64(f, "seed", info->seed, d));
    RMC_TRY(rmc_h5_attr_u64(f, "replicates", rmc_accum_replicates(a), d));
    RMC_TRY(rmc_h5_attr_u64(f, "replicates_requested", info->replicates_requested, d));
    RMC_TRY(rmc_h5_attr_i64(f, "threads", info->threads, d));
    RMC_TRY(rmc_h5_attr_i64(f, "ranks", info->ranks > 1 ? info->ranks : 1, d));
    RMC_TRY(rmc_h5_attr_str(f, "model_sha256", m->sha256, d));
    RMC_TRY(rmc_h5_attr_str(f, "model_dir", m->dir, d));
    RMC_TRY(rmc_h5_attr_str(f, "command_line", info->command_line, d));
    RMC_TRY(rmc_h5_attr_str(f, "created_utc", created, d));
    RMC_TRY(rmc_h5_write_attr(f, "wall_seconds", H5T_NATIVE_DOUBLE, 0, &wall, d));
    RMC_TRY(rmc_h5_attr_str(f, "rng", info->rng_name, d));
    RMC_TRY(rmc_h5_attr_str(f, "proposing", info->proposing, d));
    RMC_TRY(rmc_h5_attr_i64(f, "check_stability", info->check_stability ? 1 : 0, d));
    RMC_TRY(rmc_h5_attr_i64(f, "interrupted", info->interrupted ? 1 : 0, d));
    RMC_TRY(rmc_h5_write_attr(f, "until_se", H5T_NATIVE_DOUBLE, 0, &info->until_se, d));
    RMC_TRY(rmc_h5_attr_i64(f, "se_reached", info->se_reached ? 1 : 0, d));
    RMC_TRY(rmc_h5_attr_u64(f, "unconverged_replicates", rmc_accum_unconverged(a), d));
    RMC_TRY(rmc_h5_attr_u64(f, "unstable_replicates", rmc_accum_unstable(a), d));
    if (info->check_stability && rmc_accum_unconverged(a) > 0) {
        /* the non-converged replicates' matchings, checked: what blocks them */
        static const char *const blocking[2] = {"unconverged_blocking_applicants",
                                                "unconverged_blocking_couples"};
        RMC_TRY(write_rep_attrs(f, a, RMC_REP_BLOCK_APPLICANTS, 2, blocking,
                                rmc_accum_unconverged(a), 1.0, d));
    }
    const uint64_t *rh = rmc_accum_restart_hist(a);
    uint64_t restarted = 0;
    for (size_t k = 0; k < 2 * RMC_ACCUM_RESTART_BINS; k++) {
        restarted += k % RMC_ACCUM_RESTART_BINS > 0 ? rh[k] : 0;
    }
    RMC_TRY(rmc_h5_attr_u64(f, "restarted_replicates", restarted, d));
    /* Couples: the per-replicate shares with both / exactly one partner
     * matched, means and their standard errors over replicates. */
    static const char *const couple_names[2] = {"couples_both_matched", "couples_one_unmatched"};
    static const char *const place_names[2] = {"couples_same_city", "couples_same_region"};
    const uint64_t reps = rmc_accum_replicates(a);
    const double nc = (double)m->n_couples;
    RMC_TRY(rmc_h5_attr_u64(f, "couples", m->n_couples, d));
    RMC_TRY(write_rep_attrs(f, a, RMC_REP_COUPLE_BOTH, 2, couple_names, reps, nc, d));
    if (m->n_couples > 0) { /* files without couples keep their attributes */
        RMC_TRY(rmc_h5_attr_u64(f, "couples_generated", m->n_couples_gen, d));
    }
    if (m->n_couples > 0 && m->prog_region != NULL &&
        rmc_accum_get_dims(a)->n_couples == m->n_couples) {
        /* with locations: both in one city / one region, the same way */
        RMC_TRY(write_rep_attrs(f, a, RMC_REP_COUPLE_CITY, 2, place_names, reps, nc, d));
    }
    RMC_TRY(
        rmc_h5_write_attr(f, "restart_hist", H5T_NATIVE_UINT64, 2 * RMC_ACCUM_RESTART_BINS, rh, d));
    return write_soap_attrs(f, a, d);
}

/* Scratch for the derived statistics, allocated once per write. */
typedef struct derived {
    const char **names; /* [max(n_app, n_prog)] borrowed strings */
    double *vec;        /* [max(n_app, n_prog, n_iv)] */
    double *mat;        /* [max(2 n_app, n_iv n_factors)] */
} derived;

/* /applicants/type_groups (each type's name, then "all") and
 * /applicants/type_matched_sums: per row, the sum over replicates of the
 * number matched and of its square. */
static rmc_status write_type_sums(hid_t g, const rmc_accum *a, rmc_diag *d)
{
    const char *names[RMC_ACCUM_TYPE_GROUPS];
    for (size_t t = 0; t < RMC_N_TYPES; t++) {
        names[t] = rmc_type_name((rmc_type)t);
    }
    names[RMC_N_TYPES] = "all";
    uint64_t sum[RMC_ACCUM_TYPE_GROUPS], sumsq[RMC_ACCUM_TYPE_GROUPS];
    rmc_accum_rep_sums(a, RMC_REP_TYPE, RMC_ACCUM_TYPE_GROUPS, sum, sumsq);
    uint64_t rows[RMC_ACCUM_TYPE_GROUPS][2];
    for (size_t t = 0; t < RMC_ACCUM_TYPE_GROUPS; t++) {
        rows[t][0] = sum[t];
        rows[t][1] = sumsq[t];
    }
    const hsize_t dims[2] = {RMC_ACCUM_TYPE_GROUPS, 2};
    RMC_TRY(rmc_h5_write_strings(g, "type_groups", names, RMC_ACCUM_TYPE_GROUPS, d));
    return rmc_h5_write_numeric(g, "type_matched_sums", H5T_NATIVE_UINT64, H5T_STD_U64LE, 2, dims,
                                rows, d);
}

/* Models with tracks: /applicants/partial_count (replicates in which the
 * applicant held an advanced program and no PGY-1) and P(partially
 * matched) with its SE and Wilson interval, like p_match. */
static rmc_status write_partial(hid_t g, const rmc_accum *a, derived *x, rmc_diag *d)
{
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    const uint64_t n = rmc_accum_replicates(a);
    const uint32_t *pc = rmc_accum_partial_count(a);
    const hsize_t d1[1] = {dm->n_app}, d2[2] = {dm->n_app, 2}, d3[1] = {2};
    RMC_TRY(
        rmc_h5_write_numeric(g, "partial_count", H5T_NATIVE_UINT32, H5T_STD_U32LE, 1, d1, pc, d));
    uint64_t ps[2];
    rmc_accum_rep_sums(a, RMC_REP_PARTIAL, 1, &ps[0], &ps[1]);
    RMC_TRY(
        rmc_h5_write_numeric(g, "partial_sums", H5T_NATIVE_UINT64, H5T_STD_U64LE, 1, d3, ps, d));
    if (rmc_accum_soap_replicates(a) > 0) {
        return RMC_OK; /* SOAP writes p_partial from the same counts */
    }
    for (size_t i = 0; i < dm->n_app; i++) {
        x->vec[i] = n > 0 ? (double)pc[i] / (double)n : 0.0;
        rmc_wilson95(pc[i], n, &x->mat[2 * i], &x->mat[2 * i + 1]);
    }
    RMC_TRY(
        rmc_h5_write_numeric(g, "p_partial", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, x->vec, d));
    RMC_TRY(rmc_h5_write_numeric(g, "p_partial_ci95", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, d2,
                                 x->mat, d));
    for (size_t i = 0; i < dm->n_app; i++) {
        x->vec[i] = rmc_binomial_se(x->vec[i], n);
    }
    return rmc_h5_write_numeric(g, "p_partial_se", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, x->vec,
                                d);
}

/* Models with tracks: /programs/track, the capacities after reversions
 * (capacity_sum over replicates and its mean) and /programs/reverted_sums
 * (sum and sum of squares over replicates of the positions reverted). */
static rmc_status write_program_tracks(hid_t g, const rmc_model *m, const rmc_accum *a, derived *x,
                                       rmc_diag *d)
{
    const uint64_t n = rmc_accum_replicates(a);
    const hsize_t d1[1] = {m->n_prog}, d2[1] = {2};
    for (size_t j = 0; j < m->n_prog; j++) {
        x->names[j] = rmc_track_name((rmc_track)rmc_model_track_of(m, j));
    }
    RMC_TRY(rmc_h5_write_strings(g, "track", x->names, m->n_prog, d));
    const uint64_t *cs = rmc_accum_capacity_sum(a);
    RMC_TRY(
        rmc_h5_write_numeric(g, "capacity_sum", H5T_NATIVE_UINT64, H5T_STD_U64LE, 1, d1, cs, d));
    for (size_t j = 0; j < m->n_prog; j++) {
        x->vec[j] = n > 0 ? (double)cs[j] / (double)n : 0.0;
    }
    RMC_TRY(rmc_h5_write_numeric(g, "mean_capacity", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1,
                                 x->vec, d));
    uint64_t rv[2];
    rmc_accum_rep_sums(a, RMC_REP_REVERTED, 1, &rv[0], &rv[1]);
    return rmc_h5_write_numeric(g, "reverted_sums", H5T_NATIVE_UINT64, H5T_STD_U64LE, 1, d2, rv, d);
}

/* NAME, NAME_se and NAME_ci95 of a per-applicant probability whose
 * replicate counts are the sum of the SOAP histogram's columns in mask. */
static rmc_status write_soap_p(hid_t g, const char *name, unsigned mask, const rmc_accum *a,
                               derived *x, rmc_diag *d)
{
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    const uint64_t n = rmc_accum_soap_replicates(a);
    const uint32_t *h = rmc_accum_soap_hist(a);
    const hsize_t d1[1] = {dm->n_app}, d2[2] = {dm->n_app, 2};
    for (size_t i = 0; i < dm->n_app; i++) {
        uint64_t k = 0;
        for (size_t c = 0; c < RMC_ACCUM_SOAP_COLS; c++) {
            k += (mask >> c & 1U) ? h[i * RMC_ACCUM_SOAP_COLS + c] : 0;
        }
        x->vec[i] = (double)k / (double)n;
        rmc_wilson95(k, n, &x->mat[2 * i], &x->mat[2 * i + 1]);
    }
    char buf[64];
    RMC_TRY(rmc_h5_write_numeric(g, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, x->vec, d));
    snprintf(buf, sizeof buf, "%s_ci95", name);
    RMC_TRY(rmc_h5_write_numeric(g, buf, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, d2, x->mat, d));
    for (size_t i = 0; i < dm->n_app; i++) {
        x->vec[i] = rmc_binomial_se(x->vec[i], n);
    }
    snprintf(buf, sizeof buf, "%s_se", name);
    return rmc_h5_write_numeric(g, buf, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, x->vec, d);
}

/* /applicants/soap_hist, its column names and the SOAP probabilities
 * (only when the run had SOAP). */
static rmc_status write_soap_applicants(hid_t g, const rmc_accum *a, derived *x, rmc_diag *d)
{
    if (rmc_accum_soap_replicates(a) == 0) {
        return RMC_OK;
    }
    static const char *const cols[RMC_ACCUM_SOAP_COLS] = {"main", "soap", "partial_soap", "partial",
                                                          "unplaced"};
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    const hsize_t dh[2] = {dm->n_app, RMC_ACCUM_SOAP_COLS};
    RMC_TRY(rmc_h5_write_numeric(g, "soap_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, 2, dh,
                                 rmc_accum_soap_hist(a), d));
    RMC_TRY(rmc_h5_write_strings(g, "soap_columns", cols, RMC_ACCUM_SOAP_COLS, d));
    RMC_TRY(write_soap_p(g, "p_main", 1U << RMC_SOAP_COL_MAIN, a, x, d));
    RMC_TRY(write_soap_p(g, "p_soap", 1U << RMC_SOAP_COL_PLACED | 1U << RMC_SOAP_COL_PARTIAL_PLACED,
                         a, x, d));
    RMC_TRY(write_soap_p(g, "p_partial",
                         1U << RMC_SOAP_COL_PARTIAL | 1U << RMC_SOAP_COL_PARTIAL_PLACED, a, x, d));
    RMC_TRY(write_soap_p(g, "p_placed_after_soap",
                         1U << RMC_SOAP_COL_MAIN | 1U << RMC_SOAP_COL_PLACED |
                             1U << RMC_SOAP_COL_PARTIAL_PLACED,
                         a, x, d));
    return write_soap_p(g, "p_unplaced", 1U << RMC_SOAP_COL_UNPLACED, a, x, d);
}

static rmc_status write_applicants(hid_t g, const rmc_model *m, const rmc_accum *a, derived *x,
                                   rmc_diag *d)
{
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    const uint64_t n = rmc_accum_replicates(a);
    const uint32_t *ch = rmc_accum_choice_hist(a);
    const hsize_t d1[1] = {dm->n_app}, d2[2] = {dm->n_app, 2},
                  dh[2] = {dm->n_app, dm->choice_len + 1};
    RMC_TRY(rmc_h5_write_strings(g, "id", (const char *const *)m->app_id, m->n_app, d));
    for (size_t i = 0; i < m->n_app; i++) {
        x->names[i] = rmc_type_name((rmc_type)m->app_type[i]);
    }
    RMC_TRY(rmc_h5_write_strings(g, "type", x->names, m->n_app, d));
    for (size_t i = 0; i < m->n_app; i++) {
        const uint64_t matched = n - ch[i * (dm->choice_len + 1) + dm->choice_len];
        x->vec[i] = n > 0 ? (double)matched / (double)n : 0.0;
        rmc_wilson95(matched, n, &x->mat[2 * i], &x->mat[2 * i + 1]);
    }
    RMC_TRY(
        rmc_h5_write_numeric(g, "p_match", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, x->vec, d));
    RMC_TRY(rmc_h5_write_numeric(g, "p_match_ci95", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, d2,
                                 x->mat, d));
    for (size_t i = 0; i < m->n_app; i++) {
        const double p = x->vec[i];
        x->vec[i] = rmc_binomial_se(p, n);
    }
    RMC_TRY(
        rmc_h5_write_numeric(g, "p_match_se", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, x->vec, d));
    RMC_TRY(write_type_sums(g, a, d));
    if (dm->tracks) {
        RMC_TRY(write_partial(g, a, x, d));
    }
    RMC_TRY(write_soap_applicants(g, a, x, d));
    return rmc_h5_write_numeric(g, "choice_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, 2, dh, ch, d);
}

/* bin_edges[c]: the first 1-based list position of bin c; the last entry is
 * one past the longest list (max_list + 1). */
static rmc_status write_bin_edges(hid_t loc, const rmc_accum_dims *dm, rmc_diag *d)
{
    uint64_t *edges = NULL;
    RMC_TRY(rmc_alloc_array((void **)&edges, dm->rank_bins + 1, sizeof *edges, d));
    for (size_t c = 0; c < dm->rank_bins; c++) {
        edges[c] = (uint64_t)(c * dm->rank_bin_width + 1);
    }
    edges[dm->rank_bins] = (uint64_t)dm->max_list + 1;
    const rmc_status st =
        rmc_h5_write_attr(loc, "bin_edges", H5T_NATIVE_UINT64, dm->rank_bins + 1, edges, d);
    rmc_free(edges);
    return st;
}

static rmc_status write_bin_attrs(hid_t loc, const rmc_accum_dims *dm, rmc_diag *d)
{
    RMC_TRY(write_bin_edges(loc, dm, d));
    RMC_TRY(rmc_h5_attr_u64(loc, "bin_width", dm->rank_bin_width, d));
    RMC_TRY(rmc_h5_attr_u64(loc, "max_list_length", dm->max_list, d));
    RMC_TRY(rmc_h5_attr_str(loc, "columns",
                            "column c < bins: list positions c*bin_width+1 .. (c+1)*bin_width "
                            "(1-based); last column: none",
                            d));
    return RMC_OK;
}

static rmc_status write_dataset_attrs(hid_t g, const char *dset, const rmc_accum_dims *dm,
                                      rmc_diag *d)
{
    const hid_t id = H5Dopen2(g, dset, H5P_DEFAULT);
    if (id < 0) {
        return rmc_h5_fail(d, "H5Dopen2", dset);
    }
    const rmc_status st = write_bin_attrs(id, dm, d);
    H5Dclose(id);
    return st;
}

static rmc_status write_programs(hid_t g, const rmc_model *m, const rmc_accum *a, derived *x,
                                 rmc_diag *d)
{
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    const uint64_t n = rmc_accum_replicates(a);
    const uint32_t *fh = rmc_accum_fill_hist(a);
    const size_t fc = dm->max_positions + 1;
    const hsize_t d1[1] = {dm->n_prog}, df[2] = {dm->n_prog, fc},
                  dd[2] = {dm->n_prog, dm->rank_bins + 1};
    RMC_TRY(rmc_h5_write_strings(g, "id", (const char *const *)m->prog_id, m->n_prog, d));
    RMC_TRY(rmc_h5_write_strings(g, "name", (const char *const *)m->prog_name, m->n_prog, d));
    RMC_TRY(rmc_h5_write_numeric(g, "positions", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, d1,
                                 m->positions, d));
    RMC_TRY(rmc_h5_write_numeric(g, "fill_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, 2, df, fh, d));
    for (size_t j = 0; j < m->n_prog; j++) {
        uint64_t seats = 0;
        for (size_t f = 1; f < fc; f++) {
            seats += (uint64_t)f * fh[j * fc + f];
        }
        x->vec[j] = n > 0 ? (double)seats / (double)n : 0.0;
    }
    RMC_TRY(
        rmc_h5_write_numeric(g, "mean_fill", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, x->vec, d));
    RMC_TRY(rmc_h5_write_numeric(g, "depth_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, 2, dd,
                                 rmc_accum_depth_hist(a), d));
    if (dm->tracks) {
        RMC_TRY(write_program_tracks(g, m, a, x, d));
    }
    RMC_TRY(write_dataset_attrs(g, "depth_hist", dm, d));
    const uint64_t ns = rmc_accum_soap_replicates(a);
    if (ns == 0) {
        return RMC_OK;
    }
    const uint32_t *sh = rmc_accum_soap_fill_hist(a);
    RMC_TRY(
        rmc_h5_write_numeric(g, "soap_fill_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, 2, df, sh, d));
    for (size_t j = 0; j < m->n_prog; j++) {
        uint64_t seats = 0;
        for (size_t f = 1; f < fc; f++) {
            seats += (uint64_t)f * sh[j * fc + f];
        }
        x->vec[j] = (double)seats / (double)ns;
    }
    return rmc_h5_write_numeric(g, "mean_fill_soap", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1,
                                x->vec, d);
}

static rmc_status write_interviews(hid_t g, const rmc_model *m, const rmc_accum *a,
                                   const rmc_h5_run_info *info, derived *x, rmc_diag *d)
{
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    const uint64_t n = rmc_accum_replicates(a);
    const int nt = info->threads; /* the run's threads compress the large tables */
    const hsize_t d1[1] = {dm->n_iv}, dr[2] = {dm->n_iv, dm->rank_bins + 1},
                  dmv[2] = {dm->n_iv, dm->n_factors};
    RMC_TRY(rmc_h5_write_numeric_par(g, "applicant", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, d1,
                                     m->iv_app, nt, d));
    RMC_TRY(rmc_h5_write_numeric_par(g, "program", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, d1,
                                     m->iv_prog, nt, d));
    RMC_TRY(rmc_h5_write_numeric_par(g, "rank_hist", H5T_NATIVE_UINT32, H5T_STD_U32LE, 2, dr,
                                     rmc_accum_rank_hist(a), nt, d));
    RMC_TRY(write_dataset_attrs(g, "rank_hist", dm, d));
    const uint32_t *matched = rmc_accum_iv_matched(a);
    for (size_t k = 0; k < dm->n_iv; k++) {
        x->vec[k] = n > 0 ? (double)matched[k] / (double)n : 0.0;
    }
    RMC_TRY(rmc_h5_write_numeric_par(g, "p_match", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, x->vec,
                                     nt, d));
    for (size_t k = 0; k < dm->n_iv; k++) {
        x->vec[k] = rmc_binomial_se(x->vec[k], n);
        rmc_wilson95(matched[k], n, &x->mat[2 * k], &x->mat[2 * k + 1]);
    }
    RMC_TRY(rmc_h5_write_numeric_par(g, "p_match_se", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1,
                                     x->vec, nt, d));
    const hsize_t d2[2] = {dm->n_iv, 2};
    RMC_TRY(rmc_h5_write_numeric_par(g, "p_match_ci95", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, d2,
                                     x->mat, nt, d));
    for (size_t k = 0; k < dm->n_iv; k++) {
        for (size_t f = 0; f < dm->n_factors; f++) {
            x->mat[k * dm->n_factors + f] = rmc_accum_mean_move(a, k, f);
        }
    }
    RMC_TRY(rmc_h5_write_numeric_par(g, "mean_move", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, dmv,
                                     x->mat, nt, d));
    return rmc_h5_write_strings(g, "factors", info->factor_names, dm->n_factors, d);
}

/* P and its binomial SE sqrt(p (1 - p) / n) per couple, as name and
 * name_se, from counts (stride apart) over n replicates. */
static rmc_status write_p(hid_t g, const char *name, const uint32_t *count, size_t stride, size_t C,
                          uint64_t n, double *buf, rmc_diag *d)
{
    const hsize_t d1[1] = {C};
    for (size_t c = 0; c < C; c++) {
        buf[c] = n > 0 ? (double)count[c * stride] / (double)n : 0.0;
    }
    RMC_TRY(rmc_h5_write_numeric(g, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, buf, d));
    for (size_t c = 0; c < C; c++) {
        buf[c] = n > 0 ? sqrt(buf[c] * (1.0 - buf[c]) / (double)n) : 0.0;
    }
    char se[64];
    snprintf(se, sizeof se, "%s_se", name);
    return rmc_h5_write_numeric(g, se, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d1, buf, d);
}

/* Per couple, from the members' choice histograms (a member's entry is the
 * couple's joint-list position, counted when that member matched): P(both
 * matched) and P(exactly one matched). For totals without per-couple
 * counts (only fixed lists have a joint list in the model). */
static void couples_from_choices(const rmc_model *m, const rmc_accum *a, uint32_t *cnt)
{
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    const uint32_t *ch = rmc_accum_choice_hist(a);
    const size_t cols = dm->choice_len + 1;
    for (size_t c = 0; c < m->n_couples; c++) {
        uint32_t nb = 0, n1 = 0;
        const size_t ia = (size_t)m->couple_a[c], ib = (size_t)m->couple_b[c];
        for (size_t e = m->crol_off[c]; e < m->crol_off[c + 1]; e++) {
            const size_t k = e - m->crol_off[c];
            if (m->crol_pa[e] != RMC_ID_NONE && m->crol_pb[e] != RMC_ID_NONE) {
                nb += ch[ia * cols + k];
            } else {
                n1 += ch[ia * cols + k] + ch[ib * cols + k];
            }
        }
        cnt[2 * c] = nb;
        cnt[2 * c + 1] = n1;
    }
}

/* /couples: the partners, whether the list is generated, and per couple
 * P(both matched), P(exactly one), P(neither) and, with program
 * locations, P(both in one city / one region), with binomial SEs. The
 * counts are the engine's (rmc_accum_couple_counts). */
static rmc_status write_couples(hid_t g, const rmc_model *m, const rmc_accum *a, derived *x,
                                rmc_diag *d)
{
    const uint64_t n = rmc_accum_replicates(a);
    const size_t C = m->n_couples, O = RMC_COUPLE_N_OUTCOMES;
    const hsize_t d1[1] = {C};
    RMC_TRY(rmc_h5_write_numeric(g, "applicant_a", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, d1,
                                 m->couple_a, d));
    RMC_TRY(rmc_h5_write_numeric(g, "applicant_b", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, d1,
                                 m->couple_b, d));
    const uint32_t *counts = rmc_accum_couple_counts(a);
    double *buf = x->vec; /* vec holds n_app >= C */
    uint32_t *cnt = NULL;
    RMC_TRY(rmc_alloc_array((void **)&cnt, C * O + 1, sizeof *cnt, d));
    rmc_status st = RMC_OK;
    if (counts == NULL || rmc_accum_get_dims(a)->n_couples != C) {
        couples_from_choices(m, a, cnt);
        RMC_TRY_GOTO(st, write_p(g, "p_both_matched", cnt, 2, C, n, buf, d), done);
        RMC_TRY_GOTO(st, write_p(g, "p_one_unmatched", cnt + 1, 2, C, n, buf, d), done);
        goto done;
    }
    uint8_t *gen = (uint8_t *)cnt; /* C bytes, before cnt is filled below */
    for (size_t c = 0; c < C; c++) {
        gen[c] = m->couple_gen != NULL ? m->couple_gen[c] : 0;
    }
    RMC_TRY_GOTO(
        st, rmc_h5_write_numeric(g, "generated", H5T_NATIVE_UINT8, H5T_STD_U8LE, 1, d1, gen, d),
        done);
    RMC_TRY_GOTO(st, write_p(g, "p_both_matched", counts + RMC_COUPLE_BOTH, O, C, n, buf, d), done);
    RMC_TRY_GOTO(st, write_p(g, "p_one_unmatched", counts + RMC_COUPLE_ONE, O, C, n, buf, d), done);
    for (size_t c = 0; c < C; c++) {
        cnt[c] = (uint32_t)n - counts[c * O + RMC_COUPLE_BOTH] - counts[c * O + RMC_COUPLE_ONE];
    }
    RMC_TRY_GOTO(st, write_p(g, "p_neither_matched", cnt, 1, C, n, buf, d), done);
    if (m->prog_region != NULL) {
        RMC_TRY_GOTO(st, write_p(g, "p_same_city", counts + RMC_COUPLE_CITY, O, C, n, buf, d),
                     done);
        RMC_TRY_GOTO(st, write_p(g, "p_same_region", counts + RMC_COUPLE_REGION, O, C, n, buf, d),
                     done);
    }
done:
    rmc_free(cnt);
    return st;
}

static rmc_status write_group(hid_t f, const char *name, int which, const rmc_model *m,
                              const rmc_accum *a, const rmc_h5_run_info *info, derived *x,
                              rmc_diag *d)
{
    const hid_t g = H5Gcreate2(f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) {
        return rmc_h5_fail(d, "H5Gcreate2", name);
    }
    rmc_status st;
    if (which == 0) {
        st = write_applicants(g, m, a, x, d);
    } else if (which == 1) {
        st = write_programs(g, m, a, x, d);
    } else if (which == 3) {
        st = write_couples(g, m, a, x, d);
    } else {
        st = write_interviews(g, m, a, info, x, d);
    }
    H5Gclose(g);
    return st;
}

static size_t max3(size_t a, size_t b, size_t c)
{
    const size_t ab = a > b ? a : b;
    return ab > c ? ab : c;
}

static rmc_status write_file(hid_t f, const rmc_model *m, const rmc_accum *a,
                             const rmc_h5_run_info *info, rmc_diag *d)
{
    const rmc_accum_dims *dm = rmc_accum_get_dims(a);
    if (dm->n_app != m->n_app || dm->n_prog != m->n_prog || dm->n_iv != m->n_iv) {
        return RMC_FAIL(d, RMC_EUSAGE, "the totals do not belong to this model");
    }
    derived x = {0};
    rmc_status st;
    const size_t n_mat =
        dm->n_iv * dm->n_factors > 2 * dm->n_app ? dm->n_iv * dm->n_factors : 2 * dm->n_app;
    RMC_TRY_GOTO(
        st, rmc_alloc_array((void **)&x.names, max3(m->n_app, m->n_prog, 1), sizeof *x.names, d),
        done);
    RMC_TRY_GOTO(
        st, rmc_alloc_array((void **)&x.vec, max3(m->n_app, m->n_prog, m->n_iv), sizeof *x.vec, d),
        done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&x.mat, n_mat, sizeof *x.mat, d), done);
    RMC_TRY_GOTO(st, write_root_attrs(f, m, a, info, d), done);
    RMC_TRY_GOTO(st, write_group(f, "applicants", 0, m, a, info, &x, d), done);
    RMC_TRY_GOTO(st, write_group(f, "programs", 1, m, a, info, &x, d), done);
    RMC_TRY_GOTO(st, write_group(f, "interviews", 2, m, a, info, &x, d), done);
    if (m->n_couples > 0) {
        RMC_TRY_GOTO(st, write_group(f, "couples", 3, m, a, info, &x, d), done);
    }
done:
    rmc_free(x.mat);
    rmc_free(x.vec);
    rmc_free((void *)x.names);
    return st;
}

typedef struct result_ctx {
    const rmc_model *m;
    const rmc_accum *a;
    const rmc_h5_run_info *info;
} result_ctx;

static rmc_status fill_result(hid_t f, const void *ctx, rmc_diag *d)
{
    const result_ctx *c = ctx;
    return write_file(f, c->m, c->a, c->info, d);
}

rmc_status rmc_h5_write(const char *path, bool force, const rmc_model *m, const rmc_accum *a,
                        const rmc_h5_run_info *info, rmc_diag *d)
{
    const result_ctx c = {m, a, info};
    return rmc_h5_write_atomically(path, force, fill_result, &c, d);
}
