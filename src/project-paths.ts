import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The repository root, whether running from `src/` under tsx or from the compiled `lib/`. */
export const projectRoot = path.resolve(here, '..');
export const defaultDataDir = path.join(projectRoot, '.data');
export const defaultCacheDir = path.join(projectRoot, '.cache');

/** Resolves a sibling module path in whichever form (.ts under tsx, .js when compiled) this file runs as. */
export function siblingModule(fromUrl: string, relative: string): string {
  const ext = path.extname(fileURLToPath(fromUrl));
  return fileURLToPath(new URL(relative.replace(/\.js$/, ext), fromUrl));
}
