/*===- schedule.c - learning-rate schedulers mirroring torch --------------===*
 *
 * The schedules of torch.optim.lr_scheduler (torch 1.13), in double
 * precision with torch's own formulas and evaluation order: schedulers that
 * torch steps in their chainable form (each lr derived from the group's
 * current lr) are stepped that way here, so the sequences agree to the last
 * bit. The caller owns the groups' lr (and momentum) values and passes them
 * in on every step, as torch's schedulers read them from param_groups.
 *
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include "hetc/runtime/hetc_runtime.h"
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum kind {
  KIND_STEP,
  KIND_MULTI_STEP,
  KIND_EXPONENTIAL,
  KIND_COSINE,
  KIND_LINEAR,
  KIND_CONSTANT,
  KIND_ONE_CYCLE,
  KIND_PLATEAU,
  KIND_SEQUENTIAL,
} kind_t;

/* One OneCycleLR phase: its last step and where lr/momentum go. */
typedef struct phase {
  double end_step;
  int start_lr, end_lr;             /* LR_INITIAL, LR_MAX or LR_MIN */
  int start_momentum, end_momentum; /* MOM_MAX or MOM_BASE */
} phase_t;

enum { LR_INITIAL, LR_MAX, LR_MIN };
enum { MOM_MAX, MOM_BASE };

/* Python's math.pi. */
static const double kPi = 3.141592653589793;

struct hetc_lr_scheduler {
  kind_t kind;
  char *spec;
  size_t num_groups;
  double *base_lrs; /* torch's base_lrs (the groups' initial_lr) */
  double *last_lrs;
  int64_t last_epoch;
  int64_t step_count;
  /* StepLR, MultiStepLR, ExponentialLR */
  int64_t step_size;
  double gamma;
  int64_t *milestones; /* sorted; repeats count, like torch's Counter */
  size_t num_milestones;
  /* CosineAnnealingLR */
  int64_t t_max;
  double eta_min;
  /* LinearLR, ConstantLR */
  double start_factor, end_factor, factor;
  int64_t total_iters;
  /* OneCycleLR */
  int64_t total_steps;
  double pct_start, div_factor, final_div_factor;
  bool anneal_linear, cycle_momentum, three_phase;
  phase_t phases[3];
  size_t num_phases;
  double *max_lrs, *min_lrs, *max_momenta, *base_momenta;
  /* ReduceLROnPlateau (factor above; min_lrs per group) */
  bool mode_max, threshold_abs;
  int64_t patience, cooldown;
  double threshold, eps, best;
  int64_t num_bad_epochs, cooldown_counter;
  /* SequentialLR */
  hetc_lr_scheduler_t **children;
  size_t num_children;
};

/*--- Option parsing ---------------------------------------------------------*/

typedef struct option {
  const char *key;
  const char *value;
  bool used;
} option_t;

typedef struct options {
  const char *kind;
  option_t items[32];
  size_t count;
  char *buffer;
} options_t;

#define TRY(expr)                                                              \
  do {                                                                         \
    hetc_status_t status_ = (expr);                                            \
    if (status_)                                                               \
      return status_;                                                          \
  } while (0)

static hetc_status_t invalid(const char *kind, const char *format,
                             const char *detail) {
  char message[512];
  snprintf(message, sizeof(message), format, detail);
  return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT, "lr scheduler '%s': %s",
                          kind, message);
}

/* Splits "kind:key=value,key=value" in place into `options`. */
static hetc_status_t split_spec(const char *spec, options_t *options) {
  memset(options, 0, sizeof(*options));
  options->buffer = strdup(spec);
  if (!options->buffer)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  char *rest = strchr(options->buffer, ':');
  if (rest)
    *rest++ = '\0';
  options->kind = options->buffer;
  if (!rest || !*rest)
    return NULL;
  for (char *item = strtok(rest, ","); item; item = strtok(NULL, ",")) {
    char *equals = strchr(item, '=');
    if (!equals || equals == item)
      return invalid(options->kind, "option '%s' is not key=value", item);
    *equals = '\0';
    if (options->count == 32)
      return invalid(options->kind, "too many options%s", "");
    for (size_t i = 0; i < options->count; ++i)
      if (!strcmp(options->items[i].key, item))
        return invalid(options->kind, "option '%s' is given twice", item);
    options->items[options->count++] = (option_t){item, equals + 1, false};
  }
  return NULL;
}

static const char *find(options_t *options, const char *key) {
  for (size_t i = 0; i < options->count; ++i) {
    if (!strcmp(options->items[i].key, key)) {
      options->items[i].used = true;
      return options->items[i].value;
    }
  }
  return NULL;
}

static hetc_status_t parse_double(const char *kind, const char *key,
                                  const char *text, double *out) {
  char *end;
  errno = 0;
  double value = strtod(text, &end);
  if (end == text || *end || errno == ERANGE || !isfinite(value)) {
    char detail[256];
    snprintf(detail, sizeof(detail), "%s=%s", key, text);
    return invalid(kind, "'%s' is not a finite number", detail);
  }
  *out = value;
  return NULL;
}

static hetc_status_t parse_int(const char *kind, const char *key,
                               const char *text, int64_t *out) {
  char *end;
  errno = 0;
  long long value = strtoll(text, &end, 10);
  if (end == text || *end || errno == ERANGE) {
    char detail[256];
    snprintf(detail, sizeof(detail), "%s=%s", key, text);
    return invalid(kind, "'%s' is not an integer", detail);
  }
  *out = value;
  return NULL;
}

/* A float option with a default; refuses non-finite values. */
static hetc_status_t get_double(options_t *options, const char *key,
                                double fallback, double *out) {
  const char *text = find(options, key);
  *out = fallback;
  return text ? parse_double(options->kind, key, text, out) : NULL;
}

/* An integer option; `required` ones have no default. */
static hetc_status_t get_int(options_t *options, const char *key, bool required,
                             int64_t fallback, int64_t *out) {
  const char *text = find(options, key);
  *out = fallback;
  if (!text)
    return required ? invalid(options->kind, "missing option '%s'", key) : NULL;
  return parse_int(options->kind, key, text, out);
}

static hetc_status_t get_bool(options_t *options, const char *key,
                              bool fallback, bool *out) {
  const char *text = find(options, key);
  *out = fallback;
  if (!text)
    return NULL;
  if (!strcmp(text, "true") || !strcmp(text, "1"))
    *out = true;
  else if (!strcmp(text, "false") || !strcmp(text, "0"))
    *out = false;
  else
    return invalid(options->kind, "option '%s' takes true or false", key);
  return NULL;
}

/* One of two words; `*second` is set when the value is `b`. */
static hetc_status_t get_choice(options_t *options, const char *key,
                                const char *a, const char *b, bool *second) {
  const char *text = find(options, key);
  *second = false;
  if (!text || !strcmp(text, a))
    return NULL;
  if (!strcmp(text, b)) {
    *second = true;
    return NULL;
  }
  char detail[256];
  snprintf(detail, sizeof(detail), "%s=%s' (expected '%s' or '%s", key, text, a,
           b);
  return invalid(options->kind, "unknown value '%s')", detail);
}

/* Reads the slash-separated numbers of `text` ("a/b/c") into `values`,
 * which holds `capacity`; `*count` is how many there were (more than
 * `capacity` are counted, not stored). Option values and saved states
 * share it. */
static hetc_status_t parse_doubles(const char *kind, const char *key,
                                   const char *text, double *values,
                                   size_t capacity, size_t *count) {
  char copy[1024];
  if ((size_t)snprintf(copy, sizeof(copy), "%s", text) >= sizeof(copy))
    return invalid(kind, "the value of '%s' is too long", key);
  *count = 0;
  char *save;
  for (char *item = strtok_r(copy, "/", &save); item;
       item = strtok_r(NULL, "/", &save)) {
    double value = 0; /* set by parse_double when it succeeds */
    TRY(parse_double(kind, key, item, &value));
    if (*count < capacity)
      values[*count] = value;
    ++*count;
  }
  return NULL;
}

/* A per-group float list "a/b/c" (or one value for every group). */
static hetc_status_t get_group_doubles(options_t *options, const char *key,
                                       size_t num_groups, bool required,
                                       double fallback, double **out) {
  const char *text = find(options, key);
  *out = calloc(num_groups ? num_groups : 1, sizeof(double));
  if (!*out)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  if (!text) {
    for (size_t i = 0; i < num_groups; ++i)
      (*out)[i] = fallback;
    return required ? invalid(options->kind, "missing option '%s'", key) : NULL;
  }
  size_t count = 0;
  TRY(parse_doubles(options->kind, key, text, *out, num_groups, &count));
  if (count == 1) {
    for (size_t i = 1; i < num_groups; ++i)
      (*out)[i] = (*out)[0];
    return NULL;
  }
  if (count != num_groups) {
    char detail[256];
    snprintf(detail, sizeof(detail), "expected %zu values for %s, got %zu",
             num_groups, key, count);
    return invalid(options->kind, "%s", detail);
  }
  return NULL;
}

static int compare_int64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static hetc_status_t get_milestones(options_t *options,
                                    hetc_lr_scheduler_t *s) {
  const char *text = find(options, "milestones");
  if (!text)
    return invalid(options->kind, "missing option '%s'", "milestones");
  size_t length = strlen(text);
  s->milestones = calloc(length + 1, sizeof(int64_t));
  if (!s->milestones)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  char copy[512];
  snprintf(copy, sizeof(copy), "%s", text);
  char *save;
  for (char *item = strtok_r(copy, "/", &save); item;
       item = strtok_r(NULL, "/", &save)) {
    hetc_status_t status = parse_int(options->kind, "milestones", item,
                                     &s->milestones[s->num_milestones]);
    if (status)
      return status;
    ++s->num_milestones;
  }
  qsort(s->milestones, s->num_milestones, sizeof(int64_t), compare_int64);
  return NULL;
}

static hetc_status_t check_unused(options_t *options) {
  for (size_t i = 0; i < options->count; ++i)
    if (!options->items[i].used)
      return invalid(options->kind, "unknown option '%s'",
                     options->items[i].key);
  return NULL;
}

/*--- Per-kind set-up
 * ----------------------------------------------------------*/

static hetc_status_t refuse_negative(options_t *options, const char *key,
                                     double value) {
  return value < 0
             ? invalid(options->kind, "option '%s' must not be negative", key)
             : NULL;
}

static hetc_status_t positive_int(options_t *options, const char *key,
                                  int64_t value) {
  return value <= 0
             ? invalid(options->kind, "option '%s' must be positive", key)
             : NULL;
}

static hetc_status_t setup_factor_range(options_t *o, const char *key,
                                        double value) {
  if (value < 0 || value > 1)
    return invalid(o->kind, "option '%s' must lie in [0, 1]", key);
  return NULL;
}

static hetc_status_t setup_decay(options_t *o, hetc_lr_scheduler_t *s) {
  switch (s->kind) {
  case KIND_STEP:
    TRY(get_int(o, "step_size", true, 0, &s->step_size));
    TRY(positive_int(o, "step_size", s->step_size));
    TRY(get_double(o, "gamma", 0.1, &s->gamma));
    break;
  case KIND_MULTI_STEP:
    TRY(get_milestones(o, s));
    TRY(get_double(o, "gamma", 0.1, &s->gamma));
    break;
  case KIND_EXPONENTIAL:
    if (!find(o, "gamma"))
      return invalid(o->kind, "missing option '%s'", "gamma");
    TRY(get_double(o, "gamma", 0.0, &s->gamma));
    break;
  default:
    break;
  }
  return refuse_negative(o, "gamma", s->gamma);
}

static hetc_status_t setup_cosine(options_t *o, hetc_lr_scheduler_t *s) {
  TRY(get_int(o, "T_max", true, 0, &s->t_max));
  TRY(positive_int(o, "T_max", s->t_max));
  TRY(get_double(o, "eta_min", 0.0, &s->eta_min));
  return refuse_negative(o, "eta_min", s->eta_min);
}

static hetc_status_t setup_linear(options_t *o, hetc_lr_scheduler_t *s) {
  bool linear = s->kind == KIND_LINEAR;
  if (linear) {
    TRY(get_double(o, "start_factor", 1.0 / 3, &s->start_factor));
    TRY(setup_factor_range(o, "start_factor", s->start_factor));
    TRY(get_double(o, "end_factor", 1.0, &s->end_factor));
    TRY(setup_factor_range(o, "end_factor", s->end_factor));
  } else {
    TRY(get_double(o, "factor", 1.0 / 3, &s->factor));
    TRY(setup_factor_range(o, "factor", s->factor));
  }
  TRY(get_int(o, "total_iters", false, 5, &s->total_iters));
  return positive_int(o, "total_iters", s->total_iters);
}

/* torch's _schedule_phases, with its float arithmetic. */
static void one_cycle_phases(hetc_lr_scheduler_t *s) {
  double total = (double)s->total_steps;
  if (s->three_phase) {
    s->num_phases = 3;
    s->phases[0] = (phase_t){s->pct_start * total - 1, LR_INITIAL, LR_MAX,
                             MOM_MAX, MOM_BASE};
    s->phases[1] = (phase_t){2 * s->pct_start * total - 2, LR_MAX, LR_INITIAL,
                             MOM_BASE, MOM_MAX};
    s->phases[2] = (phase_t){total - 1, LR_INITIAL, LR_MIN, MOM_MAX, MOM_MAX};
  } else {
    s->num_phases = 2;
    s->phases[0] = (phase_t){s->pct_start * total - 1, LR_INITIAL, LR_MAX,
                             MOM_MAX, MOM_BASE};
    s->phases[1] = (phase_t){total - 1, LR_MAX, LR_MIN, MOM_BASE, MOM_MAX};
  }
}

static hetc_status_t setup_one_cycle(options_t *o, hetc_lr_scheduler_t *s,
                                     double *momenta) {
  size_t n = s->num_groups;
  TRY(get_group_doubles(o, "max_lr", n, true, 0, &s->max_lrs));
  int64_t epochs = 0, steps_per_epoch = 0;
  TRY(get_int(o, "total_steps", false, 0, &s->total_steps));
  TRY(get_int(o, "epochs", false, 0, &epochs));
  TRY(get_int(o, "steps_per_epoch", false, 0, &steps_per_epoch));
  if (find(o, "total_steps")) {
    TRY(positive_int(o, "total_steps", s->total_steps));
  } else if (!find(o, "epochs") || !find(o, "steps_per_epoch")) {
    return invalid(o->kind, "%s",
                   "You must define either total_steps OR "
                   "(epochs AND steps_per_epoch)");
  } else {
    TRY(positive_int(o, "epochs", epochs));
    TRY(positive_int(o, "steps_per_epoch", steps_per_epoch));
    s->total_steps = epochs * steps_per_epoch;
  }
  TRY(get_double(o, "pct_start", 0.3, &s->pct_start));
  TRY(setup_factor_range(o, "pct_start", s->pct_start));
  TRY(get_choice(o, "anneal_strategy", "cos", "linear", &s->anneal_linear));
  TRY(get_bool(o, "cycle_momentum", true, &s->cycle_momentum));
  TRY(get_group_doubles(o, "base_momentum", n, false, 0.85, &s->base_momenta));
  TRY(get_group_doubles(o, "max_momentum", n, false, 0.95, &s->max_momenta));
  TRY(get_double(o, "div_factor", 25.0, &s->div_factor));
  TRY(get_double(o, "final_div_factor", 1e4, &s->final_div_factor));
  TRY(get_bool(o, "three_phase", false, &s->three_phase));
  if (s->div_factor <= 0 || s->final_div_factor <= 0)
    return invalid(o->kind, "%s",
                   "div_factor and final_div_factor must be "
                   "positive");
  for (size_t i = 0; i < n; ++i) {
    TRY(refuse_negative(o, "max_lr", s->max_lrs[i]));
    TRY(refuse_negative(o, "base_momentum", s->base_momenta[i]));
    TRY(refuse_negative(o, "max_momentum", s->max_momenta[i]));
  }
  if (s->cycle_momentum && !momenta)
    return invalid(o->kind, "%s",
                   "optimizer must support momentum with "
                   "`cycle_momentum` option enabled");
  s->min_lrs = calloc(n ? n : 1, sizeof(double));
  if (!s->min_lrs)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (size_t i = 0; i < n; ++i) {
    s->base_lrs[i] = s->max_lrs[i] / s->div_factor;
    s->min_lrs[i] = s->base_lrs[i] / s->final_div_factor;
    if (s->cycle_momentum)
      momenta[i] = s->max_momenta[i];
  }
  one_cycle_phases(s);
  return NULL;
}

static hetc_status_t setup_plateau(options_t *o, hetc_lr_scheduler_t *s) {
  TRY(get_choice(o, "mode", "min", "max", &s->mode_max));
  TRY(get_double(o, "factor", 0.1, &s->factor));
  if (s->factor >= 1.0)
    return invalid(o->kind, "%s", "Factor should be < 1.0.");
  TRY(refuse_negative(o, "factor", s->factor));
  TRY(get_int(o, "patience", false, 10, &s->patience));
  TRY(get_double(o, "threshold", 1e-4, &s->threshold));
  TRY(refuse_negative(o, "threshold", s->threshold));
  TRY(get_choice(o, "threshold_mode", "rel", "abs", &s->threshold_abs));
  TRY(get_int(o, "cooldown", false, 0, &s->cooldown));
  TRY(get_group_doubles(o, "min_lr", s->num_groups, false, 0.0, &s->min_lrs));
  for (size_t i = 0; i < s->num_groups; ++i)
    TRY(refuse_negative(o, "min_lr", s->min_lrs[i]));
  TRY(get_double(o, "eps", 1e-8, &s->eps));
  TRY(refuse_negative(o, "eps", s->eps));
  if (s->patience < 0 || s->cooldown < 0)
    return invalid(o->kind, "%s",
                   "patience and cooldown must not be "
                   "negative");
  s->best = s->mode_max ? -INFINITY : INFINITY;
  s->last_epoch = 0; /* torch's plateau scheduler takes no initial step */
  return NULL;
}

static const struct {
  const char *name;
  kind_t kind;
} kinds[] = {
    {"step", KIND_STEP},
    {"multistep", KIND_MULTI_STEP},
    {"exponential", KIND_EXPONENTIAL},
    {"cosine", KIND_COSINE},
    {"linear", KIND_LINEAR},
    {"constant", KIND_CONSTANT},
    {"onecycle", KIND_ONE_CYCLE},
    {"plateau", KIND_PLATEAU},
};

static const char *kind_name(kind_t kind) {
  if (kind == KIND_SEQUENTIAL)
    return "sequential";
  for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); ++i)
    if (kinds[i].kind == kind)
      return kinds[i].name;
  return "?";
}

static hetc_status_t setup(options_t *o, hetc_lr_scheduler_t *s,
                           double *momenta) {
  bool known = false;
  for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); ++i) {
    if (!strcmp(o->kind, kinds[i].name)) {
      s->kind = kinds[i].kind;
      known = true;
    }
  }
  if (!known)
    return hetc_make_status(
        HETC_STATUS_INVALID_ARGUMENT,
        "unknown lr scheduler '%s' (expected step, multistep, exponential, "
        "cosine, linear, constant, onecycle or plateau)",
        o->kind);
  switch (s->kind) {
  case KIND_COSINE:
    TRY(setup_cosine(o, s));
    break;
  case KIND_LINEAR:
  case KIND_CONSTANT:
    TRY(setup_linear(o, s));
    break;
  case KIND_ONE_CYCLE:
    TRY(setup_one_cycle(o, s, momenta));
    break;
  case KIND_PLATEAU:
    TRY(setup_plateau(o, s));
    break;
  default:
    TRY(setup_decay(o, s));
    break;
  }
  return check_unused(o);
}

/*--- The schedules
 * ------------------------------------------------------------*/

/* Python's floor modulo, as torch's `%` on ints. */
static int64_t floor_mod(int64_t a, int64_t b) {
  int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

static int64_t milestone_count(const hetc_lr_scheduler_t *s, int64_t epoch) {
  int64_t count = 0;
  for (size_t i = 0; i < s->num_milestones; ++i)
    count += s->milestones[i] == epoch;
  return count;
}

/* torch's get_lr (the chainable form) for group `i` at lr `lr`. */
static double chainable_lr(const hetc_lr_scheduler_t *s, size_t i, double lr) {
  int64_t epoch = s->last_epoch;
  switch (s->kind) {
  case KIND_STEP:
    if (epoch == 0 || floor_mod(epoch, s->step_size) != 0)
      return lr;
    return lr * s->gamma;
  case KIND_MULTI_STEP: {
    int64_t count = milestone_count(s, epoch);
    return count ? lr * pow(s->gamma, (double)count) : lr;
  }
  case KIND_EXPONENTIAL:
    return epoch == 0 ? lr : lr * s->gamma;
  case KIND_LINEAR: {
    if (epoch == 0)
      return lr * s->start_factor;
    if (epoch > s->total_iters)
      return lr;
    double delta = s->end_factor - s->start_factor;
    return lr * (1. + delta / ((double)s->total_iters * s->start_factor +
                               (double)(epoch - 1) * delta));
  }
  case KIND_CONSTANT:
    if (epoch == 0)
      return lr * s->factor;
    if (epoch != s->total_iters)
      return lr;
    return lr * (1.0 / s->factor);
  case KIND_COSINE: {
    double pi = kPi, t_max = (double)s->t_max, base = s->base_lrs[i];
    if (epoch == 0)
      return lr;
    if (s->step_count == 1 && epoch > 0)
      return s->eta_min +
             (base - s->eta_min) * (1 + cos((double)epoch * pi / t_max)) / 2;
    if (floor_mod(epoch - 1 - s->t_max, 2 * s->t_max) == 0)
      return lr + (base - s->eta_min) * (1 - cos(pi / t_max)) / 2;
    return (1 + cos(pi * (double)epoch / t_max)) /
               (1 + cos(pi * (double)(epoch - 1) / t_max)) * (lr - s->eta_min) +
           s->eta_min;
  }
  default:
    return lr;
  }
}

/* torch's _get_closed_form_lr, used when SequentialLR restarts a child. */
static double closed_form_lr(const hetc_lr_scheduler_t *s, size_t i) {
  double base = s->base_lrs[i];
  int64_t epoch = s->last_epoch;
  switch (s->kind) {
  case KIND_STEP:
    return base * pow(s->gamma, (double)(epoch / s->step_size));
  case KIND_MULTI_STEP: {
    int64_t passed = 0;
    for (size_t m = 0; m < s->num_milestones; ++m)
      passed += s->milestones[m] <= epoch;
    return base * pow(s->gamma, (double)passed);
  }
  case KIND_EXPONENTIAL:
    return base * pow(s->gamma, (double)epoch);
  case KIND_LINEAR: {
    int64_t t = epoch < s->total_iters ? epoch : s->total_iters;
    return base * (s->start_factor + (s->end_factor - s->start_factor) *
                                         (double)t / (double)s->total_iters);
  }
  case KIND_CONSTANT:
    return base *
           (s->factor + (double)(epoch >= s->total_iters) * (1 - s->factor));
  case KIND_COSINE:
    return s->eta_min + (base - s->eta_min) *
                            (1 + cos(kPi * (double)epoch / (double)s->t_max)) /
                            2;
  default:
    return base;
  }
}

static double anneal(const hetc_lr_scheduler_t *s, double start, double end,
                     double pct) {
  if (s->anneal_linear)
    return (end - start) * pct + start;
  double cos_out = cos(kPi * pct) + 1;
  return end + (start - end) / 2.0 * cos_out;
}

static double one_cycle_lr_value(const hetc_lr_scheduler_t *s, size_t i,
                                 int which) {
  return which == LR_INITIAL ? s->base_lrs[i]
         : which == LR_MAX   ? s->max_lrs[i]
                             : s->min_lrs[i];
}

static hetc_status_t one_cycle_step(const hetc_lr_scheduler_t *s, double *lrs,
                                    double *momenta) {
  int64_t step = s->last_epoch;
  if (step > s->total_steps)
    return hetc_make_status(HETC_STATUS_OUT_OF_RANGE,
                            "lr scheduler 'onecycle': tried to step %lld "
                            "times; the specified number of total steps is "
                            "%lld",
                            (long long)step + 1, (long long)s->total_steps);
  for (size_t g = 0; g < s->num_groups; ++g) {
    double start_step = 0;
    for (size_t p = 0; p < s->num_phases; ++p) {
      const phase_t *phase = &s->phases[p];
      if ((double)step <= phase->end_step || p == s->num_phases - 1) {
        if (phase->end_step == start_step)
          return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                                  "lr scheduler 'onecycle': phase %zu has "
                                  "no steps (raise total_steps or change "
                                  "pct_start)",
                                  p + 1);
        double pct =
            ((double)step - start_step) / (phase->end_step - start_step);
        lrs[g] = anneal(s, one_cycle_lr_value(s, g, phase->start_lr),
                        one_cycle_lr_value(s, g, phase->end_lr), pct);
        if (s->cycle_momentum) {
          double start = phase->start_momentum == MOM_MAX ? s->max_momenta[g]
                                                          : s->base_momenta[g];
          double end = phase->end_momentum == MOM_MAX ? s->max_momenta[g]
                                                      : s->base_momenta[g];
          momenta[g] = anneal(s, start, end, pct);
        }
        break;
      }
      start_step = phase->end_step;
    }
  }
  return NULL;
}

static void remember(hetc_lr_scheduler_t *s, const double *lrs) {
  memcpy(s->last_lrs, lrs, s->num_groups * sizeof(double));
}

/* torch's _LRScheduler.step(epoch): the chainable form without `epoch`, the
 * closed form with it. */
static hetc_status_t plain_step(hetc_lr_scheduler_t *s, const int64_t *epoch,
                                double *lrs, double *momenta) {
  ++s->step_count;
  s->last_epoch = epoch ? *epoch : s->last_epoch + 1;
  if (s->kind == KIND_ONE_CYCLE) {
    TRY(one_cycle_step(s, lrs, momenta));
  } else {
    for (size_t i = 0; i < s->num_groups; ++i)
      lrs[i] = epoch ? closed_form_lr(s, i) : chainable_lr(s, i, lrs[i]);
  }
  remember(s, lrs);
  return NULL;
}

static size_t bisect_right(const int64_t *values, size_t count, int64_t value) {
  size_t i = 0;
  while (i < count && values[i] <= value)
    ++i;
  return i;
}

static hetc_status_t sequential_step(hetc_lr_scheduler_t *s, double *lrs,
                                     double *momenta) {
  ++s->last_epoch;
  size_t index = bisect_right(s->milestones, s->num_milestones, s->last_epoch);
  hetc_lr_scheduler_t *child = s->children[index];
  int64_t zero = 0;
  bool restart = index > 0 && s->milestones[index - 1] == s->last_epoch;
  TRY(plain_step(child, restart ? &zero : NULL, lrs, momenta));
  remember(s, lrs);
  return NULL;
}

/*--- The API
 * ------------------------------------------------------------------*/

void hetc_lr_scheduler_free(hetc_lr_scheduler_t *s) {
  if (!s)
    return;
  for (size_t i = 0; i < s->num_children; ++i)
    hetc_lr_scheduler_free(s->children[i]);
  free(s->children);
  free(s->spec);
  free(s->base_lrs);
  free(s->last_lrs);
  free(s->milestones);
  free(s->max_lrs);
  free(s->min_lrs);
  free(s->max_momenta);
  free(s->base_momenta);
  free(s);
}

static hetc_lr_scheduler_t *allocate(size_t num_groups, const char *spec) {
  hetc_lr_scheduler_t *s = calloc(1, sizeof(*s));
  if (!s)
    return NULL;
  s->num_groups = num_groups;
  s->last_epoch = -1;
  s->spec = strdup(spec);
  s->base_lrs = calloc(num_groups ? num_groups : 1, sizeof(double));
  s->last_lrs = calloc(num_groups ? num_groups : 1, sizeof(double));
  if (!s->spec || !s->base_lrs || !s->last_lrs) {
    hetc_lr_scheduler_free(s);
    return NULL;
  }
  return s;
}

static hetc_status_t check_lrs(size_t num_groups, const double *base_lrs,
                               const double *lrs) {
  if (num_groups == 0)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "an lr scheduler needs at least one group");
  for (size_t i = 0; i < num_groups; ++i)
    if (!isfinite(base_lrs[i]) || base_lrs[i] < 0 || !isfinite(lrs[i]) ||
        lrs[i] < 0)
      return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "group %zu's lr must be a finite number >= 0", i);
  return NULL;
}

static hetc_status_t create_chain(const char *spec, size_t num_groups,
                                  const double *base_lrs, double *lrs,
                                  double *momenta, hetc_lr_scheduler_t **out);

hetc_status_t hetc_lr_scheduler_create(const char *spec, size_t num_groups,
                                       const double *base_lrs, double *lrs,
                                       double *momenta,
                                       hetc_lr_scheduler_t **out) {
  *out = NULL;
  TRY(check_lrs(num_groups, base_lrs, lrs));
  if (strchr(spec, ';'))
    return create_chain(spec, num_groups, base_lrs, lrs, momenta, out);
  hetc_lr_scheduler_t *s = allocate(num_groups, spec);
  if (!s)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  memcpy(s->base_lrs, base_lrs, num_groups * sizeof(double));
  options_t options;
  hetc_status_t status = split_spec(spec, &options);
  if (!status)
    status = setup(&options, s, momenta);
  free(options.buffer);
  if (!status && s->kind != KIND_PLATEAU)
    status = plain_step(s, NULL, lrs, momenta); /* torch's _initial_step */
  if (!status && s->kind == KIND_PLATEAU)
    remember(s, lrs);
  if (status) {
    hetc_lr_scheduler_free(s);
    return status;
  }
  *out = s;
  return NULL;
}

hetc_status_t hetc_lr_scheduler_create_sequential(
    hetc_lr_scheduler_t **children, size_t num_children,
    const int64_t *milestones, const double *base_lrs, double *lrs,
    double *momenta, hetc_lr_scheduler_t **out) {
  *out = NULL;
  if (num_children == 0)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "SequentialLR needs at least one scheduler");
  size_t num_groups = children[0]->num_groups;
  for (size_t i = 0; i < num_children; ++i) {
    if (children[i]->kind == KIND_PLATEAU ||
        children[i]->kind == KIND_SEQUENTIAL)
      return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "SequentialLR cannot chain a '%s' scheduler "
                              "(index %zu)",
                              kind_name(children[i]->kind), i);
    if (children[i]->num_groups != num_groups)
      return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "SequentialLR's schedulers drive different "
                              "numbers of groups (index %zu)",
                              i);
  }
  for (size_t i = 1; i + 1 < num_children; ++i)
    if (milestones[i] < milestones[i - 1])
      return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "SequentialLR's milestones must not decrease");
  hetc_lr_scheduler_t *s = allocate(num_groups, "sequential");
  if (!s)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  s->kind = KIND_SEQUENTIAL;
  s->children = malloc(num_children * sizeof(*children));
  s->milestones = malloc(num_children * sizeof(int64_t));
  if (!s->children || !s->milestones) {
    hetc_lr_scheduler_free(s);
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  memcpy(s->children, children, num_children * sizeof(*children));
  s->num_children = num_children;
  memcpy(s->milestones, milestones, (num_children - 1) * sizeof(int64_t));
  s->num_milestones = num_children - 1;
  memcpy(s->base_lrs, base_lrs, num_groups * sizeof(double));
  /* torch: the groups restart at initial_lr, every child steps back once
   * and the first takes its initial step again. */
  s->last_epoch = 0;
  memcpy(lrs, base_lrs, num_groups * sizeof(double));
  for (size_t i = 0; i < num_children; ++i)
    --children[i]->last_epoch;
  children[0]->step_count = 0;
  hetc_status_t status = plain_step(children[0], NULL, lrs, momenta);
  if (status) {
    s->num_children = 0; /* the caller still owns the children */
    hetc_lr_scheduler_free(s);
    return status;
  }
  remember(s, lrs);
  *out = s;
  return NULL;
}

/* "A;M1;B;M2;C": the children created in order on the groups, as torch's
 * are before SequentialLR takes them, then chained at milestones M1, M2. */
static hetc_status_t create_chain(const char *spec, size_t num_groups,
                                  const double *base_lrs, double *lrs,
                                  double *momenta, hetc_lr_scheduler_t **out) {
  char *copy = strdup(spec);
  size_t parts = 1;
  for (const char *c = spec; *c; ++c)
    parts += *c == ';';
  hetc_lr_scheduler_t **children = calloc(parts, sizeof(*children));
  int64_t *milestones = calloc(parts, sizeof(int64_t));
  hetc_status_t status = NULL;
  if (!copy || !children || !milestones)
    status = hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  else if (parts % 2 == 0)
    status = hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "lr scheduler chain '%s': expected "
                              "scheduler;milestone;scheduler...",
                              spec);
  size_t count = 0;
  char *part = copy;
  for (size_t i = 0; !status && i < parts; ++i) {
    char *next = strchr(part, ';');
    if (next)
      *next++ = '\0';
    if (i % 2)
      status = parse_int("sequential", "milestone", part, &milestones[i / 2]);
    else if (!(status = hetc_lr_scheduler_create(
                   part, num_groups, base_lrs, lrs, momenta, &children[i / 2])))
      ++count;
    part = next;
  }
  if (!status)
    status = hetc_lr_scheduler_create_sequential(children, count, milestones,
                                                 base_lrs, lrs, momenta, out);
  if (status)
    for (size_t i = 0; i < count; ++i)
      hetc_lr_scheduler_free(children[i]);
  free(copy);
  free(children);
  free(milestones);
  return status;
}

hetc_status_t hetc_lr_scheduler_step(hetc_lr_scheduler_t *s, double *lrs,
                                     double *momenta) {
  if (s->kind == KIND_PLATEAU)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "lr scheduler 'plateau' steps on a metric "
                            "(hetc_lr_scheduler_step_metric)");
  if (s->kind == KIND_SEQUENTIAL)
    return sequential_step(s, lrs, momenta);
  return plain_step(s, NULL, lrs, momenta);
}

static bool is_better(const hetc_lr_scheduler_t *s, double a) {
  if (!s->mode_max && !s->threshold_abs)
    return a < s->best * (1. - s->threshold);
  if (!s->mode_max)
    return a < s->best - s->threshold;
  if (!s->threshold_abs)
    return a > s->best * (s->threshold + 1.);
  return a > s->best + s->threshold;
}

hetc_status_t hetc_lr_scheduler_step_metric(hetc_lr_scheduler_t *s,
                                            double metric, double *lrs) {
  if (s->kind != KIND_PLATEAU)
    return hetc_lr_scheduler_step(s, lrs, NULL);
  ++s->last_epoch;
  if (is_better(s, metric)) {
    s->best = metric;
    s->num_bad_epochs = 0;
  } else {
    ++s->num_bad_epochs;
  }
  if (s->cooldown_counter > 0) {
    --s->cooldown_counter;
    s->num_bad_epochs = 0; /* bad epochs in cooldown do not count */
  }
  if (s->num_bad_epochs > s->patience) {
    for (size_t i = 0; i < s->num_groups; ++i) {
      double new_lr = fmax(lrs[i] * s->factor, s->min_lrs[i]);
      if (lrs[i] - new_lr > s->eps)
        lrs[i] = new_lr;
    }
    s->cooldown_counter = s->cooldown;
    s->num_bad_epochs = 0;
  }
  remember(s, lrs);
  return NULL;
}

const char *hetc_lr_scheduler_kind(const hetc_lr_scheduler_t *s) {
  return kind_name(s->kind);
}

size_t hetc_lr_scheduler_group_count(const hetc_lr_scheduler_t *s) {
  return s->num_groups;
}

const double *hetc_lr_scheduler_base_lrs(const hetc_lr_scheduler_t *s) {
  return s->base_lrs;
}

const double *hetc_lr_scheduler_last_lrs(const hetc_lr_scheduler_t *s) {
  return s->last_lrs;
}

int64_t hetc_lr_scheduler_last_epoch(const hetc_lr_scheduler_t *s) {
  return s->last_epoch;
}

/*--- State ------------------------------------------------------------------*/

/* Appends "key=a/b/c" for `count` doubles, exactly (%.17g round-trips). */
static void append_doubles(char **cursor, char *end, const char *key,
                           const double *values, size_t count) {
  *cursor += snprintf(*cursor, (size_t)(end - *cursor), "%s=", key);
  for (size_t i = 0; i < count && *cursor < end; ++i)
    *cursor += snprintf(*cursor, (size_t)(end - *cursor), "%s%.17g",
                        i ? "/" : "", values[i]);
  if (*cursor < end)
    *cursor += snprintf(*cursor, (size_t)(end - *cursor), ",");
}

static size_t state_size(const hetc_lr_scheduler_t *s) {
  size_t size = 256 + 2 * 32 * s->num_groups;
  for (size_t i = 0; i < s->num_children; ++i)
    size += state_size(s->children[i]) + 1;
  return size;
}

static void write_state(const hetc_lr_scheduler_t *s, char **cursor,
                        char *end) {
  *cursor += snprintf(*cursor, (size_t)(end - *cursor),
                      "last_epoch=%lld,step_count=%lld,",
                      (long long)s->last_epoch, (long long)s->step_count);
  append_doubles(cursor, end, "base_lrs", s->base_lrs, s->num_groups);
  append_doubles(cursor, end, "last_lr", s->last_lrs, s->num_groups);
  if (s->kind == KIND_PLATEAU && *cursor < end)
    *cursor += snprintf(*cursor, (size_t)(end - *cursor),
                        "best=%.17g,num_bad_epochs=%lld,cooldown_counter=%lld,",
                        s->best, (long long)s->num_bad_epochs,
                        (long long)s->cooldown_counter);
  for (size_t i = 0; i < s->num_children && *cursor < end; ++i) {
    *cursor += snprintf(*cursor, (size_t)(end - *cursor), ";");
    write_state(s->children[i], cursor, end);
  }
}

hetc_status_t hetc_lr_scheduler_get_state(const hetc_lr_scheduler_t *s,
                                          char **text) {
  size_t size = state_size(s);
  *text = malloc(size);
  if (!*text)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  char *cursor = *text;
  write_state(s, &cursor, *text + size);
  return NULL;
}

/* A saved per-group list: exactly one value per group. */
static hetc_status_t read_doubles(const char *kind, const char *key,
                                  const char *text, double *values,
                                  size_t count) {
  size_t found = 0;
  TRY(parse_doubles(kind, key, text, values, count, &found));
  if (found != count)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "lr scheduler '%s' state: '%s' needs %zu "
                            "values, has %zu",
                            kind, key, count, found);
  return NULL;
}

/* A saved plateau best: a number, or +-inf before the first metric. */
static hetc_status_t parse_best(const char *kind, const char *text,
                                double *out) {
  char *end;
  double value = strtod(text, &end);
  if (end == text || *end || isnan(value))
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "lr scheduler '%s' state: best=%s is not a number",
                            kind, text);
  *out = value;
  return NULL;
}

/* Reads one scheduler's "key=value,..." state into `s`. */
static hetc_status_t read_state(hetc_lr_scheduler_t *s, char *text) {
  const char *kind = kind_name(s->kind);
  for (char *item = strtok(text, ","); item; item = strtok(NULL, ",")) {
    char *value = strchr(item, '=');
    if (!value)
      return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "lr scheduler '%s' state: '%s' is not "
                              "key=value",
                              kind, item);
    *value++ = '\0';
    if (!strcmp(item, "last_epoch"))
      TRY(parse_int(kind, item, value, &s->last_epoch));
    else if (!strcmp(item, "step_count"))
      TRY(parse_int(kind, item, value, &s->step_count));
    else if (!strcmp(item, "num_bad_epochs"))
      TRY(parse_int(kind, item, value, &s->num_bad_epochs));
    else if (!strcmp(item, "cooldown_counter"))
      TRY(parse_int(kind, item, value, &s->cooldown_counter));
    else if (!strcmp(item, "best"))
      TRY(parse_best(kind, value, &s->best));
    else if (!strcmp(item, "base_lrs"))
      TRY(read_doubles(kind, item, value, s->base_lrs, s->num_groups));
    else if (!strcmp(item, "last_lr"))
      TRY(read_doubles(kind, item, value, s->last_lrs, s->num_groups));
    else
      return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "lr scheduler '%s' state: unknown key '%s'", kind,
                              item);
  }
  if (s->kind == KIND_ONE_CYCLE)
    for (size_t i = 0; i < s->num_groups; ++i)
      s->min_lrs[i] = s->base_lrs[i] / s->final_div_factor;
  return NULL;
}

hetc_status_t hetc_lr_scheduler_set_state(hetc_lr_scheduler_t *s,
                                          const char *text) {
  char *copy = strdup(text);
  if (!copy)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  /* Split on ';' first: the scheduler's own state, then each child's. */
  size_t parts = 1;
  for (const char *c = copy; *c; ++c)
    parts += *c == ';';
  hetc_status_t status = NULL;
  if (parts != 1 + s->num_children)
    status = hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "lr scheduler '%s' state: %zu parts, expected "
                              "%zu",
                              kind_name(s->kind), parts, 1 + s->num_children);
  char *part = copy;
  for (size_t i = 0; !status && i < parts; ++i) {
    char *next = strchr(part, ';');
    if (next)
      *next++ = '\0';
    status = read_state(i ? s->children[i - 1] : s, part);
    part = next;
  }
  free(copy);
  return status;
}
