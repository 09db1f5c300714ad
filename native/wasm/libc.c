/*
 * The only libc the wasm build links: memset, memcpy and memmove, which clang
 * may emit calls to, and gru_kernel.c may call (declared in native/wasm/string.h).
 * With -mbulk-memory the builtins below lower to the
 * memory.fill / memory.copy instructions (no recursion into these functions).
 */
#include <stddef.h>

void *memset(void *dst, int value, size_t n) {
  __builtin_memset(dst, value, n);
  return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  __builtin_memcpy(dst, src, n);
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  __builtin_memmove(dst, src, n);
  return dst;
}
