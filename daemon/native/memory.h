#ifndef PORTSYNCD_MEMORY_H
#define PORTSYNCD_MEMORY_H
#include <node_api.h>

napi_value mem_release_pages(napi_env env, napi_callback_info info);

#endif
