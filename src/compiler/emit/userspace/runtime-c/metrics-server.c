/* --metrics ADDR:PORT: a minimal HTTP/1.1 server answering `GET /metrics` with the map
 * contents in the Prometheus text format (version 0.0.4), 404 for any other path, 405 for
 * another method, 400 for what is not a request line, 431 for a request head over
 * KS_HTTP_MAX_REQUEST bytes. It runs on a thread of its own with every signal blocked (the
 * loader's main work, a user main included, is never held up by a client, and stop
 * signals still reach the main thread): one poll() loop over the listening socket, at most
 * KS_HTTP_MAX_CLIENTS connections, non-blocking sockets, and a deadline per connection
 * (KS_HTTP_CLIENT_MS from accept to the last byte sent), so a client that sends garbage,
 * a huge header, nothing, or reads nothing is dropped and never stops the loader. Writes
 * use MSG_NOSIGNAL: a client gone away must not raise SIGPIPE, which stops the loader.
 * Each answer closes its connection (`Connection: close`).
 * The thread reads the maps through their fds (bpf() system calls, safe from any thread);
 * ks_fleet_stop stops and joins it before anything is detached or the skeleton destroyed.
 * Needs before it: ks_attachment_count, ks_metrics_write_maps (written per program). */
#include <pthread.h>
#include <poll.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <netinet/in.h>

#define KS_HTTP_MAX_CLIENTS 16
#define KS_HTTP_MAX_REQUEST 8192
#define KS_HTTP_CLIENT_MS 5000
/* Entries exported per map at most; a map with more says so in its `_truncated` gauge. */
#define KS_METRICS_MAX_ENTRIES 10000

/* A growing text buffer; `failed` once an allocation failed (the answer is then a 500). */
struct ks_text {
    char *data;
    size_t length;
    size_t capacity;
    bool failed;
};

static KS_UNUSED __attribute__((format(printf, 2, 3))) void ks_text_printf(struct ks_text *text, const char *format, ...) {
    if (text->failed) return;
    for (;;) {
        size_t room = text->capacity - text->length;
        va_list args;
        va_start(args, format);
        int n = vsnprintf(text->data ? text->data + text->length : NULL, room, format, args);
        va_end(args);
        if (n < 0) {
            text->failed = true;
            return;
        }
        if ((size_t)n < room) {
            text->length += (size_t)n;
            return;
        }
        size_t capacity = text->capacity ? text->capacity * 2 : 4096;
        while (capacity - text->length <= (size_t)n) capacity *= 2;
        char *grown = realloc(text->data, capacity);
        if (!grown) {
            text->failed = true;
            return;
        }
        text->data = grown;
        text->capacity = capacity;
    }
}

/* The per-program part: one family per exported map field (emit/userspace/metrics.ts). */
static void ks_metrics_write_maps(struct ks_text *out);

struct ks_http_client {
    int fd;
    size_t received;
    char request[KS_HTTP_MAX_REQUEST];
    char *response;
    size_t response_length;
    size_t sent;
    __u64 deadline_ms;
};

static struct {
    int listen_fd;
    int wake[2];
    bool running;
    pthread_t thread;
    struct ks_http_client clients[KS_HTTP_MAX_CLIENTS];
} ks_metrics_server = { .listen_fd = -1, .wake = { -1, -1 } };
/* ADDR:PORT the server listens on (the port the kernel chose for port 0), for messages and the ready file. */
static char ks_metrics_address[80];

static __u64 ks_metrics_now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (__u64)t.tv_sec * 1000 + (__u64)t.tv_nsec / 1000000;
}

/* The whole text of a scrape: the loader's own gauges, then the maps. */
static void ks_metrics_write(struct ks_text *out) {
    ks_text_printf(out, "# HELP kernelscript_up Whether the loader of " KS_BINARY_NAME " runs (always 1 when it answers).\n");
    ks_text_printf(out, "# TYPE kernelscript_up gauge\nkernelscript_up 1\n");
    ks_text_printf(out, "# HELP kernelscript_programs_attached Attachments of eBPF programs this loader holds now.\n");
    ks_text_printf(out, "# TYPE kernelscript_programs_attached gauge\nkernelscript_programs_attached %d\n", __atomic_load_n(&ks_attachment_count, __ATOMIC_RELAXED));
    ks_metrics_write_maps(out);
}

/* Sets the client's answer: status line, headers, body. */
static void ks_http_respond(struct ks_http_client *client, const char *status, const char *content_type, const char *body, size_t body_length) {
    struct ks_text answer = { 0 };
    ks_text_printf(&answer, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
                   status, content_type, body_length, strncmp(status, "405", 3) == 0 ? "Allow: GET\r\n" : "");
    if (!answer.failed && body_length > 0) {
        size_t need = answer.length + body_length;
        char *grown = need <= answer.capacity ? answer.data : realloc(answer.data, need);
        if (grown) {
            memcpy(grown + answer.length, body, body_length);
            answer.data = grown;
            answer.length = need;
            answer.capacity = need > answer.capacity ? need : answer.capacity;
        } else {
            answer.failed = true;
        }
    }
    if (answer.failed) {
        free(answer.data);
        static const char fallback[] = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        answer.data = strdup(fallback);
        answer.length = answer.data ? sizeof(fallback) - 1 : 0;
    }
    client->response = answer.data;
    client->response_length = answer.length;
    client->sent = 0;
}

static void ks_http_respond_text(struct ks_http_client *client, const char *status, const char *message) {
    ks_http_respond(client, status, "text/plain; charset=utf-8", message, strlen(message));
}

/* A whole request head arrived (or the buffer is full): decide the answer. */
static void ks_http_answer(struct ks_http_client *client, bool complete) {
    if (!complete) {
        ks_http_respond_text(client, "431 Request Header Fields Too Large", "request head too large\n");
        return;
    }
    /* The request line: METHOD SP TARGET SP HTTP/1.x */
    char *line = client->request;
    char *end = strstr(line, "\r\n");
    if (end) *end = '\0';
    char *space = strchr(line, ' ');
    char *target = space ? space + 1 : NULL;
    char *version = target ? strchr(target, ' ') : NULL;
    if (!space || !version || strncmp(version + 1, "HTTP/1.", 7) != 0 || space == line) {
        ks_http_respond_text(client, "400 Bad Request", "bad request\n");
        return;
    }
    *space = '\0';
    *version = '\0';
    if (strcmp(line, "GET") != 0) {
        ks_http_respond_text(client, "405 Method Not Allowed", "only GET\n");
        return;
    }
    size_t path_length = strcspn(target, "?");
    if (path_length != strlen("/metrics") || strncmp(target, "/metrics", path_length) != 0) {
        ks_http_respond_text(client, "404 Not Found", "not found: the metrics are at /metrics\n");
        return;
    }
    struct ks_text body = { 0 };
    ks_metrics_write(&body);
    if (body.failed) ks_http_respond_text(client, "500 Internal Server Error", "out of memory\n");
    else ks_http_respond(client, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body.data ? body.data : "", body.length);
    free(body.data);
}

static void ks_http_close(struct ks_http_client *client) {
    if (client->fd >= 0) close(client->fd);
    free(client->response);
    client->fd = -1;
    client->response = NULL;
    client->received = 0;
}

/* Reads what the client sent; answers once the head is complete. */
static void ks_http_read(struct ks_http_client *client) {
    size_t room = sizeof(client->request) - 1 - client->received;
    ssize_t n = recv(client->fd, client->request + client->received, room, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        ks_http_close(client);
        return;
    }
    if (n < 0) return;
    client->received += (size_t)n;
    client->request[client->received] = '\0';
    /* A NUL byte is no part of an HTTP request head (and would hide the rest from strstr). */
    if (strlen(client->request) != client->received) {
        ks_http_respond_text(client, "400 Bad Request", "bad request\n");
        return;
    }
    bool complete = strstr(client->request, "\r\n\r\n") != NULL || strstr(client->request, "\n\n") != NULL;
    if (complete || client->received == sizeof(client->request) - 1) ks_http_answer(client, complete);
}

/* Sends what is left of the answer; closes the connection when all of it went out. */
static void ks_http_write(struct ks_http_client *client) {
    ssize_t n = send(client->fd, client->response + client->sent, client->response_length - client->sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n < 0) {
        ks_http_close(client);
        return;
    }
    client->sent += (size_t)n;
    if (client->sent == client->response_length) {
        /* Let the client read everything before the close (no reset over unread request bytes). */
        shutdown(client->fd, SHUT_WR);
        ks_http_close(client);
    }
}

static void *ks_metrics_serve(void *unused) {
    (void)unused;
    struct pollfd fds[2 + KS_HTTP_MAX_CLIENTS];
    for (;;) {
        int count = 0, active = 0;
        fds[count++] = (struct pollfd){ .fd = ks_metrics_server.wake[0], .events = POLLIN };
        __u64 now = ks_metrics_now_ms();
        int timeout = -1;
        for (int i = 0; i < KS_HTTP_MAX_CLIENTS; i++) {
            struct ks_http_client *client = &ks_metrics_server.clients[i];
            if (client->fd < 0) continue;
            if (now >= client->deadline_ms) {
                ks_http_close(client);
                continue;
            }
            active++;
            int left = (int)(client->deadline_ms - now);
            if (timeout < 0 || left < timeout) timeout = left;
        }
        /* Full: new connections wait in the listen backlog until a slot is free. */
        int listen_slot = -1;
        if (active < KS_HTTP_MAX_CLIENTS) {
            listen_slot = count;
            fds[count++] = (struct pollfd){ .fd = ks_metrics_server.listen_fd, .events = POLLIN };
        }
        int first_client = count;
        int slot_of[KS_HTTP_MAX_CLIENTS];
        for (int i = 0; i < KS_HTTP_MAX_CLIENTS; i++) {
            struct ks_http_client *client = &ks_metrics_server.clients[i];
            if (client->fd < 0) continue;
            slot_of[count - first_client] = i;
            fds[count++] = (struct pollfd){ .fd = client->fd, .events = client->response ? POLLOUT : POLLIN };
        }
        if (poll(fds, (nfds_t)count, timeout) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[0].revents) break;
        for (int k = first_client; k < count; k++) {
            struct ks_http_client *client = &ks_metrics_server.clients[slot_of[k - first_client]];
            if (!fds[k].revents) continue;
            if (fds[k].revents & (POLLERR | POLLNVAL)) ks_http_close(client);
            else if (client->response) ks_http_write(client);
            else ks_http_read(client);
            /* Answered at once: try to send it without waiting for another poll round. */
            if (client->fd >= 0 && client->response && client->sent == 0) ks_http_write(client);
        }
        if (listen_slot >= 0 && (fds[listen_slot].revents & POLLIN)) {
            for (int i = 0; i < KS_HTTP_MAX_CLIENTS; i++) {
                struct ks_http_client *client = &ks_metrics_server.clients[i];
                if (client->fd >= 0) continue;
                int fd = accept(ks_metrics_server.listen_fd, NULL, NULL);
                if (fd < 0) break;
                if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
                    close(fd);
                    continue;
                }
                client->fd = fd;
                client->received = 0;
                client->deadline_ms = ks_metrics_now_ms() + KS_HTTP_CLIENT_MS;
            }
        }
    }
    for (int i = 0; i < KS_HTTP_MAX_CLIENTS; i++) ks_http_close(&ks_metrics_server.clients[i]);
    return NULL;
}

/* ADDR:PORT into a socket address: an IPv4 address, or an IPv6 one in brackets ([::]:9464). */
static int ks_metrics_parse_address(const char *text, struct sockaddr_storage *address, socklen_t *length) {
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text) return -1;
    char host[64];
    const char *host_start = text;
    size_t host_length = (size_t)(colon - text);
    bool bracketed = text[0] == '[' && colon[-1] == ']';
    if (bracketed) {
        host_start++;
        host_length -= 2;
    }
    if (host_length == 0 || host_length >= sizeof(host)) return -1;
    memcpy(host, host_start, host_length);
    host[host_length] = '\0';
    char *end = NULL;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (errno != 0 || end == colon + 1 || *end != '\0' || port > 65535 || colon[1] == '-' || colon[1] == '+') return -1;
    memset(address, 0, sizeof(*address));
    if (!bracketed) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)address;
        if (inet_pton(AF_INET, host, &v4->sin_addr) != 1) return -1;
        v4->sin_family = AF_INET;
        v4->sin_port = htons((unsigned short)port);
        *length = sizeof(*v4);
        return 0;
    }
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)address;
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) != 1) return -1;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((unsigned short)port);
    *length = sizeof(*v6);
    return 0;
}

/* Listens on `where` and starts the server thread; 0 / -1 with the cause printed. */
static KS_UNUSED int ks_metrics_start(const char *where) {
    struct sockaddr_storage address;
    socklen_t length = 0;
    if (ks_metrics_parse_address(where, &address, &length) != 0) {
        fprintf(stderr, "error: --metrics expects ADDR:PORT (an IPv4 address, or an IPv6 one in brackets; port 0: any free port), e.g. 0.0.0.0:9464 or [::]:9464, got '%s'\n", where);
        return -1;
    }
    int fd = socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int on = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(fd, (struct sockaddr *)&address, length) != 0 || listen(fd, 64) != 0) {
        int err = errno;
        if (fd >= 0) close(fd);
        fprintf(stderr, "error: --metrics %s: cannot listen there: %s\n", where, strerror(err));
        return -1;
    }
    struct sockaddr_storage bound;
    socklen_t bound_length = sizeof(bound);
    char host[64] = "?";
    unsigned port = 0;
    if (getsockname(fd, (struct sockaddr *)&bound, &bound_length) == 0) {
        if (bound.ss_family == AF_INET) {
            struct sockaddr_in *v4 = (struct sockaddr_in *)&bound;
            inet_ntop(AF_INET, &v4->sin_addr, host, sizeof(host));
            port = ntohs(v4->sin_port);
        } else {
            struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&bound;
            host[0] = '[';
            inet_ntop(AF_INET6, &v6->sin6_addr, host + 1, sizeof(host) - 2);
            strcat(host, "]");
            port = ntohs(v6->sin6_port);
        }
    }
    snprintf(ks_metrics_address, sizeof(ks_metrics_address), "%s:%u", host, port);
    if (pipe(ks_metrics_server.wake) != 0) {
        int err = errno;
        close(fd);
        fprintf(stderr, "error: --metrics: %s\n", strerror(err));
        return -1;
    }
    for (int i = 0; i < KS_HTTP_MAX_CLIENTS; i++) ks_metrics_server.clients[i].fd = -1;
    ks_metrics_server.listen_fd = fd;
    /* The thread blocks every signal: SIGINT/SIGTERM go to the main thread, whose sleeps they end. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int err = pthread_create(&ks_metrics_server.thread, NULL, ks_metrics_serve, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0) {
        fprintf(stderr, "error: --metrics: cannot start the server thread: %s\n", strerror(err));
        close(fd);
        ks_metrics_server.listen_fd = -1;
        return -1;
    }
    ks_metrics_server.running = true;
    fprintf(stderr, KS_BINARY_NAME ": metrics at http://%s/metrics\n", ks_metrics_address);
    return 0;
}

/* Stops the server thread and closes its sockets (idempotent). */
static void ks_metrics_stop(void) {
    if (!ks_metrics_server.running) return;
    ks_metrics_server.running = false;
    char byte = 0;
    while (write(ks_metrics_server.wake[1], &byte, 1) < 0 && errno == EINTR) {}
    pthread_join(ks_metrics_server.thread, NULL);
    close(ks_metrics_server.listen_fd);
    close(ks_metrics_server.wake[0]);
    close(ks_metrics_server.wake[1]);
    ks_metrics_server.listen_fd = -1;
}
