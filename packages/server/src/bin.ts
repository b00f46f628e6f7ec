#!/usr/bin/env node
import { run } from './cli.js';

run(process.argv.slice(2)).then(
  (result) => {
    if (typeof result === 'number') {
      process.exitCode = result;
      return;
    }
    const stop = () => {
      process.stdout.write('switchboard: shutting down\n');
      void result.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
