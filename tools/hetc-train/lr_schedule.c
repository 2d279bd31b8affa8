/*===- lr_schedule.c - hetc-train's --lr-scheduler
 * -------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "lr_schedule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(hetc_status_t status, const char *what) {
  fprintf(stderr, "hetc-train: %s: %s\n", what, hetc_status_message(status));
  hetc_status_free(status);
  return 1;
}

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

/* The state saved beside `checkpoint`: the spec as given, the spec as
 * created (OneCycleLR's length filled in) and the progress. Returns 1 when
 * there is none (trained without a schedule), -1 on an error. */
typedef struct saved_state {
  char spec[1024], full_spec[1024], state[8192];
} saved_state_t;

static int read_saved(const char *checkpoint, const char *spec,
                      saved_state_t *saved) {
  char path[4096];
  snprintf(path, sizeof(path), "%s.lr_scheduler", checkpoint);
  FILE *file = fopen(path, "r");
  if (!file)
    return 1;
  int ok = fgets(saved->spec, sizeof(saved->spec), file) &&
           fgets(saved->full_spec, sizeof(saved->full_spec), file) &&
           fgets(saved->state, sizeof(saved->state), file);
  fclose(file);
  saved->spec[strcspn(saved->spec, "\n")] = '\0';
  saved->full_spec[strcspn(saved->full_spec, "\n")] = '\0';
  saved->state[strcspn(saved->state, "\n")] = '\0';
  if (ok && !strcmp(saved->spec, spec))
    return 0;
  fprintf(stderr,
          "hetc-train: '%s' holds the state of --lr-scheduler='%s', not "
          "'%s'\n",
          path, ok ? saved->spec : "?", spec);
  return -1;
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

int lr_schedule_open(lr_schedule_t *s, const char *spec,
                     hetc_session_t *session, const char *resume, int epochs,
                     int64_t steps_per_epoch) {
  *s = (lr_schedule_t){0};
  s->spec = spec;
  s->groups = hetc_session_group_count(session);
  /* A resumed schedule is the one saved, OneCycleLR's length included. */
  saved_state_t *saved = calloc(1, sizeof(*saved));
  int fresh = !saved || !resume ? 1 : read_saved(resume, spec, saved);
  char *text = fresh ? full_spec(spec, epochs, steps_per_epoch)
                     : strdup(saved->full_spec);
  s->full_spec = text;
  double *base = calloc((size_t)s->groups + 1, sizeof(double));
  s->lrs = calloc((size_t)s->groups + 1, sizeof(double));
  s->momenta = calloc((size_t)s->groups + 1, sizeof(double));
  int rc = fresh < 0;
  if (!rc && (!saved || !text || !base || !s->lrs || !s->momenta)) {
    fprintf(stderr, "hetc-train: out of memory\n");
    rc = 1;
  }
  if (!rc)
    rc = read_values(s, session);
  if (!rc) {
    memcpy(base, s->lrs, (size_t)s->groups * sizeof(double));
    hetc_status_t status = hetc_lr_scheduler_create(
        text, (size_t)s->groups, base, s->lrs, s->momenta, &s->scheduler);
    if (status)
      rc = fail(status, "--lr-scheduler");
  }
  if (!rc && !fresh) {
    hetc_status_t status =
        hetc_lr_scheduler_set_state(s->scheduler, saved->state);
    /* It continues from the checkpoint's values. */
    rc = status ? fail(status, resume) : read_values(s, session);
  }
  const char *kind = s->scheduler ? hetc_lr_scheduler_kind(s->scheduler) : "";
  s->per_batch = !strcmp(kind, "onecycle");
  s->on_metric = !strcmp(kind, "plateau");
  if (strcmp(kind, "onecycle")) {
    free(s->momenta); /* only OneCycleLR cycles the momentum */
    s->momenta = NULL;
  }
  if (!rc)
    rc = write_all(s, session);
  free(saved);
  free(base);
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

int lr_schedule_save(const lr_schedule_t *s, const char *checkpoint) {
  if (!s->scheduler)
    return 0;
  char path[4096], *state = NULL;
  snprintf(path, sizeof(path), "%s.lr_scheduler", checkpoint);
  hetc_status_t status = hetc_lr_scheduler_get_state(s->scheduler, &state);
  if (status)
    return fail(status, "--lr-scheduler");
  FILE *file = fopen(path, "w");
  int rc =
      !file || fprintf(file, "%s\n%s\n%s\n", s->spec, s->full_spec, state) < 0;
  if (file && fclose(file))
    rc = 1;
  free(state);
  if (rc)
    fprintf(stderr, "hetc-train: cannot write '%s'\n", path);
  return rc;
}

void lr_schedule_close(lr_schedule_t *s) {
  hetc_lr_scheduler_free(s->scheduler);
  free(s->full_spec);
  free(s->lrs);
  free(s->momenta);
  *s = (lr_schedule_t){0};
}
