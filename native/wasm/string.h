/*
 * The string.h of the freestanding wasm build: only what native/wasm/libc.c
 * defines (with -mbulk-memory they compile to memory.fill / memory.copy).
 */
#ifndef GK_WASM_STRING_H
#define GK_WASM_STRING_H
#include <stddef.h>

void *memset(void *dst, int value, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);

#endif
