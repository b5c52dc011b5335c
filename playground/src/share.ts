// Share links: the file's name and text in the URL's fragment (never sent to a server),
// the text compressed with the browser's own deflate (CompressionStream) and written in
// base64url. `#v1:NAME:PAYLOAD`: NAME is the main file's path (encodeURIComponent), so
// an edited example still finds the files it includes (`:` never occurs in an encoded
// NAME nor in base64url).

const prefix = "v1:";

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function through(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const piped = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(piped).arrayBuffer());
}

export async function encodeShare(path: string, text: string): Promise<string> {
  const compressed = await through(new TextEncoder().encode(text), new CompressionStream("deflate-raw"));
  return `${prefix}${encodeURIComponent(path)}:${toBase64Url(compressed)}`;
}

/** The file a fragment holds, or undefined when it holds none (or a damaged one). */
export async function decodeShare(fragment: string): Promise<{ path: string; text: string } | undefined> {
  const body = fragment.startsWith("#") ? fragment.slice(1) : fragment;
  if (!body.startsWith(prefix)) return undefined;
  const dot = body.indexOf(":", prefix.length);
  if (dot < 0) return undefined;
  try {
    const path = decodeURIComponent(body.slice(prefix.length, dot));
    const bytes = await through(fromBase64Url(body.slice(dot + 1)), new DecompressionStream("deflate-raw"));
    return { path, text: new TextDecoder().decode(bytes) };
  } catch {
    return undefined;
  }
}
