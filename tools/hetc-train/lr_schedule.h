/*===- lr_schedule.h - hetc-train's --lr-scheduler -------------------------===*
 *
 * Drives a session's runtime hyper-parameters with the runtime's lr
 * scheduler (torch.optim.lr_scheduler's schedules): the lr of every
 * parameter group, and the momentum (SGD) or beta1 (Adam) for OneCycleLR's
 * cycle_momentum. Schedulers step once per epoch, OneCycleLR once per batch,
 * ReduceLROnPlateau on the epoch's test loss (the training loss without a
 * test set). Its progress is saved inside the checkpoint (its
 * "lr_scheduler" blob) and restored on --resume.
 *
 *===----------------------------------------------------------------------===*/

#ifndef HETC_TRAIN_LR_SCHEDULE_H
#define HETC_TRAIN_LR_SCHEDULE_H

#include "hetc/runtime/hetc_runtime.h"

typedef struct lr_schedule {
  hetc_lr_scheduler_t *scheduler; /* NULL: no --lr-scheduler */
  const char *spec;               /* as given */
  char *full_spec;                /* as created */
  int groups;
  double *lrs, *momenta; /* momenta: NULL when not cycled */
  const char *momentum_name;
  int per_batch, on_metric;
} lr_schedule_t;

/* Creates the schedule for `spec` on `session`, whose hyper-parameters hold
 * the current values; a OneCycleLR without total_steps or epochs gets
 * epochs=`epochs`,steps_per_epoch=`steps_per_epoch`. With `resume` (the
 * checkpoint `session` was loaded from), the schedule it holds is restored;
 * one without a schedule is an error, not a restart. Prints the error and
 * returns nonzero on failure. */
int lr_schedule_open(lr_schedule_t *schedule, const char *spec,
                     hetc_session_t *session, const char *resume, int epochs,
                     int64_t steps_per_epoch);

/* One batch's or one epoch's step (per `per_batch`), writing the new values
 * into the session; `metric` feeds ReduceLROnPlateau. */
int lr_schedule_step(lr_schedule_t *schedule, hetc_session_t *session,
                     int per_batch, double metric);

/* Group 0's current lr (the session's without a schedule; NAN for a
 * model without a runtime lr). */
double lr_schedule_lr(const lr_schedule_t *schedule, hetc_session_t *session);

/* Hands the progress to `session`, whose next checkpoint saves it. */
int lr_schedule_store(const lr_schedule_t *schedule, hetc_session_t *session);

void lr_schedule_close(lr_schedule_t *schedule);

#endif /* HETC_TRAIN_LR_SCHEDULE_H */
