//! Limits on the shape and size of input, in one place. No input, however large or deep,
//! may crash or hang a stage: where real programs never go (100 nested levels, identifiers
//! of hundreds of characters, thousands of errors), the compiler stops with a located
//! diagnostic or a shorter message instead of doing unbounded work.

/**
 * How many levels syntax may nest (E0121): brackets, blocks, `else if`, prefix
 * operators, each link of a left-deep chain (`a + b + …`) and each type constructor add
 * one. Every pass walks the tree recursively, and the emitted C needs up to two brackets
 * per level (`((__u32)(x))`) where clang accepts 256. Types nested through declarations
 * (a struct holding a struct …, aliases built on aliases) have the same limit (E0531).
 */
export const maxNesting = 100;

/**
 * Diagnostics kept per code; further ones of the same code are counted in a note on the
 * last one kept ("N more E0101 errors are not shown"). A line of 8,000 stray characters
 * or a file of 10,000 unused variables says so in a screenful, not in 100 MB.
 */
export const maxDiagnosticsPerCode = 20;

/** Errors kept in total, and as many warnings (counted the same way past the limit). */
export const maxDiagnosticsPerSeverity = 100;

/**
 * The longest message, label, note or help line a diagnostic keeps; longer ones (quoting
 * a 256 KB identifier) are cut in the middle, where `…` stands for what was left out.
 */
export const maxDiagnosticTextLength = 400;

/**
 * Source lines in snippets are shown at most this many columns wide, around the carets,
 * with `...` where they were cut (as rustc does), so a 1 MB line prints a short row.
 */
export const maxSnippetWidth = 120;

/** "Did you mean" compares names of at most this many characters (no typo is longer). */
export const maxSuggestedNameLength = 64;
