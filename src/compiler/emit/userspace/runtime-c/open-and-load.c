/* Opening and loading the eBPF object, and undoing everything at exit. Needs, defined
 * before it is pasted: KS_SKEL_OPEN(), KS_SKEL_LOAD(skel), KS_SKEL_DESTROY(skel) (the
 * skeleton's functions), KS_OBJECT_NAME (for messages); ks_skel, the attachments
 * (runtime-c/attachments.c), ks_release, ks_libbpf_print, ks_install_signal_handlers,
 * ks_report_verifier_log, ks_explain_errno, ks_fleet_stop (runtime-c/fleet-state.c). What a program adds is written as hooks,
 * each 0 / -1 (on -1 the object is closed again and ks_open_and_load fails):
 *   KS_BEFORE_OPEN()    before opening (a kernel module the programs need)
 *   KS_BEFORE_LOAD()    between open and load (pin paths, TCX attach types, module callers)
 *   KS_AFTER_LOAD()     after loading (tail-call slots, pinned globals)
 *   KS_RELEASE_MORE(fd) what else a detach releases for program fd (-1: everything) */

#ifndef KS_BEFORE_OPEN
#define KS_BEFORE_OPEN() 0
#endif
#ifndef KS_BEFORE_LOAD
#define KS_BEFORE_LOAD() 0
#endif
#ifndef KS_AFTER_LOAD
#define KS_AFTER_LOAD() 0
#endif
#ifndef KS_RELEASE_MORE
#define KS_RELEASE_MORE(prog_fd) ((void)(prog_fd))
#endif

static KS_UNUSED void ks_cleanup(void) {
    /* Not ready any more, and no scrape reading the maps, before anything is detached. */
    ks_fleet_stop();
    for (int i = ks_attachment_count - 1; i >= 0; i--) ks_release(&ks_attachments[i]);
    ks_attachment_count = 0;
    KS_RELEASE_MORE(-1);
    if (ks_skel) {
        KS_SKEL_DESTROY(ks_skel);
        ks_skel = NULL;
    }
}

static KS_UNUSED int ks_open_and_load(void) {
    if (ks_skel) return 0;
    libbpf_set_print(ks_libbpf_print);
    ks_install_signal_handlers();
    static bool registered;
    if (!registered && atexit(ks_cleanup) == 0) registered = true;

    if (KS_BEFORE_OPEN() != 0) return -1;
    ks_skel = KS_SKEL_OPEN();
    if (!ks_skel) {
        int err = errno;
        ks_explain_errno("cannot open the eBPF object of " KS_OBJECT_NAME, err);
        return -1;
    }
    int err = KS_BEFORE_LOAD();
    if (err == 0) {
        err = KS_SKEL_LOAD(ks_skel);
        if (err && !ks_report_verifier_log()) {
            ks_explain_errno("cannot load the eBPF programs of " KS_OBJECT_NAME " into the kernel", err);
        }
    }
    if (err == 0) err = KS_AFTER_LOAD();
    if (err) {
        KS_SKEL_DESTROY(ks_skel);
        ks_skel = NULL;
        return -1;
    }
    return 0;
}
