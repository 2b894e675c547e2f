/**
 * Small inline SVG icons built with DOM calls (no markup strings), so they
 * work under the CSP and inherit `currentColor`.
 */
const SVG_NS = 'http://www.w3.org/2000/svg';

const PATHS = {
  clock: ['M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13Z', 'M8 4.5V8l2.5 1.5'],
  check: ['M3 8.5l3 3 7-7'],
  doubleCheck: ['M1 8.5l3 3 7-7', 'M7.5 11.5l7-7'],
  alert: ['M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13Z', 'M8 4.5v4', 'M8 11v.5'],
  back: ['M10 3 5 8l5 5'],
  down: ['M8 3v10', 'M3.5 8.5 8 13l4.5-4.5'],
  send: ['M2 8h10', 'M8 3.5 12.5 8 8 12.5'],
  more: ['M3 8a1 1 0 1 0 2 0a1 1 0 1 0-2 0Z', 'M7 8a1 1 0 1 0 2 0a1 1 0 1 0-2 0Z', 'M11 8a1 1 0 1 0 2 0a1 1 0 1 0-2 0Z'],
  close: ['M4 4l8 8', 'M12 4l-8 8'],
  reply: ['M6.5 4 2.5 8l4 4', 'M2.5 8H9a4.5 4.5 0 0 1 4.5 4.5V13'],
  pencil: ['M10.5 2.5l3 3L6 13H3v-3l7.5-7.5Z'],
  info: ['M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13Z', 'M8 7.5V11', 'M8 5v.5'],
} as const;

export type IconName = keyof typeof PATHS;

/** An icon element; decorative (aria-hidden) because its button or label carries the name. */
export function icon(name: IconName, className = 'icon'): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', className);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of PATHS[name]) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}
