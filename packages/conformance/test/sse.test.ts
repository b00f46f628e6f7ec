import { defineConformanceSuite, sseTarget } from '../src/index.js';

defineConformanceSuite(sseTarget);
