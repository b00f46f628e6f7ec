import { defineConformanceSuite } from '@switchboard/conformance';
import { socketIOTarget } from './target.js';

defineConformanceSuite(socketIOTarget);
