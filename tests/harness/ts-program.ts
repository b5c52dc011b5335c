// The tidy tests that read the compiler's own source with the TypeScript checker
// (IR traversal, program-type lists, diagnostic wording) build their program here:
// the repository's files plus in-memory files (`extra`, for the tests' planted samples).

import ts from "typescript";

export function checkedProgram(
  files: readonly string[],
  extra: ReadonlyMap<string, string>,
  options: { readonly noResolve?: boolean } = {},
): { program: ts.Program; checker: ts.TypeChecker } {
  const compilerOptions: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, noEmit: true, skipLibCheck: true, types: [], ...(options.noResolve ? { noResolve: true } : {}),
  };
  const host = ts.createCompilerHost(compilerOptions);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError, create) => {
    const text = extra.get(name);
    return text !== undefined ? ts.createSourceFile(name, text, version, true) : getSourceFile(name, version, onError, create);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => extra.has(name) || fileExists(name);
  const program = ts.createProgram({ rootNames: [...files, ...extra.keys()], options: compilerOptions, host });
  return { program, checker: program.getTypeChecker() };
}
