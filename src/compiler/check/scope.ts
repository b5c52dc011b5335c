//! Lexical scopes: a chain of tables from the innermost block out to the file.

import type { Symbol } from "./semantics.js";

export class Scope {
  /** Made with the first declaration: most blocks declare nothing. */
  private symbols: Map<string, Symbol> | undefined;

  constructor(readonly parent: Scope | undefined) {}

  child(): Scope {
    return new Scope(this);
  }

  /** The symbol declared in this very scope (not parents), for redefinition checks. */
  own(name: string): Symbol | undefined {
    return this.symbols?.get(name);
  }

  declare(name: string, symbol: Symbol): void {
    (this.symbols ??= new Map()).set(name, symbol);
  }

  lookup(name: string): Symbol | undefined {
    for (let scope: Scope | undefined = this; scope !== undefined; scope = scope.parent) {
      const symbol = scope.symbols?.get(name);
      if (symbol !== undefined) return symbol;
    }
    return undefined;
  }

  /** Every visible name, innermost first, for "did you mean". */
  visibleNames(): string[] {
    const names = [...(this.symbols?.keys() ?? [])];
    return this.parent ? names.concat(this.parent.visibleNames()) : names;
  }
}
