'use client';
/** The app's hooks, typed by its schema. */
import { createRealtime } from '@switchboard/react';
import type { Schema } from './shared';

export const { useChannel, usePublish, usePresence, useServerEvents, useConnectionStatus } = createRealtime<Schema>();
