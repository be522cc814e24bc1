/*
 * The external load client of the network benchmarks (bench/load/): a
 * process of its own, so that the echo server under test has its process to
 * itself. bench/load/echo_client.ts is the same client in Deno, with the same
 * command line and output, for machines without a C compiler.
 *
 * Echo mode: N connections, each sending an M-byte message and waiting for
 * the whole echo before it sends the next (ping-pong), until COUNT messages
 * were echoed or MS milliseconds passed, whichever comes first. Every echoed
 * byte is compared with what was sent (each message carries its sequence
 * number, so a stale or reordered echo fails too). Prints one JSON line:
 *
 *   {"client":"c","mode":"echo","connections":N,"size":M,"messages":done,
 *    "seconds":s,"messagesPerSec":r,"mbPerSec":b,"p50Us":x,"p99Us":y,
 *    "stoppedBy":"count"|"time"}
 *
 * mbPerSec counts the echoed bytes one way, in 10^6 bytes; p50Us and p99Us
 * are the round trips of single messages (send to whole echo).
 *
 * Idle mode (--idle N): opens N connections, sends one byte on each and
 * waits for its echo (so the server has accepted each and is waiting to read
 * again), prints {"client":"c","mode":"idle","connections":N,"ready":true},
 * then holds the connections until its stdin ends or --time-ms passes, and
 * closes them with a reset (no TIME_WAIT left behind).
 *
 *   echo_client --port P [--host 127.0.0.1] [--connections N] [--size M]
 *               [--messages COUNT] [--time-ms MS] [--warmup-ms MS]
 *   echo_client --port P [--host 127.0.0.1] --idle N [--time-ms MS]
 *
 * Errors (refused connection, early close, wrong bytes, no echo at all
 * before the deadline) print "echo_client: ..." on stderr and exit with 1;
 * a bad command line exits with 2. Linux (epoll), nonblocking sockets,
 * TCP_NODELAY on every connection.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Connections in flight at once (asyncio's listen backlog is 100; what
 * overflows a backlog is dropped, and retried a second later). */
#define CONNECTS_IN_FLIGHT 64
/* Time allowed to open the connections, on top of --time-ms (echo mode). */
#define CONNECT_MS 10000.0
/* Round-trip samples kept for the percentiles. */
#define MAX_SAMPLES (1u << 22)
#define RECV_BUFFER 65536

enum state { CONNECTING, OPEN, DONE };

struct conn {
  int fd;
  enum state state;
  int want_out;          /* EPOLLOUT registered */
  unsigned char *msg;    /* the message in flight */
  size_t sent, got;      /* bytes of it sent, and echoed back */
  int busy;              /* a message is in flight */
  uint64_t seq;          /* messages started on this connection */
  double started_at;     /* when the message in flight was started */
};

static const char *host = "127.0.0.1";
static int port = -1;
static long connections = 1, size = 64, idle = 0;
static long long messages = 1000000;
static double time_ms = -1, warmup_ms = 0; /* -1: 1 s, 60 s with --idle */

static int epfd;
static struct conn *conns;
static unsigned char *rbuf;
static uint32_t *samples;
static size_t nsamples, samples_cap;

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("echo_client: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void usage(const char *why) {
  fprintf(stderr,
          "echo_client: %s\n"
          "usage: echo_client --port P [--host H] [--connections N] "
          "[--size BYTES] [--messages COUNT] [--time-ms MS] [--warmup-ms MS]\n"
          "       echo_client --port P [--host H] --idle N [--time-ms MS]\n",
          why);
  exit(2);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long long parse_int(const char *name, const char *text, long long min,
                           long long max) {
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || *text == '\0' || *end != '\0' || v < min || v > max) {
    char why[200];
    snprintf(why, sizeof why, "%s must be an integer in [%lld, %lld], got '%s'",
             name, min, max, text);
    usage(why);
  }
  return v;
}

static void parse_args(int argc, char **argv) {
  const char *echo_only = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (i + 1 >= argc) {
      char why[200];
      snprintf(why, sizeof why, "'%s' needs a value or is not an option", a);
      usage(why);
    }
    const char *v = argv[++i];
    if (!strcmp(a, "--connections") || !strcmp(a, "--size") ||
        !strcmp(a, "--messages") || !strcmp(a, "--warmup-ms"))
      echo_only = a;
    if (!strcmp(a, "--host")) host = v;
    else if (!strcmp(a, "--port")) port = parse_int(a, v, 1, 65535);
    else if (!strcmp(a, "--connections"))
      connections = parse_int(a, v, 1, 100000);
    else if (!strcmp(a, "--size")) size = parse_int(a, v, 1, 1 << 26);
    else if (!strcmp(a, "--messages"))
      messages = parse_int(a, v, 1, 1000000000000LL);
    else if (!strcmp(a, "--time-ms")) time_ms = parse_int(a, v, 1, 86400000);
    else if (!strcmp(a, "--warmup-ms"))
      warmup_ms = parse_int(a, v, 0, 86400000);
    else if (!strcmp(a, "--idle")) idle = parse_int(a, v, 1, 1000000);
    else {
      char why[200];
      snprintf(why, sizeof why, "unknown option '%s'", a);
      usage(why);
    }
  }
  if (port < 0) usage("--port is required");
  if (time_ms < 0) time_ms = idle ? 60000 : 1000;
  if (idle && echo_only) {
    char why[200];
    snprintf(why, sizeof why, "%s does not apply to --idle", echo_only);
    usage(why);
  }
}

static void raise_fd_limit(long needed) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur >= (rlim_t)needed) return;
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)needed)
    die("%ld connections need %ld file descriptors; the hard limit is %lu",
        needed - 16, needed, (unsigned long)rl.rlim_max);
  rl.rlim_cur = needed;
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
    die("cannot raise the file descriptor limit to %ld: %s", needed,
        strerror(errno));
}

static void watch(struct conn *c, long index, int out) {
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0),
                           .data.u64 = (uint64_t)index};
  if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
    die("epoll_ctl: %s", strerror(errno));
  c->want_out = out;
}

static void start_connect(long i, struct sockaddr_in *addr) {
  struct conn *c = &conns[i];
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) die("socket: %s", strerror(errno));
  int one = 1;
  if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
    die("TCP_NODELAY: %s", strerror(errno));
  if (connect(c->fd, (struct sockaddr *)addr, sizeof *addr) != 0 &&
      errno != EINPROGRESS)
    die("connect to %s:%d: %s", host, port, strerror(errno));
  struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = (uint64_t)i};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0)
    die("epoll_ctl: %s", strerror(errno));
  c->state = CONNECTING;
  c->want_out = 1;
}

static void stamp(struct conn *c) {
  /* The first bytes carry the sequence number, 5 bits a byte, never '\n'. */
  uint64_t seq = c->seq++;
  size_t n = size < 8 ? (size_t)size : 8;
  for (size_t k = 0; k < n; k++, seq >>= 5) c->msg[k] = 'a' + (seq & 31);
}

static void record(double rtt_ms) {
  if (nsamples == samples_cap) {
    if (samples_cap == MAX_SAMPLES) return;
    samples_cap = samples_cap ? samples_cap * 2 : 65536;
    samples = realloc(samples, samples_cap * sizeof *samples);
    if (!samples) die("out of memory");
  }
  double ns = rtt_ms * 1e6;
  samples[nsamples++] = ns > 4e9 ? 4000000000u : (uint32_t)ns;
}

/* Sends what is left of the message in flight; EPOLLOUT while blocked. */
static void pump(struct conn *c, long i) {
  while (c->sent < (size_t)size) {
    ssize_t n = send(c->fd, c->msg + c->sent, size - c->sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      die("send: %s", strerror(errno));
    }
    c->sent += n;
  }
  int out = c->sent < (size_t)size;
  if (out != c->want_out) watch(c, i, out);
}

static void begin(struct conn *c, long i) {
  stamp(c);
  c->sent = c->got = 0;
  c->busy = 1;
  c->started_at = now_ms();
  pump(c, i);
}

/* Reads echoed bytes and checks them; returns 1 when the message is whole. */
static int drain(struct conn *c) {
  ssize_t n = recv(c->fd, rbuf, RECV_BUFFER, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    die("recv: %s", strerror(errno));
  }
  if (n == 0) die("the server closed a connection before the echo was whole");
  if (!c->busy || c->got + n > c->sent)
    die("the server sent %zd bytes that were not sent to it", n);
  if (memcmp(rbuf, c->msg + c->got, n) != 0)
    die("the echo differs from the message sent (message %llu, bytes %zu-%zu)",
        (unsigned long long)c->seq - 1, c->got, c->got + n);
  c->got += n;
  return c->got == (size_t)size;
}

/*
 * Opens n connections, at most CONNECTS_IN_FLIGHT at a time. With ping, each
 * also sends one byte and counts as in flight until its echo is back: a
 * connect completes once the server's kernel has queued it, before the
 * server accepts it, so only the echo shows the server has taken it, and
 * waiting for it keeps the listen backlog from overflowing (the kernel drops
 * what overflows, and the peer tries again a second later).
 */
static void open_all(long n, double deadline, int ping) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
    die("--host must be an IPv4 address, got '%s'", host);
  long next = 0, ready = 0, in_flight = 0;
  struct epoll_event events[256];
  while (ready < n) {
    while (next < n && in_flight < CONNECTS_IN_FLIGHT) {
      start_connect(next++, &addr);
      in_flight++;
    }
    double left = deadline - now_ms();
    if (left <= 0)
      die("only %ld of %ld connections %s before the deadline", ready, n,
          ping ? "opened and echoed" : "opened");
    int k = epoll_wait(epfd, events, 256, (int)left + 1);
    if (k < 0 && errno != EINTR) die("epoll_wait: %s", strerror(errno));
    for (int e = 0; e < k; e++) {
      long i = (long)events[e].data.u64;
      struct conn *c = &conns[i];
      if (c->state == CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) die("connect to %s:%d: %s", host, port, strerror(err));
        c->state = OPEN;
        watch(c, i, 0);
        if (ping) {
          begin(c, i);
          continue;
        }
        ready++;
        in_flight--;
        continue;
      }
      if (events[e].events & EPOLLOUT && c->busy) pump(c, i);
      if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      if (drain(c)) {
        c->busy = 0;
        ready++;
        in_flight--;
      }
    }
  }
}

static int by_value(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static void run_echo(void) {
  double deadline = now_ms() + CONNECT_MS;
  open_all(connections, deadline, 0);
  /* Warm-up, then the timed part: in-flight messages carry over. */
  int warming = warmup_ms > 0;
  double start = now_ms();
  double phase_end = start + (warming ? warmup_ms : time_ms);
  long long started = 0, done = 0;
  for (long i = 0; i < connections; i++) {
    if (!warming && started >= messages) break;
    if (!warming) started++;
    begin(&conns[i], i);
  }
  const char *stopped_by = "time";
  struct epoll_event events[256];
  for (;;) {
    double t = now_ms();
    if (t >= phase_end) {
      if (!warming) break;
      warming = 0;
      start = t;
      phase_end = t + time_ms;
      nsamples = 0;
      /* Messages in flight now count, as if started now. */
      for (long i = 0; i < connections; i++)
        if (conns[i].busy) started++;
      continue;
    }
    int k = epoll_wait(epfd, events, 256, (int)(phase_end - t) + 1);
    if (k < 0 && errno != EINTR) die("epoll_wait: %s", strerror(errno));
    for (int e = 0; e < k; e++) {
      long i = (long)events[e].data.u64;
      struct conn *c = &conns[i];
      if (events[e].events & EPOLLOUT && c->busy) pump(c, i);
      if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      if (!drain(c)) continue;
      c->busy = 0;
      if (!warming) {
        done++;
        record(now_ms() - c->started_at);
        if (started >= messages) continue;
        started++;
      }
      begin(c, i);
    }
    if (!warming && done >= messages) {
      stopped_by = "count";
      break;
    }
  }
  double seconds = (now_ms() - start) / 1e3;
  if (done == 0)
    die("no echo came back within %.0f ms (%ld connections, %ld bytes)",
        time_ms, connections, size);
  double p50 = 0, p99 = 0;
  if (nsamples > 0) {
    qsort(samples, nsamples, sizeof *samples, by_value);
    size_t i50 = (size_t)((nsamples * 50 + 99) / 100), i99 =
        (size_t)((nsamples * 99 + 99) / 100);
    p50 = samples[i50 ? i50 - 1 : 0] / 1e3;
    p99 = samples[i99 ? i99 - 1 : 0] / 1e3;
  }
  printf("{\"client\":\"c\",\"mode\":\"echo\",\"connections\":%ld,"
         "\"size\":%ld,\"messages\":%lld,\"seconds\":%.6f,"
         "\"messagesPerSec\":%.1f,\"mbPerSec\":%.3f,\"p50Us\":%.1f,"
         "\"p99Us\":%.1f,\"stoppedBy\":\"%s\"}\n",
         connections, size, done, seconds, done / seconds,
         done * (double)size / seconds / 1e6, p50, p99, stopped_by);
  for (long i = 0; i < connections; i++) close(conns[i].fd);
}

static void run_idle(void) {
  double deadline = now_ms() + time_ms;
  /* One byte each way on every connection: the server has accepted it and
   * waits to read again. */
  open_all(idle, deadline, 1);
  struct epoll_event events[256];
  printf("{\"client\":\"c\",\"mode\":\"idle\",\"connections\":%ld,"
         "\"ready\":true}\n",
         idle);
  fflush(stdout);
  /* Hold until stdin ends or the deadline; a connection that the server
   * closes or writes to meanwhile is an error. */
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)-1};
  /* stdin that epoll cannot watch (a file, /dev/null): hold until then. */
  epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev);
  for (;;) {
    double left = deadline - now_ms();
    if (left <= 0) break;
    int k = epoll_wait(epfd, events, 256, (int)left + 1);
    if (k < 0 && errno != EINTR) die("epoll_wait: %s", strerror(errno));
    int stop = 0;
    for (int e = 0; e < k; e++) {
      if (events[e].data.u64 == (uint64_t)-1) {
        char b[256];
        ssize_t n = read(0, b, sizeof b);
        if (n <= 0) stop = 1;
        continue;
      }
      drain(&conns[events[e].data.u64]); /* dies: nothing may arrive */
    }
    if (stop) break;
  }
  struct linger reset = {.l_onoff = 1, .l_linger = 0};
  for (long i = 0; i < idle; i++) {
    setsockopt(conns[i].fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(conns[i].fd);
  }
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  long n = idle ? idle : connections;
  raise_fd_limit(n + 16);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die("epoll_create1: %s", strerror(errno));
  conns = calloc(n, sizeof *conns);
  rbuf = malloc(RECV_BUFFER);
  if (!conns || !rbuf) die("out of memory");
  if (idle) size = 1;
  for (long i = 0; i < n; i++) {
    /* A pattern that differs between connections, then the stamp. */
    conns[i].msg = malloc(size);
    if (!conns[i].msg) die("out of memory");
    for (long k = 0; k < size; k++) conns[i].msg[k] = 'A' + (k * 7 + i) % 26;
  }
  if (idle) {
    run_idle();
  } else {
    run_echo();
  }
  return 0;
}
