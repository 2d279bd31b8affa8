/*===- status.c - status values carrying messages -------------------------===*/

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hetc_status {
  hetc_status_code_t code;
  char message[];
};

/* Returned when there is no memory for a status: never freed. */
static struct {
  hetc_status_code_t code;
  char message[40];
} out_of_memory = {HETC_STATUS_RESOURCE_EXHAUSTED,
                   "out of memory while reporting an error"};

hetc_status_t hetc_make_status(hetc_status_code_t code, const char *format,
                               ...) {
  va_list args;
  va_start(args, format);
  char buffer[1024];
  vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  size_t length = strlen(buffer);
  hetc_status_t status = malloc(sizeof(struct hetc_status) + length + 1);
  if (!status)
    return (hetc_status_t)(void *)&out_of_memory;
  status->code = code;
  memcpy(status->message, buffer, length + 1);
  return status;
}

hetc_status_code_t hetc_status_code(hetc_status_t status) {
  return status ? status->code : HETC_STATUS_OK;
}

const char *hetc_status_message(hetc_status_t status) {
  return status ? status->message : "OK";
}

void hetc_status_free(hetc_status_t status) {
  if (status != (hetc_status_t)(void *)&out_of_memory)
    free(status);
}

size_t hetc_dtype_size(hetc_dtype_t dtype) {
  switch (dtype) {
  case HETC_DTYPE_F32:
  case HETC_DTYPE_I32:
    return 4;
  case HETC_DTYPE_F16:
  case HETC_DTYPE_BF16:
    return 2;
  case HETC_DTYPE_I64:
    return 8;
  }
  return 0;
}

const char *hetc_dtype_name(hetc_dtype_t dtype) {
  static const char *names[] = {"f32", "f16", "bf16", "i32", "i64"};
  return (unsigned)dtype < 5 ? names[dtype] : "?";
}

const char *hetc_role_name(hetc_role_t role) {
  static const char *names[] = {"param", "opt_state", "input",  "label",
                                "loss",  "output",    "buffer", "hyper"};
  return (unsigned)role < 8 ? names[role] : "?";
}
