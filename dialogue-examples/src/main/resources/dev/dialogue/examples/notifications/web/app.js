// The notifications page: one private room per user (n:<userId>) that the server joins every
// connection to; `notification` and `read` events keep every tab and device in step.
(() => {
  const $ = (sel) => document.querySelector(sel);
  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
  const state = { items: new Map(), order: [], unread: 0, client: null, room: null, userId: null };

  function show(id) {
    $('#signin').hidden = id !== 'signin';
    $('#app').hidden = id !== 'app';
  }

  function timeOf(ms) {
    const d = new Date(ms);
    const today = new Date().toDateString() === d.toDateString();
    return today ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString();
  }

  function setUnread(n) {
    state.unread = Math.max(0, n);
    const badge = byTestId('unread-count');
    badge.textContent = String(state.unread);
    badge.dataset.count = String(state.unread);
    document.title = (state.unread ? `(${state.unread}) ` : '') + 'Notifications · Dialogue';
  }

  function render() {
    const list = $('#list');
    list.replaceChildren(...state.order.map((id) => {
      const n = state.items.get(id);
      const li = document.createElement('li');
      li.dataset.testid = 'notification';
      li.dataset.id = n.id;
      li.dataset.read = String(!!n.read);
      const mark = document.createElement('span');
      mark.className = 'mark';
      const text = document.createElement('div');
      const title = document.createElement('b');
      title.textContent = n.title;
      text.append(title);
      if (n.body) {
        const p = document.createElement('p');
        p.textContent = n.body;
        text.append(p);
      }
      if (n.url && /^https?:\/\//.test(n.url)) {
        const a = document.createElement('a');
        a.href = n.url;
        a.textContent = n.url;
        a.rel = 'noopener noreferrer';
        a.target = '_blank';
        text.append(a);
      }
      const side = document.createElement('div');
      const time = document.createElement('time');
      time.textContent = timeOf(n.createdAt);
      const read = document.createElement('button');
      read.className = 'secondary';
      read.dataset.testid = 'mark-read';
      read.textContent = 'Mark read';
      read.addEventListener('click', () => markRead([n.id]));
      side.append(time, document.createElement('br'), read);
      li.append(mark, text, side);
      return li;
    }));
    $('#empty').hidden = state.order.length > 0;
  }

  function add(n) {
    if (state.items.has(n.id)) return false; // exactly once, whatever path it came by
    state.items.set(n.id, n);
    state.order.push(n.id);
    state.order.sort((a, b) => state.items.get(b).createdAt - state.items.get(a).createdAt || (a < b ? 1 : -1));
    return true;
  }

  async function load() {
    const page = await state.client.request('notifications.list', { limit: 100 });
    // Merged, not replaced: an event that arrived while the list was on its way stays.
    for (const n of page.notifications) {
      if (!add(n) && n.read) state.items.get(n.id).read = true;
    }
    setUnread(page.unread);
    render();
  }

  function banner(text) {
    const b = byTestId('banner');
    b.textContent = text;
    b.hidden = false;
    clearTimeout(banner.timer);
    banner.timer = setTimeout(() => { b.hidden = true; }, 4000);
  }

  async function markRead(ids) {
    try {
      const r = await state.client.request('notifications.read', { ids });
      for (const id of r.read) if (state.items.has(id)) state.items.get(id).read = true;
      setUnread(r.unread);
      render();
    } catch (e) {
      banner(`Could not mark read: ${e.message}`);
    }
  }

  function onRoom(room) {
    if (room.id !== `n:${state.userId}`) return;
    state.room = room;
    room.on('notification', (data) => {
      if (add({ ...data, read: false })) render();
      setUnread(data.unread);
    });
    room.on('read', (data) => {
      if (data.all) for (const n of state.items.values()) n.read = true;
      for (const id of data.ids || []) if (state.items.has(id)) state.items.get(id).read = true;
      setUnread(data.unread);
      render();
    });
    room.onRejoined(({ recovered, missed }) => {
      if (!recovered) load().then(() => banner('Reloaded: some notifications could not be recovered'));
      else if (missed) banner(`Back online: ${missed} update${missed === 1 ? '' : 's'} caught up`);
    });
  }

  async function start(token, userId) {
    state.userId = userId;
    byTestId('user-name').textContent = userId;
    show('app');
    const client = Dialogue.connect(undefined, { auth: () => ({ token }) });
    state.client = client;
    client.onJoined(onRoom);
    client.onStateChange && client.onStateChange((s) => { byTestId('connection').dataset.state = s; });
    client.onConnect && client.onConnect(() => { byTestId('connection').dataset.state = 'connected'; });
    client.onDisconnect && client.onDisconnect(() => { byTestId('connection').dataset.state = 'connecting'; });
    try {
      await client.connect();
      byTestId('connection').dataset.state = 'connected';
      await load();
      document.body.dataset.ready = 'true';
    } catch (e) {
      localStorage.removeItem('notifications');
      show('signin');
      const err = byTestId('signin-error');
      err.textContent = `Could not connect: ${e.message}`;
      err.hidden = false;
    }
  }

  $('#signin-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const err = byTestId('signin-error');
    err.hidden = true;
    const userId = byTestId('signin-user').value.trim().toLowerCase();
    const r = await fetch('/api/signin', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId }) });
    const body = await r.json();
    if (!r.ok) {
      err.textContent = body.message || 'Sign-in failed';
      err.hidden = false;
      return;
    }
    localStorage.setItem('notifications', JSON.stringify(body));
    start(body.token, body.userId);
  });
  $('#mark-all').addEventListener('click', async () => {
    try {
      const r = await state.client.request('notifications.readAll');
      for (const n of state.items.values()) n.read = true;
      setUnread(r.unread);
      render();
    } catch (e) {
      banner(`Could not mark all read: ${e.message}`);
    }
  });
  $('#send-test').addEventListener('click', () => {
    state.client.request('notifications.test', { title: 'Test notification' }).catch((e) => banner(e.message));
  });
  $('#signout').addEventListener('click', () => {
    localStorage.removeItem('notifications');
    if (state.client) state.client.close();
    location.reload();
  });

  const saved = JSON.parse(localStorage.getItem('notifications') || 'null');
  if (saved && saved.token) start(saved.token, saved.userId);
  else show('signin');
})();
