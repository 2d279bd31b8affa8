/*===- collective.c - the fixed reduction tree over ranks -----------------===*
 *
 * The order of a sum over ranks (collective.h): a binary tree by rank
 * number, so data-parallel gradients are the same bits on every run.
 *
 *===----------------------------------------------------------------------===*/

#include "hetc/runtime/collective.h"

#include "internal.h"

#include <string.h>

int hetc_tree_reduce_levels(int nranks) {
  int levels = 0;
  while (levels < 31 && (1 << levels) < nranks)
    ++levels;
  return levels;
}

hetc_tree_role_t hetc_tree_reduce_step(int rank, int nranks, int level,
                                       int *peer) {
  if (peer)
    *peer = -1;
  if (rank < 0 || rank >= nranks || level < 0 ||
      level >= hetc_tree_reduce_levels(nranks))
    return HETC_TREE_IDLE;
  long long half = 1LL << level;
  /* A rank that sent at an earlier level has a low bit set below `half`. */
  if (rank % half != 0)
    return HETC_TREE_IDLE;
  if (rank % (2 * half) != 0) {
    if (peer)
      *peer = (int)(rank - half);
    return HETC_TREE_SEND;
  }
  if (rank + half >= nranks)
    return HETC_TREE_IDLE;
  if (peer)
    *peer = (int)(rank + half);
  return HETC_TREE_RECEIVE;
}

/* Elements summed together; the partial sums of one block stay in cache. */
#define HETC_TREE_BLOCK 256

/* The tree sum of one block of `count` elements starting at `offset`.
 * Ranks are pushed in order onto a stack of partial sums; two partials of
 * equal size (two complete sibling subtrees) merge at once, lower ranks on
 * the left, and what remains merges from the top down. That is the tree of
 * collective.h, walked depth-first instead of level by level. */
static void reduce_block(const float *const *rank_buffers, int nranks,
                         size_t offset, size_t count, float *out) {
  float partial[32][HETC_TREE_BLOCK];
  int size[32];
  int depth = 0;
  for (int r = 0; r < nranks; ++r) {
    memcpy(partial[depth], rank_buffers[r] + offset, count * sizeof(float));
    size[depth++] = 1;
    while (depth >= 2 && size[depth - 1] == size[depth - 2]) {
      float *left = partial[depth - 2];
      const float *right = partial[depth - 1];
      for (size_t i = 0; i < count; ++i)
        left[i] = left[i] + right[i];
      size[depth - 2] *= 2;
      --depth;
    }
  }
  for (; depth >= 2; --depth) {
    float *left = partial[depth - 2];
    const float *right = partial[depth - 1];
    for (size_t i = 0; i < count; ++i)
      left[i] = left[i] + right[i];
  }
  memcpy(out + offset, partial[0], count * sizeof(float));
}

hetc_status_t hetc_tree_reduce_sum(const float *const *rank_buffers, int nranks,
                                   size_t n, float *out) {
  if (nranks < 1)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "a reduction over %d ranks (at least 1 needed)",
                            nranks);
  if (n == 0)
    return NULL;
  if (!rank_buffers || !out)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "a reduction of %zu elements with no %s", n,
                            rank_buffers ? "output buffer" : "rank buffers");
  for (int r = 0; r < nranks; ++r)
    if (!rank_buffers[r])
      return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "rank %d's buffer is NULL", r);
  for (size_t offset = 0; offset < n; offset += HETC_TREE_BLOCK) {
    size_t count = n - offset < HETC_TREE_BLOCK ? n - offset : HETC_TREE_BLOCK;
    reduce_block(rank_buffers, nranks, offset, count, out);
  }
  return NULL;
}
