// The chat's web UI: sign-in, the connection (dialogue.js), the sidebar, the message pane, threads,
// pins, unread and read marking, typing, presence and the reconnect banner. The contract with the
// server is docs/examples/chat.md.
import { h, $, byTestId, icon, avatar, formatTime, debounce } from './dom.js';
import { session, signIn, signUp, signOut, ApiError } from './api.js';
import { MessageListView, renderMessage, touch, keyOf, closePopover, showPopover, renderFile } from './messages.js';
import { Composer } from './composer.js';
import { setupDialogs } from './dialogs.js';

const PAGE = 50;
const TYPING_SHOW_MS = 5000;
const body = document.body;

const S = {
  client: null,
  me: null,
  role: 'member',
  workspace: null,
  users: new Map(),
  usernames: new Set(),
  convs: new Map(),
  current: null,
  online: new Set(),
  panel: null, // {type: 'thread'|'pins', roomId, threadId}
  rejoin: { missed: 0, reloaded: [] },
  reconnecting: false,
  readyOnce: false,
};
window.addEventListener('unhandledrejection', (e) => console.warn('unhandled', e.reason));

// ---- icons in static markup ----------------------------------------------------------------

function fillIcons(root = document) {
  for (const slot of root.querySelectorAll('.icon-slot[data-icon]')) slot.replaceWith(icon(slot.dataset.icon));
}

// ---- toasts --------------------------------------------------------------------------------

export function toast(text, { error = false, ms = 4000 } = {}) {
  const el = h('div.toast' + (error ? '.error' : ''), { testid: 'toast', role: error ? 'alert' : 'status' }, text);
  $('#toasts').append(el);
  setTimeout(() => el.remove(), ms);
}

// ---- sign in / sign up ---------------------------------------------------------------------

let authMode = 'signin';

function showAuth(message) {
  $('#app').hidden = true;
  $('#auth').hidden = false;
  body.dataset.ready = 'false';
  setAuthMode(authMode);
  const err = byTestId('auth-error');
  err.hidden = !message;
  err.textContent = message || '';
  setTimeout(() => byTestId(authMode === 'signup' ? 'signup-displayname' : 'signin-username').focus(), 0);
}

function setAuthMode(mode) {
  authMode = mode;
  const signup = mode === 'signup';
  byTestId('auth-tab-signin').setAttribute('aria-selected', String(!signup));
  byTestId('auth-tab-signup').setAttribute('aria-selected', String(signup));
  for (const el of document.querySelectorAll('.signup-only')) el.hidden = !signup;
  byTestId('signin-submit').textContent = signup ? 'Create account' : 'Sign in';
  byTestId('signin-password').setAttribute('autocomplete', signup ? 'new-password' : 'current-password');
  $('.auth-brand h1').textContent = signup ? 'Create your account' : 'Sign in to your team';
  byTestId('auth-error').hidden = true;
}

function wireAuth() {
  byTestId('auth-tab-signin').addEventListener('click', () => setAuthMode('signin'));
  byTestId('auth-tab-signup').addEventListener('click', () => setAuthMode('signup'));
  $('.auth-tabs').addEventListener('keydown', (e) => {
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      const next = authMode === 'signin' ? 'signup' : 'signin';
      setAuthMode(next);
      byTestId(`auth-tab-${next}`).focus();
    }
  });
  $('#auth-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const username = form.username.value.trim().toLowerCase();
    const password = form.password.value;
    const displayName = form.displayName.value.trim();
    const err = byTestId('auth-error');
    const fail = (text) => {
      err.textContent = text;
      err.hidden = false;
    };
    if (!username || !password) return fail('Enter your username and password.');
    if (authMode === 'signup' && !displayName) return fail('Enter the name your team will see.');
    const submit = byTestId('signin-submit');
    submit.disabled = true;
    try {
      const answer = authMode === 'signup' ? await signUp(username, displayName, password) : await signIn(username, password);
      session.save(answer);
      form.password.value = '';
      err.hidden = true;
      startApp();
    } catch (ex) {
      fail(ex instanceof ApiError ? authMessage(ex) : String(ex));
    } finally {
      submit.disabled = false;
    }
  });
}

function authMessage(e) {
  if (e.status === 401 || e.code === 'BAD_CREDENTIALS' || e.code === 'UNAUTHORIZED') return 'Wrong username or password.';
  if (e.code === 'BANNED') return 'This account is banned from the workspace.';
  return e.message || e.code;
}

// ---- start ---------------------------------------------------------------------------------

async function startApp() {
  $('#auth').hidden = true;
  $('#app').hidden = false;
  body.dataset.ready = 'false';
  if (S.client) S.client.close();
  resetState();
  const client = window.Dialogue.connect(undefined, { auth: () => ({ token: session.token }) });
  S.client = client;
  body.dataset.connection = client.state;
  client.onStateChange((state) => onState(client, state));
  client.onJoined((room) => (room.id.startsWith('w:') ? setupWorkspaceRoom(room) : setupConvRoom(room)));
  client.onLeft((room) => S.convs.has(room.id) && removeConv(room.id));
  client.onConnect(() => onConnected(client));
  client.onError((e) => {
    if (e.code === 'CONNECT_REFUSED' || e.code === 'AUTH_FAILED') sessionEnded(e.message);
    else if (e.code === 'EVENTS_MISSED' || e.code === 'EVENTS_DROPPED') reloadAll();
  });
  client.on('unread', (data) => applyUnread(data));
  client.on('channelAdded', (data) => {
    const conv = addConv(data);
    renderSidebar();
    if (conv.kind === 'dm') toast(`New conversation: ${convTitle(conv)}`);
    else toast(`You were added to #${conv.name}`);
  });
  client.on('channelRemoved', ({ roomId }) => removeConv(roomId));
  try {
    await client.connect();
  } catch (e) {
    if (S.client !== client) return;
    if (e.code === 'CONNECT_REFUSED' || e.code === 'AUTH_FAILED') return sessionEnded(e.message);
    toast(`Cannot connect: ${e.message}`, { error: true });
    return;
  }
  if (S.client !== client) return;
  let me;
  try {
    me = await client.request('me');
  } catch (e) {
    toast(`Cannot load the workspace: ${e.message}`, { error: true });
    return;
  }
  applyMe(me);
  const last = localStorage.getItem('chat.last');
  const first = (last && S.convs.get(last)) || orderedConvs()[0];
  if (first) await selectConv(first.roomId, { focus: true });
  body.dataset.ready = 'true';
  S.readyOnce = true;
}

function resetState() {
  Object.assign(S, {
    me: null, role: 'member', workspace: null, current: null, panel: null, reconnecting: false, readyOnce: false,
    rejoin: { missed: 0, reloaded: [] },
  });
  S.users.clear();
  S.usernames.clear();
  S.convs.clear();
  S.online.clear();
  sideItems.clear();
  listView.reset();
  closePanel();
  $('#message-list').replaceChildren();
  byTestId('channel-list').replaceChildren();
  byTestId('dm-list').replaceChildren();
  hideBanner();
}

function sessionEnded(reason) {
  const client = S.client;
  S.client = null;
  if (client) client.close();
  session.clear();
  const banned = /ban/i.test(reason || '');
  showAuth(banned ? 'You are banned from this workspace.' : 'Your session has ended. Please sign in again.');
}

async function doSignOut() {
  const token = session.token;
  const client = S.client;
  S.client = null;
  if (client) client.close();
  try {
    if (token) await signOut(token);
  } catch {
    /* the token is forgotten anyway */
  }
  session.clear();
  body.dataset.connection = 'disconnected';
  showAuth();
}

function applyMe(me) {
  S.me = me.user;
  S.role = me.role;
  S.workspace = me.workspace;
  for (const u of me.users) addUser(u);
  byTestId('workspace-name').textContent = me.workspace.name;
  document.title = `${me.workspace.name} — Chat`;
  for (const c of me.channels) addConv(c);
  for (const d of me.dms) addConv(d);
  for (const [roomId, unread] of Object.entries(me.unread || {})) {
    const conv = S.convs.get(roomId);
    if (conv) conv.unread = normUnread(unread);
  }
  renderMe();
  renderSidebar();
}

function addUser(u) {
  const prev = S.users.get(u.id);
  S.users.set(u.id, { ...prev, ...u });
  S.usernames.add(u.username);
}

const isMod = () => S.role === 'owner' || S.role === 'moderator';
const rank = (role) => ({ owner: 2, moderator: 1 }[role] || 0);

// ---- connection state & reconnect banner ---------------------------------------------------

let bannerTimer = null;

function onState(client, state) {
  if (S.client !== client) return;
  body.dataset.connection = state;
  if (state === 'reconnecting' && S.readyOnce) {
    S.reconnecting = true;
    S.rejoin = { missed: 0, messages: 0, reloaded: [] };
    showBanner('reconnecting', [h('span.spinner', { 'aria-hidden': 'true' }), 'Reconnecting…']);
  }
}

function onConnected(client) {
  if (S.client !== client || !S.reconnecting) return;
  S.reconnecting = false;
  const { reloaded } = S.rejoin;
  if (reloaded.length) {
    const names = reloaded.map((id) => (S.convs.get(id) ? convLabel(S.convs.get(id)) : id)).join(', ');
    showBanner('reloaded', `Reloaded ${names}: some messages could not be recovered`, 6000);
  } else {
    const n = S.rejoin.messages || 0; // messages only: missed also counts reactions, edits, ...
    showBanner('reconnected', n ? `Reconnected — ${n} new message${n === 1 ? '' : 's'}` : 'Reconnected', 3500);
  }
  for (const roomId of reloaded) {
    const conv = S.convs.get(roomId);
    if (conv) reloadConv(conv);
  }
  if (S.current) renderMain();
}

function showBanner(kind, content, ms) {
  const el = byTestId('reconnect-banner');
  clearTimeout(bannerTimer);
  el.dataset.kind = kind;
  el.replaceChildren(...[].concat(content));
  el.hidden = false;
  if (ms) bannerTimer = setTimeout(hideBanner, ms);
}

function hideBanner() {
  const el = byTestId('reconnect-banner');
  el.hidden = true;
  el.removeAttribute('data-kind');
}

function reloadAll() {
  for (const conv of S.convs.values()) if (conv.loaded) reloadConv(conv);
}

// ---- rooms ---------------------------------------------------------------------------------

const ROOM_EVENTS = ['message', 'edited', 'deleted', 'reaction', 'pinned', 'threadUpdated', 'typing', 'channelUpdated', 'member'];

function setupWorkspaceRoom(room) {
  room.on('memberJoined', ({ user }) => {
    addUser(user);
    renderSidebar();
  });
  room.on('channelCreated', () => {});
  room.on('channelUpdated', (data) => applyChannelUpdated(data));
  room.onPresence((joins, leaves) => {
    for (const id of joins) S.online.add(id);
    for (const id of leaves) S.online.delete(id);
    renderPresence();
  });
  const refresh = () => room.presence().then((list) => {
    S.online = new Set(list.map((p) => p.userId));
    renderPresence();
  }, () => {});
  refresh();
  room.onRejoined(() => refresh());
}

function setupConvRoom(room) {
  for (const name of ROOM_EVENTS) room.on(name, (data, ev) => onRoomEvent(room.id, name, data, ev));
  room.onRejoined(({ recovered, missed }) => {
    const conv = S.convs.get(room.id);
    S.rejoin.missed += missed;
    if (!recovered && conv) {
      // Reloaded once the connection is ready (onConnect): requests made now could be refused.
      if (conv.loaded) S.rejoin.reloaded.push(room.id);
      conv.loaded = false;
      conv.more = true;
      for (const t of conv.threads.values()) t.loaded = false;
      if (!S.reconnecting) reloadConv(conv);
    }
  });
}

function onRoomEvent(roomId, name, data, ev) {
  const conv = S.convs.get(roomId);
  if (!conv) return;
  if (name === 'message' && S.reconnecting && ev.from !== S.me.id && !data.threadId) S.rejoin.messages = (S.rejoin.messages || 0) + 1;
  if (name === 'typing') return onTyping(conv, data, ev);
  if (name === 'channelUpdated') return applyChannelUpdated(data);
  if (name === 'member') {
    if (conv.kind === 'channel' && typeof conv.memberCount === 'number') conv.memberCount += data.joined ? 1 : -1;
    return;
  }
  if (conv.queue) {
    conv.queue.push([name, data, ev]);
    return;
  }
  if (conv.loaded) applyEvent(conv, name, data, ev);
  else if (name === 'message' && data.threadId) applyThreadEvent(conv, name, data, ev);
}

/** Applies a room event to a loaded conversation and re-renders what it touches. */
function applyEvent(conv, name, data, ev) {
  switch (name) {
    case 'message': {
      clearTyping(conv, ev.from);
      if (data.threadId) {
        applyThreadEvent(conv, name, data, ev);
        return;
      }
      const msg = receive(conv, data, ev, conv.list);
      if (!msg) return;
      break;
    }
    case 'edited': {
      const msg = findMessage(conv, data.messageId);
      if (msg) {
        msg.text = data.text;
        msg.editedAt = data.editedAt;
        touch(msg);
      }
      break;
    }
    case 'deleted': {
      conv.list = conv.list.filter((m) => m.id !== data.messageId);
      for (const t of conv.threads.values()) {
        t.replies = t.replies.filter((m) => m.id !== data.messageId);
        if (t.root && t.root.id === data.messageId) t.deleted = true;
      }
      conv.byId.delete(data.messageId);
      if (S.panel && S.panel.type === 'thread' && S.panel.threadId === data.messageId && S.panel.roomId === conv.roomId) {
        closePanel();
        toast('The thread was deleted.');
      }
      break;
    }
    case 'reaction': {
      const msg = findMessage(conv, data.messageId);
      if (msg) setReaction(msg, data.emoji, data.users);
      break;
    }
    case 'pinned': {
      const msg = findMessage(conv, data.messageId);
      if (msg) {
        msg.pinned = data.pinned;
        touch(msg);
      }
      if (S.panel && S.panel.type === 'pins' && S.panel.roomId === conv.roomId) renderPins();
      break;
    }
    case 'threadUpdated': {
      const msg = findMessage(conv, data.threadId);
      if (msg) {
        Object.assign(msg, { replyCount: data.replyCount, lastReplyAt: data.lastReplyAt || undefined, lastReplyBy: data.lastReplyBy });
        touch(msg);
      }
      break;
    }
    default:
      return;
  }
  if (conv.roomId === S.current) renderMessages({ stick: true });
  if (S.panel && S.panel.type === 'thread' && S.panel.roomId === conv.roomId) renderThread({ stick: true });
}

function applyThreadEvent(conv, name, data, ev) {
  const t = conv.threads.get(data.threadId);
  if (!t || !t.loaded) return;
  receive(conv, data, ev, t.replies);
  if (S.panel && S.panel.type === 'thread' && S.panel.threadId === data.threadId) renderThread({ stick: true });
}

/** A message event: confirms a pending one (same clientMessageId) or adds a new one. */
function receive(conv, data, ev, list) {
  if (ev.id && conv.byId.has(ev.id)) {
    const known = conv.byId.get(ev.id);
    if (known.state !== 'sent' || known.offset == null) {
      Object.assign(known, { state: 'sent', offset: ev.offset, files: data.files || known.files, mentions: data.mentions || [], mentionsChannel: !!data.mentionsChannel });
      touch(known);
    }
    return null;
  }
  const pending = ev.clientMessageId && conv.byCmid.get(ev.clientMessageId);
  if (pending) {
    Object.assign(pending, {
      id: ev.id, offset: ev.offset, createdAt: ev.timestamp || pending.createdAt, state: 'sent', error: undefined,
      files: data.files || [], mentions: data.mentions || [], mentionsChannel: !!data.mentionsChannel,
    });
    conv.byCmid.delete(ev.clientMessageId);
    conv.byId.set(ev.id, pending);
    touch(pending);
    sortList(list);
    return pending;
  }
  const msg = fromEvent(conv, data, ev);
  conv.byId.set(msg.id, msg);
  list.push(msg);
  sortList(list);
  return msg;
}

function fromEvent(conv, data, ev) {
  return {
    id: ev.id, roomId: conv.roomId, offset: ev.offset, userId: ev.from, text: data.text, threadId: data.threadId,
    files: data.files || [], mentions: data.mentions || [], mentionsChannel: !!data.mentionsChannel, createdAt: ev.timestamp || Date.now(),
    pinned: false, replyCount: 0, reactions: [], state: 'sent',
  };
}

function sortList(list) {
  list.sort((a, b) => (a.offset ?? Infinity) - (b.offset ?? Infinity) || a.createdAt - b.createdAt);
}

function findMessage(conv, id) {
  return conv.byId.get(id);
}

function setReaction(msg, emoji, users) {
  const reactions = (msg.reactions || []).filter((r) => r.emoji !== emoji);
  const at = (msg.reactions || []).findIndex((r) => r.emoji === emoji);
  if (users.length) {
    if (at >= 0) reactions.splice(Math.min(at, reactions.length), 0, { emoji, users });
    else reactions.push({ emoji, users });
  }
  msg.reactions = reactions;
  touch(msg);
}

function applyChannelUpdated(data) {
  const conv = [...S.convs.values()].find((c) => c.id === data.channelId);
  if (!conv) return;
  Object.assign(conv, { name: data.name, topic: data.topic, slowModeSeconds: data.slowModeSeconds });
  renderSidebar();
  if (conv.roomId === S.current) renderHeader();
}

// ---- conversations -------------------------------------------------------------------------

function normUnread(u) {
  return { unread: u?.unread || 0, mentions: u?.mentions || 0, threads: u?.threads || {} };
}

function addConv(json) {
  let conv = S.convs.get(json.roomId);
  if (conv) {
    Object.assign(conv, json);
    return conv;
  }
  conv = {
    ...json, kind: json.kind === 'dm' ? 'dm' : 'channel', unread: normUnread(json.unread),
    byId: new Map(), byCmid: new Map(), list: [], more: true, loaded: false, loading: null, queue: null,
    threads: new Map(), typing: new Map(), lastMarked: -1, scroll: null,
  };
  S.convs.set(conv.roomId, conv);
  return conv;
}

function removeConv(roomId) {
  const conv = S.convs.get(roomId);
  if (!conv) return;
  S.convs.delete(roomId);
  const item = sideItems.get(roomId);
  if (item) item.li.remove();
  sideItems.delete(roomId);
  if (S.panel && S.panel.roomId === roomId) closePanel();
  if (S.current === roomId) {
    S.current = null;
    const next = orderedConvs()[0];
    if (next) selectConv(next.roomId);
    else renderMain();
  }
  renderSidebar();
}

function orderedConvs() {
  const all = [...S.convs.values()];
  const channels = all.filter((c) => c.kind === 'channel').sort((a, b) => a.name.localeCompare(b.name));
  const dms = all.filter((c) => c.kind === 'dm').sort((a, b) => convTitle(a).localeCompare(convTitle(b)));
  return [...channels, ...dms];
}

function others(conv) {
  return (conv.userIds || []).filter((id) => id !== S.me.id);
}

function convTitle(conv) {
  if (conv.kind !== 'dm') return conv.name;
  const ids = others(conv);
  if (!ids.length) return `${S.me.displayName} (you)`;
  return ids.map((id) => (S.users.get(id) || { displayName: id }).displayName).join(', ');
}

const convLabel = (conv) => (conv.kind === 'dm' ? convTitle(conv) : `#${conv.name}`);

async function selectConv(roomId, { focus = false } = {}) {
  const conv = S.convs.get(roomId);
  if (!conv) return;
  const prev = S.current && S.convs.get(S.current);
  if (prev && prev !== conv) prev.scroll = scrollState();
  S.current = roomId;
  localStorage.setItem('chat.last', roomId);
  closeNav();
  closePopover();
  if (S.panel && S.panel.roomId !== roomId) closePanel();
  listView.reset();
  composer.setRoom(roomId, conv.kind === 'dm' ? `Message ${convTitle(conv)}` : `Message #${conv.name}`);
  renderSidebar();
  renderMain();
  if (!conv.loaded) await loadInitial(conv);
  if (S.current !== roomId) return;
  renderMessages();
  restoreScroll(conv);
  renderTyping();
  maybeMarkRead();
  if (focus && window.innerWidth > 760) composer.focus();
}

async function loadInitial(conv) {
  if (conv.loading) return conv.loading;
  conv.queue = [];
  conv.loadError = null;
  conv.loading = (async () => {
    try {
      const page = await S.client.request('messages.page', { roomId: conv.roomId, limit: PAGE });
      const outbox = conv.list.filter((m) => m.state !== 'sent');
      conv.list = [];
      conv.byId.clear();
      for (const m of page.messages.reverse()) {
        const msg = { ...m, state: 'sent' };
        conv.byId.set(msg.id, msg);
        conv.list.push(msg);
      }
      for (const m of outbox) {
        if (m.id && conv.byId.has(m.id)) continue;
        conv.list.push(m);
        if (m.id) conv.byId.set(m.id, m);
      }
      conv.more = page.more;
      conv.loaded = true;
      const queue = conv.queue;
      conv.queue = null;
      for (const [name, data, ev] of queue) applyEvent(conv, name, data, ev);
    } catch (e) {
      conv.queue = null;
      conv.loadError = e.message;
      toast(`Cannot load ${convLabel(conv)}: ${e.message}`, { error: true });
    } finally {
      conv.loading = null;
    }
  })();
  return conv.loading;
}

async function loadOlder(conv) {
  if (!conv.loaded || !conv.more || conv.loadingOlder) return;
  const oldest = conv.list.find((m) => m.offset != null);
  if (!oldest) return;
  conv.loadingOlder = true;
  renderMessages();
  try {
    const page = await S.client.request('messages.page', { roomId: conv.roomId, before: oldest.offset, limit: PAGE });
    const older = page.messages.reverse().filter((m) => !conv.byId.has(m.id)).map((m) => ({ ...m, state: 'sent' }));
    for (const m of older) conv.byId.set(m.id, m);
    conv.list = [...older, ...conv.list];
    conv.more = page.more;
  } catch (e) {
    toast(`Cannot load older messages: ${e.message}`, { error: true });
  } finally {
    conv.loadingOlder = false;
  }
  if (conv.roomId === S.current) {
    const scroller = $('#message-list');
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    renderMessages();
    scroller.scrollTop = scroller.scrollHeight - fromBottom;
  }
}

async function reloadConv(conv) {
  conv.loaded = false;
  conv.more = true;
  for (const t of conv.threads.values()) t.loaded = false;
  if (conv.roomId === S.current) {
    await loadInitial(conv);
    if (S.current !== conv.roomId) return;
    listView.reset();
    renderMessages();
    scrollToBottom();
    maybeMarkRead();
  }
  if (S.panel && S.panel.type === 'thread' && S.panel.roomId === conv.roomId) openThread(conv, S.panel.threadId);
  if (S.panel && S.panel.type === 'pins' && S.panel.roomId === conv.roomId) renderPins();
}

// ---- unread & read marking -----------------------------------------------------------------

function applyUnread(data) {
  const conv = S.convs.get(data.roomId);
  if (!conv) return;
  const before = JSON.stringify(conv.unread.threads);
  conv.unread = normUnread(data);
  updateSideItem(conv);
  if (conv.roomId === S.current && before !== JSON.stringify(conv.unread.threads)) {
    for (const m of conv.list) if (m.replyCount > 0) touch(m);
    renderMessages();
  }
}

const markRead = debounce(() => {
  const conv = S.current && S.convs.get(S.current);
  if (!conv || !conv.loaded || !canMark($('#message-list'))) return;
  const room = S.client && S.client.room(conv.roomId);
  const newest = conv.list.reduce((max, m) => (m.offset != null && m.offset > max ? m.offset : max), -1);
  const offset = Math.max(newest, room ? room.lastOffset : -1);
  if (offset < 0 || (offset <= conv.lastMarked && !conv.unread.unread && !conv.unread.mentions)) return;
  conv.lastMarked = offset;
  S.client.request('read.mark', { roomId: conv.roomId, offset }).then((u) => u && applyUnread({ roomId: conv.roomId, ...u }), () => {});
}, 500);

const markThreadRead = debounce(() => {
  if (!S.panel || S.panel.type !== 'thread') return;
  const conv = S.convs.get(S.panel.roomId);
  const t = conv && conv.threads.get(S.panel.threadId);
  if (!t || !t.loaded || !canMark($('[data-testid="thread-messages"]'))) return;
  const newest = t.replies.reduce((max, m) => (m.offset != null && m.offset > max ? m.offset : max), -1);
  const unread = conv.unread.threads[t.threadId] || 0;
  if (newest < 0 || (newest <= (t.lastMarked ?? -1) && !unread)) return;
  t.lastMarked = newest;
  S.client.request('read.mark', { roomId: conv.roomId, offset: newest, threadId: t.threadId }).then((u) => u && applyUnread({ roomId: conv.roomId, ...u }), () => {});
}, 500);

function canMark(scroller) {
  return !!scroller && document.visibilityState === 'visible' && document.hasFocus() && atBottom(scroller);
}

function maybeMarkRead() {
  markRead();
  markThreadRead();
}

function atBottom(scroller, slack = 48) {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= slack;
}

// ---- typing --------------------------------------------------------------------------------

function onTyping(conv, data, ev) {
  if (!S.me || ev.from === S.me.id) return;
  const key = ev.from;
  const prev = conv.typing.get(key);
  if (prev) clearTimeout(prev.timer);
  const timer = setTimeout(() => {
    conv.typing.delete(key);
    renderTyping();
  }, TYPING_SHOW_MS);
  conv.typing.set(key, { threadId: data && data.threadId, timer });
  renderTyping();
}

function clearTyping(conv, userId) {
  const prev = conv.typing.get(userId);
  if (!prev) return;
  clearTimeout(prev.timer);
  conv.typing.delete(userId);
  renderTyping();
}

function typingText(conv, threadId) {
  const names = [...conv.typing.entries()]
    .filter(([, t]) => (t.threadId || null) === (threadId || null))
    .map(([id]) => (S.users.get(id) || { displayName: 'Someone' }).displayName);
  if (!names.length) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}

function renderTyping() {
  const conv = S.current && S.convs.get(S.current);
  composer.setTyping(conv ? typingText(conv, null) : '');
  if (S.panel && S.panel.type === 'thread') {
    const tconv = S.convs.get(S.panel.roomId);
    threadComposer.setTyping(tconv ? typingText(tconv, S.panel.threadId) : '');
  }
}

function sendTyping(roomId, threadId) {
  const room = S.client && S.client.room(roomId);
  if (!room || S.client.state !== 'connected') return;
  try {
    const { result } = room.trigger('typing', threadId ? { threadId } : {});
    result.catch(() => {});
  } catch {
    /* not important */
  }
}

// ---- sending -------------------------------------------------------------------------------

function send(conv, { text, files, threadId }, which) {
  const data = { text };
  if (threadId) data.threadId = threadId;
  if (files && files.length) data.fileIds = files.map((f) => f.id);
  const msg = {
    roomId: conv.roomId, userId: S.me.id, text, threadId, files: files || [], mentions: [], createdAt: Date.now(),
    state: 'pending', reactions: [], replyCount: 0, _data: data, _composer: which,
  };
  const list = threadId ? conv.threads.get(threadId)?.replies : conv.list;
  if (!list) return;
  transmit(conv, msg);
  keyOf(msg);
  list.push(msg);
  if (threadId) renderThread({ bottom: true });
  else {
    renderMessages();
    scrollToBottom();
  }
}

function transmit(conv, msg) {
  const room = S.client && S.client.room(conv.roomId);
  msg.state = 'pending';
  msg.error = undefined;
  if (!room) {
    msg.state = 'failed';
    msg.error = 'Not connected to this conversation.';
    msg.clientMessageId = msg.clientMessageId || `local-${Math.random().toString(36).slice(2)}`;
    return;
  }
  let handle;
  try {
    // A retry of a message whose fate was unknown goes under the same id: the server publishes an
    // id once, so it cannot appear twice. A refused or unsent one gets a new id.
    const again = msg._unknown && msg.clientMessageId && !msg.clientMessageId.startsWith('local-');
    handle = room.trigger('message', msg._data, undefined, again ? { clientMessageId: msg.clientMessageId } : undefined);
  } catch (e) {
    msg.state = 'failed';
    msg.error = e.message;
    return;
  }
  if (msg.clientMessageId) conv.byCmid.delete(msg.clientMessageId);
  msg.clientMessageId = handle.clientMessageId;
  conv.byCmid.set(handle.clientMessageId, msg);
  handle.result.then((published) => {
    if (msg.clientMessageId !== handle.clientMessageId || msg.state === 'sent') return;
    msg.state = 'sent';
    msg.id = published.id;
    msg.offset = published.offset;
    msg.createdAt = published.timestamp || msg.createdAt;
    conv.byId.set(published.id, msg);
    conv.byCmid.delete(handle.clientMessageId);
    touch(msg);
    rerender(conv, msg);
  }, (e) => {
    if (msg.clientMessageId !== handle.clientMessageId || msg.state === 'sent' || msg._discarded) return;
    msg.state = 'failed';
    msg._unknown = e.fate === 'unknown';
    msg.error = refusalText(e);
    touch(msg);
    rerender(conv, msg);
    const target = msg._composer || composer;
    if (e.fate === 'refused') target.showNotice(...refusalNotice(e));
  });
}

function rerender(conv, msg) {
  if (msg.threadId) {
    if (S.panel && S.panel.type === 'thread' && S.panel.threadId === msg.threadId) renderThread({ stick: true });
  } else if (conv.roomId === S.current) {
    renderMessages({ stick: true });
  }
}

function refusalText(e) {
  switch (e.code) {
    case 'MUTED': return 'Not sent: you are muted.';
    case 'BANNED': return 'Not sent: you are banned.';
    case 'SLOW_MODE': return 'Not sent: slow mode.';
    case 'TOO_FAST': return 'Not sent: too many messages.';
    case 'NOT_A_MEMBER': return 'Not sent: you are not a member.';
    case 'FILE_NOT_FOUND': return 'Not sent: an attachment is missing.';
    case 'VALIDATION_FAILED': return 'Not sent: the message is empty or too long.';
    default:
      if (e.fate === 'unknown') return 'Not confirmed: it may have been sent.';
      return `Not sent${e.message ? `: ${e.message}` : '.'}`;
  }
}

/** [text, options] for the composer's notice line. */
function refusalNotice(e) {
  const data = e.data || {};
  switch (e.code) {
    case 'MUTED':
      return [`You are muted until ${formatTime(data.until || Date.now())}`, { kind: 'error', ms: 15000 }];
    case 'SLOW_MODE':
    case 'TOO_FAST': {
      const until = Date.now() + (data.retryAfterMs || 1000);
      const label = e.code === 'SLOW_MODE' ? 'Slow mode' : 'You are sending too fast';
      return [(now) => `${label}: wait ${Math.max(1, Math.ceil((until - now) / 1000))} s`, { until }];
    }
    case 'BANNED':
      return ['You are banned from this workspace.', { kind: 'error', ms: 0 }];
    case 'NOT_A_MEMBER':
      return ['You are not a member of this conversation.', { kind: 'error' }];
    case 'FILE_NOT_FOUND':
      return ['An attachment was not found: attach it again.', { kind: 'error' }];
    case 'VALIDATION_FAILED':
      return ['A message needs text, at most 4,000 characters.', { kind: 'error' }];
    default:
      return [e.message || e.code, { kind: 'error' }];
  }
}

// ---- message actions -----------------------------------------------------------------------

function actionsFor(conv) {
  return {
    react: (msg, emoji) => {
      const mine = (msg.reactions || []).find((r) => r.emoji === emoji)?.users.includes(S.me.id);
      const users = (msg.reactions || []).find((r) => r.emoji === emoji)?.users || [];
      setReaction(msg, emoji, mine ? users.filter((u) => u !== S.me.id) : [...users, S.me.id]);
      rerender(conv, msg);
      if (msg.threadId == null && S.panel?.type === 'thread' && S.panel.threadId === msg.id) renderThread();
      S.client.request('reaction.toggle', { roomId: conv.roomId, messageId: msg.id, emoji }).then((r) => {
        setReaction(msg, r.emoji, r.users);
        rerender(conv, msg);
      }, (e) => {
        setReaction(msg, emoji, users);
        rerender(conv, msg);
        toast(`Cannot react: ${e.message}`, { error: true });
      });
    },
    reply: (msg) => openThread(conv, msg.id),
    pin: (msg) => {
      S.client.request('pin.toggle', { roomId: conv.roomId, messageId: msg.id }).then((r) => {
        msg.pinned = r.pinned;
        touch(msg);
        rerender(conv, msg);
        toast(r.pinned ? 'Pinned to the channel' : 'Unpinned');
        if (S.panel?.type === 'pins') renderPins();
      }, (e) => toast(`Cannot pin: ${e.message}`, { error: true }));
    },
    edit: (msg) => {
      msg._editing = true;
      msg._draft = undefined;
      msg._focused = false;
      touch(msg);
      rerender(conv, msg);
      if (msg.threadId == null && S.panel?.type === 'thread' && S.panel.threadId === msg.id) renderThread();
    },
    cancelEdit: (msg) => {
      msg._editing = false;
      touch(msg);
      rerender(conv, msg);
      if (msg.threadId == null && S.panel?.type === 'thread' && S.panel.threadId === msg.id) renderThread();
      (msg.threadId ? threadComposer : composer).focus();
    },
    saveEdit: (msg, text) => {
      if (text === msg.text) return actionsFor(conv).cancelEdit(msg);
      S.client.request('message.edit', { roomId: conv.roomId, messageId: msg.id, text }).then((m) => {
        msg.text = m.text;
        msg.editedAt = m.editedAt;
        msg._editing = false;
        touch(msg);
        rerender(conv, msg);
        if (msg.threadId == null && S.panel?.type === 'thread' && S.panel.threadId === msg.id) renderThread();
        (msg.threadId ? threadComposer : composer).focus();
      }, (e) => toast(`Cannot edit: ${e.message}`, { error: true }));
    },
    remove: (msg) => {
      S.client.request('message.delete', { roomId: conv.roomId, messageId: msg.id }).then(() => {
        applyEvent(conv, 'deleted', { messageId: msg.id }, {});
        toast('Message deleted');
      }, (e) => toast(`Cannot delete: ${e.message}`, { error: true }));
    },
    retry: (msg) => {
      transmit(conv, msg);
      touch(msg);
      rerender(conv, msg);
    },
    discard: (msg) => {
      msg._discarded = true;
      if (msg.clientMessageId) conv.byCmid.delete(msg.clientMessageId);
      conv.list = conv.list.filter((m) => m !== msg);
      const t = msg.threadId && conv.threads.get(msg.threadId);
      if (t) t.replies = t.replies.filter((m) => m !== msg);
      rerender(conv, msg);
    },
    author: (userId, anchor) => openUserMenu(userId, anchor),
  };
}

function ctxFor(conv, inThread) {
  return {
    users: S.users, me: S.me, isMod: isMod(), usernames: S.usernames, inThread,
    threadUnread: (id) => (conv.unread.threads && conv.unread.threads[id]) || 0,
    actions: actionsFor(conv),
  };
}

// ---- user menu (moderation) ----------------------------------------------------------------

function openUserMenu(userId, anchor) {
  const user = S.users.get(userId);
  if (!user) return;
  const canModerate = isMod() && userId !== S.me.id && rank(S.role) > rank(user.role);
  const run = (command, data, done) => {
    closePopover();
    S.client.request(command, data).then(() => toast(done), (e) => toast(`${e.message}`, { error: true }));
  };
  const menu = h('div.menu', { testid: 'user-menu', role: 'menu', 'aria-label': user.displayName },
    h('div.menu-head', avatar(user, 40), h('div', h('b', user.displayName), h('small', `@${user.username}${user.role && user.role !== 'member' ? ` · ${user.role}` : ''}`))),
    userId !== S.me.id ? h('button', { type: 'button', role: 'menuitem', onclick: () => { closePopover(); openDm([userId]); } }, icon('reply'), 'Send a message') : null,
    canModerate ? [
      h('button', { type: 'button', role: 'menuitem', testid: 'mod-mute', onclick: () => run('mod.mute', { userId, minutes: 10 }, `${user.displayName} is muted for 10 minutes`) }, icon('mic'), 'Mute for 10 minutes'),
      h('button', { type: 'button', role: 'menuitem', testid: 'mod-unmute', onclick: () => run('mod.unmute', { userId }, `${user.displayName} is unmuted`) }, icon('check'), 'Unmute'),
      h('button.danger', { type: 'button', role: 'menuitem', testid: 'mod-ban', onclick: () => run('mod.ban', { userId }, `${user.displayName} is banned`) }, icon('alert'), 'Ban from workspace'),
    ] : null);
  showPopover(menu, anchor, { align: 'start' });
}

async function openDm(userIds) {
  const dm = await S.client.request('dm.open', { userIds });
  addConv(dm);
  renderSidebar();
  await selectConv(dm.roomId, { focus: true });
  return dm;
}

// ---- sidebar -------------------------------------------------------------------------------

const sideItems = new Map(); // roomId -> {li, button, glyph, label, badges, dot}

function renderMe() {
  const me = S.users.get(S.me.id) || S.me;
  const dot = h('span.presence-dot', { testid: 'presence-dot', 'data-user-id': me.id, 'data-online': 'true' });
  $('#me').replaceChildren(h('span.dm-avatar', avatar(me, 32)), h('div.who', h('b', me.displayName), h('small', dot, ' ', `@${me.username}`)));
}

function renderSidebar() {
  if (!S.me) return;
  const convs = orderedConvs();
  const channels = convs.filter((c) => c.kind === 'channel').map((c) => sideItem(c).li);
  const dms = convs.filter((c) => c.kind === 'dm').map((c) => sideItem(c).li);
  reconcileList(byTestId('channel-list'), channels);
  reconcileList(byTestId('dm-list'), dms);
  for (const c of convs) updateSideItem(c);
}

function reconcileList(list, items) {
  items.forEach((li, i) => {
    if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
  });
  while (list.children.length > items.length) list.lastChild.remove();
}

function sideItem(conv) {
  let item = sideItems.get(conv.roomId);
  if (item) return item;
  const button = h('button.side-item', {
    type: 'button', testid: conv.kind === 'dm' ? 'dm-item' : 'channel-item', 'data-room-id': conv.roomId,
    onclick: () => selectConv(conv.roomId, { focus: true }),
  });
  const glyph = h('span.glyph');
  const label = h('span.label');
  const badges = h('span.badges');
  button.append(glyph, label, badges);
  item = { li: h('li', button), button, glyph, label, badges, key: '' };
  sideItems.set(conv.roomId, item);
  return item;
}

function updateSideItem(conv) {
  const item = sideItems.get(conv.roomId);
  if (!item) return;
  const { button, glyph, label, badges } = item;
  const title = convTitle(conv);
  button.dataset.unread = String(conv.unread.unread);
  button.dataset.mentions = String(conv.unread.mentions);
  if (conv.roomId === S.current) button.setAttribute('aria-current', 'page');
  else button.removeAttribute('aria-current');
  const parts = [conv.kind === 'dm' ? title : `channel ${conv.name}`];
  if (conv.unread.unread) parts.push(`${conv.unread.unread} unread`);
  if (conv.unread.mentions) parts.push(`${conv.unread.mentions} mention${conv.unread.mentions === 1 ? '' : 's'}`);
  button.setAttribute('aria-label', parts.join(', '));
  const peers = conv.kind === 'dm' ? others(conv) : [];
  const key = [conv.kind, conv.private, title, peers.join(','), peers.length === 1 ? S.online.has(peers[0]) : ''].join('|');
  if (item.key !== key) {
    item.key = key;
    label.textContent = title;
    if (conv.kind === 'channel') {
      glyph.replaceChildren(icon(conv.private ? 'lock' : 'hash'));
    } else if (peers.length === 1) {
      const u = S.users.get(peers[0]) || { id: peers[0], displayName: peers[0] };
      glyph.replaceChildren(h('span.dm-avatar', avatar(u, 18)),
        h('span.presence-dot', { testid: 'presence-dot', 'data-user-id': u.id, 'data-online': String(S.online.has(u.id)), title: S.online.has(u.id) ? 'Online' : 'Away' }));
    } else if (!peers.length) {
      glyph.replaceChildren(h('span.dm-avatar', avatar(S.me, 18)));
    } else {
      glyph.replaceChildren(icon('people'));
    }
  }
  badges.replaceChildren(...[
    conv.unread.mentions ? h('span.badge.mention-badge', { testid: 'mention-badge', 'aria-hidden': 'true' }, String(conv.unread.mentions)) : null,
    conv.unread.unread ? h('span.badge.unread-badge', { testid: 'unread-badge', 'aria-hidden': 'true' }, String(conv.unread.unread)) : null,
  ].filter(Boolean));
}

function renderPresence() {
  for (const conv of S.convs.values()) if (conv.kind === 'dm') updateSideItem(conv);
}

// ---- the message pane ----------------------------------------------------------------------

const listView = new MessageListView($('#message-list'), () => ctxFor(S.convs.get(S.current), false));
const historyStart = h('div.history-start', { testid: 'history-start' });
const loadOlderBox = h('div.load-older');
const loadOlderBtn = h('button.btn.btn-small', { type: 'button', testid: 'load-older' }, 'Load older messages');
loadOlderBox.append(loadOlderBtn);
loadOlderBtn.addEventListener('click', () => S.current && loadOlder(S.convs.get(S.current)));

let composer;
let threadComposer;

function renderMain() {
  renderHeader();
  renderMessages();
}

function renderHeader() {
  const conv = S.current && S.convs.get(S.current);
  const name = $('#channel-name');
  const topic = byTestId('channel-topic');
  const glyph = $('#channel-glyph');
  if (!conv) {
    name.textContent = '';
    topic.textContent = '';
    glyph.replaceChildren();
    return;
  }
  const isChannel = conv.kind === 'channel';
  name.textContent = convTitle(conv);
  glyph.replaceChildren(isChannel ? icon(conv.private ? 'lock' : 'hash') : icon('people'));
  if (!topic.isConnected) return; // the topic is being edited
  topic.textContent = isChannel ? conv.topic || '' : (others(conv).length > 1 ? `Group message · ${others(conv).length + 1} people` : 'Direct message');
  topic.title = topic.textContent;
  byTestId('topic-edit').hidden = !isChannel;
  byTestId('topic-edit').textContent = conv.topic ? 'Edit topic' : 'Add a topic';
  byTestId('leave-channel').hidden = !isChannel;
  const slow = byTestId('slow-mode');
  slow.hidden = !(isChannel && conv.slowModeSeconds > 0);
  slow.textContent = conv.slowModeSeconds > 0 ? `Slow mode: ${conv.slowModeSeconds} s` : '';
  slow.title = 'Members can send one message per interval';
  byTestId('pins-button').setAttribute('aria-pressed', String(!!(S.panel && S.panel.type === 'pins')));
}

function renderMessages({ stick = false } = {}) {
  const conv = S.current && S.convs.get(S.current);
  const scroller = $('#message-list');
  if (!conv) {
    scroller.replaceChildren(h('p.empty', 'No conversation yet. Browse or create a channel.'));
    return;
  }
  const wasBottom = atBottom(scroller);
  const before = [];
  if (conv.loaded && !conv.more) {
    historyStart.replaceChildren(
      h('h3', conv.kind === 'channel' ? `This is the very beginning of #${conv.name}` : `This is the beginning of your conversation with ${convTitle(conv)}`),
      h('p', conv.kind === 'channel' ? (conv.topic || 'A channel for your team.') : 'Only the people here can see it.'));
    before.push(historyStart);
  } else if (conv.loaded) {
    loadOlderBtn.disabled = !!conv.loadingOlder;
    loadOlderBtn.textContent = conv.loadingOlder ? 'Loading…' : 'Load older messages';
    before.push(loadOlderBox);
  } else if (conv.loadError && !conv.loading) {
    before.push(h('p.empty', `Could not load the messages (${conv.loadError}). `,
      h('button.link-btn', { type: 'button', onclick: () => { conv.loadError = null; reloadConv(conv); } }, 'Try again')));
  } else {
    before.push(h('p.empty', 'Loading…'));
  }
  listView.render(conv.loaded ? conv.list : conv.list.filter((m) => m.state !== 'sent'), { before });
  if (stick && wasBottom) scrollToBottom();
  updateJump();
  maybeMarkRead();
}

function scrollToBottom() {
  const scroller = $('#message-list');
  scroller.scrollTop = scroller.scrollHeight;
}

function scrollState() {
  const s = $('#message-list');
  return atBottom(s) ? null : s.scrollTop;
}

function restoreScroll(conv) {
  const s = $('#message-list');
  if (conv.scroll == null) scrollToBottom();
  else s.scrollTop = conv.scroll;
}

function updateJump() {
  const s = $('#message-list');
  $('#jump-latest').hidden = atBottom(s, 400);
}

function wireTimeline() {
  const scroller = $('#message-list');
  scroller.addEventListener('scroll', () => {
    const conv = S.current && S.convs.get(S.current);
    if (conv && scroller.scrollTop < 240 && conv.more && conv.loaded && !conv.loadingOlder) loadOlder(conv);
    updateJump();
    markRead();
  }, { passive: true });
  $('#jump-latest').addEventListener('click', () => {
    scrollToBottom();
    composer.focus();
  });
  // Images without known sizes change the height as they load: keep the bottom in view.
  scroller.addEventListener('load', (e) => {
    if (e.target.tagName === 'IMG' && scroller.dataset.stick === 'true') scrollToBottom();
  }, true);
  scroller.addEventListener('scroll', () => { scroller.dataset.stick = String(atBottom(scroller)); }, { passive: true });
  window.addEventListener('focus', () => maybeMarkRead());
  document.addEventListener('visibilitychange', () => maybeMarkRead());
}

// ---- header actions ------------------------------------------------------------------------

function wireHeader() {
  byTestId('topic-edit').addEventListener('click', () => editTopic());
  byTestId('pins-button').addEventListener('click', () => (S.panel && S.panel.type === 'pins' ? closePanel() : openPins()));
  byTestId('leave-channel').addEventListener('click', async () => {
    const conv = S.current && S.convs.get(S.current);
    if (!conv || conv.kind !== 'channel') return;
    try {
      await S.client.request('channels.leave', { channelId: conv.id });
      removeConv(conv.roomId);
      toast(`You left #${conv.name}`);
    } catch (e) {
      toast(`Cannot leave: ${e.message}`, { error: true });
    }
  });
}

function editTopic() {
  const conv = S.current && S.convs.get(S.current);
  if (!conv || conv.kind !== 'channel') return;
  const topic = byTestId('channel-topic');
  const editBtn = byTestId('topic-edit');
  const input = h('input', { value: conv.topic || '', maxlength: '250', 'aria-label': 'Channel topic', testid: 'topic-input', placeholder: 'What is this channel about?' });
  const form = h('form.topic-form', input,
    h('button.btn.btn-small.btn-primary', { type: 'submit', testid: 'topic-save' }, 'Save'),
    h('button.btn.btn-small', { type: 'button', onclick: () => done() }, 'Cancel'));
  const done = () => {
    form.replaceWith(topic);
    editBtn.hidden = false;
    renderHeader();
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const updated = await S.client.request('channels.topic', { channelId: conv.id, topic: input.value.trim() });
      conv.topic = updated.topic;
      done();
    } catch (ex) {
      toast(`Cannot change the topic: ${ex.message}`, { error: true });
    }
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      done();
    }
  });
  topic.replaceWith(form);
  editBtn.hidden = true;
  input.focus();
  input.select();
}

// ---- side panel: thread & pins -------------------------------------------------------------

const threadView = { list: null, view: null };

function closePanel() {
  const hadPanel = !!S.panel;
  S.panel = null;
  const panel = byTestId('side-panel');
  panel.hidden = true;
  $('#panel-body').replaceChildren();
  if (threadComposer) threadComposer.setRoom(null);
  if (hadPanel && S.current) {
    renderHeader();
  }
}

async function openThread(conv, threadId, { highlight } = {}) {
  S.panel = { type: 'thread', roomId: conv.roomId, threadId };
  let t = conv.threads.get(threadId);
  if (!t) {
    t = { threadId, root: null, replies: [], loaded: false };
    conv.threads.set(threadId, t);
  }
  const panel = byTestId('side-panel');
  panel.hidden = false;
  $('#panel-title').replaceChildren('Thread', h('small', convLabel(conv)));
  const messages = h('div.thread-messages', { testid: 'thread-messages' });
  const wrap = h('section.thread-panel', { testid: 'thread-panel', 'aria-label': 'Thread' }, messages, h('div.composer-host', threadComposer.el));
  $('#panel-body').replaceChildren(wrap);
  threadView.list = messages;
  threadView.view = new MessageListView(messages, () => ctxFor(conv, true));
  messages.addEventListener('scroll', () => markThreadRead(), { passive: true });
  threadComposer.setRoom(`${conv.roomId}/${threadId}`, 'Reply…');
  renderHeader();
  if (!t.loaded) {
    messages.replaceChildren(h('p.empty', 'Loading…'));
    try {
      const page = await S.client.request('thread.page', { roomId: conv.roomId, threadId });
      const outbox = t.replies.filter((m) => m.state !== 'sent');
      t.root = conv.byId.get(threadId) || { ...page.root, state: 'sent' };
      if (!conv.byId.has(threadId)) conv.byId.set(threadId, t.root);
      t.replies = page.messages.filter((m) => m.id !== threadId).map((m) => conv.byId.get(m.id) || { ...m, state: 'sent' });
      for (const m of t.replies) conv.byId.set(m.id, m);
      for (const m of outbox) if (!t.replies.includes(m)) t.replies.push(m);
      t.loaded = true;
    } catch (e) {
      if (S.panel?.threadId === threadId) closePanel();
      toast(`Cannot open the thread: ${e.message}`, { error: true });
      return;
    }
  }
  if (!S.panel || S.panel.threadId !== threadId) return;
  renderThread({ bottom: !highlight });
  if (highlight) flash(threadView.view, t.replies.find((m) => m.id === highlight) || t.root, messages);
  if (window.innerWidth > 760 || !highlight) threadComposer.focus();
  markThreadRead();
}

function renderThread({ stick = false, bottom = false } = {}) {
  if (!S.panel || S.panel.type !== 'thread' || !threadView.view) return;
  const conv = S.convs.get(S.panel.roomId);
  const t = conv && conv.threads.get(S.panel.threadId);
  if (!t || !t.loaded) return;
  const scroller = threadView.list;
  const wasBottom = atBottom(scroller);
  const root = conv.byId.get(t.threadId) || t.root;
  const rootEl = h('div.thread-root', { testid: 'thread-root' }, renderMessage(root, ctxFor(conv, true), { root: true }));
  const sent = t.replies.filter((m) => m.state === 'sent').length;
  const count = h('div.thread-reply-count', { testid: 'thread-reply-count', 'data-count': String(Math.max(root.replyCount || 0, sent)) },
    `${Math.max(root.replyCount || 0, sent)} ${Math.max(root.replyCount || 0, sent) === 1 ? 'reply' : 'replies'}`);
  threadView.view.render(t.replies, { before: [rootEl, count] });
  if (bottom || (stick && wasBottom)) scroller.scrollTop = scroller.scrollHeight;
  markThreadRead();
}

async function openPins() {
  const conv = S.current && S.convs.get(S.current);
  if (!conv) return;
  S.panel = { type: 'pins', roomId: conv.roomId };
  byTestId('side-panel').hidden = false;
  $('#panel-title').replaceChildren('Pinned', h('small', convLabel(conv)));
  $('#panel-body').replaceChildren(h('section.pins-panel', { testid: 'pins-panel', 'aria-label': 'Pinned messages' }, h('p.empty', 'Loading…')));
  renderHeader();
  await renderPins();
  byTestId('panel-close').focus();
}

async function renderPins() {
  if (!S.panel || S.panel.type !== 'pins') return;
  const conv = S.convs.get(S.panel.roomId);
  let pins;
  try {
    pins = (await S.client.request('pins.list', { roomId: conv.roomId })).messages;
  } catch (e) {
    toast(`Cannot load pins: ${e.message}`, { error: true });
    return;
  }
  if (!S.panel || S.panel.type !== 'pins' || S.panel.roomId !== conv.roomId) return;
  const section = byTestId('pins-panel');
  if (!pins.length) {
    section.replaceChildren(h('p.empty', 'Nothing is pinned yet. Pin important messages from their menu.'));
    return;
  }
  section.replaceChildren(h('ul.pins-list', pins.map((m) => {
    const user = S.users.get(m.userId) || { id: m.userId, displayName: m.userId };
    return h('li.pinned-item', { testid: 'pinned-item', 'data-message-id': m.id },
      h('div.msg-head', avatar(user, 20), h('b', user.displayName), h('span.message-time', formatTime(m.createdAt))),
      h('div.message-text', m.text),
      m.files && m.files.length ? h('div.attachments-view', m.files.map(renderFile)) : null,
      h('div.pin-actions',
        h('button.btn.btn-small', { type: 'button', testid: 'pin-jump', onclick: () => jumpTo(conv.roomId, m.id) }, 'Jump to message'),
        h('button.btn.btn-small.btn-ghost', {
          type: 'button', testid: 'pin-remove',
          onclick: () => S.client.request('pin.toggle', { roomId: conv.roomId, messageId: m.id }).then((r) => {
            const msg = conv.byId.get(m.id);
            if (msg) {
              msg.pinned = r.pinned;
              touch(msg);
              rerender(conv, msg);
            }
            renderPins();
          }, (e) => toast(`Cannot unpin: ${e.message}`, { error: true })),
        }, 'Unpin')));
  })));
}

/** Opens the conversation, loads older pages until the message is there, scrolls to it. */
async function jumpTo(roomId, messageId, threadId) {
  const conv = S.convs.get(roomId);
  if (!conv) return toast('That conversation is not available.', { error: true });
  if (S.current !== roomId) await selectConv(roomId);
  if (!conv.loaded) await loadInitial(conv);
  if (threadId) {
    await openThread(conv, threadId, { highlight: messageId });
    messageId = threadId;
  }
  let guard = 0;
  while (!conv.byId.has(messageId) || !conv.list.includes(conv.byId.get(messageId))) {
    if (!conv.more || guard++ > 50) break;
    await loadOlder(conv);
  }
  const msg = conv.byId.get(messageId);
  if (!msg || !conv.list.includes(msg)) return toast('That message is no longer available.');
  renderMessages();
  flash(listView, msg, $('#message-list'));
  if (!threadId) composer.focus(); // keyboard users go on typing where they landed
}

function flash(view, msg, scroller) {
  const el = msg && view.elementFor(msg);
  if (!el) return;
  el.classList.remove('highlight');
  void el.offsetWidth;
  el.classList.add('highlight');
  el.dataset.highlight = 'true';
  const top = el.offsetTop - scroller.clientHeight / 3;
  scroller.scrollTop = Math.max(0, top);
  setTimeout(() => el.removeAttribute('data-highlight'), 4000);
}

// ---- navigation & keyboard -----------------------------------------------------------------

function openNav() {
  $('#app').classList.add('nav-open');
  $('#scrim').hidden = false;
  byTestId('menu-button').setAttribute('aria-expanded', 'true');
  const current = byTestId('sidebar').querySelector('[aria-current="page"]') || byTestId('sidebar').querySelector('button');
  if (current) current.focus();
}

function closeNav() {
  if (!$('#app').classList.contains('nav-open')) return false;
  $('#app').classList.remove('nav-open');
  $('#scrim').hidden = true;
  byTestId('menu-button').setAttribute('aria-expanded', 'false');
  return true;
}

function step(delta) {
  const list = orderedConvs();
  if (!list.length) return;
  const at = list.findIndex((c) => c.roomId === S.current);
  const next = list[(at + delta + list.length) % list.length];
  selectConv(next.roomId, { focus: true });
}

function wireKeys(dialogs) {
  document.addEventListener('keydown', (e) => {
    if (!S.me || $('#app').hidden) return;
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
      e.preventDefault();
      dialogs.openSearch();
    } else if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      step(e.key === 'ArrowUp' ? -1 : 1);
    } else if (e.key === 'Escape' && !e.defaultPrevented) {
      if (document.querySelector('dialog[open]')) return;
      if (closePopover()) return;
      if (closeNav()) return;
      if (S.panel) {
        closePanel();
        composer.focus();
      }
    }
  });
  byTestId('menu-button').addEventListener('click', () => openNav());
  $('#scrim').addEventListener('click', () => closeNav());
  byTestId('panel-close').addEventListener('click', () => {
    closePanel();
    composer.focus();
  });
  byTestId('sign-out').addEventListener('click', () => doSignOut());
}

// ---- boot ----------------------------------------------------------------------------------

function boot() {
  fillIcons();
  wireAuth();
  composer = new Composer({
    prefix: '', placeholder: 'Message', dropZone: $('#main'),
    roomId: () => S.current,
    onSend: ({ text, files }) => {
      const conv = S.current && S.convs.get(S.current);
      if (conv) send(conv, { text, files }, composer);
    },
    onTyping: () => S.current && sendTyping(S.current),
    onEditLast: () => {
      const conv = S.current && S.convs.get(S.current);
      const last = conv && [...conv.list].reverse().find((m) => m.userId === S.me.id && m.state === 'sent');
      if (!last) return false;
      actionsFor(conv).edit(last);
      return true;
    },
  });
  $('#composer-host').append(composer.el);
  threadComposer = new Composer({
    prefix: 'thread-', placeholder: 'Reply…', dropZone: byTestId('side-panel'),
    roomId: () => S.panel && S.panel.type === 'thread' ? S.panel.roomId : null,
    onSend: ({ text, files }) => {
      if (!S.panel || S.panel.type !== 'thread') return;
      const conv = S.convs.get(S.panel.roomId);
      if (conv) send(conv, { text, files, threadId: S.panel.threadId }, threadComposer);
    },
    onTyping: () => S.panel && S.panel.type === 'thread' && sendTyping(S.panel.roomId, S.panel.threadId),
  });
  wireTimeline();
  wireHeader();
  const dialogs = setupDialogs({
    state: S,
    client: () => S.client,
    toast,
    addConv: (json) => {
      const conv = addConv(json);
      renderSidebar();
      return conv;
    },
    selectConv: (roomId) => selectConv(roomId, { focus: true }),
    openDm,
    jumpTo,
    convLabel,
    convTitle,
  });
  wireKeys(dialogs);
  if (session.token) startApp();
  else showAuth();
}

if (window.Dialogue) boot();
else window.addEventListener('DOMContentLoaded', boot);
