/* The default user-space program of a .ks file without `main` (emit/userspace/default-main.ts
 * writes what depends on the program: ks_usage, ks_print_maps, the attach calls and main).
 * Needs, defined before it is pasted:
 *   KS_BINARY                    the binary's name, for messages
 *   KS_INTERFACE_PROGRAMS        (optional) the XDP/TC programs `-i` attaches, for messages;
 *                                 without it there is no -i option
 *   KS_CGROUP_PROGRAMS           (optional) the cgroup programs `--cgroup` attaches, for
 *                                 messages; without it there is no --cgroup option
 *   KS_HAS_XDP                   (optional) --skb-mode exists
 *   KS_WAIT(seconds)             waits between prints (ks_sleep, or ks_events_wait with ring buffers)
 * and ks_usage(FILE *), ks_print_maps(FILE *), ks_exiting, ks_cleanup(). */

struct ks_default_args {
    const char *interfaces[KS_MAX_ATTACHMENTS];
    int interface_count;
    const char *cgroup;
    double interval;
    long count;
    __u32 xdp_flags;
};

/* Sleeps `seconds`, waking early when a signal sets ks_exiting. */
static KS_UNUSED void ks_sleep(double seconds) {
    struct timespec left;
    left.tv_sec = (time_t)seconds;
    left.tv_nsec = (long)((seconds - (double)left.tv_sec) * 1e9);
    while (!ks_exiting && nanosleep(&left, &left) != 0 && errno == EINTR) {}
}

#ifdef KS_INTERFACE_PROGRAMS
#define KS_USAGE_INTERFACE " -i IFACE"
#else
#define KS_USAGE_INTERFACE ""
#endif
#ifdef KS_CGROUP_PROGRAMS
#define KS_USAGE_CGROUP " --cgroup PATH"
#else
#define KS_USAGE_CGROUP ""
#endif

/* Reads the command line into *args: -1 to go on, else the exit status (0 after --help, 2 on bad usage). */
static KS_UNUSED int ks_default_parse_args(int argc, char **argv, struct ks_default_args *args) {
    memset(args, 0, sizeof(*args));
    args->interval = 1.0;
    args->count = -1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            ks_usage(stdout);
            return 0;
        }
#ifdef KS_INTERFACE_PROGRAMS
        else if (strcmp(arg, "-i") == 0 || strcmp(arg, "--interface") == 0) {
            if (!value) {
                fprintf(stderr, "error: %s needs an interface name\nusage: " KS_BINARY " -i IFACE (see --help)\n", arg);
                return 2;
            }
            if (args->interface_count == KS_MAX_ATTACHMENTS) {
                fprintf(stderr, "error: too many interfaces (at most %d)\n", KS_MAX_ATTACHMENTS);
                return 2;
            }
            args->interfaces[args->interface_count++] = value;
            i++;
        }
#ifdef KS_HAS_XDP
        else if (strcmp(arg, "--skb-mode") == 0) {
            args->xdp_flags = XDP_FLAGS_SKB_MODE;
        }
#endif
#endif
#ifdef KS_CGROUP_PROGRAMS
        else if (strcmp(arg, "--cgroup") == 0) {
            if (!value) {
                fprintf(stderr, "error: --cgroup needs a cgroup v2 directory\nusage: " KS_BINARY " --cgroup PATH (see --help)\n");
                return 2;
            }
            args->cgroup = value;
            i++;
        }
#endif
        else if (strcmp(arg, "--interval") == 0 && value) {
            char *end;
            args->interval = strtod(value, &end);
            if (*end || !(args->interval > 0)) {
                fprintf(stderr, "error: --interval needs a positive number of seconds, got '%s'\n", value);
                return 2;
            }
            i++;
        }
        else if (strcmp(arg, "--count") == 0 && value) {
            char *end;
            args->count = strtol(value, &end, 10);
            if (*end || args->count <= 0) {
                fprintf(stderr, "error: --count needs a positive integer, got '%s'\n", value);
                return 2;
            }
            i++;
        }
        else {
            fprintf(stderr, "error: unknown argument '%s'\nusage: " KS_BINARY KS_USAGE_INTERFACE KS_USAGE_CGROUP " [--interval SECONDS] [--count N] (see --help)\n", arg);
            return 2;
        }
    }
#ifdef KS_INTERFACE_PROGRAMS
    if (args->interface_count == 0) {
        fprintf(stderr, "error: no interface given: " KS_INTERFACE_PROGRAMS " must be attached to a network interface\nusage: " KS_BINARY " -i IFACE [-i IFACE ...] (see --help)\n");
        return 2;
    }
#endif
#ifdef KS_CGROUP_PROGRAMS
    if (!args->cgroup) {
        fprintf(stderr, "error: no cgroup given: " KS_CGROUP_PROGRAMS " must be attached to a cgroup v2 directory\nusage: " KS_BINARY KS_USAGE_INTERFACE " --cgroup PATH (see --help)\n");
        return 2;
    }
#endif
    return -1;
}

/* Attaches the program `name` (of type `type`) to the cgroup given with --cgroup. */
static KS_UNUSED int ks_default_attach_cgroup(const char *name, const char *type, const struct ks_default_args *args) {
    int fd = ks_load(name);
    if (fd < 0) return -1;
    if (ks_attach(fd, args->cgroup, 0) != 0) return -1;
    fprintf(stderr, KS_BINARY ": attached %s (%s) to %s\n", name, type, args->cgroup);
    return 0;
}

/* Attaches the program `name` (of type `type`) to every interface given with -i. */
static KS_UNUSED int ks_default_attach_interfaces(const char *name, const char *type, const struct ks_default_args *args, __u32 flags) {
    int fd = ks_load(name);
    if (fd < 0) return -1;
    for (int i = 0; i < args->interface_count; i++) {
        if (ks_attach(fd, args->interfaces[i], flags) != 0) return -1;
        fprintf(stderr, KS_BINARY ": attached %s (%s) to %s\n", name, type, args->interfaces[i]);
    }
    return 0;
}

/* Attaches the program `name` to its declared target; `shown` is how the message names it. */
static KS_UNUSED int ks_default_attach_target(const char *name, const char *target, const char *shown) {
    int fd = ks_load(name);
    if (fd < 0) return -1;
    if (ks_attach(fd, target, 0) != 0) return -1;
    fprintf(stderr, KS_BINARY ": attached %s\n", shown);
    return 0;
}

/* Prints the maps every interval until --count prints or a signal, once more after a signal, detaches. */
static KS_UNUSED int ks_default_print_loop(const struct ks_default_args *args) {
    fprintf(stderr, KS_BINARY ": printing maps every %g s; Ctrl-C to stop\n", args->interval);
    long printed = 0;
    while (!ks_exiting) {
        KS_WAIT(args->interval);
        if (ks_exiting) break;
        printf("--- snapshot %ld ---\n", ++printed);
        ks_print_maps(stdout);
        if (args->count > 0 && printed >= args->count) break;
    }
    return 0;
}

static KS_UNUSED int ks_default_finish(void) {
    if (ks_exiting) {
        printf("--- final ---\n");
        ks_print_maps(stdout);
    }
    ks_cleanup();
    fprintf(stderr, KS_BINARY ": detached everything, exiting\n");
    return 0;
}
