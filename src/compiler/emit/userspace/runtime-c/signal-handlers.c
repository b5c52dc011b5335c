/* SIGINT, SIGTERM, SIGHUP, SIGPIPE and SIGALRM go to ks_on_signal (written per program). */

static void ks_install_signal_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = ks_on_signal;
    /* No SA_RESTART: sleeping loops wake up and see ks_exiting. */
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    /* A closed terminal or reader (`loader | head`) ends the loader the same way: detached, not */
    /* killed with a clsact filter left behind. */
    sigaction(SIGHUP, &action, NULL);
    sigaction(SIGPIPE, &action, NULL);
    /* The shutdown deadline (--shutdown-timeout), armed by the first stop signal. */
    sigaction(SIGALRM, &action, NULL);
}
