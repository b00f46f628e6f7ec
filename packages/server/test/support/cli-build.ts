import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

/** Where the test bundle of `switchboard` (src/bin.ts, with the core's protocol source inlined) goes. */
export const CLI_DIR = fileURLToPath(new URL('../../node_modules/.cache/switchboard-test/', import.meta.url));
export const CLI_PATH = `${CLI_DIR}bin.js`;

/**
 * Bundles the CLI from source, so the multi-process tests run the real `switchboard serve` without a
 * prior `pnpm build`. `ws` and `ioredis` stay external (resolved from this package).
 */
export async function buildCli(): Promise<void> {
  await build({
    config: false,
    entry: { bin: fileURLToPath(new URL('../../src/bin.ts', import.meta.url)) },
    outDir: CLI_DIR,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: false,
    splitting: false,
    clean: true,
    silent: true,
    noExternal: [/^@switchboard\//],
    esbuildOptions(options) {
      options.conditions = ['@switchboard/source'];
    },
  });
}
