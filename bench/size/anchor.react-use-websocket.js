// react-use-websocket: one hook and its ready states (the package is CommonJS: nothing is tree-shaken).
export { default as useWebSocket, ReadyState } from 'react-use-websocket';
