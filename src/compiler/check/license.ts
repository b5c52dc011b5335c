//! `license "…"`: the eBPF object's license string.
//!
//! At most one declaration, only in the main `.ks` file (an imported module reports it in
//! check/imports.ts), a string libbpf and the kernel take whole (printable ASCII, 1 to 63
//! bytes). Without one the object says `GPL`. A string that mentions GPL but is not one of
//! the kernel's exact GPL-compatible strings (SPDX `GPL-2.0-only`, …) gets W0237: the
//! kernel would treat the program as non-GPL. What a non-GPL program may not use is
//! checked on the IR (analyze/license.ts).

import type { LicenseInfo } from "../ir.js";
import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import type { Diagnostics } from "../diagnostics/diagnostic.js";
import { defaultLicense, isGplCompatible, maxLicenseLength } from "../kernel/license.js";


export const defaultLicenseInfo: LicenseInfo = { text: defaultLicense, span: undefined, gplCompatible: true };

/** The license of the file whose spliced declarations are `decls` (headers included). */
export function checkLicense(diags: Diagnostics, decls: readonly ast.Decl[], mainPath: string): LicenseInfo {
  let first: ast.LicenseDecl | undefined;
  for (const decl of decls) {
    if (decl.kind !== "LicenseDecl") continue;
    if (decl.span.file !== mainPath) {
      diags.report(nameErrors.licenseOutsideMainFile, decl.span, { header: baseName(decl.span.file) });
      continue;
    }
    if (first) {
      diags.report(nameErrors.duplicateLicense, decl.span, first.span);
      continue;
    }
    first = decl;
    const problem = licenseProblem(decl.value.value);
    if (problem) diags.report(nameErrors.invalidLicense, decl.value.span, decl.value.value, problem);
    else if (!isGplCompatible(decl.value.value) && /gpl/i.test(decl.value.value)) {
      diags.report(nameErrors.licenseLooksLikeGpl, decl.value.span, decl.value.value, suggestedLicense(decl.value.value));
    }
  }
  if (!first) return defaultLicenseInfo;
  const text = first.value.value;
  return { text, span: first.span, gplCompatible: isGplCompatible(text) };
}

function licenseProblem(value: string): string | undefined {
  if (value.length === 0) return "is empty";
  if (!/^[\x20-\x7e]*$/.test(value)) return "has characters that are not printable ASCII";
  if (value.length > maxLicenseLength) return `is ${value.length} bytes long; libbpf passes at most ${maxLicenseLength} to the kernel`;
  return undefined;
}

/** The kernel's string closest in meaning to an SPDX-style GPL license. */
function suggestedLicense(value: string): string {
  if (/\bMIT\b/i.test(value)) return "Dual MIT/GPL";
  if (/\bBSD/i.test(value)) return "Dual BSD/GPL";
  if (/\bMPL/i.test(value)) return "Dual MPL/GPL";
  if (/2\.0|v2|\b2\b/i.test(value) && !/later|\+/.test(value)) return "GPL v2";
  return "GPL";
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
