//! The loader's fleet options as the generated mains and their `--help` show them
//! (runtime-c/fleet.c parses them, before the program's own options): every loader, with
//! the default main or a user `main`, has them.

import type { CWriter } from "../c-writer.js";

/** `--help` rows: the option with its value, and what it does. */
export const fleetOptionRows: readonly (readonly [string, string])[] = [
  ["--ready-file PATH", "write PATH (pid, metrics address, attachments) once everything is attached; removed on exit"],
  ["--metrics ADDR:PORT", "serve the maps in Prometheus text format at http://ADDR:PORT/metrics (port 0: any free port)"],
  ["--pin-dir DIR", "pin every map under DIR (on a bpffs) and reuse it on the next start, contents kept"],
  ["--shutdown-timeout SECONDS", "after the first SIGTERM/SIGINT, detach and exit within SECONDS at most (default 25; 0: no limit)"],
];

/** The first statements of a generated `main`: the fleet options out of argv (exit 2 on a bad one). */
export function emitTakeFleetOptions(w: CWriter): void {
  w.comment("The loader's own options (--ready-file, --metrics, --pin-dir, --shutdown-timeout) first: runtime-c/fleet.c.");
  w.line("int fleet_status = ks_fleet_take_options(&argc, argv);");
  w.line("if (fleet_status >= 0) return fleet_status;");
}
