// The virtual module tools/build-playground.mjs makes from examples/ at build time.
declare module "playground:examples" {
  /** The examples menu: paths relative to examples/ (`seed_packet_filter.ks`, `tools/execsnoop.ks`). */
  export const menu: readonly string[];
  /** Every bundled file (the menu's and what they include or import), by the same paths. */
  export const files: Readonly<Record<string, string>>;
}
