//! Arguments of the native tools (verify-load, prog-run) that give programs of sections
//! libbpf 1.1 does not know their type, from the catalogue's `typeBeforeLoad` column, as
//! the generated loader sets it before loading.

import { programTypes } from "../compiler/kernel/program-types.js";

/** `--set-type SECTION=TYPE:ATTACH` for each such program type. */
export function setTypeArguments(): string[] {
  return programTypes.flatMap((info) =>
    info.typeBeforeLoad === undefined ? [] : ["--set-type", `${info.section(undefined)}=${info.typeBeforeLoad.progType}:${info.typeBeforeLoad.attachType}`],
  );
}
