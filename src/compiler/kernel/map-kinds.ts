//! The map kinds as data: one row per kind with every fact the checker, lowering and
//! emitters need (how it is spelled, the kernel's map type, key and value rules, per-CPU
//! storage, iteration, the methods it has and what each does, the flags the kernel
//! accepts, how user space sees it). Code reads these columns; it never lists kinds.
//! A new kind is a new row here, its name in `types.ts` `MapKind`, and C for any new
//! operation in `emit/map-kinds-c.ts` (ARCHITECTURE.md, "How to add a map kind").

import type { MapExtraMeaning, MapKind, MapUsage, MapValueMeaning, RedirectTarget } from "../types.js";

/** Capacity of a map declared without `(N)`. */
export const defaultMapCapacity = 1024;

/**
 * The most entries the kernel creates a hash map with (hash, LRU and their per-CPU
 * kinds): it allocates the next power of two of buckets, which must fit in 4 GiB of
 * 16-byte buckets (`htab_map_alloc`: E2BIG beyond). Measured on 6.18: 2^27 is created,
 * 2^27 + 1 is refused.
 */
export const maxHashMapEntries = 1 << 27;

/** `@flags(…)` names and their BPF_F_* bits. */
export const mapFlagBits: ReadonlyMap<string, number> = new Map([
  ["no_prealloc", 0x1],
  ["no_common_lru", 0x2],
  ["rdonly", 0x8],
  ["wronly", 0x10],
  ["clone", 0x200],
  ["rdonly_prog", 0x80],
  ["wronly_prog", 0x100],
]);

/** `BPF_F_NO_PREALLOC`: the kernel refuses an LPM trie without it. */
const noPrealloc = 0x1;

/** The access flags every map type accepts (the kernel's `BPF_F_ACCESS_MASK`). */
const accessFlags = ["rdonly", "wronly", "rdonly_prog", "wronly_prog"] as const;

/**
 * What a map method does, whatever it is called on a kind: the IR's `mapMethod.method`
 * (except `on_event`, a handler registration lowered with the ring buffers).
 * - `push`: add a value (queue/stack: `bpf_map_push_elem`; user space
 *   `bpf_map_update_elem` with no key); false when full.
 * - `pop` / `peek`: take out / look at the next value; only as `if (var v = q.pop())`.
 * - `output`: send a record to a perf event array (`bpf_perf_event_output`).
 * - `on_event`: register a user-space handler for the records.
 * - `dropped`: records the kernel lost (user space).
 * - `per_cpu` / `cpus`: one CPU's slot of a per-CPU entry, the number of slots (user space).
 * - `test`: whether a value may be in a bloom filter (`bpf_map_peek_elem` with the value;
 *   user space `bpf_map_lookup_elem` with no key): false means surely absent.
 * - `print`: print every entry to stdout (user space), as the default main does; maps
 *   with `@hist`/`@lhist`/`@top` print as histograms or their top entries.
 * - `inner_get`: `outer[k][i]` in eBPF, an entry of the map stored at `k` of a map of
 *   maps (never a method name; check/map-in-map.ts).
 * - `redirect`: send the packet or message to the entry's device, CPU or socket
 *   (`bpf_redirect_map`, `bpf_msg_redirect_map`/`_hash`, `bpf_sk_redirect_map`/`_hash`,
 *   by the program type's `mapRedirect` column; check/redirect-maps.ts).
 * - `storage_get` / `storage_create`: the value a local-storage map keeps for an owner (a
 *   socket, a cgroup), a maybe-null pointer (`storage_create` adds a zeroed one first);
 *   `storage_delete`: drop it (true if there was one). The row's `storage` names the helpers.
 * - `kernel_stack` / `user_stack`: the id of the current kernel / user stack in a stack
 *   trace map (`bpf_get_stackid(ctx, &map, flags)`; negative: the kernel's -errno).
 * - `print_kernel_stack` / `print_user_stack`: user space prints a stack id's frames,
 *   symbolised (runtime-c/stacks.c), a user stack with the pid that recorded it.
 * - `task_get` / `task_set` / `task_remove`: the current task's value in a task storage
 *   map (`bpf_task_storage_get(&map, bpf_get_current_task_btf(), …)`; get gives zero
 *   when the task has none, set creates it, remove is `bpf_task_storage_delete`).
 * - `user_submit`: user space writes a record into a user ring buffer (libbpf's
 *   `user_ring_buffer__reserve`/`__submit`); false when it is full.
 * - `user_drain`: eBPF hands every waiting record to a `@helper` taking a pointer to
 *   it (`bpf_user_ringbuf_drain`, 6.1); the number of records drained, or -errno.
 * - `object_get` / `object_set` / `object_remove`: a kernel object's value in its local
 *   storage (inode storage: `bpf_inode_storage_get(&map, inode, …)`), the object a
 *   pointer the program was given; get gives zero when it has none.
 * - `cgroup_store`: user space opens a cgroup v2 directory and stores it at a slot of a
 *   cgroup array (the kernel keeps its own reference; the fd is closed); false (with a
 *   line on stderr saying why) when the path is no cgroup v2 directory.
 * - `task_under_cgroup` / `skb_under_cgroup`: whether the current task / the packet's
 *   socket is in the cgroup at a slot or below it (`bpf_current_task_under_cgroup`,
 *   `bpf_skb_under_cgroup`): 1 yes, 0 no, a negative -errno when the slot is out of
 *   range or empty. Which programs may call them is the operation row's `offeredTo`.
 */
export type MapOperation = "push" | "pop" | "peek" | "output" | "on_event" | "dropped" | "per_cpu" | "cpus" | "test" | "print"
  | "redirect" | "inner_get"
  | "storage_get" | "storage_create" | "storage_delete"
  | "kernel_stack" | "user_stack" | "print_kernel_stack" | "print_user_stack"
  | "task_get" | "task_set" | "task_remove"
  | "user_submit" | "user_drain"
  | "object_get" | "object_set" | "object_remove"
  | "cgroup_store" | "task_under_cgroup" | "skb_under_cgroup";

/** The operations that become an IR `mapMethod` expression. */
export type MapMethod = Exclude<MapOperation, "on_event">;

/**
 * An operand of a method with a plain signature: the map's value, its key, a CPU number, a
 * local-storage owner (a socket, a cgroup), a stack id, a pid, a kernel object (an inode).
 */
export type MapOperand = "value" | "key" | "cpu" | "owner" | "stackId" | "pid" | "object"
  | "path" | "context";

/**
 * How an operation is checked and lowered: `plain` ones by their signature (operands
 * and result: the map's value type, or a fixed integer or bool); `binding` ones only in
 * `if (var v = m.op())`; `record` and `handler` ones by their own rules (perf output,
 * `on_event`).
 */
export type MapOperationShape =
  | { readonly form: "plain"; readonly operands: readonly MapOperand[]; readonly result: "bool" | "value" | "u32" | "u64" | "i64" | "void" | "valuePointer" }
  | { readonly form: "binding" }
  | { readonly form: "stackId" }
  | { readonly form: "drain" }
  | { readonly form: "record" }
  | { readonly form: "handler" }
  | { readonly form: "redirect" }
  | { readonly form: "inner" };

export interface MapOperationRow {
  /** Where it may be called: eBPF code, user space, or both. */
  readonly side: "kernel" | "user" | "both";
  readonly shape: MapOperationShape;
  /**
   * The programs whose hook offers the operation's helper when not every program's does:
   * those that run for a task (the program type's `currentTask` column), or the listed
   * `bpf_prog_type`s (the verifier's `get_func_proto` for the type). Elsewhere E1362.
   */
  readonly offeredTo?: { readonly kind: "currentTask" } | { readonly kind: "progTypes"; readonly helper: string; readonly progTypes: readonly string[] };
}

export const mapOperations: Readonly<Record<MapOperation, MapOperationRow>> = {
  push: { side: "both", shape: { form: "plain", operands: ["value"], result: "bool" } },
  pop: { side: "both", shape: { form: "binding" } },
  peek: { side: "both", shape: { form: "binding" } },
  output: { side: "kernel", shape: { form: "record" } },
  on_event: { side: "user", shape: { form: "handler" } },
  dropped: { side: "user", shape: { form: "plain", operands: [], result: "u64" } },
  per_cpu: { side: "user", shape: { form: "plain", operands: ["key", "cpu"], result: "value" } },
  cpus: { side: "user", shape: { form: "plain", operands: [], result: "u32" } },
  test: { side: "both", shape: { form: "plain", operands: ["value"], result: "bool" } },
  print: { side: "user", shape: { form: "plain", operands: [], result: "void" } },
  redirect: { side: "kernel", shape: { form: "redirect" } },
  inner_get: { side: "kernel", shape: { form: "inner" } },
  storage_get: { side: "kernel", shape: { form: "plain", operands: ["owner"], result: "valuePointer" } },
  storage_create: { side: "kernel", shape: { form: "plain", operands: ["owner"], result: "valuePointer" } },
  storage_delete: { side: "kernel", shape: { form: "plain", operands: ["owner"], result: "bool" } },
  // The program's context first, except where the entry macro's `ctx` is implicit (probes).
  kernel_stack: { side: "kernel", shape: { form: "stackId" } },
  user_stack: { side: "kernel", shape: { form: "stackId" } },
  print_kernel_stack: { side: "user", shape: { form: "plain", operands: ["stackId"], result: "void" } },
  print_user_stack: { side: "user", shape: { form: "plain", operands: ["stackId", "pid"], result: "void" } },
  task_get: { side: "kernel", shape: { form: "plain", operands: [], result: "value" } },
  task_set: { side: "kernel", shape: { form: "plain", operands: ["value"], result: "bool" } },
  task_remove: { side: "kernel", shape: { form: "plain", operands: [], result: "bool" } },
  user_submit: { side: "user", shape: { form: "plain", operands: ["value"], result: "bool" } },
  user_drain: { side: "kernel", shape: { form: "drain" } },
  object_get: { side: "kernel", shape: { form: "plain", operands: ["object"], result: "value" } },
  object_set: { side: "kernel", shape: { form: "plain", operands: ["object", "value"], result: "bool" } },
  object_remove: { side: "kernel", shape: { form: "plain", operands: ["object"], result: "bool" } },
  cgroup_store: { side: "user", shape: { form: "plain", operands: ["key", "path"], result: "bool" } },
  // kernel/trace/bpf_trace.c offers it to the tracing hooks (kprobe, tracepoint, perf
  // event, raw tracepoint, tracing, LSM …): the programs that run for a task.
  task_under_cgroup: { side: "kernel", shape: { form: "plain", operands: ["key"], result: "i64" }, offeredTo: { kind: "currentTask" } },
  // net/core/filter.c: only tc_cls_act_func_proto offers bpf_skb_under_cgroup (cgroup_skb,
  // socket filters, sk_skb and XDP do not; the verifier says `unknown func`).
  skb_under_cgroup: {
    side: "kernel", shape: { form: "plain", operands: ["context", "key"], result: "i64" },
    offeredTo: { kind: "progTypes", helper: "bpf_skb_under_cgroup", progTypes: ["BPF_PROG_TYPE_SCHED_CLS", "BPF_PROG_TYPE_SCHED_ACT"] },
  },
};

/**
 * A local-storage map (values kept by the kernel per owner object): the struct its
 * operations take a pointer to and the helpers (which program types' hooks offer them is
 * their `localStorage` column, E1361 elsewhere).
 */
export interface LocalStorage {
  readonly owner: string;
  readonly getHelper: string;
  readonly deleteHelper: string;
}

export interface MapKindRow {
  /** KernelScript spellings: upstream's lower-case first, then the seed sketch's CamelCase. */
  readonly spellings: readonly string[];
  /** The kernel's map type (`__uint(type, …)`). */
  readonly bpfMapType: string;
  /**
   * The type arguments: `K, V`; one value `T` (keyless: integers, enums, bools, structs);
   * one struct record; a ring buffer's record (check/ringbuf.ts); none (only the
   * compiler declares it).
   */
  readonly typeArguments: "keyValue" | "value" | "record" | "ringbuf" | "internal" | "none";
  /**
   * Key rule: any type; a `u32` index (an enum indexes by its value); an LPM prefix
   * struct (`prefixlen: u32` then the address, no padding); no key.
   */
  readonly key: "any" | "index" | "prefix" | "none";
  /** Capacity written without `(N)` (0: none is emitted, libbpf gives one slot per CPU). */
  readonly defaultEntries: number;
  /** A hash table: `maxHashMapEntries` applies (E0471). */
  readonly hashTable: boolean;
  /** One value per CPU: programs see their own CPU's (updates need no atomics); user space reads every slot. */
  readonly perCpu: boolean;
  /** Every index exists (arrays): updates never insert, and the default main prints non-zero entries only. */
  readonly everyIndexPresent: boolean;
  /**
   * A lookup's value pointer is 8-byte aligned whatever the value type: arrays keep
   * `round_up(value_size, 8)` per element, hash tables put the value at
   * `round_up(key_size, 8)` past the key, per-CPU slots are 8-aligned. An LPM trie's value
   * follows the key's data unrounded, so it is not. Copies out of such values are done in
   * 8-byte words (emit/pointers-c.ts); clang 14 copies a byte-aligned struct byte by byte
   * and spills past the 512 bytes of stack from about 150 bytes on.
   */
  readonly alignedValues?: true;
  /** `m[k]`, `m[k] = v`, `delete m[k]`, `if (var e = m[k])` (key/value kinds). */
  readonly indexable: boolean;
  /** What to use instead of `m[k]` on a kind without keys: a key of E0399's help, worded in the catalogue. */
  readonly usage: MapUsage | undefined;
  /** `for (k, v) in m`: in eBPF through `bpf_for_each_map_elem()`, in user space through get_next_key. */
  readonly iterable: { readonly kernel: boolean; readonly user: boolean };
  /** `m.NAME(…)`: each method's name and what it does. */
  readonly methods: ReadonlyMap<string, MapOperation>;
  /** `@flags` the kernel accepts for it (its `*_CREATE_FLAG_MASK`); undefined: the kernel decides. */
  readonly flags: readonly string[] | undefined;
  /** Flag bits always set. */
  readonly requiredFlags: number;
  /**
   * The `.maps` declaration: key and value types; the value only (key_size 0); perf
   * event fd slots (u32 key and value); only the size (ring buffers); stack ids and
   * their frames (a `u32` key, `stackDepth` addresses); local storage (an `int` key,
   * the value; no size: the kernel keeps one value per object).
   */
  readonly declaration: "keyValue" | "valueOnly" | "fdSlots" | "sizeOnly" | "mapOfMaps" | "stackTrace" | "localStorage";
  /**
   * What user space gets and the default main prints: accessors and a printer of every
   * entry; the value a pop would return next; records through `dispatch`; nothing.
   */
  readonly userView: "keyValue" | "nextValue" | "records" | "none";
  /** Reached from Python scripts as a dict-like `Map` (emit/python-module.ts). */
  readonly python: boolean;
  /**
   * Counter-like entries the loader's `--metrics` endpoint exports, one sample per entry
   * (emit/userspace/metrics.ts; its key and value types decide further). Absent: not exported.
   */
  readonly metrics?: true;
  /**
   * An attribute setting the map's `map_extra` (`@NAME(n)`, a constant from `min` to
   * `max`); what the number means, as a key of the catalogue's wording (E0628).
   */
  readonly extra?: { readonly attribute: string; readonly min: number; readonly max: number; readonly meaning: MapExtraMeaning };
  /**
   * The values are the kernel's, not the program's: the types it accepts (by size) and
   * what they mean (E1370). Undefined: any value type.
   */
  readonly fixedValue?: { readonly types: readonly ("u32" | "u64")[]; readonly meaning: MapValueMeaning };
  /**
   * What eBPF code may do with `m[k]` when less than user space: `readOnly` (the kernel
   * creates the map `BPF_F_RDONLY_PROG`), `none` (the verifier allows no lookup or update
   * of it, or a lookup returns a socket reference, not a value). Undefined: read and write.
   */
  readonly programAccess?: "readOnly" | "none";
  /** `m.redirect(…)` sends through it; program types say which they can (`mapRedirect`). */
  readonly redirect?: RedirectTarget;
  /** Its values are maps of one type written inline (`array_of_maps<u32, array<u32, u64>(4)>(N)`). */
  readonly innerMaps?: true;
  /** A local-storage map: its owner and helpers (`declaration` is then `localStorage`). */
  readonly storage?: LocalStorage;
  /**
   * Its eBPF operations name the current task (`bpf_get_current_task_btf`): only programs
   * that run for a task (the program type's `currentTask` column) may use them (E1354).
   */
  readonly currentTaskOnly?: boolean;
  /** Its helpers exist only for this `bpf_prog_type` (inode storage: LSM programs; E1357). */
  readonly onlyForProgType?: string;
  /** Local storage: the kernel object it keeps values for, and its helpers' prefix (`bpf_inode_storage`). */
  readonly storageHelpers?: string;
  /** How the reference interpreter keeps it (src/compiler/interpret/maps.ts); undefined: not modelled (its uses skip, E0700). */
  readonly offKernel?: OffKernelMap;
}

/**
 * A map kind off-kernel: its store (keyed: hash table, array of every index, LPM trie;
 * keyless: queue, stack, ring buffer and perf event records, bloom filter set), whether
 * a full one evicts (LRU), whether its entries are in the test-run trace (TRACE.md), and
 * whether its values are redirect targets (`redirect()` gives XDP_REDIRECT for a filled slot).
 */
export interface OffKernelMap {
  readonly store: "hash" | "array" | "lpm" | "queue" | "stack" | "ring" | "records" | "bloom";
  readonly lru?: true;
  readonly traced?: true;
  readonly redirectSlots?: true;
}

const methods = (...pairs: readonly (readonly [string, MapOperation])[]): ReadonlyMap<string, MapOperation> => new Map(pairs);
const perCpuMethods = methods(["per_cpu", "per_cpu"], ["cpus", "cpus"], ["print", "print"]);
const queueMethods = methods(["push", "push"], ["pop", "pop"], ["peek", "peek"]);

const keyValue = {
  typeArguments: "keyValue", key: "any", defaultEntries: defaultMapCapacity, hashTable: false, perCpu: false,
  everyIndexPresent: false, indexable: true, usage: undefined, iterable: { kernel: true, user: true }, methods: methods(["print", "print"]),
  flags: undefined, requiredFlags: 0, declaration: "keyValue", userView: "keyValue", python: true,
} as const satisfies Partial<MapKindRow>;

// Redirect maps (XDP) and socket maps (sk_msg/sk_skb). Their values belong to the kernel
// (an ifindex, a queue size, a socket fd) and user space fills them; programs only
// redirect through them (the verifier's check_map_func_compatibility), except that a
// devmap's entries may be read (the kernel makes the map BPF_F_RDONLY_PROG). Flags: the
// kernel's DEV/XSK/SOCK_CREATE_FLAG_MASK (NUMA node, rdonly, wronly); a cpumap takes none.
const redirectMap = {
  ...keyValue, key: "index", hashTable: false, iterable: { kernel: false, user: true }, methods: methods(["redirect", "redirect"], ["print", "print"]),
  flags: ["rdonly", "wronly"], python: false, programAccess: "none",
} as const satisfies Partial<MapKindRow>;

const redirectKinds: Readonly<Record<"devmap" | "devmap_hash" | "cpumap" | "xskmap" | "sockmap" | "sockhash", MapKindRow>> = {
  devmap: {
    offKernel: { store: "array", redirectSlots: true },
    ...redirectMap, spellings: ["devmap", "DevMap"], bpfMapType: "BPF_MAP_TYPE_DEVMAP", redirect: "device",
    fixedValue: { types: ["u32"], meaning: "ifindex" }, programAccess: "readOnly",
  },
  devmap_hash: {
    offKernel: { store: "hash", redirectSlots: true },
    ...redirectMap, spellings: ["devmap_hash", "DevMapHash"], bpfMapType: "BPF_MAP_TYPE_DEVMAP_HASH", redirect: "device",
    fixedValue: { types: ["u32"], meaning: "ifindex" }, programAccess: "readOnly",
  },
  cpumap: {
    offKernel: { store: "array", redirectSlots: true },
    ...redirectMap, spellings: ["cpumap", "CpuMap"], bpfMapType: "BPF_MAP_TYPE_CPUMAP", redirect: "device",
    fixedValue: { types: ["u32"], meaning: "cpuQueueSize" }, flags: [],
  },
  // A lookup from user space is EOPNOTSUPP: nothing to print or iterate.
  xskmap: {
    offKernel: { store: "array", redirectSlots: true },
    ...redirectMap, spellings: ["xskmap", "XskMap"], bpfMapType: "BPF_MAP_TYPE_XSKMAP", redirect: "device",
    fixedValue: { types: ["u32"], meaning: "xskFd" }, iterable: { kernel: false, user: false }, methods: methods(["redirect", "redirect"]), userView: "none",
  },
  // User space stores a socket's fd; a lookup gives back the socket's cookie (u64 values only).
  sockmap: {
    ...redirectMap, spellings: ["sockmap", "SockMap"], bpfMapType: "BPF_MAP_TYPE_SOCKMAP", redirect: "socketIndex",
    fixedValue: { types: ["u32", "u64"], meaning: "socketFd" },
  },
  sockhash: {
    ...redirectMap, spellings: ["sockhash", "SockHash"], bpfMapType: "BPF_MAP_TYPE_SOCKHASH", key: "any", redirect: "socketKey",
    fixedValue: { types: ["u32", "u64"], meaning: "socketFd" },
  },
};

// Maps of maps: the value is another map (user space stores a map's fd, reads back its
// id); eBPF code reads an entry of the inner map (`outer[k][i]`) and cannot write the
// outer one. The inner type is the declaration's `__array(values, …)` template.
const mapOfMaps = {
  ...keyValue, iterable: { kernel: false, user: true }, python: false, programAccess: "none", innerMaps: true, declaration: "mapOfMaps",
} as const satisfies Partial<MapKindRow>;

const mapInMapKinds: Readonly<Record<"array_of_maps" | "hash_of_maps", MapKindRow>> = {
  array_of_maps: { ...mapOfMaps, spellings: ["array_of_maps", "ArrayOfMaps"], bpfMapType: "BPF_MAP_TYPE_ARRAY_OF_MAPS", key: "index", everyIndexPresent: false },
  hash_of_maps: { ...mapOfMaps, spellings: ["hash_of_maps", "HashOfMaps"], bpfMapType: "BPF_MAP_TYPE_HASH_OF_MAPS", hashTable: true },
};

const ownerStorage = {
  typeArguments: "value", key: "none", defaultEntries: 0, hashTable: false, perCpu: false, everyIndexPresent: false,
  indexable: false, usage: "ownerStorage", iterable: { kernel: false, user: false },
  methods: methods(["get", "storage_get"], ["get_or_create", "storage_create"], ["remove", "storage_delete"]),
  requiredFlags: noPrealloc, declaration: "localStorage", userView: "none", python: false,
} as const satisfies Partial<MapKindRow>;

export const mapKinds: Readonly<Record<MapKind, MapKindRow>> = {
  hash: { offKernel: { store: "hash", traced: true }, ...keyValue, metrics: true, spellings: ["hash", "HashMap"], bpfMapType: "BPF_MAP_TYPE_HASH", hashTable: true, alignedValues: true },
  array: { offKernel: { store: "array", traced: true }, ...keyValue, metrics: true, spellings: ["array", "ArrayMap", "Array"], bpfMapType: "BPF_MAP_TYPE_ARRAY", key: "index", everyIndexPresent: true, alignedValues: true },
  percpu_hash: {
    offKernel: { store: "hash", traced: true },
    ...keyValue, metrics: true, spellings: ["percpu_hash", "PerCpuHashMap", "PerCpuHash"], bpfMapType: "BPF_MAP_TYPE_PERCPU_HASH",
    hashTable: true, perCpu: true, methods: perCpuMethods, alignedValues: true,
  },
  percpu_array: {
    offKernel: { store: "array", traced: true },
    ...keyValue, metrics: true, spellings: ["percpu_array", "PerCpuArray", "PerCpuArrayMap"], bpfMapType: "BPF_MAP_TYPE_PERCPU_ARRAY",
    key: "index", everyIndexPresent: true, perCpu: true, methods: perCpuMethods, alignedValues: true,
  },
  lru_hash: { offKernel: { store: "hash", lru: true, traced: true }, ...keyValue, metrics: true, spellings: ["lru_hash", "LruHashMap", "LruHash"], bpfMapType: "BPF_MAP_TYPE_LRU_HASH", hashTable: true, alignedValues: true },
  lru_percpu_hash: {
    offKernel: { store: "hash", lru: true, traced: true },
    ...keyValue, metrics: true, spellings: ["lru_percpu_hash", "LruPerCpuHashMap", "LruPerCpuHash"], bpfMapType: "BPF_MAP_TYPE_LRU_PERCPU_HASH", hashTable: true, perCpu: true, methods: perCpuMethods,
    alignedValues: true,
  },
  lpm_trie: {
    offKernel: { store: "lpm", traced: true },
    ...keyValue, spellings: ["lpm_trie", "LpmTrie"], bpfMapType: "BPF_MAP_TYPE_LPM_TRIE", key: "prefix",
    // bpf_for_each_map_elem() does not walk tries (no map_for_each_callback).
    iterable: { kernel: false, user: true },
    flags: ["no_prealloc", ...accessFlags], requiredFlags: noPrealloc,
  },
  ringbuf: {
    offKernel: { store: "ring" },
    spellings: ["ringbuf", "RingBuf"], bpfMapType: "BPF_MAP_TYPE_RINGBUF", typeArguments: "ringbuf", key: "none",
    defaultEntries: 0, hashTable: false, perCpu: false, everyIndexPresent: false, indexable: false,
    usage: "reserveAndSubmit",
    // reserve/submit/discard work on records (check/ringbuf.ts); these two are map methods.
    iterable: { kernel: false, user: false }, methods: methods(["on_event", "on_event"], ["dropped", "dropped"]), flags: [], requiredFlags: 0,
    declaration: "sizeOnly", userView: "records", python: false,
  },
  perf_event_array: {
    offKernel: { store: "records" },
    spellings: ["perf_event_array", "PerfEventArray"], bpfMapType: "BPF_MAP_TYPE_PERF_EVENT_ARRAY", typeArguments: "record",
    key: "none", defaultEntries: 0, hashTable: false, perCpu: false, everyIndexPresent: false, indexable: false,
    usage: "outputRecords",
    iterable: { kernel: false, user: false }, methods: methods(["output", "output"], ["on_event", "on_event"], ["dropped", "dropped"]),
    flags: accessFlags, requiredFlags: 0, declaration: "fdSlots", userView: "records", python: false,
  },
  queue: {
    offKernel: { store: "queue" },
    spellings: ["queue", "Queue"], bpfMapType: "BPF_MAP_TYPE_QUEUE", typeArguments: "value", key: "none",
    defaultEntries: defaultMapCapacity, hashTable: false, perCpu: false, everyIndexPresent: false, indexable: false,
    usage: "pushAndPop", iterable: { kernel: false, user: false }, methods: queueMethods, flags: accessFlags, requiredFlags: 0,
    declaration: "valueOnly", userView: "nextValue", python: false,
  },
  stack: {
    offKernel: { store: "stack" },
    spellings: ["stack", "Stack"], bpfMapType: "BPF_MAP_TYPE_STACK", typeArguments: "value", key: "none",
    defaultEntries: defaultMapCapacity, hashTable: false, perCpu: false, everyIndexPresent: false, indexable: false,
    usage: "pushAndPop", iterable: { kernel: false, user: false }, methods: queueMethods, flags: accessFlags, requiredFlags: 0,
    declaration: "valueOnly", userView: "nextValue", python: false,
  },
  // Kernel 5.16+. Values only (key_size 0); max_entries sizes the bit set. The kernel
  // accepts BPF_F_NUMA_NODE, BPF_F_ZERO_SEED and the access flags (BLOOM_CREATE_FLAG_MASK).
  bloom_filter: {
    offKernel: { store: "bloom" },
    spellings: ["bloom_filter", "BloomFilter"], bpfMapType: "BPF_MAP_TYPE_BLOOM_FILTER", typeArguments: "value", key: "none",
    defaultEntries: defaultMapCapacity, hashTable: false, perCpu: false, everyIndexPresent: false, indexable: false,
    usage: "pushAndContains",
    iterable: { kernel: false, user: false }, methods: methods(["push", "push"], ["contains", "test"], ["peek", "test"]),
    flags: accessFlags, requiredFlags: 0, declaration: "valueOnly", userView: "none", python: false,
    // The low 4 bits of map_extra; 0 (no attribute) is the kernel's default of 5.
    extra: { attribute: "hashes", min: 1, max: 15, meaning: "hashFunctions" },
  },
  // Local storage (5.2+ sockets, 6.2+ cgroups): one value per owner object, created and
  // freed with it; BPF_F_NO_PREALLOC is required, `clone` copies a socket's value to the
  // sockets accepted from it.
  sk_storage: {
    ...ownerStorage, spellings: ["sk_storage"], bpfMapType: "BPF_MAP_TYPE_SK_STORAGE", flags: ["no_prealloc", "clone"],
    storage: {
      // The verifier takes any socket pointer (sock_common, full socket, tcp_sock).
      owner: "bpf_sock", getHelper: "bpf_sk_storage_get", deleteHelper: "bpf_sk_storage_delete",
    },
  },
  cgrp_storage: {
    ...ownerStorage, spellings: ["cgrp_storage"], bpfMapType: "BPF_MAP_TYPE_CGRP_STORAGE", flags: ["no_prealloc"],
    storage: {
      // A trusted `struct cgroup *` (tracing programs' BTF arguments).
      owner: "cgroup", getHelper: "bpf_cgrp_storage_get", deleteHelper: "bpf_cgrp_storage_delete",
    },
  },
  // The tail-call slots (`ks_tail_calls`, emit/ebpf-c.ts); programs cannot declare one.
  prog_array: {
    offKernel: { store: "array" },
    spellings: [], bpfMapType: "BPF_MAP_TYPE_PROG_ARRAY", typeArguments: "internal", key: "index", defaultEntries: 0,
    hashTable: false, perCpu: false, everyIndexPresent: true, indexable: false, usage: undefined, iterable: { kernel: false, user: false },
    methods: methods(), flags: undefined, requiredFlags: 0, declaration: "keyValue", userView: "none", python: false,
  },
  ...redirectKinds,
  ...mapInMapKinds,
  // Stack traces: `stack_trace(N)`, N distinct stacks of `stackDepth` frames each (u32 ids,
  // u64 addresses; no type arguments). Written by bpf_get_stackid, read by user space.
  // BPF_F_STACK_BUILD_ID (0x20) is not offered: frames are addresses.
  stack_trace: {
    spellings: ["stack_trace", "StackTrace"], bpfMapType: "BPF_MAP_TYPE_STACK_TRACE", typeArguments: "none", key: "none",
    defaultEntries: defaultMapCapacity, hashTable: false, perCpu: false, everyIndexPresent: false, indexable: false,
    usage: "stackIds", iterable: { kernel: false, user: false },
    methods: methods(["kernel_stack", "kernel_stack"], ["user_stack", "user_stack"], ["print_kernel_stack", "print_kernel_stack"], ["print_user_stack", "print_user_stack"]),
    flags: accessFlags, requiredFlags: 0, declaration: "stackTrace", userView: "none", python: false,
  },
  // Task local storage (5.11; every tracing program since 6.2): one value per task, kept
  // by the kernel with the task and freed with it; no max_entries, BPF_F_NO_PREALLOC
  // required. Programs read and write the current task's value; user space would need a
  // pidfd as the key, which KernelScript does not offer yet, so it has no user view.
  task_storage: {
    spellings: ["task_storage", "TaskStorage"], bpfMapType: "BPF_MAP_TYPE_TASK_STORAGE", typeArguments: "value", key: "none",
    defaultEntries: 0, hashTable: false, perCpu: false, everyIndexPresent: false, indexable: false,
    usage: "currentTaskValue", iterable: { kernel: false, user: false },
    methods: methods(["get", "task_get"], ["set", "task_set"], ["remove", "task_remove"]),
    flags: ["no_prealloc"], requiredFlags: noPrealloc, declaration: "localStorage", userView: "none", python: false,
    currentTaskOnly: true,
  },
  // A ring buffer user space writes and programs read (6.1): records of one struct type,
  // the size in bytes (a power-of-two number of pages, as ring buffers). User space
  // `push`es records; a program `drain`s them through a `@helper` called per record.
  user_ringbuf: {
    spellings: ["user_ringbuf", "UserRingBuf"], bpfMapType: "BPF_MAP_TYPE_USER_RINGBUF", typeArguments: "record", key: "none",
    defaultEntries: 256 * 1024, hashTable: false, perCpu: false, everyIndexPresent: false, indexable: false,
    usage: "submitAndDrain", iterable: { kernel: false, user: false },
    methods: methods(["push", "user_submit"], ["drain", "user_drain"]),
    flags: [], requiredFlags: 0, declaration: "sizeOnly", userView: "none", python: false,
  },
  // Inode local storage (5.10): one value per inode, for LSM programs only (the kernel
  // gives bpf_inode_storage_get/_delete to BPF_PROG_TYPE_LSM), the inode a pointer an LSM
  // hook passes. Refused at load on this project's machines (LSM under lockdown).
  inode_storage: {
    spellings: ["inode_storage", "InodeStorage"], bpfMapType: "BPF_MAP_TYPE_INODE_STORAGE", typeArguments: "value", key: "none",
    defaultEntries: 0, hashTable: false, perCpu: false, everyIndexPresent: false, indexable: false,
    usage: "objectValue", iterable: { kernel: false, user: false },
    methods: methods(["get", "object_get"], ["set", "object_set"], ["remove", "object_remove"]),
    flags: ["no_prealloc"], requiredFlags: noPrealloc, declaration: "localStorage", userView: "none", python: false,
    onlyForProgType: "BPF_PROG_TYPE_LSM", storageHelpers: "bpf_inode_storage",
  },
  // Cgroups by slot (4.8): u32 slots whose values are cgroup v2 directories' fds, written
  // by user space (`m.set(slot, "/sys/fs/cgroup/app")`; the kernel holds the cgroup, the
  // fd is closed); programs ask whether the current task or a packet is under one. The
  // verifier allows a program no lookup or update of it (only the two helpers), and a
  // user-space lookup is EOPNOTSUPP: nothing to index, iterate or print. CGROUP_ARRAY has no create flags
  // beyond the array ones; only the access flags are offered.
  cgroup_array: {
    spellings: ["cgroup_array", "CgroupArray"], bpfMapType: "BPF_MAP_TYPE_CGROUP_ARRAY", typeArguments: "none", key: "none",
    defaultEntries: defaultMapCapacity, hashTable: false, perCpu: false, everyIndexPresent: false, indexable: false,
    usage: "cgroupSlots", iterable: { kernel: false, user: false },
    methods: methods(["set", "cgroup_store"], ["current_task_under", "task_under_cgroup"], ["skb_under", "skb_under_cgroup"]),
    flags: accessFlags, requiredFlags: 0, declaration: "fdSlots", userView: "none", python: false,
  },
};

/** Map kinds by every spelling. */
export const mapKindSpellings: ReadonlyMap<string, MapKind> = new Map(
  (Object.entries(mapKinds) as [MapKind, MapKindRow][]).flatMap(([kind, row]) => row.spellings.map((s) => [s, kind] as const)),
);

/** The operation `m.NAME` performs on a map of `kind`, if it has such a method. */
export function mapOperationOf(kind: MapKind, method: string): MapOperation | undefined {
  return mapKinds[kind].methods.get(method);
}

/** Whether some method of `kind` performs `operation`. */
export function hasOperation(kind: MapKind, operation: MapOperation): boolean {
  return [...mapKinds[kind].methods.values()].includes(operation);
}

/** The kinds whose row satisfies `test`, in table order. */
export function mapKindsWhere(test: (row: MapKindRow) => boolean): MapKind[] {
  return (Object.keys(mapKinds) as MapKind[]).filter((kind) => test(mapKinds[kind]));
}

/** A sockmap or sockhash: what `@sk_msg`/`@sk_skb` programs attach to and redirect to. */
export function isSocketMap(kind: MapKind): boolean {
  const target = mapKinds[kind].redirect;
  return target === "socketIndex" || target === "socketKey";
}

/** Every `@NAME(n)` attribute some map kind takes for its `map_extra`. */
export const mapExtraAttributes: readonly string[] = [...new Set(Object.values(mapKinds).flatMap((row) => row.extra ? [row.extra.attribute] : []))];

/** The kernel's `LPM_DATA_SIZE_MAX`: the address bytes an LPM trie key may have after `prefixlen`. */
export const maxLpmAddressBytes = 256;
