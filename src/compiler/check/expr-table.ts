//! `ExprTable`: a side table about expressions (their types, the symbols names refer
//! to) that reads like a `Map` keyed by the node, stored as arrays indexed by the
//! number the parser gave each expression (`ExprNode.id` in ast.ts).
//!
//! A 100k-line program has over 200,000 expressions; as keys of a hash map every one
//! costs a hash of its identity, a probe at a random place in a large table on every
//! look-up (lowering looks each type up several times) and table growth that copies
//! everything set so far. Numbers are handed out in the order the parser makes the
//! nodes, which is about the order the checker and lowering visit them, so the arrays
//! are filled and read almost in sequence.
//!
//! The arrays come in pages of `PAGE` entries, found by the number's high bits, counted
//! from the lowest page set so far: the counter is per process, so a long-lived process
//! (an editor's server) parses on to ever larger numbers, and a table starts where its
//! program's numbers do (a number below that page moves the start down, unless it is
//! further below than `MAX_GAP_PAGES`). A table that only sees some numbers allocates
//! only the pages it uses. A node without a number (made without the parser), or one
//! numbered far below the others, goes to an ordinary map.

import type { ExprNode } from "../ast.js";

const PAGE_BITS = 8;
const PAGE = 1 << PAGE_BITS;
/** How many pages the start may move down for one number (a million numbers). */
const MAX_GAP_PAGES = 4096;

/** One page: the keys in the first half, the values in the second. */
type Page = unknown[];

export class ExprTable<K extends ExprNode, V> implements ReadonlyMap<K, V> {
  private readonly pages: (Page | undefined)[] = [];
  /** The page `pages[0]` holds (-1 before the first number is set). */
  private firstPage = -1;
  private others: Map<K, V> | undefined;
  private numbered = 0;

  get size(): number {
    return this.numbered + (this.others?.size ?? 0);
  }

  /** The index in `pages` of `id`'s page; -1 for a key kept in `others`. */
  private pageIndex(id: number | undefined): number {
    return id === undefined || this.firstPage < 0 ? -1 : (id >>> PAGE_BITS) - this.firstPage;
  }

  get(key: K): V | undefined {
    const id = key.id;
    const index = this.pageIndex(id);
    if (index < 0) return this.others?.get(key);
    const page = this.pages[index];
    if (page === undefined) return undefined;
    const slot = id! & (PAGE - 1);
    return page[slot] === key ? (page[PAGE + slot] as V) : undefined;
  }

  has(key: K): boolean {
    const id = key.id;
    const index = this.pageIndex(id);
    if (index < 0) return this.others?.has(key) ?? false;
    const page = this.pages[index];
    return page !== undefined && page[id! & (PAGE - 1)] === key;
  }

  set(key: K, value: V): this {
    const id = key.id;
    if (id !== undefined && this.firstPage < 0) this.firstPage = id >>> PAGE_BITS;
    let index = this.pageIndex(id);
    if (id !== undefined && index < 0 && -index <= MAX_GAP_PAGES) {
      this.pages.unshift(...new Array<Page | undefined>(-index).fill(undefined));
      this.firstPage += index;
      index = 0;
    }
    if (index < 0) {
      (this.others ??= new Map()).set(key, value);
      return this;
    }
    let page = this.pages[index];
    if (page === undefined) {
      page = new Array<unknown>(2 * PAGE).fill(undefined);
      // Fill the gap before a page far ahead, so the list stays an array, not a dictionary.
      while (this.pages.length < index) this.pages.push(undefined);
      this.pages[index] = page;
    }
    const slot = id! & (PAGE - 1);
    if (page[slot] !== key) {
      page[slot] = key;
      this.numbered++;
    }
    page[PAGE + slot] = value;
    return this;
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }

  /** Numbered entries by number, then the others in insertion order (no pass depends on the order). */
  entries(): MapIterator<[K, V]> {
    const all = new Map<K, V>();
    for (const page of this.pages) {
      if (page === undefined) continue;
      for (let slot = 0; slot < PAGE; slot++) {
        if (page[slot] !== undefined) all.set(page[slot] as K, page[PAGE + slot] as V);
      }
    }
    for (const [key, value] of this.others ?? []) all.set(key, value);
    return all.entries();
  }

  keys(): MapIterator<K> {
    return new Map(this.entries()).keys();
  }

  values(): MapIterator<V> {
    return new Map(this.entries()).values();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}
