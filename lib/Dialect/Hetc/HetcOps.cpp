//===- HetcOps.cpp - hetc op verification, inference and folding ----------===//
//
// Result-type inference doubles as the verifier: the InferTypeOpInterface
// trait re-infers every op's type, so a malformed op is reported here with a
// message naming the offending operand, dimension or attribute.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/HetcOps.h"

#include "OpInference.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/Support/raw_ostream.h"

#include <numeric>

using namespace mlir;
using namespace mlir::hetc;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static bool isSplatFloat(Attribute attr, double value) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  if (!splat || !isa<FloatType>(splat.getElementType()))
    return false;
  return splat.getSplatValue<APFloat>().convertToDouble() == value;
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult
MatmulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                           Adaptor adaptor,
                           SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "matmul");
  RankedTensorType lhs = tensorOperand(diag, adaptor.getLhs(), "lhs");
  RankedTensorType rhs = tensorOperand(diag, adaptor.getRhs(), "rhs");
  if (!lhs || !rhs)
    return failure();
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return diag("operands must have rank >= 2, got lhs rank ", lhs.getRank(),
                " and rhs rank ", rhs.getRank());
  if (failed(checkSameElementType(diag, lhs, "lhs", rhs, "rhs")))
    return failure();
  ArrayRef<int64_t> l = lhs.getShape(), r = rhs.getShape();
  int64_t lr = lhs.getRank(), rr = rhs.getRank();
  bool tl = adaptor.getTransposeLhs(), tr = adaptor.getTransposeRhs();
  int64_t m = tl ? l[lr - 1] : l[lr - 2];
  int64_t lk = tl ? l[lr - 2] : l[lr - 1];
  int64_t rk = tr ? r[rr - 1] : r[rr - 2];
  int64_t n = tr ? r[rr - 2] : r[rr - 1];
  if (lk != rk)
    return diag("contraction dimensions differ: lhs ", shapeStr(l),
                " has K = ", lk, " but rhs ", shapeStr(r), " has K = ", rk);
  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(l.drop_back(2), r.drop_back(2),
                                          batch))
    return diag("batch dimensions ", shapeStr(l.drop_back(2)), " and ",
                shapeStr(r.drop_back(2)), " are not broadcast-compatible");
  batch.push_back(m);
  batch.push_back(n);
  inferredReturnTypes.push_back(
      RankedTensorType::get(batch, lhs.getElementType()));
  return success();
}

namespace {
/// Returns the input of a transpose that swaps exactly the last two
/// dimensions, or null.
Value getLastTwoDimsTransposeInput(Value value) {
  auto transpose = value.getDefiningOp<TransposeOp>();
  if (!transpose)
    return {};
  ArrayRef<int64_t> perm = transpose.getPermutation();
  int64_t rank = perm.size();
  if (rank < 2)
    return {};
  for (int64_t i = 0; i < rank - 2; ++i)
    if (perm[i] != i)
      return {};
  if (perm[rank - 2] != rank - 1 || perm[rank - 1] != rank - 2)
    return {};
  return transpose.getInput();
}

/// matmul(transpose(a), b) => matmul(a, b) {transpose_lhs}, when the
/// transpose swaps the last two dimensions; likewise for the rhs.
struct FoldTransposeIntoMatmul : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    Value lhsSrc = getLastTwoDimsTransposeInput(op.getLhs());
    Value rhsSrc = getLastTwoDimsTransposeInput(op.getRhs());
    if (!lhsSrc && !rhsSrc)
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      if (lhsSrc) {
        op.getLhsMutable().assign(lhsSrc);
        op.setTransposeLhs(!op.getTransposeLhs());
      }
      if (rhsSrc) {
        op.getRhsMutable().assign(rhsSrc);
        op.setTransposeRhs(!op.getTransposeRhs());
      }
    });
    return success();
  }
};
} // namespace

void MatmulOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<FoldTransposeIntoMatmul>(context);
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

static LogicalResult
inferBroadcastBinary(StringRef opName, std::optional<Location> loc, Value lhsV,
                     Value rhsV, SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, opName);
  RankedTensorType lhs = tensorOperand(diag, lhsV, "lhs");
  RankedTensorType rhs = tensorOperand(diag, rhsV, "rhs");
  if (!lhs || !rhs)
    return failure();
  if (failed(checkSameElementType(diag, lhs, "lhs", rhs, "rhs")))
    return failure();
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(lhs.getShape(), rhs.getShape(),
                                          shape))
    return diag("operand shapes ", shapeStr(lhs.getShape()), " and ",
                shapeStr(rhs.getShape()), " are not broadcast-compatible");
  inferredReturnTypes.push_back(
      RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

#define HETC_BINARY_INFER(OP, NAME)                                            \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferBroadcastBinary(NAME, loc, adaptor.getLhs(), adaptor.getRhs(), \
                                inferred);                                     \
  }
HETC_BINARY_INFER(AddOp, "add")
HETC_BINARY_INFER(SubOp, "sub")
HETC_BINARY_INFER(MulOp, "mul")
HETC_BINARY_INFER(DivOp, "div")
HETC_BINARY_INFER(MaximumOp, "maximum")
HETC_BINARY_INFER(MinimumOp, "minimum")
#undef HETC_BINARY_INFER

/// Folds two splat constants; splats broadcast to any result shape.
static OpFoldResult
foldSplatBinary(Attribute lhs, Attribute rhs, Type resultType,
                function_ref<APFloat(const APFloat &, const APFloat &)> fn) {
  auto l = dyn_cast_or_null<SplatElementsAttr>(lhs);
  auto r = dyn_cast_or_null<SplatElementsAttr>(rhs);
  auto type = dyn_cast<ShapedType>(resultType);
  if (!l || !r || !type || !isa<FloatType>(l.getElementType()) ||
      l.getElementType() != r.getElementType())
    return {};
  APFloat value = fn(l.getSplatValue<APFloat>(), r.getSplatValue<APFloat>());
  return DenseElementsAttr::get(type, value);
}

/// Returns `value` when it already has the result type, so a fold that
/// drops an identity operand never changes a broadcast shape.
static OpFoldResult foldIfSameType(Value value, Type resultType) {
  return value.getType() == resultType ? OpFoldResult(value) : OpFoldResult();
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isSplatFloat(adaptor.getRhs(), 0.0))
    if (OpFoldResult r = foldIfSameType(getLhs(), getType()))
      return r;
  if (isSplatFloat(adaptor.getLhs(), 0.0))
    if (OpFoldResult r = foldIfSameType(getRhs(), getType()))
      return r;
  return foldSplatBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isSplatFloat(adaptor.getRhs(), 0.0))
    if (OpFoldResult r = foldIfSameType(getLhs(), getType()))
      return r;
  return foldSplatBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isSplatFloat(adaptor.getRhs(), 1.0))
    if (OpFoldResult r = foldIfSameType(getLhs(), getType()))
      return r;
  if (isSplatFloat(adaptor.getLhs(), 1.0))
    if (OpFoldResult r = foldIfSameType(getRhs(), getType()))
      return r;
  return foldSplatBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isSplatFloat(adaptor.getRhs(), 1.0))
    if (OpFoldResult r = foldIfSameType(getLhs(), getType()))
      return r;
  return foldSplatBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) { return a / b; });
}

OpFoldResult MaximumOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldSplatBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) { return llvm::maximum(a, b); });
}

OpFoldResult MinimumOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldSplatBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) { return llvm::minimum(a, b); });
}

//===----------------------------------------------------------------------===//
// PowOp
//===----------------------------------------------------------------------===//

OpFoldResult PowOp::fold(FoldAdaptor) {
  if (getExponent().convertToDouble() == 1.0)
    return getInput();
  return {};
}

namespace {
/// pow(x, 2) => mul(x, x); pow(x, 0.5) => sqrt(x); pow(x, -0.5) => rsqrt(x).
struct SimplifyPow : OpRewritePattern<PowOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PowOp op,
                                PatternRewriter &rewriter) const override {
    double exponent = op.getExponent().convertToDouble();
    if (exponent == 2.0) {
      rewriter.replaceOpWithNewOp<MulOp>(op, op.getInput(), op.getInput());
      return success();
    }
    if (exponent == 0.5) {
      rewriter.replaceOpWithNewOp<SqrtOp>(op, op.getInput());
      return success();
    }
    if (exponent == -0.5) {
      rewriter.replaceOpWithNewOp<RsqrtOp>(op, op.getInput());
      return success();
    }
    return failure();
  }
};
} // namespace

void PowOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<SimplifyPow>(context);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

static LogicalResult inferReduce(StringRef opName, std::optional<Location> loc,
                                 Value inputV, ArrayRef<int64_t> axes,
                                 bool keepdims,
                                 SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, opName);
  RankedTensorType input = tensorOperand(diag, inputV, "input");
  if (!input)
    return failure();
  if (axes.empty())
    return diag("needs at least one axis to reduce");
  int64_t rank = input.getRank();
  llvm::SmallSet<int64_t, 4> seen;
  for (int64_t axis : axes) {
    FailureOr<int64_t> normalized = normalizeAxis(diag, axis, rank);
    if (failed(normalized))
      return failure();
    if (!seen.insert(*normalized).second)
      return diag("axis ", axis, " is listed more than once");
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (!seen.contains(d))
      shape.push_back(input.getDimSize(d));
    else if (keepdims)
      shape.push_back(1);
  }
  inferredReturnTypes.push_back(
      RankedTensorType::get(shape, input.getElementType()));
  return success();
}

/// A reduction over size-1 dimensions that keeps them is the identity.
template <typename ReduceOp>
static OpFoldResult foldTrivialReduce(ReduceOp op) {
  if (!op.getKeepdims() || op.getInput().getType() != op.getType())
    return {};
  auto type = cast<RankedTensorType>(op.getInput().getType());
  for (int64_t axis : op.getAxes()) {
    int64_t d = axis < 0 ? axis + type.getRank() : axis;
    if (type.getDimSize(d) != 1)
      return {};
  }
  return op.getInput();
}

namespace {
/// reduce(x, [-1, 0]) => reduce(x, [0, rank-1]): non-negative, sorted axes.
template <typename ReduceOp>
struct NormalizeReduceAxes : OpRewritePattern<ReduceOp> {
  using OpRewritePattern<ReduceOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceOp op,
                                PatternRewriter &rewriter) const override {
    int64_t rank = op.getInput().getType().getRank();
    SmallVector<int64_t> axes;
    for (int64_t axis : op.getAxes())
      axes.push_back(axis < 0 ? axis + rank : axis);
    llvm::sort(axes);
    if (ArrayRef<int64_t>(axes) == op.getAxes())
      return failure();
    rewriter.modifyOpInPlace(op, [&] { op.setAxes(axes); });
    return success();
  }
};
} // namespace

#define HETC_REDUCE_OP(OP, NAME)                                               \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferReduce(NAME, loc, adaptor.getInput(), adaptor.getAxes(),       \
                       adaptor.getKeepdims(), inferred);                       \
  }                                                                            \
  OpFoldResult OP::fold(FoldAdaptor) { return foldTrivialReduce(*this); }      \
  void OP::getCanonicalizationPatterns(RewritePatternSet &results,             \
                                       MLIRContext *context) {                 \
    results.add<NormalizeReduceAxes<OP>>(context);                             \
  }
HETC_REDUCE_OP(ReduceSumOp, "reduce_sum")
HETC_REDUCE_OP(ReduceMeanOp, "reduce_mean")
HETC_REDUCE_OP(ReduceMaxOp, "reduce_max")
HETC_REDUCE_OP(ReduceMinOp, "reduce_min")
#undef HETC_REDUCE_OP

//===----------------------------------------------------------------------===//
// SoftmaxOp and LogSoftmaxOp
//===----------------------------------------------------------------------===//

namespace {
/// softmax(x) axis -1 => softmax(x) axis rank-1.
template <typename SoftmaxLikeOp>
struct NormalizeSoftmaxAxis : OpRewritePattern<SoftmaxLikeOp> {
  using OpRewritePattern<SoftmaxLikeOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxLikeOp op,
                                PatternRewriter &rewriter) const override {
    int64_t axis = op.getAxis();
    if (axis >= 0)
      return failure();
    int64_t rank = op.getInput().getType().getRank();
    rewriter.modifyOpInPlace(op, [&] { op.setAxis(axis + rank); });
    return success();
  }
};
} // namespace

#define HETC_SOFTMAX_OP(OP, NAME)                                              \
  LogicalResult OP::verify() {                                                 \
    OpDiag diag(getLoc(), NAME);                                               \
    return normalizeAxis(diag, getAxis(), getInput().getType().getRank());     \
  }                                                                            \
  void OP::getCanonicalizationPatterns(RewritePatternSet &results,             \
                                       MLIRContext *context) {                 \
    results.add<NormalizeSoftmaxAxis<OP>>(context);                            \
  }
HETC_SOFTMAX_OP(SoftmaxOp, "softmax")
HETC_SOFTMAX_OP(LogSoftmaxOp, "log_softmax")
#undef HETC_SOFTMAX_OP

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult
ReshapeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                            Adaptor adaptor,
                            SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "reshape");
  RankedTensorType input = tensorOperand(diag, adaptor.getInput(), "input");
  if (!input)
    return failure();
  SmallVector<int64_t> shape(adaptor.getShape());
  int64_t known = 1;
  std::optional<size_t> inferredDim;
  for (auto [i, dim] : llvm::enumerate(shape)) {
    if (dim == -1) {
      if (inferredDim)
        return diag("shape ", shapeStr(shape),
                    " has more than one -1 (inferred) dimension");
      inferredDim = i;
      continue;
    }
    if (dim <= 0)
      return diag("shape ", shapeStr(shape), " has invalid dimension ", dim,
                  " (dimensions are positive, or -1 to infer one)");
    // The input's count fits in int64 (tensorOperand): a product beyond it
    // cannot match, and must not overflow on the way.
    std::optional<int64_t> product = llvm::checkedMul(known, dim);
    if (!product)
      return diag("shape ", shapeStr(shape),
                  " has more elements than fit in 64 bits");
    known = *product;
  }
  int64_t count = input.getNumElements();
  if (inferredDim) {
    if (count % known != 0)
      return diag("cannot infer the -1 dimension of ", shapeStr(shape), ": ",
                  count, " elements are not divisible by ", known);
    shape[*inferredDim] = count / known;
  } else if (known != count) {
    return diag("shape ", shapeStr(shape), " has ", known,
                " elements but the input ", shapeStr(input.getShape()), " has ",
                count);
  }
  inferredReturnTypes.push_back(
      RankedTensorType::get(shape, input.getElementType()));
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return splat.reshape(getType());
  // reshape(reshape(x)) reads x directly: only the last shape matters.
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    setShape(getType().getShape());
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult
TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                              Adaptor adaptor,
                              SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "transpose");
  RankedTensorType input = tensorOperand(diag, adaptor.getInput(), "input");
  if (!input)
    return failure();
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(perm.size()) != rank)
    return diag("permutation ", shapeStr(perm), " has ", perm.size(),
                " entries but the input has rank ", rank);
  SmallVector<bool> seen(rank, false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank)
      return diag("permutation ", shapeStr(perm), " has entry ", p,
                  " outside [0, ", rank, ")");
    if (seen[p])
      return diag("permutation ", shapeStr(perm), " repeats dimension ", p);
    seen[p] = true;
    shape.push_back(input.getDimSize(p));
  }
  inferredReturnTypes.push_back(
      RankedTensorType::get(shape, input.getElementType()));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  bool identity = llvm::all_of(llvm::enumerate(perm), [](auto it) {
    return static_cast<int64_t>(it.index()) == it.value();
  });
  if (identity)
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return splat.resizeSplat(getType());
  // transpose(transpose(x, p), q) => transpose(x, p o q).
  if (auto producer = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> inner = producer.getPermutation();
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(inner[p]);
    getInputMutable().assign(producer.getInput());
    setPermutation(composed);
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// BroadcastToOp
//===----------------------------------------------------------------------===//

LogicalResult
BroadcastToOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                Adaptor adaptor,
                                SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "broadcast_to");
  RankedTensorType input = tensorOperand(diag, adaptor.getInput(), "input");
  if (!input)
    return failure();
  ArrayRef<int64_t> shape = adaptor.getShape();
  ArrayRef<int64_t> in = input.getShape();
  if (shape.size() < in.size())
    return diag("cannot broadcast ", shapeStr(in), " to the lower-rank shape ",
                shapeStr(shape));
  for (int64_t dim : shape)
    if (dim <= 0)
      return diag("target shape ", shapeStr(shape),
                  " has non-positive dimension ", dim);
  size_t offset = shape.size() - in.size();
  for (auto [i, dim] : llvm::enumerate(in))
    if (dim != 1 && dim != shape[offset + i])
      return diag("cannot broadcast ", shapeStr(in), " to ", shapeStr(shape),
                  ": input dimension ", i, " has size ", dim,
                  " but the target has ", shape[offset + i]);
  inferredReturnTypes.push_back(
      RankedTensorType::get(shape, input.getElementType()));
  return success();
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return splat.resizeSplat(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------===//

LogicalResult
ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                           Adaptor adaptor,
                           SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "concat");
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return diag("needs at least one input");
  RankedTensorType first = tensorOperand(diag, inputs[0], "input #0");
  if (!first)
    return failure();
  int64_t rank = first.getRank();
  if (rank == 0)
    return diag("cannot concatenate 0-d tensors");
  FailureOr<int64_t> axis = normalizeAxis(diag, adaptor.getAxis(), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  for (auto [i, value] : llvm::enumerate(inputs.drop_front())) {
    std::string name = "input #" + std::to_string(i + 1);
    RankedTensorType type = tensorOperand(diag, value, name);
    if (!type)
      return failure();
    if (failed(checkSameElementType(diag, first, "input #0", type, name)))
      return failure();
    if (type.getRank() != rank)
      return diag(name, " has rank ", type.getRank(), " but input #0 has rank ",
                  rank);
    for (int64_t d = 0; d < rank; ++d) {
      if (d == *axis)
        continue;
      if (type.getDimSize(d) != shape[d])
        return diag(name, " ", shapeStr(type.getShape()),
                    " differs from input #0 ", shapeStr(first.getShape()),
                    " in dimension ", d,
                    ", which is not the concatenation axis");
    }
    std::optional<int64_t> sum =
        llvm::checkedAdd(shape[*axis], type.getDimSize(*axis));
    if (!sum)
      return diag("the concatenated dimension ", *axis,
                  " overflows 64 bits at ", name);
    shape[*axis] = *sum;
  }
  inferredReturnTypes.push_back(
      RankedTensorType::get(shape, first.getElementType()));
  return success();
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  return {};
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

static LogicalResult inferSlice(const OpDiag &diag, Value inputV,
                                ArrayRef<int64_t> offsets,
                                ArrayRef<int64_t> sizes,
                                ArrayRef<int64_t> strides,
                                SmallVectorImpl<Type> &inferredReturnTypes) {
  RankedTensorType input = tensorOperand(diag, inputV, "input");
  if (!input)
    return failure();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(offsets.size()) != rank ||
      static_cast<int64_t>(sizes.size()) != rank ||
      static_cast<int64_t>(strides.size()) != rank)
    return diag("offsets, sizes and strides need one entry per input "
                "dimension (",
                rank, "), got ", offsets.size(), ", ", sizes.size(), " and ",
                strides.size());
  for (int64_t d = 0; d < rank; ++d) {
    if (offsets[d] < 0 || sizes[d] < 1 || strides[d] < 1)
      return diag("dimension ", d,
                  ": offset must be >= 0, size and stride >= 1 (got offset ",
                  offsets[d], ", size ", sizes[d], ", stride ", strides[d],
                  ")");
    std::optional<int64_t> reach = llvm::checkedMul(sizes[d] - 1, strides[d]);
    if (reach)
      reach = llvm::checkedAdd(*reach, offsets[d]);
    if (!reach)
      return diag("dimension ", d,
                  ": the window's last index overflows 64 "
                  "bits (offset ",
                  offsets[d], ", size ", sizes[d], ", stride ", strides[d],
                  ")");
    int64_t last = *reach;
    if (last >= input.getDimSize(d))
      return diag("dimension ", d, ": the window reaches index ", last,
                  " but the input size is ", input.getDimSize(d));
  }
  inferredReturnTypes.push_back(
      RankedTensorType::get(sizes, input.getElementType()));
  return success();
}

LogicalResult
SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                          Adaptor adaptor,
                          SmallVectorImpl<Type> &inferredReturnTypes) {
  return inferSlice(OpDiag(loc, "slice"), adaptor.getInput(),
                    adaptor.getOffsets(), adaptor.getSizes(),
                    adaptor.getStrides(), inferredReturnTypes);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() &&
      llvm::all_of(getOffsets(), [](int64_t o) { return o == 0; }) &&
      llvm::all_of(getStrides(), [](int64_t s) { return s == 1; }))
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return splat.resizeSplat(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// Conv2DOp and pooling
//===----------------------------------------------------------------------===//

/// Checks a window attribute: `size` entries, each >= `min`.
static LogicalResult checkWindowAttr(const OpDiag &diag, StringRef name,
                                     ArrayRef<int64_t> values, size_t size,
                                     int64_t min) {
  if (values.size() != size)
    return diag("'", name, "' needs ", size, " values, got ", shapeStr(values));
  for (int64_t v : values)
    if (v < min)
      return diag("'", name, "' values must be >= ", min, ", got ",
                  shapeStr(values));
  return success();
}

/// Output size of a sliding window; reports a window larger than the input.
static FailureOr<int64_t> windowOutputSize(const OpDiag &diag, StringRef dim,
                                           int64_t in, int64_t padBefore,
                                           int64_t padAfter, int64_t kernel,
                                           int64_t stride, int64_t dilation) {
  std::optional<int64_t> spanOr =
      llvm::checkedMulAdd<int64_t>(dilation, kernel - 1, 1);
  std::optional<int64_t> paddedOr = llvm::checkedAdd(in, padBefore);
  if (paddedOr)
    paddedOr = llvm::checkedAdd(*paddedOr, padAfter);
  if (!spanOr || !paddedOr) {
    (void)diag("the ", dim, " window (kernel ", kernel, ", dilation ", dilation,
               ") or padded input (", in, " + ", padBefore, " + ", padAfter,
               ") overflows 64 bits");
    return failure();
  }
  int64_t span = *spanOr, padded = *paddedOr;
  if (padded < span) {
    std::string window = std::to_string(span);
    if (dilation != 1)
      window += " with dilation " + std::to_string(dilation);
    (void)diag("the ", dim, " window (", window,
               ") is larger than the padded input (", padded, ")");
    return failure();
  }
  return (padded - span) / stride + 1;
}

/// The conv2d result type, or a reported error.
static FailureOr<RankedTensorType>
inferConv2DType(const OpDiag &diag, Value inputV, Value weightV, Value biasV,
                ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
                ArrayRef<int64_t> dilation, int64_t groups) {
  RankedTensorType input = tensorOperand(diag, inputV, "input");
  RankedTensorType weight = tensorOperand(diag, weightV, "weight");
  if (!input || !weight)
    return failure();
  if (input.getRank() != 4) {
    (void)diag("input must be 4-D [N, C, H, W], got ", input);
    return failure();
  }
  if (weight.getRank() != 4) {
    (void)diag("weight must be 4-D [F, C/groups, KH, KW], got ", weight);
    return failure();
  }
  if (weight.getDimSize(2) < 1 || weight.getDimSize(3) < 1) {
    (void)diag("weight ", shapeStr(weight.getShape()),
               " has an empty kernel (KH and KW must be >= 1)");
    return failure();
  }
  if (failed(checkSameElementType(diag, input, "input", weight, "weight")))
    return failure();
  if (failed(checkWindowAttr(diag, "strides", strides, 2, 1)) ||
      failed(checkWindowAttr(diag, "dilation", dilation, 2, 1)) ||
      failed(checkWindowAttr(diag, "padding", padding, 4, 0)))
    return failure();
  if (groups < 1) {
    (void)diag("'groups' must be >= 1, got ", groups);
    return failure();
  }
  int64_t n = input.getDimSize(0), c = input.getDimSize(1);
  int64_t f = weight.getDimSize(0);
  if (c % groups != 0) {
    (void)diag("input channels (", c, ") are not divisible by groups (", groups,
               ")");
    return failure();
  }
  if (f % groups != 0) {
    (void)diag("output channels (", f, ") are not divisible by groups (",
               groups, ")");
    return failure();
  }
  if (weight.getDimSize(1) != c / groups) {
    (void)diag("weight ", shapeStr(weight.getShape()), " expects ",
               weight.getDimSize(1),
               " input channels per group, but the input has ", c / groups,
               " (", c, " channels / ", groups, " groups)");
    return failure();
  }
  if (biasV) {
    RankedTensorType bias = tensorOperand(diag, biasV, "bias");
    if (!bias)
      return failure();
    if (failed(checkSameElementType(diag, input, "input", bias, "bias")))
      return failure();
    if (bias.getRank() != 1 || bias.getDimSize(0) != f) {
      (void)diag("bias must have shape [", f, "], got ",
                 shapeStr(bias.getShape()));
      return failure();
    }
  }
  FailureOr<int64_t> oh = windowOutputSize(
      diag, "height", input.getDimSize(2), padding[0], padding[2],
      weight.getDimSize(2), strides[0], dilation[0]);
  if (failed(oh))
    return failure();
  FailureOr<int64_t> ow = windowOutputSize(
      diag, "width", input.getDimSize(3), padding[1], padding[3],
      weight.getDimSize(3), strides[1], dilation[1]);
  if (failed(ow))
    return failure();
  return RankedTensorType::get({n, f, *oh, *ow}, input.getElementType());
}

LogicalResult
Conv2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                           Adaptor adaptor,
                           SmallVectorImpl<Type> &inferredReturnTypes) {
  FailureOr<RankedTensorType> type = inferConv2DType(
      OpDiag(loc, "conv2d"), adaptor.getInput(), adaptor.getWeight(),
      adaptor.getBias(), adaptor.getStrides(), adaptor.getPadding(),
      adaptor.getDilation(), adaptor.getGroups());
  if (failed(type))
    return failure();
  inferredReturnTypes.push_back(*type);
  return success();
}

/// torch's pooling output size (pooling_output_shape_pad_lr): with
/// `ceilMode` rounded up, minus a last window that would start past the
/// input and its leading padding.
static FailureOr<int64_t> poolOutputSize(const OpDiag &diag, StringRef dim,
                                         int64_t in, int64_t padBefore,
                                         int64_t padAfter, int64_t kernel,
                                         int64_t stride, int64_t dilation,
                                         bool ceilMode) {
  FailureOr<int64_t> floorSize = windowOutputSize(
      diag, dim, in, padBefore, padAfter, kernel, stride, dilation);
  if (failed(floorSize) || !ceilMode)
    return floorSize;
  // Cannot overflow: windowOutputSize checked the span and padded size, and
  // the pools bound their window attributes by 2^20.
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t size = (in + padBefore + padAfter - span + stride - 1) / stride + 1;
  if ((size - 1) * stride >= in + padBefore)
    --size;
  return size;
}

static LogicalResult inferPool2D(StringRef opName, std::optional<Location> loc,
                                 Value inputV, ArrayRef<int64_t> kernel,
                                 std::optional<ArrayRef<int64_t>> stridesOpt,
                                 ArrayRef<int64_t> padding,
                                 ArrayRef<int64_t> dilation, bool ceilMode,
                                 SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, opName);
  RankedTensorType input = tensorOperand(diag, inputV, "input");
  if (!input)
    return failure();
  if (input.getRank() != 4)
    return diag("input must be 4-D [N, C, H, W], got ", input);
  ArrayRef<int64_t> strides = stridesOpt ? *stridesOpt : kernel;
  if (failed(checkWindowAttr(diag, "kernel_size", kernel, 2, 1)) ||
      failed(checkWindowAttr(diag, "strides", strides, 2, 1)) ||
      failed(checkWindowAttr(diag, "padding", padding, 4, 0)) ||
      failed(checkWindowAttr(diag, "dilation", dilation, 2, 1)))
    return failure();
  for (int i = 0; i < 4; ++i)
    // p > k / 2 is 2 p > k for k >= 0, without overflowing.
    if (padding[i] > kernel[i % 2] / 2)
      return diag("padding ", shapeStr(padding),
                  " exceeds half the kernel size ", shapeStr(kernel));
  for (int i = 0; i < 2; ++i)
    if (kernel[i] > (int64_t(1) << 20) || strides[i] > (int64_t(1) << 20) ||
        dilation[i] > (int64_t(1) << 20))
      return diag("window attributes must be at most 2^20");
  FailureOr<int64_t> oh =
      poolOutputSize(diag, "height", input.getDimSize(2), padding[0],
                     padding[2], kernel[0], strides[0], dilation[0], ceilMode);
  if (failed(oh))
    return failure();
  FailureOr<int64_t> ow =
      poolOutputSize(diag, "width", input.getDimSize(3), padding[1], padding[3],
                     kernel[1], strides[1], dilation[1], ceilMode);
  if (failed(ow))
    return failure();
  inferredReturnTypes.push_back(RankedTensorType::get(
      {input.getDimSize(0), input.getDimSize(1), *oh, *ow},
      input.getElementType()));
  return success();
}

LogicalResult
MaxPool2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                              Adaptor adaptor,
                              SmallVectorImpl<Type> &inferredReturnTypes) {
  return inferPool2D("max_pool2d", loc, adaptor.getInput(),
                     adaptor.getKernelSize(), adaptor.getStrides(),
                     adaptor.getPadding(), adaptor.getDilation(),
                     adaptor.getCeilMode(), inferredReturnTypes);
}

LogicalResult
AvgPool2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                              Adaptor adaptor,
                              SmallVectorImpl<Type> &inferredReturnTypes) {
  return inferPool2D("avg_pool2d", loc, adaptor.getInput(),
                     adaptor.getKernelSize(), adaptor.getStrides(),
                     adaptor.getPadding(), {1, 1}, adaptor.getCeilMode(),
                     inferredReturnTypes);
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

/// Checks that `scale` and `bias` both have `shape` and the input's element
/// type, and that epsilon is positive.
static LogicalResult checkAffine(const OpDiag &diag, RankedTensorType input,
                                 Value scaleV, Value biasV,
                                 ArrayRef<int64_t> shape, double epsilon) {
  for (auto [value, name] :
       {std::pair(scaleV, "scale"), std::pair(biasV, "bias")}) {
    RankedTensorType type = tensorOperand(diag, value, name);
    if (!type)
      return failure();
    if (failed(checkSameElementType(diag, input, "input", type, name)))
      return failure();
    if (type.getShape() != shape)
      return diag(name, " must have shape ", shapeStr(shape), ", got ",
                  shapeStr(type.getShape()));
  }
  if (!(epsilon > 0.0))
    return diag("epsilon must be positive, got ", epsilon);
  return success();
}

LogicalResult
BatchNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                              Adaptor adaptor,
                              SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "batch_norm");
  RankedTensorType input = tensorOperand(diag, adaptor.getInput(), "input");
  if (!input)
    return failure();
  if (input.getRank() < 2)
    return diag("input must have rank >= 2 [N, C, ...], got ", input);
  int64_t c = input.getDimSize(1);
  if (failed(checkAffine(diag, input, adaptor.getScale(), adaptor.getBias(),
                         {c}, adaptor.getEpsilon().convertToDouble())))
    return failure();
  inferredReturnTypes.push_back(input);
  return success();
}

LogicalResult
LayerNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                              Adaptor adaptor,
                              SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "layer_norm");
  RankedTensorType input = tensorOperand(diag, adaptor.getInput(), "input");
  RankedTensorType scale = tensorOperand(diag, adaptor.getScale(), "scale");
  if (!input || !scale)
    return failure();
  int64_t k = scale.getRank();
  if (k < 1 || k > input.getRank())
    return diag("scale rank (", k,
                ") selects the normalized trailing dimensions and must be in "
                "[1, ",
                input.getRank(), "]");
  ArrayRef<int64_t> trailing = input.getShape().take_back(k);
  if (failed(checkAffine(diag, input, adaptor.getScale(), adaptor.getBias(),
                         trailing, adaptor.getEpsilon().convertToDouble())))
    return failure();
  inferredReturnTypes.push_back(input);
  return success();
}

SmallVector<int64_t> LayerNormOp::getNormalizedAxes() {
  int64_t rank = getInput().getType().getRank();
  return llvm::to_vector(
      llvm::seq<int64_t>(rank - getScale().getType().getRank(), rank));
}

//===----------------------------------------------------------------------===//
// EmbeddingOp and DropoutOp
//===----------------------------------------------------------------------===//

/// The embedding result type, or a reported error.
static FailureOr<RankedTensorType>
inferEmbeddingType(const OpDiag &diag, Value tableV, Value indicesV) {
  RankedTensorType table = tensorOperand(diag, tableV, "table");
  RankedTensorType indices = tensorOperand(diag, indicesV, "indices");
  if (!table || !indices)
    return failure();
  if (table.getRank() != 2) {
    (void)diag("table must be 2-D [V, D], got ", table);
    return failure();
  }
  if (!indices.getElementType().isSignlessInteger()) {
    (void)diag("indices must be integers, got ", indices);
    return failure();
  }
  SmallVector<int64_t> shape(indices.getShape());
  shape.push_back(table.getDimSize(1));
  return RankedTensorType::get(shape, table.getElementType());
}

LogicalResult
EmbeddingOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                              Adaptor adaptor,
                              SmallVectorImpl<Type> &inferredReturnTypes) {
  FailureOr<RankedTensorType> type = inferEmbeddingType(
      OpDiag(loc, "embedding"), adaptor.getTable(), adaptor.getIndices());
  if (failed(type))
    return failure();
  inferredReturnTypes.push_back(*type);
  return success();
}

LogicalResult DropoutOp::verify() {
  double p = getP().convertToDouble();
  if (!(p >= 0.0 && p < 1.0))
    return emitOpError() << "drop probability p must be in [0, 1), got " << p;
  return success();
}

OpFoldResult DropoutOp::fold(FoldAdaptor) {
  if (getP().convertToDouble() == 0.0)
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

/// The 0-d cross_entropy loss type, or a reported error.
static FailureOr<RankedTensorType>
inferCrossEntropyType(const OpDiag &diag, Value logitsV, Value labelsV) {
  RankedTensorType logits = tensorOperand(diag, logitsV, "logits");
  RankedTensorType labels = tensorOperand(diag, labelsV, "labels");
  if (!logits || !labels)
    return failure();
  if (logits.getRank() != 2) {
    (void)diag("logits must be 2-D [N, C], got ", logits);
    return failure();
  }
  if (labels.getRank() != 1) {
    (void)diag("labels must be 1-D [N] class indices, got ", labels);
    return failure();
  }
  if (labels.getDimSize(0) != logits.getDimSize(0)) {
    (void)diag("batch sizes differ: logits have N = ", logits.getDimSize(0),
               " but labels have N = ", labels.getDimSize(0));
    return failure();
  }
  return RankedTensorType::get({}, logits.getElementType());
}

LogicalResult
CrossEntropyOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                 Adaptor adaptor,
                                 SmallVectorImpl<Type> &inferredReturnTypes) {
  FailureOr<RankedTensorType> type = inferCrossEntropyType(
      OpDiag(loc, "cross_entropy"), adaptor.getLogits(), adaptor.getLabels());
  if (failed(type))
    return failure();
  inferredReturnTypes.push_back(*type);
  return success();
}

LogicalResult
MseOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                        Adaptor adaptor,
                        SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "mse");
  RankedTensorType input = tensorOperand(diag, adaptor.getInput(), "input");
  RankedTensorType target = tensorOperand(diag, adaptor.getTarget(), "target");
  if (!input || !target)
    return failure();
  if (input != target)
    return diag("input and target must have the same type, got ", input,
                " and ", target);
  inferredReturnTypes.push_back(
      RankedTensorType::get({}, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Gradient ops
//===----------------------------------------------------------------------===//

bool mlir::hetc::isFloatTensorValue(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() &&
         isa<Float32Type, Float16Type, BFloat16Type>(type.getElementType());
}

LogicalResult
CompareOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                            Adaptor adaptor,
                            SmallVectorImpl<Type> &inferredReturnTypes) {
  if (failed(inferBroadcastBinary("compare", loc, adaptor.getLhs(),
                                  adaptor.getRhs(), inferredReturnTypes)))
    return failure();
  // Integer comparisons give an f32 mask: the mask feeds float arithmetic.
  auto mask = cast<RankedTensorType>(inferredReturnTypes.back());
  if (isa<IntegerType>(mask.getElementType()))
    inferredReturnTypes.back() =
        mask.clone(Float32Type::get(mask.getContext()));
  return success();
}

LogicalResult CrossEntropyBackwardOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "cross_entropy_backward");
  FailureOr<RankedTensorType> loss =
      inferCrossEntropyType(diag, adaptor.getLogits(), adaptor.getLabels());
  if (failed(loss))
    return failure();
  return checkForwardType(diag, *loss, adaptor.getGrad(), "the loss gradient",
                          adaptor.getLogits().getType(), inferredReturnTypes);
}

/// Shared by both conv2d gradients: grad_output must have the type of the
/// forward conv2d of `input` with `weight`; the result has `resultType`.
template <typename Adaptor>
static LogicalResult inferConv2DGradient(StringRef name,
                                         std::optional<Location> loc,
                                         Adaptor adaptor, Type resultType,
                                         SmallVectorImpl<Type> &inferred) {
  OpDiag diag(loc, name);
  FailureOr<RankedTensorType> out =
      inferConv2DType(diag, adaptor.getInput(), adaptor.getWeight(), Value(),
                      adaptor.getStrides(), adaptor.getPadding(),
                      adaptor.getDilation(), adaptor.getGroups());
  if (failed(out))
    return failure();
  return checkForwardType(diag, *out, adaptor.getGradOutput(), "grad_output",
                          resultType, inferred);
}

LogicalResult Conv2DBackwardInputOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  return inferConv2DGradient("conv2d_backward_input", loc, adaptor,
                             adaptor.getInput().getType(), inferredReturnTypes);
}

LogicalResult Conv2DBackwardWeightOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  return inferConv2DGradient("conv2d_backward_weight", loc, adaptor,
                             adaptor.getWeight().getType(),
                             inferredReturnTypes);
}

/// Shared by both pooling gradients: grad_output must have the type of the
/// forward pooling of `input`; the result has the input's type.
template <typename Adaptor>
static LogicalResult
inferPool2DGradient(StringRef name, std::optional<Location> loc,
                    Adaptor adaptor, ArrayRef<int64_t> dilation,
                    SmallVectorImpl<Type> &inferred) {
  SmallVector<Type> out;
  if (failed(inferPool2D(name, loc, adaptor.getInput(), adaptor.getKernelSize(),
                         adaptor.getStrides(), adaptor.getPadding(), dilation,
                         adaptor.getCeilMode(), out)))
    return failure();
  return checkForwardType(OpDiag(loc, name), out.front(),
                          adaptor.getGradOutput(), "grad_output",
                          adaptor.getInput().getType(), inferred);
}

LogicalResult MaxPool2DBackwardOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  return inferPool2DGradient("max_pool2d_backward", loc, adaptor,
                             adaptor.getDilation(), inferredReturnTypes);
}

LogicalResult AvgPool2DBackwardOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  return inferPool2DGradient("avg_pool2d_backward", loc, adaptor, {1, 1},
                             inferredReturnTypes);
}

LogicalResult EmbeddingBackwardOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "embedding_backward");
  FailureOr<RankedTensorType> out =
      inferEmbeddingType(diag, adaptor.getTable(), adaptor.getIndices());
  if (failed(out))
    return failure();
  return checkForwardType(diag, *out, adaptor.getGradOutput(), "grad_output",
                          adaptor.getTable().getType(), inferredReturnTypes);
}

LogicalResult
SliceBackwardOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferredReturnTypes) {
  OpDiag diag(loc, "slice_backward");
  SmallVector<Type> out;
  if (failed(inferSlice(diag, adaptor.getInput(), adaptor.getOffsets(),
                        adaptor.getSizes(), adaptor.getStrides(), out)))
    return failure();
  return checkForwardType(diag, out.front(), adaptor.getGrad(), "grad",
                          adaptor.getInput().getType(), inferredReturnTypes);
}

#define GET_OP_CLASSES
#include "hetc/Dialect/Hetc/HetcOps.cpp.inc"

#include "hetc/Dialect/Hetc/HetcInterfaces.cpp.inc"
