// Netlink edge of portsyncd: a NETLINK_ROUTE socket with exact control of the
// receive buffer, batched non-blocking reads that never truncate a datagram,
// overflow (ENOBUFS) reporting, readiness via a libuv poll handle, and
// sd_notify over a unix datagram socket (Node has no datagram unix sockets).
// The addon's entry point: it also exports memory.c's releasePages and lane.c's
// native write lane.
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <node_api.h>
#include <uv.h>
#include "lane.h"
#include "memory.h"

#define CHECK(call)                                                            \
  do {                                                                         \
    if ((call) != napi_ok) {                                                   \
      napi_throw_error(env, NULL, "portsyncd native: " #call " failed");       \
      return NULL;                                                             \
    }                                                                          \
  } while (0)

static napi_value make_int(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

static int get_args(napi_env env, napi_callback_info info, size_t want,
                    napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok ||
      argc < want) {
    napi_throw_type_error(env, NULL, "portsyncd native: missing arguments");
    return -1;
  }
  return 0;
}

static void set_prop(napi_env env, napi_value obj, const char *name,
                     napi_value v) {
  napi_set_named_property(env, obj, name, v);
}

// open(rcvbufBytes, force) -> { fd, portId, rcvbuf, forced, errno }
static napi_value nl_open(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (get_args(env, info, 2, argv)) return NULL;
  int64_t want;
  bool force;
  CHECK(napi_get_value_int64(env, argv[0], &want));
  CHECK(napi_get_value_bool(env, argv[1], &force));

  napi_value out;
  CHECK(napi_create_object(env, &out));
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
                  NETLINK_ROUTE);
  if (fd < 0) {
    set_prop(env, out, "errno", make_int(env, errno));
    return out;
  }
  int size = want > INT32_MAX / 2 ? INT32_MAX / 2 : (int)want;
  bool forced = false;
  if (force && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
                          sizeof size) == 0)
    forced = true;
  else
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);

  struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int e = errno;
    close(fd);
    set_prop(env, out, "errno", make_int(env, e));
    return out;
  }
  socklen_t len = sizeof sa;
  getsockname(fd, (struct sockaddr *)&sa, &len);
  int effective = 0;
  socklen_t olen = sizeof effective;
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &effective, &olen);

  napi_value b;
  set_prop(env, out, "fd", make_int(env, fd));
  set_prop(env, out, "portId", make_int(env, sa.nl_pid));
  set_prop(env, out, "rcvbuf", make_int(env, effective));
  napi_get_boolean(env, forced, &b);
  set_prop(env, out, "forced", b);
  set_prop(env, out, "errno", make_int(env, 0));
  return out;
}

// sendDump(fd, seq) -> 0 | -errno. RTM_GETLINK dump without statistics,
// which keeps dump replies small.
static napi_value nl_send_dump(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (get_args(env, info, 2, argv)) return NULL;
  int32_t fd;
  uint32_t seq;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_uint32(env, argv[1], &seq));
  struct {
    struct nlmsghdr nh;
    struct ifinfomsg ifi;
    struct rtattr ext_hdr;
    uint32_t ext_mask;
  } req;
  memset(&req, 0, sizeof req);
  req.nh.nlmsg_len = sizeof req;
  req.nh.nlmsg_type = RTM_GETLINK;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nh.nlmsg_seq = seq;
  req.ifi.ifi_family = AF_UNSPEC;
  req.ext_hdr.rta_type = IFLA_EXT_MASK;
  req.ext_hdr.rta_len = RTA_LENGTH(sizeof(uint32_t));
  req.ext_mask = RTEXT_FILTER_SKIP_STATS;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  ssize_t n;
  do {
    n = sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel,
               sizeof kernel);
  } while (n < 0 && errno == EINTR);
  return make_int(env, n < 0 ? -errno : 0);
}

// Below this much free space a datagram's size is learned first with a
// 16-byte MSG_PEEK|MSG_TRUNC read; above it one recv() suffices. A datagram
// larger than the free space on that fast path arrives truncated: reported
// as `need`, and the caller resyncs (no state is lost) and grows the buffer.
#define PEEK_BELOW (64 * 1024)

// read(fd, buffer, out: Int32Array(5)) fills the buffer with whole datagrams,
// each padded to 4 bytes, until the queue is empty, the next datagram does
// not fit, or the socket reports an error.
// out = [bytes, datagrams, errno (0 | EAGAIN | ENOBUFS | other), needBytes, truncated]
static napi_value nl_read(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (get_args(env, info, 3, argv)) return NULL;
  int32_t fd;
  uint8_t *buf;
  size_t cap;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_buffer_info(env, argv[1], (void **)&buf, &cap));
  napi_typedarray_type type;
  size_t out_len;
  void *out_data;
  CHECK(napi_get_typedarray_info(env, argv[2], &type, &out_len, &out_data,
                                 NULL, NULL));
  if (type != napi_int32_array || out_len < 5) {
    napi_throw_type_error(env, NULL, "portsyncd native: out must be Int32Array(5)");
    return NULL;
  }
  int32_t *out = out_data;
  size_t off = 0;
  int32_t count = 0, err = 0, need = 0, truncated = 0;
  for (;;) {
    size_t room = cap - off;
    if (room < PEEK_BELOW) {
      uint8_t head[16];
      ssize_t size = recv(fd, head, sizeof head, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC);
      if (size < 0) {
        if (errno == EINTR) continue;
        err = errno == EWOULDBLOCK ? EAGAIN : errno;
        break;
      }
      if ((size_t)size > room) {
        if (off == 0) need = (int32_t)size;
        break;
      }
    }
    ssize_t n = recv(fd, buf + off, room, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno == EWOULDBLOCK ? EAGAIN : errno;
      break;
    }
    if ((size_t)n > room) { // consumed but cut short: the caller must resync
      need = n > INT32_MAX ? INT32_MAX : (int32_t)n;
      truncated = 1;
      break;
    }
    size_t padded = ((size_t)n + 3) & ~(size_t)3;
    if (padded > (size_t)n && off + padded <= cap)
      memset(buf + off + n, 0, padded - (size_t)n);
    off = off + padded > cap ? cap : off + padded;
    count++;
  }
  out[0] = (int32_t)off;
  out[1] = count;
  out[2] = err;
  out[3] = need;
  out[4] = truncated;
  return NULL;
}

static napi_value nl_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_args(env, info, 1, argv)) return NULL;
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  return make_int(env, close(fd) < 0 ? -errno : 0);
}

// ---- readiness: a libuv poll handle calling back into JS -------------------

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  bool paused;
} watcher_t;

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  watcher_t *w = handle->data;
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, result;
  // napi_make_callback runs queued microtasks afterwards, like any I/O callback;
  // its receiver must be an object.
  if (napi_get_reference_value(env, w->callback, &cb) == napi_ok && cb &&
      napi_get_global(env, &recv) == napi_ok &&
      napi_make_callback(env, w->context, recv, cb, 0, NULL, &result) ==
          napi_pending_exception) {
    napi_value error; // an exception in the callback crashes like any uncaught one
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
  // A pending socket error (ENOBUFS) shows up as POLLERR, on which libuv stops
  // the handle. The callback's read has consumed the error: watch again.
  if (status < 0 && w->callback && !w->paused)
    uv_poll_start(&w->poll, UV_READABLE, on_readable);
}

static void free_watcher(uv_handle_t *handle) { free(handle->data); }

static void finalize_watcher(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  (void)hint;
}

// watch(fd, callback) -> handle; callback() runs whenever fd is readable.
static napi_value nl_watch(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (get_args(env, info, 2, argv)) return NULL;
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  watcher_t *w = calloc(1, sizeof *w);
  if (!w) {
    napi_throw_error(env, NULL, "portsyncd native: out of memory");
    return NULL;
  }
  w->env = env;
  w->poll.data = w;
  napi_value name;
  CHECK(napi_create_string_utf8(env, "portsyncd:netlink", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, NULL, name, &w->context));
  CHECK(napi_create_reference(env, argv[1], 1, &w->callback));
  int rc = uv_poll_init(loop, &w->poll, fd);
  if (rc == 0) rc = uv_poll_start(&w->poll, UV_READABLE, on_readable);
  if (rc != 0) {
    napi_throw_error(env, NULL, uv_strerror(rc));
    return NULL;
  }
  napi_value handle;
  CHECK(napi_create_external(env, w, finalize_watcher, NULL, &handle));
  return handle;
}

// pause(handle) / resume(handle): stop and restart readiness callbacks while
// the socket is read from elsewhere (e.g. right after a Redis reply).
static napi_value nl_pause(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_args(env, info, 1, argv)) return NULL;
  watcher_t *w;
  CHECK(napi_get_value_external(env, argv[0], (void **)&w));
  if (w && w->callback) {
    w->paused = true;
    uv_poll_stop(&w->poll);
  }
  return NULL;
}

static napi_value nl_resume(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_args(env, info, 1, argv)) return NULL;
  watcher_t *w;
  CHECK(napi_get_value_external(env, argv[0], (void **)&w));
  if (w && w->callback && w->paused) {
    w->paused = false;
    uv_poll_start(&w->poll, UV_READABLE, on_readable);
  }
  return NULL;
}

// unwatch(handle): stops polling and releases the callback.
static napi_value nl_unwatch(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_args(env, info, 1, argv)) return NULL;
  watcher_t *w;
  CHECK(napi_get_value_external(env, argv[0], (void **)&w));
  if (!w || !w->callback) return NULL;
  uv_poll_stop(&w->poll);
  napi_delete_reference(env, w->callback);
  w->callback = NULL;
  napi_async_destroy(env, w->context);
  uv_close((uv_handle_t *)&w->poll, free_watcher);
  return NULL;
}

// notify(socketPath, message) -> 0 | -errno. A leading '@' names a socket in
// the abstract namespace, as systemd's NOTIFY_SOCKET does.
static napi_value sd_notify(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (get_args(env, info, 2, argv)) return NULL;
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  size_t plen;
  CHECK(napi_get_value_string_utf8(env, argv[0], sa.sun_path,
                                   sizeof sa.sun_path, &plen));
  if (plen == 0 || plen >= sizeof sa.sun_path - 1)
    return make_int(env, -EINVAL);
  char msg[1024];
  size_t mlen;
  CHECK(napi_get_value_string_utf8(env, argv[1], msg, sizeof msg, &mlen));
  if (sa.sun_path[0] == '@') sa.sun_path[0] = 0;
  socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_int(env, -errno);
  ssize_t n = sendto(fd, msg, mlen, MSG_NOSIGNAL, (struct sockaddr *)&sa, alen);
  int rc = n < 0 ? -errno : 0;
  close(fd);
  return make_int(env, rc);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, nl_open, NULL, NULL, NULL, napi_default, NULL},
      {"sendDump", NULL, nl_send_dump, NULL, NULL, NULL, napi_default, NULL},
      {"read", NULL, nl_read, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, nl_close, NULL, NULL, NULL, napi_default, NULL},
      {"watch", NULL, nl_watch, NULL, NULL, NULL, napi_default, NULL},
      {"unwatch", NULL, nl_unwatch, NULL, NULL, NULL, napi_default, NULL},
      {"pause", NULL, nl_pause, NULL, NULL, NULL, napi_default, NULL},
      {"resume", NULL, nl_resume, NULL, NULL, NULL, napi_default, NULL},
      {"notify", NULL, sd_notify, NULL, NULL, NULL, napi_default, NULL},
      {"releasePages", NULL, mem_release_pages, NULL, NULL, NULL, napi_default, NULL},
      {"laneOpen", NULL, lane_open, NULL, NULL, NULL, napi_default, NULL},
      {"laneStart", NULL, lane_start, NULL, NULL, NULL, napi_default, NULL},
      {"laneStop", NULL, lane_stop, NULL, NULL, NULL, napi_default, NULL},
      {"laneState", NULL, lane_state, NULL, NULL, NULL, napi_default, NULL},
      {"laneTake", NULL, lane_take, NULL, NULL, NULL, napi_default, NULL},
      {"laneRelease", NULL, lane_release, NULL, NULL, NULL, napi_default, NULL},
      {"laneSetPorts", NULL, lane_set_ports, NULL, NULL, NULL, napi_default, NULL},
      {"laneClose", NULL, lane_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
