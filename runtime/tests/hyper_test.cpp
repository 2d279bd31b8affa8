//===- hyper_test.cpp - runtime hyper-parameters
//---------------------------===//
//
// The hyper API against a hand-written model whose train_step reads two
// learning rates (groups 0 and 1) from session state.
//
//===----------------------------------------------------------------------===//

#include "runtime_test_util.h"

#include <cmath>
#include <string>

using namespace hetc_test;

namespace {

std::string hyperManifest(const std::string &extra = "",
                          const std::string &group1 = "1") {
  std::string args =
      R"({"name": "w", "role": "param", "dtype": "f32", "shape": [1],
          "init": {"kind": "ones"}},
         {"name": "hyper:lr", "role": "hyper", "dtype": "f32", "shape": [],
          "hyper": "lr", "group": 0,
          "init": {"kind": "constant", "value": 0.5}},
         {"name": "hyper:group1:lr", "role": "hyper", "dtype": "f32",
          "shape": [], "hyper": "lr", "group": )" +
      group1 + R"(, "init": {"kind": "constant", "value": 0.25}},
         {"name": "x", "role": "input", "dtype": "f32", "shape": [1]})";
  std::string loss =
      R"([{"name": "loss", "role": "loss", "dtype": "f32", "shape": []}])";
  return R"({"format_version": 1, "compiler_version": "0.1.0",
    "target": "cpu", "chip": "x86-64", "optimizer": {"name": "sgd"},)" +
         extra + R"( "entries": [
    {"name": "train_step", "kind": "train_step",
     "symbol": "hetc_entry_train_step", "args": [)" +
         args + R"(], "results": )" + loss + R"(},
    {"name": "eval", "kind": "eval", "symbol": "hetc_entry_eval",
     "args": [)" +
         args + R"(], "results": )" + loss + "}]}";
}

struct Hyper : ::testing::Test {
  hetc_artifact_t *artifact = nullptr;
  hetc_device_t *device = nullptr;
  hetc_session_t *session = nullptr;
  int64_t one[1] = {1};
  float x = 2.0f;

  void SetUp() override {
    ASSERT_EQ(openBytes(encode(hyperManifest(), HETC_FAKE_HYPER_MODEL_PATH),
                        &artifact),
              nullptr);
    ASSERT_EQ(hetc_device_open("cpu", 0, &device), nullptr);
    ASSERT_EQ(hetc_session_create(artifact, device, &session), nullptr);
    ASSERT_EQ(hetc_session_init_params(session, 1), nullptr);
  }
  void TearDown() override {
    hetc_session_free(session);
    hetc_device_free(device);
    hetc_artifact_free(artifact);
  }
  float step() {
    float loss = 0;
    hetc_tensor_t in[] = {{"x", HETC_DTYPE_F32, 1, one, &x}};
    EXPECT_EQ(hetc_session_train_step(session, in, 1, &loss, nullptr, 0),
              nullptr);
    return loss;
  }
  float w() {
    float v = 0;
    hetc_tensor_t t = {"w", HETC_DTYPE_F32, 1, one, &v};
    EXPECT_EQ(hetc_session_get_tensor(session, &t), nullptr);
    return v;
  }
  double get(const char *name, int group) {
    double v = -1;
    EXPECT_EQ(hetc_session_get_hyperparameter(session, name, group, &v),
              nullptr);
    return v;
  }
};

} // namespace

TEST_F(Hyper, StateRoleDefaultsAndGroups) {
  EXPECT_STREQ(hetc_role_name(HETC_ROLE_HYPER), "hyper");
  ASSERT_EQ(hetc_session_state_count(session), 3u);
  EXPECT_EQ(hetc_session_state_info(session, 1)->role, HETC_ROLE_HYPER);
  EXPECT_EQ(hetc_session_group_count(session), 2);
  EXPECT_EQ(get("lr", 0), 0.5);
  EXPECT_EQ(get("lr", 1), 0.25);
}

TEST_F(Hyper, TrainStepReadsTheValueSetBetweenSteps) {
  step(); // w = 1 - (0.5 + 0.25) * 2
  EXPECT_EQ(w(), -0.5f);
  ASSERT_EQ(hetc_session_set_hyperparameter(session, "lr", 0, 0.0), nullptr);
  ASSERT_EQ(hetc_session_set_hyperparameter(session, "lr", 1, 0.125), nullptr);
  EXPECT_EQ(get("lr", 0), 0.0);
  EXPECT_EQ(get("lr", 1), 0.125);
  step(); // w = -0.5 - (0 + 0.125) * 2
  EXPECT_EQ(w(), -0.75f);
  // A checkpoint keeps them; init_params restores the compiled values.
  std::string path = ::testing::TempDir() + "/hyper.ckpt";
  ASSERT_EQ(hetc_session_save_checkpoint(session, path.c_str()), nullptr);
  ASSERT_EQ(hetc_session_init_params(session, 1), nullptr);
  EXPECT_EQ(get("lr", 1), 0.25);
  ASSERT_EQ(hetc_session_load_checkpoint(session, path.c_str()), nullptr);
  EXPECT_EQ(get("lr", 0), 0.0);
  EXPECT_EQ(get("lr", 1), 0.125);
  EXPECT_EQ(w(), -0.75f);
}

TEST_F(Hyper, RefusalsLeaveTheValue) {
  auto set = [&](const char *name, int group, double v) {
    return hetc_session_set_hyperparameter(session, name, group, v);
  };
  expectError(set("lr", 0, -1.0), HETC_STATUS_INVALID_ARGUMENT,
              "hyper-parameter 'lr' must be a finite number >= 0, got -1");
  expectError(set("lr", 0, NAN), HETC_STATUS_INVALID_ARGUMENT,
              "'lr' must be a finite number >= 0, got nan");
  expectError(set("lr", 0, INFINITY), HETC_STATUS_INVALID_ARGUMENT, "got inf");
  expectError(set("lr", 0, 1e39), HETC_STATUS_INVALID_ARGUMENT,
              "must be a finite number");
  expectError(set("lr", 2, 0.1), HETC_STATUS_INVALID_ARGUMENT,
              "parameter group 2 does not exist: the artifact has 2 "
              "parameter groups");
  expectError(set("lr", -1, 0.1), HETC_STATUS_INVALID_ARGUMENT,
              "parameter group -1 does not exist");
  expectError(set("beta1", 0, 0.9), HETC_STATUS_INVALID_ARGUMENT,
              "the sgd optimizer has no hyper-parameter 'beta1'");
  expectError(set("momentum", 0, 0.9), HETC_STATUS_INVALID_ARGUMENT,
              "the sgd optimizer was compiled without momentum");
  expectError(set("max_grad_norm", 0, 1.0), HETC_STATUS_INVALID_ARGUMENT,
              "gradient clipping is not compiled into this artifact");
  expectError(set("rate", 0, 0.1), HETC_STATUS_INVALID_ARGUMENT,
              "unknown hyper-parameter 'rate'");
  expectError(set(nullptr, 0, 0.1), HETC_STATUS_INVALID_ARGUMENT,
              "unknown hyper-parameter '(null)'");
  double v;
  expectError(hetc_session_get_hyperparameter(session, "eps", 0, &v),
              HETC_STATUS_INVALID_ARGUMENT,
              "the sgd optimizer has no hyper-parameter 'eps'");
  // set_tensor meets the same checks.
  float bad = -2.0f;
  hetc_tensor_t t = {"hyper:lr", HETC_DTYPE_F32, 0, nullptr, &bad};
  expectError(hetc_session_set_tensor(session, &t),
              HETC_STATUS_INVALID_ARGUMENT,
              "hyper-parameter 'lr' must be a finite number >= 0, got -2");
  EXPECT_EQ(get("lr", 0), 0.5);
}

TEST(HyperManifest, BetaRangeAndMalformedHyperArguments) {
  hetc_artifact_t *a;
  expectError(
      openBytes(
          encode(hyperManifest("", "\"one\""), HETC_FAKE_HYPER_MODEL_PATH), &a),
      HETC_STATUS_DATA_LOSS,
      "hyper-parameter 'hyper:group1:lr' lacks a short \"hyper\" "
      "name or a \"group\"");
  expectError(
      openBytes(encode(hyperManifest("", "-1"), HETC_FAKE_HYPER_MODEL_PATH),
                &a),
      HETC_STATUS_DATA_LOSS, "hyper-parameter 'hyper:group1:lr'");
  // A beta is refused outside [0, 1) (the name decides the range).
  std::string text = hyperManifest();
  const std::string lr1 = "\"hyper\": \"lr\", \"group\": 1";
  text.replace(text.find(lr1), lr1.size(),
               "\"hyper\": \"beta1\", \"group\": 0");
  ASSERT_EQ(openBytes(encode(text, HETC_FAKE_HYPER_MODEL_PATH), &a), nullptr);
  hetc_device_t *d;
  hetc_session_t *s;
  ASSERT_EQ(hetc_device_open("cpu", 0, &d), nullptr);
  ASSERT_EQ(hetc_session_create(a, d, &s), nullptr);
  ASSERT_EQ(hetc_session_init_params(s, 1), nullptr);
  expectError(hetc_session_set_hyperparameter(s, "beta1", 0, 1.0),
              HETC_STATUS_INVALID_ARGUMENT,
              "hyper-parameter 'beta1' must be in [0, 1), got 1");
  EXPECT_EQ(hetc_session_set_hyperparameter(s, "beta1", 0, 0.95), nullptr);
  hetc_session_free(s);
  hetc_device_free(d);
  hetc_artifact_free(a);
}
