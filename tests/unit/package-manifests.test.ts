// `kernelscript package`'s plan (src/compiler/deploy/): for XDP, TC, tracepoint, uprobe,
// kprobe, fexit and socket-filter programs (the seed, the TC example, a file with one
// program of each), the Kubernetes objects validate against Kubernetes' schemas
// (kubernetes-models), bpfman's resource against the openAPIV3Schema of bpfman-operator's
// CRD (ajv, read from ../shared/reference/bpfman, its licence beside it) and the CRD's
// rule that a program's `type` names its one configuration; the bytecode labels name
// every program with bpfman's spelling; the YAML written reads back as the objects;
// E0800–E0802, W0800 and W0801 are reported where they should be.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse, parseAllDocuments } from "yaml";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { compilePackage, type PackageResult } from "../../src/compiler/pipeline.js";
import type { DeployOptions } from "../../src/compiler/deploy/plan.js";
import { bpfmanMapTypeName, bpfmanProgramTypeName, bytecodeContainerfile, kubernetesName } from "../../src/compiler/deploy/plan.js";
import { NodeHost, defaultKernelBtfPath } from "../../src/cli/node-host.js";
import { manifestText } from "../../src/cli/package/manifest-text.js";
import { imageReferences } from "../../src/cli/commands/package.js";
import { repoRoot } from "../harness/golden.js";

const crdDir = join(repoRoot, "..", "shared", "reference", "bpfman", "config", "crd", "bases");

/** One program of each kind bpfman attaches, and a socket filter, which it does not. */
const multiProgram = join(repoRoot, "tests", "e2e", "fixtures", "package-multi.ks");

const options: DeployOptions = {
  loaderImage: "registry.example.com/team/app:1.0",
  bytecodeImage: "registry.example.com/team/app-bytecode:1.0",
  interfaces: ["eth0", "eth1"],
  namespace: "kernelscript",
  loaderArguments: [],
  source: "app.ks",
};

function packageOf(path: string, deploy: DeployOptions = options): PackageResult {
  return compilePackage(path, new NodeHost(repoRoot, defaultKernelBtfPath, process.env), {}, deploy);
}

/** bpfman's CRD: the schema of its resources, and its `type` → configuration rule. */
function crdSchema(file: string): object {
  const crd = parse(readFileSync(join(crdDir, file), "utf8")) as { spec: { versions: { schema: { openAPIV3Schema: object } }[] } };
  return crd.spec.versions[0]!.schema.openAPIV3Schema;
}

function validator(file: string) {
  // Kubernetes' extensions (x-kubernetes-*) are not JSON Schema keywords: not strict.
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat("byte", /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat("date-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  return ajv.compile(crdSchema(file));
}

const configKeys = ["xdp", "tc", "tcx", "fentry", "fexit", "kprobe", "kretprobe", "uprobe", "uretprobe", "tracepoint"];

/** The CRD's x-kubernetes-validations rule, which ajv does not run: `type` names the one configuration present. */
function checkTypeRule(application: { spec: { programs: Record<string, unknown>[] } }): void {
  for (const program of application.spec.programs) {
    const present = configKeys.filter((key) => key in program);
    assert.deepEqual(present, [String(program["type"]).toLowerCase()], `program ${String(program["name"])}`);
  }
}

function validateKubernetes(documents: readonly object[]): void {
  for (const document of documents) {
    const kind = (document as { kind: string }).kind;
    if (kind === "DaemonSet") new DaemonSet(document as never).validate();
    else if (kind === "Namespace") new Namespace(document as never).validate();
    else if (kind === "ServiceAccount") new ServiceAccount(document as never).validate();
    else assert.fail(`unexpected kind ${kind}`);
  }
}

type Objects = Record<string, any>;

describe("kernelscript package: the plan", () => {
  it("the seed: a valid DaemonSet on the host network with the fleet flags, and a valid XDP ClusterBpfApplication", () => {
    const result = packageOf("examples/seed_packet_filter.ks");
    assert.deepEqual(result.diagnostics, []);
    const plan = result.deployment!;
    assert.deepEqual(plan.programTypes, { packet_filter: "xdp" });
    const daemonSet = plan.manifests.find((m) => m.path === "k8s/daemonset.yaml")!;
    validateKubernetes(daemonSet.documents);
    const ds = daemonSet.documents.find((d) => (d as Objects)["kind"] === "DaemonSet") as Objects;
    const pod = ds["spec"]["template"]["spec"];
    assert.equal(pod.hostNetwork, true);
    assert.equal(pod.containers[0].securityContext.privileged, true);
    assert.deepEqual(pod.containers[0].args, [
      "--ready-file", "/run/kernelscript-ready/ready", "--metrics", "0.0.0.0:9464",
      "--pin-dir", "/sys/fs/bpf/kernelscript/seed-packet-filter", "--shutdown-timeout", "25", "-i", "eth0", "-i", "eth1",
    ]);
    assert.ok(pod.terminationGracePeriodSeconds > 25);
    assert.ok(pod.volumes.some((v: Objects) => v["hostPath"]?.path === "/sys/fs/bpf"));
    assert.ok(pod.containers[0].resources.limits.memory);
    assert.equal(pod.containers[0].readinessProbe.httpGet.path, "/metrics");
    const bpfman = plan.manifests.find((m) => m.path === "k8s/bpfman/seed-packet-filter.yaml")!;
    const application = bpfman.documents[0] as Objects;
    const validate = validator("bpfman.io_clusterbpfapplications.yaml");
    assert.ok(validate(application), JSON.stringify(validate.errors));
    checkTypeRule(application as never);
    assert.deepEqual(application["spec"]["programs"], [{ name: "packet_filter", type: "XDP", xdp: { links: [{ interfaceSelector: { interfaces: ["eth0", "eth1"] } }] } }]);
    assert.equal(application["spec"]["byteCode"]["image"]["url"], options.bytecodeImage);
  });

  it("--metrics-port: the loader's flag, the container port, the probes and the scrape annotation", () => {
    const plan = packageOf("examples/seed_packet_filter.ks", { ...options, metricsPort: 9555 }).deployment!;
    validateKubernetes(plan.manifests[0]!.documents);
    const template = (plan.manifests[0]!.documents[2] as Objects)["spec"]["template"];
    const container = template.spec.containers[0];
    assert.equal(container.args[container.args.indexOf("--metrics") + 1], "0.0.0.0:9555");
    assert.deepEqual(container.ports, [{ name: "metrics", containerPort: 9555, protocol: "TCP" }]);
    assert.equal(container.readinessProbe.httpGet.port, "metrics");
    assert.equal(template.metadata.annotations["prometheus.io/port"], "9555");
  });

  it("TC: a TCX link in the program's direction", () => {
    const plan = packageOf("examples/tc_ttl_guard.ks").deployment!;
    assert.deepEqual(plan.programTypes, { ttl_guard: "tc" });
    validateKubernetes(plan.manifests[0]!.documents);
    const application = plan.manifests[1]!.documents[0] as Objects;
    const validate = validator("bpfman.io_clusterbpfapplications.yaml");
    assert.ok(validate(application), JSON.stringify(validate.errors));
    assert.deepEqual(application["spec"]["programs"][0].tcx, { links: [{ direction: "Egress", interfaceSelector: { interfaces: ["eth0", "eth1"] } }] });
  });

  it("a file of many program types: each gets its bpfman link from its target; the socket filter is W0800 and only the DaemonSet's", () => {
    const result = packageOf(multiProgram);
    assert.deepEqual(result.diagnostics.map((d) => d.code), ["W0800"]);
    assert.match(result.diagnostics[0]!.message, /keep_all/);
    const plan = result.deployment!;
    assert.deepEqual(plan.programTypes, {
      count_rx: "xdp", count_tx: "tc", on_exec: "tracepoint", on_readline: "probe", on_unlink: "probe", after_unlink: "tracing", keep_all: "socket_filter",
    });
    assert.deepEqual(plan.withoutBpfman, ["keep_all"]);
    validateKubernetes(plan.manifests[0]!.documents);
    const pod = (plan.manifests[0]!.documents[2] as Objects)["spec"]["template"]["spec"];
    const mounted = pod.volumes.flatMap((v: Objects) => (v["hostPath"] ? [v["hostPath"].path] : []));
    assert.deepEqual(mounted, ["/sys/fs/bpf", "/run/kernelscript", "/sys/kernel/tracing", "/usr/bin/bash"]);
    const application = plan.manifests[1]!.documents[0] as Objects;
    const validate = validator("bpfman.io_clusterbpfapplications.yaml");
    assert.ok(validate(application), JSON.stringify(validate.errors));
    checkTypeRule(application as never);
    const byName = Object.fromEntries(application["spec"]["programs"].map((p: Objects) => [p["name"], p]));
    assert.deepEqual(Object.keys(byName), ["count_rx", "count_tx", "on_exec", "on_readline", "on_unlink", "after_unlink"]);
    assert.deepEqual(byName["on_exec"].tracepoint, { links: [{ name: "sched/sched_process_exec" }] });
    assert.deepEqual(byName["on_readline"].uprobe, { links: [{ target: "/usr/bin/bash", function: "readline", offset: 4 }] });
    assert.deepEqual(byName["on_unlink"], { name: "on_unlink", type: "KProbe", kprobe: { links: [{ function: "do_unlinkat" }] } });
    assert.deepEqual(byName["after_unlink"], { name: "after_unlink", type: "FExit", fexit: { function: "do_unlinkat", links: [{ mode: "Attach" }] } });
  });

  it("the schemas catch what is wrong (the validation above is not vacuous)", () => {
    const plan = packageOf("examples/seed_packet_filter.ks").deployment!;
    const application = structuredClone(plan.manifests[1]!.documents[0]) as Objects;
    application["spec"]["programs"][0].type = "Xdp";
    assert.equal(validator("bpfman.io_clusterbpfapplications.yaml")(application), false);
    const ds = structuredClone(plan.manifests[0]!.documents[2]) as Objects;
    ds["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "9464";
    assert.throws(() => new DaemonSet(ds as never).validate());
  });

  it("E0800: an interface program without --interface, on the program's line; nothing planned", () => {
    const result = packageOf("examples/seed_packet_filter.ks", { ...options, interfaces: [] });
    assert.deepEqual(result.diagnostics.map((d) => d.code), ["E0800"]);
    assert.equal(result.deployment, undefined);
    assert.deepEqual(result.files, []);
    const source = readFileSync(join(repoRoot, "examples/seed_packet_filter.ks"), "utf8");
    const line = source.slice(0, result.diagnostics[0]!.primary.span.start).split("\n").length;
    // The program's span begins at its attribute.
    assert.deepEqual(source.split("\n").slice(line - 1, line + 1), ["@xdp", "fn packet_filter(ctx: XdpContext) -> XdpAction {"]);
  });

  it("E0801: a program with hand-overs (Python imports, exec) cannot go into the static loader image, said on main", () => {
    const result = packageOf("examples/handover.ks");
    const found = result.diagnostics.filter((d) => d.code === "E0801");
    assert.equal(found.length, 1, JSON.stringify(result.diagnostics.map((d) => d.code)));
    assert.match(found[0]!.message, /Python/);
    const source = readFileSync(join(repoRoot, "examples/handover.ks"), "utf8");
    assert.match(source.slice(found[0]!.primary.span.start), /^fn main\(/);
    assert.equal(result.deployment, undefined);
  });

  it("E0802: a cgroup program needs `-- --cgroup PATH` for the default loader; given, the DaemonSet passes it and mounts the node's directory", () => {
    const refused = packageOf("examples/cgroup_skb.ks");
    assert.deepEqual(refused.diagnostics.map((d) => d.code).sort(), ["E0802", "W0800"]);
    assert.equal(refused.deployment, undefined);
    const plan = packageOf("examples/cgroup_skb.ks", { ...options, loaderArguments: ["--cgroup", "/sys/fs/cgroup/kubepods.slice"] }).deployment!;
    validateKubernetes(plan.manifests[0]!.documents);
    const pod = (plan.manifests[0]!.documents[2] as Objects)["spec"]["template"]["spec"];
    assert.deepEqual(pod.containers[0].args.slice(-2), ["--cgroup", "/sys/fs/cgroup/kubepods.slice"]);
    assert.ok(pod.volumes.some((v: Objects) => v["hostPath"]?.path === "/sys/fs/cgroup/kubepods.slice"));
    assert.equal(pod.hostNetwork, undefined, "no interface program: the pod keeps its own network");
  });

  it("W0801: the kernel module of @kfuncs is left out of the image, said on the first @kfunc", () => {
    const result = packageOf("examples/kfuncs.ks");
    const found = result.diagnostics.filter((d) => d.code === "W0801");
    assert.equal(found.length, 1);
    const source = readFileSync(join(repoRoot, "examples/kfuncs.ks"), "utf8");
    assert.match(source.slice(found[0]!.primary.span.start), /^@kfunc/);
    assert.ok(result.deployment, "a warning: the package is still made");
  });

  it("the YAML written reads back as the objects, one document each, and the labels parse as bpfman parses them", () => {
    const plan = packageOf(multiProgram).deployment!;
    for (const manifest of plan.manifests) {
      const text = manifestText(manifest.documents, "multi.ks");
      assert.match(text, /^# generated by kernelscript package/);
      assert.deepEqual(parseAllDocuments(text).map((d) => d.toJS()), manifest.documents);
    }
    const containerfile = bytecodeContainerfile(plan, { hits: "hash", per_cpu: "per_cpu_array" });
    const labels = Object.fromEntries([...containerfile.matchAll(/^LABEL ([\w.]+)=(".*")$/gm)].map((m) => [m[1]!, JSON.parse(m[2]!) as string]));
    assert.deepEqual(JSON.parse(labels["io.ebpf.programs"]!), plan.programTypes);
    assert.deepEqual(JSON.parse(labels["io.ebpf.maps"]!), { hits: "hash", per_cpu: "per_cpu_array" });
    assert.ok(containerfile.split("\n").includes("COPY build/package-multi.bpf.o /package-multi.bpf.o"), containerfile);
  });

  it("spells types as bpfman does, and makes Kubernetes names and image references", () => {
    assert.equal(bpfmanProgramTypeName("BPF_PROG_TYPE_SCHED_CLS"), "tc");
    assert.equal(bpfmanProgramTypeName("BPF_PROG_TYPE_KPROBE"), "probe");
    assert.equal(bpfmanProgramTypeName("BPF_PROG_TYPE_SOCK_OPS"), "sock_ops");
    assert.equal(bpfmanMapTypeName("BPF_MAP_TYPE_LRU_PERCPU_HASH"), "lru_per_cpu_hash");
    assert.equal(bpfmanMapTypeName("BPF_MAP_TYPE_RINGBUF"), "ringbuf");
    assert.equal(kubernetesName("Seed_Packet__filter_"), "seed-packet-filter");
    assert.deepEqual(imageReferences(undefined, "seed_packet_filter", undefined), {
      loader: "localhost/seed_packet_filter:latest", bytecode: "localhost/seed_packet_filter-bytecode:latest",
    });
    assert.deepEqual(imageReferences("localhost:5000/team/app:v2", "x", undefined), { loader: "localhost:5000/team/app:v2", bytecode: "localhost:5000/team/app-bytecode:v2" });
    assert.deepEqual(imageReferences("app:v2", "x", "registry.example.com/team/"), { loader: "registry.example.com/team/app:v2", bytecode: "registry.example.com/team/app-bytecode:v2" });
    assert.deepEqual(imageReferences("app:v2", "x", "oci:/tmp/layout"), { loader: "app:v2", bytecode: "app-bytecode:v2" });
    assert.throws(() => imageReferences("App:v2", "x", undefined), /not an image name/);
  });
});
