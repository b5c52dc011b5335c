// Text the page shows outside the editors, as DOM built from text (never parsed as HTML):
// the language service's hover Markdown and the CLI's diagnostics with links.

/**
 * The service's hover Markdown as the little it uses: code blocks, paragraphs and
 * `inline code` (as text, so nothing in it is ever HTML).
 */
export function markdownLines(markdown: string): HTMLElement[] {
  const blocks: HTMLElement[] = [];
  for (const block of markdown.split(/\n{2,}/)) {
    const fence = /^```\w*\n([\s\S]*?)\n?```$/.exec(block.trim());
    if (fence) {
      const pre = document.createElement("pre");
      pre.textContent = fence[1]!;
      blocks.push(pre);
      continue;
    }
    const paragraph = document.createElement("p");
    block.split("`").forEach((part, index) => {
      if (index % 2 === 0) paragraph.append(part);
      else paragraph.append(Object.assign(document.createElement("code"), { textContent: part }));
    });
    blocks.push(paragraph);
  }
  return blocks;
}

/**
 * The rendered text with each `--> FILE:LINE:COL` of the edited file (`path`) as a link
 * that calls `goTo(LINE, COL)` (the text stays exactly the CLI's).
 */
export function withLocationLinks(rendered: string, path: string, goTo: (line: number, column: number) => void): (string | HTMLElement)[] {
  const parts: (string | HTMLElement)[] = [];
  let rest = "";
  for (const line of rendered.split(/(?<=\n)/)) {
    const location = /^(\s*--> )(.+):(\d+):(\d+)(\n?)$/.exec(line);
    if (!location || location[2] !== path) {
      rest += line;
      continue;
    }
    parts.push(rest + location[1]!);
    rest = location[5]!;
    const link = document.createElement("a");
    link.href = "#";
    link.className = "location";
    link.textContent = `${location[2]}:${location[3]}:${location[4]}`;
    const [lineNumber, column] = [Number(location[3]), Number(location[4])];
    link.addEventListener("click", (event) => {
      event.preventDefault();
      goTo(lineNumber, column);
    });
    parts.push(link);
  }
  parts.push(rest);
  return parts;
}
