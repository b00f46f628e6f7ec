// Imported first by scenarios that render React: installs the happy-dom globals before React DOM
// (bundled after this module) evaluates and decides whether it runs in a DOM.
import { installDom } from './dom.js';

export const dom = installDom();
