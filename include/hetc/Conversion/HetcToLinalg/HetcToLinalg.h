//===- HetcToLinalg.h - hetc to linalg conversion ---------------*- C++ -*-===//

#ifndef HETC_CONVERSION_HETCTOLINALG_HETCTOLINALG_H
#define HETC_CONVERSION_HETCTOLINALG_HETCTOLINALG_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::hetc {

/// Adds the patterns that rewrite every hetc op into linalg, tensor, arith
/// and math ops on tensors.
void populateHetcToLinalgConversionPatterns(const TypeConverter &converter,
                                            RewritePatternSet &patterns);

} // namespace mlir::hetc

#endif // HETC_CONVERSION_HETCTOLINALG_HETCTOLINALG_H
