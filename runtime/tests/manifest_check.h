//===- manifest_check.h - hand-written manifests against the schema -------===//
//
// Tests that write manifests by hand check them against manifest_schema.h,
// as test_manifest_schema.py checks the ones the compiler writes, so a
// hand-written manifest cannot drift from what the compiler emits.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_RUNTIME_TESTS_MANIFEST_CHECK_H
#define HETC_RUNTIME_TESTS_MANIFEST_CHECK_H

extern "C" {
#include "../src/internal.h"
}
#include "hetc/runtime/manifest_schema.h"

#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hetc_test {

struct SchemaKey {
  const char *object, *key, *kind;
  bool required;
};

inline const std::vector<SchemaKey> &manifestSchema() {
#define HETC_SCHEMA_ROW(object, key, kind, presence)                           \
  {#object, #key, #kind, std::strcmp(#presence, "REQUIRED") == 0},
  static const std::vector<SchemaKey> rows = {
      HETC_MANIFEST_SCHEMA(HETC_SCHEMA_ROW)};
#undef HETC_SCHEMA_ROW
  return rows;
}

/// The object kind of a key's value (or of its items), if it is one.
inline std::string childKind(const std::string &object,
                             const std::string &key) {
  static const std::map<std::pair<std::string, std::string>, std::string>
      children = {{{"ROOT", "optimizer"}, "OPTIMIZER"},
                  {{"ROOT", "entries"}, "ENTRY"},
                  {{"ROOT", "device"}, "DEVICE"},
                  {{"ENTRY", "args"}, "TENSOR"},
                  {{"ENTRY", "results"}, "TENSOR"},
                  {{"TENSOR", "init"}, "INIT"},
                  {{"DEVICE", "kernels"}, "KERNEL"},
                  {{"DEVICE", "constants"}, "CONSTANT"},
                  {{"DEVICE", "programs"}, "PROGRAM"},
                  {{"PROGRAM", "commands"}, "COMMAND"},
                  {{"COMMAND", "copy"}, "COPY"}};
  auto it = children.find({object, key});
  return it == children.end() ? "" : it->second;
}

inline bool hasKind(const json_value_t *v, const std::string &kind) {
  if (kind == "INTEGER")
    return v->kind == JSON_NUMBER && v->number == std::floor(v->number);
  static const std::map<std::string, json_kind_t> kinds = {
      {"STRING", JSON_STRING},
      {"NUMBER", JSON_NUMBER},
      {"BOOLEAN", JSON_BOOL},
      {"ARRAY", JSON_ARRAY},
      {"OBJECT", JSON_OBJECT}};
  return v->kind == kinds.at(kind);
}

inline void checkObject(const json_value_t *v, const std::string &object,
                        const std::string &where,
                        std::vector<std::string> &problems) {
  if (v->kind != JSON_OBJECT) {
    problems.push_back(where + " is not an object");
    return;
  }
  for (const SchemaKey &row : manifestSchema())
    if (object == row.object && row.required && !json_get(v, row.key))
      problems.push_back(where + " lacks the required key '" + row.key + "'");
  for (size_t i = 0; i < v->count; ++i) {
    std::string key = v->keys[i], place = where + "." + key;
    const SchemaKey *row = nullptr;
    for (const SchemaKey &r : manifestSchema())
      if (object == r.object && key == r.key)
        row = &r;
    if (!row) {
      if (object != "OPTIMIZER")
        problems.push_back(where + " has the key '" + key +
                           "', which the schema does not list for " + object);
      continue;
    }
    const json_value_t *value = v->items[i];
    if (!hasKind(value, row->kind)) {
      problems.push_back(place + " is not a " + row->kind);
      continue;
    }
    std::string child = childKind(object, key);
    if (child.empty())
      continue;
    if (value->kind == JSON_OBJECT && key != "programs")
      checkObject(value, child, place, problems);
    else
      for (size_t j = 0; j < value->count; ++j)
        checkObject(value->items[j], child,
                    place + (value->kind == JSON_ARRAY
                                 ? "[" + std::to_string(j) + "]"
                                 : "." + std::string(value->keys[j])),
                    problems);
  }
}

/// Every way `text` departs from the manifest schema; empty when it
/// follows it.
inline std::vector<std::string> checkManifest(const std::string &text) {
  json_value_t *root = nullptr;
  hetc_status_t status = json_parse(text.data(), text.size(), &root);
  if (status) {
    std::string message = hetc_status_message(status);
    hetc_status_free(status);
    return {"not JSON: " + message};
  }
  std::vector<std::string> problems;
  checkObject(root, "ROOT", "manifest", problems);
  json_free(root);
  return problems;
}

} // namespace hetc_test

#endif // HETC_RUNTIME_TESTS_MANIFEST_CHECK_H
