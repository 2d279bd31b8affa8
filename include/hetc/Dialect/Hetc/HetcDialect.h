//===- HetcDialect.h - hetc dialect -----------------------------*- C++ -*-===//
//
// Declares the hetc dialect, its enums and its attributes.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_DIALECT_HETC_HETCDIALECT_H
#define HETC_DIALECT_HETC_HETCDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/Dialect.h"

#include "hetc/Dialect/Hetc/HetcDialect.h.inc"
#include "hetc/Dialect/Hetc/HetcEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "hetc/Dialect/Hetc/HetcAttrs.h.inc"

#endif // HETC_DIALECT_HETC_HETCDIALECT_H
