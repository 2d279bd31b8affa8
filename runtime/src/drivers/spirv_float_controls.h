/*===- spirv_float_controls.h - keep subnormals in a SPIR-V module --------===*
 *
 * hetc keeps f32 subnormals on every target (docs/reproducibility.md,
 * "Reproducible mode: denormals and rounding"). Vulkan lets a module say so
 * only on devices that report shaderDenormPreserveFloat32, and forbids it
 * elsewhere, so the compiler cannot put it in the artifact: the Vulkan
 * driver adds it at load, on the devices that support it.
 *
 *===----------------------------------------------------------------------===*/

#ifndef HETC_RUNTIME_DRIVERS_SPIRV_FLOAT_CONTROLS_H
#define HETC_RUNTIME_DRIVERS_SPIRV_FLOAT_CONTROLS_H

#include <stddef.h>
#include <stdint.h>

/* A malloc'ed copy of the module `words` (`count` words) whose every entry
 * point keeps f32 subnormals: OpCapability DenormPreserve, OpExtension
 * "SPV_KHR_float_controls" (SPIR-V before 1.4) and OpExecutionMode <entry>
 * DenormPreserve 32 are added. A module that already declares the
 * capability is copied unchanged. NULL, with *out_count 0, for a malformed
 * module or when memory runs out. */
uint32_t *hetc_spirv_add_denorm_preserve(const uint32_t *words, size_t count,
                                         size_t *out_count);

#endif /* HETC_RUNTIME_DRIVERS_SPIRV_FLOAT_CONTROLS_H */
