//! An indentation-aware builder for C text. Emitters describe structure (lines, blocks,
//! comments) and the writer owns layout, so no emitter concatenates braces by hand.
//! It also records, for every line it writes, the `.ks` span that caused it: that is
//! the line map DESIGN.md asks for (C line → `.ks` span), kept without `#line`.

import type { Span } from "../source.js";

export class CWriter {
  private readonly lines: string[] = [];
  private readonly origins: (Span | undefined)[] = [];
  private depth = 0;
  private currentOrigin: Span | undefined;

  /** Writes one line at the current indentation (an empty string writes a blank line). */
  line(text = ""): this {
    this.lines.push(text === "" ? "" : "    ".repeat(this.depth) + text);
    this.origins.push(text === "" ? undefined : this.currentOrigin);
    return this;
  }

  /** Writes several lines, each indented (for multi-line snippets such as macros). */
  lines_(text: string): this {
    for (const l of text.split("\n")) this.line(l);
    return this;
  }

  /** `header {` … `}` + `trailer` with the body indented one level. */
  block(header: string, body: () => void, trailer = ""): this {
    this.line(header === "" ? "{" : `${header} {`);
    this.depth++;
    body();
    this.depth--;
    this.line(`}${trailer}`);
    return this;
  }

  /** `if (condition) { then } else { otherwise }`; the else part only when `otherwise` is given. */
  ifElse(condition: string, then: () => void, otherwise?: () => void): this {
    this.line(`if (${condition}) {`);
    this.depth++;
    then();
    this.depth--;
    if (otherwise) {
      this.line("} else {");
      this.depth++;
      otherwise();
      this.depth--;
    }
    return this.line("}");
  }

  comment(text: string): this {
    return this.line(`/* ${text.replace(/\*\//g, "* /")} */`);
  }

  /** Everything written inside `body` is attributed to `origin` in the line map. */
  withOrigin(origin: Span | undefined, body: () => void): this {
    const saved = this.currentOrigin;
    this.currentOrigin = origin ?? saved;
    body();
    this.currentOrigin = saved;
    return this;
  }

  indent(): this {
    this.depth++;
    return this;
  }

  dedent(): this {
    this.depth = Math.max(0, this.depth - 1);
    return this;
  }

  /** Number of the next line to be written (1-based). */
  get nextLineNumber(): number {
    return this.lines.length + 1;
  }

  toString(): string {
    return this.lines.join("\n") + "\n";
  }

  /** `[cLine (1-based), span]` for every line written under an origin. */
  lineOrigins(): readonly (readonly [number, Span])[] {
    const out: [number, Span][] = [];
    this.origins.forEach((span, i) => {
      if (span) out.push([i + 1, span]);
    });
    return out;
  }
}
