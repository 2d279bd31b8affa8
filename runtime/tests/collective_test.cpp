//===- collective_test.cpp - the fixed reduction tree over ranks ---------===//
//
// hetc_tree_reduce_sum adds in the documented tree order (checked against a
// recursive reference and against hand-written sums), a transport that
// follows hetc_tree_reduce_step in any arrival order gets the same bits, so
// does any split of the elements over threads, and the edge cases (one
// rank, non-powers of two, no elements, bad arguments) behave.
//
//===----------------------------------------------------------------------===//

#include "hetc/runtime/collective.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using Buffers = std::vector<std::vector<float>>;

/// Values of very different magnitudes, so that the order of the additions
/// changes the rounded sum.
Buffers randomBuffers(int nranks, size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-20, 20);
  Buffers buffers(nranks, std::vector<float>(n));
  for (auto &buffer : buffers)
    for (float &x : buffer)
      x = std::ldexp(mantissa(gen), exponent(gen));
  return buffers;
}

std::vector<const float *> pointers(const Buffers &buffers) {
  std::vector<const float *> result;
  for (const auto &buffer : buffers)
    result.push_back(buffer.data());
  return result;
}

std::vector<float> treeSum(const Buffers &buffers) {
  size_t n = buffers.empty() ? 0 : buffers[0].size();
  std::vector<float> out(n, 12345.0f);
  std::vector<const float *> ptrs = pointers(buffers);
  hetc_status_t status =
      hetc_tree_reduce_sum(ptrs.data(), (int)ptrs.size(), n, out.data());
  EXPECT_EQ(status, nullptr) << hetc_status_message(status);
  hetc_status_free(status);
  return out;
}

/// The documented order, written as its definition: the sum over ranks
/// [lo, lo + size) for a power of two `size` is the sum of its lower half
/// plus the sum of its upper half, the upper half being absent when it
/// starts at or past the last rank.
float referenceSum(const Buffers &b, size_t i, int lo, int size) {
  if (size == 1)
    return b[lo][i];
  int half = size / 2;
  float left = referenceSum(b, i, lo, half);
  if (lo + half >= (int)b.size())
    return left;
  return left + referenceSum(b, i, lo + half, half);
}

float referenceSum(const Buffers &b, size_t i) {
  int size = 1;
  while (size < (int)b.size())
    size *= 2;
  return referenceSum(b, i, 0, size);
}

bool sameBits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         (a.empty() || !std::memcmp(a.data(), b.data(), a.size() * 4));
}

TEST(TreeReduce, HandWrittenOrders) {
  // Per rank one element; each expected value spells out the tree.
  Buffers b = {{1e8f}, {1.0f}, {-1e8f}, {1.0f}, {3.0f}, {0.5f}, {7.0f}};
  auto first = [&](int n) { return Buffers(b.begin(), b.begin() + n); };
  float b0 = b[0][0], b1 = b[1][0], b2 = b[2][0], b3 = b[3][0], b4 = b[4][0],
        b5 = b[5][0], b6 = b[6][0];
  EXPECT_EQ(treeSum(first(2))[0], b0 + b1);
  EXPECT_EQ(treeSum(first(3))[0], (b0 + b1) + b2);
  EXPECT_EQ(treeSum(first(4))[0], (b0 + b1) + (b2 + b3));
  EXPECT_EQ(treeSum(first(5))[0], ((b0 + b1) + (b2 + b3)) + b4);
  EXPECT_EQ(treeSum(first(6))[0], ((b0 + b1) + (b2 + b3)) + (b4 + b5));
  EXPECT_EQ(treeSum(first(7))[0], ((b0 + b1) + (b2 + b3)) + ((b4 + b5) + b6));
  // The order matters for these values: a left-to-right sum differs.
  EXPECT_NE(treeSum(first(4))[0], ((b0 + b1) + b2) + b3);
}

TEST(TreeReduce, MatchesTheReferenceOrderForEveryRankCount) {
  const size_t n = 1000; // not a multiple of the 256-element block
  bool someOrderMattered = false;
  for (int nranks = 1; nranks <= 40; ++nranks) {
    Buffers b = randomBuffers(nranks, n, 100 + nranks);
    std::vector<float> sum = treeSum(b);
    for (size_t i = 0; i < n; ++i) {
      float expected = referenceSum(b, i);
      ASSERT_EQ(std::memcmp(&sum[i], &expected, 4), 0)
          << nranks << " ranks, element " << i << ": " << sum[i]
          << " != " << expected;
      float sequential = 0.0f;
      for (int r = 0; r < nranks; ++r)
        sequential = r ? sequential + b[r][i] : b[r][i];
      someOrderMattered |= sequential != expected;
    }
  }
  // Otherwise this test could not tell the orders apart.
  EXPECT_TRUE(someOrderMattered);
}

TEST(TreeReduce, ScheduleOfSixRanks) {
  EXPECT_EQ(hetc_tree_reduce_levels(6), 3);
  struct Expect {
    int rank, level;
    hetc_tree_role_t role;
    int peer;
  };
  const Expect table[] = {
      {0, 0, HETC_TREE_RECEIVE, 1}, {1, 0, HETC_TREE_SEND, 0},
      {2, 0, HETC_TREE_RECEIVE, 3}, {3, 0, HETC_TREE_SEND, 2},
      {4, 0, HETC_TREE_RECEIVE, 5}, {5, 0, HETC_TREE_SEND, 4},
      {0, 1, HETC_TREE_RECEIVE, 2}, {2, 1, HETC_TREE_SEND, 0},
      {4, 1, HETC_TREE_IDLE, -1},   {1, 1, HETC_TREE_IDLE, -1},
      {0, 2, HETC_TREE_RECEIVE, 4}, {4, 2, HETC_TREE_SEND, 0},
      {2, 2, HETC_TREE_IDLE, -1},   {0, 3, HETC_TREE_IDLE, -1},
      {6, 0, HETC_TREE_IDLE, -1},   {-1, 0, HETC_TREE_IDLE, -1},
      {0, -1, HETC_TREE_IDLE, -1},
  };
  for (const Expect &e : table) {
    int peer = 99;
    EXPECT_EQ(hetc_tree_reduce_step(e.rank, 6, e.level, &peer), e.role)
        << "rank " << e.rank << " level " << e.level;
    EXPECT_EQ(peer, e.peer) << "rank " << e.rank << " level " << e.level;
  }
}

TEST(TreeReduce, LevelCounts) {
  EXPECT_EQ(hetc_tree_reduce_levels(0), 0);
  EXPECT_EQ(hetc_tree_reduce_levels(1), 0);
  EXPECT_EQ(hetc_tree_reduce_levels(2), 1);
  EXPECT_EQ(hetc_tree_reduce_levels(3), 2);
  EXPECT_EQ(hetc_tree_reduce_levels(4), 2);
  EXPECT_EQ(hetc_tree_reduce_levels(5), 3);
  EXPECT_EQ(hetc_tree_reduce_levels(1 << 20), 20);
  EXPECT_EQ(hetc_tree_reduce_levels((1 << 20) + 1), 21);
  EXPECT_EQ(hetc_tree_reduce_levels(0x7fffffff), 31);
}

/// Every rank but 0 sends exactly once, to a lower rank, and that rank
/// receives from it at the same level.
TEST(TreeReduce, EveryRankSendsOnceToItsReceiver) {
  for (int nranks = 1; nranks <= 70; ++nranks) {
    std::vector<int> sends(nranks, 0);
    for (int level = 0; level < hetc_tree_reduce_levels(nranks); ++level)
      for (int r = 0; r < nranks; ++r) {
        int peer;
        if (hetc_tree_reduce_step(r, nranks, level, &peer) != HETC_TREE_SEND)
          continue;
        ++sends[r];
        ASSERT_LT(peer, r);
        int back;
        ASSERT_EQ(hetc_tree_reduce_step(peer, nranks, level, &back),
                  HETC_TREE_RECEIVE);
        ASSERT_EQ(back, r);
      }
    for (int r = 0; r < nranks; ++r)
      EXPECT_EQ(sends[r], r == 0 ? 0 : 1) << nranks << " ranks, rank " << r;
  }
}

/// A transport that follows the schedule, with messages delivered and ranks
/// scheduled in a random order: each rank advances when it can (a receive
/// waits for its message), like ranks exchanging messages asynchronously.
std::vector<float> simulateTransport(const Buffers &b, std::mt19937 &gen) {
  int nranks = (int)b.size();
  int levels = hetc_tree_reduce_levels(nranks);
  Buffers partial = b;
  std::vector<int> level(nranks, 0);
  std::vector<bool> done(nranks, false);
  std::map<std::pair<int, int>, std::vector<float>> inbox; // (dest, level)
  int remaining = nranks;
  while (remaining) {
    int r = std::uniform_int_distribution<int>(0, nranks - 1)(gen);
    if (done[r])
      continue;
    if (level[r] == levels) {
      done[r] = true;
      --remaining;
      continue;
    }
    int peer;
    switch (hetc_tree_reduce_step(r, nranks, level[r], &peer)) {
    case HETC_TREE_IDLE:
      ++level[r];
      break;
    case HETC_TREE_SEND:
      inbox[{peer, level[r]}] = partial[r];
      done[r] = true;
      --remaining;
      break;
    case HETC_TREE_RECEIVE: {
      auto it = inbox.find({r, level[r]});
      if (it == inbox.end())
        break; // not arrived yet
      for (size_t i = 0; i < partial[r].size(); ++i)
        partial[r][i] = partial[r][i] + it->second[i];
      inbox.erase(it);
      ++level[r];
      break;
    }
    }
  }
  EXPECT_TRUE(inbox.empty());
  return partial[0];
}

TEST(TreeReduce, AnyArrivalOrderGivesTheSameBits) {
  std::mt19937 gen(7);
  for (int nranks : {1, 2, 3, 5, 8, 11, 16, 23}) {
    Buffers b = randomBuffers(nranks, 300, nranks);
    std::vector<float> expected = treeSum(b);
    for (int trial = 0; trial < 20; ++trial)
      ASSERT_TRUE(sameBits(simulateTransport(b, gen), expected))
          << nranks << " ranks, trial " << trial;
  }
}

TEST(TreeReduce, AnySplitOverThreadsGivesTheSameBits) {
  const int nranks = 13;
  const size_t n = 5000;
  Buffers b = randomBuffers(nranks, n, 3);
  std::vector<float> expected = treeSum(b);
  std::vector<const float *> ptrs = pointers(b);
  for (int threads : {2, 3, 7}) {
    std::vector<float> out(n);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        size_t lo = n * t / threads, hi = n * (t + 1) / threads;
        std::vector<const float *> shifted;
        for (const float *p : ptrs)
          shifted.push_back(p + lo);
        hetc_status_t status = hetc_tree_reduce_sum(shifted.data(), nranks,
                                                    hi - lo, out.data() + lo);
        hetc_status_free(status);
      });
    for (std::thread &th : pool)
      th.join();
    EXPECT_TRUE(sameBits(out, expected)) << threads << " threads";
  }
}

TEST(TreeReduce, OneRankCopiesItsBuffer) {
  Buffers b = {{1.5f, -0.0f, INFINITY, 1e-45f}};
  std::vector<float> sum = treeSum(b);
  EXPECT_TRUE(sameBits(sum, b[0]));
}

TEST(TreeReduce, OutputMayBeRankZerosBuffer) {
  Buffers b = randomBuffers(6, 700, 11);
  std::vector<float> expected = treeSum(b);
  std::vector<const float *> ptrs = pointers(b);
  EXPECT_EQ(hetc_tree_reduce_sum(ptrs.data(), 6, 700, b[0].data()), nullptr);
  EXPECT_TRUE(sameBits(b[0], expected));
}

TEST(TreeReduce, NoElementsIsANoOp) {
  float out = 3.0f;
  EXPECT_EQ(hetc_tree_reduce_sum(nullptr, 4, 0, &out), nullptr);
  EXPECT_EQ(out, 3.0f);
}

TEST(TreeReduce, BadArgumentsAreErrors) {
  float x = 1.0f, out = 0.0f;
  const float *one[] = {&x, nullptr};
  struct Case {
    const float *const *buffers;
    int nranks;
    float *out;
    const char *message;
  } cases[] = {
      {one, 0, &out, "over 0 ranks"},
      {one, -3, &out, "over -3 ranks"},
      {one, 2, &out, "rank 1's buffer is NULL"},
      {nullptr, 2, &out, "no rank buffers"},
      {one, 1, nullptr, "no output buffer"},
  };
  for (const Case &c : cases) {
    hetc_status_t status = hetc_tree_reduce_sum(c.buffers, c.nranks, 1, c.out);
    ASSERT_NE(status, nullptr) << c.message;
    EXPECT_EQ(hetc_status_code(status), HETC_STATUS_INVALID_ARGUMENT);
    EXPECT_NE(std::string(hetc_status_message(status)).find(c.message),
              std::string::npos)
        << hetc_status_message(status);
    hetc_status_free(status);
  }
}

} // namespace
