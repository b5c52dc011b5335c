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
import { defaultLicense, gplCompatibleLicenses, isGplCompatible, maxLicenseLength } from "../kernel/license.js";
import type { LicenseProblem } from "../diagnostics/catalog/names.js";


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

function licenseProblem(value: string): LicenseProblem | undefined {
  if (value.length === 0) return { kind: "empty" };
  if (!/^[\x20-\x7e]*$/.test(value)) return { kind: "notPrintable" };
  if (value.length > maxLicenseLength) return { kind: "tooLong", length: value.length, max: maxLicenseLength };
  return undefined;
}

/** The kernel's string closest in meaning to an SPDX-style GPL license. */
function suggestedLicense(value: string): string {
  const kernelString = (pattern: RegExp): string => gplCompatibleLicenses.find((license) => pattern.test(license)) ?? defaultLicense;
  if (/\bMIT\b/i.test(value)) return kernelString(/MIT/);
  if (/\bBSD/i.test(value)) return kernelString(/BSD/);
  if (/\bMPL/i.test(value)) return kernelString(/MPL/);
  if (/2\.0|v2|\b2\b/i.test(value) && !/later|\+/.test(value)) return kernelString(/v2$/);
  return defaultLicense;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
