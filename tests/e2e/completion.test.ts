// `kernelscript completion bash|zsh|fish` and the man page, both written from the
// option tables of src/cli/options.ts: the scripts parse (`bash -n`, `zsh -n`,
// `fish -n`), bash and fish really complete commands, flags, closed values and `.ks`
// files; the man page renders without a warning and names every command and flag.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../harness/cli.js";
import { repoRoot } from "../harness/golden.js";
import { commands, completionShells } from "../../src/cli/options.js";

let work: string;
const scripts = new Map<string, string>();

before(async () => {
  work = mkdtempSync(join(tmpdir(), "ks-completion-test-"));
  writeFileSync(join(work, "app.ks"), "");
  writeFileSync(join(work, "notes.txt"), "");
  mkdirSync(join(work, "outdir"));
  for (const shell of completionShells) {
    const run = await runCli(["completion", shell]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    scripts.set(shell, run.stdout);
    writeFileSync(join(work, `completion.${shell}`), run.stdout);
  }
});

after(() => rmSync(work, { recursive: true, force: true }));

function installed(command: string): string | undefined {
  return spawnSync("sh", ["-c", `command -v ${command}`]).status === 0 ? undefined : `${command} is not installed (make system-packages installs it as root)`;
}

describe("completion scripts", () => {
  it("refuses an unknown shell with a usage error", async () => {
    const run = await runCli(["completion", "csh"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /SHELL must be one of `bash`, `zsh`, `fish`, not `csh`/);
  });

  it("every script names every command and every long flag", () => {
    for (const [shell, script] of scripts) {
      for (const command of commands) {
        assert.ok(script.includes(command.name), `${shell}: ${command.name}`);
        for (const flag of command.flags) {
          const spelled = shell === "fish" ? `-l ${flag.long.slice(2)}` : flag.long;
          assert.ok(script.includes(spelled), `${shell}: ${command.name} ${flag.long}`);
        }
      }
    }
  });

  it("bash: the script parses", () => {
    const check = spawnSync("bash", ["-n", join(work, "completion.bash")], { encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
  });

  it("zsh: the script parses and loads into compinit", { skip: installed("zsh") }, () => {
    const check = spawnSync("zsh", ["-n", join(work, "completion.zsh")], { encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
    const load = spawnSync("zsh", ["-f", "-c", `autoload -Uz compinit && compinit -u -D && source ${join(work, "completion.zsh")} && print -r -- $_comps[kernelscript]`], {
      encoding: "utf8",
      cwd: work,
    });
    assert.equal(load.status, 0, load.stderr);
    assert.equal(load.stdout.trim(), "_kernelscript", "kernelscript is completed by _kernelscript");
  });

  it("fish: the script parses", { skip: installed("fish") }, () => {
    const check = spawnSync("fish", ["-n", join(work, "completion.fish")], { encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
  });

  /** What bash offers for the words (the last one being completed), driven through COMP_WORDS. */
  function bashCompletes(words: readonly string[]): string[] {
    const quoted = words.map((w) => `'${w}'`).join(" ");
    const program = `source ${join(work, "completion.bash")}
COMP_WORDS=(${quoted}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=()
_kernelscript
printf '%s\\n' "\${COMPREPLY[@]}"`;
    const run = spawnSync("bash", ["-c", program], { cwd: work, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.split("\n").filter((line) => line !== "").sort();
  }

  it("bash: completes commands, flags, closed values and .ks files", () => {
    assert.deepEqual(bashCompletes(["kernelscript", "co"]), ["compile", "completion"]);
    assert.deepEqual(bashCompletes(["kernelscript", "test", "--format", ""]), ["json", "tap", "text"]);
    assert.deepEqual(bashCompletes(["kernelscript", "check", "--format", "j"]), ["json"]);
    assert.deepEqual(bashCompletes(["kernelscript", "completion", ""]), ["bash", "fish", "zsh"]);
    assert.ok(bashCompletes(["kernelscript", "build", "--"]).includes("--no-kernel-check"));
    assert.deepEqual(bashCompletes(["kernelscript", "build", ""]), ["app.ks", "outdir/"], "a .ks file or a directory, not notes.txt");
    assert.deepEqual(bashCompletes(["kernelscript", "build", "-o", ""]), ["outdir"], "-o takes a directory");
    assert.deepEqual(bashCompletes(["kernelscript", "build", "app.ks", ""]), [], "build takes one file");
    assert.ok(bashCompletes(["kernelscript", "run", "app.ks", "--", ""]).includes("notes.txt"), "the program's arguments: any file");
    assert.deepEqual(bashCompletes(["kernelscript", "test", "--filter", "x", ""]), ["app.ks", "outdir/"], "a valued flag's value is not the file");
  });

  it("fish: completes commands and closed values", { skip: installed("fish") }, () => {
    const run = spawnSync("fish", ["-c", `source ${join(work, "completion.fish")}; complete -C 'kernelscript test --format '; echo SPLIT; complete -C 'kernelscript comp'`], {
      cwd: work,
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    const [formats, names] = run.stdout.split("SPLIT\n").map((part) => part.split("\n").filter(Boolean).map((line) => line.split("\t")[0]));
    assert.deepEqual(formats, ["json", "tap", "text"]);
    assert.deepEqual(names, ["compile", "completion"]);
  });
});

describe("man page", () => {
  const page = (): string => readFileSync(join(repoRoot, "build", "man", "kernelscript.1"), "utf8");

  it("renders with groff without a warning", () => {
    const render = spawnSync("groff", ["-man", "-Tutf8", "-ww", "-z", join(repoRoot, "build", "man", "kernelscript.1")], { encoding: "utf8" });
    assert.equal(render.status, 0, render.stderr);
    assert.equal(render.stderr, "", "no warnings");
  });

  it("names every command, flag and exit code of the tables", () => {
    const render = spawnSync("groff", ["-man", "-Tascii", "-P", "-cbou", join(repoRoot, "build", "man", "kernelscript.1")], { encoding: "utf8" });
    assert.equal(render.status, 0, render.stderr);
    const text = render.stdout.replace(/-\n\s+/g, "-").replace(/\s+/g, " ");
    for (const command of commands) {
      assert.ok(text.includes(`kernelscript ${command.name}`), `command ${command.name}`);
      for (const flag of command.flags) assert.ok(text.includes(flag.long), `${command.name} ${flag.long}`);
      for (const choice of command.flags.flatMap((flag) => flag.choices ?? [])) assert.ok(text.includes(choice), `${command.name} value ${choice}`);
    }
    for (const code of ["0", "1", "2", "3", "70"]) assert.match(page(), new RegExp(`^\\.B ${code}$`, "m"), `exit code ${code}`);
  });
});
