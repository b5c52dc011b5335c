// The messages between the page (main.ts) and the compiler's worker (worker.ts). Plain
// data only (structured clone): offsets, never CodeMirror or core objects.

import type { InterpretedTest } from "../../src/compiler/index.js";

/** One diagnostic's place in the main file, for an editor marker. */
export interface MarkerData {
  readonly severity: "error" | "warning";
  readonly code: string;
  readonly message: string;
  /** UTF-16 offsets into the text that was compiled (the core's spans, unchanged). */
  readonly from: number;
  readonly to: number;
  /** 1-based, as the rendered text shows it. */
  readonly line: number;
}

export interface OutputFile {
  readonly path: string;
  readonly text: string;
}

export interface ExampleFile {
  readonly path: string;
  readonly text: string;
}

/**
 * One `@test` function's result as the interpreter reports it, made to cross to the page:
 * the function's line instead of its span.
 */
export type TestResultData = Omit<InterpretedTest, "location"> & { readonly line?: number };

export type Request =
  | { readonly kind: "compile"; readonly id: number; readonly path: string; readonly text: string }
  | { readonly kind: "format"; readonly id: number; readonly path: string; readonly text: string }
  | { readonly kind: "run"; readonly id: number; readonly path: string; readonly text: string }
  | { readonly kind: "complete"; readonly id: number; readonly path: string; readonly text: string; readonly offset: number }
  | { readonly kind: "hover"; readonly id: number; readonly path: string; readonly text: string; readonly offset: number };

export interface CompletionData {
  readonly label: string;
  readonly detail?: string;
  readonly type: string;
}

export type Response =
  | { readonly kind: "ready"; readonly examples: readonly ExampleFile[] }
  | {
      readonly kind: "compiled";
      readonly id: number;
      readonly markers: readonly MarkerData[];
      /** The CLI's rendering (no colour), "" when there is nothing to say. */
      readonly rendered: string;
      readonly files: readonly OutputFile[];
      readonly errors: number;
      readonly warnings: number;
      readonly milliseconds: number;
    }
  | { readonly kind: "formatted"; readonly id: number; readonly text: string | undefined; readonly rendered: string }
  | {
      readonly kind: "ran";
      readonly id: number;
      readonly tests: readonly TestResultData[];
      /** Diagnostics that kept the tests from running (rendered like the CLI's). */
      readonly rendered: string;
      readonly markers: readonly MarkerData[];
    }
  | { readonly kind: "completions"; readonly id: number; readonly from: number; readonly items: readonly CompletionData[] }
  | { readonly kind: "hovered"; readonly id: number; readonly from: number; readonly to: number; readonly text: string | undefined }
  /** The worker's own failure (a bug): shown as such, never as a compile result. */
  | { readonly kind: "crashed"; readonly id: number; readonly message: string };
