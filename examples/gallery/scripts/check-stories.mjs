#!/usr/bin/env node
// After `ladle build`: every hook and every connection status has a story in the built gallery.
import { readFileSync } from 'node:fs';

const meta = JSON.parse(readFileSync(new URL('../build/meta.json', import.meta.url), 'utf8'));
const ids = Object.keys(meta.stories);
const required = [
  ...['idle', 'connecting', 'connected', 'reconnecting', 'suspended', 'closed', 'failed', 'live'].map((s) => `useconnectionstatus--${s}`),
  'usechannel--',
  'useevent--',
  'usepublish--',
  'usepresence--',
  'useserverevents--',
  'usestream--',
];
const missing = required.filter((prefix) => !ids.some((id) => id.startsWith(prefix)));
if (missing.length > 0) {
  console.error(`stories missing for: ${missing.join(', ')}\nbuilt: ${ids.join(', ')}`);
  process.exit(1);
}
console.log(`check-stories: ${ids.length} stories, every hook and every status covered`);
