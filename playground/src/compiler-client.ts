// The page's side of the worker: one request, one promise. A compile answer for text the
// editor no longer holds is still delivered; the caller drops it (main.ts compares ids).

import type { ExampleFile, Request, Response } from "./protocol.js";

/** What index.html's inline script leaves: the worker, and what it said before this script ran. */
interface EarlyWorker {
  /** Absent when the browser refused to start it (`error` says why). */
  readonly worker?: Worker;
  readonly error?: string;
  readonly early: readonly Response[];
}

type Answer<K extends Response["kind"]> = Extract<Response, { kind: K }>;
type RequestBody<K extends Request["kind"]> = Omit<Extract<Request, { kind: K }>, "id">;

export class CompilerClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(answer: Response): void; reject(error: Error): void }>();
  /** The examples menu, as the worker's bundle holds it. */
  readonly ready: Promise<readonly ExampleFile[]>;

  /**
   * Takes over the worker index.html started before this script loaded (with the messages
   * it sent meanwhile), or starts one at `url`.
   */
  constructor(url: URL) {
    const started = (globalThis as { kernelscriptWorker?: EarlyWorker }).kernelscriptWorker;
    // Throws where the browser refuses a worker (a page opened from file://); main.ts says so.
    this.worker = started?.worker ?? new Worker(url, { type: "module" });
    let ready!: (examples: readonly ExampleFile[]) => void;
    this.ready = new Promise((resolve) => (ready = resolve));
    const receive = (answer: Response): void => {
      if (answer.kind === "ready") return ready(answer.examples);
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if (answer.kind === "crashed") waiting.reject(new Error(answer.message));
      else waiting.resolve(answer);
    };
    this.worker.onmessage = (event: MessageEvent<Response>) => receive(event.data);
    for (const answer of started?.early ?? []) receive(answer);
  }

  /** The id the next request will get (main.ts keeps the latest compile's). */
  get lastId(): number {
    return this.nextId - 1;
  }

  ask<K extends Request["kind"], A extends Response["kind"]>(kind: K, body: Omit<RequestBody<K>, "kind">, answer: A): Promise<Answer<A>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (response) => (response.kind === answer ? resolve(response as Answer<A>) : reject(new Error(`the worker answered ${response.kind} to ${kind}`))),
        reject,
      });
      this.worker.postMessage({ ...body, kind, id } as Request);
    });
  }
}
