//! `kernelscript init ATTRIBUTE[/TARGET] NAME` for the program types whose catalogue row
//! has a `counter` init template (kernel/program-types.ts `init`): the program counts its
//! events in `NAME_counts`, and the default main (no `main` in the file) loads it,
//! attaches it as the row's `attach` says and prints the map every second.

import type { Btf } from "../kernel/btf.js";
import { programTypes, type InitTemplate, type ProgramTypeInfo } from "../kernel/program-types.js";
import { BtfRenderer } from "./btf-render.js";

type CounterTemplate = Extract<InitTemplate, { kind: "counter" }>;

export interface CounterKind {
  readonly kind: "counter";
  readonly attribute: string;
  readonly target: string | undefined;
}

function counterTemplate(info: ProgramTypeInfo): CounterTemplate | undefined {
  return info.init.kind === "counter" ? info.init : undefined;
}

/**
 * The kinds with counter templates, as `init --help` and refusals list them; a wrong
 * TARGET is answered with the row's choices or an example.
 */
export function counterInitKinds(): string[] {
  const kinds: string[] = [];
  for (const info of programTypes) {
    if (info.attribute === undefined || !counterTemplate(info)) continue;
    kinds.push(info.targetChoices || info.targetFormat ? `${info.attribute}[/TARGET]` : info.attribute);
  }
  return kinds;
}

/** The attribute names with counter templates (for "did you mean"). */
export function counterAttributes(): string[] {
  return programTypes.filter((info) => counterTemplate(info) && info.attribute !== undefined).map((info) => info.attribute!);
}

function rowOf(attribute: string): { info: ProgramTypeInfo; template: CounterTemplate } | undefined {
  const info = programTypes.find((row) => row.attribute === attribute && counterTemplate(row));
  return info ? { info, template: counterTemplate(info)! } : undefined;
}

/**
 * `ATTRIBUTE` or `ATTRIBUTE/TARGET` (the target may hold `/`: a uprobe's binary path), or
 * undefined when the text names no counter template; a message when the target is wrong.
 */
export function parseCounterKind(text: string): CounterKind | { readonly message: string; readonly help: string } | undefined {
  const slash = text.indexOf("/");
  const attribute = slash < 0 ? text : text.slice(0, slash);
  const row = rowOf(attribute);
  if (!row) return undefined;
  const given = slash < 0 ? undefined : text.slice(slash + 1);
  const { info, template } = row;
  const example = info.targetChoices?.[0] ?? template.target;
  if (given === undefined) return { kind: "counter", attribute, target: template.target };
  if (info.argument === "none" && !info.targetFormat && !info.targetChoices) {
    return { message: `\`@${attribute}\` takes no target, but \`${text}\` names one`, help: `write \`${attribute}\`` };
  }
  const fits = info.targetChoices ? info.targetChoices.includes(given) : info.targetFormat ? info.targetFormat.pattern.test(given) : true;
  if (!fits) {
    return {
      message: `\`${given}\` is not a target of \`@${attribute}\``,
      help: info.targetChoices
        ? `use one of ${info.targetChoices.map((c) => `\`${attribute}/${c}\``).join(", ")}`
        : `write it like \`${attribute}/${example ?? "TARGET"}\``,
    };
  }
  return { kind: "counter", attribute, target: given };
}

export interface CounterProject {
  readonly source: string;
  readonly header: { readonly path: string; readonly text: string } | undefined;
  readonly readme: string;
  readonly run: string;
}

/** How the README runs the loader: the default main's flags for the row's attach kind. */
function runFlags(info: ProgramTypeInfo): string {
  switch (info.attach.kind) {
    case "interface": return " -i eth0";
    case "cgroup": return " --cgroup /sys/fs/cgroup";
    case "declaredTarget": case "socketMap": case "perfSampling": case "register": return "";
  }
}

export function counterProject(kind: CounterKind, name: string, btf: Btf, btfPath: string, shown: string): CounterProject {
  const { info, template } = rowOf(kind.attribute)!;
  const rendered = new BtfRenderer(btf);
  if (info.contextStruct) rendered.addStruct(info.contextStruct);
  const types = rendered.result();
  const headerPath = `${kind.attribute}.kh`;
  const header = types.declarations.length === 0 ? undefined : {
    path: headerPath,
    text: [
      `// Kernel types used by ${name}.ks, from the kernel's BTF (${btfPath}),`,
      "// written in KernelScript by `kernelscript init`. The compiler reads the same types from",
      "// BTF; this file documents them and makes the project's types explicit.",
      "",
      types.declarations.join("\n\n"),
      "",
    ].join("\n"),
  };
  const handler = `${name}_handler`;
  const counts = `${name}_counts`;
  const signature = template.parameters === undefined
    ? info.signature.replace("NAME", handler)
    : `fn ${handler}(${template.parameters}) -> i32`;
  const attribute = kind.target === undefined ? `@${kind.attribute}` : `@${kind.attribute}("${kind.target}")`;
  const source = [
    `// ${template.what}`,
    `// Made by \`kernelscript init ${shown} ${name}\`; build with \`kernelscript build ${name}.ks\`.`,
    "// No `main`: the default one loads and attaches the program and prints the counts",
    "// every second until Ctrl-C (see README.md).",
    "",
    ...(header ? [`include "${headerPath}"`, ""] : []),
    `var ${counts}: hash<${template.key}, u64>(1024)`,
    ...(template.maps ?? []).map((m) => m.replaceAll("NAME", name)),
    "",
    attribute,
    `${signature} {`,
    ...template.body.map((line) => `    ${line.replaceAll("COUNTS", counts)}`),
    `    return ${template.result}`,
    "}",
    "",
  ].join("\n");
  const readme = [
    `# ${name}`,
    "",
    template.what,
    "",
    `Made by \`kernelscript init ${shown} ${name}\` from ${btfPath}.`,
    "",
    "## Files",
    "",
    `- \`${name}.ks\` — the eBPF program (${info.label}) and the map it counts in.`,
    ...(header ? [`- \`${headerPath}\` — the kernel types it uses (${types.names.map((n) => `\`${n}\``).join(", ")}), in KernelScript.`] : []),
    "",
    "## Build and run",
    "",
    "```",
    `kernelscript build ${name}.ks        # writes ${name}/ with ${name}.bpf.o and the loader ${name}/${name}`,
    `sudo ./${name}/${name}${runFlags(info)}`,
    "```",
    "",
    `The loader is the default main: it loads the program, attaches it, prints \`${counts}\``,
    "every second (`--interval`, `--count`), and on Ctrl-C (SIGINT) or SIGTERM prints it once",
    "more, detaches and exits 0. `--help` lists its options.",
    "",
  ].join("\n");
  return { source, header, readme, run: runFlags(info) };
}

/** One kind per catalogue row that `init` makes a project of (for the tests and docs). */
export function exampleInitKinds(): { readonly programType: ProgramTypeInfo["programType"]; readonly kind: string }[] {
  return programTypes.map((info) => ({
    programType: info.programType,
    kind: info.init.kind === "own" ? info.init.example : info.attribute ?? "",
  }));
}
