//===- schedule_test.cpp - the lr schedulers' C API ----------------------===//
//
// The sequences against torch live in test/python/test_lr_scheduler.py;
// these check the C contract: in/out values, ownership, state and errors.
//
//===----------------------------------------------------------------------===//

#include "hetc/runtime/hetc_runtime.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

/// Returns the status message and frees the status ("" for success).
std::string message(hetc_status_t status) {
  std::string text = status ? hetc_status_message(status) : "";
  hetc_status_free(status);
  return text;
}

TEST(Schedule, StepLRHalvesEveryTwoSteps) {
  double base[2] = {0.1, 0.4}, lrs[2] = {0.1, 0.4};
  hetc_lr_scheduler_t *s = nullptr;
  ASSERT_EQ(message(hetc_lr_scheduler_create("step:step_size=2,gamma=0.5", 2,
                                             base, lrs, nullptr, &s)),
            "");
  EXPECT_STREQ(hetc_lr_scheduler_kind(s), "step");
  const double want[] = {0.1, 0.05, 0.05, 0.025, 0.025};
  for (double w : want) {
    ASSERT_EQ(message(hetc_lr_scheduler_step(s, lrs, nullptr)), "");
    EXPECT_DOUBLE_EQ(lrs[0], w);
    EXPECT_DOUBLE_EQ(lrs[1], 4 * w);
  }
  EXPECT_EQ(hetc_lr_scheduler_last_epoch(s), 5);
  EXPECT_DOUBLE_EQ(hetc_lr_scheduler_last_lrs(s)[1], 0.1);
  hetc_lr_scheduler_free(s);
}

TEST(Schedule, OneCycleSetsMomentumAndStopsAtTotalSteps) {
  double base[1] = {0.1}, lrs[1] = {0.1}, momenta[1] = {0.5};
  hetc_lr_scheduler_t *s = nullptr;
  ASSERT_EQ(message(hetc_lr_scheduler_create("onecycle:max_lr=1,total_steps=10",
                                             1, base, lrs, momenta, &s)),
            "");
  EXPECT_NEAR(lrs[0], 1.0 / 25, 1e-15); // max_lr / div_factor
  EXPECT_NEAR(momenta[0], 0.95, 1e-15); // max_momentum
  EXPECT_DOUBLE_EQ(hetc_lr_scheduler_base_lrs(s)[0], 0.04);
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(message(hetc_lr_scheduler_step(s, lrs, momenta)), "");
  EXPECT_EQ(message(hetc_lr_scheduler_step(s, lrs, momenta)),
            "lr scheduler 'onecycle': tried to step 12 times; the specified "
            "number of total steps is 10");
  hetc_lr_scheduler_free(s);
}

TEST(Schedule, SequentialOwnsItsChildren) {
  double base[1] = {1.0}, lrs[1] = {1.0};
  hetc_lr_scheduler_t *children[2] = {nullptr, nullptr};
  ASSERT_EQ(
      message(hetc_lr_scheduler_create("constant:factor=0.5,total_iters=9", 1,
                                       base, lrs, nullptr, &children[0])),
      "");
  ASSERT_EQ(message(hetc_lr_scheduler_create("exponential:gamma=0.1", 1, base,
                                             lrs, nullptr, &children[1])),
            "");
  int64_t milestones[1] = {2};
  hetc_lr_scheduler_t *s = nullptr;
  ASSERT_EQ(message(hetc_lr_scheduler_create_sequential(
                children, 2, milestones, base, lrs, nullptr, &s)),
            "");
  EXPECT_DOUBLE_EQ(lrs[0], 0.5); // the first child, restarted
  ASSERT_EQ(message(hetc_lr_scheduler_step(s, lrs, nullptr)), "");
  EXPECT_DOUBLE_EQ(lrs[0], 0.5);
  ASSERT_EQ(message(hetc_lr_scheduler_step(s, lrs, nullptr)), "");
  EXPECT_DOUBLE_EQ(lrs[0], 1.0); // the second child's closed form at 0
  ASSERT_EQ(message(hetc_lr_scheduler_step(s, lrs, nullptr)), "");
  EXPECT_DOUBLE_EQ(lrs[0], 0.1);
  hetc_lr_scheduler_free(s); // frees the children too
}

TEST(Schedule, StateRoundTrips) {
  double base[1] = {1.0}, lrs[1] = {1.0};
  hetc_lr_scheduler_t *a = nullptr, *b = nullptr;
  const char *spec = "plateau:patience=0,factor=0.5";
  ASSERT_EQ(message(hetc_lr_scheduler_create(spec, 1, base, lrs, nullptr, &a)),
            "");
  ASSERT_EQ(message(hetc_lr_scheduler_step_metric(a, 1.0, lrs)), "");
  ASSERT_EQ(message(hetc_lr_scheduler_step_metric(a, 2.0, lrs)), "");
  EXPECT_DOUBLE_EQ(lrs[0], 0.5);
  EXPECT_NE(message(hetc_lr_scheduler_step(a, lrs, nullptr)), "");
  char *state = nullptr;
  ASSERT_EQ(message(hetc_lr_scheduler_get_state(a, &state)), "");
  double fresh[1] = {1.0};
  ASSERT_EQ(
      message(hetc_lr_scheduler_create(spec, 1, base, fresh, nullptr, &b)), "");
  ASSERT_EQ(message(hetc_lr_scheduler_set_state(b, state)), "");
  free(state);
  // Both remember best = 1.0: another 2.0 reduces both again.
  ASSERT_EQ(message(hetc_lr_scheduler_step_metric(a, 2.0, lrs)), "");
  fresh[0] = 0.5;
  ASSERT_EQ(message(hetc_lr_scheduler_step_metric(b, 2.0, fresh)), "");
  EXPECT_DOUBLE_EQ(lrs[0], 0.25);
  EXPECT_DOUBLE_EQ(fresh[0], 0.25);
  EXPECT_EQ(hetc_lr_scheduler_last_epoch(b), 3);
  EXPECT_NE(message(hetc_lr_scheduler_set_state(b, "best=1;x")), "");
  hetc_lr_scheduler_free(a);
  hetc_lr_scheduler_free(b);
}

// A corrupt saved state is refused, naming the key, instead of reading as 0.
TEST(Schedule, CorruptStatesNameTheKey) {
  double base[1] = {1.0}, lrs[1] = {1.0};
  hetc_lr_scheduler_t *s = nullptr;
  ASSERT_EQ(message(hetc_lr_scheduler_create("plateau:patience=0", 1, base, lrs,
                                             nullptr, &s)),
            "");
  struct Case {
    const char *state, *error;
  } cases[] = {
      {"last_epoch=abc", "'last_epoch=abc' is not an integer"},
      {"step_count=3x", "'step_count=3x' is not an integer"},
      {"best=nan", "best=nan is not a number"},
      {"best=", "best= is not a number"},
      {"last_lr=0.1/0.2", "'last_lr' needs 1 values, has 2"},
      {"base_lrs=0.1/x", "'base_lrs=x' is not a finite number"},
  };
  for (const Case &c : cases) {
    std::string error = message(hetc_lr_scheduler_set_state(s, c.state));
    EXPECT_NE(error.find(c.error), std::string::npos)
        << c.state << " gave: " << error;
  }
  EXPECT_EQ(message(hetc_lr_scheduler_set_state(s, "best=-inf,last_epoch=2")),
            "");
  EXPECT_EQ(hetc_lr_scheduler_last_epoch(s), 2);
  hetc_lr_scheduler_free(s);
}

TEST(Schedule, BadSpecsNameTheProblem) {
  struct Case {
    const char *spec, *error;
  } cases[] = {
      {"warmup", "unknown lr scheduler 'warmup'"},
      {"step", "lr scheduler 'step': missing option 'step_size'"},
      {"step:step_size=0", "option 'step_size' must be positive"},
      {"step:step_size=3,gamma=-1", "option 'gamma' must not be negative"},
      {"step:step_size=3,gamma=1e999", "'gamma=1e999' is not a finite"},
      {"step:step_size=3,step_size=4", "option 'step_size' is given twice"},
      {"step:step_size", "option 'step_size' is not key=value"},
      {"cosine:T_max=5,eta=1", "unknown option 'eta'"},
      {"onecycle:max_lr=1", "You must define either total_steps OR"},
      {"onecycle:max_lr=1,total_steps=5,anneal_strategy=exp",
       "unknown value 'anneal_strategy=exp' (expected 'cos' or 'linear')"},
      {"onecycle:max_lr=1,total_steps=5", "optimizer must support momentum"},
      {"plateau:factor=1", "Factor should be < 1.0."},
      {"plateau:min_lr=0.1/0.2/0.3", "expected 1 values for min_lr, got 3"},
  };
  for (const Case &c : cases) {
    double base[1] = {0.1}, lrs[1] = {0.1};
    hetc_lr_scheduler_t *s = nullptr;
    std::string error =
        message(hetc_lr_scheduler_create(c.spec, 1, base, lrs, nullptr, &s));
    EXPECT_NE(error.find(c.error), std::string::npos)
        << c.spec << ": " << error;
    EXPECT_EQ(s, nullptr);
    EXPECT_DOUBLE_EQ(lrs[0], 0.1) << c.spec;
  }
  double bad[1] = {-1.0};
  hetc_lr_scheduler_t *s = nullptr;
  EXPECT_EQ(message(hetc_lr_scheduler_create("exponential:gamma=0.5", 1, bad,
                                             bad, nullptr, &s)),
            "group 0's lr must be a finite number >= 0");
}

} // namespace
