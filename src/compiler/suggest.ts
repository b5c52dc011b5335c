//! "Did you mean …?": the closest known name by edit distance, if close enough.

import { maxSuggestedNameLength } from "./limits.js";

export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? (a[i - 1] === b[j - 1] ? 0 : 0.5) : 1;
      previous[j] = Math.min(previous[j]! + 1, previous[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `name`, when it is within about a third of its length. Names
 * longer than `maxSuggestedNameLength` get no suggestion (nobody mistypes a 256 KB name,
 * and comparing it costs its length squared), and candidates whose length alone puts
 * them out of reach are not compared at all.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length > maxSuggestedNameLength) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 3));
  for (const candidate of candidates) {
    if (candidate === name || Math.abs(candidate.length - name.length) > limit) continue;
    const distance = editDistance(name, candidate);
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
