//! Layout documents: what the formatter builds from the tree and `render` lays out in a
//! given width (the classic pretty-printing algebra of Wadler and Prettier).
//!
//! A `group` is printed flat (its `line`s as spaces, `softline`s as nothing) when the
//! whole of it fits in what is left of the line, otherwise broken (every line of the
//! group a line break at the current indentation). A `hardline` always breaks and breaks
//! every group around it, so a group holding a line comment or a block never prints flat.
//! Rendering is iterative (an explicit stack), so a deep document cannot exhaust the
//! call stack.

export type Doc = string | Concat | Group | Indent | Line | IfBreak | Suffix;

interface Concat {
  readonly t: "concat";
  readonly parts: readonly Doc[];
  readonly hard: boolean;
}

interface Group {
  readonly t: "group";
  readonly doc: Doc;
  /** Holds a hard line somewhere inside: never flat. */
  readonly hard: boolean;
}

interface Indent {
  readonly t: "indent";
  readonly doc: Doc;
  readonly hard: boolean;
}

interface Line {
  readonly t: "line";
  /** A hard line after which the next line starts at column 0 (the inside of a multi-line string). */
  readonly literal?: true;
  /** Flat: a space (`line`) or nothing (`softline`). */
  readonly flat: string;
  readonly hard: boolean;
}

/** `broken` when the enclosing group breaks, `flat` when it does not (a trailing comma). */
interface IfBreak {
  readonly t: "ifBreak";
  readonly broken: string;
  readonly flat: string;
}

/**
 * Printed where it stands but not counted when deciding whether a group fits: a comment
 * at the end of a line must not break the code before it.
 */
interface Suffix {
  readonly t: "suffix";
  readonly doc: Doc;
  readonly hard: boolean;
}

export const line: Doc = { t: "line", flat: " ", hard: false };
export const softline: Doc = { t: "line", flat: "", hard: false };
export const hardline: Doc = { t: "line", flat: "", hard: true };
export const literalline: Doc = { t: "line", flat: "", hard: true, literal: true };

/** Whether `doc` holds a hard line: it never prints on one line. */
export function isHard(doc: Doc): boolean {
  return typeof doc !== "string" && doc.t !== "ifBreak" && doc.hard;
}

export function concat(...parts: readonly Doc[]): Doc {
  return concatAll(parts);
}

/** `concat` of a list of any length (a spread of 100,000 statements would overflow the stack). */
export function concatAll(parts: readonly Doc[]): Doc {
  return { t: "concat", parts, hard: parts.some(isHard) };
}

export function group(...parts: readonly Doc[]): Doc {
  const doc = concat(...parts);
  return { t: "group", doc, hard: isHard(doc) };
}

export function indent(...parts: readonly Doc[]): Doc {
  const doc = concat(...parts);
  return { t: "indent", doc, hard: isHard(doc) };
}

export function suffix(...parts: readonly Doc[]): Doc {
  const doc = concat(...parts);
  return { t: "suffix", doc, hard: isHard(doc) };
}

export function ifBreak(broken: string, flat = ""): Doc {
  return { t: "ifBreak", broken, flat };
}

/** `docs` with `separator` between them. */
export function join(separator: Doc, docs: readonly Doc[]): Doc {
  const parts: Doc[] = [];
  docs.forEach((doc, i) => {
    if (i > 0) parts.push(separator);
    parts.push(doc);
  });
  return concatAll(parts);
}

/** Lines of text printed at the current indentation (a verbatim fragment, a block comment). */
export function textLines(lines: readonly string[]): Doc {
  return join(hardline, lines);
}

const INDENT = "    ";

type Mode = "flat" | "break";
interface Frame {
  readonly indent: string;
  readonly mode: Mode;
  readonly doc: Doc;
}

/**
 * Lays `doc` out in `width` columns. Indentation is written only before text, so a
 * blank line has no trailing spaces.
 */
export function render(doc: Doc, width: number): string {
  const out: string[] = [];
  let column = 0;
  let pendingIndent: string | undefined;
  const stack: Frame[] = [{ indent: "", mode: "break", doc }];
  while (stack.length > 0) {
    const { indent: ind, mode, doc: d } = stack.pop()!;
    if (typeof d === "string") {
      if (d === "") continue;
      if (pendingIndent !== undefined) {
        out.push(pendingIndent);
        column = pendingIndent.length;
        pendingIndent = undefined;
      }
      out.push(d);
      column += d.length;
      continue;
    }
    switch (d.t) {
      case "concat":
        for (let i = d.parts.length - 1; i >= 0; i--) stack.push({ indent: ind, mode, doc: d.parts[i]! });
        break;
      case "indent":
        stack.push({ indent: ind + INDENT, mode, doc: d.doc });
        break;
      case "suffix":
        stack.push({ indent: ind, mode, doc: d.doc });
        break;
      case "group": {
        const flat = !d.hard && (mode === "flat" || fits(d.doc, width - column - (pendingIndent?.length ?? 0), stack));
        stack.push({ indent: ind, mode: flat ? "flat" : "break", doc: d.doc });
        break;
      }
      case "ifBreak": {
        const text = mode === "break" ? d.broken : d.flat;
        if (text !== "") stack.push({ indent: ind, mode, doc: text });
        break;
      }
      case "line":
        if (mode === "flat" && !d.hard) {
          if (d.flat !== "") stack.push({ indent: ind, mode, doc: d.flat });
        } else {
          out.push("\n");
          column = 0;
          pendingIndent = d.literal ? undefined : ind;
        }
        break;
    }
  }
  return out.join("");
}

/**
 * Whether `doc` printed flat, followed by what comes after it up to the next possible
 * line break, fits in `room` columns.
 */
function fits(doc: Doc, room: number, rest: readonly Frame[]): boolean {
  const pending: { doc: Doc; mode: Mode }[] = [{ doc, mode: "flat" }];
  let restIndex = rest.length - 1;
  while (room >= 0) {
    let item = pending.pop();
    if (item === undefined) {
      if (restIndex < 0) return true;
      const frame = rest[restIndex--]!;
      item = { doc: frame.doc, mode: frame.mode };
    }
    const { doc: d, mode } = item;
    if (typeof d === "string") {
      room -= d.length;
      continue;
    }
    switch (d.t) {
      case "concat":
        for (let i = d.parts.length - 1; i >= 0; i--) pending.push({ doc: d.parts[i]!, mode });
        break;
      case "indent":
        pending.push({ doc: d.doc, mode });
        break;
      case "suffix":
        break;
      case "group":
        if (d.hard && mode === "flat") return false;
        pending.push({ doc: d.doc, mode: d.hard ? "break" : mode });
        break;
      case "ifBreak":
        room -= (mode === "break" ? d.broken : d.flat).length;
        break;
      case "line":
        if (mode === "break" || d.hard) return true;
        room -= d.flat.length;
        break;
    }
  }
  return false;
}
