/*===- device.c - the driver table and devices ----------------------------===*/

#include "internal.h"

#include <stdlib.h>
#include <string.h>

static const hetc_driver_t *const drivers[] = {
    &hetc_cpu_driver,        &hetc_cuda_driver,   &hetc_rocm_driver,
    &hetc_level_zero_driver, &hetc_vulkan_driver,
};
#define NUM_DRIVERS (sizeof(drivers) / sizeof(drivers[0]))

size_t hetc_driver_count(void) { return NUM_DRIVERS; }

const char *hetc_driver_name(size_t index) {
  return index < NUM_DRIVERS ? drivers[index]->name : NULL;
}

hetc_status_t hetc_device_open(const char *name, int ordinal,
                               hetc_device_t **out) {
  *out = NULL;
  const hetc_driver_t *driver = NULL;
  for (size_t i = 0; i < NUM_DRIVERS; ++i)
    if (!strcmp(drivers[i]->name, name))
      driver = drivers[i];
  if (!driver)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "unknown driver '%s' (known: cpu, cuda, rocm, "
                            "level-zero, vulkan)",
                            name);
  hetc_device_t *device = calloc(1, sizeof(*device));
  if (!device)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  device->driver = driver;
  hetc_status_t status = driver->open(
      ordinal, &device->impl, device->description, sizeof(device->description));
  if (status) {
    free(device);
    return status;
  }
  *out = device;
  return NULL;
}

void hetc_device_free(hetc_device_t *device) {
  if (!device)
    return;
  device->driver->close(device->impl);
  free(device);
}

const char *hetc_device_description(const hetc_device_t *device) {
  return device->description;
}
