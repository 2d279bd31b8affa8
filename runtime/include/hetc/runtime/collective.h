/*===- collective.h - the reduction order of sums over ranks --------------===*
 *
 * Data-parallel training sums each gradient over the ranks. Floating-point
 * addition is not associative, so the sum's bits depend on the order of the
 * additions; hetc fixes that order to one binary tree over the rank numbers,
 * whatever order messages arrive in and however many threads add. A
 * transport (MPI or another) follows hetc_tree_reduce_step level by level;
 * hetc_tree_reduce_sum is the same sum over buffers that are all at hand,
 * and the reference every transport's result must equal bit for bit.
 *
 * The tree (docs/reproducibility.md, "Collectives: reduction order over
 * ranks"): at level k = 0, 1, ..., each rank r with r % 2^(k+1) == 0 and
 * r + 2^k < nranks receives the partial sum of rank r + 2^k and adds it on
 * the right: partial[r] = partial[r] + partial[r + 2^k]. After
 * hetc_tree_reduce_levels(nranks) levels rank 0 holds the sum.
 *
 *===----------------------------------------------------------------------===*/

#ifndef HETC_RUNTIME_COLLECTIVE_H
#define HETC_RUNTIME_COLLECTIVE_H

#include "hetc/runtime/hetc_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What one rank does at one level of the tree. */
typedef enum hetc_tree_role {
  HETC_TREE_IDLE = 0,    /* nothing: no partner, or already sent */
  HETC_TREE_RECEIVE = 1, /* receive from *peer, then partial += received */
  HETC_TREE_SEND = 2,    /* send the partial to *peer; done afterwards */
} hetc_tree_role_t;

/* The number of levels, ceil(log2(nranks)); 0 for one rank or fewer. */
int hetc_tree_reduce_levels(int nranks);

/* Rank `rank`'s role at `level` of a reduction over `nranks` ranks; *peer
 * (when not NULL) is the partner rank, or -1 when idle. Out-of-range
 * arguments (rank outside [0, nranks), level < 0) give HETC_TREE_IDLE. */
hetc_tree_role_t hetc_tree_reduce_step(int rank, int nranks, int level,
                                       int *peer);

/* out[i] = the tree sum over ranks of rank_buffers[r][i], for i < n. `out`
 * may be one of the rank buffers. Every element is summed in the tree's
 * order, so the result is the same bits whatever the element range a
 * thread is given. Fails on nranks < 1 or a NULL buffer (with n > 0). */
hetc_status_t hetc_tree_reduce_sum(const float *const *rank_buffers, int nranks,
                                   size_t n, float *out);

#ifdef __cplusplus
}
#endif

#endif /* HETC_RUNTIME_COLLECTIVE_H */
