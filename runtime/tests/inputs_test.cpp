//===- inputs_test.cpp - host-side label checks and dtype conversions -----===//

#include "hetc/runtime/artifact_format.h"
#include "hetc/runtime/hetc_runtime.h"
#include "runtime_test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

/// The fake label model's artifact; `classes` is the label's manifest
/// entry ("" for none), `labelDtype` its dtype.
std::string artifactBytes(const std::string &classes,
                          const std::string &labelDtype, const char *host) {
  std::string args =
      R"({"name": "w", "role": "param", "dtype": "f32", "shape": [3],
          "init": {"kind": "ones"}},
         {"name": "x", "role": "input", "dtype": "f32", "shape": [4]},
         {"name": "labels", "role": "label", "dtype": ")" +
      labelDtype + R"(", "shape": [4])" + classes + "}";
  std::string text =
      R"({"format_version": 1, "compiler_version": "0.1.0", "target": "cpu",
    "chip": "x86-64", "entries": [
    {"name": "train_step", "kind": "train_step",
     "symbol": "hetc_entry_train_step", "args": [)" +
      args + R"(], "results": [{"name": "loss", "role": "loss", "dtype": "f32",
     "shape": []}]},
    {"name": "eval", "kind": "eval", "symbol": "hetc_entry_eval", "args": [)" +
      args + R"(], "results": [{"name": "loss", "role": "loss", "dtype": "f32",
     "shape": []}]}]})";
  return hetc_test::encode(text, host);
}

std::string message(hetc_status_t status) {
  std::string text = status ? hetc_status_message(status) : "OK";
  hetc_status_free(status);
  return text;
}

struct Labels : ::testing::Test {
  hetc_artifact_t *artifact = nullptr;
  hetc_device_t *device = nullptr;
  hetc_session_t *session = nullptr;
  int64_t shape[1] = {4};
  float x[4] = {1, 2, 3, 4};

  void open(const std::string &labelDtype = "i32",
            const char *host = HETC_FAKE_LABEL_MODEL_PATH) {
    std::string bytes = artifactBytes(R"(, "classes": 3)", labelDtype, host);
    ASSERT_EQ(message(hetc_artifact_open_memory(bytes.data(), bytes.size(),
                                                &artifact)),
              "OK");
    ASSERT_EQ(message(hetc_device_open("cpu", 0, &device)), "OK");
    ASSERT_EQ(message(hetc_session_create(artifact, device, &session)), "OK");
    ASSERT_EQ(message(hetc_session_init_params(session, 0)), "OK");
  }
  void TearDown() override {
    hetc_session_free(session);
    hetc_device_free(device);
    hetc_artifact_free(artifact);
  }

  template <typename T>
  std::string step(const T *labels, hetc_dtype_t dtype, float *loss,
                   const char *entry = nullptr) {
    hetc_tensor_t in[2] = {
        {"x", HETC_DTYPE_F32, 1, shape, x},
        {"labels", dtype, 1, shape,
         const_cast<void *>(static_cast<const void *>(labels))}};
    return message(
        entry ? hetc_session_run(session, entry, in, 2, loss, nullptr, 0)
              : hetc_session_train_step(session, in, 2, loss, nullptr, 0));
  }

  void weights(float out[3]) {
    int64_t wShape[1] = {3};
    hetc_tensor_t t = {"w", HETC_DTYPE_F32, 1, wShape, out};
    ASSERT_EQ(message(hetc_session_get_tensor(session, &t)), "OK");
  }
};

TEST_F(Labels, OutOfRangeIsRefusedAndNothingIsUpdated) {
  open();
  float before[3], after[3], loss = 0;
  weights(before);
  int32_t bad[4] = {0, 1, 7, 2};
  EXPECT_EQ(step(bad, HETC_DTYPE_I32, &loss),
            "label 'labels' row 2 has value 7, outside [0, 3)");
  int32_t negative[4] = {-1, 0, 0, 0};
  EXPECT_EQ(step(negative, HETC_DTYPE_I32, &loss, "eval"),
            "label 'labels' row 0 has value -1, outside [0, 3)");
  weights(after);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(before[i], after[i]);
  EXPECT_EQ(hetc_session_step(session), 0);
  // A good batch still trains.
  int32_t good[4] = {0, 1, 2, 2};
  EXPECT_EQ(step(good, HETC_DTYPE_I32, &loss), "OK");
  EXPECT_TRUE(std::isfinite(loss));
  weights(after);
  EXPECT_NE(before[2], after[2]);
}

TEST_F(Labels, Int64LabelsForAnI32LabelAreConverted) {
  open();
  int64_t labels[4] = {0, 1, 2, 2};
  float loss = 0;
  EXPECT_EQ(step(labels, HETC_DTYPE_I64, &loss), "OK");
  EXPECT_FLOAT_EQ(loss, (1 + 2 + 3 + 4) / 4.0f);
  int64_t outside[4] = {0, 1, 3, 2};
  EXPECT_EQ(step(outside, HETC_DTYPE_I64, &loss),
            "label 'labels' row 2 has value 3, outside [0, 3)");
  int64_t huge[4] = {0, int64_t(1) << 40, 0, 0};
  EXPECT_EQ(step(huge, HETC_DTYPE_I64, &loss),
            "label 'labels' row 1 has value 1099511627776, which does not "
            "fit the artifact's i32 (given i64)");
  EXPECT_EQ(hetc_session_step(session), 1);
}

TEST_F(Labels, Int32LabelsForAnI64LabelAreWidenedAndChecked) {
  open("i64", HETC_FAKE_LABEL_MODEL_I64_PATH);
  int32_t labels[4] = {2, 1, 0, 0};
  float loss = 0;
  EXPECT_EQ(step(labels, HETC_DTYPE_I32, &loss), "OK");
  EXPECT_FLOAT_EQ(loss, (1 + 2 + 3 + 4) / 4.0f);
  int32_t bad[4] = {2, 1, 0, 5};
  EXPECT_EQ(step(bad, HETC_DTYPE_I32, &loss),
            "label 'labels' row 3 has value 5, outside [0, 3)");
  int64_t bad64[4] = {2, 1, 0, 3};
  EXPECT_EQ(step(bad64, HETC_DTYPE_I64, &loss),
            "label 'labels' row 3 has value 3, outside [0, 3)");
}

TEST_F(Labels, FloatLabelsAreRefusedWithBothDtypes) {
  open();
  float labels[4] = {0, 1, 2, 2};
  float loss = 0;
  EXPECT_EQ(step(labels, HETC_DTYPE_F32, &loss),
            "label 'labels' has dtype f32 but the artifact expects i32 "
            "(integer values are not converted from floating point)");
}

TEST_F(Labels, HalfInputsAreWidenedOtherDtypesRefused) {
  open();
  // 1, 2, 3, 4 as f16 and as bf16.
  uint16_t half[4] = {0x3c00, 0x4000, 0x4200, 0x4400};
  uint16_t bhalf[4] = {0x3f80, 0x4000, 0x4040, 0x4080};
  int32_t labels[4] = {0, 1, 2, 2};
  for (auto [data, dtype] :
       {std::pair{half, HETC_DTYPE_F16}, std::pair{bhalf, HETC_DTYPE_BF16}}) {
    hetc_tensor_t in[2] = {{"x", dtype, 1, shape, data},
                           {"labels", HETC_DTYPE_I32, 1, shape, labels}};
    float loss = 0;
    EXPECT_EQ(
        message(hetc_session_run(session, "eval", in, 2, &loss, nullptr, 0)),
        "OK");
    EXPECT_FLOAT_EQ(loss, (1 + 2 + 3 + 4) / 4.0f);
  }
  int32_t ints[4] = {1, 2, 3, 4};
  hetc_tensor_t in[2] = {{"x", HETC_DTYPE_I32, 1, shape, ints},
                         {"labels", HETC_DTYPE_I32, 1, shape, labels}};
  float loss = 0;
  EXPECT_EQ(
      message(hetc_session_run(session, "eval", in, 2, &loss, nullptr, 0)),
      "input 'x' has dtype i32 but the artifact expects f32");
}

TEST(LabelManifest, MalformedClassCountIsRefused) {
  for (const char *classes :
       {R"(, "classes": 0)", R"(, "classes": 2.5)", R"(, "classes": "3")"}) {
    std::string bytes =
        artifactBytes(classes, "i32", HETC_FAKE_LABEL_MODEL_PATH);
    hetc_artifact_t *artifact = nullptr;
    EXPECT_EQ(message(hetc_artifact_open_memory(bytes.data(), bytes.size(),
                                                &artifact)),
              "artifact manifest: 'labels' has a malformed class count (a "
              "positive integer, on i32 or i64 labels only)")
        << classes;
    hetc_artifact_free(artifact);
  }
}

} // namespace
