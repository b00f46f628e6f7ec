import { Window } from 'happy-dom';

/**
 * A happy-dom window installed as the globals React DOM and the hook libraries read (`window`,
 * `document`, `navigator`, …), so components render in Node as in a browser tab. Timers stay Node's:
 * happy-dom's `window.setTimeout` wraps them, and React's scheduler uses `setImmediate` in Node.
 */
export function installDom(): { window: Window; container: HTMLElement } {
  const window = new Window({ url: 'http://127.0.0.1/', settings: { disableCSSFileLoading: true, disableJavaScriptFileLoading: true } });
  const g = globalThis as Record<string, unknown>;
  for (const key of ['window', 'document', 'navigator', 'location', 'HTMLElement', 'Element', 'Node', 'Text', 'Event', 'MouseEvent', 'KeyboardEvent', 'MutationObserver', 'getComputedStyle']) {
    if (key in g && key !== 'navigator') continue;
    const value = (window as unknown as Record<string, unknown>)[key];
    Object.defineProperty(g, key, { value: typeof value === 'function' && key === 'getComputedStyle' ? value.bind(window) : value, configurable: true, writable: true });
  }
  const container = window.document.createElement('div') as unknown as HTMLElement;
  window.document.body.appendChild(container as never);
  return { window, container };
}
