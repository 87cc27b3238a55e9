/** Describing a JSON syntax error the way people look for it: by line and column. */

/** Node reports a character position; people look for a line and column. */
export function describeJsonError(text: string, error: Error): string {
  if (text.trim() === "") return "it is empty";
  const message = error.message.replace(/^JSON\.parse: /, "");
  const m = /at position (\d+)/.exec(message);
  if (!m) return message;
  const position = Number(m[1]);
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return `${message.replace(/ in JSON at position \d+.*$/, "").replace(/ at position \d+.*$/, "")} at line ${line}, column ${column}`;
}
