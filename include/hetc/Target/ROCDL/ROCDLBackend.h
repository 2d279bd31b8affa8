//===- ROCDLBackend.h - the AMD target --------------------------*- C++ -*-===//

#ifndef HETC_TARGET_ROCDL_ROCDLBACKEND_H
#define HETC_TARGET_ROCDL_ROCDLBACKEND_H

namespace mlir::hetc {

/// Registers "rocm": ROCDL, then an HSACO linked with the ROCm device
/// libraries and ld.lld.
void registerROCDLTargetBackend();

} // namespace mlir::hetc

#endif // HETC_TARGET_ROCDL_ROCDLBACKEND_H
