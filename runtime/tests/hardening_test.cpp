//===- hardening_test.cpp - the runtime against hostile and broken input --===//
//
// Regression tests for the crash and undefined-behaviour families found by
// fuzzing (issue 13): the runtime's own parsing, the manifest against the
// code it describes, checkpoints bound to their artifact, and sessions used
// from several threads.
//
//===----------------------------------------------------------------------===//

#include "runtime_test_util.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace hetc_test;

namespace {

void put32(std::string &b, size_t at, uint32_t v) { memcpy(&b[at], &v, 4); }
void put64(std::string &b, size_t at, uint64_t v) { memcpy(&b[at], &v, 8); }

/// The fake model's manifest with `params` as the state tensors of both
/// entries, plus a `slow` entry (eval after a 300 ms sleep).
std::string
manifestWith(const std::string &params,
             const std::string &trainSymbol = "hetc_entry_train_step") {
  std::string data =
      R"({"name": "x", "role": "input", "dtype": "f32", "shape": [4, 2]},
         {"name": "y", "role": "label", "dtype": "f32", "shape": [4]})";
  std::string args = params + ", " + data;
  std::string evalResults =
      R"([{"name": "loss", "role": "loss", "dtype": "f32", "shape": []},
          {"name": "output0", "role": "output", "dtype": "f32",
           "shape": [4]}])";
  return R"({"format_version": 1, "compiler_version": "0.1.0",
    "target": "cpu", "chip": "x86-64", "entries": [
    {"name": "train_step", "kind": "train_step", "symbol": ")" +
         trainSymbol + R"(", "args": [)" + args + R"(],
     "results": [{"name": "loss", "role": "loss", "dtype": "f32",
                  "shape": []}]},
    {"name": "eval", "kind": "eval", "symbol": "hetc_entry_eval",
     "args": [)" +
         args + R"(], "results": )" + evalResults + R"(},
    {"name": "slow", "kind": "eval", "symbol": "hetc_entry_slow",
     "args": [)" +
         args + R"(], "results": )" + evalResults + "}]}";
}

const char *kParams =
    R"({"name": "w", "role": "param", "dtype": "f32", "shape": [2],
        "init": {"kind": "uniform", "value": 0.5}},
       {"name": "b", "role": "param", "dtype": "f32", "shape": [1],
        "init": {"kind": "zeros"}})";

/// A manifest whose `w` has `shape` (JSON text) instead of [2].
std::string withShape(const std::string &shape) {
  std::string m = manifest();
  for (size_t pos; (pos = m.find("\"shape\": [2]")) != std::string::npos;)
    m.replace(pos, 12, "\"shape\": " + shape);
  return m;
}

std::string expectOpenError(const std::string &manifestText,
                            const std::string &text) {
  hetc_artifact_t *a = nullptr;
  hetc_status_t status = openBytes(encode(manifestText), &a);
  EXPECT_EQ(a, nullptr);
  std::string message = status ? hetc_status_message(status) : "";
  expectError(status, HETC_STATUS_DATA_LOSS, text);
  return message;
}

/// Rewrites the CRC that ends a checkpoint.
void resealCheckpoint(std::string &bytes) {
  uint32_t crc = hetc_crc32(0, bytes.data(), bytes.size() - 4);
  put32(bytes, bytes.size() - 4, crc);
}

struct Session {
  hetc_artifact_t *artifact = nullptr;
  hetc_device_t *device = nullptr;
  hetc_session_t *session = nullptr;
  explicit Session(const std::string &manifestText,
                   const char *host = HETC_FAKE_MODEL_PATH) {
    EXPECT_EQ(openBytes(encode(manifestText, host), &artifact), nullptr);
    EXPECT_EQ(hetc_device_open("cpu", 0, &device), nullptr);
    if (artifact && device) {
      EXPECT_EQ(hetc_session_create(artifact, device, &session), nullptr);
    }
    if (session) {
      EXPECT_EQ(hetc_session_init_params(session, 7), nullptr);
    }
  }
  ~Session() {
    hetc_session_free(session);
    hetc_device_free(device);
    hetc_artifact_free(artifact);
  }
  std::vector<float> get(const char *name, int64_t n) {
    return getVector(session, name, n);
  }
};

int64_t xShape[2] = {4, 2}, yShape[1] = {4}, outShape[1] = {4};

hetc_status_t step(hetc_session_t *s, float *x, float *y, float *loss) {
  hetc_tensor_t in[2] = {{"x", HETC_DTYPE_F32, 2, xShape, x},
                         {"y", HETC_DTYPE_F32, 1, yShape, y}};
  return hetc_session_train_step(s, in, 2, loss, nullptr, 0);
}

hetc_status_t eval(hetc_session_t *s, const char *entry, float *x, float *y,
                   float *loss, float *out) {
  hetc_tensor_t in[2] = {{"x", HETC_DTYPE_F32, 2, xShape, x},
                         {"y", HETC_DTYPE_F32, 1, yShape, y}};
  hetc_tensor_t o[1] = {{"output0", HETC_DTYPE_F32, 1, outShape, out}};
  return hetc_session_run(s, entry, in, 2, loss, o, 1);
}

float kX[8] = {1, 2, 3, 4, -1, 0, 0.5f, -2};
float kY[4] = {1, 2, 0, -1};

std::vector<std::string> filesStartingWith(const std::string &dir,
                                           const std::string &prefix) {
  std::vector<std::string> names;
  DIR *d = opendir(dir.c_str());
  for (struct dirent *e; d && (e = readdir(d));)
    if (std::string(e->d_name).rfind(prefix, 0) == 0)
      names.push_back(e->d_name);
  if (d)
    closedir(d);
  return names;
}

} // namespace

//===----------------------------------------------------------------------===//
// The runtime's own parsing
//===----------------------------------------------------------------------===//

TEST(Parsing, SectionTableOffsetNearTwoTo64IsRefused) {
  std::string bytes = encode(manifest());
  // offset + size wraps to a small number: the check must not wrap with it.
  for (uint64_t offset : {~0ull - 8, ~0ull - 55, 1ull << 63}) {
    put64(bytes, HETC_ARTIFACT_OFF_TABLE, offset);
    hetc_artifact_t *a = nullptr;
    expectError(openBytes(bytes, &a), HETC_STATUS_DATA_LOSS,
                "section table (2 entries at " + std::to_string(offset) +
                    ") lies outside the file");
  }
}

TEST(Parsing, OverflowingShapesAreRefused) {
  expectOpenError(withShape("[1e+30]"), "'w' of entry 'train_step' has a bad "
                                        "dimension #0");
  expectOpenError(withShape("[9223372036854775808]"), "has a bad dimension #0");
  expectOpenError(withShape("[-1]"), "has a bad dimension #0");
  expectOpenError(withShape("[2.5]"), "has a bad dimension #0");
  // Each dimension is fine, the product overflows 64 bits.
  expectOpenError(withShape("[4294967296, 4294967296, 16]"),
                  "'w' of entry 'train_step' has more than 2^48 bytes");
  expectOpenError(withShape("[281474976710656]"), "has more than 2^48 bytes");
}

TEST(Parsing, RankAboveTheLimitIsRefused) {
  expectOpenError(withShape("[1, 1, 1, 1, 1, 1, 1, 1, 2]"),
                  "'w' of entry 'train_step' has rank 9 (at most 8)");
  // Rank 8 is fine.
  hetc_artifact_t *a = nullptr;
  EXPECT_EQ(openBytes(encode(withShape("[1, 1, 1, 1, 1, 1, 1, 2]")), &a),
            nullptr);
  hetc_artifact_free(a);
}

TEST(Parsing, ManyParametersLoadAtTheLimit) {
  // 65,536 arguments, the limit, load, save and reload (the name index keeps
  // lookups linear; no timing is asserted: ctest's timeout catches a hang).
  std::string params = kParams;
  for (int i = 0; i < HETC_MAX_ENTRY_TENSORS - 4; ++i)
    params += ", {\"name\": \"p" + std::to_string(i) +
              R"(", "role": "param", "dtype": "f32", "shape": [1]})";
  {
    Session s(manifestWith(params));
    ASSERT_NE(s.session, nullptr);
    EXPECT_EQ(hetc_session_state_count(s.session),
              (size_t)HETC_MAX_ENTRY_TENSORS - 2);
    std::string path = ::testing::TempDir() + "/many.ckpt";
    ASSERT_EQ(hetc_session_save_checkpoint(s.session, path.c_str()), nullptr);
    ASSERT_EQ(hetc_session_load_checkpoint(s.session, path.c_str()), nullptr);
  }
  // One more is refused, at open.
  for (int i = 0; i < 100000; ++i)
    params += ", {\"name\": \"q" + std::to_string(i) +
              R"(", "role": "param", "dtype": "f32", "shape": [1]})";
  expectOpenError(manifestWith(params),
                  "entry 'train_step' declares 165536 arguments (at most "
                  "65536)");
}

TEST(Parsing, DuplicateNamesAreRefused) {
  std::string params = std::string(kParams) +
                       R"(, {"name": "b", "role": "param", "dtype": "f32",
                             "shape": [1]})";
  expectOpenError(manifestWith(params),
                  "entry 'train_step' declares the argument 'b' twice");
}

TEST(Parsing, DirectoryIsRefused) {
  std::string dir = ::testing::TempDir();
  hetc_artifact_t *a = nullptr;
  expectError(hetc_artifact_open(dir.c_str(), &a), HETC_STATUS_INVALID_ARGUMENT,
              "artifact '" + dir + "' is a directory, not a regular file");
  Session s(manifest());
  expectError(hetc_session_load_checkpoint(s.session, dir.c_str()),
              HETC_STATUS_INVALID_ARGUMENT,
              "checkpoint '" + dir + "' is a directory, not a regular file");
}

TEST(Parsing, StrictJson) {
  std::string m = manifest();
  auto replaced = [&](const std::string &from, const std::string &to) {
    std::string copy = m;
    size_t pos = copy.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    copy.replace(pos, from.size(), to);
    return copy;
  };
  expectOpenError(replaced("\"chip\": \"x86-64\"",
                           "\"chip\": \"x86-64\", \"chip\": \"other\""),
                  "not valid JSON: duplicate key");
  expectOpenError(replaced("\"shape\": [4, 2]", "\"shape\": [04, 2]"),
                  "not valid JSON: number with a leading zero");
  expectOpenError(replaced("\"name\": \"x\"", "\"name\": \"x\\u0000y\""),
                  "not valid JSON: \\u0000 in a string");
  expectOpenError(replaced("\"shape\": [4, 2]", "\"shape\": [4., 2]"),
                  "not valid JSON: malformed number");
  expectOpenError(replaced("\"value\": 0.5", "\"value\": 1e999"),
                  "not valid JSON: number out of range");
  expectOpenError(replaced("\"value\": 0.5", "\"value\": 1e300"),
                  "initializer value 1e+300 outside the f32 range");
}

//===----------------------------------------------------------------------===//
// The manifest against the code it describes
//===----------------------------------------------------------------------===//

TEST(Binding, OnlyHetcEntrySymbolsAreCalled) {
  for (const char *symbol : {"abort", "exit", "hetc_session_free"})
    expectOpenError(manifestWith(kParams, symbol),
                    std::string("entry 'train_step' names the symbol '") +
                        symbol + "', which is not a hetc entry point");
}

TEST(Binding, EntrySymbolsMustBeTheArtifactsOwnFunctions) {
  hetc_device_t *cpu;
  ASSERT_EQ(hetc_device_open("cpu", 0, &cpu), nullptr);
  struct Case {
    const char *symbol, *host, *error;
  } cases[] = {
      // Defined by a library the host code depends on: dlsym finds it.
      {"hetc_entry_imported", HETC_FAKE_MODEL_DEP_PATH,
       "the symbol 'hetc_entry_imported' is not defined by the artifact's "
       "own host code"},
      {"hetc_entry_data", HETC_FAKE_MODEL_PATH,
       "the symbol 'hetc_entry_data' is not a function"},
  };
  for (const Case &c : cases) {
    hetc_artifact_t *a = nullptr;
    ASSERT_EQ(openBytes(encode(manifestWith(kParams, c.symbol), c.host), &a),
              nullptr);
    hetc_session_t *s = nullptr;
    expectError(hetc_session_create(a, cpu, &s), HETC_STATUS_DATA_LOSS,
                c.error);
    EXPECT_EQ(s, nullptr);
    hetc_artifact_free(a);
  }
  // The dependency's own entries still load when the manifest names them.
  Session good(manifestWith(kParams), HETC_FAKE_MODEL_DEP_PATH);
  EXPECT_NE(good.session, nullptr);
  hetc_device_free(cpu);
}

TEST(Binding, TruncatedOrForeignHostCodeIsRefusedBeforeLoading) {
  std::string host = readFile(HETC_FAKE_MODEL_PATH);
  hetc_device_t *cpu;
  ASSERT_EQ(hetc_device_open("cpu", 0, &cpu), nullptr);
  auto tryHost = [&](const std::string &code, const std::string &error) {
    hetc_artifact_t *a = nullptr;
    ASSERT_EQ(openBytes(encodeWithHost(manifest(), code), &a), nullptr);
    hetc_session_t *s = nullptr;
    hetc_status_t status = hetc_session_create(a, cpu, &s);
    ASSERT_NE(status, nullptr) << error;
    EXPECT_NE(std::string(hetc_status_message(status))
                  .find("the artifact's host code is not a valid shared "
                        "object: "),
              std::string::npos)
        << hetc_status_message(status);
    expectError(status, HETC_STATUS_DATA_LOSS, error);
    hetc_artifact_free(a);
  };
  // A segment mapped past the end of the file faults when touched.
  for (size_t keep : {host.size() / 2, host.size() - 64, (size_t)4096})
    tryHost(host.substr(0, keep),
            "outside its " + std::to_string(keep) + " bytes");
  tryHost(host.substr(0, 40), "40 bytes, shorter than an ELF header");
  tryHost("", "0 bytes, shorter than an ELF header");
  std::string foreign = host;
  foreign[18] = 40; // e_machine: EM_ARM
  tryHost(foreign, "compiled for ELF machine 40");
  std::string notElf = host;
  notElf[1] = 'X';
  tryHost(notElf, "bad ELF magic");
  hetc_device_free(cpu);
}

namespace {
/// Creating a session of `edited` on code signed for `original` fails
/// before any code runs, naming the field.
void expectSignatureError(
    const std::string &original, const std::string &edited,
    const std::string &text, const char *host = HETC_FAKE_MODEL_PATH,
    hetc_status_code_t code = HETC_STATUS_FAILED_PRECONDITION) {
  hetc_artifact_t *a = nullptr;
  ASSERT_EQ(openBytes(encode(edited, host, original), &a), nullptr);
  hetc_device_t *cpu = nullptr;
  ASSERT_EQ(hetc_device_open("cpu", 0, &cpu), nullptr);
  hetc_session_t *s = nullptr;
  expectError(hetc_session_create(a, cpu, &s), code, text);
  EXPECT_EQ(s, nullptr);
  hetc_device_free(cpu);
  hetc_artifact_free(a);
}

/// `m` with the first `from` replaced by `to`.
std::string edited(std::string m, const std::string &from,
                   const std::string &to) {
  size_t pos = m.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return m.replace(pos, from.size(), to);
}
} // namespace

TEST(Binding, ManifestMustDescribeTheCode) {
  std::string m = manifest();
  const char *prefix = "the manifest does not describe the compiled code: ";
  // Unedited, it loads.
  Session ok(m);
  EXPECT_NE(ok.session, nullptr);
  expectSignatureError(m, edited(m, "\"shape\": [2]", "\"shape\": [3]"),
                       std::string(prefix) +
                           "entry 'train_step' argument #0 ('w') has shape 3 "
                           "in the manifest but 2 in the compiled code");
  expectSignatureError(
      m, edited(m, "\"shape\": [4, 2]", "\"shape\": [2, 4]"),
      "entry 'train_step' argument #2 ('x') has shape 2x4 in the manifest "
      "but 4x2 in the compiled code");
  expectSignatureError(
      m,
      edited(m, "\"role\": \"label\", \"dtype\": \"f32\"",
             "\"role\": \"label\", \"dtype\": \"i32\""),
      "entry 'train_step' argument #3 ('y') has dtype i32 in the manifest but "
      "f32 in the compiled code");
  expectSignatureError(
      m, edited(m, "\"role\": \"input\"", "\"role\": \"param\""),
      "entry 'train_step' argument #2 ('x') has role param in the manifest "
      "but input in the compiled code");
  // A dropped argument, and a duplicated one under another name.
  std::string w =
      R"({"name": "w", "role": "param", "dtype": "f32", "shape": [2],
          "init": {"kind": "uniform", "value": 0.5}},)";
  expectSignatureError(m, edited(m, w, ""),
                       "entry 'train_step' declares 3 arguments in the "
                       "manifest but the compiled code has 4");
  expectSignatureError(
      m,
      edited(
          m, w,
          w + R"({"name": "w2", "role": "param", "dtype": "f32", "shape": [2]},)"),
      "entry 'train_step' declares 5 arguments in the manifest but the "
      "compiled code has 4");
  expectSignatureError(
      m, edited(m, "\"name\": \"b\"", "\"name\": \"bias\""),
      "entry 'train_step' argument #1 is named 'bias' in the manifest but 'b' "
      "in the compiled code");
  // A swapped entry symbol: train_step would run eval's code.
  expectSignatureError(m, manifest("cpu", "hetc_entry_eval"),
                       "entry 'train_step' has symbol 'hetc_entry_eval' in "
                       "the manifest but 'hetc_entry_train_step' in the "
                       "compiled code");
  // An empty results list.
  expectSignatureError(
      m,
      edited(
          m,
          R"("results": [{"name": "loss", "role": "loss", "dtype": "f32", "shape": []}]})",
          R"("results": []})"),
      "entry 'train_step' declares 0 results in the manifest but the compiled "
      "code has 1");
  // Another model's manifest on this model's code: the label model's.
  std::string labelArgs =
      R"({"name": "w", "role": "param", "dtype": "f32", "shape": [3]},
         {"name": "x", "role": "input", "dtype": "f32", "shape": [4]},
         {"name": "labels", "role": "label", "dtype": "i32", "shape": [4]})";
  std::string other =
      R"({"format_version": 1, "compiler_version": "0.1.0", "target": "cpu",
    "chip": "x86-64", "entries": [
    {"name": "train_step", "kind": "train_step",
     "symbol": "hetc_entry_train_step", "args": [)" +
      labelArgs + R"(], "results": [{"name": "loss", "role": "loss",
     "dtype": "f32", "shape": []}]}]})";
  expectSignatureError(m, other,
                       "entry 'train_step' declares 3 arguments in the "
                       "manifest but the compiled code has 4");
}

TEST(Binding, UnsignedOrForeignCodeIsRefused) {
  std::string m = manifest();
  hetc_device_t *cpu = nullptr;
  ASSERT_EQ(hetc_device_open("cpu", 0, &cpu), nullptr);
  auto expectUnsigned = [&](const char *hostPath, hetc_status_code_t code,
                            const std::string &text) {
    hetc_artifact_t *a = nullptr;
    ASSERT_EQ(openBytes(encodeWithHost(m, readFile(hostPath)), &a), nullptr);
    hetc_session_t *s = nullptr;
    expectError(hetc_session_create(a, cpu, &s), code, text);
    EXPECT_EQ(s, nullptr);
    hetc_artifact_free(a);
  };
  // The reserved section, never signed, describes no entry.
  expectUnsigned(HETC_FAKE_MODEL_PATH, HETC_STATUS_FAILED_PRECONDITION,
                 "the compiled code has no entry 'train_step'");
  // A shared object without the section.
  expectUnsigned(HETC_FAKE_DEPENDENCY_PATH, HETC_STATUS_DATA_LOSS,
                 "the artifact's compiled code carries no signature (the "
                 "host code's ELF section .hetc_signature)");
  hetc_device_free(cpu);
}

TEST(Binding, MalformedOrOversizedSignaturesAreRefused) {
  std::string m = manifest();
  hetc_device_t *cpu = nullptr;
  ASSERT_EQ(hetc_device_open("cpu", 0, &cpu), nullptr);
  auto expectMalformed = [&](const std::string &signature,
                             const std::string &text) {
    std::string host = signHost(readFile(HETC_FAKE_MODEL_PATH), signature);
    hetc_artifact_t *a = nullptr;
    ASSERT_EQ(openBytes(encodeWithHost(m, host), &a), nullptr);
    hetc_session_t *s = nullptr;
    expectError(hetc_session_create(a, cpu, &s), HETC_STATUS_DATA_LOSS, text);
    hetc_artifact_free(a);
  };
  // One entry more than a manifest may declare: matching would be
  // quadratic in what the code claims.
  std::string many = "hetc-signature 1\n";
  for (int i = 0; i <= HETC_MAX_ENTRIES; ++i)
    many += "entry 1:e 4:eval 0:\n";
  expectMalformed(many, "the signature in the host code's ELF section "
                        ".hetc_signature is malformed at byte " +
                            std::to_string(many.size() - 20));
  expectMalformed("hetc-signature 1\narg 1:w param f32 2\n",
                  "is malformed at byte 17");
  expectMalformed("hetc-signature 1\nentry 9:e 4:eval 0:\n",
                  "is malformed at byte 17");
  expectMalformed("hetc-signature 2\n", "is malformed at byte 0");
  // Bindings come after every entry block.
  expectMalformed("hetc-signature 1\nentry 1:e 4:eval 0:\n"
                  "manifest 4:chip 0123456789abcdef\nentry 1:f 4:eval 0:\n",
                  "is malformed at byte 70");
  hetc_device_free(cpu);
}

namespace {
/// FNV-1a 64 over `bytes`, continuing from `hash`: the documented encoding
/// of artifact_format.h, written out again so that a change to the
/// runtime's encoder shows here.
uint64_t fnv(uint64_t hash, const std::string &bytes) {
  for (unsigned char c : bytes)
    hash = (hash ^ c) * 0x100000001b3ull;
  return hash;
}

std::string le64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<char>(value >> (8 * i));
  return bytes;
}

std::string hex(uint64_t value) {
  char text[17];
  snprintf(text, sizeof(text), "%016llx",
           static_cast<unsigned long long>(value));
  return text;
}
} // namespace

TEST(Binding, EveryManifestMemberButTheFilesVersionsIsBound) {
  hetc_artifact_t *a = nullptr;
  ASSERT_EQ(openBytes(encode(manifest()), &a), nullptr);
  char *text = nullptr;
  ASSERT_EQ(hetc_artifact_signature(a, &text), nullptr);
  std::string signature = text;
  free(text);
  hetc_artifact_free(a);
  // "x86-64" as 's', its length and bytes; [] as '[' and a zero count.
  uint64_t start = 0xcbf29ce484222325ull;
  EXPECT_NE(signature.find("\nmanifest 4:chip " +
                           hex(fnv(start, "s" + le64(6) + "x86-64")) + "\n"),
            std::string::npos)
      << signature;
  EXPECT_NE(signature.find("\nmanifest 6:target " +
                           hex(fnv(start, "s" + le64(3) + "cpu")) + "\n"),
            std::string::npos);
  EXPECT_NE(signature.find("\nmanifest 7:entries "), std::string::npos);
  EXPECT_EQ(signature.find("version"), std::string::npos);
}

TEST(Binding, AnInitializerEditedAfterCompilingIsRefused) {
  std::string original = manifest();
  std::string edited = original;
  size_t at = edited.find(R"("value": 0.5)");
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, 12, R"("value": 0.25)");
  hetc_device_t *cpu = nullptr;
  ASSERT_EQ(hetc_device_open("cpu", 0, &cpu), nullptr);
  hetc_artifact_t *a = nullptr;
  ASSERT_EQ(openBytes(encode(edited, HETC_FAKE_MODEL_PATH, original), &a),
            nullptr);
  hetc_session_t *s = nullptr;
  expectError(hetc_session_create(a, cpu, &s),
              HETC_STATUS_FAILED_PRECONDITION,
              "the manifest's 'entries' differs from the one the code was "
              "compiled with (an initializer, a label's class count or a "
              "variant was edited)");
  hetc_artifact_free(a);
  // Respelled but equal (0.5 as 5e-1, other spacing), it loads.
  std::string respelled = original;
  respelled.replace(respelled.find(R"("value": 0.5)"), 12, R"("value":5e-1)");
  ASSERT_EQ(openBytes(encode(respelled, HETC_FAKE_MODEL_PATH, original), &a),
            nullptr);
  ASSERT_EQ(hetc_session_create(a, cpu, &s), nullptr);
  hetc_session_free(s);
  hetc_artifact_free(a);
  hetc_device_free(cpu);
}

TEST(Binding, SignatureIsTheManifestsOwn) {
  hetc_artifact_t *a = nullptr;
  ASSERT_EQ(openBytes(encode(manifest()), &a), nullptr);
  char *text = nullptr;
  ASSERT_EQ(hetc_artifact_signature(a, &text), nullptr);
  EXPECT_EQ(std::string(text).substr(0, 158),
            "hetc-signature 1\n"
            "entry 10:train_step 10:train_step 21:hetc_entry_train_step\n"
            "arg 1:w param f32 2\n"
            "arg 1:b param f32 1\n"
            "arg 1:x input f32 4x2\n"
            "arg 1:y label f32 4\n");
  EXPECT_NE(std::string(text).find("result 4:loss loss f32 -\n"
                                   "entry 4:eval 4:eval 15:hetc_entry_eval\n"),
            std::string::npos);
  free(text);
  hetc_artifact_free(a);
}

//===----------------------------------------------------------------------===//
// Checkpoints bound to their artifact
//===----------------------------------------------------------------------===//

namespace {
/// Saves a checkpoint of a session of `manifestText` and returns its bytes.
std::string checkpointOf(const std::string &manifestText,
                         const std::string &name) {
  Session s(manifestText);
  std::string path = ::testing::TempDir() + "/" + name;
  EXPECT_EQ(hetc_session_save_checkpoint(s.session, path.c_str()), nullptr);
  return readFile(path);
}

void expectLoadError(const std::string &bytes, hetc_status_code_t code,
                     const std::string &text) {
  Session s(manifestWith(kParams));
  std::string path = ::testing::TempDir() + "/bad.ckpt";
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  std::vector<float> before = s.get("w", 2);
  expectError(hetc_session_load_checkpoint(s.session, path.c_str()), code,
              text);
  EXPECT_EQ(s.get("w", 2), before) << "a refused checkpoint changed state";
}
} // namespace

TEST(Checkpoints, AnotherModelsLayoutIsRefused) {
  // Same names, dtypes and shapes; 'b' is a buffer there, a parameter here.
  std::string other = kParams;
  other.replace(other.rfind("\"role\": \"param\""), 15, "\"role\": \"buffer\"");
  expectLoadError(checkpointOf(manifestWith(other), "other.ckpt"),
                  HETC_STATUS_FAILED_PRECONDITION,
                  "was saved from another model: its state layout hash is");
}

TEST(Checkpoints, RightNamesInTheWrongPlaceAreRefused) {
  // The same tensors in another order: each name exists, each shape would
  // match its name, but the layout differs.
  std::string swapped =
      R"({"name": "b", "role": "param", "dtype": "f32", "shape": [1]},
         {"name": "w", "role": "param", "dtype": "f32", "shape": [2]})";
  expectLoadError(checkpointOf(manifestWith(swapped), "swapped.ckpt"),
                  HETC_STATUS_FAILED_PRECONDITION,
                  "tensor #0 is 'b' but the artifact's tensor #0 is 'w'");
}

TEST(Checkpoints, TrailingAndMissingBytesAreRefused) {
  std::string good = checkpointOf(manifestWith(kParams), "good.ckpt");
  std::string trailing = good;
  trailing.insert(trailing.size() - 4, std::string(16, '\0'));
  resealCheckpoint(trailing);
  expectLoadError(trailing, HETC_STATUS_DATA_LOSS,
                  "has 16 trailing bytes after its last tensor");
  // The last tensor ('b', 4 bytes of data) loses two of them.
  std::string missing = good;
  missing.erase(missing.size() - 6, 2);
  resealCheckpoint(missing);
  expectLoadError(missing, HETC_STATUS_DATA_LOSS,
                  "truncated in the data of 'b' (4 bytes declared, 2 left)");
  // A byte count that disagrees with the shape.
  std::string count = good;
  size_t at = count.size() - 4 - 4 - 8; // b's u64 byte count
  put64(count, at, 8);
  resealCheckpoint(count);
  expectLoadError(count, HETC_STATUS_DATA_LOSS,
                  "the byte count of 'b' is 8 but its shape needs 4");
  std::string header = good.substr(0, 20);
  header += "1234567890";
  expectLoadError(header, HETC_STATUS_DATA_LOSS, "is corrupt (CRC mismatch)");
}

TEST(Checkpoints, StepCounterRefusesToOverflow) {
  std::string bytes = checkpointOf(manifestWith(kParams), "step.ckpt");
  put64(bytes, 16, INT64_MAX);
  resealCheckpoint(bytes);
  Session s(manifestWith(kParams));
  std::string path = ::testing::TempDir() + "/max.ckpt";
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  ASSERT_EQ(hetc_session_load_checkpoint(s.session, path.c_str()), nullptr);
  EXPECT_EQ(hetc_session_step(s.session), INT64_MAX);
  std::vector<float> before = s.get("w", 2);
  float loss;
  expectError(step(s.session, kX, kY, &loss), HETC_STATUS_OUT_OF_RANGE,
              "the step counter is at its limit (INT64_MAX)");
  EXPECT_EQ(hetc_session_step(s.session), INT64_MAX);
  EXPECT_EQ(s.get("w", 2), before);
  put64(bytes, 16, (uint64_t)-5);
  resealCheckpoint(bytes);
  expectLoadError(bytes, HETC_STATUS_DATA_LOSS, "has a negative step (-5)");
}

TEST(Checkpoints, KilledSavesLeaveNoStrayTemporaries) {
  Session s(manifestWith(kParams));
  std::string dir = ::testing::TempDir();
  std::string path = dir + "/killed.ckpt";
  for (const std::string &stray : filesStartingWith(dir, "killed.ckpt."))
    unlink((dir + "/" + stray).c_str());
  // Each child saves in a loop until killed, mostly between creating the
  // temporary file and renaming it (the fsync is the slow part).
  for (int i = 0; i < 12; ++i) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (;;)
        if (hetc_session_save_checkpoint(s.session, path.c_str()))
          _exit(1);
    }
    usleep(2000 + 1500 * i);
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
  }
  EXPECT_LE(filesStartingWith(dir, "killed.ckpt.").size(), 1u);
  ASSERT_EQ(hetc_session_save_checkpoint(s.session, path.c_str()), nullptr);
  EXPECT_TRUE(filesStartingWith(dir, "killed.ckpt.").empty());
  EXPECT_EQ(hetc_session_load_checkpoint(s.session, path.c_str()), nullptr);
}

//===----------------------------------------------------------------------===//
// Checkpoint blobs: a tool's own bytes, saved inside the checkpoint
//===----------------------------------------------------------------------===//

namespace {
/// Blob `name` of `s`, or "<code N>" when the session refuses it.
std::string blobOf(hetc_session_t *s, const char *name) {
  void *data = nullptr;
  size_t size = 0;
  hetc_status_t status =
      hetc_session_get_checkpoint_blob(s, name, &data, &size);
  if (status) {
    std::string code =
        "<code " + std::to_string(hetc_status_code(status)) + ">";
    hetc_status_free(status);
    return code;
  }
  std::string text(static_cast<char *>(data), size);
  free(data);
  return text;
}

uint32_t versionOf(const std::string &checkpoint) {
  uint32_t version;
  memcpy(&version, checkpoint.data() + 8, 4);
  return version;
}

/// A checkpoint of the fake model holding blob "lr_scheduler" = `text`.
std::string checkpointWithBlob(const std::string &text) {
  Session s(manifestWith(kParams));
  EXPECT_EQ(hetc_session_set_checkpoint_blob(s.session, "lr_scheduler",
                                             text.data(), text.size()),
            nullptr);
  std::string path = ::testing::TempDir() + "/blob.ckpt";
  EXPECT_EQ(hetc_session_save_checkpoint(s.session, path.c_str()), nullptr);
  return readFile(path);
}
} // namespace

TEST(CheckpointBlobs, TravelInsideTheCheckpointAndALoadReplacesThem) {
  Session s(manifestWith(kParams));
  std::string dir = ::testing::TempDir();
  std::string plain = dir + "/plain.ckpt", with = dir + "/with.ckpt";
  ASSERT_EQ(hetc_session_save_checkpoint(s.session, plain.c_str()), nullptr);
  // Without blobs the file stays version 2, which older runtimes read.
  EXPECT_EQ(versionOf(readFile(plain)), 2u);
  ASSERT_EQ(
      hetc_session_set_checkpoint_blob(s.session, "lr_scheduler", "abc", 3),
      nullptr);
  ASSERT_EQ(hetc_session_set_checkpoint_blob(s.session, "empty", "", 0),
            nullptr);
  ASSERT_EQ(hetc_session_save_checkpoint(s.session, with.c_str()), nullptr);
  EXPECT_EQ(versionOf(readFile(with)), 3u);
  // Set again after the save: the load brings back the saved bytes.
  ASSERT_EQ(
      hetc_session_set_checkpoint_blob(s.session, "lr_scheduler", "zz", 2),
      nullptr);
  EXPECT_EQ(blobOf(s.session, "lr_scheduler"), "zz");
  Session other(manifestWith(kParams));
  ASSERT_EQ(hetc_session_load_checkpoint(other.session, with.c_str()), nullptr);
  EXPECT_EQ(blobOf(other.session, "lr_scheduler"), "abc");
  EXPECT_EQ(blobOf(other.session, "empty"), "");
  EXPECT_EQ(other.get("w", 2), s.get("w", 2));
  // A checkpoint without blobs leaves the session without any.
  ASSERT_EQ(hetc_session_load_checkpoint(other.session, plain.c_str()),
            nullptr);
  EXPECT_EQ(blobOf(other.session, "lr_scheduler"),
            "<code " + std::to_string(HETC_STATUS_NOT_FOUND) + ">");
  void *data = &data;
  size_t size = 1;
  expectError(hetc_session_get_checkpoint_blob(other.session, "lr_scheduler",
                                               &data, &size),
              HETC_STATUS_NOT_FOUND,
              "the session holds no checkpoint blob 'lr_scheduler'");
  EXPECT_EQ(data, nullptr);
  EXPECT_EQ(size, 0u);
}

TEST(CheckpointBlobs, BadNamesAndTooManyBlobsAreRefused) {
  Session s(manifestWith(kParams));
  expectError(hetc_session_set_checkpoint_blob(s.session, "", "x", 1),
              HETC_STATUS_INVALID_ARGUMENT,
              "a checkpoint blob name has 1 to 255 bytes, got 0");
  std::string longName(256, 'n');
  expectError(
      hetc_session_set_checkpoint_blob(s.session, longName.c_str(), "x", 1),
      HETC_STATUS_INVALID_ARGUMENT, "has 1 to 255 bytes, got 256");
  expectError(hetc_session_set_checkpoint_blob(s.session, "x", nullptr, 4),
              HETC_STATUS_INVALID_ARGUMENT, "no data for 4 bytes");
  for (int i = 0; i < 64; ++i)
    ASSERT_EQ(hetc_session_set_checkpoint_blob(
                  s.session, ("b" + std::to_string(i)).c_str(), "x", 1),
              nullptr);
  // Replacing one is fine; a 65th is not.
  EXPECT_EQ(hetc_session_set_checkpoint_blob(s.session, "b3", "yy", 2),
            nullptr);
  EXPECT_EQ(blobOf(s.session, "b3"), "yy");
  expectError(hetc_session_set_checkpoint_blob(s.session, "b64", "x", 1),
              HETC_STATUS_RESOURCE_EXHAUSTED, "at most 64 blobs");
}

TEST(CheckpointBlobs, DamagedBlobsAreRefusedAndChangeNothing) {
  std::string good = checkpointWithBlob("state");
  // The blob section ends the file: u32 count, u32 name length (12),
  // "lr_scheduler", u64 byte count (5), "state", then the CRC.
  size_t blobs = good.size() - 4 - (4 + 4 + 12 + 8 + 5);
  std::string trailing = good;
  trailing.insert(trailing.size() - 4, std::string(3, '\0'));
  resealCheckpoint(trailing);
  expectLoadError(trailing, HETC_STATUS_DATA_LOSS,
                  "has 3 trailing bytes after its last blob");
  std::string cut = good;
  put64(cut, blobs + 4 + 4 + 12, 6);
  resealCheckpoint(cut);
  expectLoadError(cut, HETC_STATUS_DATA_LOSS,
                  "is truncated in blob 'lr_scheduler'");
  std::string none = good;
  put32(none, blobs, 0);
  resealCheckpoint(none);
  expectLoadError(none, HETC_STATUS_DATA_LOSS, "declares 0 blobs (1 to 64)");
  std::string twice = good;
  put32(twice, blobs, 2);
  twice.insert(twice.size() - 4, good.substr(blobs + 4, 4 + 12 + 8 + 5));
  resealCheckpoint(twice);
  expectLoadError(twice, HETC_STATUS_DATA_LOSS,
                  "holds blob 'lr_scheduler' twice");
  std::string unnamed = good;
  put32(unnamed, blobs + 4, 0);
  resealCheckpoint(unnamed);
  expectLoadError(unnamed, HETC_STATUS_DATA_LOSS,
                  "the name of blob #0 is cut short, empty or longer than 255");
  // A refused load keeps the session's own blobs too.
  Session s(manifestWith(kParams));
  ASSERT_EQ(
      hetc_session_set_checkpoint_blob(s.session, "lr_scheduler", "mine", 4),
      nullptr);
  std::string path = ::testing::TempDir() + "/refused.ckpt";
  std::ofstream(path, std::ios::binary | std::ios::trunc) << twice;
  expectError(hetc_session_load_checkpoint(s.session, path.c_str()),
              HETC_STATUS_DATA_LOSS, "twice");
  EXPECT_EQ(blobOf(s.session, "lr_scheduler"), "mine");
}

//===----------------------------------------------------------------------===//
// Threads
//===----------------------------------------------------------------------===//

TEST(Threads, FourThreadsOnOneSessionGiveTheSerialResult) {
  const int steps = 2000;
  Session serial(manifestWith(kParams)), shared(manifestWith(kParams));
  float loss;
  for (int i = 0; i < 4 * steps; ++i)
    ASSERT_EQ(step(serial.session, kX, kY, &loss), nullptr);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      float l;
      for (int i = 0; i < steps; ++i)
        if (step(shared.session, kX, kY, &l))
          ++failures;
    });
  for (auto &t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(hetc_session_step(shared.session), 4 * steps);
  EXPECT_EQ(shared.get("w", 2), serial.get("w", 2));
  EXPECT_EQ(shared.get("b", 1), serial.get("b", 1));
}

TEST(Threads, ConcurrentEvalsReturnTheirOwnOutputs) {
  Session s(manifestWith(kParams));
  // Expected outputs per thread, computed serially first.
  float xs[4][8], expected[4][4], y[4] = {0, 0, 0, 0}, loss;
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < 8; ++i)
      xs[t][i] = kX[i] * (float)(t + 1) + (float)t;
    ASSERT_EQ(eval(s.session, "eval", xs[t], y, &loss, expected[t]), nullptr);
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      float out[4], l;
      for (int i = 0; i < 20000; ++i) {
        if (eval(s.session, "eval", xs[t], y, &l, out) ||
            memcmp(out, expected[t], sizeof(out)) != 0)
          ++mismatches;
      }
    });
  for (auto &t : threads)
    t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Threads, FourSessionsInFourThreads) {
  const int steps = 500;
  Session serial(manifestWith(kParams));
  float loss;
  for (int i = 0; i < steps; ++i)
    ASSERT_EQ(step(serial.session, kX, kY, &loss), nullptr);
  std::vector<float> w = serial.get("w", 2);
  std::vector<std::unique_ptr<Session>> sessions;
  for (int t = 0; t < 4; ++t)
    sessions.push_back(std::make_unique<Session>(manifestWith(kParams)));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      float l;
      for (int i = 0; i < steps; ++i)
        if (step(sessions[t]->session, kX, kY, &l))
          ++failures;
    });
  for (auto &t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  for (auto &s : sessions)
    EXPECT_EQ(s->get("w", 2), w);
}

TEST(Threads, FreeWaitsForACallInFlight) {
  Session s(manifestWith(kParams));
  float out[4] = {0, 0, 0, 0}, expected[4], loss = -1, y[4] = {0, 0, 0, 0};
  ASSERT_EQ(eval(s.session, "eval", kX, y, &loss, expected), nullptr);
  std::atomic<bool> started{false};
  hetc_status_t status = nullptr;
  std::thread caller([&] {
    started = true;
    status = eval(s.session, "slow", kX, y, &loss, out);
  });
  while (!started)
    std::this_thread::yield();
  usleep(50 * 1000); // the slow entry is sleeping now
  auto start = std::chrono::steady_clock::now();
  hetc_session_free(s.session);
  double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  s.session = nullptr;
  caller.join();
  EXPECT_EQ(status, nullptr);
  EXPECT_GT(waited, 0.1) << "free returned while the entry was running";
  EXPECT_EQ(memcmp(out, expected, sizeof(out)), 0);
}
