// @harelpls/use-pusher: provider, channel and event hooks; it imports pusher-js itself (its own 7.x).
export { PusherProvider, useChannel, useEvent } from '@harelpls/use-pusher';
