/** Why a file could not be read, in words a user acts on (not an errno code). One wording for every input. */
export function describeReadError(e: unknown): string {
  switch ((e as NodeJS.ErrnoException | undefined)?.code) {
    case "ENOENT":
      return "no such file";
    case "EISDIR":
      return "it is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "a part of its path is not a directory";
    case "ELOOP":
      return "too many symbolic links";
    default:
      return String((e as Error | undefined)?.message ?? e);
  }
}
