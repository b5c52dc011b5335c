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
