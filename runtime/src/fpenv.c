/*===- fpenv.c - the floating-point mode hetc's code runs under -----------===*/

#include "fpenv.h"

#include <fenv.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/* MXCSR: exception flags in bits 0-5, DAZ bit 6, rounding bits 13-14, FTZ
 * bit 15. */
enum {
  kMxcsrFlags = 0x3f,
  kMxcsrDaz = 1u << 6,
  kMxcsrRounding = 3u << 13,
  kMxcsrFtz = 1u << 15,
};

hetc_fp_saved_t hetc_fp_enter(void) {
  hetc_fp_saved_t saved = {_mm_getcsr(), fegetround()};
  if (saved.rounding != FE_TONEAREST)
    fesetround(FE_TONEAREST); /* the x87 control word too */
  _mm_setcsr(_mm_getcsr() & ~(kMxcsrDaz | kMxcsrFtz | kMxcsrRounding));
  return saved;
}

void hetc_fp_leave(hetc_fp_saved_t saved) {
  if (saved.rounding != FE_TONEAREST)
    fesetround(saved.rounding);
  unsigned raised = _mm_getcsr() & kMxcsrFlags;
  _mm_setcsr(((unsigned)saved.control & ~kMxcsrFlags) | raised);
}

#elif defined(__aarch64__)

/* FPCR: rounding mode bits 22-23, FZ bit 24 (FZ16 bit 19 for half). */
enum { kFpcrRounding = 3u << 22, kFpcrFz = 1u << 24, kFpcrFz16 = 1u << 19 };

hetc_fp_saved_t hetc_fp_enter(void) {
  uint64_t fpcr;
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  hetc_fp_saved_t saved = {fpcr, 0};
  fpcr &= ~(uint64_t)(kFpcrRounding | kFpcrFz | kFpcrFz16);
  __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
  return saved;
}

void hetc_fp_leave(hetc_fp_saved_t saved) {
  __asm__ volatile("msr fpcr, %0" : : "r"(saved.control));
}

#else

/* Elsewhere only the rounding mode is portable C. */
hetc_fp_saved_t hetc_fp_enter(void) {
  hetc_fp_saved_t saved = {0, fegetround()};
  fesetround(FE_TONEAREST);
  return saved;
}

void hetc_fp_leave(hetc_fp_saved_t saved) { fesetround(saved.rounding); }

#endif
