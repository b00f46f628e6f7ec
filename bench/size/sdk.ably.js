// ably-js alone (the vendor SDK the Ably adapter uses).
export { Realtime } from 'ably';
