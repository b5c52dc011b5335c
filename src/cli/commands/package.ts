//! `kernelscript package FILE.ks [-o DIR] [--image NAME:TAG] [--interface IFACE,…]
//! [--namespace NS] [--no-images] [--push DEST] [-- ARGS]`: from one build, a loader
//! image (the loader statically linked, alone in a `FROM scratch` image), a bpfman
//! bytecode image (the object with bpfman's labels) and Kubernetes manifests (docs/deploy.md).
//!
//! Steps: compile with the deployment plan (deploy/plan.ts; its diagnostics are the
//! program's: exit 1), check the toolchain and podman (exit 3), write DIR's files into a
//! staging sibling (`build/` the generated C and Makefile; `Containerfile.loader`;
//! `k8s/…yaml`; `README.md`), `make -C build all static`, read the object's maps for
//! `io.ebpf.maps` and write `Containerfile.bytecode`, build both images with podman,
//! then rename the staging directory over DIR. A failure before the rename leaves DIR
//! as it was; images already built stay in podman's storage (they are named, so the
//! next run replaces them). `--push` runs last.

import { existsSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compilePackage, renderDiagnostics, type Deployment, type DeployOptions, type EmittedFile } from "../../compiler/index.js";
import { baseNameOf } from "../../compiler/host.js";
import { bpfmanMapTypeName, bytecodeContainerfile, packageBuildDirectory } from "../../compiler/deploy/plan.js";
import { booleanFlag, stringFlag, type CliIo, type CommandContext } from "../context.js";
import { EnvironmentError, ExitCode, InternalError, UsageError } from "../failures.js";
import { NodeHost, defaultKernelBtfPath } from "../node-host.js";
import { checkOutputTarget, resolveOutputTarget, stageOutputDirectory, type StagedOutput } from "../output-directory.js";
import { watchInterrupts } from "../interrupts.js";
import { prepareIncrementalBuild } from "../incremental-build.js";
import { findExecutable, requireBuildToolchain, runMake } from "../toolchain.js";
import { buildImage, isLocalDestination, pushImage } from "../../runner/podman.js";
import { objectMaps } from "../../runner/object-maps.js";

type ManifestTextModule = typeof import("../package/manifest-text.js");

/** The two image references: `--image` (or `localhost/NAME:latest`) and its `-bytecode` sibling. */
export function imageReferences(image: string | undefined, name: string, push: string | undefined): { loader: string; bytecode: string } {
  const given = image ?? `localhost/${name.toLowerCase().replace(/[^a-z0-9._-]+/g, "-")}:latest`;
  const colon = given.lastIndexOf(":");
  const hasTag = colon > given.lastIndexOf("/");
  let repository = hasTag ? given.slice(0, colon) : given;
  const tag = hasTag ? given.slice(colon + 1) : "latest";
  if (!/^[a-z0-9][a-z0-9._\/:-]*$/.test(repository) || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
    throw new UsageError(`--image \`${given}\` is not an image name (lower-case REPOSITORY[:TAG])`, "package");
  }
  // `--push REGISTRY/PATH`: the images are named there, and the manifests say so.
  if (push !== undefined && !isLocalDestination(push)) repository = `${push.replace(/\/+$/, "")}/${repository.slice(repository.lastIndexOf("/") + 1)}`;
  return { loader: `${repository}:${tag}`, bytecode: `${repository}-bytecode:${tag}` };
}

function deployOptions(context: CommandContext, file: string, name: string): DeployOptions {
  const { parsed } = context;
  const push = stringFlag(parsed, "push");
  const images = imageReferences(stringFlag(parsed, "image"), name, push);
  const interfaces = (stringFlag(parsed, "interface") ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  const namespace = stringFlag(parsed, "namespace") ?? "kernelscript";
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) throw new UsageError(`--namespace \`${namespace}\` is not a Kubernetes namespace name`, "package");
  const port = stringFlag(parsed, "metricsPort");
  const metricsPort = port === undefined ? undefined : Number(port);
  if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 1 && metricsPort <= 65535)) {
    throw new UsageError(`--metrics-port \`${port}\` is not a port number (1–65535)`, "package");
  }
  return {
    loaderImage: images.loader,
    bytecodeImage: images.bytecode,
    interfaces,
    namespace,
    loaderArguments: parsed.passThrough,
    source: baseNameOf(file) + ".ks",
    ...(metricsPort === undefined ? {} : { metricsPort }),
  };
}

async function loadManifestText(): Promise<ManifestTextModule> {
  // Beside the CLI's bundle when running from it (tools/bundle-cli.mjs).
  const bundled = fileURLToPath(new URL("./manifest-text.cjs", import.meta.url));
  if (existsSync(bundled)) return createRequire(import.meta.url)(bundled) as ManifestTextModule;
  // A specifier in a variable: esbuild leaves the import alone instead of bundling `yaml`.
  const unbundled = "../package/manifest-text.js";
  return (await import(unbundled)) as ManifestTextModule;
}

/** Every file of the package directory known before make runs. */
function packageFiles(deployment: Deployment, emitted: readonly EmittedFile[], toYaml: ManifestTextModule, source: string): EmittedFile[] {
  return [
    ...emitted.map((f) => ({ ...f, path: `${packageBuildDirectory}/${f.path}` })),
    { path: "Containerfile.loader", text: deployment.loaderContainerfile },
    ...deployment.manifests.map((m) => ({ path: m.path, text: toYaml.manifestText(m.documents, source) })),
    { path: "README.md", text: deployment.readme },
  ];
}

function requirePodman(io: CliIo): void {
  if (findExecutable("podman", io.env)) return;
  throw new EnvironmentError(
    ["missing `podman` (builds the loader and bytecode images)"],
    `${io.isRoot ? "" : "sudo "}apt-get install -y podman\n(or \`kernelscript package --no-images\` writes the Containerfiles and manifests without building the images)`,
  );
}

export async function runPackage(context: CommandContext): Promise<ExitCode> {
  const { io, parsed } = context;
  const file = parsed.args[0]!;
  const name = baseNameOf(file);
  const target = resolveOutputTarget(stringFlag(parsed, "output") ?? `${name}-package`, io.cwd);
  checkOutputTarget(target, io.cwd, file, "package");
  const options = deployOptions(context, file, name);
  const images = !booleanFlag(parsed, "noImages");
  if (!images && parsed.flags.has("push")) throw new UsageError("--push needs the images: it cannot go with --no-images", "package");

  const btfPath = io.env.BTF !== undefined && io.env.BTF !== "" ? io.env.BTF : defaultKernelBtfPath;
  const denyWarnings = booleanFlag(parsed, "denyWarnings") || io.env.KS_DENY_WARNINGS === "1";
  const result = compilePackage(file, new NodeHost(io.cwd, btfPath, io.env), { denyWarnings }, options);
  if (result.diagnostics.length > 0) io.writeStderr(renderDiagnostics(result.diagnostics, result.sources, { color: io.color, inputName: file }));
  const deployment = result.deployment;
  if (!deployment || result.diagnostics.some((d) => d.severity === "error")) return ExitCode.programErrors;
  requireBuildToolchain(io.env, io.isRoot);
  if (images) requirePodman(io);

  const toYaml = await loadManifestText();
  const interrupts = watchInterrupts(io);
  const unchanged = `\`${target.shown}\` was left unchanged`;
  let staged: StagedOutput | undefined;
  try {
    staged = stageOutputDirectory(target, packageFiles(deployment, result.files, toYaml, options.source));
    const buildDir = join(staged.dir, packageBuildDirectory);
    const incremental = prepareIncrementalBuild(buildDir, join(target.absolute, packageBuildDirectory), result.files, name, io.env);
    interrupts.throwIfInterrupted(`package interrupted before make ran; ${unchanged}`);
    // make's output goes to stderr: stdout says what was made.
    const status = await runMake(buildDir, { env: io.env, writeStdout: io.writeStderr, writeStderr: io.writeStderr }, interrupts, ["all", "static"]);
    interrupts.throwIfInterrupted(`package interrupted (make stopped); ${unchanged}`);
    if (status !== 0) throw new InternalError(`the generated code did not build: make exited with status ${status} (its output is above); ${unchanged}`);
    const maps = objectMaps(join(buildDir, deployment.bpfObject), join(buildDir, "vmlinux.h"), io.env.BPFTOOL || "bpftool");
    const mapTypes = Object.fromEntries([...maps].map(([map, type]) => [map, bpfmanMapTypeName(type)]));
    writeFileSync(join(staged.dir, "Containerfile.bytecode"), bytecodeContainerfile(deployment, mapTypes));
    if (images) {
      for (const [containerfile, reference] of [["Containerfile.loader", options.loaderImage], ["Containerfile.bytecode", options.bytecodeImage]] as const) {
        interrupts.throwIfInterrupted(`package interrupted before podman built ${reference}; ${unchanged}`);
        const built = buildImage(staged.dir, join(staged.dir, containerfile), reference, io.env);
        if (built.status !== 0) {
          throw new EnvironmentError([`podman could not build ${reference}: ${built.stderr.trim()}`], "check that podman works here (`podman info`); docs/deploy.md lists what it needs");
        }
      }
    }
    staged.commit();
    incremental.remember();
  } finally {
    staged?.discard();
    interrupts.dispose();
  }
  io.writeStdout(`packaged ${file} into ${target.shown}/ (README.md says how to deploy it)\n`);
  if (images) io.writeStdout(`images: ${options.loaderImage} (loader), ${options.bytecodeImage} (bytecode for bpfman)\n`);
  const push = stringFlag(parsed, "push");
  if (push !== undefined) pushImages(io, options, push);
  return ExitCode.ok;
}

/**
 * `--push DEST`: a registry path pushes both images under the names the manifests use;
 * a local destination (`oci:DIR`, `oci-archive:FILE`…, for machines without a
 * registry) receives each image under its name, e.g. `oci:DIR:NAME:TAG`.
 */
function pushImages(io: CliIo, options: DeployOptions, push: string): void {
  const local = isLocalDestination(push);
  for (const reference of [options.loaderImage, options.bytecodeImage]) {
    const repositoryAndTag = reference.slice(reference.lastIndexOf("/") + 1);
    const destination = local ? (push.startsWith("oci:") ? `${push}:${repositoryAndTag}` : `${push.replace(/\/+$/, "")}/${repositoryAndTag.replace(":", "_")}`) : undefined;
    const pushed = pushImage(reference, destination, io.env);
    if (pushed.status !== 0) {
      throw new EnvironmentError([`podman could not push ${reference}${destination ? ` to ${destination}` : ""}: ${pushed.stderr.trim()}`], "log in to the registry (`podman login REGISTRY`) or push to a local destination (`--push oci:DIR`)");
    }
    io.writeStdout(`pushed ${reference}${destination ? ` to ${destination}` : ""}\n`);
  }
}
