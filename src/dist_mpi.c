/* rankmc/dist.h over MPI (Open MPI): compiled only by `make mpi`, the one
 * file of rankmc that includes mpi.h. Errors come back as statuses
 * (MPI_ERRORS_RETURN on the job's communicator); counts go to MPI in chunks
 * below 2^31 elements, since MPI counts are int. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rankmc/dist.h"

/* Elements per MPI call: below 2^31 (int counts), and small enough that
 * MPI's internal buffers for a reduction stay modest. */
#define CHUNK ((size_t)1 << 28)

struct rmc_dist {
    MPI_Comm comm;
    int rank, size;
};

static rmc_status mpi_fail(rmc_diag *d, int rc, const char *what)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, msg, &len) != MPI_SUCCESS) {
        snprintf(msg, sizeof msg, "error %d", rc);
    }
    return RMC_FAIL(d, RMC_EINTERNAL, "MPI %s failed: %s", what, msg);
}

rmc_status rmc_dist_init(int *argc, char ***argv, rmc_dist **out, rmc_diag *d)
{
    *out = NULL;
    int provided = 0;
    int rc = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    if (rc != MPI_SUCCESS) {
        return mpi_fail(d, rc, "init");
    }
    if (provided < MPI_THREAD_FUNNELED) {
        MPI_Finalize();
        return RMC_FAIL(d, RMC_EINTERNAL, "the MPI library does not support MPI_THREAD_FUNNELED");
    }
    rmc_dist *g = calloc(1, sizeof *g);
    if (g == NULL) {
        MPI_Finalize();
        return RMC_FAIL(d, RMC_ENOMEM, "out of memory");
    }
    g->comm = MPI_COMM_WORLD;
    MPI_Comm_set_errhandler(g->comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(g->comm, &g->rank);
    MPI_Comm_size(g->comm, &g->size);
    *out = g;
    return RMC_OK;
}

void rmc_dist_finish(rmc_dist *g)
{
    if (g != NULL) {
        free(g);
        MPI_Finalize();
    }
}

_Noreturn void rmc_dist_abort(const rmc_dist *g, int code)
{
    MPI_Abort(g != NULL ? g->comm : MPI_COMM_WORLD, code);
    exit(code); /* MPI_Abort does not return; this satisfies _Noreturn */
}

rmc_status rmc_dist_split(const rmc_dist *g, int n, rmc_dist **out, rmc_diag *d)
{
    *out = NULL;
    const int size = rmc_dist_size(g), rank = rmc_dist_rank(g);
    if (n < 1 || n > size) {
        return RMC_FAIL(d, RMC_EUSAGE, "a job of %d ranks has no %d ranks", size, n);
    }
    MPI_Comm comm = MPI_COMM_NULL;
    const int rc = MPI_Comm_split(g->comm, rank < n ? 0 : MPI_UNDEFINED, rank, &comm);
    if (rc != MPI_SUCCESS) {
        return mpi_fail(d, rc, "comm split");
    }
    if (rank >= n) {
        return RMC_OK;
    }
    rmc_dist *s = calloc(1, sizeof *s);
    if (s == NULL) {
        MPI_Comm_free(&comm);
        return RMC_FAIL(d, RMC_ENOMEM, "out of memory");
    }
    s->comm = comm;
    MPI_Comm_set_errhandler(s->comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(s->comm, &s->rank);
    MPI_Comm_size(s->comm, &s->size);
    *out = s;
    return RMC_OK;
}

void rmc_dist_free(rmc_dist *g)
{
    if (g != NULL) {
        MPI_Comm_free(&g->comm);
        free(g);
    }
}

int rmc_dist_rank(const rmc_dist *g)
{
    return g != NULL ? g->rank : 0;
}

int rmc_dist_size(const rmc_dist *g)
{
    return g != NULL ? g->size : 1;
}

const char *rmc_dist_backend(void)
{
    static char version[MPI_MAX_LIBRARY_VERSION_STRING];
    if (version[0] == '\0') {
        int len = 0;
        MPI_Get_library_version(version, &len);
        char *nl = strchr(version, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
    }
    return version;
}

/* MPI_Reduce(MPI_SUM) to rank 0, in place at the root, chunk by chunk. */
static rmc_status reduce_sum(const rmc_dist *g, void *buf, size_t n, size_t elem, MPI_Datatype t,
                             rmc_diag *d)
{
    if (g == NULL || g->size == 1) {
        return RMC_OK;
    }
    char *p = buf;
    for (size_t off = 0; off < n; off += CHUNK) {
        const int count = (int)(n - off < CHUNK ? n - off : CHUNK);
        void *at = p + off * elem;
        const int rc = g->rank == 0 ? MPI_Reduce(MPI_IN_PLACE, at, count, t, MPI_SUM, 0, g->comm)
                                    : MPI_Reduce(at, NULL, count, t, MPI_SUM, 0, g->comm);
        if (rc != MPI_SUCCESS) {
            return mpi_fail(d, rc, "reduce");
        }
    }
    return RMC_OK;
}

rmc_status rmc_dist_sum_u32(const rmc_dist *g, uint32_t *buf, size_t n, rmc_diag *d)
{
    return reduce_sum(g, buf, n, sizeof *buf, MPI_UINT32_T, d);
}

rmc_status rmc_dist_sum_u64(const rmc_dist *g, uint64_t *buf, size_t n, rmc_diag *d)
{
    return reduce_sum(g, buf, n, sizeof *buf, MPI_UINT64_T, d);
}

rmc_status rmc_dist_sum_i64(const rmc_dist *g, int64_t *buf, size_t n, rmc_diag *d)
{
    return reduce_sum(g, buf, n, sizeof *buf, MPI_INT64_T, d);
}

static rmc_status all_reduce_i64(const rmc_dist *g, int64_t *buf, size_t n, MPI_Op op, rmc_diag *d)
{
    if (g == NULL || g->size == 1) {
        return RMC_OK;
    }
    for (size_t off = 0; off < n; off += CHUNK) {
        const int count = (int)(n - off < CHUNK ? n - off : CHUNK);
        const int rc = MPI_Allreduce(MPI_IN_PLACE, buf + off, count, MPI_INT64_T, op, g->comm);
        if (rc != MPI_SUCCESS) {
            return mpi_fail(d, rc, "allreduce");
        }
    }
    return RMC_OK;
}

rmc_status rmc_dist_all_min_i64(const rmc_dist *g, int64_t *buf, size_t n, rmc_diag *d)
{
    return all_reduce_i64(g, buf, n, MPI_MIN, d);
}

rmc_status rmc_dist_all_max_i64(const rmc_dist *g, int64_t *buf, size_t n, rmc_diag *d)
{
    return all_reduce_i64(g, buf, n, MPI_MAX, d);
}

rmc_status rmc_dist_all_gather_u32(const rmc_dist *g, const uint32_t *mine, size_t n, uint32_t *all,
                                   rmc_diag *d)
{
    if (g == NULL || g->size == 1) {
        if (n > 0) {
            memcpy(all, mine, n * sizeof *all);
        }
        return RMC_OK;
    }
    if (n >= CHUNK) {
        return RMC_FAIL(d, RMC_ELIMIT, "gather of %zu elements per rank is too large", n);
    }
    const int rc = MPI_Allgather(mine, (int)n, MPI_UINT32_T, all, (int)n, MPI_UINT32_T, g->comm);
    return rc == MPI_SUCCESS ? RMC_OK : mpi_fail(d, rc, "allgather");
}

rmc_status rmc_dist_bcast(const rmc_dist *g, void *buf, size_t bytes, int root, rmc_diag *d)
{
    if (g == NULL || g->size == 1) {
        return RMC_OK;
    }
    char *p = buf;
    for (size_t off = 0; off < bytes; off += CHUNK) {
        const int count = (int)(bytes - off < CHUNK ? bytes - off : CHUNK);
        const int rc = MPI_Bcast(p + off, count, MPI_BYTE, root, g->comm);
        if (rc != MPI_SUCCESS) {
            return mpi_fail(d, rc, "broadcast");
        }
    }
    return RMC_OK;
}

rmc_status rmc_dist_agree(const rmc_dist *g, rmc_status st, rmc_diag *d)
{
    if (g == NULL || g->size == 1) {
        return st;
    }
    /* The lowest failing rank, or size when none failed. */
    int64_t first = st != RMC_OK ? g->rank : g->size;
    RMC_TRY(rmc_dist_all_min_i64(g, &first, 1, d));
    if (first == g->size) {
        return RMC_OK;
    }
    rmc_diag mine = {0};
    if (d != NULL && g->rank == (int)first) {
        mine = *d;
    }
    mine.status = g->rank == (int)first ? st : RMC_OK;
    RMC_TRY(rmc_dist_bcast(g, &mine, sizeof mine, (int)first, d));
    if (g->rank != (int)first) {
        mine.src = "another rank"; /* the sender's pointer means nothing here */
        if (d != NULL) {
            *d = mine;
        }
    }
    return mine.status;
}
