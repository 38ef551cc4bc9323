/*
 * Open-loop HTTP/1.1 load generator for `npm run bench` (issue 19: p99 under a fixed offered load). Requests
 * are DUE at a fixed rate whatever the server does; each one's latency is counted from its due time, not from
 * when a free connection let it go, so a stalled server cannot hide the stall by slowing the generator down
 * (coordinated omission, which a closed loop such as wrk's has; wrk2 corrects it the same way and Debian does
 * not package it). One thread, epoll, non-blocking keep-alive connections, one request in flight per
 * connection (no pipelining): a request due while every connection is busy waits here, and that wait counts.
 * Between events the loop sleeps in epoll_wait with a timerfd armed for the next due time (nanosecond
 * resolution), so a request goes out within microseconds of being due — and, unlike a busy poll, the generator
 * is woken promptly even when another process shares its core.
 *
 *   open-loop HOST PORT REQUEST_FILE RATE WARMUP_S SECONDS CONNECTIONS
 *
 * REQUEST_FILE holds the raw request bytes (request line, headers, blank line, body). Prints one JSON line.
 * Built on demand by test/bench/open-loop.ts with the system's C compiler.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define BUF 65536

typedef struct {
  int fd;
  int64_t due; /* ns; -1 when idle */
  size_t sent; /* bytes of the request written so far */
  char buf[BUF];
  size_t len;
} conn_t;

static char *request;
static size_t request_len;
static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static double *lat;
static size_t nlat, caplat;
static int64_t from_ns, to_ns;
static long answered, non2xx, errors, sent_total;
static int64_t *backlog;
static size_t bl_head, bl_tail, bl_cap;
static conn_t **idle;
static size_t nidle;

static void record(int64_t due, int64_t now) {
  if (due < from_ns || due >= to_ns) return;
  if (nlat == caplat) {
    caplat = caplat ? caplat * 2 : 1 << 16;
    lat = realloc(lat, caplat * sizeof(double));
  }
  lat[nlat++] = (now - due) / 1e6;
}

static void write_rest(conn_t *c) {
  while (c->sent < request_len) {
    ssize_t n = write(c->fd, request + c->sent, request_len - c->sent);
    if (n < 0) {
      if (errno == EAGAIN) return; /* EPOLLOUT is not watched: the next tick retries */
      errors++;
      return;
    }
    c->sent += (size_t)n;
  }
}

static void send_on(conn_t *c, int64_t due) {
  c->due = due;
  c->sent = 0;
  sent_total++;
  write_rest(c);
}

/* Length of the first complete response in c->buf (0 while incomplete); its status in *status. */
static size_t complete(conn_t *c, int *status) {
  char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
  if (!end) return 0;
  size_t head = (size_t)(end - c->buf) + 4;
  *status = atoi(c->buf + 9);
  for (char *p = c->buf; p < end; p++) {
    if (*p != '\n') continue;
    if (strncasecmp(p + 1, "content-length:", 15) == 0) {
      size_t total = head + strtoul(p + 16, NULL, 10);
      return c->len >= total ? total : 0;
    }
    if (strncasecmp(p + 1, "transfer-encoding:", 18) == 0) {
      size_t at = head;
      for (;;) {
        char *line = memmem(c->buf + at, c->len - at, "\r\n", 2);
        if (!line) return 0;
        size_t size = strtoul(c->buf + at, NULL, 16);
        at = (size_t)(line - c->buf) + 2 + size + 2;
        if (c->len < at) return 0;
        if (size == 0) return at;
      }
    }
  }
  return head;
}

static void on_readable(conn_t *c) {
  for (;;) {
    ssize_t n = read(c->fd, c->buf + c->len, BUF - c->len);
    if (n < 0) {
      if (errno != EAGAIN) errors++;
      break;
    }
    if (n == 0) { /* closed by the server */
      if (c->due >= 0) errors++;
      c->due = -2;
      return;
    }
    c->len += (size_t)n;
    int status;
    size_t used;
    while (c->due >= 0 && (used = complete(c, &status)) > 0) {
      int64_t now = now_ns();
      record(c->due, now);
      answered++;
      if (status < 200 || status >= 300) non2xx++;
      memmove(c->buf, c->buf + used, c->len - used);
      c->len -= used;
      if (bl_head != bl_tail) send_on(c, backlog[bl_head++ % bl_cap]);
      else {
        c->due = -1;
        idle[nidle++] = c;
      }
    }
    if (c->len == BUF) { errors++; c->len = 0; }
  }
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double p) { return nlat ? lat[(size_t)(p * (nlat - 1) + 0.5)] : -1; }

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: open-loop HOST PORT REQUEST_FILE RATE WARMUP_S SECONDS CONNECTIONS\n");
    return 2;
  }
  FILE *f = fopen(argv[3], "rb");
  if (!f) { perror("request file"); return 2; }
  fseek(f, 0, SEEK_END);
  request_len = (size_t)ftell(f);
  rewind(f);
  request = malloc(request_len);
  if (fread(request, 1, request_len, f) != request_len) { perror("read"); return 2; }
  fclose(f);
  double rate = atof(argv[4]), warmup = atof(argv[5]), seconds = atof(argv[6]);
  int nconn = atoi(argv[7]);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])) };
  inet_pton(AF_INET, argv[1], &addr.sin_addr);
  int ep = epoll_create1(0);
  conn_t *conns = calloc((size_t)nconn, sizeof(conn_t));
  idle = calloc((size_t)nconn, sizeof(conn_t *));
  for (int i = 0; i < nconn; i++) {
    conn_t *c = &conns[i];
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 1; }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    c->due = -1;
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    idle[nidle++] = c;
  }
  bl_cap = (size_t)(rate * (warmup + seconds)) + 16;
  backlog = malloc(bl_cap * sizeof(int64_t));
  double interval = 1e9 / rate;
  int64_t start = now_ns() + 1000000;
  from_ns = start + (int64_t)(warmup * 1e9);
  to_ns = from_ns + (int64_t)(seconds * 1e9);
  long offered = 0, offered_measured = 0;
  int64_t next = start;
  struct epoll_event events[256];
  int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  struct epoll_event tev = { .events = EPOLLIN, .data.ptr = NULL };
  epoll_ctl(ep, EPOLL_CTL_ADD, timer, &tev);
  int64_t drain_until = to_ns + 5000000000LL;
  for (;;) {
    int64_t now = now_ns();
    while (next <= now && next < to_ns) {
      if (next >= from_ns) offered_measured++;
      if (nidle) send_on(idle[--nidle], next);
      else backlog[bl_tail++ % bl_cap] = next;
      next = start + (int64_t)(++offered * interval);
    }
    for (int i = 0; i < nconn; i++) if (conns[i].due >= 0 && conns[i].sent < request_len) write_rest(&conns[i]);
    if (next < to_ns) {
      struct itimerspec at = { .it_value = { .tv_sec = next / 1000000000, .tv_nsec = next % 1000000000 } };
      timerfd_settime(timer, TFD_TIMER_ABSTIME, &at, NULL);
    }
    int n = epoll_wait(ep, events, 256, next < to_ns ? -1 : 10);
    for (int i = 0; i < n; i++) {
      if (events[i].data.ptr == NULL) {
        uint64_t expirations;
        if (read(timer, &expirations, sizeof expirations) < 0) { /* already consumed */ }
        continue;
      }
      on_readable(events[i].data.ptr);
    }
    if (next >= to_ns) {
      int busy = bl_head != bl_tail;
      for (int i = 0; i < nconn && !busy; i++) busy = conns[i].due >= 0;
      if (!busy || now > drain_until) break;
    }
  }
  /* Unanswered requests of the window waited at least until now: counted so, never left out of the percentiles. */
  int64_t now = now_ns();
  long unanswered = 0;
  for (size_t i = bl_head; i != bl_tail; i++, unanswered++) record(backlog[i % bl_cap], now);
  for (int i = 0; i < nconn; i++) if (conns[i].due >= 0) { record(conns[i].due, now); unanswered++; }
  qsort(lat, nlat, sizeof(double), cmp);
  printf("{\"offered\":%ld,\"sent\":%ld,\"answered\":%ld,\"non2xx\":%ld,\"errors\":%ld,\"unanswered\":%ld,\"rps\":%.1f,"
         "\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f}\n",
         offered_measured, sent_total, answered, non2xx, errors, unanswered, nlat / seconds,
         pct(0.5), pct(0.9), pct(0.99), pct(0.999), nlat ? lat[nlat - 1] : -1);
  return 0;
}
