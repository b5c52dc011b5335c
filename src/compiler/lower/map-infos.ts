//! The checker's maps by name, for lowering: `Semantics.maps` is a list, and a program
//! of thousands of maps would otherwise scan it for every map access (quadratic).

import type { MapInfo, Semantics } from "../check/semantics.js";

const byList = new WeakMap<readonly MapInfo[], ReadonlyMap<string, MapInfo>>();

/** The first map named `name` (as `maps.find` would give it), made into an index once per list. */
export function mapInfoNamed(semantics: Semantics, name: string | undefined): MapInfo | undefined {
  if (name === undefined) return undefined;
  let index = byList.get(semantics.maps);
  if (!index) {
    const built = new Map<string, MapInfo>();
    for (const info of semantics.maps) if (!built.has(info.name)) built.set(info.name, info);
    byList.set(semantics.maps, built);
    index = built;
  }
  return index.get(name);
}
