//===- runtime_test.cpp - the C runtime against good and bad artifacts ----===//

#include "runtime_test_util.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

using namespace hetc_test;

namespace {

struct Fixture : ::testing::Test {
  hetc_artifact_t *artifact = nullptr;
  hetc_device_t *device = nullptr;
  hetc_session_t *session = nullptr;
  int64_t xShape[2] = {4, 2}, yShape[1] = {4};
  float x[8] = {1, 2, 3, 4, -1, 0, 0.5f, -2};
  float y[4] = {1, 2, 0, -1};

  void SetUp() override {
    ASSERT_EQ(openBytes(encode(manifest()), &artifact), nullptr);
    ASSERT_EQ(hetc_device_open("cpu", 0, &device), nullptr);
    ASSERT_EQ(hetc_session_create(artifact, device, &session), nullptr);
    ASSERT_EQ(hetc_session_init_params(session, 42), nullptr);
  }
  void TearDown() override {
    hetc_session_free(session);
    hetc_device_free(device);
    hetc_artifact_free(artifact);
  }
  std::vector<hetc_tensor_t> batch() {
    return {{"x", HETC_DTYPE_F32, 2, xShape, x},
            {"y", HETC_DTYPE_F32, 1, yShape, y}};
  }
  std::vector<float> param(const char *name, int64_t n) {
    return getVector(session, name, n);
  }
};

} // namespace

TEST_F(Fixture, TrainsAndMatchesHandComputedStep) {
  std::vector<float> w = param("w", 2), b = param("b", 1);
  EXPECT_EQ(b[0], 0.0f);
  EXPECT_LE(std::abs(w[0]), 0.5f);
  EXPECT_LE(std::abs(w[1]), 0.5f);
  // One step by hand.
  float gw0 = 0, gw1 = 0, gb = 0, loss = 0;
  for (int i = 0; i < 4; ++i) {
    float d = x[2 * i] * w[0] + x[2 * i + 1] * w[1] + b[0] - y[i];
    loss += d * d / 4;
    gw0 += d / 2 * x[2 * i];
    gw1 += d / 2 * x[2 * i + 1];
    gb += d / 2;
  }
  auto inputs = batch();
  float got = 0;
  ASSERT_EQ(hetc_session_train_step(session, inputs.data(), inputs.size(), &got,
                                    nullptr, 0),
            nullptr);
  EXPECT_NEAR(got, loss, 1e-5);
  std::vector<float> w2 = param("w", 2), b2 = param("b", 1);
  EXPECT_NEAR(w2[0], w[0] - 0.1f * gw0, 1e-5);
  EXPECT_NEAR(w2[1], w[1] - 0.1f * gw1, 1e-5);
  EXPECT_NEAR(b2[0], b[0] - 0.1f * gb, 1e-5);
  float last = got;
  for (int i = 0; i < 50; ++i)
    ASSERT_EQ(hetc_session_train_step(session, inputs.data(), inputs.size(),
                                      &last, nullptr, 0),
              nullptr);
  EXPECT_LT(last, got);
  EXPECT_EQ(hetc_session_step(session), 51);
}

TEST_F(Fixture, EvalReturnsOutputs) {
  auto inputs = batch();
  float out[4] = {0}, loss = -1;
  int64_t shape[1] = {4};
  hetc_tensor_t outputs[] = {{"output0", HETC_DTYPE_F32, 1, shape, out}};
  ASSERT_EQ(hetc_session_run(session, "eval", inputs.data(), inputs.size(),
                             &loss, outputs, 1),
            nullptr);
  std::vector<float> w = param("w", 2);
  EXPECT_NEAR(out[0], x[0] * w[0] + x[1] * w[1], 1e-6);
  EXPECT_GE(loss, 0.0f);
}

TEST_F(Fixture, InitIsDeterministicPerSeed) {
  std::vector<float> first = param("w", 2);
  ASSERT_EQ(hetc_session_init_params(session, 42), nullptr);
  EXPECT_EQ(param("w", 2), first);
  ASSERT_EQ(hetc_session_init_params(session, 7), nullptr);
  EXPECT_NE(param("w", 2), first);
}

TEST_F(Fixture, WrongInputShapeIsNamed) {
  int64_t bad[2] = {8, 2};
  hetc_tensor_t inputs[] = {{"x", HETC_DTYPE_F32, 2, bad, x},
                            {"y", HETC_DTYPE_F32, 1, yShape, y}};
  float loss;
  expectError(hetc_session_train_step(session, inputs, 2, &loss, nullptr, 0),
              HETC_STATUS_INVALID_ARGUMENT,
              "input 'x' has shape [8, 2] but the artifact expects [4, 2]");
}

TEST_F(Fixture, WrongInputDtypeIsNamed) {
  hetc_tensor_t inputs[] = {{"x", HETC_DTYPE_I32, 2, xShape, x},
                            {"y", HETC_DTYPE_F32, 1, yShape, y}};
  float loss;
  expectError(hetc_session_train_step(session, inputs, 2, &loss, nullptr, 0),
              HETC_STATUS_INVALID_ARGUMENT,
              "input 'x' has dtype i32 but the artifact expects f32");
}

TEST_F(Fixture, MissingAndUnknownInputs) {
  hetc_tensor_t onlyX[] = {{"x", HETC_DTYPE_F32, 2, xShape, x}};
  float loss;
  expectError(hetc_session_train_step(session, onlyX, 1, &loss, nullptr, 0),
              HETC_STATUS_INVALID_ARGUMENT,
              "entry 'train_step' needs the label 'y'");
  hetc_tensor_t extra[] = {{"x", HETC_DTYPE_F32, 2, xShape, x},
                           {"y", HETC_DTYPE_F32, 1, yShape, y},
                           {"z", HETC_DTYPE_F32, 1, yShape, y}};
  expectError(hetc_session_train_step(session, extra, 3, &loss, nullptr, 0),
              HETC_STATUS_INVALID_ARGUMENT, "has no input named 'z'");
}

TEST_F(Fixture, MissingEntry) {
  auto inputs = batch();
  float loss;
  expectError(hetc_session_run(session, "predict", inputs.data(), inputs.size(),
                               &loss, nullptr, 0),
              HETC_STATUS_NOT_FOUND, "artifact has no entry named 'predict'");
}

TEST_F(Fixture, CheckpointRoundTrip) {
  auto inputs = batch();
  float loss;
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(hetc_session_train_step(session, inputs.data(), inputs.size(),
                                      &loss, nullptr, 0),
              nullptr);
  std::string path = ::testing::TempDir() + "/roundtrip.ckpt";
  ASSERT_EQ(hetc_session_save_checkpoint(session, path.c_str()), nullptr);
  std::vector<float> saved = param("w", 2);
  ASSERT_EQ(hetc_session_init_params(session, 1), nullptr);
  ASSERT_NE(param("w", 2), saved);
  ASSERT_EQ(hetc_session_load_checkpoint(session, path.c_str()), nullptr);
  EXPECT_EQ(param("w", 2), saved);
  EXPECT_EQ(hetc_session_step(session), 3);
}

TEST_F(Fixture, MissingCheckpoint) {
  expectError(hetc_session_load_checkpoint(session, "/nonexistent/x.ckpt"),
              HETC_STATUS_NOT_FOUND,
              "checkpoint file '/nonexistent/x.ckpt' not found");
}

TEST_F(Fixture, CorruptCheckpoint) {
  std::string path = ::testing::TempDir() + "/corrupt.ckpt";
  ASSERT_EQ(hetc_session_save_checkpoint(session, path.c_str()), nullptr);
  std::string bytes = readFile(path);
  bytes[bytes.size() / 2] ^= 0x40;
  std::ofstream(path, std::ios::binary) << bytes;
  expectError(hetc_session_load_checkpoint(session, path.c_str()),
              HETC_STATUS_DATA_LOSS, "is corrupt (CRC mismatch)");
}

TEST_F(Fixture, CheckpointOfAnotherArtifactIsRejected) {
  // Every entry declares w; all must change for a consistent artifact.
  std::string other = manifest();
  for (size_t pos; (pos = other.find("\"shape\": [2]")) != std::string::npos;)
    other.replace(pos, 12, "\"shape\": [3]");
  hetc_artifact_t *a2;
  ASSERT_EQ(openBytes(encode(other), &a2), nullptr);
  hetc_session_t *s2;
  ASSERT_EQ(hetc_session_create(a2, device, &s2), nullptr);
  std::string path = ::testing::TempDir() + "/other.ckpt";
  ASSERT_EQ(hetc_session_save_checkpoint(s2, path.c_str()), nullptr);
  expectError(hetc_session_load_checkpoint(session, path.c_str()),
              HETC_STATUS_FAILED_PRECONDITION,
              "'w' is f32 [3] but the artifact expects f32 [2]");
  hetc_session_free(s2);
  hetc_artifact_free(a2);
}

TEST_F(Fixture, InterruptedSaveKeepsThePreviousCheckpoint) {
  std::string path = ::testing::TempDir() + "/interrupted.ckpt";
  ASSERT_EQ(hetc_session_save_checkpoint(session, path.c_str()), nullptr);
  std::string before = readFile(path);
  auto inputs = batch();
  float loss;
  ASSERT_EQ(hetc_session_train_step(session, inputs.data(), inputs.size(),
                                    &loss, nullptr, 0),
            nullptr);
  // Make the write fail half-way, as a full disk would.
  // Only the soft limit moves, so it can be restored without privileges.
  struct rlimit old;
  getrlimit(RLIMIT_FSIZE, &old);
  struct rlimit tiny = {64, old.rlim_max};
  std::signal(SIGXFSZ, SIG_IGN);
  setrlimit(RLIMIT_FSIZE, &tiny);
  hetc_status_t status = hetc_session_save_checkpoint(session, path.c_str());
  setrlimit(RLIMIT_FSIZE, &old);
  expectError(status, HETC_STATUS_INTERNAL,
              "the previous checkpoint is "
              "unchanged");
  EXPECT_EQ(readFile(path), before);
  EXPECT_EQ(hetc_session_load_checkpoint(session, path.c_str()), nullptr);
}

TEST(Artifact, Truncated) {
  std::string bytes = encode(manifest());
  hetc_artifact_t *a;
  expectError(openBytes(bytes.substr(0, 40), &a), HETC_STATUS_DATA_LOSS,
              "artifact is truncated: 40 bytes");
  expectError(openBytes(bytes.substr(0, bytes.size() - 100), &a),
              HETC_STATUS_DATA_LOSS, "artifact is truncated or padded");
}

TEST(Artifact, BadMagic) {
  std::string bytes = encode(manifest());
  bytes[0] = 'X';
  hetc_artifact_t *a;
  expectError(openBytes(bytes, &a), HETC_STATUS_DATA_LOSS,
              "not a hetc artifact: bad magic");
}

TEST(Artifact, NewerVersion) {
  std::string bytes = encode(manifest());
  bytes[HETC_ARTIFACT_OFF_VERSION] = 7;
  hetc_artifact_t *a;
  expectError(openBytes(bytes, &a), HETC_STATUS_FAILED_PRECONDITION,
              "artifact format version 7 is newer than this runtime supports "
              "(1)");
}

TEST(Artifact, CorruptSectionIsNamed) {
  std::string bytes = encode(manifest());
  size_t pos = bytes.find("compiler_version");
  bytes[pos] ^= 0x20;
  hetc_artifact_t *a;
  expectError(openBytes(bytes, &a), HETC_STATUS_DATA_LOSS,
              "artifact section 'manifest' is corrupt (CRC mismatch)");
}

TEST(Artifact, MalformedManifest) {
  hetc_artifact_t *a;
  expectError(openBytes(encode("{\"target\": \"cpu\", }"), &a),
              HETC_STATUS_DATA_LOSS,
              "artifact manifest is not valid JSON: expected a string at "
              "byte 18");
  std::string noDtype = manifest();
  noDtype.replace(noDtype.find("\"dtype\": \"f32\""), 14, "\"dtype\": \"f64\"");
  expectError(openBytes(encode(noDtype), &a), HETC_STATUS_DATA_LOSS,
              "'w' has unknown dtype 'f64'");
}

TEST(Artifact, MissingFile) {
  hetc_artifact_t *a;
  expectError(hetc_artifact_open("/nonexistent/model.hetc", &a),
              HETC_STATUS_NOT_FOUND,
              "artifact file '/nonexistent/model.hetc' not found");
}

TEST(Artifact, UnknownTarget) {
  hetc_artifact_t *a;
  ASSERT_EQ(openBytes(encode(manifest("tpu")), &a), nullptr);
  hetc_device_t *cpu;
  ASSERT_EQ(hetc_device_open("cpu", 0, &cpu), nullptr);
  hetc_session_t *s;
  expectError(hetc_session_create(a, cpu, &s), HETC_STATUS_FAILED_PRECONDITION,
              "compiled for target 'tpu' but the device uses the 'cpu' "
              "driver");
  hetc_device_free(cpu);
  hetc_artifact_free(a);
}

TEST(Artifact, CpuFeaturesAreChecked) {
  // An artifact whose host code needs a feature this runtime cannot
  // confirm is refused before any of its code runs.
  std::string text = manifest();
  text.insert(1, R"("cpu_features": ["avx", "quantum-fma"], )");
  hetc_artifact_t *a;
  ASSERT_EQ(openBytes(encode(text), &a), nullptr);
  hetc_device_t *cpu;
  ASSERT_EQ(hetc_device_open("cpu", 0, &cpu), nullptr);
  hetc_session_t *s;
  hetc_status_t status = hetc_session_create(a, cpu, &s);
  if (__builtin_cpu_supports("avx"))
    expectError(status, HETC_STATUS_FAILED_PRECONDITION,
                "needs the CPU feature 'quantum-fma' (compiled for chip "
                "'x86-64'), which this runtime does not know");
  else
    expectError(status, HETC_STATUS_FAILED_PRECONDITION,
                "needs the CPU feature 'avx'");
  hetc_device_free(cpu);
  hetc_artifact_free(a);
}

TEST(Artifact, MissingSymbol) {
  hetc_artifact_t *a;
  ASSERT_EQ(openBytes(encode(manifest("cpu", "hetc_entry_nope")), &a), nullptr);
  hetc_device_t *cpu;
  ASSERT_EQ(hetc_device_open("cpu", 0, &cpu), nullptr);
  hetc_session_t *s;
  expectError(hetc_session_create(a, cpu, &s), HETC_STATUS_NOT_FOUND,
              "entry 'train_step': the host code has no symbol "
              "'hetc_entry_nope'");
  hetc_device_free(cpu);
  hetc_artifact_free(a);
}

TEST(Buffers, ResidentUpdatedByTrainStepOnlyAndCheckpointed) {
  const char *args =
      R"({"name": "w", "role": "param", "dtype": "f32", "shape": [1],
          "init": {"kind": "ones"}},
         {"name": "count", "role": "buffer", "dtype": "f32", "shape": [1],
          "init": {"kind": "constant", "value": 3.0}},
         {"name": "x", "role": "input", "dtype": "f32", "shape": [1]})";
  const char *loss =
      R"([{"name": "loss", "role": "loss", "dtype": "f32", "shape": []}])";
  std::string text =
      std::string(R"({"format_version": 1, "compiler_version": "0.1.0",
    "target": "cpu", "chip": "x86-64", "entries": [
    {"name": "train_step", "kind": "train_step",
     "symbol": "hetc_entry_train_step", "args": [)") +
      args + R"(], "results": )" + loss + R"(},
    {"name": "eval", "kind": "eval", "symbol": "hetc_entry_eval",
     "args": [)" +
      args + R"(], "results": )" + loss + "}]}";
  hetc_artifact_t *a;
  hetc_device_t *d;
  hetc_session_t *s;
  ASSERT_EQ(openBytes(encode(text, HETC_FAKE_BUFFER_MODEL_PATH), &a), nullptr);
  ASSERT_EQ(hetc_device_open("cpu", 0, &d), nullptr);
  ASSERT_EQ(hetc_session_create(a, d, &s), nullptr);
  ASSERT_EQ(hetc_session_init_params(s, 1), nullptr);
  ASSERT_EQ(hetc_session_state_count(s), 2u);
  EXPECT_STREQ(hetc_session_state_info(s, 1)->name, "count");
  EXPECT_EQ(hetc_session_state_info(s, 1)->role, HETC_ROLE_BUFFER);
  EXPECT_STREQ(hetc_role_name(HETC_ROLE_BUFFER), "buffer");
  int64_t one[1] = {1};
  auto get = [&](const char *name) {
    float v = -1;
    hetc_tensor_t t = {name, HETC_DTYPE_F32, 1, one, &v};
    EXPECT_EQ(hetc_session_get_tensor(s, &t), nullptr);
    return v;
  };
  EXPECT_EQ(get("count"), 3.0f);

  float x = 2, out = 0;
  hetc_tensor_t in[] = {{"x", HETC_DTYPE_F32, 1, one, &x}};
  // The buffer is the session's, not an input.
  hetc_tensor_t withCount[] = {{"x", HETC_DTYPE_F32, 1, one, &x},
                               {"count", HETC_DTYPE_F32, 1, one, &x}};
  expectError(hetc_session_train_step(s, withCount, 2, &out, nullptr, 0),
              HETC_STATUS_INVALID_ARGUMENT,
              "entry 'train_step' has no input named 'count'");
  ASSERT_EQ(hetc_session_train_step(s, in, 1, &out, nullptr, 0), nullptr);
  EXPECT_EQ(out, 2.0f);
  EXPECT_EQ(get("w"), 0.0f);
  EXPECT_EQ(get("count"), 5.0f);
  // Eval reads the buffer and leaves it.
  float w = 1.5f;
  hetc_tensor_t wt = {"w", HETC_DTYPE_F32, 1, one, &w};
  ASSERT_EQ(hetc_session_set_tensor(s, &wt), nullptr);
  ASSERT_EQ(hetc_session_run(s, "eval", in, 1, &out, nullptr, 0), nullptr);
  EXPECT_EQ(out, 1.5f * 2 + 5);
  EXPECT_EQ(get("count"), 5.0f);

  std::string path = ::testing::TempDir() + "/buffer.ckpt";
  ASSERT_EQ(hetc_session_save_checkpoint(s, path.c_str()), nullptr);
  float count = -7;
  hetc_tensor_t ct = {"count", HETC_DTYPE_F32, 1, one, &count};
  ASSERT_EQ(hetc_session_set_tensor(s, &ct), nullptr);
  EXPECT_EQ(get("count"), -7.0f);
  ASSERT_EQ(hetc_session_load_checkpoint(s, path.c_str()), nullptr);
  EXPECT_EQ(get("count"), 5.0f);
  EXPECT_EQ(get("w"), 1.5f);
  hetc_session_free(s);
  hetc_device_free(d);
  hetc_artifact_free(a);
}

TEST(Devices, TwoSessionsOnTwoDevicesAreIndependent) {
  hetc_artifact_t *a;
  ASSERT_EQ(openBytes(encode(manifest()), &a), nullptr);
  hetc_device_t *d1, *d2;
  ASSERT_EQ(hetc_device_open("cpu", 0, &d1), nullptr);
  ASSERT_EQ(hetc_device_open("cpu", 0, &d2), nullptr);
  hetc_session_t *s1, *s2;
  ASSERT_EQ(hetc_session_create(a, d1, &s1), nullptr);
  ASSERT_EQ(hetc_session_create(a, d2, &s2), nullptr);
  ASSERT_EQ(hetc_session_init_params(s1, 3), nullptr);
  ASSERT_EQ(hetc_session_init_params(s2, 3), nullptr);
  int64_t xs[2] = {4, 2}, ys[1] = {4};
  float x[8] = {1, 1, 1, 1, 1, 1, 1, 1}, y[4] = {1, 1, 1, 1}, loss;
  hetc_tensor_t in[] = {{"x", HETC_DTYPE_F32, 2, xs, x},
                        {"y", HETC_DTYPE_F32, 1, ys, y}};
  ASSERT_EQ(hetc_session_train_step(s1, in, 2, &loss, nullptr, 0), nullptr);
  float w1[2], w2[2];
  int64_t shape[1] = {2};
  hetc_tensor_t t1 = {"w", HETC_DTYPE_F32, 1, shape, w1};
  hetc_tensor_t t2 = {"w", HETC_DTYPE_F32, 1, shape, w2};
  ASSERT_EQ(hetc_session_get_tensor(s1, &t1), nullptr);
  ASSERT_EQ(hetc_session_get_tensor(s2, &t2), nullptr);
  EXPECT_NE(w1[0], w2[0]); // only s1 trained
  EXPECT_EQ(hetc_session_step(s2), 0);
  hetc_session_free(s1);
  hetc_session_free(s2);
  hetc_device_free(d1);
  hetc_device_free(d2);
  hetc_artifact_free(a);
}

TEST(Devices, TwoArtifactsRunTheirOwnCode) {
  // Loading a second artifact while the first is alive must not hand back
  // the first one's host code (libraries are identified by path).
  hetc_artifact_t *a1, *a2;
  ASSERT_EQ(openBytes(encode(manifest()), &a1), nullptr);
  ASSERT_EQ(openBytes(encode(manifest(), HETC_FAKE_MODEL_LR2_PATH), &a2),
            nullptr);
  hetc_device_t *cpu;
  ASSERT_EQ(hetc_device_open("cpu", 0, &cpu), nullptr);
  hetc_session_t *s1, *s2;
  ASSERT_EQ(hetc_session_create(a1, cpu, &s1), nullptr);
  ASSERT_EQ(hetc_session_create(a2, cpu, &s2), nullptr);
  int64_t xs[2] = {4, 2}, ys[1] = {4}, one[1] = {1};
  float x[8] = {1, 0, 1, 0, 1, 0, 1, 0}, y[4] = {1, 1, 1, 1}, loss;
  hetc_tensor_t in[] = {{"x", HETC_DTYPE_F32, 2, xs, x},
                        {"y", HETC_DTYPE_F32, 1, ys, y}};
  float zero[2] = {0, 0}, b = 0;
  int64_t two[1] = {2};
  for (hetc_session_t *s : {s1, s2}) {
    hetc_tensor_t w = {"w", HETC_DTYPE_F32, 1, two, zero};
    hetc_tensor_t bias = {"b", HETC_DTYPE_F32, 1, one, &b};
    ASSERT_EQ(hetc_session_set_tensor(s, &w), nullptr);
    ASSERT_EQ(hetc_session_set_tensor(s, &bias), nullptr);
    ASSERT_EQ(hetc_session_train_step(s, in, 2, &loss, nullptr, 0), nullptr);
  }
  // From zeros, d loss / d b = -2, so b = 2 * lr after one step.
  float b1, b2;
  hetc_tensor_t t1 = {"b", HETC_DTYPE_F32, 1, one, &b1};
  hetc_tensor_t t2 = {"b", HETC_DTYPE_F32, 1, one, &b2};
  ASSERT_EQ(hetc_session_get_tensor(s1, &t1), nullptr);
  ASSERT_EQ(hetc_session_get_tensor(s2, &t2), nullptr);
  EXPECT_FLOAT_EQ(b1, 0.2f);
  EXPECT_FLOAT_EQ(b2, 0.4f);
  hetc_session_free(s1);
  hetc_session_free(s2);
  hetc_device_free(cpu);
  hetc_artifact_free(a1);
  hetc_artifact_free(a2);
}

TEST(Devices, UnknownDriver) {
  hetc_device_t *d;
  expectError(hetc_device_open("tpu", 0, &d), HETC_STATUS_INVALID_ARGUMENT,
              "unknown driver 'tpu'");
}

TEST(Devices, GpuDriversReportWhatIsMissing) {
  // This machine has no GPU: each driver names its library or its device.
  // cuda, rocm and level-zero: gpu_drivers_test.cpp.
  hetc_device_t *d;
  for (const char *name : {"vulkan"}) {
    hetc_status_t status = hetc_device_open(name, 0, &d);
    if (!status && std::string(name) == "vulkan") {
      // Vulkan runs on lavapipe, Mesa's CPU device, where that is installed.
      EXPECT_EQ(std::string(hetc_device_description(d)).rfind("Vulkan: ", 0),
                0u)
          << hetc_device_description(d);
      hetc_device_free(d);
      continue;
    }
    ASSERT_NE(status, nullptr) << name;
    std::string message = hetc_status_message(status);
    hetc_status_code_t code = hetc_status_code(status);
    EXPECT_TRUE(code == HETC_STATUS_UNAVAILABLE ||
                code == HETC_STATUS_UNIMPLEMENTED)
        << name << ": " << message;
    hetc_status_free(status);
  }
}
