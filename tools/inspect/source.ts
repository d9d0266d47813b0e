// What an inspection command reads: a node's metadata directory (--dir) or one snapshot file
// (--snapshot). Exactly one of the two; anything else is a UsageError (exit 2).

import { UsageError } from '../cli/common.js';

export type InspectSource = { readonly kind: 'dir'; readonly dir: string } | { readonly kind: 'snapshot'; readonly file: string };

/** The source named by a command's --dir / --snapshot flags. */
export function inspectSource(opts: { readonly dir?: string | undefined; readonly snapshot?: string | undefined }): InspectSource {
  const dir = opts.dir;
  const file = opts.snapshot;
  if (dir !== undefined && file !== undefined) throw new UsageError('give either --dir <metadata.log.dir> or --snapshot <file>, not both');
  if (dir !== undefined) return { kind: 'dir', dir };
  if (file !== undefined) return { kind: 'snapshot', file };
  throw new UsageError('give --dir <metadata.log.dir> (a node\'s metadata directory) or --snapshot <file> (one snapshot file)');
}
