// Hands start-up pages back: madvise(MADV_DONTNEED) on ranges the caller has
// checked are read-only file mappings no write ever touched (see
// daemon/src/memory/startup-pages.ts). Such pages come back from the page
// cache on the next touch, unchanged, so dropping them is always safe.
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/mman.h>
#include "memory.h"

static int get_u64(napi_env env, napi_value v, uint64_t *out) {
  bool lossless;
  return napi_get_value_bigint_uint64(env, v, out, &lossless) == napi_ok && lossless ? 0 : -1;
}

// releasePages(start: bigint, length: bigint) -> 0 | -errno
napi_value mem_release_pages(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  uint64_t start, length;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      get_u64(env, argv[0], &start) || get_u64(env, argv[1], &length)) {
    napi_throw_type_error(env, NULL, "portsyncd native: releasePages(start, length) takes two bigints");
    return NULL;
  }
  uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
  int rc = 0;
  if (start % page != 0 || length == 0 || length % page != 0) rc = -EINVAL;
  else if (madvise((void *)(uintptr_t)start, (size_t)length, MADV_DONTNEED) < 0) rc = -errno;
  napi_create_int32(env, rc, &out);
  return out;
}
