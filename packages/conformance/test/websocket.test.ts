import { defineConformanceSuite, websocketTarget } from '../src/index.js';

defineConformanceSuite(websocketTarget);
