//! What the kernel knows about license strings.
//!
//! `bpf_prog_load` copies the object's license string (at most 127 bytes, into
//! `char license[128]`) and asks `license_is_gpl_compatible()` (include/linux/license.h),
//! an exact `strcmp` against the six strings below; GPL-only helpers and every kfunc are
//! then refused to programs whose answer was no. libbpf reads the `license` section into
//! `char license[64]` first, so only 63 bytes ever reach the kernel.

/** The strings `license_is_gpl_compatible()` accepts, exactly (case and spaces matter). */
export const gplCompatibleLicenses: readonly string[] = [
  "GPL",
  "GPL v2",
  "GPL and additional rights",
  "Dual BSD/GPL",
  "Dual MIT/GPL",
  "Dual MPL/GPL",
];

/** What the object says when the file declares no license. */
export const defaultLicense = "GPL";

/** The longest license string libbpf passes on whole (its buffer is 64 bytes). */
export const maxLicenseLength = 63;

export function isGplCompatible(license: string): boolean {
  return gplCompatibleLicenses.includes(license);
}
