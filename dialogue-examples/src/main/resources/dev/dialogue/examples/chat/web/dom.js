// Small DOM helpers: element building, text formatting (escaped, linkified, mentions), times,
// avatars and the inline SVG icons the UI uses (no emoji font is needed for the chrome).

/** h('div.cls', {attrs}, ...children): builds an element; strings become text nodes. */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className += (el.className ? ' ' : '') + v;
    else if (k === 'testid') el.setAttribute('data-testid', v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'html') el.innerHTML = v; // only for our own constant SVG strings
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
export const byTestId = (id, root = document) => root.querySelector(`[data-testid="${id}"]`);

// ---- icons (stroke icons, 20x20 viewBox 24) ---------------------------------------------------

const PATHS = {
  hash: '<path d="M5 9h14M5 15h14M11 4 9 20M15 4l-2 16"/>',
  lock: '<rect x="5" y="11" width="14" height="9" rx="2"/><path d="M8 11V8a4 4 0 0 1 8 0v3"/>',
  search: '<circle cx="11" cy="11" r="6.5"/><path d="m20 20-4.2-4.2"/>',
  plus: '<path d="M12 5v14M5 12h14"/>',
  close: '<path d="M6 6l12 12M18 6 6 18"/>',
  menu: '<path d="M4 7h16M4 12h16M4 17h16"/>',
  pin: '<path d="M9 4h6l-1 6 4 3v2H6v-2l4-3-1-6zM12 15v5"/>',
  smile: '<circle cx="12" cy="12" r="8.5"/><path d="M8.5 14.5a4.5 4.5 0 0 0 7 0M9 10h.01M15 10h.01"/>',
  reply: '<path d="M20 15a3 3 0 0 1-3 3H8l-4 3V6a3 3 0 0 1 3-3h10a3 3 0 0 1 3 3z"/>',
  more: '<circle cx="6" cy="12" r="1.2"/><circle cx="12" cy="12" r="1.2"/><circle cx="18" cy="12" r="1.2"/>',
  clip: '<path d="m20 11-8.5 8.5a5 5 0 0 1-7-7L13 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L14 7"/>',
  mic: '<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21"/>',
  send: '<path d="M4 12 20 4l-6 16-3-7z"/><path d="m11 13 9-9"/>',
  stop: '<rect x="7" y="7" width="10" height="10" rx="2"/>',
  file: '<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5"/>',
  edit: '<path d="M4 20h4L19 9l-4-4L4 16z"/>',
  trash: '<path d="M5 7h14M10 7V5h4v2M7 7l1 13h8l1-13"/>',
  people: '<circle cx="9" cy="9" r="3.5"/><path d="M3 19a6 6 0 0 1 12 0M16 5.5a3.5 3.5 0 0 1 0 7M17.5 14a6 6 0 0 1 3.5 5"/>',
  signout: '<path d="M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3M10 16l-4-4 4-4M6 12h10"/>',
  compass: '<circle cx="12" cy="12" r="8.5"/><path d="m15.5 8.5-2 5-5 2 2-5z"/>',
  chevron: '<path d="m9 6 6 6-6 6"/>',
  leave: '<path d="M9 4H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h3M14 16l4-4-4-4M18 12H8"/>',
  alert: '<path d="M12 4 3 20h18zM12 10v4M12 17h.01"/>',
  check: '<path d="m5 12 5 5 9-10"/>',
};

export function icon(name, cls = '') {
  const span = document.createElement('span');
  span.className = 'icon' + (cls ? ' ' + cls : '');
  span.setAttribute('aria-hidden', 'true');
  span.innerHTML = `<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${PATHS[name] || ''}</svg>`;
  return span;
}

// ---- text ----------------------------------------------------------------------------------

const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]}]/g;
const MENTION_RE = /(^|[^\w@])@([a-z0-9_.-]{2,32})/gi;

/**
 * The message text as nodes: never HTML, URLs as links, @mentions highlighted (`self` when it
 * names the signed-in user or @channel/@here/@everyone).
 */
export function richText(text, { usernames = new Set(), me = '' } = {}) {
  const out = [];
  let last = 0;
  const tokens = [];
  for (const m of text.matchAll(URL_RE)) tokens.push({ start: m.index, end: m.index + m[0].length, url: m[0] });
  for (const m of text.matchAll(MENTION_RE)) {
    const start = m.index + m[1].length;
    const end = start + 1 + m[2].length;
    if (tokens.some((t) => start < t.end && end > t.start)) continue;
    tokens.push({ start, end, mention: m[2].toLowerCase() });
  }
  tokens.sort((a, b) => a.start - b.start);
  for (const t of tokens) {
    if (t.start < last) continue;
    if (t.start > last) out.push(text.slice(last, t.start));
    const raw = text.slice(t.start, t.end);
    if (t.url) {
      out.push(h('a', { href: t.url, target: '_blank', rel: 'noopener noreferrer' }, raw));
    } else {
      const group = ['channel', 'here', 'everyone'].includes(t.mention);
      if (group || usernames.has(t.mention)) {
        const self = group || t.mention === me;
        out.push(h('span.mention' + (self ? '.mention-self' : ''), raw));
      } else {
        out.push(raw);
      }
    }
    last = t.end;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

// ---- time ----------------------------------------------------------------------------------

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
const yearDayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });

export const formatTime = (ms) => timeFmt.format(new Date(ms));
export const formatFull = (ms) => fullFmt.format(new Date(ms));
export const dayKey = (ms) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
};

export function formatDay(ms) {
  const d = new Date(ms);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86400000);
  if (dayKey(ms) === dayKey(today.getTime())) return 'Today';
  if (dayKey(ms) === dayKey(yesterday.getTime())) return 'Yesterday';
  return (d.getFullYear() === today.getFullYear() ? dayFmt : yearDayFmt).format(d);
}

export function formatDuration(ms) {
  const s = Math.max(0, Math.round((ms || 0) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// ---- avatars -------------------------------------------------------------------------------

const COLORS = ['#e0565b', '#e07b39', '#c99a1e', '#4c9a5a', '#2f9e9a', '#3a86d1', '#6c6fd6', '#9a5cc9', '#c956a0', '#5f7486'];

export function userColor(id = '') {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return COLORS[hash % COLORS.length];
}

export function initials(name = '?') {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return '?';
  const first = [...parts[0]][0] || '';
  const second = parts.length > 1 ? [...parts[parts.length - 1]][0] : '';
  return (first + second).toUpperCase();
}

export function avatar(user, size = 36) {
  const name = (user && user.displayName) || '?';
  return h('span.avatar', {
    style: `--size:${size}px;background:${userColor(user && user.id)}`,
    'aria-hidden': 'true',
  }, initials(name));
}

/** Debounce: the last call wins after ms of quiet. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
