// Dialogs: search (Ctrl/Cmd+K), browse channels, create a channel, open a direct message.
import { h, $, byTestId, icon, avatar, formatDay, formatTime, debounce } from './dom.js';

export function setupDialogs(app) {
  const { state: S } = app;
  const client = () => app.client();

  for (const dialog of document.querySelectorAll('dialog')) {
    dialog.addEventListener('click', (e) => {
      if (e.target === dialog) dialog.close(); // a click on the backdrop
    });
    for (const btn of dialog.querySelectorAll('[data-testid="dialog-close"]')) btn.addEventListener('click', () => dialog.close());
  }
  const open = (dialog) => {
    for (const d of document.querySelectorAll('dialog[open]')) if (d !== dialog) d.close();
    if (!dialog.open) dialog.showModal();
  };

  // ---- search ----
  const search = byTestId('search-dialog');
  const input = byTestId('search-input');
  const results = byTestId('search-results');
  const empty = byTestId('search-empty');
  let seq = 0;
  let active = -1;

  const runSearch = debounce(async () => {
    const query = input.value.trim();
    const mine = ++seq;
    if (!query) {
      results.replaceChildren();
      empty.hidden = true;
      return;
    }
    let answer;
    try {
      answer = await client().request('search', { query, limit: 30 });
    } catch (e) {
      if (mine !== seq) return;
      results.replaceChildren();
      empty.hidden = false;
      empty.textContent = `Search failed: ${e.message}`;
      return;
    }
    if (mine !== seq) return;
    active = -1;
    empty.textContent = `No messages match “${query}”.`;
    empty.hidden = answer.results.length > 0;
    results.replaceChildren(...answer.results.map((r) => {
      const user = S.users.get(r.userId) || { id: r.userId, displayName: r.userId };
      const conv = S.convs.get(r.roomId);
      const where = conv ? app.convLabel(conv) : r.roomId;
      return h('li', h('button.search-result', {
        type: 'button', testid: 'search-result', 'data-message-id': r.id, 'data-room-id': r.roomId,
        onclick: () => {
          search.close();
          app.jumpTo(r.roomId, r.id, r.threadId);
        },
      }, avatar(user, 32), h('span',
        h('span.where', h('b', user.displayName), h('span', where), r.threadId ? h('span', 'in a thread') : null,
          h('span', `${formatDay(r.createdAt)} ${formatTime(r.createdAt)}`)),
        h('span.snippet', snippet(r.snippet || r.text, query)))));
    }));
  }, 200);

  input.addEventListener('input', runSearch);
  input.addEventListener('keydown', (e) => {
    const items = [...results.querySelectorAll('.search-result')];
    if (!items.length) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
      items.forEach((it, i) => it.classList.toggle('active', i === active));
      items[active].scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter') {
      e.preventDefault();
      items[Math.max(0, active)].click();
    }
  });

  function openSearch() {
    open(search);
    input.select();
    input.focus();
  }
  byTestId('open-search').addEventListener('click', openSearch);

  // ---- browse ----
  const browse = byTestId('browse-dialog');
  const browseList = byTestId('browse-list');
  async function openBrowse() {
    open(browse);
    browseList.replaceChildren(h('li.empty', 'Loading…'));
    let channels;
    try {
      channels = (await client().request('channels.browse')).channels;
    } catch (e) {
      browseList.replaceChildren(h('li.empty', `Cannot list channels: ${e.message}`));
      return;
    }
    channels.sort((a, b) => a.name.localeCompare(b.name));
    browseList.replaceChildren(...channels.map((c) => {
      const action = c.member
        ? h('button.btn.btn-small', { type: 'button', testid: 'browse-open', onclick: () => { browse.close(); app.selectConv(c.roomId); } }, 'Open')
        : h('button.btn.btn-small.btn-primary', {
          type: 'button', testid: 'browse-join',
          onclick: async (e) => {
            e.currentTarget.disabled = true;
            try {
              const joined = await client().request('channels.join', { channelId: c.id });
              app.addConv(joined);
              browse.close();
              await app.selectConv(joined.roomId);
              app.toast(`You joined #${joined.name}`);
            } catch (ex) {
              e.target.disabled = false;
              app.toast(`Cannot join: ${ex.message}`, { error: true });
            }
          },
        }, 'Join');
      return h('li.browse-item', { testid: 'browse-item', 'data-room-id': c.roomId, 'data-channel-id': c.id },
        h('span.info', h('b', icon(c.private ? 'lock' : 'hash'), c.name),
          h('small', `${c.memberCount} member${c.memberCount === 1 ? '' : 's'}${c.topic ? ` · ${c.topic}` : ''}`)),
        action);
    }));
    if (!channels.length) browseList.replaceChildren(h('li.empty', 'No channels yet.'));
  }
  byTestId('browse-channels').addEventListener('click', openBrowse);

  // ---- create ----
  const create = byTestId('create-dialog');
  const form = byTestId('create-form');
  const createError = byTestId('create-error');
  function openCreate() {
    form.reset();
    createError.hidden = true;
    open(create);
    byTestId('create-name').focus();
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = form.name.value.trim().replace(/^#/, '').toLowerCase().replace(/\s+/g, '-');
    const fail = (text) => {
      createError.textContent = text;
      createError.hidden = false;
    };
    if (!name) return fail('Give the channel a name.');
    const submit = byTestId('create-submit');
    submit.disabled = true;
    try {
      const channel = await client().request('channels.create', { name, topic: form.topic.value.trim(), private: form.private.checked });
      app.addConv(channel);
      create.close();
      await app.selectConv(channel.roomId);
      app.toast(`Created #${channel.name}`);
    } catch (ex) {
      if (ex.code === 'NAME_TAKEN') fail(`#${name} exists already: pick another name.`);
      else if (ex.code === 'BAD_NAME' || ex.code === 'VALIDATION_FAILED') fail('Use 1 to 40 of a–z, 0–9, “-” and “_”, starting with a letter or digit.');
      else fail(ex.message || ex.code);
    } finally {
      submit.disabled = false;
    }
  });
  byTestId('create-channel').addEventListener('click', openCreate);

  // ---- direct message ----
  const dm = byTestId('dm-dialog');
  const filter = byTestId('dm-filter');
  const people = byTestId('dm-people');
  const start = byTestId('dm-start');
  const count = $('#dm-count');
  const dmError = $('#dm-error');
  const picked = new Set();
  function renderPeople() {
    const q = filter.value.trim().toLowerCase();
    const users = [...S.users.values()]
      .filter((u) => u.id !== S.me.id)
      .filter((u) => !q || u.displayName.toLowerCase().includes(q) || u.username.includes(q))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
    people.replaceChildren(...users.map((u) => h('li', h('button.dm-person', {
      type: 'button', testid: 'dm-person', 'data-user-id': u.id, 'aria-pressed': String(picked.has(u.id)),
      onclick: () => {
        if (picked.has(u.id)) picked.delete(u.id);
        else if (picked.size < 7) picked.add(u.id);
        renderPeople();
      },
    }, h('span.dm-avatar', avatar(u, 32), h('span.presence-dot', { testid: 'presence-dot', 'data-user-id': u.id, 'data-online': String(S.online.has(u.id)), title: S.online.has(u.id) ? 'Online' : 'Away' })),
    h('span.name', u.displayName, h('small', `@${u.username}`)), h('span.tick', picked.has(u.id) ? icon('check') : null)))));
    if (!users.length) people.replaceChildren(h('li.empty', 'Nobody matches.'));
    start.disabled = picked.size < 1 || picked.size > 7;
    count.textContent = picked.size ? `${picked.size} selected${picked.size >= 7 ? ' (at most 7)' : ''}` : 'Pick 1 to 7 people';
  }
  function openDmDialog() {
    picked.clear();
    filter.value = '';
    dmError.hidden = true;
    renderPeople();
    open(dm);
    filter.focus();
  }
  filter.addEventListener('input', renderPeople);
  start.addEventListener('click', async () => {
    start.disabled = true;
    try {
      await app.openDm([...picked]);
      dm.close();
    } catch (e) {
      dmError.textContent = e.message;
      dmError.hidden = false;
      start.disabled = false;
    }
  });
  byTestId('open-dm').addEventListener('click', openDmDialog);

  return { openSearch, openBrowse, openCreate, openDmDialog };
}

/** The snippet as nodes, the query's words marked. */
function snippet(text, query) {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w.length > 0).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!words.length) return text;
  const re = new RegExp(`(${words.join('|')})`, 'gi');
  const out = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(h('mark', m[0]));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}
