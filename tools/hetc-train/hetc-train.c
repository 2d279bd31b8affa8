/*===- hetc-train.c - train or evaluate a hetc artifact on .npy data ------===*
 *
 *   hetc-train model.hetc --train-x X.npy --train-y Y.npy
 *              [--test-x X.npy --test-y Y.npy] [--epochs N] [--seed S]
 *              [--device NAME[:ORDINAL]] [--save ckpt] [--resume ckpt]
 *              [--loss-log losses.csv] [--eval-only] [--quiet]
 *              [--lr-scheduler SPEC] [--fingerprint-every N]
 *
 * Training runs full batches of the artifact's batch size and, when rows
 * remain, one last partial batch through the train_step variant compiled
 * for that many rows (hetc-compile --batch-sizes=64,29); without one it
 * refuses unless --drop-last. Evaluation takes the largest compiled eval
 * batch that fits the rows left, and pads the last batch to the smallest
 * when none fits (its rows count towards accuracy, not the loss). Accuracy
 * is the argmax of the eval entry's first output.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "fail.h"
#include "hetc/Version.h"
#include "hetc/runtime/hetc_runtime.h"
#include "lr_schedule.h"
#include "npy.h"

#include <errno.h>
#include <float.h>
#include <stddef.h>
#include <unistd.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct options {
  const char *artifact, *train_x, *train_y, *test_x, *test_y;
  const char *device, *save, *resume, *loss_log;
  const char *lr_scheduler;
  int epochs;
  uint64_t seed;
  int64_t fingerprint_every; /* 0: no fingerprints */
  int eval_only, quiet, drop_last;
} options_t;

#define MAX_BATCH_SIZES 64

/* The model's single input and label, and its batch geometry: the main
 * batch size and every size an entry was compiled for. */
typedef struct model_io {
  const hetc_tensor_info_t *input, *label, *logits;
  int64_t batch, row_elems, classes;
  int64_t train_sizes[MAX_BATCH_SIZES], eval_sizes[MAX_BATCH_SIZES];
  int num_train_sizes, num_eval_sizes;
} model_io_t;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void usage(FILE *out) {
  fprintf(
      out,
      "usage: hetc-train model.hetc --train-x X.npy --train-y Y.npy\n"
      "         [--test-x X.npy --test-y Y.npy] [--epochs N] [--seed S]\n"
      "         [--device NAME[:ORDINAL]] [--save ckpt] [--resume ckpt]\n"
      "         [--loss-log losses.csv] [--eval-only] [--drop-last] [--quiet]\n"
      "         [--lr-scheduler SPEC] [--fingerprint-every N]\n"
      "\n"
      "  --epochs N       epochs to train in this run (default: 10); a\n"
      "                   resumed run numbers them from where it stopped\n"
      "  --seed S         initialization and shuffle seed (default: 0)\n"
      "  --device D       NAME[:ORDINAL] (default: the artifact's target,\n"
      "                   device 0: cpu, cuda, rocm, level-zero, vulkan)\n"
      "  --save ckpt      write a checkpoint after training (default: none)\n"
      "  --resume ckpt    start from a checkpoint (default: initialize)\n"
      "  --loss-log csv   write per-epoch losses (default: none)\n"
      "  --eval-only      evaluate the --resume checkpoint on the test set\n"
      "  --drop-last      drop the rows that do not fill a last batch when\n"
      "                   the artifact has no variant for them (default:\n"
      "                   train every row; compile --batch-sizes=B,R)\n"
      "  --quiet          print only the test accuracy (default: off)\n"
      "  --lr-scheduler S torch's lr schedulers on the runtime lr (default:\n"
      "                   none): step:step_size=N[,gamma=G],\n"
      "                   multistep:milestones=A/B[,gamma=G],\n"
      "                   exponential:gamma=G, cosine:T_max=N[,eta_min=E],\n"
      "                   linear[:start_factor=F,total_iters=N],\n"
      "                   constant[:factor=F,total_iters=N],\n"
      "                   onecycle:max_lr=X[,pct_start=P,...] (per batch;\n"
      "                   total_steps defaults to this run's batches),\n"
      "                   plateau[:patience=N,factor=F,...] (on the test\n"
      "                   loss), or a chain A;MILESTONE;B (SequentialLR);\n"
      "                   other kinds step once per epoch\n"
      "  --fingerprint-every N\n"
      "                   print 'step K fingerprint HEX', the state's\n"
      "                   SHA-256 (docs/reproducibility.md), every N steps\n"
      "                   and after the last one (default: never)\n"
      "  --help, --version\n");
}

/* Refuses, before any training, an output path whose directory cannot be
 * written. */
static int check_output(const char *option, const char *path) {
  if (!path)
    return 0;
  const char *slash = strrchr(path, '/');
  char dir[4096];
  size_t n = slash ? (size_t)(slash - path) : 1;
  if (n >= sizeof(dir)) {
    fprintf(stderr, "hetc-train: %s '%s': the path is too long\n", option,
            path);
    return 1;
  }
  memcpy(dir, slash ? path : ".", n);
  dir[n ? n : 1] = '\0';
  if (slash == path)
    strcpy(dir, "/");
  if (access(dir, W_OK) != 0) {
    fprintf(stderr, "hetc-train: %s '%s': cannot write into '%s': %s\n", option,
            path, dir, strerror(errno));
    return 1;
  }
  return 0;
}

/* Where the value of text option `a` goes; NULL for other arguments. */
static const char **text_option(options_t *o, const char *a) {
  static const struct {
    const char *flag;
    size_t offset;
  } kOptions[] = {
      {"--train-x", offsetof(options_t, train_x)},
      {"--train-y", offsetof(options_t, train_y)},
      {"--test-x", offsetof(options_t, test_x)},
      {"--test-y", offsetof(options_t, test_y)},
      {"--device", offsetof(options_t, device)},
      {"--save", offsetof(options_t, save)},
      {"--resume", offsetof(options_t, resume)},
      {"--loss-log", offsetof(options_t, loss_log)},
      {"--lr-scheduler", offsetof(options_t, lr_scheduler)},
  };
  for (size_t i = 0; i < sizeof(kOptions) / sizeof(kOptions[0]); ++i)
    if (!strcmp(a, kOptions[i].flag))
      return (const char **)((char *)o + kOptions[i].offset);
  return NULL;
}

/* Refuses option combinations that cannot run, before any work. */
static int check_options(const options_t *o) {
  if (!o->artifact) {
    usage(stderr);
    return 1;
  }
  if (o->eval_only && !o->resume) {
    fprintf(stderr, "hetc-train: --eval-only needs --resume ckpt (it would "
                    "evaluate untrained parameters)\n");
    return 1;
  }
  if (!o->eval_only && (!o->train_x || !o->train_y)) {
    fprintf(stderr, "hetc-train: training needs --train-x and --train-y\n");
    return 1;
  }
  if (o->eval_only && (!o->test_x || !o->test_y)) {
    fprintf(stderr, "hetc-train: --eval-only needs --test-x and --test-y\n");
    return 1;
  }
  if (!!o->test_x != !!o->test_y) {
    fprintf(stderr, "hetc-train: give both --test-x and --test-y\n");
    return 1;
  }
  if (o->eval_only && o->fingerprint_every) {
    fprintf(stderr, "hetc-train: --fingerprint-every fingerprints training "
                    "steps; --eval-only trains none\n");
    return 1;
  }
  return check_output("--save", o->save) ||
         check_output("--loss-log", o->loss_log);
}

/* --epochs, --seed or --fingerprint-every: a non-negative integer (a
 * positive one for --fingerprint-every). */
static int integer_option(options_t *o, const char *a, const char *value) {
  char *end;
  long long v = strtoll(value, &end, 10);
  if (*end || v < 0) {
    fprintf(stderr, "hetc-train: %s needs a non-negative integer, got '%s'\n",
            a, value);
    return 1;
  }
  if (!strcmp(a, "--epochs")) {
    o->epochs = (int)v;
  } else if (!strcmp(a, "--seed")) {
    o->seed = (uint64_t)v;
  } else if (!(o->fingerprint_every = v)) {
    fprintf(stderr, "hetc-train: --fingerprint-every needs a positive "
                    "number of steps, got 0\n");
    return 1;
  }
  return 0;
}

static int parse_args(int argc, char **argv, options_t *o) {
  *o = (options_t){0};
  o->epochs = 10;
  o->device = NULL; /* the artifact's target */
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    const char **text = text_option(o, a);
    bool integer = !strcmp(a, "--epochs") || !strcmp(a, "--seed") ||
                   !strcmp(a, "--fingerprint-every");
    if ((text || integer) && i + 1 >= argc) {
      fprintf(stderr, "hetc-train: %s needs a value\n", a);
      return 1;
    }
    if (text) {
      *text = argv[++i];
    } else if (integer) {
      if (integer_option(o, a, argv[++i]))
        return 1;
    } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      exit(0);
    } else if (!strcmp(a, "--version")) {
      printf("hetc-train: %s\n", HETC_VERSION_TEXT);
      exit(0);
    } else if (!strcmp(a, "--eval-only")) {
      o->eval_only = 1;
    } else if (!strcmp(a, "--drop-last")) {
      o->drop_last = 1;
    } else if (!strcmp(a, "--quiet")) {
      o->quiet = 1;
    } else if (a[0] == '-') {
      fprintf(stderr, "hetc-train: unknown option '%s'\n", a);
      usage(stderr);
      return 1;
    } else if (!o->artifact) {
      o->artifact = a;
    } else {
      fprintf(stderr, "hetc-train: unexpected argument '%s'\n", a);
      return 1;
    }
  }
  return check_options(o);
}

static bool has_size(const int64_t *sizes, int count, int64_t size) {
  for (int i = 0; i < count; ++i)
    if (sizes[i] == size)
      return true;
  return false;
}

/* The batch sizes of the train_step and eval variants: the leading
 * dimension of each variant's input. */
static int find_batch_sizes(hetc_artifact_t *artifact, model_io_t *io) {
  for (size_t e = 0; e < hetc_artifact_entry_count(artifact); ++e) {
    const char *name = hetc_artifact_entry_name(artifact, e);
    const char *of = hetc_artifact_entry_variant_of(artifact, e);
    const char *group = of ? of : name;
    bool train = !strcmp(group, "train_step");
    if (!train && strcmp(group, "eval"))
      continue;
    size_t na, nr;
    const hetc_tensor_info_t *args, *results;
    hetc_status_t status = hetc_artifact_entry_signature(artifact, name, &na,
                                                         &args, &nr, &results);
    if (status)
      return fail(status, "artifact");
    for (size_t i = 0; i < na; ++i) {
      if (strcmp(args[i].name, io->input->name) || args[i].rank < 1)
        continue;
      int64_t *sizes = train ? io->train_sizes : io->eval_sizes;
      int *count = train ? &io->num_train_sizes : &io->num_eval_sizes;
      if (*count < MAX_BATCH_SIZES &&
          !has_size(sizes, *count, args[i].shape[0]))
        sizes[(*count)++] = args[i].shape[0];
    }
  }
  return 0;
}

static int find_io(hetc_artifact_t *artifact, model_io_t *io) {
  size_t na, nr;
  const hetc_tensor_info_t *args, *results;
  hetc_status_t status = hetc_artifact_entry_signature(artifact, "eval", &na,
                                                       &args, &nr, &results);
  if (status)
    return fail(status, "artifact");
  *io = (model_io_t){0};
  for (size_t i = 0; i < na; ++i) {
    if (args[i].role == HETC_ROLE_INPUT) {
      if (io->input) {
        fprintf(stderr, "hetc-train: the model has several inputs; "
                        "hetc-train feeds one\n");
        return 1;
      }
      io->input = &args[i];
    } else if (args[i].role == HETC_ROLE_LABEL) {
      io->label = &args[i];
    }
  }
  for (size_t i = 0; i < nr; ++i)
    if (results[i].role == HETC_ROLE_OUTPUT && !io->logits)
      io->logits = &results[i];
  if (!io->input || !io->label || io->input->rank < 1 || io->label->rank != 1) {
    fprintf(stderr, "hetc-train: the model needs one input [B, ...] and one "
                    "label [B]\n");
    return 1;
  }
  io->batch = io->input->shape[0];
  io->row_elems = 1;
  for (int d = 1; d < io->input->rank; ++d)
    io->row_elems *= io->input->shape[d];
  if (io->input->dtype != HETC_DTYPE_F32 ||
      (io->label->dtype != HETC_DTYPE_I32 &&
       io->label->dtype != HETC_DTYPE_F32)) {
    fprintf(stderr, "hetc-train: supports f32 inputs and i32 or f32 labels\n");
    return 1;
  }
  if (io->logits && io->logits->rank == 2)
    io->classes = io->logits->shape[1];
  return find_batch_sizes(artifact, io);
}

/* A data set in the artifact's dtypes. */
typedef struct dataset {
  int64_t rows;
  float *x;
  void *y;
} dataset_t;

/* Stores label `i` of `y` as the model's label dtype, refusing what has no
 * exact value there: a class index must be a whole number in the int32
 * range (2.7, NaN, 1e10 and 2^32 + 3 are refused, not wrapped), a float
 * label finite and within f32. */
static int convert_label(const char *path, const npy_array_t *y, size_t i,
                         hetc_dtype_t dtype, void *out) {
  if (dtype == HETC_DTYPE_I32) {
    if (y->kind == NPY_I64) {
      int64_t v = npy_get_i64(y, i);
      if (v >= INT32_MIN && v <= INT32_MAX) {
        ((int32_t *)out)[i] = (int32_t)v;
        return 0;
      }
      fprintf(stderr,
              "hetc-train: '%s': label #%zu (%lld) is outside the int32 "
              "range\n",
              path, i, (long long)v);
      return 1;
    }
    double v = npy_get(y, i);
    if (v == floor(v) && v >= INT32_MIN && v <= INT32_MAX) {
      ((int32_t *)out)[i] = (int32_t)v;
      return 0;
    }
    fprintf(stderr,
            "hetc-train: '%s': label #%zu (%g) is not a whole number in the "
            "int32 range\n",
            path, i, v);
    return 1;
  }
  double v = npy_get(y, i);
  if (isfinite(v) && fabs(v) <= FLT_MAX) {
    ((float *)out)[i] = (float)v;
    return 0;
  }
  fprintf(stderr, "hetc-train: '%s': label #%zu (%g) is not a finite f32\n",
          path, i, v);
  return 1;
}

/* Checks the arrays against the model: values per row, one label per row
 * of a kind the label takes, at least one row, class indices in range and
 * finite inputs. */
static int check_arrays(const char *xp, const char *yp, const npy_array_t *x,
                        const npy_array_t *y, const model_io_t *io) {
  int64_t rows = x->rank ? x->shape[0] : 0;
  int64_t per_row = rows ? (int64_t)(x->count / (size_t)rows) : 0;
  int rc = 0;
  if (x->rank < 1 || per_row != io->row_elems) {
    fprintf(stderr,
            "hetc-train: '%s' has %lld values per row but the model's input "
            "'%s' takes %lld\n",
            xp, (long long)per_row, io->input->name, (long long)io->row_elems);
    rc = 1;
  } else if (y->rank != 1 || y->shape[0] != rows) {
    fprintf(stderr,
            "hetc-train: '%s' must hold one label per row of '%s' "
            "(%lld)\n",
            yp, xp, (long long)rows);
    rc = 1;
  } else if (io->label->dtype == HETC_DTYPE_I32 && y->kind != NPY_I32 &&
             y->kind != NPY_I64) {
    fprintf(stderr,
            "hetc-train: '%s' holds %s labels but the model's label '%s' is "
            "i32 (integer class indices; int32 or int64 files)\n",
            yp, y->kind == NPY_F32 ? "float32" : "float64", io->label->name);
    rc = 1;
  } else if (rows == 0) {
    fprintf(stderr, "hetc-train: '%s' has no rows\n", xp);
    rc = 1;
  }
  for (int64_t i = 0; !rc && io->label->dtype == HETC_DTYPE_I32 && i < rows;
       ++i) {
    double v = npy_get(y, (size_t)i);
    int64_t high = io->classes ? io->classes : INT32_MAX + 1ll;
    if (v < 0 || v >= (double)high) {
      fprintf(stderr,
              "hetc-train: '%s' row %lld has label %.0f, outside [0, "
              "%lld)\n",
              yp, (long long)i, v, (long long)high);
      rc = 1;
    }
  }
  for (size_t i = 0; !rc && i < x->count; ++i)
    if (!isfinite(npy_get(x, i))) {
      fprintf(stderr, "hetc-train: '%s' row %lld holds %f\n", xp,
              (long long)(i / (size_t)io->row_elems), npy_get(x, i));
      rc = 1;
    }
  return rc;
}

/* Converts checked arrays into `out`, in the model's dtypes. */
static int convert_dataset(const char *xp, const char *yp, const npy_array_t *x,
                           const npy_array_t *y, const model_io_t *io,
                           dataset_t *out) {
  int64_t rows = x->shape[0];
  int rc = 0;
  out->rows = rows;
  out->x = malloc(x->count * sizeof(float));
  out->y = malloc((size_t)rows * 4);
  for (size_t i = 0; out->x && !rc && i < x->count; ++i) {
    double v = npy_get(x, i);
    /* A finite double beyond f32's range has no defined conversion. */
    if (isfinite(v) && fabs(v) > FLT_MAX) {
      fprintf(stderr,
              "hetc-train: '%s': element #%zu (%g) is outside the f32 "
              "range\n",
              xp, i, v);
      rc = 1;
      break;
    }
    out->x[i] = (float)v;
  }
  for (int64_t i = 0; out->y && !rc && i < rows; ++i)
    rc = convert_label(yp, y, (size_t)i, io->label->dtype, out->y);
  if (!rc && (!out->x || !out->y)) {
    fprintf(stderr, "hetc-train: out of memory\n");
    rc = 1;
  }
  return rc;
}

static int load_dataset(const char *xp, const char *yp, const model_io_t *io,
                        dataset_t *out) {
  char error[512];
  npy_array_t x, y;
  if (npy_read(xp, &x, error, sizeof(error))) {
    fprintf(stderr, "hetc-train: %s\n", error);
    return 1;
  }
  if (npy_read(yp, &y, error, sizeof(error))) {
    npy_free(&x);
    fprintf(stderr, "hetc-train: %s\n", error);
    return 1;
  }
  int rc = check_arrays(xp, yp, &x, &y, io);
  if (!rc)
    rc = convert_dataset(xp, yp, &x, &y, io, out);
  npy_free(&x);
  npy_free(&y);
  return rc;
}

/* Copies `n` rows into a batch of `size` rows, padding with a real row. */
static void gather(const dataset_t *d, const model_io_t *io,
                   const int64_t *rows, int64_t n, int64_t size, float *bx,
                   void *by) {
  for (int64_t i = 0; i < size; ++i) {
    int64_t r = rows[i < n ? i : 0]; /* pad with a real row */
    memcpy(bx + i * io->row_elems, d->x + r * io->row_elems,
           (size_t)io->row_elems * sizeof(float));
    memcpy((char *)by + i * 4, (const char *)d->y + r * 4, 4);
  }
}

/* The eval batch for `left` rows: the largest compiled size that they
 * fill, else the smallest (padded). */
static int64_t eval_batch(const model_io_t *io, int64_t left) {
  int64_t best = 0, smallest = io->batch;
  for (int i = 0; i < io->num_eval_sizes; ++i) {
    int64_t size = io->eval_sizes[i];
    if (size <= left && size > best)
      best = size;
    if (size < smallest)
      smallest = size;
  }
  return best ? best : smallest;
}

/* How an epoch covers the training rows: `full` batches of the main size,
 * then one of `rest` rows when the artifact has a variant for it (else
 * those rows are dropped, with --drop-last). */
typedef struct epoch_plan {
  int64_t full, rest;
  bool train_rest;
} epoch_plan_t;

static int plan_epoch(const options_t *o, const model_io_t *io, int64_t rows,
                      epoch_plan_t *plan) {
  plan->full = rows / io->batch;
  plan->rest = rows % io->batch;
  plan->train_rest =
      plan->rest && has_size(io->train_sizes, io->num_train_sizes, plan->rest);
  if (!plan->rest || plan->train_rest || o->drop_last)
    return 0;
  fprintf(stderr,
          "hetc-train: %lld training rows are %lld batches of %lld and %lld "
          "more rows, and the artifact has no train_step variant for a batch "
          "of %lld: compile it with hetc-compile --batch-sizes=%lld,%lld, or "
          "pass --drop-last to drop those %lld rows of each shuffled epoch\n",
          (long long)rows, (long long)plan->full, (long long)io->batch,
          (long long)plan->rest, (long long)plan->rest, (long long)io->batch,
          (long long)plan->rest, (long long)plan->rest);
  return 1;
}

static void print_plan(const model_io_t *io, int64_t rows,
                       const epoch_plan_t *plan) {
  printf("%lld training rows: %lld batches of %lld", (long long)rows,
         (long long)plan->full, (long long)io->batch);
  if (plan->train_rest)
    printf(" + 1 of %lld\n", (long long)plan->rest);
  else if (plan->rest)
    printf(", dropping the last %lld rows of each shuffled epoch "
           "(--drop-last)\n",
           (long long)plan->rest);
  else
    printf("\n");
}

/* Mean loss and accuracy of the eval entry over a whole data set. */
static hetc_status_t evaluate(hetc_session_t *s, const model_io_t *io,
                              const dataset_t *d, double *loss,
                              double *accuracy) {
  int64_t most = 0;
  for (int i = 0; i < io->num_eval_sizes; ++i)
    most = io->eval_sizes[i] > most ? io->eval_sizes[i] : most;
  float *bx = malloc((size_t)(most * io->row_elems) * sizeof(float));
  void *by = malloc((size_t)most * 4);
  float *logits =
      io->classes ? malloc((size_t)(most * io->classes) * sizeof(float)) : NULL;
  int64_t *rows = malloc((size_t)most * sizeof(int64_t));
  hetc_status_t status = NULL;
  double total_loss = 0;
  int64_t correct = 0, loss_rows = 0, n = 0;
  for (int64_t start = 0; start < d->rows && !status; start += n) {
    int64_t size = eval_batch(io, d->rows - start);
    n = d->rows - start < size ? d->rows - start : size;
    for (int64_t i = 0; i < size; ++i)
      rows[i] = start + (i < n ? i : 0);
    gather(d, io, rows, n, size, bx, by);
    int64_t x_shape[HETC_MAX_RANK], y_shape[1] = {size},
                                    l_shape[2] = {size, io->classes};
    memcpy(x_shape, io->input->shape, sizeof(x_shape));
    x_shape[0] = size;
    hetc_tensor_t in[2] = {
        {io->input->name, io->input->dtype, io->input->rank, x_shape, bx},
        {io->label->name, io->label->dtype, 1, y_shape, by}};
    hetc_tensor_t out[1] = {{io->logits ? io->logits->name : NULL,
                             HETC_DTYPE_F32, 2, l_shape, logits}};
    float l = 0;
    status = hetc_session_run(s, "eval", in, 2, &l, out, logits ? 1 : 0);
    if (status)
      break;
    /* The loss is the batch's mean: exact only without padding rows. */
    if (n == size) {
      total_loss += (double)l * (double)n;
      loss_rows += n;
    }
    for (int64_t i = 0; logits && i < n; ++i) {
      int64_t best = 0;
      for (int64_t c = 1; c < io->classes; ++c)
        if (logits[i * io->classes + c] > logits[i * io->classes + best])
          best = c;
      int64_t label = io->label->dtype == HETC_DTYPE_I32
                          ? ((int32_t *)by)[i]
                          : (int64_t)((float *)by)[i];
      correct += best == label;
    }
  }
  *loss = loss_rows ? total_loss / (double)loss_rows : NAN;
  *accuracy = logits ? 100.0 * (double)correct / (double)d->rows : NAN;
  free(bx);
  free(by);
  free(logits);
  free(rows);
  return status;
}

/* xorshift64* for the epoch shuffles. */
static uint64_t next_random(uint64_t *state) {
  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;
  return *state * 0x2545F4914F6CDD1Dull;
}

static void shuffle(int64_t *order, int64_t rows, uint64_t *rng) {
  for (int64_t i = rows - 1; i > 0; --i) {
    int64_t j = (int64_t)(next_random(rng) % (uint64_t)(i + 1));
    int64_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

/* What one run holds; main releases it. */
typedef struct run {
  options_t o;
  hetc_artifact_t *artifact;
  hetc_device_t *device;
  hetc_session_t *session;
  model_io_t io;
  dataset_t train, test;
  FILE *loss_log;
  epoch_plan_t plan;
  double test_loss, test_acc;
} run_t;

/* The training loop's state across epochs. */
typedef struct loop {
  int64_t *order; /* the shuffled row order */
  float *bx;
  void *by;
  uint64_t rng;
  int64_t per_epoch; /* steps */
  lr_schedule_t schedule;
  int64_t fingerprinted; /* the step last fingerprinted, or -1 */
} loop_t;

/* The artifact, its single input and label, and the data sets. */
static int load_inputs(run_t *r) {
  hetc_status_t status = hetc_artifact_open(r->o.artifact, &r->artifact);
  if (status)
    return fail(status, "cannot load the artifact");
  int rc = find_io(r->artifact, &r->io);
  if (!rc && r->o.train_x)
    rc = load_dataset(r->o.train_x, r->o.train_y, &r->io, &r->train);
  if (!rc && r->o.test_x)
    rc = load_dataset(r->o.test_x, r->o.test_y, &r->io, &r->test);
  return rc;
}

/* Splits NAME[:ORDINAL] (--device, or the artifact's target). */
static int parse_device(const char *name, char driver[64], int *ordinal) {
  const char *colon = strchr(name, ':');
  size_t length = colon ? (size_t)(colon - name) : strlen(name);
  char *end = NULL;
  *ordinal = 0;
  if (colon)
    *ordinal = (int)strtol(colon + 1, &end, 10);
  if (length >= 64 || (colon && (end == colon + 1 || *end || *ordinal < 0))) {
    fprintf(stderr, "hetc-train: --device '%s' is not NAME or NAME:ORDINAL\n",
            name);
    return 2;
  }
  memcpy(driver, name, length);
  driver[length] = '\0';
  return 0;
}

/* The device and the session, its state from --resume or --seed. */
static int open_session(run_t *r) {
  char driver[64];
  int ordinal;
  int rc = parse_device(r->o.device ? r->o.device
                                    : hetc_artifact_target(r->artifact),
                        driver, &ordinal);
  if (rc)
    return rc;
  hetc_status_t status = hetc_device_open(driver, ordinal, &r->device);
  if (status)
    return fail(status, "cannot open the device");
  if ((status = hetc_session_create(r->artifact, r->device, &r->session)))
    return fail(status, "cannot create a session");
  status = r->o.resume ? hetc_session_load_checkpoint(r->session, r->o.resume)
                       : hetc_session_init_params(r->session, r->o.seed);
  if (status)
    return fail(status, r->o.resume ? "cannot resume" : "cannot initialize");
  return 0;
}

/* The loss log, the epoch plan and the banner. */
static int prepare(run_t *r) {
  if (r->o.loss_log) {
    if (!(r->loss_log = fopen(r->o.loss_log, "w"))) {
      fprintf(stderr, "hetc-train: cannot write '%s'\n", r->o.loss_log);
      return 1;
    }
    fprintf(r->loss_log, "epoch,train_loss,test_loss,test_accuracy,lr\n");
  }
  if (!r->o.eval_only && plan_epoch(&r->o, &r->io, r->train.rows, &r->plan))
    return 1;
  if (r->o.quiet)
    return 0;
  printf("model %s: %s on %s, batch %lld", r->o.artifact,
         hetc_artifact_target(r->artifact), hetc_device_description(r->device),
         (long long)r->io.batch);
  if (!r->o.eval_only) {
    printf(", ");
    print_plan(&r->io, r->train.rows, &r->plan);
  } else {
    printf("\n");
  }
  return 0;
}

/* Prints the state's fingerprint after step K as "step K fingerprint HEX"
 * (docs/reproducibility.md) when K is a multiple of --fingerprint-every, and
 * at the end of training (`last`) unless K was just printed. The RNG state
 * is the seed and the shuffle generator's state, which with the step fix
 * the batches to come. */
static int log_fingerprint(run_t *r, loop_t *l, bool last) {
  int64_t step = hetc_session_step(r->session);
  int64_t every = r->o.fingerprint_every;
  if (!every || (last ? step == l->fingerprinted : step % every != 0))
    return 0;
  hetc_rng_state_t rng = {r->o.seed, l->rng};
  uint8_t digest[HETC_SHA256_SIZE];
  hetc_status_t status = hetc_session_fingerprint(r->session, &rng, digest);
  if (status)
    return fail(status, "cannot fingerprint the state");
  char hex[2 * HETC_SHA256_SIZE + 1];
  hetc_fingerprint_hex(digest, hex);
  printf("step %lld fingerprint %s\n", (long long)step, hex);
  fflush(stdout);
  l->fingerprinted = step;
  return 0;
}

/* Trains one epoch's batches; `sum` and `seen` receive the row-weighted
 * loss and the rows trained. */
static int train_epoch(run_t *r, loop_t *l, int epoch, double *sum,
                       int64_t *seen) {
  const model_io_t *io = &r->io;
  int64_t steps = 0;
  for (int64_t b = 0; b < l->per_epoch * io->batch && b < r->train.rows;
       b += io->batch) {
    /* The last batch of a plan with a remainder has its rows. */
    int64_t size = b + io->batch <= r->train.rows ? io->batch : r->plan.rest;
    gather(&r->train, io, l->order + b, size, size, l->bx, l->by);
    int64_t x_shape[HETC_MAX_RANK], y_shape[1] = {size};
    memcpy(x_shape, io->input->shape, sizeof(x_shape));
    x_shape[0] = size;
    hetc_tensor_t in[2] = {
        {io->input->name, io->input->dtype, io->input->rank, x_shape, l->bx},
        {io->label->name, io->label->dtype, 1, y_shape, l->by}};
    float loss;
    hetc_status_t status =
        hetc_session_train_step(r->session, in, 2, &loss, NULL, 0);
    if (status)
      return fail(status, "train_step failed");
    if (!isfinite(loss)) {
      fprintf(stderr,
              "hetc-train: the loss became %f at epoch %d step "
              "%lld: inputs and labels were checked when loaded, so "
              "training diverged (try a smaller learning rate)\n",
              loss, epoch, (long long)steps);
      return 1;
    }
    *sum += (double)loss * (double)size;
    *seen += size;
    ++steps;
    int rc = lr_schedule_step(&l->schedule, r->session, 1, NAN);
    if (!rc)
      rc = log_fingerprint(r, l, false);
    if (rc)
      return rc;
  }
  return 0;
}

/* Evaluates after an epoch, prints its line and logs it. `lr` is the one
 * this epoch trained with (OneCycleLR: its first batch's). */
static int report_epoch(run_t *r, int epoch, int last, double train_loss,
                        int64_t seen, double seconds, double lr) {
  double train_eval_loss, train_acc = NAN;
  hetc_status_t status =
      evaluate(r->session, &r->io, &r->train, &train_eval_loss, &train_acc);
  if (!status && r->test.rows)
    status =
        evaluate(r->session, &r->io, &r->test, &r->test_loss, &r->test_acc);
  if (status)
    return fail(status, "evaluation failed");
  if (!r->o.quiet) {
    printf("epoch %d/%d  loss %.4f  train acc %.1f%%", epoch, last, train_loss,
           train_acc);
    if (r->test.rows)
      printf("  test acc %.1f%%", r->test_acc);
    if (r->o.lr_scheduler)
      printf("  lr %.6g", lr);
    printf("  %.0f samples/s\n", (double)seen / seconds);
    fflush(stdout);
  }
  if (r->loss_log)
    fprintf(r->loss_log, "%d,%.6f,%.6f,%.3f,%.9g\n", epoch, train_loss,
            r->test_loss, r->test_acc, lr);
  return 0;
}

/* Epochs done + 1 to last; the epoch's scheduler step follows its report
 * (ReduceLROnPlateau on the test loss, else the training loss). */
static int train_epochs(run_t *r, loop_t *l, int done, int last) {
  for (int epoch = done + 1; epoch <= last; ++epoch) {
    shuffle(l->order, r->train.rows, &l->rng);
    double epoch_lr = lr_schedule_lr(&l->schedule, r->session);
    double t0 = now(), sum = 0;
    int64_t seen = 0;
    int rc = train_epoch(r, l, epoch, &sum, &seen);
    double train_loss = seen ? sum / (double)seen : NAN;
    if (!rc)
      rc = report_epoch(r, epoch, last, train_loss, seen, now() - t0, epoch_lr);
    if (!rc)
      rc = lr_schedule_step(&l->schedule, r->session, 0,
                            r->test.rows ? r->test_loss : train_loss);
    if (rc)
      return rc;
  }
  return 0;
}

/* Trains --epochs more epochs, then saves the checkpoint, the schedule's
 * progress inside it. A resumed run counts epochs from where it stopped,
 * and replays the finished epochs' shuffles so it sees the batches an
 * uninterrupted run would. */
static int train(run_t *r) {
  loop_t l = {0};
  l.order = malloc((size_t)r->train.rows * sizeof(int64_t));
  l.bx = malloc((size_t)(r->io.batch * r->io.row_elems) * sizeof(float));
  l.by = malloc((size_t)r->io.batch * 4);
  l.rng = r->o.seed * 0x9E3779B97F4A7C15ull + 1;
  l.fingerprinted = -1;
  for (int64_t i = 0; i < r->train.rows; ++i)
    l.order[i] = i;
  l.per_epoch = r->plan.full + (r->plan.train_rest ? 1 : 0);
  int done =
      l.per_epoch ? (int)(hetc_session_step(r->session) / l.per_epoch) : 0;
  for (int e = 0; e < done; ++e)
    shuffle(l.order, r->train.rows, &l.rng);
  int last = done + r->o.epochs;
  int rc = 0;
  if (r->o.lr_scheduler)
    rc = lr_schedule_open(&l.schedule, r->o.lr_scheduler, r->session,
                          r->o.resume, last, l.per_epoch);
  if (!rc)
    rc = train_epochs(r, &l, done, last);
  if (!rc)
    rc = log_fingerprint(r, &l, true);
  free(l.order);
  free(l.bx);
  free(l.by);
  if (!rc && r->o.save)
    rc = lr_schedule_store(&l.schedule, r->session);
  lr_schedule_close(&l.schedule);
  hetc_status_t status = NULL;
  if (!rc && r->o.save &&
      (status = hetc_session_save_checkpoint(r->session, r->o.save)))
    rc = fail(status, "cannot save the checkpoint");
  return rc;
}

int main(int argc, char **argv) {
  run_t r = {.test_loss = NAN, .test_acc = NAN};
  if (parse_args(argc, argv, &r.o))
    return 2;
  int rc = load_inputs(&r);
  if (!rc)
    rc = open_session(&r);
  if (!rc)
    rc = prepare(&r);
  double start = now();
  if (!rc && !r.o.eval_only) {
    rc = train(&r);
    if (!rc && !r.o.quiet)
      printf("trained %d epochs in %.2f s\n", r.o.epochs, now() - start);
  } else if (!rc) {
    hetc_status_t status =
        evaluate(r.session, &r.io, &r.test, &r.test_loss, &r.test_acc);
    if (status)
      rc = fail(status, "evaluation failed");
  }
  if (!rc && r.test.rows)
    printf("test accuracy: %.1f%%\n", r.test_acc);
  if (r.loss_log)
    fclose(r.loss_log);
  free(r.train.x);
  free(r.train.y);
  free(r.test.x);
  free(r.test.y);
  hetc_session_free(r.session);
  hetc_device_free(r.device);
  hetc_artifact_free(r.artifact);
  return rc;
}
