import { buildCli } from './cli-build.js';
import { ensureRedisServer } from './redis.js';

/** Once per test run: redis-server installed (CI starts fresh), the CLI bundled for child processes. */
export default async function setup(): Promise<void> {
  ensureRedisServer();
  await buildCli();
}
