//! podman for `kernelscript package`: build an image from a generated Containerfile,
//! push it, and (for the tests) inspect and remove it. podman reads the user's own
//! configuration (`containers.conf`, or the file `CONTAINERS_CONF` names: the tests
//! write one choosing runc and cgroupfs, which this machine needs); nothing here
//! chooses a runtime. Builds are `FROM scratch` with `COPY` only: no container runs.

import { spawnSync } from "node:child_process";

export interface PodmanResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function podman(args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): PodmanResult {
  const run = spawnSync("podman", args, { env, cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.error) return { status: 127, stdout: "", stderr: String(run.error.message) };
  return { status: run.status ?? 128, stdout: run.stdout, stderr: run.stderr };
}

/** `podman build -f CONTAINERFILE -t REF DIR`: the build's output, and its status. */
export function buildImage(dir: string, containerfile: string, reference: string, env: NodeJS.ProcessEnv): PodmanResult {
  return podman(["build", "--quiet", "--pull=never", "-f", containerfile, "-t", reference, dir], env);
}

/** `podman push REF [DEST]`: to its registry, or to a local destination (`oci:DIR:REF`, `oci-archive:FILE`, `dir:DIR`). */
export function pushImage(reference: string, destination: string | undefined, env: NodeJS.ProcessEnv): PodmanResult {
  return podman(["push", "--quiet", reference, ...(destination === undefined ? [] : [destination])], env);
}

/** Transports that write images on this machine rather than to a registry. */
export const localTransports = ["oci:", "oci-archive:", "dir:", "docker-archive:"] as const;

export function isLocalDestination(destination: string): boolean {
  return localTransports.some((transport) => destination.startsWith(transport));
}
