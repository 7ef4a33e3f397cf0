// Rendering of messages and of message lists (day separators, grouping, keyed reconciliation so
// an update replaces one element and scrolling does not jump), plus popovers (emoji picker, menus).
import { h, icon, richText, avatar, formatTime, formatFull, formatDay, dayKey, formatDuration, formatSize } from './dom.js';
import { fileUrl, previewUrl } from './api.js';

export const EMOJI = ['👍', '❤️', '😂', '🎉', '🚀', '👀', '✅', '👋'];
const GROUP_MS = 5 * 60 * 1000;

/** Bumps a message's version so that its element is rebuilt at the next render. */
export const touch = (msg) => {
  msg._v = (msg._v || 0) + 1;
  return msg;
};

/** A stable key for a message: its client message id while pending, else its id. */
export const keyOf = (msg) => msg._key || (msg._key = msg.id || `c:${msg.clientMessageId}`);

// ---- popovers ------------------------------------------------------------------------------

let openPopover = null;

export function closePopover() {
  if (!openPopover) return false;
  const { el, onClose, anchor } = openPopover;
  openPopover = null;
  el.remove();
  if (onClose) onClose();
  if (anchor && anchor.isConnected) anchor.focus({ preventScroll: true });
  return true;
}

/** Shows el as a popover next to anchor; closes on outside click, Esc or another popover. */
export function showPopover(el, anchor, { onClose, align = 'end' } = {}) {
  closePopover();
  el.classList.add('popover');
  el.style.position = 'fixed';
  el.style.visibility = 'hidden';
  document.body.append(el);
  const r = anchor.getBoundingClientRect();
  const w = el.offsetWidth;
  const ht = el.offsetHeight;
  let left = align === 'end' ? r.right - w : r.left;
  left = Math.max(8, Math.min(left, window.innerWidth - w - 8));
  let top = r.bottom + 4;
  if (top + ht > window.innerHeight - 8) top = Math.max(8, r.top - ht - 4);
  el.style.left = `${left}px`;
  el.style.top = `${top}px`;
  el.style.visibility = '';
  openPopover = { el, onClose, anchor };
  const first = el.querySelector('button, input');
  if (first) first.focus({ preventScroll: true });
  el.addEventListener('keydown', (e) => {
    const items = [...el.querySelectorAll('button')];
    const i = items.indexOf(document.activeElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      closePopover();
    } else if (['ArrowDown', 'ArrowRight'].includes(e.key) && items.length) {
      e.preventDefault();
      items[(i + 1) % items.length].focus();
    } else if (['ArrowUp', 'ArrowLeft'].includes(e.key) && items.length) {
      e.preventDefault();
      items[(i - 1 + items.length) % items.length].focus();
    }
  });
}

document.addEventListener('mousedown', (e) => {
  if (openPopover && !openPopover.el.contains(e.target) && !openPopover.anchor.contains(e.target)) closePopover();
}, true);
window.addEventListener('resize', () => closePopover());

export function emojiPicker(onPick) {
  return h('div.reaction-picker', { testid: 'reaction-picker', role: 'menu', 'aria-label': 'Add a reaction' },
    EMOJI.map((emoji) => h('button.reaction-option', {
      type: 'button', role: 'menuitem', testid: 'reaction-option', 'data-emoji': emoji, 'aria-label': `React with ${emoji}`,
      onclick: () => {
        closePopover();
        onPick(emoji);
      },
    }, emoji)));
}

// ---- one message ---------------------------------------------------------------------------

/**
 * ctx: {users: Map, me: user, isMod, usernames: Set, inThread, threadUnread(threadId),
 *       actions: {react, reply, pin, edit, saveEdit, cancelEdit, remove, retry, discard, author}}
 */
export function renderMessage(msg, ctx, { compact = false, root = false } = {}) {
  const user = ctx.users.get(msg.userId) || { id: msg.userId, displayName: msg.userId || 'Unknown' };
  const state = msg.state || 'sent';
  const mine = msg.userId === ctx.me.id;
  const mentionsMe = state === 'sent' && !mine && ((msg.mentions || []).includes(ctx.me.id) || msg.mentionsChannel);
  const el = h('div.message', {
    testid: 'message',
    class: [compact && 'compact', msg.pinned && 'pinned', mentionsMe && 'mentions-me'].filter(Boolean).join(' ') || undefined,
    'data-message-id': msg.id || undefined,
    'data-client-message-id': msg.clientMessageId || undefined,
    'data-state': state,
    'data-user-id': msg.userId,
    'data-offset': msg.offset ?? undefined,
    role: 'article',
    'aria-label': `${user.displayName}, ${formatTime(msg.createdAt)}`,
  });

  const gutter = h('div.msg-gutter');
  if (compact) {
    gutter.append(h('time.compact-time', { datetime: new Date(msg.createdAt).toISOString(), title: formatFull(msg.createdAt) }, formatTime(msg.createdAt)));
  } else {
    gutter.append(h('button.msg-avatar-btn', { type: 'button', tabindex: '-1', 'aria-hidden': 'true', onclick: (e) => ctx.actions.author(msg.userId, e.currentTarget) }, avatar(user, 36)));
  }
  const body = h('div.msg-body');
  if (!compact) {
    body.append(h('div.msg-head',
      h('button.message-author', { type: 'button', testid: 'message-author', onclick: (e) => ctx.actions.author(msg.userId, e.currentTarget) }, user.displayName),
      h('time.message-time', { testid: 'message-time', datetime: new Date(msg.createdAt).toISOString(), title: formatFull(msg.createdAt) }, formatTime(msg.createdAt)),
      msg.pinned ? h('span.message-pinned', { testid: 'message-pinned' }, icon('pin'), 'Pinned') : null));
  } else if (msg.pinned) {
    body.append(h('div.msg-head', h('span.message-pinned', { testid: 'message-pinned' }, icon('pin'), 'Pinned')));
  }

  if (msg._editing) {
    body.append(editBox(msg, ctx));
  } else {
    const text = h('div.message-text', { testid: 'message-text' }, richText(msg.text || '', { usernames: ctx.usernames, me: ctx.me.username }));
    if (msg.editedAt) text.append(h('span.message-edited', { testid: 'message-edited', title: `Edited ${formatFull(msg.editedAt)}` }, '(edited)'));
    body.append(text);
  }

  if (msg.files && msg.files.length) body.append(h('div.attachments-view', msg.files.map(renderFile)));

  if (state === 'pending') {
    body.append(h('span.message-pending', { testid: 'message-pending' }, h('span.spinner', { 'aria-hidden': 'true' }), 'Sending…'));
  } else if (state === 'failed') {
    body.append(h('div.message-failed', { testid: 'message-failed', role: 'alert' }, icon('alert'),
      h('span', msg.error || 'Not sent.'),
      h('button.btn.btn-small', { type: 'button', testid: 'retry-button', onclick: () => ctx.actions.retry(msg) }, 'Retry'),
      h('button.btn.btn-small.btn-ghost', { type: 'button', testid: 'discard-button', onclick: () => ctx.actions.discard(msg) }, 'Discard')));
  }

  if (state === 'sent') {
    const reactions = (msg.reactions || []).filter((r) => r.users && r.users.length);
    if (reactions.length) {
      const row = h('div.reactions', { testid: 'reactions' });
      for (const r of reactions) {
        const pressed = r.users.includes(ctx.me.id);
        const names = r.users.map((id) => (ctx.users.get(id) || { displayName: id }).displayName).join(', ');
        row.append(h('button.reaction', {
          type: 'button', testid: 'reaction', 'data-emoji': r.emoji, 'data-count': r.users.length, 'aria-pressed': String(pressed),
          title: `${names} reacted with ${r.emoji}`, 'aria-label': `${r.emoji} ${r.users.length}, ${pressed ? 'remove your reaction' : 'react'}`,
          onclick: () => ctx.actions.react(msg, r.emoji),
        }, h('span', r.emoji), h('span.count', String(r.users.length))));
      }
      row.append(h('button.reaction-add', {
        type: 'button', testid: 'reaction-add', 'aria-label': 'Add a reaction', title: 'Add a reaction',
        onclick: (e) => showPopover(emojiPicker((emoji) => ctx.actions.react(msg, emoji)), e.currentTarget, { align: 'start' }),
      }, icon('smile')));
      body.append(row);
    }
    if (!ctx.inThread && !msg.threadId && msg.replyCount > 0) {
      const last = msg.lastReplyBy && ctx.users.get(msg.lastReplyBy);
      const unread = ctx.threadUnread(msg.id);
      body.append(h('button.thread-summary', { type: 'button', testid: 'thread-summary', 'data-thread-id': msg.id, onclick: () => ctx.actions.reply(msg) },
        last ? avatar(last, 20) : null,
        h('span.reply-count', { testid: 'reply-count' }, `${msg.replyCount} ${msg.replyCount === 1 ? 'reply' : 'replies'}`),
        unread > 0 ? h('span.badge.thread-unread', { testid: 'thread-unread' }, String(unread)) : null,
        msg.lastReplyAt ? h('span.thread-last', `Last reply ${formatDay(msg.lastReplyAt) === 'Today' ? formatTime(msg.lastReplyAt) : formatDay(msg.lastReplyAt)}`) : null));
    }
  }

  el.append(gutter, body);
  if (state === 'sent' && !msg._editing) el.append(actionBar(msg, ctx, root));
  return el;
}

function actionBar(msg, ctx, root) {
  const mine = msg.userId === ctx.me.id;
  const bar = h('div.msg-actions', { role: 'toolbar', 'aria-label': 'Message actions' });
  bar.append(h('button.icon-btn', {
    type: 'button', testid: 'action-react', 'aria-label': 'Add a reaction', title: 'Add a reaction',
    onclick: (e) => showPopover(emojiPicker((emoji) => ctx.actions.react(msg, emoji)), e.currentTarget),
  }, icon('smile')));
  if (!ctx.inThread && !msg.threadId) {
    bar.append(h('button.icon-btn', { type: 'button', testid: 'action-reply', 'aria-label': 'Reply in thread', title: 'Reply in thread', onclick: () => ctx.actions.reply(msg) }, icon('reply')));
  }
  if (!msg.threadId) {
    bar.append(h('button.icon-btn', {
      type: 'button', testid: 'action-pin', 'aria-pressed': String(!!msg.pinned),
      'aria-label': msg.pinned ? 'Unpin' : 'Pin to channel', title: msg.pinned ? 'Unpin' : 'Pin to channel', onclick: () => ctx.actions.pin(msg),
    }, icon('pin')));
  }
  if (mine || ctx.isMod) {
    bar.append(h('button.icon-btn', {
      type: 'button', testid: 'action-more', 'aria-label': 'More actions', title: 'More', 'aria-haspopup': 'menu',
      onclick: (e) => {
        const el = e.currentTarget.closest('.message');
        el.classList.add('menu-open');
        const menu = h('div.menu', { testid: 'message-menu', role: 'menu' },
          mine ? h('button', { type: 'button', role: 'menuitem', testid: 'menu-edit', onclick: () => { closePopover(); ctx.actions.edit(msg); } }, icon('edit'), 'Edit message') : null,
          h('button.danger', { type: 'button', role: 'menuitem', testid: 'menu-delete', onclick: () => { closePopover(); ctx.actions.remove(msg); } }, icon('trash'), 'Delete message'));
        showPopover(menu, e.currentTarget, { onClose: () => el.classList.remove('menu-open') });
      },
    }, icon('more')));
  }
  if (root) bar.querySelector('[data-testid="action-reply"]')?.remove();
  return bar;
}

function editBox(msg, ctx) {
  const input = h('textarea.edit-input', { testid: 'edit-input', rows: '2', 'aria-label': 'Edit message', maxlength: '4000' });
  input.value = msg._draft ?? msg.text;
  const save = () => {
    const text = input.value.trim();
    if (!text) return;
    ctx.actions.saveEdit(msg, text);
  };
  input.addEventListener('input', () => { msg._draft = input.value; });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      save();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      ctx.actions.cancelEdit(msg);
    }
  });
  queueMicrotask(() => {
    if (input.isConnected && !msg._focused) {
      msg._focused = true;
      input.focus();
      input.setSelectionRange(input.value.length, input.value.length);
    }
  });
  return h('div.edit-box', input,
    h('div.edit-actions',
      h('button.btn.btn-small.btn-primary', { type: 'button', testid: 'edit-save', onclick: save }, 'Save'),
      h('button.btn.btn-small', { type: 'button', testid: 'edit-cancel', onclick: () => ctx.actions.cancelEdit(msg) }, 'Cancel'),
      h('span', 'Enter to save, Esc to cancel')));
}

export function renderFile(file) {
  const type = file.type || '';
  if (type.startsWith('image/')) {
    let w = file.width;
    let ht = file.height;
    if (w && ht) {
      const scale = Math.min(1, 360 / w, 360 / ht);
      w = Math.round(w * scale);
      ht = Math.round(ht * scale);
    }
    const img = h('img', { src: previewUrl(file.id), alt: file.name, loading: 'lazy', width: w || undefined, height: ht || undefined });
    img.addEventListener('error', () => {
      if (!img.dataset.fallback) {
        img.dataset.fallback = '1';
        img.src = fileUrl(file.id);
      }
    }, { once: false });
    return h('a.message-image', { testid: 'message-image', 'data-file-id': file.id, href: fileUrl(file.id), target: '_blank', rel: 'noopener', title: `${file.name} — open full size` }, img);
  }
  if (type.startsWith('audio/')) {
    return h('div.message-audio', { testid: 'message-audio', 'data-file-id': file.id },
      h('audio', { controls: true, preload: 'metadata', src: fileUrl(file.id), 'aria-label': file.durationMs ? `Voice note, ${formatDuration(file.durationMs)}` : file.name }),
      file.durationMs ? h('span.dur', formatDuration(file.durationMs)) : null);
  }
  return h('a.message-file', { testid: 'message-file', 'data-file-id': file.id, href: fileUrl(file.id), download: file.name, title: `Download ${file.name}` },
    icon('file'), h('span.meta', h('b', file.name), h('small', `${formatSize(file.size || 0)} · ${type || 'file'}`)));
}

// ---- a list of messages --------------------------------------------------------------------

/**
 * Keeps a container's children in step with an ordered list of messages: day separators,
 * consecutive messages of one author grouped, elements reused unless their message changed.
 */
export class MessageListView {
  constructor(container, ctxFn) {
    this.container = container;
    this.ctxFn = ctxFn;
    this.cache = new Map(); // key -> {v, compact, el}
    this.days = new Map();
  }

  reset() {
    this.cache.clear();
    this.days.clear();
  }

  /** before/after: nodes placed ahead of and after the messages (markers, buttons). */
  render(messages, { before = [], after = [] } = {}) {
    const ctx = this.ctxFn();
    const nodes = [...before];
    let prev = null;
    const seen = new Set();
    for (const msg of messages) {
      const day = dayKey(msg.createdAt);
      if (!prev || dayKey(prev.createdAt) !== day) {
        let sep = this.days.get(day);
        if (!sep) {
          sep = h('div.day-separator', { testid: 'day-separator', role: 'separator' }, h('span', formatDay(msg.createdAt)));
          this.days.set(day, sep);
        }
        nodes.push(sep);
      }
      const compact = !!prev && prev.userId === msg.userId && dayKey(prev.createdAt) === day
        && msg.createdAt - prev.createdAt < GROUP_MS && !prev._editing && (prev.state || 'sent') === 'sent'
        && !(prev.replyCount > 0) && !ctx.inThreadRootBreak?.(prev);
      const key = keyOf(msg);
      seen.add(key);
      let entry = this.cache.get(key);
      if (!entry || entry.v !== (msg._v || 0) || entry.compact !== compact) {
        const el = renderMessage(msg, ctx, { compact });
        if (entry && entry.el.isConnected) entry.el.replaceWith(el);
        entry = { v: msg._v || 0, compact, el };
        this.cache.set(key, entry);
      }
      nodes.push(entry.el);
      prev = msg;
    }
    nodes.push(...after);
    for (const key of [...this.cache.keys()]) if (!seen.has(key)) this.cache.delete(key);
    reconcile(this.container, nodes);
  }

  elementFor(msg) {
    const entry = this.cache.get(keyOf(msg));
    return entry && entry.el;
  }
}

/** Makes container's children exactly nodes, moving as few as it can. */
export function reconcile(container, nodes) {
  let cursor = container.firstChild;
  for (const node of nodes) {
    if (node === cursor) {
      cursor = cursor.nextSibling;
    } else {
      container.insertBefore(node, cursor);
    }
  }
  while (cursor) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}
