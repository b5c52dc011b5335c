//! Types as written in the source.
//!
//!   type   := '*' type | '[' type ';' expr ']' | 'fn' '(' params ')' '->' type
//!           | 'str' '(' expr ')' | NAME [ '<' type, … '>' [ '(' expr ')' ] ]
//!           followed by any number of '[' expr ']' on the same line (`u8[4]`)
//!
//! Built-in type names (`u32`, `bool`, `void` …), map kinds (`hash`, `HashMap`) and
//! context aliases are ordinary names here; the checker gives them meaning.

import type { Expr, FunctionTypeParam, Ident, TypeExpr } from "../ast.js";
import { nextExprId } from "../ast.js";
import * as E from "../diagnostics/catalog/syntax.js";
import { exact, type Cursor } from "./cursor.js";
import { parseExpression } from "./parse-expr.js";
import { describeToken, isKeyword } from "./token.js";

export interface TypeOptions {
  /** `hash<K, V>` argument lists; off after `as`, where `<` is a comparison. */
  readonly generics: boolean;
  /** `T[N]` suffixes; off after `as`, where `[` would index the cast value. */
  readonly arraySuffix: boolean;
  /**
   * `NAME(N)`, a map kind with only a size (`stack_trace(1024)`): only in a global `var`
   * declaration, where maps are declared (`new T(args)` takes arguments after a type).
   */
  readonly sizedMaps?: boolean;
}

const FULL: TypeOptions = { generics: true, arraySuffix: true };
/** The type of a global `var`, which may declare a map. */
export const GLOBAL_VAR_TYPE: TypeOptions = { ...FULL, sizedMaps: true };

export function parseType(c: Cursor, options: TypeOptions = FULL): TypeExpr {
  const start = c.start;
  // `c.nested` spelled out: no closures for every type of a file.
  if (!c.descend("type")) {
    c.skipTypeRest();
    return { kind: "ErrorType", span: c.spanFrom(start) };
  }
  try {
    return parseTypeHere(c, options);
  } finally {
    c.ascend();
  }
}

function parseTypeHere(c: Cursor, options: TypeOptions): TypeExpr {
  const start = c.start;
  const mark = c.startMeasure();
  let type = parseBaseType(c, options);
  // `T[1][2]` is an array of arrays: a left-deep chain like `a + b + c`.
  let height: number | undefined = c.measured(mark);
  if (!options.arraySuffix) return type;
  while (c.at("[") && !c.newlineBefore) {
    const openPosition = c.position;
    const openStart = c.start;
    c.skip();
    const sizeMark = c.startMeasure();
    // `c.group` and `c.bracketed` spelled out: no closures for every array type of a file.
    let size: Expr;
    if (c.openGroup("type", openPosition)) {
      const saved = c.enterBrackets();
      try {
        size = parseExpression(c);
        c.expect("]", "closeArraySize");
      } finally {
        c.restore(saved);
        c.ascend();
      }
    } else {
      size = { kind: "ErrorExpr", span: c.spanFrom(openStart), id: nextExprId() };
    }
    height = c.link("type", height, c.measured(sizeMark), openPosition);
    if (height === undefined) {
      c.skipTypeRest();
      return type;
    }
    type = { kind: "ArrayType", element: type, size, span: c.spanFrom(start) };
  }
  return type;
}

function parseBaseType(c: Cursor, options: TypeOptions): TypeExpr {
  const start = c.start;
  // The kind, not a token object: most types are names.
  switch (c.kind) {
    case "*": {
      c.skip();
      const target = parseType(c, options);
      return { kind: "PointerType", target, span: c.spanFrom(start) };
    }
    case "[": {
      // `[T; N]`, the SPEC's spelling of `T[N]`.
      c.skip();
      return c.bracketed(() => {
        const element = parseType(c);
        c.expect(";", "betweenArrayTypeParts");
        const size = parseExpression(c);
        c.expect("]", "closeArrayType");
        return { kind: "ArrayType", element, size, span: c.spanFrom(start) } as const;
      });
    }
    case "fn":
      return parseFunctionType(c);
    case "Ident":
      break;
    default:
      c.error(E.expectedType, c.errorSpan(), describeToken(c.tok));
      return { kind: "ErrorType", span: c.emptySpan() };
  }
  const name = parseIdent(c);
  if (name.name === "str" && c.at("(") && !c.newlineBefore) {
    const size = parseParenthesised(c, "afterStrLength");
    return { kind: "StrType", size, span: c.spanFrom(start) };
  }
  if (options.generics && c.at("<") && !c.newlineBefore) {
    // The arguments are one level below the generic type, like the contents of brackets.
    // `c.nested` and `c.bracketed` spelled out: no closures for every map type of a file.
    let args: TypeExpr[] = [];
    if (!c.descend("type")) {
      c.skipTypeRest();
    } else {
      const saved = c.enterBrackets();
      try {
        c.skip();
        const list: TypeExpr[] = [];
        while (!c.at("EOF")) {
          list.push(parseType(c));
          if (!c.eat(",")) break;
        }
        c.splitGreater();
        c.expect(">", "closeTypeArguments");
        args = exact(list);
      } finally {
        c.restore(saved);
        c.ascend();
      }
    }
    let capacity: Expr | undefined;
    if (c.at("(") && !c.newlineBefore) capacity = parseParenthesised(c, "afterMapCapacity");
    return { kind: "GenericType", name, args, capacity, span: c.spanFrom(start) };
  }
  if (options.sizedMaps && c.at("(") && !c.newlineBefore) {
    // A map kind without type arguments, only a size: `stack_trace(1024)`.
    const capacity = parseParenthesised(c, "afterMapCapacity");
    return { kind: "GenericType", name, args: [], capacity, span: c.spanFrom(start) };
  }
  return { kind: "NamedType", name, span: name.span };
}

function parseFunctionType(c: Cursor): TypeExpr {
  const start = c.start;
  c.skip();
  const open = c.tok;
  const opened = c.expect("(", "afterFnInFunctionType");
  const parseParams = (): FunctionTypeParam[] => c.bracketed(() => {
    const list: FunctionTypeParam[] = [];
    while (!c.at(")") && !c.at("EOF")) {
      const paramStart = c.start;
      let name: Ident | undefined;
      if (c.at("Ident") && c.peekKind() === ":") {
        name = parseIdent(c);
        c.skip();
      }
      const type = parseType(c);
      list.push({ name, type, span: c.spanFrom(paramStart) });
      if (!c.eat(",")) break;
    }
    c.expect(")", "closeFunctionTypeParameters");
    return list;
  });
  const params = opened ? c.group("type", open, parseParams, () => []) : parseParams();
  c.expect("->", "functionTypeArrow");
  const returnType = parseType(c);
  return { kind: "FunctionType", params, returnType, span: c.spanFrom(start) };
}

/** `( expr )` with line breaks insignificant inside. */
export function parseParenthesised(c: Cursor, where: E.SyntaxPlace): Expr {
  const open = c.position;
  const openStart = c.start;
  c.skip();
  // `c.group` and `c.bracketed` spelled out: no closures for every map capacity of a file.
  if (!c.openGroup("expression", open)) return { kind: "ErrorExpr", span: c.spanFrom(openStart), id: nextExprId() };
  const saved = c.enterBrackets();
  try {
    const expr = parseExpression(c);
    c.expect(")", where);
    return expr;
  } finally {
    c.restore(saved);
    c.ascend();
  }
}

/** An identifier; reports and returns an empty-named one if the current token is not one. */
export function parseIdent(c: Cursor, where: E.SyntaxPlace = "here"): Ident {
  if (c.kind === "Ident") {
    // Without a token object: names are the commonest token.
    const ident: Ident = { kind: "Ident", name: c.currentText, span: c.currentSpan };
    c.skip();
    return ident;
  }
  c.error(E.expectedToken, c.errorSpan(), "name", describeToken(c.tok), where);
  return { kind: "Ident", name: "", span: c.emptySpan() };
}

/** A name after `.`/`->` or before `:` in a field list, where keywords are fine (`.type`). */
export function parseFieldName(c: Cursor, where: E.SyntaxPlace): Ident {
  const kind = c.kind;
  if (kind === "Ident" || isKeyword(kind)) {
    // Without a token object, as `parseIdent`.
    const ident: Ident = { kind: "Ident", name: c.currentText, span: c.currentSpan };
    c.skip();
    return ident;
  }
  c.error(E.expectedToken, c.errorSpan(), "fieldName", describeToken(c.tok), where);
  return { kind: "Ident", name: "", span: c.emptySpan() };
}
