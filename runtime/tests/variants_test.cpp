//===- variants_test.cpp - entries compiled for several batch sizes -------===//
//
// One session runs an entry at several batch sizes: variants in one
// artifact (the manifest's "variant_of") or in artifacts attached with
// hetc_session_add_artifact, all bound to the same resident state.
//
//===----------------------------------------------------------------------===//

#include "runtime_test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace hetc_test;

namespace {

/// The params of fake_batch_model, with `w`'s shape and `b`'s role
/// replaceable to build mismatching layouts.
std::string params(const std::string &wShape = "[2]",
                   const std::string &bRole = "param") {
  return R"({"name": "w", "role": "param", "dtype": "f32", "shape": )" +
         wShape + R"(, "init": {"kind": "uniform", "value": 0.5}},
       {"name": "b", "role": ")" +
         bRole + R"(", "dtype": "f32", "shape": [1],
        "init": {"kind": "zeros"}})";
}

/// One train_step or eval entry for `rows` rows.
std::string entry(const std::string &name, const std::string &kind,
                  const std::string &symbol, int rows,
                  const std::string &variantOf = "",
                  const std::string &state = params()) {
  std::string r = std::to_string(rows);
  std::string results =
      R"({"name": "loss", "role": "loss", "dtype": "f32", "shape": []})";
  if (kind == "eval")
    results += R"(, {"name": "output0", "role": "output", "dtype": "f32",
                    "shape": [)" +
               r + "]}";
  return R"({"name": ")" + name + R"(", "kind": ")" + kind +
         R"(", "symbol": ")" + symbol + R"(", )" +
         (variantOf.empty() ? ""
                            : R"("variant_of": ")" + variantOf + R"(", )") +
         R"("args": [)" + state +
         R"(, {"name": "x", "role": "input", "dtype": "f32", "shape": [)" + r +
         R"(, 2]}, {"name": "y", "role": "label", "dtype": "f32", "shape": [)" +
         r + R"(]}], "results": [)" + results + "]}";
}

std::string manifestOf(const std::vector<std::string> &entries,
                       const std::string &target = "cpu") {
  std::string list;
  for (const std::string &e : entries)
    list += (list.empty() ? "" : ", ") + e;
  return R"({"format_version": 1, "compiler_version": "0.1.0", "target": ")" +
         target + R"(", "chip": "x86-64", "entries": [)" + list + "]}";
}

/// Batch-4 entries only, batch-3 entries only, and both as variants.
std::string batch4() {
  return manifestOf(
      {entry("train_step", "train_step", "hetc_entry_train_step", 4),
       entry("eval", "eval", "hetc_entry_eval", 4)});
}
std::string batch3(const std::string &state = params()) {
  return manifestOf(
      {entry("train_step", "train_step", "hetc_entry_train_step_b3", 3, "",
             state),
       entry("eval", "eval", "hetc_entry_eval_b3", 3, "", state)});
}
std::string both() {
  return manifestOf(
      {entry("train_step", "train_step", "hetc_entry_train_step", 4),
       entry("eval", "eval", "hetc_entry_eval", 4),
       entry("train_step_b3", "train_step", "hetc_entry_train_step_b3", 3,
             "train_step"),
       entry("eval_b3", "eval", "hetc_entry_eval_b3", 3, "eval")});
}

hetc_artifact_t *open(const std::string &manifestText) {
  hetc_artifact_t *artifact = nullptr;
  hetc_status_t status =
      openBytes(encode(manifestText, HETC_FAKE_BATCH_MODEL_PATH), &artifact);
  EXPECT_EQ(status, nullptr) << hetc_status_message(status);
  return artifact;
}

struct Variants : ::testing::Test {
  hetc_device_t *device = nullptr;
  std::vector<hetc_artifact_t *> artifacts;
  hetc_session_t *session = nullptr;
  float x[8] = {1, 2, 3, 4, -1, 0, 0.5f, -2};
  float y[4] = {1, 2, 0, -1};

  void SetUp() override {
    ASSERT_EQ(hetc_device_open("cpu", 0, &device), nullptr);
  }
  void TearDown() override {
    hetc_session_free(session);
    for (hetc_artifact_t *a : artifacts)
      hetc_artifact_free(a);
    hetc_device_free(device);
  }
  hetc_artifact_t *add(const std::string &manifestText) {
    artifacts.push_back(open(manifestText));
    return artifacts.back();
  }
  void create(const std::string &manifestText) {
    ASSERT_EQ(hetc_session_create(add(manifestText), device, &session),
              nullptr);
    ASSERT_EQ(hetc_session_init_params(session, 3), nullptr);
  }
  /// A step on the first `rows` rows; the loss, or NaN on error.
  float step(int64_t rows, const char *entry = nullptr) {
    int64_t xShape[2] = {rows, 2}, yShape[1] = {rows};
    hetc_tensor_t in[] = {{"x", HETC_DTYPE_F32, 2, xShape, x},
                          {"y", HETC_DTYPE_F32, 1, yShape, y}};
    float loss = NAN;
    hetc_status_t status =
        entry ? hetc_session_run(session, entry, in, 2, &loss, nullptr, 0)
              : hetc_session_train_step(session, in, 2, &loss, nullptr, 0);
    EXPECT_EQ(status, nullptr) << hetc_status_message(status);
    hetc_status_free(status);
    return loss;
  }
  std::vector<float> get(const char *name, int64_t n) {
    return getVector(session, name, n);
  }
  /// The MSE of the model with the session's parameters on `rows` rows.
  float expectedLoss(int rows) {
    std::vector<float> w = get("w", 2), b = get("b", 1);
    float loss = 0;
    for (int i = 0; i < rows; ++i) {
      float d = x[2 * i] * w[0] + x[2 * i + 1] * w[1] + b[0] - y[i];
      loss += d * d / rows;
    }
    return loss;
  }
};

} // namespace

TEST_F(Variants, OneArtifactHoldsTwoBatchSizes) {
  create(both());
  float want4 = expectedLoss(4), want3 = expectedLoss(3);
  EXPECT_NEAR(step(4, "eval"), want4, 1e-6);
  EXPECT_NEAR(step(3, "eval"), want3, 1e-6);
  EXPECT_NEAR(step(3), want3, 1e-6);
  // The batch-4 step runs on the parameters the batch-3 step updated.
  float next4 = expectedLoss(4);
  EXPECT_NE(next4, want4);
  EXPECT_NEAR(step(4), next4, 1e-6);
  EXPECT_EQ(hetc_session_step(session), 2);
  // Variants share the state: no duplicate tensors.
  EXPECT_EQ(hetc_session_state_count(session), 2u);
}

TEST_F(Variants, AddedArtifactRunsOnTheSameState) {
  create(batch4());
  float want4 = expectedLoss(4);
  EXPECT_NEAR(step(4), want4, 1e-6);
  std::vector<float> trained = get("w", 2);
  ASSERT_EQ(hetc_session_add_artifact(session, add(batch3())), nullptr);
  // Nothing was reset or copied: the parameters are the trained ones.
  EXPECT_EQ(get("w", 2), trained);
  float want3 = expectedLoss(3);
  EXPECT_NEAR(step(3, "eval"), want3, 1e-6);
  EXPECT_NEAR(step(3), want3, 1e-6);
  float next4 = expectedLoss(4);
  EXPECT_NEAR(step(4), next4, 1e-6);
  EXPECT_EQ(hetc_session_step(session), 3);
}

TEST_F(Variants, SignatureFollowsTheInputs) {
  create(both());
  int64_t xShape[2] = {3, 2}, yShape[1] = {3};
  hetc_tensor_t in[] = {{"x", HETC_DTYPE_F32, 2, xShape, x},
                        {"y", HETC_DTYPE_F32, 1, yShape, y}};
  size_t numArgs, numResults;
  const hetc_tensor_info_t *args, *results;
  ASSERT_EQ(hetc_session_entry_signature(session, "eval", in, 2, &numArgs,
                                         &args, &numResults, &results),
            nullptr);
  ASSERT_EQ(numResults, 2u);
  EXPECT_EQ(results[1].shape[0], 3);
  float out[3], loss;
  int64_t outShape[1] = {3};
  hetc_tensor_t outputs[] = {{"output0", HETC_DTYPE_F32, 1, outShape, out}};
  ASSERT_EQ(hetc_session_run(session, "eval", in, 2, &loss, outputs, 1),
            nullptr);
  std::vector<float> w = get("w", 2), b = get("b", 1);
  EXPECT_NEAR(out[2], x[4] * w[0] + x[5] * w[1] + b[0], 1e-6);
}

TEST_F(Variants, UncompiledBatchSizeListsTheCompiledOnes) {
  create(both());
  int64_t xShape[2] = {2, 2}, yShape[1] = {2};
  hetc_tensor_t in[] = {{"x", HETC_DTYPE_F32, 2, xShape, x},
                        {"y", HETC_DTYPE_F32, 1, yShape, y}};
  float loss;
  expectError(hetc_session_train_step(session, in, 2, &loss, nullptr, 0),
              HETC_STATUS_INVALID_ARGUMENT,
              "input 'x' has shape [2, 2] but entry 'train_step' was compiled "
              "for [4, 2], [3, 2] of 'x'; compile this batch size too");
  // Each tensor has a variant's shape, but not the same variant's.
  int64_t yShape4[1] = {4}, xShape3[2] = {3, 2};
  hetc_tensor_t mixed[] = {{"x", HETC_DTYPE_F32, 2, xShape3, x},
                           {"y", HETC_DTYPE_F32, 1, yShape4, y}};
  expectError(hetc_session_train_step(session, mixed, 2, &loss, nullptr, 0),
              HETC_STATUS_INVALID_ARGUMENT,
              "the inputs and labels of entry 'train_step' mix batch sizes");
  // A missing label is named as such, whichever variant x selects.
  expectError(hetc_session_train_step(session, mixed, 1, &loss, nullptr, 0),
              HETC_STATUS_INVALID_ARGUMENT,
              "entry 'train_step' needs the label 'y'");
  EXPECT_EQ(hetc_session_step(session), 0);
}

TEST_F(Variants, AddArtifactRefusesAnotherLayout) {
  create(batch4());
  std::vector<float> w = get("w", 2);
  expectError(hetc_session_add_artifact(session, add(batch3(params("[3]")))),
              HETC_STATUS_FAILED_PRECONDITION,
              "its param 'w' is f32 [3] but the session's param 'w' is f32 "
              "[2]");
  expectError(
      hetc_session_add_artifact(session, add(batch3(params("[2]", "buffer")))),
      HETC_STATUS_FAILED_PRECONDITION,
      "its buffer 'b' is f32 [1] but the session's param 'b'");
  std::string renamed = params();
  renamed.replace(renamed.find("\"b\""), 3, "\"c\"");
  expectError(hetc_session_add_artifact(session, add(batch3(renamed))),
              HETC_STATUS_FAILED_PRECONDITION,
              "the param 'c', which the session does not hold");
  std::string fewer =
      R"({"name": "w", "role": "param", "dtype": "f32", "shape": [2],
          "init": {"kind": "uniform", "value": 0.5}})";
  expectError(hetc_session_add_artifact(session, add(batch3(fewer))),
              HETC_STATUS_FAILED_PRECONDITION,
              "it lacks the session's param 'b'");
  expectError(hetc_session_add_artifact(
                  session, add(manifestOf(
                               {entry("eval", "eval", "hetc_entry_eval_b3", 3)},
                               "vulkan"))),
              HETC_STATUS_FAILED_PRECONDITION,
              "compiled for target 'vulkan' to a session of target 'cpu'");
  // Every refusal left the session as it was: batch 3 is still unknown.
  int64_t xShape[2] = {3, 2}, yShape[1] = {3};
  hetc_tensor_t in[] = {{"x", HETC_DTYPE_F32, 2, xShape, x},
                        {"y", HETC_DTYPE_F32, 1, yShape, y}};
  float loss;
  expectError(hetc_session_train_step(session, in, 2, &loss, nullptr, 0),
              HETC_STATUS_INVALID_ARGUMENT,
              "input 'x' has shape [3, 2] but the artifact expects [4, 2]; "
              "compile this batch size too");
  EXPECT_EQ(get("w", 2), w);
}

TEST(VariantManifest, VariantOfMustNameAnEntryOfItsKind) {
  hetc_artifact_t *artifact = nullptr;
  std::string bad = manifestOf(
      {entry("eval", "eval", "hetc_entry_eval", 4),
       entry("eval_b3", "eval", "hetc_entry_eval_b3", 3, "train_step")});
  expectError(openBytes(encode(bad, HETC_FAKE_BATCH_MODEL_PATH), &artifact),
              HETC_STATUS_DATA_LOSS,
              "entry 'eval_b3' is a variant of 'train_step', which is not a "
              "eval entry of this artifact");
  std::string chained = manifestOf(
      {entry("eval", "eval", "hetc_entry_eval", 4),
       entry("eval_b3", "eval", "hetc_entry_eval_b3", 3, "eval"),
       entry("eval_b3b", "eval", "hetc_entry_eval_b3", 3, "eval_b3")});
  expectError(openBytes(encode(chained, HETC_FAKE_BATCH_MODEL_PATH), &artifact),
              HETC_STATUS_DATA_LOSS, "is a variant of 'eval_b3'");
}
