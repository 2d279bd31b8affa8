//===- ROCDLBackend.h - the AMD target --------------------------*- C++ -*-===//

#ifndef HETC_TARGET_ROCDL_ROCDLBACKEND_H
#define HETC_TARGET_ROCDL_ROCDLBACKEND_H

#include <memory>

namespace mlir::hetc {

class TargetBackend;

/// "rocm": ROCDL, then an HSACO linked with the ROCm device libraries and
/// ld.lld.
std::unique_ptr<TargetBackend> createROCDLTargetBackend();

} // namespace mlir::hetc

#endif // HETC_TARGET_ROCDL_ROCDLBACKEND_H
