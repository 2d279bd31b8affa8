/*===- fail.h - hetc-train's report of a failed runtime call --------------===*/

#ifndef HETC_TRAIN_FAIL_H
#define HETC_TRAIN_FAIL_H

#include "hetc/runtime/hetc_runtime.h"

#include <stdio.h>

/* Prints "hetc-train: <what>: <message>", frees the status and returns 1,
 * the exit code of a failed run. */
static inline int fail(hetc_status_t status, const char *what) {
  fprintf(stderr, "hetc-train: %s: %s\n", what, hetc_status_message(status));
  hetc_status_free(status);
  return 1;
}

#endif /* HETC_TRAIN_FAIL_H */
