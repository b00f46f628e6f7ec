// @laravel/echo-react (laravel-echo is bundled inside it) on Pusher: configure, a channel hook, the
// connection status, and pusher-js handed to Echo.
export { configureEcho, useEcho, useConnectionStatus } from '@laravel/echo-react';
export { default as Pusher } from 'pusher-js';
