// The native write lane: while the daemon is idle and in sync, a thread of
// its own reads the netlink socket and writes the new state of ports it
// already knows straight to STATE_DB (a pipelined HSET per port on its own
// Redis connection), then hands every byte it read to JavaScript, which
// applies it to its model as if it had read it itself. A woken Node process
// pays tens of microseconds of cold interpreter and ioredis before its
// write; this thread pays what a C forwarder pays.
//
// It writes the RTM_NEWLINK messages of ports in its table (ifindex and name
// as JavaScript last wrote them), within the daemon's write budget, and leaves
// links outside the table to JavaScript. Anything else (a table port deleted
// or renamed, another message type, an overflow, a full slot queue, a failed
// write, a spent budget) makes it stop: what it read from there on goes to
// JavaScript unwritten, and JavaScript reads the socket again. JavaScript
// stops it before any write of its own and waits until its write is
// acknowledged, so writes of one key never reorder.
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <node_api.h>
#include <uv.h>
#include "lane.h"

#define SLOTS 4
#define MIN_ROOM (16 * 1024) // a link event is a few KiB; less room than this ends the slot
#define MAX_PORTS 4096
#define NAME_MAX_LEN 16 // IFNAMSIZ
#define REPLY_MAX 4096
#define POST_DELAY_MS 1 // written slots reach JavaScript after this much quiet, not while Redis's clients react
#define MAX_WRITES 64 // ports per slot; a slot changing more is left to JavaScript

typedef struct {
  int32_t ifindex;
  char name[NAME_MAX_LEN];
  bool admin, oper;
  uint32_t mtu;
} port_t;

typedef struct {
  uint8_t *data;
  size_t cap;
  size_t bytes;
  int32_t datagrams;
  double received_ms, acked_ms; // uv_hrtime() in ms: the clock of process.hrtime
  int32_t err;                  // 0, ENOBUFS or another errno of the read
  bool truncated;
  bool ready; // filled, waiting for JavaScript
  int32_t written;
  int32_t written_idx[MAX_WRITES]; // table indexes written, and the state written
  port_t written_state[MAX_WRITES];
} slot_t;

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t thread;
  int nl_fd, wake_fd, redis_fd;
  uint32_t port_id;
  bool enabled, busy, quit;
  // The write budget (redis/write-budget.ts): a burst at once, then one write per interval.
  double tokens, burst, interval_ms, spent_ms;
  slot_t slots[SLOTS];
  napi_ref slot_refs[SLOTS];
  int32_t next_slot, take_slot;
  port_t ports[MAX_PORTS];
  int32_t nports;
  // Where Redis is and how to enter it: RESP of [AUTH], SELECT, CLIENT SETNAME.
  char path[108], host[256];
  int port, connect_timeout_ms;
  char *hello;
  size_t hello_len;
  int hello_replies;
  bool hello_auth; // hello starts with AUTH
  double failed_at_ms;
  char *cmd;
  size_t cmd_cap;
  uv_async_t async;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
} lane_t;

static double now_ms(void) { return (double)uv_hrtime() / 1e6; }

// ---- Redis: connect, pipeline, count replies --------------------------------

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

// Reads until `want` replies (each one line: ":n", "+OK" or "-ERR ...") have
// arrived. 0: all fine; -1: an error reply, a closed socket, or quit. With
// `auth_first`, the first reply may be the error of an AUTH to a Redis that
// has no password (as ioredis, which warns and goes on).
static int read_replies(lane_t *l, int want, bool auth_first) {
  char buf[REPLY_MAX], first[128];
  size_t first_len = 0;
  int seen = 0, failed = 0;
  bool line_start = true;
  while (seen < want) {
    struct pollfd p[2] = {{.fd = l->redis_fd, .events = POLLIN}, {.fd = l->wake_fd, .events = POLLIN}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (p[1].revents) {
      uint64_t v;
      pthread_mutex_lock(&l->mu);
      bool quit = l->quit;
      pthread_mutex_unlock(&l->mu);
      if (quit) return -1;
      if (read(l->wake_fd, &v, sizeof v) < 0) { /* drained already */ }
    }
    if (!p[0].revents) continue;
    ssize_t n = recv(l->redis_fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return -1;
    for (ssize_t i = 0; i < n; i++) {
      if (line_start && buf[i] == '-' && !(auth_first && seen == 0)) failed = 1;
      if (seen == 0 && first_len < sizeof first - 1) first[first_len++] = buf[i];
      line_start = buf[i] == '\n';
      if (line_start) seen++;
    }
  }
  first[first_len] = 0;
  if (auth_first && first[0] == '-' && !strstr(first, "without any password") && !strstr(first, "no password is set")) failed = 1;
  return failed ? -1 : 0;
}

static void redis_close(lane_t *l) {
  if (l->redis_fd >= 0) close(l->redis_fd);
  l->redis_fd = -1;
  l->failed_at_ms = now_ms();
}

static int redis_connect(lane_t *l) {
  int fd = -1;
  if (l->path[0]) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, l->path, sizeof sa.sun_path); // NUL-terminated by napi_get_value_string_utf8
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
      close(fd);
      fd = -1;
    }
  } else {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    char port[8];
    snprintf(port, sizeof port, "%d", l->port);
    if (getaddrinfo(l->host, port, &hints, &res) == 0) {
      for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        struct timeval tv = {.tv_sec = l->connect_timeout_ms / 1000, .tv_usec = (l->connect_timeout_ms % 1000) * 1000};
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
          close(fd);
          fd = -1;
        }
      }
      freeaddrinfo(res);
    }
    int one = 1;
    if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  l->redis_fd = fd;
  if (fd < 0 || write_all(fd, l->hello, l->hello_len) < 0 || read_replies(l, l->hello_replies, l->hello_auth) < 0) {
    if (l->redis_fd >= 0) redis_close(l);
    l->failed_at_ms = now_ms();
    return -1;
  }
  return 0;
}

static int append(lane_t *l, size_t *len, const char *s, size_t n) {
  if (*len + n > l->cmd_cap) {
    size_t cap = l->cmd_cap * 2 > *len + n ? l->cmd_cap * 2 : *len + n;
    char *c = realloc(l->cmd, cap);
    if (!c) return -1;
    l->cmd = c;
    l->cmd_cap = cap;
  }
  memcpy(l->cmd + *len, s, n);
  *len += n;
  return 0;
}

static int append_bulk(lane_t *l, size_t *len, const char *s) {
  char head[24];
  size_t n = strlen(s);
  int h = snprintf(head, sizeof head, "$%zu\r\n", n);
  return append(l, len, head, (size_t)h) || append(l, len, s, n) || append(l, len, "\r\n", 2);
}

// HSET PORT_TABLE|<name> with the fields of stateDbFields (core/port.ts), in its order.
static int append_hset(lane_t *l, size_t *len, const port_t *p) {
  char key[32], mtu[12];
  snprintf(key, sizeof key, "PORT_TABLE|%s", p->name);
  snprintf(mtu, sizeof mtu, "%u", p->mtu);
  const char *argv[] = {"HSET", key, "state", "ok", "netdev_oper_status", p->oper ? "up" : "down",
                        "admin_status", p->admin ? "up" : "down", "mtu", mtu};
  if (append(l, len, "*10\r\n", 5)) return -1;
  for (size_t i = 0; i < sizeof argv / sizeof argv[0]; i++)
    if (append_bulk(l, len, argv[i])) return -1;
  return 0;
}

// ---- netlink: what a slot's messages change ----------------------------------

static int find_port(lane_t *l, int32_t ifindex) {
  for (int i = 0; i < l->nports; i++)
    if (l->ports[i].ifindex == ifindex) return i;
  return -1;
}

#define SKIP (-1) // not about a table port: JavaScript alone deals with it
#define STOP (-2) // anything the lane must not write past

static int find_name(lane_t *l, const char *name, size_t len) {
  for (int i = 0; i < l->nports; i++)
    if (strlen(l->ports[i].name) == len && memcmp(l->ports[i].name, name, len) == 0) return i;
  return -1;
}

// What one message means to the lane: the new state of a table port (its
// index, *out filled as core/port.ts's portFromLink makes it), SKIP, or STOP.
// Links outside the table (a veth peer, an unconfigured or new port, bridge
// notifications) touch no key the lane writes, so JavaScript handles them
// after the lane's writes. A table port deleted or renamed, a name moving to
// another ifindex, a reply to this socket or any other message type stops it.
static int classify(lane_t *l, struct nlmsghdr *h, port_t *out) {
  if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) || h->nlmsg_pid == l->port_id ||
      h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
    return STOP;
  struct ifinfomsg *ifi = NLMSG_DATA(h);
  if (ifi->ifi_family == AF_BRIDGE) return SKIP;
  const char *name = NULL;
  size_t name_len = 0;
  bool has_mtu = false;
  uint32_t mtu = 0;
  int len = (int)IFLA_PAYLOAD(h);
  for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    int type = a->rta_type & NLA_TYPE_MASK;
    if (type == IFLA_IFNAME) {
      name = RTA_DATA(a);
      name_len = strnlen(name, RTA_PAYLOAD(a));
    } else if (type == IFLA_MTU && RTA_PAYLOAD(a) >= 4) {
      memcpy(&mtu, RTA_DATA(a), 4);
      has_mtu = true;
    }
  }
  int i = find_port(l, ifi->ifi_index);
  if (i < 0) return name && find_name(l, name, name_len) >= 0 ? STOP : SKIP;
  if (h->nlmsg_type == RTM_DELLINK || !name || find_name(l, name, name_len) != i) return STOP;
  *out = l->ports[i];
  out->admin = (ifi->ifi_flags & IFF_UP) != 0;
  out->oper = (ifi->ifi_flags & IFF_RUNNING) != 0;
  if (has_mtu) out->mtu = mtu;
  return i;
}

// Reads what is queued into the slot. false: stop after this slot (an error,
// an overflow or a datagram that did not fit).
static bool fill(lane_t *l, slot_t *s) {
  s->bytes = 0;
  s->datagrams = 0;
  s->err = 0;
  s->truncated = false;
  while (s->cap - s->bytes >= MIN_ROOM) {
    size_t room = s->cap - s->bytes;
    ssize_t n = recv(l->nl_fd, s->data + s->bytes, room, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      s->err = errno;
      return false;
    }
    if (s->datagrams == 0) s->received_ms = now_ms();
    if ((size_t)n > room) {
      s->truncated = true;
      s->bytes = s->cap;
      return false;
    }
    size_t padded = ((size_t)n + 3) & ~(size_t)3;
    if (padded > (size_t)n && s->bytes + padded <= s->cap) memset(s->data + s->bytes + n, 0, padded - (size_t)n);
    s->bytes = s->bytes + padded > s->cap ? s->cap : s->bytes + padded;
    s->datagrams++;
  }
  return true;
}

// A write may go out now: the budget is not spent (a storm is left to Node, which paces it).
static bool spend_token(lane_t *l) {
  if (l->interval_ms <= 0) return true;
  double now = now_ms();
  double tokens = l->tokens + (now - l->spent_ms) / l->interval_ms;
  if (tokens > l->burst) tokens = l->burst;
  if (tokens < 1) return false;
  l->tokens = tokens - 1;
  l->spent_ms = now;
  return true;
}

// Writes the slot's port updates, unless a message in it stops the lane. false: stop the lane.
static bool write_slot(lane_t *l, slot_t *s) {
  s->written = 0;
  int32_t changed[MAX_WRITES];
  port_t next[MAX_WRITES];
  int nchanged = 0;
  bool all = true;
  int left = (int)s->bytes;
  struct nlmsghdr *h;
  for (h = (struct nlmsghdr *)s->data; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
    port_t p;
    int i = classify(l, h, &p);
    if (i == SKIP) continue;
    if (i == STOP) {
      all = false;
      break;
    }
    int k = 0;
    while (k < nchanged && changed[k] != i) k++;
    if (k == nchanged) {
      if (nchanged == MAX_WRITES) {
        all = false;
        break;
      }
      changed[nchanged++] = i;
    }
    next[k] = p; // last state wins
  }
  if (all)
    for (const uint8_t *b = (const uint8_t *)h; left > 0; left--, b++)
      if (*b) all = false; // a malformed tail: JavaScript's parser reports it
  if (!all || s->err || s->truncated) return false;
  size_t len = 0;
  int n = 0;
  for (int k = 0; k < nchanged; k++) {
    const port_t *was = &l->ports[changed[k]];
    if (was->admin == next[k].admin && was->oper == next[k].oper && was->mtu == next[k].mtu) continue;
    if (append_hset(l, &len, &next[k])) return false;
    changed[n] = changed[k];
    next[n++] = next[k];
  }
  if (n == 0) return true;
  if (l->redis_fd < 0 || !spend_token(l)) return false;
  if (write_all(l->redis_fd, l->cmd, len) < 0 || read_replies(l, n, false) < 0) {
    redis_close(l);
    return false;
  }
  s->acked_ms = now_ms();
  for (int k = 0; k < n; k++) {
    l->ports[changed[k]] = next[k];
    s->written_idx[k] = changed[k];
    s->written_state[k] = next[k];
  }
  s->written = n;
  return true;
}

static void *run(void *arg) {
  lane_t *l = arg;
  bool unposted = false; // slots written but not yet handed over
  for (;;) {
    pthread_mutex_lock(&l->mu);
    if (!l->enabled) unposted = false; // JavaScript stopped the lane and took them itself
    while (!l->quit && !l->enabled) pthread_cond_wait(&l->cv, &l->mu);
    bool quit = l->quit;
    pthread_mutex_unlock(&l->mu);
    if (quit) break;
    if (l->redis_fd < 0 && now_ms() - l->failed_at_ms >= 1000) redis_connect(l);

    struct pollfd p[2] = {{.fd = l->nl_fd, .events = POLLIN}, {.fd = l->wake_fd, .events = POLLIN}};
    int ready = poll(p, 2, unposted ? POST_DELAY_MS : -1);
    if (ready < 0 && errno != EINTR) break;
    if (ready == 0) {
      unposted = false;
      uv_async_send(&l->async);
      continue;
    }
    if (p[1].revents) {
      uint64_t v;
      if (read(l->wake_fd, &v, sizeof v) < 0) { /* nothing to do: the flags say why */ }
    }
    pthread_mutex_lock(&l->mu);
    slot_t *s = &l->slots[l->next_slot];
    bool go = l->enabled && !l->quit && p[0].revents && !s->ready;
    bool behind = l->enabled && !go && p[0].revents && s->ready;
    if (behind) l->enabled = false; // JavaScript has not taken the slots yet: it reads on itself
    l->busy = go;
    pthread_mutex_unlock(&l->mu);
    if (behind) uv_async_send(&l->async);
    if (!go) continue;
    bool more = fill(l, s);
    more = write_slot(l, s) && more;
    pthread_mutex_lock(&l->mu);
    s->ready = true;
    l->next_slot = (l->next_slot + 1) % SLOTS;
    if (!more) l->enabled = false;
    bool stopped = !l->enabled; // by itself, or by JavaScript meanwhile, which waits for this post
    l->busy = false;
    pthread_mutex_unlock(&l->mu);
    unposted = !stopped;
    if (stopped) uv_async_send(&l->async);
  }
  return NULL;
}

// ---- JavaScript side ----------------------------------------------------------

#define CHECK(call)                                                            \
  do {                                                                         \
    if ((call) != napi_ok) {                                                   \
      napi_throw_error(env, NULL, "portsyncd lane: " #call " failed");         \
      return NULL;                                                             \
    }                                                                          \
  } while (0)

static void on_async(uv_async_t *a) {
  lane_t *l = a->data;
  napi_env env = l->env;
  napi_handle_scope scope;
  if (!l->callback || napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, result;
  if (napi_get_reference_value(env, l->callback, &cb) == napi_ok && cb && napi_get_global(env, &recv) == napi_ok &&
      napi_make_callback(env, l->context, recv, cb, 0, NULL, &result) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

static lane_t *get_lane(napi_env env, napi_value v) {
  lane_t *l = NULL;
  if (napi_get_value_external(env, v, (void **)&l) != napi_ok || !l) napi_throw_type_error(env, NULL, "portsyncd lane: not a lane");
  return l;
}

static int get_argv(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "portsyncd lane: missing arguments");
    return -1;
  }
  return 0;
}

// Whether v is a typed array of the wanted type with at least min elements; then *data and *len are set.
// (An empty array's data may be NULL, so the pointer itself cannot signal failure.)
static bool typed_array(napi_env env, napi_value v, napi_typedarray_type want, size_t min, void **data, size_t *len) {
  napi_typedarray_type type;
  size_t n;
  if (napi_get_typedarray_info(env, v, &type, &n, data, NULL, NULL) != napi_ok) return false;
  if (len) *len = n;
  return type == want && n >= min;
}

static void free_lane(uv_handle_t *h) {
  lane_t *l = h->data;
  free(l->hello);
  free(l->cmd);
  pthread_mutex_destroy(&l->mu);
  pthread_cond_destroy(&l->cv);
  free(l);
}

static void finalize_noop(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  (void)hint;
}

// laneOpen(nlFd, portId, slots: Buffer[4], hello: Buffer, helloReplies, helloAuth, path, host, port,
// connectTimeoutMs, onReady) -> lane. `hello` is the RESP sent on every new connection ([AUTH],
// SELECT, CLIENT SETNAME); helloAuth: it starts with AUTH.
napi_value lane_open(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  if (get_argv(env, info, 11, argv)) return NULL;
  lane_t *l = calloc(1, sizeof *l);
  if (!l) {
    napi_throw_error(env, NULL, "portsyncd lane: out of memory");
    return NULL;
  }
  l->redis_fd = -1;
  l->failed_at_ms = -1e9;
  uint32_t nslots;
  void *hello;
  size_t path_len, host_len;
  CHECK(napi_get_value_int32(env, argv[0], &l->nl_fd));
  CHECK(napi_get_value_uint32(env, argv[1], &l->port_id));
  CHECK(napi_get_array_length(env, argv[2], &nslots));
  if (nslots != SLOTS) {
    free(l);
    napi_throw_range_error(env, NULL, "portsyncd lane: 4 slots expected");
    return NULL;
  }
  for (uint32_t i = 0; i < SLOTS; i++) {
    napi_value b;
    CHECK(napi_get_element(env, argv[2], i, &b));
    CHECK(napi_get_buffer_info(env, b, (void **)&l->slots[i].data, &l->slots[i].cap));
    CHECK(napi_create_reference(env, b, 1, &l->slot_refs[i]));
  }
  CHECK(napi_get_buffer_info(env, argv[3], &hello, &l->hello_len));
  l->hello = malloc(l->hello_len);
  l->cmd_cap = 4096;
  l->cmd = malloc(l->cmd_cap);
  if (!l->hello || !l->cmd) {
    napi_throw_error(env, NULL, "portsyncd lane: out of memory");
    return NULL;
  }
  memcpy(l->hello, hello, l->hello_len);
  CHECK(napi_get_value_int32(env, argv[4], &l->hello_replies));
  CHECK(napi_get_value_bool(env, argv[5], &l->hello_auth));
  CHECK(napi_get_value_string_utf8(env, argv[6], l->path, sizeof l->path, &path_len));
  CHECK(napi_get_value_string_utf8(env, argv[7], l->host, sizeof l->host, &host_len));
  CHECK(napi_get_value_int32(env, argv[8], &l->port));
  CHECK(napi_get_value_int32(env, argv[9], &l->connect_timeout_ms));
  CHECK(napi_create_reference(env, argv[10], 1, &l->callback));
  napi_value name;
  CHECK(napi_create_string_utf8(env, "portsyncd:lane", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, NULL, name, &l->context));
  l->env = env;
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  l->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  pthread_mutex_init(&l->mu, NULL);
  pthread_cond_init(&l->cv, NULL);
  l->async.data = l;
  if (l->wake_fd < 0 || uv_async_init(loop, &l->async, on_async) != 0 || pthread_create(&l->thread, NULL, run, l) != 0) {
    napi_throw_error(env, NULL, "portsyncd lane: cannot start its thread");
    return NULL;
  }
  uv_unref((uv_handle_t *)&l->async); // the netlink watcher and Redis keep the loop alive, not the lane
  napi_value out;
  CHECK(napi_create_external(env, l, finalize_noop, NULL, &out));
  return out;
}

static void wake(lane_t *l) {
  uint64_t one = 1;
  if (write(l->wake_fd, &one, sizeof one) < 0) { /* the counter is full: it is awake anyway */ }
}

// laneStart(lane, tokens, burst, intervalMs): the thread reads and writes until something stops
// it, with the write budget's tokens available now, its burst and its interval (0: unpaced).
napi_value lane_start(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (get_argv(env, info, 4, argv)) return NULL;
  lane_t *l = get_lane(env, argv[0]);
  if (!l) return NULL;
  double tokens, burst, interval;
  CHECK(napi_get_value_double(env, argv[1], &tokens));
  CHECK(napi_get_value_double(env, argv[2], &burst));
  CHECK(napi_get_value_double(env, argv[3], &interval));
  pthread_mutex_lock(&l->mu);
  l->tokens = tokens;
  l->burst = burst;
  l->interval_ms = interval;
  l->spent_ms = now_ms();
  l->enabled = tokens >= 1;
  pthread_cond_signal(&l->cv);
  pthread_mutex_unlock(&l->mu);
  return NULL;
}

// laneStop(lane) -> true when the thread is idle now; false: a read or write is
// under way, and a callback follows when it is done.
napi_value lane_stop(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  if (get_argv(env, info, 1, argv)) return NULL;
  lane_t *l = get_lane(env, argv[0]);
  if (!l) return NULL;
  pthread_mutex_lock(&l->mu);
  bool was_enabled = l->enabled;
  l->enabled = false;
  bool busy = l->busy;
  pthread_mutex_unlock(&l->mu);
  if (was_enabled) wake(l); // out of poll(), back to waiting
  CHECK(napi_get_boolean(env, !busy, &out));
  return out;
}

// laneState(lane) -> 0 stopped, 1 running, 2 busy (reading or writing).
napi_value lane_state(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  if (get_argv(env, info, 1, argv)) return NULL;
  lane_t *l = get_lane(env, argv[0]);
  if (!l) return NULL;
  pthread_mutex_lock(&l->mu);
  int state = l->busy ? 2 : l->enabled ? 1 : 0;
  pthread_mutex_unlock(&l->mu);
  CHECK(napi_create_int32(env, state, &out));
  return out;
}

// laneTake(lane, out: Float64Array(6), written: Int32Array(1 + 3 * 64)) -> slot index, or -1 when none
// is ready. out = [bytes, datagrams, receivedMs, ackedMs, errno, truncated]; written[0] = n, then per
// written port its table index, admin | oper << 1, and mtu.
napi_value lane_take(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (get_argv(env, info, 3, argv)) return NULL;
  lane_t *l = get_lane(env, argv[0]);
  if (!l) return NULL;
  double *out;
  int32_t *written;
  if (!typed_array(env, argv[1], napi_float64_array, 6, (void **)&out, NULL) ||
      !typed_array(env, argv[2], napi_int32_array, 1 + 3 * MAX_WRITES, (void **)&written, NULL)) {
    napi_throw_type_error(env, NULL, "portsyncd lane: take needs Float64Array(6) and Int32Array(193)");
    return NULL;
  }
  pthread_mutex_lock(&l->mu);
  slot_t *s = &l->slots[l->take_slot];
  int32_t index = -1;
  if (s->ready) {
    index = l->take_slot;
    out[0] = (double)s->bytes;
    out[1] = s->datagrams;
    out[2] = s->received_ms;
    out[3] = s->acked_ms;
    out[4] = s->err;
    out[5] = s->truncated;
    written[0] = s->written;
    for (int k = 0; k < s->written; k++) {
      const port_t *p = &s->written_state[k];
      written[1 + 3 * k] = s->written_idx[k];
      written[2 + 3 * k] = (p->admin ? 1 : 0) | (p->oper ? 2 : 0);
      written[3 + 3 * k] = (int32_t)p->mtu;
    }
  }
  pthread_mutex_unlock(&l->mu);
  napi_value v;
  CHECK(napi_create_int32(env, index, &v));
  return v;
}

// laneRelease(lane, slot): JavaScript is done with the slot's bytes.
napi_value lane_release(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (get_argv(env, info, 2, argv)) return NULL;
  lane_t *l = get_lane(env, argv[0]);
  if (!l) return NULL;
  int32_t i;
  CHECK(napi_get_value_int32(env, argv[1], &i));
  pthread_mutex_lock(&l->mu);
  if (i == l->take_slot && l->slots[i].ready) {
    l->slots[i].ready = false;
    l->take_slot = (l->take_slot + 1) % SLOTS;
  }
  pthread_mutex_unlock(&l->mu);
  return NULL;
}

// laneSetPorts(lane, ifindexes: Int32Array, names: string[], state: Int32Array[admin|oper<<1, mtu]*n):
// the table, as STATE_DB holds it now. Only while the lane is stopped.
napi_value lane_set_ports(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (get_argv(env, info, 4, argv)) return NULL;
  lane_t *l = get_lane(env, argv[0]);
  if (!l) return NULL;
  size_t n1 = 0;
  uint32_t n3;
  int32_t *ifx, *st;
  CHECK(napi_get_array_length(env, argv[2], &n3));
  if (!typed_array(env, argv[1], napi_int32_array, 0, (void **)&ifx, &n1) ||
      !typed_array(env, argv[3], napi_int32_array, 2 * n1, (void **)&st, NULL) || n3 != n1) {
    napi_throw_type_error(env, NULL, "portsyncd lane: setPorts arrays do not match");
    return NULL;
  }
  pthread_mutex_lock(&l->mu);
  bool busy = l->busy || l->enabled;
  pthread_mutex_unlock(&l->mu);
  if (busy) {
    napi_throw_error(env, NULL, "portsyncd lane: the table changes only while the lane is stopped");
    return NULL;
  }
  // The thread does not read the table while stopped; laneStart's lock publishes it.
  int32_t count = 0;
  for (uint32_t i = 0; i < n3 && count < MAX_PORTS; i++) {
    napi_value name;
    size_t len;
    port_t *p = &l->ports[count];
    CHECK(napi_get_element(env, argv[2], i, &name));
    CHECK(napi_get_value_string_utf8(env, name, p->name, sizeof p->name, &len));
    if (len == 0 || len >= NAME_MAX_LEN) continue; // not a kernel link name: never matched
    p->ifindex = ifx[i];
    p->admin = (st[2 * i] & 1) != 0;
    p->oper = (st[2 * i] & 2) != 0;
    p->mtu = (uint32_t)st[2 * i + 1];
    count++;
  }
  l->nports = count;
  return NULL;
}

// laneClose(lane): stops and joins the thread, closes its Redis connection.
napi_value lane_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_argv(env, info, 1, argv)) return NULL;
  lane_t *l = get_lane(env, argv[0]);
  if (!l || !l->callback) return NULL;
  pthread_mutex_lock(&l->mu);
  l->quit = true;
  l->enabled = false;
  pthread_cond_signal(&l->cv);
  pthread_mutex_unlock(&l->mu);
  wake(l);
  pthread_join(l->thread, NULL);
  if (l->redis_fd >= 0) close(l->redis_fd);
  close(l->wake_fd);
  for (int i = 0; i < SLOTS; i++) napi_delete_reference(env, l->slot_refs[i]);
  napi_delete_reference(env, l->callback);
  l->callback = NULL;
  napi_async_destroy(env, l->context);
  uv_close((uv_handle_t *)&l->async, free_lane);
  return NULL;
}
