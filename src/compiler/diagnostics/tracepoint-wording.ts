//! Wording about tracepoints shared by the catalogue and `kernelscript init`.

/** Said after a suggestion made from BTF alone (its category is the one the user wrote). */
export const categoryNotChecked = "(without tracefs the category was not checked)";

/** Where a user lists the tracepoints of the machine they are on. */
export const tracepointListHint = "list them with `ls /sys/kernel/tracing/events/*/` (mount tracefs first: `mount -t tracefs tracefs /sys/kernel/tracing`)";
