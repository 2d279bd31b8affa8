/*===- lr_schedule.c - hetc-train's --lr-scheduler ------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "lr_schedule.h"
#include "fail.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The checkpoint blob that holds the schedule: three lines, the spec as
 * given, the spec as created (OneCycleLR's length filled in) and the
 * scheduler's progress (hetc_lr_scheduler_get_state). */
#define BLOB_NAME "lr_scheduler"

/* Reads `name` of every group into `values`; nonzero when the optimizer has
 * no such hyper-parameter. */
static int read_all(hetc_session_t *session, const char *name, int groups,
                    double *values) {
  for (int g = 0; g < groups; ++g) {
    hetc_status_t status =
        hetc_session_get_hyperparameter(session, name, g, &values[g]);
    if (status) {
      hetc_status_free(status);
      return 1;
    }
  }
  return 0;
}

static int write_all(lr_schedule_t *s, hetc_session_t *session) {
  for (int g = 0; g < s->groups; ++g) {
    hetc_status_t status =
        hetc_session_set_hyperparameter(session, "lr", g, s->lrs[g]);
    if (!status && s->momenta)
      status = hetc_session_set_hyperparameter(session, s->momentum_name, g,
                                               s->momenta[g]);
    if (status)
      return fail(status, "--lr-scheduler");
  }
  return 0;
}

/* The spec, with OneCycleLR's length filled in from the run when absent. */
static char *full_spec(const char *spec, int epochs, int64_t steps_per_epoch) {
  size_t size = strlen(spec) + 64;
  char *text = malloc(size);
  if (!text)
    return NULL;
  int one_cycle = !strncmp(spec, "onecycle", 8) && !strchr(spec, ';');
  if (one_cycle && !strstr(spec, "total_steps=") && !strstr(spec, "epochs="))
    snprintf(text, size, "%s%sepochs=%d,steps_per_epoch=%lld", spec,
             strchr(spec, ':') ? "," : ":", epochs, (long long)steps_per_epoch);
  else
    snprintf(text, size, "%s", spec);
  return text;
}

/* The state a resumed checkpoint holds: its blob's text, split into its
 * three lines in place. */
typedef struct saved_state {
  char *text;
  const char *spec, *full_spec, *state;
} saved_state_t;

static int split_saved(saved_state_t *saved) {
  char *lines[3], *at = saved->text;
  for (int i = 0; i < 3; ++i) {
    char *end = strchr(at, '\n');
    if (!end)
      return 1;
    *end = '\0';
    lines[i] = at;
    at = end + 1;
  }
  saved->spec = lines[0];
  saved->full_spec = lines[1];
  saved->state = lines[2];
  return *at != '\0';
}

/* Reads the schedule `checkpoint` holds (loaded into `session`); nonzero,
 * after printing why, when it has none (resuming would silently restart the
 * schedule), a malformed one, or one of another spec. */
static int read_saved(hetc_session_t *session, const char *checkpoint,
                      const char *spec, saved_state_t *saved) {
  void *data = NULL;
  size_t size = 0;
  hetc_status_t status =
      hetc_session_get_checkpoint_blob(session, BLOB_NAME, &data, &size);
  if (status) {
    hetc_status_free(status);
    fprintf(stderr,
            "hetc-train: --lr-scheduler: checkpoint '%s' holds no lr "
            "scheduler state: it was saved without --lr-scheduler, or by an "
            "older hetc-train that wrote it beside the checkpoint; resuming "
            "would restart the schedule\n",
            checkpoint);
    return 1;
  }
  saved->text = malloc(size + 1);
  if (saved->text) {
    memcpy(saved->text, data, size);
    saved->text[size] = '\0';
  }
  free(data);
  if (!saved->text || strlen(saved->text) != size || split_saved(saved)) {
    fprintf(stderr,
            "hetc-train: checkpoint '%s': its lr scheduler state is "
            "malformed\n",
            checkpoint);
    return 1;
  }
  if (!strcmp(saved->spec, spec))
    return 0;
  fprintf(stderr,
          "hetc-train: '%s' holds the state of --lr-scheduler='%s', not "
          "'%s'\n",
          checkpoint, saved->spec, spec);
  return 1;
}

/* Reads the lrs and the momentum (or beta1) of every group. */
static int read_values(lr_schedule_t *s, hetc_session_t *session) {
  if (read_all(session, "lr", s->groups, s->lrs)) {
    fprintf(stderr, "hetc-train: --lr-scheduler needs a model with a "
                    "runtime lr\n");
    return 1;
  }
  s->momentum_name = "momentum";
  if (!read_all(session, "momentum", s->groups, s->momenta))
    return 0;
  s->momentum_name = "beta1";
  if (!read_all(session, "beta1", s->groups, s->momenta))
    return 0;
  free(s->momenta);
  s->momenta = NULL;
  return 0;
}

/* Creates the scheduler on the groups' current values; a resumed one
 * (`state` not NULL) then takes the saved progress. */
static int create_scheduler(lr_schedule_t *s, hetc_session_t *session,
                            const char *state, const char *resume) {
  double *base = calloc((size_t)s->groups + 1, sizeof(double));
  int rc = 0;
  if (!base) {
    fprintf(stderr, "hetc-train: out of memory\n");
    rc = 1;
  }
  if (!rc)
    rc = read_values(s, session);
  if (!rc) {
    memcpy(base, s->lrs, (size_t)s->groups * sizeof(double));
    hetc_status_t status =
        hetc_lr_scheduler_create(s->full_spec, (size_t)s->groups, base, s->lrs,
                                 s->momenta, &s->scheduler);
    if (status)
      rc = fail(status, "--lr-scheduler");
  }
  free(base);
  if (!rc && state) {
    hetc_status_t status = hetc_lr_scheduler_set_state(s->scheduler, state);
    rc = status ? fail(status, resume) : read_values(s, session);
  }
  /* The session holds the lrs rounded to f32: a resumed schedule continues
   * from the exact ones it last set, as an uninterrupted run does. */
  if (!rc && state)
    memcpy(s->lrs, hetc_lr_scheduler_last_lrs(s->scheduler),
           (size_t)s->groups * sizeof(double));
  return rc;
}

int lr_schedule_open(lr_schedule_t *s, const char *spec,
                     hetc_session_t *session, const char *resume, int epochs,
                     int64_t steps_per_epoch) {
  *s = (lr_schedule_t){0};
  s->spec = spec;
  s->groups = hetc_session_group_count(session);
  /* A resumed schedule is the one saved, OneCycleLR's length included. */
  saved_state_t saved = {0};
  int rc = resume ? read_saved(session, resume, spec, &saved) : 0;
  if (!rc) {
    s->full_spec = resume ? strdup(saved.full_spec)
                          : full_spec(spec, epochs, steps_per_epoch);
    s->lrs = calloc((size_t)s->groups + 1, sizeof(double));
    s->momenta = calloc((size_t)s->groups + 1, sizeof(double));
    if (!s->full_spec || !s->lrs || !s->momenta) {
      fprintf(stderr, "hetc-train: out of memory\n");
      rc = 1;
    }
  }
  if (!rc)
    rc = create_scheduler(s, session, resume ? saved.state : NULL, resume);
  const char *kind = s->scheduler ? hetc_lr_scheduler_kind(s->scheduler) : "";
  s->per_batch = !strcmp(kind, "onecycle");
  s->on_metric = !strcmp(kind, "plateau");
  if (strcmp(kind, "onecycle")) {
    free(s->momenta); /* only OneCycleLR cycles the momentum */
    s->momenta = NULL;
  }
  if (!rc)
    rc = write_all(s, session);
  free(saved.text);
  return rc;
}

int lr_schedule_step(lr_schedule_t *s, hetc_session_t *session, int per_batch,
                     double metric) {
  if (!s->scheduler || per_batch != s->per_batch)
    return 0;
  hetc_status_t status =
      s->on_metric ? hetc_lr_scheduler_step_metric(s->scheduler, metric, s->lrs)
                   : hetc_lr_scheduler_step(s->scheduler, s->lrs, s->momenta);
  if (status)
    return fail(status, "--lr-scheduler");
  return write_all(s, session);
}

double lr_schedule_lr(const lr_schedule_t *s, hetc_session_t *session) {
  double lr = NAN;
  if (s->scheduler)
    return s->lrs[0];
  hetc_status_t status = hetc_session_get_hyperparameter(session, "lr", 0, &lr);
  hetc_status_free(status);
  return status ? NAN : lr;
}

int lr_schedule_store(const lr_schedule_t *s, hetc_session_t *session) {
  if (!s->scheduler)
    return 0;
  char *state = NULL;
  hetc_status_t status = hetc_lr_scheduler_get_state(s->scheduler, &state);
  if (status)
    return fail(status, "--lr-scheduler");
  size_t size = strlen(s->spec) + strlen(s->full_spec) + strlen(state) + 4;
  char *text = malloc(size);
  if (text) {
    snprintf(text, size, "%s\n%s\n%s\n", s->spec, s->full_spec, state);
    status = hetc_session_set_checkpoint_blob(session, BLOB_NAME, text,
                                              strlen(text));
  }
  free(text);
  free(state);
  if (!text) {
    fprintf(stderr, "hetc-train: out of memory\n");
    return 1;
  }
  return status ? fail(status, "--lr-scheduler") : 0;
}

void lr_schedule_close(lr_schedule_t *s) {
  hetc_lr_scheduler_free(s->scheduler);
  free(s->full_spec);
  free(s->lrs);
  free(s->momenta);
  *s = (lr_schedule_t){0};
}
