// pusher-js alone (the vendor SDK the Pusher adapter loads).
export { default as Pusher } from 'pusher-js';
