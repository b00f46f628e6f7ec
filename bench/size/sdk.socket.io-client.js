// socket.io-client alone (the client the socket.io adapter uses).
export { io } from 'socket.io-client';
