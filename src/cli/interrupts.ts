//! SIGINT/SIGTERM/SIGHUP while a command has partial work to undo. `watchInterrupts`
//! takes the signals over (through `CliIo.onInterrupt`) for as long as the work exists:
//! the first signal is remembered and passed to whoever must react at once (a running
//! make is killed with it); the command checks `throwIfInterrupted()` between steps,
//! undoes its work in `finally` blocks, and `main` exits 128 + the signal's number.

import type { CliIo } from "./context.js";
import { Interrupted, type InterruptSignal } from "./failures.js";

export interface InterruptWatch {
  /** The first signal received, or undefined. */
  readonly received: InterruptSignal | undefined;
  /** Calls `action` on the first signal (at once when one already came); returns an unsubscribe. */
  onSignal(action: (signal: InterruptSignal) => void): () => void;
  /** Throws `Interrupted` (with `message`) when a signal came. */
  throwIfInterrupted(message: string): void;
  /** Gives the signals back their default action. */
  dispose(): void;
}

export function watchInterrupts(io: CliIo): InterruptWatch {
  let received: InterruptSignal | undefined;
  const actions = new Set<(signal: InterruptSignal) => void>();
  const unsubscribe = io.onInterrupt?.((signal) => {
    if (received !== undefined) return;
    received = signal;
    for (const action of [...actions]) action(signal);
  });
  return {
    get received() {
      return received;
    },
    onSignal(action) {
      if (received !== undefined) {
        action(received);
        return () => {};
      }
      actions.add(action);
      return () => actions.delete(action);
    },
    throwIfInterrupted(message) {
      if (received !== undefined) throw new Interrupted(received, message);
    },
    dispose() {
      actions.clear();
      unsubscribe?.();
    },
  };
}
