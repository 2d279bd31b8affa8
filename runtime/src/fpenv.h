/*===- fpenv.h - the floating-point mode hetc's code runs under -----------===*
 *
 * hetc's arithmetic is IEEE 754 binary32/binary64 with round-to-nearest-even
 * and gradual underflow (subnormals kept as inputs and results) on every
 * target (docs/reproducibility.md, "Reproducible mode: denormals and
 * rounding"). A host thread's control register can say otherwise: a library
 * built with -ffast-math sets flush-to-zero and denormals-are-zero for the
 * whole process when it loads. The runtime therefore runs host code (the
 * CPU driver's entries, parameter initialization) between hetc_fp_enter and
 * hetc_fp_leave, which restores the caller's modes.
 *
 *===----------------------------------------------------------------------===*/

#ifndef HETC_RUNTIME_SRC_FPENV_H
#define HETC_RUNTIME_SRC_FPENV_H

#include <stdint.h>

/* The caller's control register (MXCSR on x86-64, FPCR on AArch64) and C
 * rounding mode (which glibc reads from the x87 control word on x86-64, in
 * strtod for one). */
typedef struct hetc_fp_saved {
  uint64_t control;
  int rounding;
} hetc_fp_saved_t;

/* Sets this thread to round-to-nearest-even with subnormals kept (on x86-64
 * MXCSR.FTZ and DAZ clear and both rounding controls to nearest, on AArch64
 * FPCR.FZ clear); returns the previous modes. OpenMP workers of the calling
 * thread's parallel regions take the caller's MXCSR at each fork (libomp's
 * KMP_INHERIT_FP_CONTROL default). */
hetc_fp_saved_t hetc_fp_enter(void);

/* Restores the modes `saved` holds; the exception flags raised since
 * hetc_fp_enter stay raised. */
void hetc_fp_leave(hetc_fp_saved_t saved);

#endif /* HETC_RUNTIME_SRC_FPENV_H */
