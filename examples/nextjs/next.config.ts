import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  // Node-only server dependencies stay out of the server bundle.
  serverExternalPackages: ['ws', 'socket.io', '@switchboard/server', '@switchboard/conformance'],
  poweredByHeader: false,
};

export default config;
