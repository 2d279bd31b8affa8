//===- GraphBuilder.h - build hetc models without MLIR types ----*- C++ -*-===//
//
// The one way frontends (hetc.nn, the ONNX importer, the torch frontend)
// build a model: every op is created through the dialect's own builders and
// type inference, so result shapes, broadcasting and attribute checks live
// in C++ only. The header names no MLIR type, so that clients built with
// exceptions and RTTI (the Python module) can include it.
//
// Errors never throw: a failing call returns an invalid Tensor and records a
// located message; error() keeps the first one since clearError(), so a
// composition that fails midway reports its cause. Locations come from
// setLocation(), which frontends point at the user's own source (a Python call
// site, an ONNX node, a torch module path).
//
//===----------------------------------------------------------------------===//

#ifndef HETC_FRONTEND_GRAPHBUILDER_H
#define HETC_FRONTEND_GRAPHBUILDER_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::hetc::graph {

/// Element types a frontend can name.
enum class ElementType { F32, F16, BF16, I1, I32, I64 };

/// How a parameter or buffer is initialized by the runtime (hetc.init).
enum class InitKind { Zeros, Ones, Constant, Uniform, Normal };

/// A handle to a value of the function being built; `id < 0` is invalid.
struct Tensor {
  int64_t id = -1;
  bool valid() const { return id >= 0; }
};

class GraphBuilderImpl;

class GraphBuilder {
public:
  GraphBuilder();
  ~GraphBuilder();
  GraphBuilder(const GraphBuilder &) = delete;
  GraphBuilder &operator=(const GraphBuilder &) = delete;

  /// The first error since clearError(), formatted `file:line:col: error:
  /// message`; empty when every call since succeeded.
  const std::string &error() const;
  void clearError();

  /// Ops built from now on carry this location; `scope` (a module path such
  /// as "layers.3.attn", or an ONNX node name) is attached when non-empty.
  void setLocation(const std::string &file, unsigned line, unsigned column,
                   const std::string &scope = "");

  //===--------------------------------------------------------------------===//
  // Functions and arguments
  //===--------------------------------------------------------------------===//

  /// Starts a function. `evalOf` names the train-mode model this function
  /// is the eval-mode form of (hetc.eval_of), or is empty for a model.
  bool beginFunction(const std::string &name, const std::string &evalOf = "");
  /// Returns `results` (the loss first) and closes the function.
  bool endFunction(const std::vector<Tensor> &results);

  Tensor param(const std::string &name, const std::vector<int64_t> &shape,
               ElementType type, InitKind init, double initValue = 0.0);
  /// Session state that is not trained (torch buffers, frozen parameters).
  Tensor buffer(const std::string &name, const std::vector<int64_t> &shape,
                ElementType type, InitKind init, double initValue = 0.0);
  Tensor input(const std::string &name, const std::vector<int64_t> &shape,
               ElementType type);
  Tensor label(const std::string &name, const std::vector<int64_t> &shape,
               ElementType type);
  /// Records `value` as the buffer's value after a training step.
  bool updateBuffer(Tensor buffer, Tensor value);

  /// A dense constant; `data` holds the row-major elements (i1 as bytes).
  Tensor constant(ElementType type, const std::vector<int64_t> &shape,
                  const void *data, size_t bytes);
  /// A 0-d constant, which broadcasts in elementwise ops.
  Tensor scalar(double value, ElementType type = ElementType::F32);

  //===--------------------------------------------------------------------===//
  // Queries
  //===--------------------------------------------------------------------===//

  std::vector<int64_t> shape(Tensor value) const;
  ElementType elementType(Tensor value) const;

  /// The module built so far, in the hetc dialect's text form; with
  /// `locations` the text keeps each op's source location.
  std::string print(bool locations = true) const;

  //===--------------------------------------------------------------------===//
  // Ops. Each creates one hetc op (or a short composition where noted)
  // through the dialect's builders; its result type is inferred.
  //===--------------------------------------------------------------------===//

  Tensor add(Tensor lhs, Tensor rhs);
  Tensor sub(Tensor lhs, Tensor rhs);
  Tensor mul(Tensor lhs, Tensor rhs);
  Tensor div(Tensor lhs, Tensor rhs);
  Tensor maximum(Tensor lhs, Tensor rhs);
  Tensor minimum(Tensor lhs, Tensor rhs);
  /// `predicate` is one of eq, ne, lt, le, gt, ge; the result is a 0/1 mask.
  Tensor compare(const std::string &predicate, Tensor lhs, Tensor rhs);

  Tensor where(Tensor condition, Tensor lhs, Tensor rhs);

  Tensor neg(Tensor x);
  Tensor abs(Tensor x);
  Tensor erf(Tensor x);
  Tensor sign(Tensor x);
  /// Either bound may be absent, not both.
  Tensor clamp(Tensor x, std::optional<double> min, std::optional<double> max);
  /// Converts the element type (float to integer truncates toward zero).
  Tensor cast(Tensor x, ElementType type);
  Tensor exp(Tensor x);
  Tensor log(Tensor x);
  Tensor sqrt(Tensor x);
  Tensor rsqrt(Tensor x);
  Tensor tanh(Tensor x);
  Tensor sigmoid(Tensor x);
  Tensor relu(Tensor x);
  Tensor gelu(Tensor x, bool tanhApproximation = false);
  Tensor pow(Tensor x, double exponent);

  /// `kind` is sum, mean, max or min.
  Tensor reduce(const std::string &kind, Tensor x,
                const std::vector<int64_t> &axes, bool keepdims = false);
  Tensor softmax(Tensor x, int64_t axis);
  Tensor logSoftmax(Tensor x, int64_t axis);

  Tensor reshape(Tensor x, const std::vector<int64_t> &shape);
  Tensor transpose(Tensor x, const std::vector<int64_t> &permutation);
  Tensor broadcastTo(Tensor x, const std::vector<int64_t> &shape);
  Tensor concat(const std::vector<Tensor> &inputs, int64_t axis);
  Tensor slice(Tensor x, const std::vector<int64_t> &offsets,
               const std::vector<int64_t> &sizes,
               const std::vector<int64_t> &strides);
  /// ONNX Gather: x.shape[:axis] + indices.shape + x.shape[axis + 1:].
  Tensor gather(Tensor x, Tensor indices, int64_t axis);
  Tensor cumsum(Tensor x, int64_t axis, bool exclusive = false,
                bool reverse = false);

  Tensor matmul(Tensor lhs, Tensor rhs, bool transposeLhs = false,
                bool transposeRhs = false);
  /// `bias` may be invalid (no bias). `padding` is [top, left, bottom,
  /// right].
  Tensor conv2d(Tensor input, Tensor weight, Tensor bias,
                const std::vector<int64_t> &strides,
                const std::vector<int64_t> &padding,
                const std::vector<int64_t> &dilation, int64_t groups);
  /// torch's ConvTranspose2d, weight [C_in, C_out / groups, kh, kw].
  Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias,
                         const std::vector<int64_t> &strides,
                         const std::vector<int64_t> &padding,
                         const std::vector<int64_t> &outputPadding,
                         const std::vector<int64_t> &dilation, int64_t groups);
  Tensor maxPool2d(Tensor input, const std::vector<int64_t> &kernel,
                   const std::vector<int64_t> &strides,
                   const std::vector<int64_t> &padding,
                   const std::vector<int64_t> &dilation = {1, 1},
                   bool ceilMode = false);
  Tensor avgPool2d(Tensor input, const std::vector<int64_t> &kernel,
                   const std::vector<int64_t> &strides,
                   const std::vector<int64_t> &padding,
                   bool countIncludePad = true, bool ceilMode = false);
  Tensor adaptiveAvgPool2d(Tensor input,
                           const std::vector<int64_t> &outputSize);
  /// `mode` is nearest or bilinear; `size` is the output [H, W].
  Tensor upsample(Tensor input, const std::vector<int64_t> &size,
                  const std::string &mode, bool alignCorners);
  /// `padding` lists every dimension's begin, then every end (ONNX Pad);
  /// `mode` is constant, reflect or edge.
  Tensor pad(Tensor input, const std::vector<int64_t> &padding,
             const std::string &mode, double value = 0.0);
  /// Training-mode batch normalization (the batch's own statistics).
  Tensor batchNorm(Tensor input, Tensor scale, Tensor bias, double epsilon);
  /// Eval-mode batch normalization with given statistics, per channel of
  /// dimension 1 (a composition of elementwise ops).
  Tensor batchNormInference(Tensor input, Tensor scale, Tensor bias,
                            Tensor mean, Tensor variance, double epsilon);
  /// torch's running-statistics update for a batch: returns the new running
  /// mean and variance, (1 - momentum) * old + momentum * batch, with the
  /// batch's unbiased variance (a composition of reductions).
  std::vector<Tensor> batchNormRunningStats(Tensor input, Tensor runningMean,
                                            Tensor runningVariance,
                                            double momentum);
  Tensor layerNorm(Tensor input, Tensor scale, Tensor bias, double epsilon);
  Tensor embedding(Tensor table, Tensor indices);
  Tensor dropout(Tensor input, Tensor seed, double p);

  Tensor crossEntropy(Tensor logits, Tensor labels);
  Tensor mse(Tensor input, Tensor target);

private:
  std::unique_ptr<GraphBuilderImpl> impl;
};

} // namespace mlir::hetc::graph

#endif // HETC_FRONTEND_GRAPHBUILDER_H
