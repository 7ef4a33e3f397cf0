'use strict';
// Four in a Row on dialogue.js: the lobby room, the match commands, the match room's events.
// The server holds the game; this page only shows the state it sends and asks for moves.
(() => {
  const ROWS = 6;
  const COLUMNS = 7;
  const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };
  const show = (id) => {
    for (const s of ['signin', 'lobby', 'match']) document.getElementById(s).hidden = s !== id;
  };

  let client = null;
  let matchRoom = null;
  let state = null;
  let shownBoard = null; // the board as drawn, to animate new discs only
  let shownKey = '';
  let deadline = 0; // performance.now() at which the turn's clock runs out, 0 if not running
  let lobbyVersion = -1;
  let toastTimer = 0;

  // ---- sign-in: a nickname and a random session secret, kept for this tab ----

  function identity() {
    const name = sessionStorage.getItem('game.name');
    let session = sessionStorage.getItem('game.session');
    if (!session) {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      session = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      sessionStorage.setItem('game.session', session);
    }
    return name ? { name, session } : null;
  }

  document.getElementById('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $('nickname').value.trim();
    if (!name) return;
    sessionStorage.setItem('game.name', name);
    start();
  });

  async function start() {
    const who = identity();
    if (!who) {
      show('signin');
      $('nickname').focus();
      return;
    }
    $('me').hidden = false;
    $('me').textContent = `Signed in as ${who.name}`;
    client = Dialogue.connect(undefined, { auth: () => identity() });
    client.onStateChange((s) => {
      const banner = $('connection');
      banner.hidden = s === 'connected';
      banner.textContent = s === 'reconnecting' ? 'Connection lost, reconnecting…' : s === 'connecting' ? 'Connecting…' : s;
      if (state && matchRoom) render(state, true);
    });
    // The server puts this connection in its match rooms (after a command, or after a reload).
    client.onJoined((room) => {
      if (room.id.startsWith('match-')) openMatch(room);
    });
    client.onLeft((room) => {
      if (matchRoom && room.id === matchRoom.id) backToLobby();
    });
    try {
      await client.connect();
    } catch (e) {
      sessionStorage.removeItem('game.name');
      show('signin');
      $('signin-error').hidden = false;
      $('signin-error').textContent = e.message;
      return;
    }
    await client.join('lobby', (room) => room.on('matches', renderLobby));
    renderLobby(await client.request('lobby'));
    if (!matchRoom) show('lobby');
  }

  // ---- lobby ----

  function renderLobby(lobby) {
    if (lobby.version < lobbyVersion) return; // an older list than the one shown
    lobbyVersion = lobby.version;
    const list = $('lobby-list');
    list.replaceChildren();
    for (const m of lobby.matches) {
      const li = el('li');
      li.dataset.testid = 'lobby-match';
      li.dataset.code = m.code;
      li.dataset.status = m.status;
      const info = el('div');
      info.append(el('div', 'who', m.players.join(' vs ') || '—'));
      const meta = el('div', 'meta');
      const pill = el('span', `pill ${m.status}`, m.status === 'waiting' ? 'waiting for a player' : 'playing');
      meta.append(pill, ` · code ${m.code}${m.spectators ? ` · ${m.spectators} watching` : ''}`);
      info.append(meta);
      const act = el('div', 'row');
      act.style.marginTop = '0';
      if (m.status === 'waiting') {
        const join = el('button', 'primary', 'Join');
        join.dataset.testid = 'lobby-join';
        join.onclick = () => command('match.join', { code: m.code, watch: false });
        act.append(join);
      }
      const watch = el('button', '', 'Watch');
      watch.dataset.testid = 'lobby-watch';
      watch.onclick = () => command('match.join', { code: m.code, watch: true });
      act.append(watch);
      li.append(info, act);
      list.append(li);
    }
    $('lobby-empty').hidden = lobby.matches.length > 0;
  }

  async function command(name, data) {
    $('lobby-error').hidden = true;
    try {
      return await client.request(name, data);
    } catch (e) {
      $('lobby-error').hidden = false;
      $('lobby-error').textContent = e.message;
      return null;
    }
  }

  $('quick-match').onclick = () => command('match.quick');
  $('create-public').onclick = () => command('match.create', { privateMatch: false });
  $('create-private').onclick = () => command('match.create', { privateMatch: true });
  document.getElementById('code-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const code = $('join-code').value.trim().toUpperCase();
    if (code) command('match.join', { code, watch: false });
  });
  $('watch-button').onclick = () => {
    const code = $('join-code').value.trim().toUpperCase();
    if (code) command('match.join', { code, watch: true });
  };

  // ---- a match ----

  function openMatch(room) {
    matchRoom = room;
    state = null;
    shownBoard = null;
    shownKey = '';
    $('notices').replaceChildren();
    buildBoard();
    room.on('state', (s) => render(s));
    const seen = new Set();
    room.on('notice', (n, event) => {
      if (!seen.has(event.id)) { seen.add(event.id); notice(n.text); }
    });
    room.onRemoved(() => backToLobby());
    show('match');
    // What was said before this page joined (a spectator, a reload): the room's recent notices.
    room.getHistory('notice', 0, 20).then((page) => {
      if (matchRoom !== room) return;
      const first = $('notices').firstChild;
      for (const event of page.events.slice().reverse()) {
        if (seen.has(event.id)) continue;
        seen.add(event.id);
        $('notices').insertBefore(el('li', 'past', event.data.text), first);
      }
    }).catch(() => { /* only the live ones then */ });
  }

  function backToLobby() {
    matchRoom = null;
    state = null;
    deadline = 0;
    show('lobby');
  }

  async function leaveMatch() {
    const room = matchRoom;
    backToLobby();
    if (room) {
      try { await room.leave(); } catch (e) { /* gone already */ }
    }
  }

  function buildBoard() {
    const board = document.getElementById('board');
    board.replaceChildren();
    for (let c = 0; c < COLUMNS; c++) {
      const col = el('div', 'col');
      col.dataset.testid = `column-${c}`;
      col.dataset.column = c;
      col.append(el('div', 'ghost'));
      for (let r = 0; r < ROWS; r++) {
        const cell = el('div', 'cell');
        cell.dataset.testid = `cell-${r}-${c}`;
        cell.dataset.seat = '0';
        col.append(cell);
      }
      col.addEventListener('click', () => move(c));
      board.append(col);
    }
  }

  function mySeat() {
    if (!state) return 0;
    const me = state.players.find((p) => p.userId === client.userId);
    return me ? me.seat : 0;
  }

  async function move(column) {
    if (!state || state.status !== 'playing' || state.turn !== mySeat()) return;
    try {
      await matchRoom.request('move', { column });
    } catch (e) {
      toast(e.message);
    }
  }

  function render(s, again) {
    if (!again && state && s.matchId === state.matchId && s.version <= state.version) return;
    const online = client.state === 'connected';
    const previous = state && state.matchId === s.matchId && state.game === s.game ? state : null;
    state = s;
    if (!again && s.lastMove && (!previous || previous.moveNumber < s.moveNumber)) {
      const who = s.players.find((p) => p.seat === s.lastMove.seat);
      notice(`${who ? who.name : '?'} played column ${s.lastMove.column + 1}`, `s${s.lastMove.seat}`);
    }
    const seat = mySeat();
    const names = {};
    for (const p of s.players) names[p.seat] = p;
    for (const n of [1, 2]) {
      const box = $(`player-${n}`);
      box.replaceChildren();
      box.classList.toggle('turn', s.status === 'playing' && s.turn === n);
      const p = names[n];
      const dot = el('span', 'dot');
      const label = el('span', '', p ? p.name : 'waiting…');
      if (!p) label.className = 'muted';
      const parts = n === 1 ? [dot, label] : [label, dot];
      if (p && p.seat === seat) parts.splice(n === 1 ? 2 : 0, 0, el('span', 'you', '(you)'));
      if (p && p.away) {
        const away = el('span', 'away', p.awayUntil ? 'reconnecting…' : 'left');
        away.dataset.testid = `away-${n}`;
        parts.splice(n === 1 ? parts.length : 0, 0, away);
      }
      box.append(...parts);
    }
    $('match-code').textContent = s.code;
    $('match-kind').textContent = s.privateMatch ? 'private' : 'public';
    $('spectating').hidden = seat !== 0;
    $('spectators').textContent = s.spectators ? `${s.spectators} watching` : '';
    $('add-bot').hidden = !(seat && s.status === 'waiting');
    $('resign').hidden = !(seat && s.status === 'playing');

    // The clock: what is left of the turn, counted down here from when the state arrived.
    if (!again) {
      deadline = s.status === 'playing' && s.turnEndsAt > 0 ? performance.now() + s.turnMillisLeft : 0;
    }
    tick();

    const status = $('status');
    status.classList.toggle('mine', online && s.status === 'playing' && s.turn === seat);
    if (s.status === 'waiting') {
      status.textContent = s.privateMatch
        ? `Waiting for an opponent: share the code ${s.code}`
        : 'Waiting for an opponent…';
    } else if (s.status === 'playing') {
      const mover = names[s.turn];
      if (!online) status.textContent = seat ? 'Reconnecting… your seat is kept' : 'Reconnecting…';
      else if (mover && mover.away) status.textContent = `${mover.name} lost the connection: clock paused`;
      else if (seat === s.turn) status.textContent = 'Your turn: pick a column';
      else status.textContent = `${mover ? mover.name : '?'} is thinking…`;
    } else {
      status.textContent = 'Game over';
    }

    drawBoard(s);
    const board = document.getElementById('board');
    board.classList.toggle('can-move', online && s.status === 'playing' && seat !== 0 && s.turn === seat);
    board.classList.toggle('me1', seat === 1);
    board.classList.toggle('me2', seat === 2);
    board.dataset.status = s.status;
    board.parentElement.classList.toggle('over', s.status === 'over');
    board.dataset.turn = s.turn;
    board.dataset.moves = s.moveNumber;
    renderResult(s, seat, names);
  }

  function drawBoard(s) {
    const key = `${s.matchId}/${s.game}`;
    const fresh = shownKey !== key;
    shownKey = key;
    const animateLast = !fresh || s.moveNumber === 1;
    for (let c = 0; c < COLUMNS; c++) {
      const col = document.querySelector(`[data-testid="column-${c}"]`);
      col.classList.toggle('open', s.board[0][c] === 0);
      for (let r = 0; r < ROWS; r++) {
        const v = s.board[r][c];
        const before = shownBoard && !fresh ? shownBoard[r][c] : 0;
        const cell = document.querySelector(`[data-testid="cell-${r}-${c}"]`);
        if (v === 0) {
          cell.replaceChildren();
          cell.dataset.seat = '0';
          continue;
        }
        if (cell.dataset.seat === String(v) && before === v) continue;
        const disc = el('div', `disc s${v}`);
        const isLast = s.lastMove && s.lastMove.row === r && s.lastMove.column === c;
        if (before === 0 && isLast && animateLast) {
          disc.classList.add('drop');
          disc.style.setProperty('--from', `calc(-${r + 1} * var(--cell) - 10px)`);
          disc.style.setProperty('--t', `${0.18 + 0.07 * r}s`);
        }
        cell.replaceChildren(disc);
        cell.dataset.seat = String(v);
      }
    }
    shownBoard = s.board.map((row) => row.slice());
    if (s.result && s.result.line) {
      for (const [r, c] of s.result.line) {
        const d = document.querySelector(`[data-testid="cell-${r}-${c}"] .disc`);
        if (d) d.classList.add('win');
      }
    }
  }

  const REASONS = {
    four: 'four in a row',
    draw: 'the board is full',
    timeout: 'ran out of time',
    forfeit: 'did not come back in time',
    resigned: 'resigned or left',
  };

  function renderResult(s, seat, names) {
    const box = $('result');
    if (s.status !== 'over' || !s.result) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const title = $('result-title');
    const w = s.result.winner;
    title.className = 'result-title';
    if (w === 0) title.textContent = 'A draw!';
    else if (seat === 0) title.textContent = `${names[w] ? names[w].name : '?'} wins`;
    else if (w === seat) { title.textContent = 'You win!'; title.classList.add('win'); }
    else { title.textContent = 'You lose'; title.classList.add('lose'); }
    const loser = w === 1 ? names[2] : names[1];
    const why = REASONS[s.result.reason] || s.result.reason;
    $('result-reason').textContent =
      s.result.reason === 'four' || s.result.reason === 'draw' ? why : `${loser ? loser.name : '?'} ${why}`;
    const me = names[seat];
    const other = seat ? names[seat === 1 ? 2 : 1] : null;
    const rematch = $('rematch');
    rematch.hidden = seat === 0;
    rematch.disabled = !!(me && me.rematch) || !other || (other.away && !other.awayUntil);
    let text = '';
    if (other && other.away && !other.awayUntil) text = `${other.name} left the match.`;
    else if (me && me.rematch) text = `Waiting for ${other ? other.name : 'your opponent'}…`;
    else if (other && other.rematch) text = `${other.name} wants a rematch!`;
    $('rematch-status').textContent = text;
  }

  function tick() {
    const clock = $('clock');
    if (!state || state.status !== 'playing') {
      clock.textContent = '';
      clock.classList.remove('low');
      return;
    }
    if (!deadline || client.state !== 'connected') {
      clock.textContent = 'paused';
      clock.classList.remove('low');
      clock.classList.add('paused');
      return;
    }
    const left = Math.max(0, deadline - performance.now());
    const secs = Math.ceil(left / 1000);
    clock.classList.remove('paused');
    clock.textContent = `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, '0')}`;
    clock.classList.toggle('low', secs <= 10);
  }
  setInterval(tick, 250);

  function notice(text, cls) {
    const list = $('notices');
    list.append(el('li', cls || '', text));
    while (list.children.length > 30) list.firstChild.remove();
    list.scrollTop = list.scrollHeight;
  }

  function toast(text) {
    const t = $('error');
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, 2500);
  }

  $('add-bot').onclick = async () => {
    if (!state) return;
    try { await client.request('match.bot', { matchId: state.matchId }); } catch (e) { toast(e.message); }
  };
  $('resign').onclick = async () => {
    try { await matchRoom.request('resign'); } catch (e) { toast(e.message); }
  };
  $('rematch').onclick = async () => {
    try { await matchRoom.request('rematch'); } catch (e) { toast(e.message); }
  };
  $('leave').onclick = leaveMatch;
  $('leave-result').onclick = leaveMatch;

  start();
})();
