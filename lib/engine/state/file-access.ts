/**
 * File system access of the file store: reading a path that must be a regular file without ever blocking on it
 * (a FIFO nobody writes to would hang a plain read), durable atomic writes with mode 0600, and one-line
 * descriptions of what went wrong, for errors that name the path instead of a stack trace.
 */
import { randomUUID } from "node:crypto";
import { constants, promises as fs, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";

export const errno = (e: unknown): string | undefined => {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" ? code : undefined;
};

/** Mode of every file the store writes: they name what exists in a cluster. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of directories the store creates. */
export const PRIVATE_DIR_MODE = 0o700;

const ERRNO_MEANINGS = new Map<string, string>([
  ["EACCES", "permission denied"],
  ["EPERM", "operation not permitted"],
  ["EISDIR", "is a directory"],
  ["ENOTDIR", "a part of the path is not a directory"],
  ["EROFS", "read-only file system"],
  ["ENOSPC", "no space left on the device"],
  ["EDQUOT", "disk quota exceeded"],
  ["ELOOP", "too many levels of symbolic links"],
  ["ENAMETOOLONG", "name too long"],
  ["EMFILE", "too many open files"],
  ["EIO", "input/output error"],
  ["EBUSY", "resource busy"],
  ["ENXIO", "no such device"],
]);

/** Whether `e` is an error of a file system call (it has an errno code and names the call). */
export function isFileSystemError(e: unknown): e is NodeJS.ErrnoException {
  // Not `instanceof Error`: Node's errors come from its own realm, which is not the caller's under a VM (jest).
  return errno(e) !== undefined && typeof (e as NodeJS.ErrnoException).syscall === "string";
}

/** `PATH: permission denied (EACCES)`: what a file system error says, on one line, naming the path it concerns. */
export function describeFileError(e: NodeJS.ErrnoException, path: string): string {
  const code = errno(e)!;
  const where = typeof e.path === "string" ? e.path : path;
  return `${where}: ${ERRNO_MEANINGS.get(code) ?? e.message.split("\n")[0]} (${code})`;
}

/** What kind of file system object a non-regular file is, for messages. */
export function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSymbolicLink()) return "a symbolic link";
  return "not a regular file";
}

/** A path that exists but is not a regular file (after following symbolic links). */
export class NotAFileError extends Error {
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a file`);
  }
}

/** An open regular file: its handle (close it) and its status. */
export interface OpenedFile {
  readonly handle: fs.FileHandle;
  readonly stat: Stats;
}

// Opening a FIFO for reading blocks until a writer comes, unless non-blocking; on a regular file the flag is inert.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Opens `path` for reading (`"r"`) or reading and writing (`"r+"`). Undefined when it does not exist; a path that is
 * not a regular file (a directory, a FIFO, a device, a dangling symbolic link) throws {@link NotAFileError} without
 * blocking; other failures throw the file system's error.
 */
export async function openRegularFile(path: string, mode: "r" | "r+" = "r"): Promise<OpenedFile | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, mode === "r" ? READ_FLAGS : constants.O_RDWR | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if (errno(e) === "EISDIR") throw new NotAFileError(path, "a directory");
    if (errno(e) !== "ENOENT") throw e;
    // A symbolic link to nothing is there, though not as a file: creating the path would fail, so say so.
    const link = await fs.lstat(path).catch(() => undefined);
    if (link?.isSymbolicLink()) throw new NotAFileError(path, "a symbolic link to a missing file");
    return undefined;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new NotAFileError(path, kindOf(stat));
    return { handle, stat };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** The bytes of the regular file at `path`, or undefined when there is none. Throws as {@link openRegularFile}. */
export async function readRegularFile(path: string): Promise<Buffer | undefined> {
  const opened = await openRegularFile(path);
  if (opened === undefined) return undefined;
  try {
    return await opened.handle.readFile();
  } finally {
    await opened.handle.close();
  }
}

/** Creates `dir` (and its parents) with mode 0700 where they do not exist. */
export async function makeDirectory(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Writes `text` to `path` atomically with mode 0600 (a world-readable file there before is replaced, not reused),
 * creating the directory as needed: a temporary file beside it, fsync, rename, fsync of the directory.
 */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await makeDirectory(dir);
  // Same directory, so the rename stays on one file system; unique, so concurrent writers never share a temp file.
  const temp = join(dir, `.${basename(path)}.${randomUUID()}.tmp`);
  const handle = await fs.open(temp, "wx", PRIVATE_FILE_MODE);
  try {
    try {
      await handle.chmod(PRIVATE_FILE_MODE); // exactly 0600 whatever the umask
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
  await syncDirectory(dir);
}

/** Makes a rename durable. Best effort: not every platform can open a directory (Windows). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch {
    // ignored: the rename itself has happened
  } finally {
    await handle?.close();
  }
}
