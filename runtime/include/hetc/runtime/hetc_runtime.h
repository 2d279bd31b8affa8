/*===- hetc_runtime.h - the hetc runtime C API ----------------------------===*
 *
 * Loads hetc artifacts and runs their entries on a device. Parameters and
 * optimizer state stay resident on the device across steps; a step copies
 * only the batch in and the loss out. The library links no LLVM or MLIR;
 * GPU drivers are opened with dlopen when a device is opened.
 *
 * Every fallible call returns a hetc_status_t: NULL on success, otherwise an
 * object carrying a code and a message that the caller frees.
 *
 *===----------------------------------------------------------------------===*/

#ifndef HETC_RUNTIME_HETC_RUNTIME_H
#define HETC_RUNTIME_HETC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*--- Status ---------------------------------------------------------------*/

typedef enum hetc_status_code {
  HETC_STATUS_OK = 0,
  HETC_STATUS_INVALID_ARGUMENT = 1,
  HETC_STATUS_NOT_FOUND = 2,
  HETC_STATUS_DATA_LOSS = 3, /* corrupt or truncated file */
  HETC_STATUS_UNIMPLEMENTED = 4,
  HETC_STATUS_UNAVAILABLE = 5, /* driver library or device missing */
  HETC_STATUS_FAILED_PRECONDITION = 6,
  HETC_STATUS_INTERNAL = 7,
  HETC_STATUS_OUT_OF_RANGE = 8,
  HETC_STATUS_RESOURCE_EXHAUSTED = 9,
} hetc_status_code_t;

typedef struct hetc_status *hetc_status_t;

hetc_status_code_t hetc_status_code(hetc_status_t status);
/* The message; valid until the status is freed. "OK" for NULL. */
const char *hetc_status_message(hetc_status_t status);
void hetc_status_free(hetc_status_t status);

/*--- Tensors --------------------------------------------------------------*/

typedef enum hetc_dtype {
  HETC_DTYPE_F32 = 0,
  HETC_DTYPE_F16 = 1,
  HETC_DTYPE_BF16 = 2,
  HETC_DTYPE_I32 = 3,
  HETC_DTYPE_I64 = 4,
} hetc_dtype_t;

typedef enum hetc_role {
  HETC_ROLE_PARAM = 0,
  HETC_ROLE_OPT_STATE = 1,
  HETC_ROLE_INPUT = 2,
  HETC_ROLE_LABEL = 3,
  HETC_ROLE_LOSS = 4,
  HETC_ROLE_OUTPUT = 5,
  /* Non-trainable state kept in the session (running statistics, frozen
   * parameters): resident like a parameter, updated only by train_step. */
  HETC_ROLE_BUFFER = 6,
  /* A runtime hyper-parameter (learning rate, betas...): a 0-d f32 tensor
   * kept in the session that train_step reads and never updates. */
  HETC_ROLE_HYPER = 7,
} hetc_role_t;

/* The largest rank a manifest may declare (HETC_MANIFEST_MAX_RANK in
 * artifact_format.h, which the compiler enforces). */
#define HETC_MAX_RANK 8

/* An argument or result as the manifest describes it. */
typedef struct hetc_tensor_info {
  const char *name;
  hetc_role_t role;
  hetc_dtype_t dtype;
  int32_t rank;
  int64_t shape[HETC_MAX_RANK];
} hetc_tensor_info_t;

/* Host memory handed to or filled by the runtime, matched by name. */
typedef struct hetc_tensor {
  const char *name;
  hetc_dtype_t dtype;
  int32_t rank;
  const int64_t *shape;
  void *data;
} hetc_tensor_t;

size_t hetc_dtype_size(hetc_dtype_t dtype);
const char *hetc_dtype_name(hetc_dtype_t dtype);
const char *hetc_role_name(hetc_role_t role);

/*--- Files ---------------------------------------------------------------*/

/* Reads the whole regular file `path` (at most `max_bytes`) into memory the
 * caller frees with free(). A directory or special file, a file that cannot
 * be opened, or one that changes size while read is an error naming `what`
 * ("artifact", "checkpoint") and the path. */
hetc_status_t hetc_read_file(const char *path, const char *what,
                             uint64_t max_bytes, void **data, size_t *size);

/*--- Artifacts ------------------------------------------------------------*/

typedef struct hetc_artifact hetc_artifact_t;

hetc_status_t hetc_artifact_open(const char *path, hetc_artifact_t **out);
hetc_status_t hetc_artifact_open_memory(const void *data, size_t size,
                                        hetc_artifact_t **out);
void hetc_artifact_free(hetc_artifact_t *artifact);

const char *hetc_artifact_target(const hetc_artifact_t *artifact);
const char *hetc_artifact_chip(const hetc_artifact_t *artifact);
const char *hetc_artifact_compiler_version(const hetc_artifact_t *artifact);
/* The manifest's JSON text. */
const char *hetc_artifact_manifest(const hetc_artifact_t *artifact);

size_t hetc_artifact_entry_count(const hetc_artifact_t *artifact);
const char *hetc_artifact_entry_name(const hetc_artifact_t *artifact,
                                     size_t index);
/* The signature the manifest describes (artifact_format.h), which must equal
 * the one the compiler embedded in the code; *text is malloc'ed. */
hetc_status_t hetc_artifact_signature(const hetc_artifact_t *artifact,
                                      char **text);
/* The entry that entry `index` is a variant of (the same entry compiled for
 * another batch size, manifest field "variant_of"), or NULL. */
const char *hetc_artifact_entry_variant_of(const hetc_artifact_t *artifact,
                                           size_t index);
/* Arguments and results of `entry`; the arrays live with the artifact. */
hetc_status_t hetc_artifact_entry_signature(const hetc_artifact_t *artifact,
                                            const char *entry, size_t *num_args,
                                            const hetc_tensor_info_t **args,
                                            size_t *num_results,
                                            const hetc_tensor_info_t **results);

/*--- Devices --------------------------------------------------------------*/

typedef struct hetc_device hetc_device_t;

/* Names of the drivers built in: "cpu", "cuda", "rocm", "level-zero",
 * "vulkan". */
size_t hetc_driver_count(void);
const char *hetc_driver_name(size_t index);

hetc_status_t hetc_device_open(const char *driver, int ordinal,
                               hetc_device_t **out);
void hetc_device_free(hetc_device_t *device);
const char *hetc_device_description(const hetc_device_t *device);

/*--- Sessions -------------------------------------------------------------*/

typedef struct hetc_session hetc_session_t;

/* Binds an artifact to a device and allocates every parameter and optimizer
 * state buffer there. The artifact and device must outlive the session. */
hetc_status_t hetc_session_create(hetc_artifact_t *artifact,
                                  hetc_device_t *device, hetc_session_t **out);
void hetc_session_free(hetc_session_t *session);

/* Initializes parameters and optimizer state by their manifest initializers
 * from `seed` (see docs/runtime.md for the generator), and resets the step
 * counter. */
hetc_status_t hetc_session_init_params(hetc_session_t *session, uint64_t seed);

/* Runs train_step on a batch: `inputs` holds every input and label by name;
 * their shapes select the variant (batch size) that runs.
 * Returns the loss; `outputs` (may be NULL) receives auxiliary outputs by
 * name. */
hetc_status_t hetc_session_train_step(hetc_session_t *session,
                                      const hetc_tensor_t *inputs,
                                      size_t num_inputs, float *loss,
                                      hetc_tensor_t *outputs,
                                      size_t num_outputs);

/* Attaches another artifact of the same model to the session: its entries
 * become further variants of the session's entries (another batch size),
 * bound to the same resident state, which is neither copied nor reset. The
 * artifact's target and state layout (names, roles, dtypes, shapes) must be
 * the session's; otherwise FAILED_PRECONDITION names the tensor. The
 * artifact must outlive the session. */
hetc_status_t hetc_session_add_artifact(hetc_session_t *session,
                                        hetc_artifact_t *artifact);

/* The signature of the variant of `entry` that `inputs` select by their
 * shapes (what train_step or run would execute); the arrays live with the
 * artifact. An error when no variant has the inputs' shapes. */
hetc_status_t hetc_session_entry_signature(
    hetc_session_t *session, const char *entry, const hetc_tensor_t *inputs,
    size_t num_inputs, size_t *num_args, const hetc_tensor_info_t **args,
    size_t *num_results, const hetc_tensor_info_t **results);

/* Runs another entry (eval) with the resident parameters. An entry may have
 * variants (batch sizes: the manifest's "variant_of", or attached
 * artifacts): the one whose input and label shapes equal the given tensors'
 * runs. */
hetc_status_t hetc_session_run(hetc_session_t *session, const char *entry,
                               const hetc_tensor_t *inputs, size_t num_inputs,
                               float *loss, hetc_tensor_t *outputs,
                               size_t num_outputs);

/* Copies a parameter or optimizer-state tensor out of or into the device. */
hetc_status_t hetc_session_get_tensor(hetc_session_t *session,
                                      const hetc_tensor_t *tensor);
hetc_status_t hetc_session_set_tensor(hetc_session_t *session,
                                      const hetc_tensor_t *tensor);

/* The parameters and state the session holds. */
size_t hetc_session_state_count(const hetc_session_t *session);
const hetc_tensor_info_t *hetc_session_state_info(const hetc_session_t *session,
                                                  size_t index);
int64_t hetc_session_step(const hetc_session_t *session);

/* Sets/reads a runtime hyper-parameter ("lr", "weight_decay", "momentum",
 * "beta1", "beta2", "eps", "max_grad_norm") of parameter group `group`;
 * refuses names the optimizer does not have (naming the optimizer),
 * negative or non-finite values, beta outside [0,1), and unknown groups.
 * The value takes effect at the next train_step; checkpoints keep it. */
hetc_status_t hetc_session_set_hyperparameter(hetc_session_t *s,
                                              const char *name, int group,
                                              double value);
hetc_status_t hetc_session_get_hyperparameter(hetc_session_t *s,
                                              const char *name, int group,
                                              double *value);
/* The number of parameter groups (1 without groups; 0 without
 * train_step). */
int hetc_session_group_count(const hetc_session_t *s);

/* Checkpoints: every parameter and state tensor plus the step counter.
 * Saving writes a temporary file beside `path`, syncs it and renames it, so
 * an interrupted save leaves the previous checkpoint intact. */
hetc_status_t hetc_session_save_checkpoint(hetc_session_t *session,
                                           const char *path);
hetc_status_t hetc_session_load_checkpoint(hetc_session_t *session,
                                           const char *path);

/* Named bytes a checkpoint carries besides the tensors, for a tool's own
 * progress (hetc-train keeps its lr scheduler's under "lr_scheduler"). The
 * session holds a copy of each; every save writes them into the checkpoint
 * file itself, so they are replaced atomically with the tensors, and a load
 * replaces them with the checkpoint's (none from a checkpoint saved without
 * any). The runtime never interprets them. Names have 1 to 255 bytes; a
 * session holds at most 64 blobs; setting a name again replaces its bytes. */
hetc_status_t hetc_session_set_checkpoint_blob(hetc_session_t *session,
                                               const char *name,
                                               const void *data, size_t size);
/* A malloc'ed copy of blob `name`, which the caller frees with free();
 * NOT_FOUND when the session holds no blob of that name. */
hetc_status_t hetc_session_get_checkpoint_blob(hetc_session_t *session,
                                               const char *name, void **data,
                                               size_t *size);

/*--- State fingerprints ----------------------------------------------------*/

/* SHA-256 (FIPS 180-4) of `size` bytes at `data`. */
#define HETC_SHA256_SIZE 32
void hetc_sha256(const void *data, size_t size,
                 uint8_t digest[HETC_SHA256_SIZE]);

/* Random-number state a caller keeps outside the session (hetc.Trainer's
 * dropout-seed counter, hetc-train's shuffle generator) that decides the
 * next steps as much as the session's own state does. */
typedef struct hetc_rng_state {
  uint64_t seed;
  uint64_t counter;
} hetc_rng_state_t;

/* The session's state fingerprint: SHA-256 over the canonical encoding of
 * docs/reproducibility.md of the step counter, `rng` (NULL counts as zeros)
 * and every state tensor (parameters, buffers, optimizer state and
 * hyper-parameters, in manifest order) with its name, role, dtype, shape and
 * little-endian bytes, downloaded from the device. Equal states give equal
 * fingerprints on every device; a single flipped bit changes it. */
hetc_status_t hetc_session_fingerprint(hetc_session_t *session,
                                       const hetc_rng_state_t *rng,
                                       uint8_t digest[HETC_SHA256_SIZE]);
/* Writes `digest` as 64 lowercase hex digits and a NUL. */
void hetc_fingerprint_hex(const uint8_t digest[HETC_SHA256_SIZE],
                          char hex[2 * HETC_SHA256_SIZE + 1]);

/*--- Learning-rate schedulers ---------------------------------------------*/

/* The schedules of torch.optim.lr_scheduler (torch 1.13), computed in double
 * precision with torch's formulas, in its chainable form where torch steps
 * that way, so the lr sequences equal torch's. A scheduler drives
 * `num_groups` parameter groups; the caller keeps each group's lr (and
 * momentum, or Adam's beta1) and passes them in and out on every call, as
 * torch's schedulers read and write optimizer.param_groups.
 *
 * `spec` is "kind:key=value,key=value,...", with per-group lists written
 * "a/b/c" (one value applies to every group):
 *   step:step_size=N[,gamma=0.1]             StepLR
 *   multistep:milestones=M1/M2/...[,gamma=0.1] MultiStepLR
 *   exponential:gamma=G                      ExponentialLR
 *   cosine:T_max=N[,eta_min=0]               CosineAnnealingLR
 *   linear[:start_factor=1/3,end_factor=1,total_iters=5]  LinearLR (warmup)
 *   constant[:factor=1/3,total_iters=5]      ConstantLR
 *   onecycle:max_lr=X,total_steps=N | epochs=E,steps_per_epoch=S
 *            [,pct_start=0.3,anneal_strategy=cos|linear,cycle_momentum=true,
 *             base_momentum=0.85,max_momentum=0.95,div_factor=25,
 *             final_div_factor=1e4,three_phase=false]  OneCycleLR
 *   plateau[:mode=min|max,factor=0.1,patience=10,threshold=1e-4,
 *           threshold_mode=rel|abs,cooldown=0,min_lr=0,eps=1e-8]
 *                                            ReduceLROnPlateau
 * SequentialLR chains schedulers at milestones: "A;M1;B;M2;C", e.g.
 * "linear:start_factor=0.1,total_iters=5;5;cosine:T_max=45".
 * Unknown kinds or options, missing required options, and negative or
 * non-finite values are INVALID_ARGUMENT errors naming the option. */
typedef struct hetc_lr_scheduler hetc_lr_scheduler_t;

/* Creates a scheduler and takes torch's initial step: `base_lrs` are the
 * groups' initial_lr, `lrs` their current lr, updated in place. `momenta`
 * (NULL when the optimizer has no momentum) is updated by OneCycleLR with
 * cycle_momentum. ReduceLROnPlateau leaves the lrs alone until its first
 * metric. */
hetc_status_t hetc_lr_scheduler_create(const char *spec, size_t num_groups,
                                       const double *base_lrs, double *lrs,
                                       double *momenta,
                                       hetc_lr_scheduler_t **out);

/* torch's SequentialLR: `children` (created in order on the same groups)
 * take turns at `milestones` (num_children - 1 epochs). On success the new
 * scheduler owns the children; it resets `lrs` to `base_lrs` and restarts
 * the first child, as torch does. */
hetc_status_t hetc_lr_scheduler_create_sequential(
    hetc_lr_scheduler_t **children, size_t num_children,
    const int64_t *milestones, const double *base_lrs, double *lrs,
    double *momenta, hetc_lr_scheduler_t **out);
void hetc_lr_scheduler_free(hetc_lr_scheduler_t *scheduler);

/* One scheduler step (torch's scheduler.step()): updates `lrs` (and
 * `momenta`) in place. Stepping OneCycleLR past total_steps is
 * OUT_OF_RANGE; ReduceLROnPlateau needs step_metric. */
hetc_status_t hetc_lr_scheduler_step(hetc_lr_scheduler_t *scheduler,
                                     double *lrs, double *momenta);
/* ReduceLROnPlateau's step(metric); other kinds ignore the metric. */
hetc_status_t hetc_lr_scheduler_step_metric(hetc_lr_scheduler_t *scheduler,
                                            double metric, double *lrs);

/* "step", "multistep", ..., "plateau" or "sequential". */
const char *hetc_lr_scheduler_kind(const hetc_lr_scheduler_t *scheduler);
size_t hetc_lr_scheduler_group_count(const hetc_lr_scheduler_t *scheduler);
/* torch's base_lrs and get_last_lr(); arrays of group_count values. */
const double *hetc_lr_scheduler_base_lrs(const hetc_lr_scheduler_t *scheduler);
const double *hetc_lr_scheduler_last_lrs(const hetc_lr_scheduler_t *scheduler);
int64_t hetc_lr_scheduler_last_epoch(const hetc_lr_scheduler_t *scheduler);

/* The scheduler's progress as text ("last_epoch=3,step_count=4,...", exact
 * doubles; a SequentialLR appends each child's after a ';'), which the
 * caller frees with free(), and its restore on a scheduler created with the
 * same spec. */
hetc_status_t hetc_lr_scheduler_get_state(const hetc_lr_scheduler_t *scheduler,
                                          char **text);
hetc_status_t hetc_lr_scheduler_set_state(hetc_lr_scheduler_t *scheduler,
                                          const char *text);

#ifdef __cplusplus
}
#endif

#endif /* HETC_RUNTIME_HETC_RUNTIME_H */
