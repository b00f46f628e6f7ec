import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const logger = fileURLToPath(new URL('../src/logger.ts', import.meta.url));

/**
 * The logger module as a bundler builds it: for a browser with NODE_ENV defined as `mode`, or with
 * `mode` undefined for Node, nothing substituted (esbuild itself defines production for a minified
 * browser build).
 */
async function bundled(mode?: string): Promise<{ code: string; isDev: () => boolean }> {
  const result = await build({
    entryPoints: [logger],
    bundle: true,
    write: false,
    format: 'esm',
    platform: mode === undefined ? 'node' : 'browser',
    minify: true,
    ...(mode === undefined ? {} : { define: { 'process.env.NODE_ENV': JSON.stringify(mode) } }),
  });
  const code = result.outputFiles[0]!.text;
  const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as { isDev: () => boolean };
  return { code, isDev: module.isDev };
}

describe('dev-only warnings follow the build, not the runtime', () => {
  it('a production build is quiet even where a process global says otherwise (the check is folded away)', async () => {
    expect(process.env.NODE_ENV).not.toBe('production'); // this test process itself is "test"
    const { code, isDev } = await bundled('production');
    expect(isDev()).toBe(false);
    expect(code).not.toContain('NODE_ENV');
  });

  it('a development build warns', async () => {
    expect((await bundled('development')).isDev()).toBe(true);
  });

  it('unbundled, it reads the process (Node, tests): development unless NODE_ENV=production', async () => {
    const { isDev } = await bundled();
    const saved = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = 'production';
      expect(isDev()).toBe(false);
      process.env.NODE_ENV = 'test';
      expect(isDev()).toBe(true);
    } finally {
      process.env.NODE_ENV = saved;
    }
  });
});
