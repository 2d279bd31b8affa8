//===- HetcModule.cpp - the hetc Python extension -------------------------===//
//
// Binds the compiler driver (through CompileSource.h, so this file sees no
// MLIR types) and the C runtime. Arrays go in and out as numpy arrays, the
// GIL is released while compiling and running, and every error becomes a
// hetc.Error carrying the diagnostic or runtime message.
//
//===----------------------------------------------------------------------===//

#include "hetc/Frontend/GraphBuilder.h"
#include "hetc/Pipeline/CompileSource.h"
#include "hetc/runtime/hetc_runtime.h"
#include "hetc/runtime/manifest_schema.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

py::object errorType;

[[noreturn]] void raise(const std::string &message) {
  PyErr_SetString(errorType.ptr(), message.c_str());
  throw py::error_already_set();
}

void check(hetc_status_t status) {
  if (!status)
    return;
  std::string message = hetc_status_message(status);
  hetc_status_free(status);
  raise(message);
}

py::dtype toNumpy(hetc_dtype_t dtype) {
  switch (dtype) {
  case HETC_DTYPE_F32:
    return py::dtype::of<float>();
  case HETC_DTYPE_F16:
    return py::dtype("float16");
  case HETC_DTYPE_I32:
    return py::dtype::of<int32_t>();
  case HETC_DTYPE_I64:
    return py::dtype::of<int64_t>();
  case HETC_DTYPE_BF16:
    break;
  }
  raise("bf16 tensors cannot be exchanged with numpy");
}

/// The runtime dtype of a numpy array. `expected` names the artifact's dtype
/// for the message when the array's has none (float64, say): the runtime
/// converts only losslessly, so such arrays are refused with both dtypes.
hetc_dtype_t fromNumpy(const py::array &array, const std::string &name,
                       const std::string &expected = "") {
  py::dtype d = array.dtype();
  if (d.is(py::dtype::of<float>()) || d.equal(py::dtype::of<float>()))
    return HETC_DTYPE_F32;
  if (d.equal(py::dtype("float16")))
    return HETC_DTYPE_F16;
  if (d.equal(py::dtype::of<int32_t>()))
    return HETC_DTYPE_I32;
  if (d.equal(py::dtype::of<int64_t>()))
    return HETC_DTYPE_I64;
  if (!expected.empty())
    raise("'" + name + "' has numpy dtype " + std::string(py::str(d)) +
          " but the artifact expects " + expected +
          " (hetc converts only losslessly: float16 to f32, int32 and "
          "int64 to each other)");
  raise("array '" + name + "' has numpy dtype " + std::string(py::str(d)) +
        "; hetc takes float32, float16, int32 or int64");
}

/// A numpy array pinned in C order, described for the runtime.
struct Bound {
  std::string name;
  py::array array;
  std::vector<int64_t> shape;
  hetc_tensor_t tensor;
};

std::vector<std::unique_ptr<Bound>>
bind(const py::dict &arrays, const hetc_tensor_info_t *args = nullptr,
     size_t numArgs = 0) {
  std::vector<std::unique_ptr<Bound>> bound;
  for (auto item : arrays) {
    auto b = std::make_unique<Bound>();
    b->name = py::cast<std::string>(item.first);
    py::array array = py::array::ensure(item.second);
    if (!array)
      raise("'" + b->name + "' is not an array");
    std::string expected;
    for (size_t i = 0; i < numArgs; ++i)
      if (b->name == args[i].name)
        expected = hetc_dtype_name(args[i].dtype);
    hetc_dtype_t dtype = fromNumpy(array, b->name, expected);
    b->array = py::array::ensure(array, py::array::c_style);
    for (py::ssize_t d = 0; d < b->array.ndim(); ++d)
      b->shape.push_back(b->array.shape(d));
    b->tensor = {b->name.c_str(), dtype, static_cast<int32_t>(b->shape.size()),
                 // Inputs are only read: read-only arrays are fine.
                 b->shape.data(), const_cast<void *>(b->array.data())};
    bound.push_back(std::move(b));
  }
  return bound;
}

class Artifact {
public:
  explicit Artifact(const py::bytes &bytes) {
    std::string data = bytes;
    check(hetc_artifact_open_memory(data.data(), data.size(), &artifact));
  }
  static std::shared_ptr<Artifact> load(const std::string &path) {
    auto a = std::shared_ptr<Artifact>(new Artifact());
    check(hetc_artifact_open(path.c_str(), &a->artifact));
    return a;
  }
  ~Artifact() { hetc_artifact_free(artifact); }
  std::string target() const { return hetc_artifact_target(artifact); }
  std::string manifest() const { return hetc_artifact_manifest(artifact); }
  /// Whether the artifact was compiled in reproducible mode (the manifest's
  /// "reproducible", absent meaning false; the signature binds it).
  bool reproducible() const {
    py::object parsed = py::module_::import("json").attr("loads")(manifest());
    return py::cast<bool>(
        parsed.attr("get")(HETC_MANIFEST_KEY(ROOT, reproducible), false));
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (size_t i = 0; i < hetc_artifact_entry_count(artifact); ++i)
      names.push_back(hetc_artifact_entry_name(artifact, i));
    return names;
  }

  hetc_artifact_t *artifact = nullptr;

private:
  Artifact() = default;
};

class Device {
public:
  Device(const std::string &driver, int ordinal) {
    check(hetc_device_open(driver.c_str(), ordinal, &device));
  }
  ~Device() { hetc_device_free(device); }
  std::string description() const { return hetc_device_description(device); }

  hetc_device_t *device = nullptr;
};

/// A session used from Python. Calls release the GIL and hold `mutex`, so
/// calls from several threads run one at a time, and close() waits for a
/// call in flight instead of freeing the session under it.
class Session {
public:
  Session(std::shared_ptr<Artifact> artifact, std::shared_ptr<Device> device,
          uint64_t seed)
      : artifact(std::move(artifact)), device(std::move(device)) {
    // pybind11 passes None as an empty shared_ptr.
    if (!this->artifact)
      throw py::type_error("Session() needs an Artifact, not None");
    if (!this->device)
      throw py::type_error("Session() needs a Device, not None");
    check(hetc_session_create(this->artifact->artifact, this->device->device,
                              &session));
    hetc_status_t status = hetc_session_init_params(session, seed);
    if (status) {
      hetc_session_free(session);
      session = nullptr;
      check(status);
    }
    // Copies: reading them needs no lock and survives close().
    for (size_t i = 0; i < hetc_session_state_count(session); ++i)
      state.push_back(*hetc_session_state_info(session, i));
  }
  // No call can be in flight: each holds a reference to the object.
  ~Session() { hetc_session_free(session); }

  void close() {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex);
    hetc_session_free(session);
    session = nullptr;
  }

  /// Runs `fn(session)` without the GIL and under the session's lock;
  /// raises its status, or that the session is closed.
  template <typename F> void call(F &&fn) {
    hetc_status_t status = nullptr;
    bool closed = false;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex);
      if (session)
        status = fn(session);
      else
        closed = true;
    }
    if (closed)
      raise("the session is closed");
    check(status);
  }

  /// Runs an entry; returns the loss and every output as a new array.
  py::tuple run(const std::string &entry, const py::dict &inputs, bool train) {
    size_t numArgs, numResults;
    const hetc_tensor_info_t *args, *results;
    check(hetc_artifact_entry_signature(artifact->artifact, entry.c_str(),
                                        &numArgs, &args, &numResults,
                                        &results));
    auto bound = bind(inputs, args, numArgs);
    std::vector<hetc_tensor_t> in;
    for (auto &b : bound)
      in.push_back(b->tensor);
    // The inputs' shapes pick the variant (batch size), whose results are
    // the outputs' shapes.
    call([&](hetc_session_t *s) {
      return hetc_session_entry_signature(s, entry.c_str(), in.data(),
                                          in.size(), &numArgs, &args,
                                          &numResults, &results);
    });
    py::dict outputs;
    std::vector<py::array> arrays;
    std::vector<hetc_tensor_t> out;
    std::vector<std::vector<int64_t>> shapes;
    for (size_t i = 0; i < numResults; ++i) {
      if (results[i].role != HETC_ROLE_OUTPUT)
        continue;
      std::vector<py::ssize_t> shape(results[i].shape,
                                     results[i].shape + results[i].rank);
      py::array array(toNumpy(results[i].dtype), shape);
      outputs[py::str(results[i].name)] = array;
      arrays.push_back(array);
    }
    size_t k = 0;
    for (size_t i = 0; i < numResults; ++i)
      if (results[i].role == HETC_ROLE_OUTPUT)
        out.push_back({results[i].name, results[i].dtype, results[i].rank,
                       results[i].shape, arrays[k++].mutable_data()});
    float loss = 0.0f;
    call([&](hetc_session_t *s) {
      return train ? hetc_session_train_step(s, in.data(), in.size(), &loss,
                                             out.data(), out.size())
                   : hetc_session_run(s, entry.c_str(), in.data(), in.size(),
                                      &loss, out.data(), out.size());
    });
    return py::make_tuple(loss, outputs);
  }

  py::array getTensor(const std::string &name) {
    for (const hetc_tensor_info_t &info : state) {
      if (name != info.name)
        continue;
      std::vector<py::ssize_t> shape(info.shape, info.shape + info.rank);
      py::array array(toNumpy(info.dtype), shape);
      hetc_tensor_t t = {info.name, info.dtype, info.rank, info.shape,
                         array.mutable_data()};
      call([&](hetc_session_t *s) { return hetc_session_get_tensor(s, &t); });
      return array;
    }
    if (!session)
      raise("the session is closed");
    raise("the session holds no parameter or state named '" + name + "'");
  }

  void setTensor(const std::string &name, const py::array &value) {
    py::dict one;
    one[py::str(name)] = value;
    auto bound = bind(one);
    call([&](hetc_session_t *s) {
      return hetc_session_set_tensor(s, &bound.front()->tensor);
    });
  }

  std::vector<std::string> stateNames() {
    std::vector<std::string> names;
    for (const hetc_tensor_info_t &info : state)
      names.push_back(info.name);
    return names;
  }

  /// Attaches another artifact of the model (another batch size); the
  /// session keeps it alive.
  void addArtifact(std::shared_ptr<Artifact> other) {
    if (!other)
      throw py::type_error("add_artifact() needs an Artifact, not None");
    call([&](hetc_session_t *s) {
      return hetc_session_add_artifact(s, other->artifact);
    });
    attached.push_back(std::move(other));
  }

  int64_t step() {
    int64_t step = 0;
    call([&](hetc_session_t *s) {
      step = hetc_session_step(s);
      return hetc_status_t(nullptr);
    });
    return step;
  }

  std::shared_ptr<Artifact> artifact;
  std::shared_ptr<Device> device;
  std::vector<std::shared_ptr<Artifact>> attached;
  std::vector<hetc_tensor_info_t> state;
  std::mutex mutex;
  hetc_session_t *session = nullptr;
};

py::bytes compile(const std::string &source, const std::string &target,
                  const std::string &chip, const std::string &entry,
                  bool evalOnly, const py::dict &optimizer,
                  const std::string &sourceName,
                  const std::vector<int64_t> &batchSizes, bool reproducible,
                  bool debugIntermediates, const std::string &testPerturbOp) {
  mlir::hetc::CompileOptions options;
  options.reproducible = reproducible;
  options.debugIntermediates = debugIntermediates;
  options.testPerturbOp = testPerturbOp;
  options.target = target;
  options.chip = chip;
  options.entry = entry;
  options.trainStep = !evalOnly;
  options.batchSizes = batchSizes;
  std::map<std::string, std::string> trainText;
  for (auto item : optimizer) {
    std::string key = py::cast<std::string>(item.first);
    py::object value = py::reinterpret_borrow<py::object>(item.second);
    std::string text = py::isinstance<py::bool_>(value)
                           ? (value.cast<bool>() ? "true" : "false")
                           : std::string(py::str(value));
    for (char &c : key)
      if (c == '_')
        c = '-';
    trainText[key] = text;
  }
  // Eval-only artifacts have no optimizer: its options are not read.
  if (!evalOnly) {
    std::string error = mlir::hetc::parseTrainOptions(trainText, options.train);
    if (!error.empty())
      raise("error: " + error);
  }
  mlir::hetc::SourceCompileResult result;
  {
    py::gil_scoped_release release;
    result = mlir::hetc::compileSource(source, sourceName, options);
  }
  if (!result.ok)
    raise(result.diagnostics.empty() ? "compilation failed"
                                     : result.diagnostics);
  return py::bytes(result.artifact);
}

//===----------------------------------------------------------------------===//
// The graph builder
//===----------------------------------------------------------------------===//

using mlir::hetc::graph::ElementType;
using mlir::hetc::graph::GraphBuilder;
using mlir::hetc::graph::InitKind;
using mlir::hetc::graph::Tensor;

py::object buildErrorType;

ElementType elementTypeNamed(const std::string &name) {
  static const std::pair<const char *, ElementType> names[] = {
      {"f32", ElementType::F32},   {"f16", ElementType::F16},
      {"bf16", ElementType::BF16}, {"i1", ElementType::I1},
      {"i32", ElementType::I32},   {"i64", ElementType::I64}};
  for (auto &[n, type] : names)
    if (name == n)
      return type;
  raise("unknown element type '" + name + "' (f32, f16, bf16, i1, i32, i64)");
}

std::string elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "f32";
  case ElementType::F16:
    return "f16";
  case ElementType::BF16:
    return "bf16";
  case ElementType::I1:
    return "i1";
  case ElementType::I32:
    return "i32";
  case ElementType::I64:
    return "i64";
  }
  return "f32";
}

InitKind initKindNamed(const std::string &name) {
  static const std::pair<const char *, InitKind> names[] = {
      {"zeros", InitKind::Zeros},
      {"ones", InitKind::Ones},
      {"constant", InitKind::Constant},
      {"uniform", InitKind::Uniform},
      {"normal", InitKind::Normal}};
  for (auto &[n, kind] : names)
    if (name == n)
      return kind;
  raise("unknown initializer '" + name +
        "' (zeros, ones, constant, uniform, normal)");
}

/// Raises hetc.BuildError with the builder's located message.
[[noreturn]] void raiseBuild(GraphBuilder &g) {
  std::string message =
      g.error().empty() ? "graph construction failed" : g.error();
  g.clearError();
  PyErr_SetString(buildErrorType.ptr(), message.c_str());
  throw py::error_already_set();
}

int64_t checked(GraphBuilder &g, Tensor t) {
  if (!t.valid() || !g.error().empty())
    raiseBuild(g);
  return t.id;
}

void checked(GraphBuilder &g, bool ok) {
  if (!ok || !g.error().empty())
    raiseBuild(g);
}

Tensor T(int64_t id) { return Tensor{id}; }

std::vector<Tensor> Ts(const std::vector<int64_t> &ids) {
  std::vector<Tensor> tensors;
  for (int64_t id : ids)
    tensors.push_back(Tensor{id});
  return tensors;
}

void bindGraphBuilder(py::module_ &m) {
  auto cls = py::class_<GraphBuilder>(m, "GraphBuilder",
                                      "Builds hetc models op by op; every "
                                      "op's result type is inferred in C++.");
  cls.def(py::init<>())
      .def("set_location", &GraphBuilder::setLocation, py::arg("file"),
           py::arg("line"), py::arg("column") = 0, py::arg("scope") = "")
      .def(
          "begin_function",
          [](GraphBuilder &g, const std::string &name,
             const std::string &evalOf) {
            checked(g, g.beginFunction(name, evalOf));
          },
          py::arg("name"), py::arg("eval_of") = "")
      .def(
          "end_function",
          [](GraphBuilder &g, const std::vector<int64_t> &results) {
            checked(g, g.endFunction(Ts(results)));
          },
          py::arg("results"))
      .def(
          "update_buffer",
          [](GraphBuilder &g, int64_t buffer, int64_t value) {
            checked(g, g.updateBuffer(T(buffer), T(value)));
          },
          py::arg("buffer"), py::arg("value"))
      .def("print", &GraphBuilder::print, py::arg("locations") = true)
      .def("shape", [](GraphBuilder &g, int64_t t) { return g.shape(T(t)); })
      .def("element_type", [](GraphBuilder &g, int64_t t) {
        return elementTypeName(g.elementType(T(t)));
      });

  // Arguments.
  cls.def(
         "param",
         [](GraphBuilder &g, const std::string &name,
            const std::vector<int64_t> &shape, const std::string &type,
            const std::string &init, double value) {
           return checked(g, g.param(name, shape, elementTypeNamed(type),
                                     initKindNamed(init), value));
         },
         py::arg("name"), py::arg("shape"), py::arg("type") = "f32",
         py::arg("init") = "zeros", py::arg("value") = 0.0)
      .def(
          "buffer",
          [](GraphBuilder &g, const std::string &name,
             const std::vector<int64_t> &shape, const std::string &type,
             const std::string &init, double value) {
            return checked(g, g.buffer(name, shape, elementTypeNamed(type),
                                       initKindNamed(init), value));
          },
          py::arg("name"), py::arg("shape"), py::arg("type") = "f32",
          py::arg("init") = "zeros", py::arg("value") = 0.0)
      .def(
          "input",
          [](GraphBuilder &g, const std::string &name,
             const std::vector<int64_t> &shape, const std::string &type) {
            return checked(g, g.input(name, shape, elementTypeNamed(type)));
          },
          py::arg("name"), py::arg("shape"), py::arg("type") = "f32")
      .def(
          "label",
          [](GraphBuilder &g, const std::string &name,
             const std::vector<int64_t> &shape, const std::string &type) {
            return checked(g, g.label(name, shape, elementTypeNamed(type)));
          },
          py::arg("name"), py::arg("shape"), py::arg("type") = "f32")
      .def(
          "constant",
          [](GraphBuilder &g, const py::array &array) {
            py::array c = py::array::ensure(array, py::array::c_style);
            std::string kind = py::str(c.dtype());
            static const std::pair<const char *, ElementType> types[] = {
                {"float32", ElementType::F32},
                {"float16", ElementType::F16},
                {"bool", ElementType::I1},
                {"int32", ElementType::I32},
                {"int64", ElementType::I64}};
            for (auto &[name, type] : types) {
              if (kind != name)
                continue;
              std::vector<int64_t> shape(c.shape(), c.shape() + c.ndim());
              return checked(g, g.constant(type, shape, c.data(), c.nbytes()));
            }
            raise("constants are float32, float16, bool, int32 or int64 "
                  "arrays, not " +
                  kind);
          },
          py::arg("array"))
      .def(
          "scalar",
          [](GraphBuilder &g, double value, const std::string &type) {
            return checked(g, g.scalar(value, elementTypeNamed(type)));
          },
          py::arg("value"), py::arg("type") = "f32");

#define HETC_BIND_BINARY(name, method)                                         \
  cls.def(                                                                     \
      name,                                                                    \
      [](GraphBuilder &g, int64_t a, int64_t b) {                              \
        return checked(g, g.method(T(a), T(b)));                               \
      },                                                                       \
      py::arg("lhs"), py::arg("rhs"));
  HETC_BIND_BINARY("add", add)
  HETC_BIND_BINARY("sub", sub)
  HETC_BIND_BINARY("mul", mul)
  HETC_BIND_BINARY("div", div)
  HETC_BIND_BINARY("maximum", maximum)
  HETC_BIND_BINARY("minimum", minimum)
  HETC_BIND_BINARY("embedding", embedding)
  HETC_BIND_BINARY("cross_entropy", crossEntropy)
  HETC_BIND_BINARY("mse", mse)
#undef HETC_BIND_BINARY

#define HETC_BIND_UNARY(name, method)                                          \
  cls.def(                                                                     \
      name,                                                                    \
      [](GraphBuilder &g, int64_t x) { return checked(g, g.method(T(x))); },   \
      py::arg("x"));
  HETC_BIND_UNARY("neg", neg)
  HETC_BIND_UNARY("exp", exp)
  HETC_BIND_UNARY("log", log)
  HETC_BIND_UNARY("sqrt", sqrt)
  HETC_BIND_UNARY("rsqrt", rsqrt)
  HETC_BIND_UNARY("tanh", tanh)
  HETC_BIND_UNARY("sigmoid", sigmoid)
  HETC_BIND_UNARY("relu", relu)
  HETC_BIND_UNARY("abs", abs)
  HETC_BIND_UNARY("erf", erf)
  HETC_BIND_UNARY("sign", sign)
#undef HETC_BIND_UNARY

  cls.def(
         "compare",
         [](GraphBuilder &g, const std::string &predicate, int64_t a,
            int64_t b) { return checked(g, g.compare(predicate, T(a), T(b))); },
         py::arg("predicate"), py::arg("lhs"), py::arg("rhs"))
      .def(
          "where",
          [](GraphBuilder &g, int64_t c, int64_t a, int64_t b) {
            return checked(g, g.where(T(c), T(a), T(b)));
          },
          py::arg("condition"), py::arg("lhs"), py::arg("rhs"))
      .def(
          "clamp",
          [](GraphBuilder &g, int64_t x, std::optional<double> min,
             std::optional<double> max) {
            return checked(g, g.clamp(T(x), min, max));
          },
          py::arg("x"), py::arg("min") = py::none(),
          py::arg("max") = py::none())
      .def(
          "cast",
          [](GraphBuilder &g, int64_t x, const std::string &type) {
            return checked(g, g.cast(T(x), elementTypeNamed(type)));
          },
          py::arg("x"), py::arg("type"))
      .def(
          "gather",
          [](GraphBuilder &g, int64_t x, int64_t indices, int64_t axis) {
            return checked(g, g.gather(T(x), T(indices), axis));
          },
          py::arg("x"), py::arg("indices"), py::arg("axis"))
      .def(
          "cumsum",
          [](GraphBuilder &g, int64_t x, int64_t axis, bool exclusive,
             bool reverse) {
            return checked(g, g.cumsum(T(x), axis, exclusive, reverse));
          },
          py::arg("x"), py::arg("axis"), py::arg("exclusive") = false,
          py::arg("reverse") = false)
      .def(
          "gelu",
          [](GraphBuilder &g, int64_t x, bool tanh) {
            return checked(g, g.gelu(T(x), tanh));
          },
          py::arg("x"), py::arg("tanh_approximation") = false)
      .def(
          "pow",
          [](GraphBuilder &g, int64_t x, double e) {
            return checked(g, g.pow(T(x), e));
          },
          py::arg("x"), py::arg("exponent"))
      .def(
          "reduce",
          [](GraphBuilder &g, const std::string &kind, int64_t x,
             const std::vector<int64_t> &axes, bool keepdims) {
            return checked(g, g.reduce(kind, T(x), axes, keepdims));
          },
          py::arg("kind"), py::arg("x"), py::arg("axes"),
          py::arg("keepdims") = false)
      .def(
          "softmax",
          [](GraphBuilder &g, int64_t x, int64_t axis) {
            return checked(g, g.softmax(T(x), axis));
          },
          py::arg("x"), py::arg("axis"))
      .def(
          "log_softmax",
          [](GraphBuilder &g, int64_t x, int64_t axis) {
            return checked(g, g.logSoftmax(T(x), axis));
          },
          py::arg("x"), py::arg("axis"))
      .def(
          "reshape",
          [](GraphBuilder &g, int64_t x, const std::vector<int64_t> &shape) {
            return checked(g, g.reshape(T(x), shape));
          },
          py::arg("x"), py::arg("shape"))
      .def(
          "transpose",
          [](GraphBuilder &g, int64_t x, const std::vector<int64_t> &perm) {
            return checked(g, g.transpose(T(x), perm));
          },
          py::arg("x"), py::arg("permutation"))
      .def(
          "broadcast_to",
          [](GraphBuilder &g, int64_t x, const std::vector<int64_t> &shape) {
            return checked(g, g.broadcastTo(T(x), shape));
          },
          py::arg("x"), py::arg("shape"))
      .def(
          "concat",
          [](GraphBuilder &g, const std::vector<int64_t> &xs, int64_t axis) {
            return checked(g, g.concat(Ts(xs), axis));
          },
          py::arg("inputs"), py::arg("axis"))
      .def(
          "slice",
          [](GraphBuilder &g, int64_t x, const std::vector<int64_t> &offsets,
             const std::vector<int64_t> &sizes,
             const std::vector<int64_t> &strides) {
            return checked(g, g.slice(T(x), offsets, sizes, strides));
          },
          py::arg("x"), py::arg("offsets"), py::arg("sizes"),
          py::arg("strides"))
      .def(
          "matmul",
          [](GraphBuilder &g, int64_t a, int64_t b, bool ta, bool tb) {
            return checked(g, g.matmul(T(a), T(b), ta, tb));
          },
          py::arg("lhs"), py::arg("rhs"), py::arg("transpose_lhs") = false,
          py::arg("transpose_rhs") = false)
      .def(
          "conv2d",
          [](GraphBuilder &g, int64_t x, int64_t w, std::optional<int64_t> bias,
             const std::vector<int64_t> &strides,
             const std::vector<int64_t> &padding,
             const std::vector<int64_t> &dilation, int64_t groups) {
            return checked(g, g.conv2d(T(x), T(w), T(bias.value_or(-1)),
                                       strides, padding, dilation, groups));
          },
          py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(),
          py::arg("strides") = std::vector<int64_t>{1, 1},
          py::arg("padding") = std::vector<int64_t>{0, 0, 0, 0},
          py::arg("dilation") = std::vector<int64_t>{1, 1},
          py::arg("groups") = 1)
      .def(
          "conv_transpose2d",
          [](GraphBuilder &g, int64_t x, int64_t w, std::optional<int64_t> bias,
             const std::vector<int64_t> &strides,
             const std::vector<int64_t> &padding,
             const std::vector<int64_t> &outputPadding,
             const std::vector<int64_t> &dilation, int64_t groups) {
            return checked(
                g, g.convTranspose2d(T(x), T(w), T(bias.value_or(-1)), strides,
                                     padding, outputPadding, dilation, groups));
          },
          py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(),
          py::arg("strides") = std::vector<int64_t>{1, 1},
          py::arg("padding") = std::vector<int64_t>{0, 0, 0, 0},
          py::arg("output_padding") = std::vector<int64_t>{0, 0},
          py::arg("dilation") = std::vector<int64_t>{1, 1},
          py::arg("groups") = 1)
      .def(
          "max_pool2d",
          [](GraphBuilder &g, int64_t x, const std::vector<int64_t> &kernel,
             const std::vector<int64_t> &strides,
             const std::vector<int64_t> &padding,
             const std::vector<int64_t> &dilation, bool ceilMode) {
            return checked(g, g.maxPool2d(T(x), kernel, strides, padding,
                                          dilation, ceilMode));
          },
          py::arg("input"), py::arg("kernel_size"), py::arg("strides"),
          py::arg("padding") = std::vector<int64_t>{0, 0, 0, 0},
          py::arg("dilation") = std::vector<int64_t>{1, 1},
          py::arg("ceil_mode") = false)
      .def(
          "avg_pool2d",
          [](GraphBuilder &g, int64_t x, const std::vector<int64_t> &kernel,
             const std::vector<int64_t> &strides,
             const std::vector<int64_t> &padding, bool countIncludePad,
             bool ceilMode) {
            return checked(g, g.avgPool2d(T(x), kernel, strides, padding,
                                          countIncludePad, ceilMode));
          },
          py::arg("input"), py::arg("kernel_size"), py::arg("strides"),
          py::arg("padding") = std::vector<int64_t>{0, 0, 0, 0},
          py::arg("count_include_pad") = true, py::arg("ceil_mode") = false)
      .def(
          "adaptive_avg_pool2d",
          [](GraphBuilder &g, int64_t x, const std::vector<int64_t> &size) {
            return checked(g, g.adaptiveAvgPool2d(T(x), size));
          },
          py::arg("input"), py::arg("output_size"))
      .def(
          "upsample",
          [](GraphBuilder &g, int64_t x, const std::vector<int64_t> &size,
             const std::string &mode, bool alignCorners) {
            return checked(g, g.upsample(T(x), size, mode, alignCorners));
          },
          py::arg("input"), py::arg("size"), py::arg("mode") = "nearest",
          py::arg("align_corners") = false)
      .def(
          "pad",
          [](GraphBuilder &g, int64_t x, const std::vector<int64_t> &padding,
             const std::string &mode, double value) {
            return checked(g, g.pad(T(x), padding, mode, value));
          },
          py::arg("input"), py::arg("padding"), py::arg("mode") = "constant",
          py::arg("value") = 0.0)
      .def(
          "batch_norm",
          [](GraphBuilder &g, int64_t x, int64_t scale, int64_t bias,
             double eps) {
            return checked(g, g.batchNorm(T(x), T(scale), T(bias), eps));
          },
          py::arg("input"), py::arg("scale"), py::arg("bias"),
          py::arg("epsilon") = 1e-5)
      .def(
          "batch_norm_inference",
          [](GraphBuilder &g, int64_t x, int64_t scale, int64_t bias,
             int64_t mean, int64_t var, double eps) {
            return checked(g, g.batchNormInference(T(x), T(scale), T(bias),
                                                   T(mean), T(var), eps));
          },
          py::arg("input"), py::arg("scale"), py::arg("bias"), py::arg("mean"),
          py::arg("variance"), py::arg("epsilon") = 1e-5)
      .def(
          "batch_norm_running_stats",
          [](GraphBuilder &g, int64_t x, int64_t mean, int64_t var,
             double momentum) {
            std::vector<Tensor> stats =
                g.batchNormRunningStats(T(x), T(mean), T(var), momentum);
            if (stats.size() != 2)
              raiseBuild(g);
            return std::vector<int64_t>{checked(g, stats[0]),
                                        checked(g, stats[1])};
          },
          py::arg("input"), py::arg("running_mean"),
          py::arg("running_variance"), py::arg("momentum"))
      .def(
          "layer_norm",
          [](GraphBuilder &g, int64_t x, int64_t scale, int64_t bias,
             double eps) {
            return checked(g, g.layerNorm(T(x), T(scale), T(bias), eps));
          },
          py::arg("input"), py::arg("scale"), py::arg("bias"),
          py::arg("epsilon") = 1e-5)
      .def(
          "dropout",
          [](GraphBuilder &g, int64_t x, int64_t seed, double p) {
            return checked(g, g.dropout(T(x), T(seed), p));
          },
          py::arg("input"), py::arg("seed"), py::arg("p"));
}

/// Raises a scheduler's status as ValueError, as torch's schedulers raise
/// bad options and stepping past the end.
void checkValue(hetc_status_t status) {
  if (!status)
    return;
  std::string message = hetc_status_message(status);
  hetc_status_free(status);
  throw py::value_error(message);
}

/// A runtime lr scheduler. Children of a SequentialLR are owned by it: their
/// wrappers keep the parent alive and never free.
class LRScheduler {
public:
  using Ptr = std::shared_ptr<LRScheduler>;
  using Values = std::vector<double>;
  using MaybeValues = std::optional<Values>;

  explicit LRScheduler(hetc_lr_scheduler_t *scheduler) : scheduler(scheduler) {}
  ~LRScheduler() {
    if (!owner)
      hetc_lr_scheduler_free(scheduler);
  }

  /// Creates a scheduler from `spec`; returns it with the groups' lrs and
  /// momenta after torch's initial step.
  static py::tuple create(const std::string &spec, const Values &baseLrs,
                          Values lrs, MaybeValues momenta) {
    checkGroups(baseLrs, lrs, momenta);
    hetc_lr_scheduler_t *scheduler = nullptr;
    checkValue(hetc_lr_scheduler_create(
        spec.c_str(), lrs.size(), baseLrs.data(), lrs.data(),
        momenta ? momenta->data() : nullptr, &scheduler));
    return py::make_tuple(std::make_shared<LRScheduler>(scheduler), lrs,
                          momenta);
  }

  static py::tuple sequential(const std::vector<Ptr> &children,
                              const std::vector<int64_t> &milestones,
                              const Values &baseLrs, Values lrs,
                              MaybeValues momenta) {
    checkGroups(baseLrs, lrs, momenta);
    if (milestones.size() + 1 != children.size())
      throw py::value_error(
          "Sequential Schedulers expects number of schedulers provided to "
          "be one more than the number of milestone points, but got number "
          "of schedulers " +
          std::to_string(children.size()) +
          " and the number of milestones to be equal to " +
          std::to_string(milestones.size()));
    std::vector<hetc_lr_scheduler_t *> raw;
    for (const Ptr &child : children) {
      if (!child || child->owner)
        throw py::value_error("a scheduler can be chained only once");
      if (hetc_lr_scheduler_group_count(child->scheduler) != lrs.size())
        throw py::value_error("the schedulers drive another optimizer");
      raw.push_back(child->scheduler);
    }
    hetc_lr_scheduler_t *scheduler = nullptr;
    checkValue(hetc_lr_scheduler_create_sequential(
        raw.data(), raw.size(), milestones.data(), baseLrs.data(), lrs.data(),
        momenta ? momenta->data() : nullptr, &scheduler));
    auto parent = std::make_shared<LRScheduler>(scheduler);
    for (const Ptr &child : children)
      child->owner = parent;
    return py::make_tuple(parent, lrs, momenta);
  }

  py::tuple step(Values lrs, MaybeValues momenta) {
    checkCount(lrs, momenta);
    checkValue(hetc_lr_scheduler_step(scheduler, lrs.data(),
                                      momenta ? momenta->data() : nullptr));
    return py::make_tuple(lrs, momenta);
  }

  Values stepMetric(double metric, Values lrs) {
    checkCount(lrs, std::nullopt);
    checkValue(hetc_lr_scheduler_step_metric(scheduler, metric, lrs.data()));
    return lrs;
  }

  Values baseLrs() const {
    const double *v = hetc_lr_scheduler_base_lrs(scheduler);
    return Values(v, v + hetc_lr_scheduler_group_count(scheduler));
  }
  Values lastLrs() const {
    const double *v = hetc_lr_scheduler_last_lrs(scheduler);
    return Values(v, v + hetc_lr_scheduler_group_count(scheduler));
  }
  std::string state() const {
    char *text = nullptr;
    checkValue(hetc_lr_scheduler_get_state(scheduler, &text));
    std::string result(text);
    free(text);
    return result;
  }
  void setState(const std::string &text) {
    checkValue(hetc_lr_scheduler_set_state(scheduler, text.c_str()));
  }

  hetc_lr_scheduler_t *scheduler;
  Ptr owner;

private:
  static void checkGroups(const Values &baseLrs, const Values &lrs,
                          const MaybeValues &momenta) {
    if (baseLrs.size() != lrs.size() ||
        (momenta && momenta->size() != lrs.size()))
      throw py::value_error("base lrs, lrs and momenta need one value per "
                            "parameter group");
  }
  void checkCount(const Values &lrs, const MaybeValues &momenta) const {
    size_t groups = hetc_lr_scheduler_group_count(scheduler);
    if (lrs.size() != groups || (momenta && momenta->size() != groups))
      throw py::value_error("the scheduler drives " + std::to_string(groups) +
                            " parameter group(s); got " +
                            std::to_string(lrs.size()) + " lr(s)");
  }
};

void bindLRScheduler(py::module_ &m) {
  py::class_<LRScheduler, LRScheduler::Ptr>(
      m, "LRScheduler",
      "A runtime learning-rate scheduler (torch.optim.lr_scheduler's "
      "arithmetic, in C); hetc.optim.lr_scheduler wraps it.")
      .def_static("create", &LRScheduler::create, py::arg("spec"),
                  py::arg("base_lrs"), py::arg("lrs"),
                  py::arg("momenta") = py::none())
      .def_static("sequential", &LRScheduler::sequential, py::arg("children"),
                  py::arg("milestones"), py::arg("base_lrs"), py::arg("lrs"),
                  py::arg("momenta") = py::none())
      .def("step", &LRScheduler::step, py::arg("lrs"),
           py::arg("momenta") = py::none())
      .def("step_metric", &LRScheduler::stepMetric, py::arg("metric"),
           py::arg("lrs"))
      .def_property_readonly("kind",
                             [](const LRScheduler &s) {
                               return std::string(
                                   hetc_lr_scheduler_kind(s.scheduler));
                             })
      .def_property_readonly("base_lrs", &LRScheduler::baseLrs)
      .def_property_readonly("last_lr", &LRScheduler::lastLrs)
      .def_property_readonly("last_epoch",
                             [](const LRScheduler &s) {
                               return hetc_lr_scheduler_last_epoch(s.scheduler);
                             })
      .def_property("state", &LRScheduler::state, &LRScheduler::setState);
}

} // namespace

PYBIND11_MODULE(_hetc, m) {
  m.doc() = "hetc: compile training steps and run them (native module)";
  errorType = py::reinterpret_borrow<py::object>(
      PyErr_NewException("hetc.Error", PyExc_RuntimeError, nullptr));
  m.attr("Error") = errorType;
  // A model that cannot be built: a shape, type or attribute error at the
  // user's call site. Also a ValueError, as torch raises for bad shapes.
  buildErrorType = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "hetc.BuildError",
      "A model op was given operands or attributes it cannot take.",
      py::make_tuple(errorType, py::handle(PyExc_ValueError)).ptr(), nullptr));
  m.attr("BuildError") = buildErrorType;
  bindGraphBuilder(m);
  bindLRScheduler(m);

  m.def("compile", &compile, py::arg("source"), py::arg("target") = "cpu",
        py::arg("chip") = "", py::arg("entry") = "",
        py::arg("eval_only") = false, py::arg("optimizer") = py::dict(),
        py::arg("source_name") = "<string>",
        py::arg("batch_sizes") = std::vector<int64_t>(),
        py::arg("reproducible") = false, py::arg("debug_intermediates") = false,
        py::arg("test_perturb_op") = "",
        "Compiles MLIR text in the hetc dialect into artifact bytes.");

  py::class_<Artifact, std::shared_ptr<Artifact>>(m, "Artifact")
      .def(py::init<const py::bytes &>(), py::arg("data"))
      .def_static("load", &Artifact::load, py::arg("path"))
      .def_property_readonly("target", &Artifact::target)
      .def_property_readonly("manifest", &Artifact::manifest)
      .def_property_readonly("reproducible", &Artifact::reproducible)
      .def_property_readonly("entries", &Artifact::entries);

  py::class_<Device, std::shared_ptr<Device>>(m, "Device")
      .def(py::init<const std::string &, int>(), py::arg("driver") = "cpu",
           py::arg("ordinal") = 0)
      .def_property_readonly("description", &Device::description);

  py::class_<Session>(m, "Session")
      .def(py::init<std::shared_ptr<Artifact>, std::shared_ptr<Device>,
                    uint64_t>(),
           py::arg("artifact"), py::arg("device"), py::arg("seed") = 0)
      .def(
          "init_params",
          [](Session &s, uint64_t seed) {
            s.call([&](hetc_session_t *session) {
              return hetc_session_init_params(session, seed);
            });
          },
          py::arg("seed"))
      .def("train_step",
           [](Session &s, const py::kwargs &inputs) {
             return s.run("train_step", inputs, /*train=*/true);
           })
      .def(
          "run",
          [](Session &s, const std::string &entry, const py::kwargs &inputs) {
            return s.run(entry, inputs, /*train=*/false);
          },
          py::arg("entry") = "eval")
      .def("get", &Session::getTensor, py::arg("name"))
      .def("set", &Session::setTensor, py::arg("name"), py::arg("value"))
      .def("add_artifact", &Session::addArtifact, py::arg("artifact"),
           "Attaches an artifact of the same model compiled for another "
           "batch size; its entries run on this session's state.")
      .def_property_readonly("state_names", &Session::stateNames)
      .def_property_readonly("step", &Session::step)
      .def(
          "fingerprint",
          [](Session &s, uint64_t rngSeed, uint64_t rngCounter) {
            hetc_rng_state_t rng = {rngSeed, rngCounter};
            uint8_t digest[HETC_SHA256_SIZE];
            s.call([&](hetc_session_t *session) {
              return hetc_session_fingerprint(session, &rng, digest);
            });
            char hex[2 * HETC_SHA256_SIZE + 1];
            hetc_fingerprint_hex(digest, hex);
            return std::string(hex);
          },
          py::arg("rng_seed") = 0, py::arg("rng_counter") = 0,
          "SHA-256 of the session's state (step, the caller's RNG state, "
          "every parameter, buffer, optimizer state and hyper-parameter) "
          "in docs/reproducibility.md's encoding, as 64 hex digits.")
      .def(
          "set_hyperparameter",
          [](Session &s, const std::string &name, double value, int group) {
            s.call([&](hetc_session_t *session) {
              return hetc_session_set_hyperparameter(session, name.c_str(),
                                                     group, value);
            });
          },
          py::arg("name"), py::arg("value"), py::arg("group") = 0,
          "Sets runtime hyper-parameter `name` (lr, weight_decay, momentum, "
          "beta1, beta2, eps, max_grad_norm) of parameter group `group`.")
      .def(
          "get_hyperparameter",
          [](Session &s, const std::string &name, int group) {
            double value = 0.0;
            s.call([&](hetc_session_t *session) {
              return hetc_session_get_hyperparameter(session, name.c_str(),
                                                     group, &value);
            });
            return value;
          },
          py::arg("name"), py::arg("group") = 0)
      .def_property_readonly("num_groups",
                             [](Session &s) {
                               int groups = 0;
                               s.call([&](hetc_session_t *session) {
                                 groups = hetc_session_group_count(session);
                                 return hetc_status_t(nullptr);
                               });
                               return groups;
                             })
      .def(
          "save_checkpoint",
          [](Session &s, const std::string &path) {
            s.call([&](hetc_session_t *session) {
              return hetc_session_save_checkpoint(session, path.c_str());
            });
          },
          py::arg("path"))
      .def(
          "set_checkpoint_blob",
          [](Session &s, const std::string &name, const py::bytes &data) {
            std::string bytes = data;
            s.call([&](hetc_session_t *session) {
              return hetc_session_set_checkpoint_blob(
                  session, name.c_str(), bytes.data(), bytes.size());
            });
          },
          py::arg("name"), py::arg("data"),
          "Named bytes the next save_checkpoint writes into the checkpoint "
          "file, atomically with the tensors.")
      .def(
          "get_checkpoint_blob",
          [](Session &s, const std::string &name) -> py::object {
            void *data = nullptr;
            size_t size = 0;
            bool found = true;
            s.call([&](hetc_session_t *session) {
              hetc_status_t status = hetc_session_get_checkpoint_blob(
                  session, name.c_str(), &data, &size);
              // Absent is an answer here, not an error.
              if (status && hetc_status_code(status) == HETC_STATUS_NOT_FOUND) {
                hetc_status_free(status);
                found = false;
                return hetc_status_t(nullptr);
              }
              return status;
            });
            if (!found)
              return py::none();
            py::bytes result(static_cast<const char *>(data), size);
            free(data);
            return std::move(result);
          },
          py::arg("name"),
          "The bytes of blob `name` the session holds (set, or restored by "
          "the last load_checkpoint), or None.")
      .def(
          "load_checkpoint",
          [](Session &s, const std::string &path) {
            s.call([&](hetc_session_t *session) {
              return hetc_session_load_checkpoint(session, path.c_str());
            });
          },
          py::arg("path"))
      .def("close", &Session::close);
}
