/* Definitions every loader's runtime uses. */

/* Runtime helpers may go unused by a given program; -Wall -Werror must still pass. */
#ifndef KS_UNUSED
#define KS_UNUSED __attribute__((unused))
#endif
#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#define KS_MAX_ATTACHMENTS 64
