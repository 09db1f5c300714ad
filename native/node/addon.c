/*
 * Node-API addon over gru_kernel.c (native build, OpenBLAS).
 *
 *   forward(dims, x, W, R, bx, bh, h0, mask, keepWorkspace, reuse) -> [y, hT, workspace|null]
 *   backward(dims, x, W, R, bx, bh, h0, mask, workspace, dy, dhT)
 *       -> [dx, dW, dR, dbx, dbh, dh0]
 *   setThreads(n), threads()
 * dims is an Int32Array [batch, time, inputSize, units, resetAfter,
 * activation, recurrentActivation, goBackwards]; tensors are Float32Arrays
 * (bx, bh, mask may be null). Every length is checked; a wrong one throws a
 * TypeError naming the argument with the expected and actual length.
 * `reuse` (or null) is a workspace a finished backward pass gave back: forward
 * writes every number of it, so it serves again instead of a fresh allocation
 * (megabytes that would be zeroed and page-faulted in on every training step).
 */
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gru_kernel.h"
#include "batch_parallel.h"
#include "blas_threads.h"

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, NULL, "tfjs-gru native: N-API call failed"); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

/* Scratch memory kept across calls (JS is single-threaded here). */
static float *scratch_mem = NULL;
static size_t scratch_floats = 0;

static float *scratch(size_t n) {
  if (n > scratch_floats) {
    free(scratch_mem);
    scratch_mem = (float *)malloc(n * sizeof(float));
    scratch_floats = scratch_mem ? n : 0;
  }
  return scratch_mem;
}

static int throw_len(napi_env env, const char *name, size_t want, size_t got) {
  char msg[200];
  snprintf(msg, sizeof msg, "tfjs-gru native: '%s' must be a Float32Array of %zu elements, got %zu", name, want, got);
  napi_throw_type_error(env, NULL, msg);
  return 0;
}

/* Reads a Float32Array of exactly `want` elements (or null when nullable). 1 = ok. */
static int get_f32(napi_env env, napi_value v, const char *name, size_t want, int nullable, float **out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_null || t == napi_undefined) {
    if (nullable) { *out = NULL; return 1; }
    return throw_len(env, name, want, 0);
  }
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return throw_len(env, name, want, 0);
  napi_typedarray_type type;
  size_t len;
  void *data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, &len, &data, &ab, &off) != napi_ok) return 0;
  if (type != napi_float32_array || len != want) return throw_len(env, name, want, type == napi_float32_array ? len : 0);
  *out = (float *)data;
  return 1;
}

static int get_dims(napi_env env, napi_value v, gk_dims *d) {
  napi_typedarray_type type;
  size_t len;
  void *data;
  napi_value ab;
  size_t off;
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta || napi_get_typedarray_info(env, v, &type, &len, &data, &ab, &off) != napi_ok ||
      type != napi_int32_array || len != 8) {
    napi_throw_type_error(env, NULL, "tfjs-gru native: dims must be an Int32Array of 8 elements");
    return 0;
  }
  const int *i = (const int *)data;
  d->batch = i[0]; d->time = i[1]; d->input_size = i[2]; d->units = i[3];
  d->reset_after = i[4]; d->activation = i[5]; d->recurrent_activation = i[6]; d->go_backwards = i[7];
  if (d->batch <= 0 || d->time <= 0 || d->input_size <= 0 || d->units <= 0) {
    napi_throw_range_error(env, NULL, "tfjs-gru native: batch, time, inputSize and units must be positive");
    return 0;
  }
  return 1;
}

static napi_value new_f32(napi_env env, size_t n, float **data) {
  *data = NULL;
  napi_value ab, ta;
  void *raw;
  if (napi_create_arraybuffer(env, n * sizeof(float), &raw, &ab) != napi_ok) return NULL;
  if (napi_create_typedarray(env, napi_float32_array, n, ab, 0, &ta) != napi_ok) return NULL;
  *data = (float *)raw;
  return ta;
}

typedef struct {
  float *x, *W, *R, *bx, *bh, *h0, *mask;
} inputs_t;

static int get_inputs(napi_env env, napi_value *argv, const gk_dims *d, inputs_t *in) {
  const size_t B = d->batch, T = d->time, D = d->input_size, U = d->units;
  return get_f32(env, argv[1], "x", B * T * D, 0, &in->x) &&
         get_f32(env, argv[2], "W", D * 3 * U, 0, &in->W) &&
         get_f32(env, argv[3], "R", U * 3 * U, 0, &in->R) &&
         get_f32(env, argv[4], "bx", 3 * U, 1, &in->bx) &&
         get_f32(env, argv[5], "bh", 3 * U, 1, &in->bh) &&
         get_f32(env, argv[6], "h0", B * U, 0, &in->h0) &&
         get_f32(env, argv[7], "mask", B * T, 1, &in->mask);
}

/* The arguments of forward/backward: exactly `want` of them, dims first, then the inputs. 1 = ok. */
static int get_call(napi_env env, napi_callback_info info, const char *fn, size_t want, napi_value *argv,
                    gk_dims *d, inputs_t *in) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc != want) {
    char msg[120];
    snprintf(msg, sizeof msg, "tfjs-gru native: %s takes %zu arguments, got %zu", fn, want, argc);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  return get_dims(env, argv[0], d) && get_inputs(env, argv, d, in);
}

static napi_value forward(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  gk_dims d;
  inputs_t in;
  if (!get_call(env, info, "forward", 10, argv, &d, &in)) return NULL;
  bool keep = false;
  CHECK(napi_get_value_bool(env, argv[8], &keep));
  const size_t B = d.batch, T = d.time, U = d.units;
  float *y = NULL, *hT = NULL, *ws = NULL;
  napi_value result, vy, vh, vws;
  vy = new_f32(env, B * T * U, &y);
  vh = new_f32(env, B * U, &hT);
  if (!vy || !vh) { napi_throw_error(env, NULL, "tfjs-gru native: out of memory"); return NULL; }
  const int parts = gk_parts(&d, gk_max_threads());
  if (keep) {
    /* The workspace's last number records how the batch was cut, for backward. */
    napi_valuetype reuse_type;
    CHECK(napi_typeof(env, argv[9], &reuse_type));
    if (reuse_type != napi_null && reuse_type != napi_undefined) {
      if (!get_f32(env, argv[9], "reuse", gk_workspace_floats(&d) + 1, 0, &ws)) return NULL;
      vws = argv[9];
    } else {
      vws = new_f32(env, gk_workspace_floats(&d) + 1, &ws);
      if (!vws) { napi_throw_error(env, NULL, "tfjs-gru native: out of memory"); return NULL; }
    }
  } else {
    CHECK(napi_get_null(env, &vws));
  }
  if (ws) ws[gk_workspace_floats(&d)] = (float)parts;
  float *s = scratch(gk_forward_parallel_scratch(&d, parts));
  if (!s) { napi_throw_error(env, NULL, "tfjs-gru native: out of memory for scratch"); return NULL; }
  int rc = gk_forward_parallel(&d, parts, in.x, in.W, in.R, in.bx, in.bh, in.h0, in.mask, y, hT, ws, s);
  if (rc != 0) {
    napi_throw_range_error(env, NULL, rc == -2 ? "tfjs-gru native: a recurrent bias needs resetAfter"
                                              : "tfjs-gru native: invalid dims or activation code");
    return NULL;
  }
  CHECK(napi_create_array_with_length(env, 3, &result));
  CHECK(napi_set_element(env, result, 0, vy));
  CHECK(napi_set_element(env, result, 1, vh));
  CHECK(napi_set_element(env, result, 2, vws));
  return result;
}

static napi_value backward(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  gk_dims d;
  inputs_t in;
  if (!get_call(env, info, "backward", 11, argv, &d, &in)) return NULL;
  const size_t B = d.batch, T = d.time, D = d.input_size, U = d.units;
  float *ws, *dy, *dhT;
  if (!get_f32(env, argv[8], "workspace", gk_workspace_floats(&d) + 1, 0, &ws) ||
      !get_f32(env, argv[9], "dy", B * T * U, 0, &dy) ||
      !get_f32(env, argv[10], "dhT", B * U, 1, &dhT)) return NULL;
  float *dx = NULL, *dW = NULL, *dR = NULL, *dbx = NULL, *dbh = NULL, *dh0 = NULL;
  napi_value out[6];
  out[0] = new_f32(env, B * T * D, &dx);
  out[1] = new_f32(env, D * 3 * U, &dW);
  out[2] = new_f32(env, U * 3 * U, &dR);
  out[3] = new_f32(env, 3 * U, &dbx);
  out[4] = new_f32(env, 3 * U, &dbh);
  out[5] = new_f32(env, B * U, &dh0);
  for (int i = 0; i < 6; i++) {
    if (!out[i]) { napi_throw_error(env, NULL, "tfjs-gru native: out of memory"); return NULL; }
  }
  const int parts = (int)ws[gk_workspace_floats(&d)];
  if (parts < 1 || parts > d.batch) {
    napi_throw_range_error(env, NULL, "tfjs-gru native: the workspace does not come from forward with these dims");
    return NULL;
  }
  float *s = scratch(gk_backward_parallel_scratch(&d, parts));
  if (!s) { napi_throw_error(env, NULL, "tfjs-gru native: out of memory for scratch"); return NULL; }
  int rc = gk_backward_parallel(&d, parts, in.x, in.W, in.R, in.bx, in.bh, in.h0, in.mask, ws, dy, dhT,
                                dx, dW, dR, dbx, dbh, dh0, s);
  if (rc != 0) {
    napi_throw_range_error(env, NULL, rc == -2 ? "tfjs-gru native: a recurrent bias needs resetAfter"
                                              : "tfjs-gru native: invalid dims or activation code");
    return NULL;
  }
  napi_value result;
  CHECK(napi_create_array_with_length(env, 6, &result));
  for (int i = 0; i < 6; i++) CHECK(napi_set_element(env, result, i, out[i]));
  return result;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t n = 0;
  if (argc != 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    napi_throw_range_error(env, NULL, "tfjs-gru native: setThreads takes a positive integer");
    return NULL;
  }
  gk_set_max_threads(n);
  return NULL;
}

static napi_value threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  CHECK(napi_create_int32(env, gk_max_threads(), &v));
  return v;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"forward", NULL, forward, NULL, NULL, NULL, napi_default, NULL},
      {"backward", NULL, backward, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"threads", NULL, threads, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, 4, props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
