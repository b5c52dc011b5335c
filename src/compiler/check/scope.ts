//! Lexical scopes: a chain of tables from the innermost block out to the file.

import type { Symbol } from "./semantics.js";

export class Scope {
  private readonly symbols = new Map<string, Symbol>();

  constructor(readonly parent: Scope | undefined) {}

  child(): Scope {
    return new Scope(this);
  }

  /** The symbol declared in this very scope (not parents), for redefinition checks. */
  own(name: string): Symbol | undefined {
    return this.symbols.get(name);
  }

  declare(name: string, symbol: Symbol): void {
    this.symbols.set(name, symbol);
  }

  lookup(name: string): Symbol | undefined {
    return this.symbols.get(name) ?? this.parent?.lookup(name);
  }

  /** Every visible name, innermost first, for "did you mean". */
  visibleNames(): string[] {
    const names = [...this.symbols.keys()];
    return this.parent ? names.concat(this.parent.visibleNames()) : names;
  }
}
