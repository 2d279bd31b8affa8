//===- fingerprint_test.cpp - SHA-256 and session state fingerprints ------===//
//
// SHA-256 on the FIPS 180-2 / NIST example vectors, and the fingerprint of a
// hand-written model's session: equal for equal states, changed by every
// part of the state, and equal to the documented encoding hashed here by
// hand.
//
//===----------------------------------------------------------------------===//

#include "runtime_test_util.h"

#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace hetc_test;

namespace {

std::string sha256Hex(const std::string &data) {
  uint8_t digest[HETC_SHA256_SIZE];
  hetc_sha256(data.data(), data.size(), digest);
  char hex[2 * HETC_SHA256_SIZE + 1];
  hetc_fingerprint_hex(digest, hex);
  return hex;
}

TEST(Sha256, NistVectors) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb924"
                           "27ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223"
                              "b00361a396177a9cb410ff61f20015ad");
  // 448 bits: the padding needs a second block.
  EXPECT_EQ(
      sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(
      sha256Hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// The fake model of runtime_test.cpp: w [2] (uniform), b [1] (zeros), SGD.
struct Fingerprint : ::testing::Test {
  hetc_artifact_t *artifact = nullptr;
  hetc_device_t *device = nullptr;
  std::vector<hetc_session_t *> sessions;
  float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[4] = {1, 0, 1, 0};
  int64_t xShape[2] = {4, 2}, yShape[1] = {4};

  void SetUp() override {
    ASSERT_EQ(openBytes(encode(manifest()), &artifact), nullptr);
    ASSERT_EQ(hetc_device_open("cpu", 0, &device), nullptr);
  }
  void TearDown() override {
    for (hetc_session_t *s : sessions)
      hetc_session_free(s);
    hetc_device_free(device);
    hetc_artifact_free(artifact);
  }
  hetc_session_t *session(uint64_t seed) {
    hetc_session_t *s = nullptr;
    EXPECT_EQ(hetc_session_create(artifact, device, &s), nullptr);
    sessions.push_back(s);
    EXPECT_EQ(hetc_session_init_params(s, seed), nullptr);
    return s;
  }
  void step(hetc_session_t *s) {
    hetc_tensor_t in[] = {{"x", HETC_DTYPE_F32, 2, xShape, x},
                          {"y", HETC_DTYPE_F32, 1, yShape, y}};
    float loss;
    ASSERT_EQ(hetc_session_train_step(s, in, 2, &loss, nullptr, 0), nullptr);
  }
  static std::string fingerprint(hetc_session_t *s,
                                 const hetc_rng_state_t *rng = nullptr) {
    uint8_t digest[HETC_SHA256_SIZE];
    hetc_status_t status = hetc_session_fingerprint(s, rng, digest);
    EXPECT_EQ(status, nullptr) << hetc_status_message(status);
    char hex[2 * HETC_SHA256_SIZE + 1];
    hetc_fingerprint_hex(digest, hex);
    return hex;
  }
  static std::vector<float> get(hetc_session_t *s, const char *name,
                                int64_t n) {
    std::vector<float> v(n);
    hetc_tensor_t t = {name, HETC_DTYPE_F32, 1, &n, v.data()};
    EXPECT_EQ(hetc_session_get_tensor(s, &t), nullptr);
    return v;
  }
};

TEST_F(Fingerprint, EqualForEqualStatesAndChangedBySteps) {
  hetc_session_t *a = session(3), *b = session(3);
  EXPECT_EQ(fingerprint(a), fingerprint(b));
  EXPECT_NE(fingerprint(a), fingerprint(session(4)));
  step(a);
  std::string once = fingerprint(a);
  EXPECT_NE(once, fingerprint(b));
  step(b);
  EXPECT_EQ(once, fingerprint(b));
  // Calling it leaves the state alone.
  EXPECT_EQ(once, fingerprint(a));
}

TEST_F(Fingerprint, EveryBitOfAParameterCounts) {
  hetc_session_t *s = session(5);
  std::string before = fingerprint(s);
  std::vector<float> w = get(s, "w", 2);
  int64_t n = 2;
  for (int bit = 0; bit < 32; ++bit) {
    std::vector<float> flipped = w;
    uint32_t word;
    std::memcpy(&word, &flipped[1], 4);
    word ^= 1u << bit;
    std::memcpy(&flipped[1], &word, 4);
    hetc_tensor_t t = {"w", HETC_DTYPE_F32, 1, &n, flipped.data()};
    ASSERT_EQ(hetc_session_set_tensor(s, &t), nullptr);
    EXPECT_NE(fingerprint(s), before) << "bit " << bit;
  }
  hetc_tensor_t t = {"w", HETC_DTYPE_F32, 1, &n, w.data()};
  ASSERT_EQ(hetc_session_set_tensor(s, &t), nullptr);
  EXPECT_EQ(fingerprint(s), before);
}

TEST_F(Fingerprint, RngStateCounts) {
  hetc_session_t *s = session(1);
  hetc_rng_state_t zero = {0, 0}, seed = {1, 0}, counter = {0, 1};
  EXPECT_EQ(fingerprint(s), fingerprint(s, &zero));
  EXPECT_NE(fingerprint(s, &zero), fingerprint(s, &seed));
  EXPECT_NE(fingerprint(s, &zero), fingerprint(s, &counter));
  EXPECT_NE(fingerprint(s, &seed), fingerprint(s, &counter));
}

TEST_F(Fingerprint, SurvivesACheckpointRoundTrip) {
  hetc_session_t *a = session(9);
  step(a);
  std::string path = ::testing::TempDir() + "/fingerprint.ckpt";
  ASSERT_EQ(hetc_session_save_checkpoint(a, path.c_str()), nullptr);
  hetc_session_t *b = session(10);
  ASSERT_NE(fingerprint(a), fingerprint(b));
  ASSERT_EQ(hetc_session_load_checkpoint(b, path.c_str()), nullptr);
  EXPECT_EQ(fingerprint(a), fingerprint(b));
  std::remove(path.c_str());
}

// A fingerprint taken while another thread steps the session is the
// fingerprint of one of the states the steps pass through, never a mix.
TEST_F(Fingerprint, SeesOneConsistentStateUnderConcurrentSteps) {
  constexpr int kSteps = 200;
  hetc_session_t *serial = session(6), *shared = session(6);
  std::set<std::string> states = {fingerprint(serial)};
  for (int i = 0; i < kSteps; ++i) {
    step(serial);
    states.insert(fingerprint(serial));
  }
  std::vector<std::string> seen;
  std::thread stepper([&] {
    for (int i = 0; i < kSteps; ++i)
      step(shared);
  });
  for (int i = 0; i < kSteps; ++i)
    seen.push_back(fingerprint(shared));
  stepper.join();
  for (const std::string &f : seen)
    EXPECT_EQ(states.count(f), 1u) << f;
  EXPECT_EQ(fingerprint(shared), fingerprint(serial));
}

// The encoding of docs/reproducibility.md, written out by hand.
template <typename T> void append(std::string &out, T value) {
  out.append(reinterpret_cast<const char *>(&value), sizeof value);
}

void appendTensor(std::string &out, const std::string &name, hetc_role_t role,
                  const std::vector<int64_t> &shape,
                  const std::vector<float> &values) {
  append<uint32_t>(out, name.size());
  out += name;
  append<uint32_t>(out, role);
  append<uint32_t>(out, HETC_DTYPE_F32);
  append<uint32_t>(out, shape.size());
  for (int64_t d : shape)
    append<int64_t>(out, d);
  append<uint64_t>(out, 4 * values.size());
  out.append(reinterpret_cast<const char *>(values.data()), 4 * values.size());
}

TEST_F(Fingerprint, IsTheDocumentedEncoding) {
  hetc_session_t *s = session(11);
  step(s);
  step(s);
  std::string encoded = "HETC-FP1";
  append<int64_t>(encoded, 2);
  append<uint64_t>(encoded, 0x1234);
  append<uint64_t>(encoded, 99);
  append<uint32_t>(encoded, 2);
  appendTensor(encoded, "w", HETC_ROLE_PARAM, {2}, get(s, "w", 2));
  appendTensor(encoded, "b", HETC_ROLE_PARAM, {1}, get(s, "b", 1));
  hetc_rng_state_t rng = {0x1234, 99};
  EXPECT_EQ(fingerprint(s, &rng), sha256Hex(encoded));
}

TEST_F(Fingerprint, HyperParametersCount) {
  hetc_artifact_t *hyper = nullptr;
  std::string text = R"({"format_version": 1, "compiler_version": "0.1.0",
    "target": "cpu", "chip": "x86-64", "optimizer": {"name": "sgd"},
    "entries": [{"name": "train_step", "kind": "train_step",
     "symbol": "hetc_entry_train_step", "args": [
       {"name": "w", "role": "param", "dtype": "f32", "shape": [1],
        "init": {"kind": "ones"}},
       {"name": "hyper:lr", "role": "hyper", "dtype": "f32", "shape": [],
        "hyper": "lr", "group": 0, "init": {"kind": "constant", "value": 0.5}},
       {"name": "hyper:group1:lr", "role": "hyper", "dtype": "f32",
        "shape": [], "hyper": "lr", "group": 1,
        "init": {"kind": "constant", "value": 0.25}},
       {"name": "x", "role": "input", "dtype": "f32", "shape": [1]}],
     "results": [{"name": "loss", "role": "loss", "dtype": "f32",
                  "shape": []}]}]})";
  ASSERT_EQ(openBytes(encode(text, HETC_FAKE_HYPER_MODEL_PATH), &hyper),
            nullptr);
  hetc_session_t *s = nullptr;
  ASSERT_EQ(hetc_session_create(hyper, device, &s), nullptr);
  ASSERT_EQ(hetc_session_init_params(s, 0), nullptr);
  std::string before = fingerprint(s);
  ASSERT_EQ(hetc_session_set_hyperparameter(s, "lr", 1, 0.125), nullptr);
  std::string after = fingerprint(s);
  EXPECT_NE(after, before);
  ASSERT_EQ(hetc_session_set_hyperparameter(s, "lr", 1, 0.25), nullptr);
  EXPECT_EQ(fingerprint(s), before);
  hetc_session_free(s);
  hetc_artifact_free(hyper);
}

TEST(FingerprintErrors, NullArgumentsAreRefused) {
  uint8_t digest[HETC_SHA256_SIZE];
  expectError(hetc_session_fingerprint(nullptr, nullptr, digest),
              HETC_STATUS_INVALID_ARGUMENT, "needs a session");
}

} // namespace
