/*===- manifest_schema.h - the artifact manifest's keys, named once -------===*
 *
 * The manifest is the JSON object an artifact's "manifest" section holds.
 * Its writer (the compiler: lib/Pipeline/Compiler.cpp for the entries,
 * lib/Target/GPU/GPUCommon.cpp for the device program, the backends for the
 * signature's bindings) and its readers (runtime/src/artifact.c, program.c,
 * inputs.c, signature.c; python/hetc/manifest.py, which parses this file,
 * for trainer.py and hetc.torch) name every key through HETC_MANIFEST_KEY,
 * which only compiles for a key listed here in that object. Tests check written
 * and hand-written manifests against this list (kinds, required keys, no
 * unknown keys).
 *
 * Like the container's byte layout (artifact_format.h), this is C shared
 * by the compiler and the runtime.
 *
 *===----------------------------------------------------------------------===*/

#ifndef HETC_RUNTIME_MANIFEST_SCHEMA_H
#define HETC_RUNTIME_MANIFEST_SCHEMA_H

/* X(OBJECT, key, KIND, PRESENCE), one line per key of each object kind.
 * KIND is STRING, INTEGER, NUMBER, BOOLEAN, ARRAY or OBJECT. PRESENCE is
 * REQUIRED (the writer always writes it; readers may rely on it) or
 * OPTIONAL. OPTIMIZER objects hold the optimizer's hyper-parameters under
 * their own names besides the keys listed. Python parses these lines: keep
 * one entry per line. */
#define HETC_MANIFEST_SCHEMA(X)                                                \
  X(ROOT, format_version, INTEGER, REQUIRED)                                   \
  X(ROOT, cpu_features, ARRAY, REQUIRED)                                       \
  X(ROOT, compiler_version, STRING, REQUIRED)                                  \
  X(ROOT, target, STRING, REQUIRED)                                            \
  X(ROOT, chip, STRING, REQUIRED)                                              \
  X(ROOT, model, STRING, REQUIRED)                                             \
  X(ROOT, optimizer, OBJECT, REQUIRED)                                         \
  X(ROOT, entries, ARRAY, REQUIRED)                                            \
  X(ROOT, device, OBJECT, OPTIONAL)                                            \
  X(ROOT, reproducible, BOOLEAN, OPTIONAL)                                     \
  X(OPTIMIZER, name, STRING, OPTIONAL)                                         \
  X(ENTRY, name, STRING, REQUIRED)                                             \
  X(ENTRY, kind, STRING, REQUIRED)                                             \
  X(ENTRY, symbol, STRING, REQUIRED)                                           \
  X(ENTRY, args, ARRAY, REQUIRED)                                              \
  X(ENTRY, results, ARRAY, REQUIRED)                                           \
  X(ENTRY, variant_of, STRING, OPTIONAL)                                       \
  X(ENTRY, debug_of, STRING, OPTIONAL)                                         \
  X(TENSOR, name, STRING, REQUIRED)                                            \
  X(TENSOR, role, STRING, REQUIRED)                                            \
  X(TENSOR, dtype, STRING, REQUIRED)                                           \
  X(TENSOR, shape, ARRAY, REQUIRED)                                            \
  X(TENSOR, init, OBJECT, OPTIONAL)                                            \
  X(TENSOR, of, STRING, OPTIONAL)                                              \
  X(TENSOR, state, STRING, OPTIONAL)                                           \
  X(TENSOR, hyper, STRING, OPTIONAL)                                           \
  X(TENSOR, group, INTEGER, OPTIONAL)                                          \
  X(TENSOR, classes, INTEGER, OPTIONAL)                                        \
  X(TENSOR, checks, ARRAY, OPTIONAL)                                           \
  X(TENSOR, op, STRING, OPTIONAL)                                              \
  X(TENSOR, op_result, INTEGER, OPTIONAL)                                      \
  X(TENSOR, location, STRING, OPTIONAL)                                        \
  X(TENSOR, scope, STRING, OPTIONAL)                                           \
  X(INIT, kind, STRING, REQUIRED)                                              \
  X(INIT, value, NUMBER, OPTIONAL)                                             \
  X(DEVICE, kernels, ARRAY, REQUIRED)                                          \
  X(DEVICE, constants, ARRAY, REQUIRED)                                        \
  X(DEVICE, programs, OBJECT, REQUIRED)                                        \
  X(KERNEL, name, STRING, REQUIRED)                                            \
  X(KERNEL, block, ARRAY, REQUIRED)                                            \
  X(KERNEL, bindings, INTEGER, REQUIRED)                                       \
  X(KERNEL, source, STRING, OPTIONAL)                                          \
  X(CONSTANT, offset, INTEGER, REQUIRED)                                       \
  X(CONSTANT, bytes, INTEGER, REQUIRED)                                        \
  X(PROGRAM, temporaries, ARRAY, REQUIRED)                                     \
  X(PROGRAM, commands, ARRAY, REQUIRED)                                        \
  X(COMMAND, dispatch, INTEGER, OPTIONAL)                                      \
  X(COMMAND, grid, ARRAY, OPTIONAL)                                            \
  X(COMMAND, bindings, ARRAY, OPTIONAL)                                        \
  X(COMMAND, copy, OBJECT, OPTIONAL)                                           \
  X(COPY, src, STRING, REQUIRED)                                               \
  X(COPY, dst, STRING, REQUIRED)                                               \
  X(COPY, src_offset, INTEGER, REQUIRED)                                       \
  X(COPY, dst_offset, INTEGER, REQUIRED)                                       \
  X(COPY, bytes, INTEGER, REQUIRED)

/* Where each object kind sits: ROOT is the manifest; ROOT.optimizer is an
 * OPTIMIZER; ROOT.entries holds ENTRYs, whose args and results hold
 * TENSORs with an optional INIT; ROOT.device is a DEVICE holding KERNELs,
 * CONSTANTs and, per entry name in programs, a PROGRAM of COMMANDs, each a
 * dispatch (dispatch, grid, bindings) or a COPY. */

/* One enumerator per (object, key): HETC_MANIFEST_KEY_ENTRY_name. */
#define HETC_MANIFEST_ENUMERATOR(object, key, kind, presence)                  \
  HETC_MANIFEST_KEY_##object##_##key,
enum hetc_manifest_key {
  HETC_MANIFEST_SCHEMA(HETC_MANIFEST_ENUMERATOR) HETC_MANIFEST_NUM_KEYS
};
#undef HETC_MANIFEST_ENUMERATOR

/* The key `key` of an OBJECT as a string literal's value; it does not
 * compile unless the schema lists it: HETC_MANIFEST_KEY(ENTRY, name). */
#define HETC_MANIFEST_KEY(object, key)                                         \
  ((void)HETC_MANIFEST_KEY_##object##_##key, #key)

#endif /* HETC_RUNTIME_MANIFEST_SCHEMA_H */
