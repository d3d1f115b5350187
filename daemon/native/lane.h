// The native write lane (lane.c): exported through netlink.c's init.
#ifndef PORTSYNCD_LANE_H
#define PORTSYNCD_LANE_H
#include <node_api.h>

napi_value lane_open(napi_env env, napi_callback_info info);
napi_value lane_start(napi_env env, napi_callback_info info);
napi_value lane_stop(napi_env env, napi_callback_info info);
napi_value lane_state(napi_env env, napi_callback_info info);
napi_value lane_take(napi_env env, napi_callback_info info);
napi_value lane_release(napi_env env, napi_callback_info info);
napi_value lane_set_ports(napi_env env, napi_callback_info info);
napi_value lane_close(napi_env env, napi_callback_info info);

#endif
