'use strict';
// The live dashboard: joins the read-only 'dashboard' room and draws each 'stats' event.
// Charts are SVG drawn here by hand (no chart library, no CDN).
(function () {
  const HISTORY = 120; // points per chart: two minutes at one tick a second
  const REGION_COLORS = { EU: '#58a6ff', NA: '#3fb950', APAC: '#d29922', LATAM: '#a371f7', MEA: '#f85149' };
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
  const series = { time: [], in: [], out: [], p50: [], p90: [], p99: [], heap: [], committed: [], orders: {} };

  // The token: an admin's from the URL's fragment (#token=...), else a viewer's from the server.
  const fragment = new URLSearchParams(location.hash.slice(1));
  const adminToken = fragment.get('token');
  async function token() {
    if (adminToken) return adminToken;
    const response = await fetch('/api/token', { cache: 'no-store' });
    return (await response.json()).token;
  }
  function claims(jwt) {
    try {
      return JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    } catch (e) {
      return {};
    }
  }

  const fmt = (n, digits = 0) =>
    Number(n).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
  const ms = (v) => fmt(v, v < 10 ? 2 : v < 100 ? 1 : 0);
  const text = (id, value) => { const el = $(id); if (el) el.textContent = value; };

  function push(list, value) {
    list.push(value);
    if (list.length > HISTORY) list.shift();
  }

  let shownSeq = -1;

  function render(stats) {
    if (stats.seq <= shownSeq) return; // already drawn from /api/recent
    shownSeq = stats.seq;
    text('seq', String(stats.seq));
    text('updated', new Date(stats.time).toLocaleTimeString('en-GB'));
    text('reset-at', new Date(stats.resetAt).toLocaleTimeString('en-GB'));
    text('kpi-connections', fmt(stats.connections));
    text('kpi-rooms', fmt(stats.rooms));
    text('kpi-events-in', fmt(stats.eventsInPerSecond, 1));
    text('kpi-events-out', fmt(stats.eventsOutPerSecond, 1));
    text('kpi-events-in-total', fmt(stats.eventsIn));
    text('kpi-events-out-total', fmt(stats.eventsOut));
    text('kpi-latency-p50', ms(stats.latency.p50));
    text('kpi-latency-p99', ms(stats.latency.p99));
    text('kpi-latency-max', ms(stats.latency.max));
    text('kpi-heap', fmt(stats.jvm.heapUsedMb, 1));
    text('kpi-heap-max', fmt(stats.jvm.heapMaxMb, 0));
    text('kpi-gc-count', fmt(stats.jvm.gcCount));
    text('jvm-threads', fmt(stats.jvm.threads));
    text('jvm-cpu', stats.jvm.cpuLoad < 0 ? 'n/a' : fmt(stats.jvm.cpuLoad, 1) + ' %');
    text('jvm-nonheap', fmt(stats.jvm.nonHeapUsedMb, 1));
    text('jvm-gc-time', fmt(stats.jvm.gcTimeMs));
    const perSecond = Object.values(stats.orders.perSecond).reduce((a, b) => a + b, 0);
    text('kpi-orders-per-second', fmt(perSecond));
    text('kpi-orders-total', fmt(stats.orders.totalAll));
    text('kpi-revenue', money.format(stats.orders.revenue));

    push(series.time, stats.time);
    push(series.in, stats.eventsInPerSecond);
    push(series.out, stats.eventsOutPerSecond);
    push(series.p50, stats.latency.p50);
    push(series.p90, stats.latency.p90);
    push(series.p99, stats.latency.p99);
    push(series.heap, stats.jvm.heapUsedMb);
    push(series.committed, stats.jvm.heapCommittedMb);
    const regions = Object.keys(REGION_COLORS).filter((r) => r in stats.orders.perSecond);
    for (const region of regions) {
      push(series.orders[region] || (series.orders[region] = []), stats.orders.perSecond[region]);
    }

    chart($('chart-events'), [
      { values: series.in, color: '#58a6ff', area: true },
      { values: series.out, color: '#3fb950' },
    ]);
    chart($('chart-latency'), [
      { values: series.p50, color: '#58a6ff' },
      { values: series.p90, color: '#d29922' },
      { values: series.p99, color: '#f85149' },
    ], { digits: 2 });
    chart($('chart-orders'), regions.map((r) => ({ values: series.orders[r], color: REGION_COLORS[r] })));
    chart($('chart-heap'), [
      { values: series.committed, color: '#a371f7' },
      { values: series.heap, color: '#3fb950', area: true },
    ]);
    legend(regions);
    bars(stats.orders.total, regions);
    talkers(stats.talkers);
    document.body.dataset.seq = String(stats.seq);
  }

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }

  /** A line chart of one or more series over the last HISTORY points, with a nice y scale. */
  function chart(svg, lines, options = {}) {
    // Drawn in the element's own pixels, so that text keeps its size on any screen.
    const W = Math.max(200, Math.round(svg.clientWidth || 600)), H = 180, left = 44, right = 8, top = 8, bottom = 20;
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const all = lines.flatMap((l) => l.values);
    const max = niceMax(Math.max(0, ...all));
    const x = (i) => left + (i + HISTORY - lines[0].values.length) * ((W - left - right) / (HISTORY - 1));
    const y = (v) => top + (H - top - bottom) * (1 - v / max);
    for (let t = 0; t <= 4; t++) {
      const v = (max * t) / 4;
      el('line', { class: 'grid-line', x1: left, x2: W - right, y1: y(v), y2: y(v) }, svg);
      const step = max / 4;
      el('text', { class: 'axis', x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, svg).textContent =
        fmt(v, Number.isInteger(step) ? 0 : step >= 0.1 ? 1 : options.digits || 2);
    }
    const window = tick() * (HISTORY - 1);
    for (const [label, at] of [['-' + span(window), 0], ['-' + span(window / 2), HISTORY / 2], ['now', HISTORY - 1]]) {
      const px = left + at * ((W - left - right) / (HISTORY - 1));
      el('text', { class: 'axis', x: px, y: H - 4, 'text-anchor': at === 0 ? 'start' : at === HISTORY - 1 ? 'end' : 'middle' }, svg).textContent = label;
    }
    if (all.length === 0) return;
    for (const line of lines) {
      if (line.values.length === 0) continue;
      const points = line.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      if (line.area) {
        const first = x(0).toFixed(1), last = x(line.values.length - 1).toFixed(1);
        el('path', { class: 'area', fill: line.color, d: `M${first},${y(0)} L${points.join(' L')} L${last},${y(0)} Z` }, svg);
      }
      el('polyline', { class: 'series', stroke: line.color, points: points.join(' ') }, svg);
    }
  }

  /** The time between ticks, from the points seen (one second until there are two). */
  function tick() {
    const t = series.time;
    return t.length > 1 ? (t[t.length - 1] - t[0]) / (t.length - 1) : 1000;
  }

  function span(ms) {
    const s = Math.round(ms / 1000);
    return s >= 60 && s % 60 === 0 ? s / 60 + ' min' : s >= 90 ? Math.round(s / 60) + ' min' : s + ' s';
  }

  function niceMax(v) {
    if (v <= 0) return 1;
    const magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (const step of [1, 2, 2.5, 5, 10]) {
      if (v <= step * magnitude) return step * magnitude;
    }
    return 10 * magnitude;
  }

  function legend(regions) {
    const node = $('regions-legend');
    if (node.childElementCount === regions.length * 2) return;
    node.textContent = '';
    for (const r of regions) {
      const i = document.createElement('i');
      i.style.background = REGION_COLORS[r];
      node.append(i, document.createTextNode(r + ' '));
    }
  }

  function bars(totals, regions) {
    const node = $('region-totals');
    const max = Math.max(1, ...regions.map((r) => totals[r] || 0));
    node.textContent = '';
    for (const r of regions) {
      const row = document.createElement('div');
      row.className = 'bar';
      const label = document.createElement('span');
      label.textContent = r;
      const track = document.createElement('div');
      track.className = 'track';
      const fill = document.createElement('div');
      fill.className = 'fill';
      fill.style.width = ((100 * (totals[r] || 0)) / max).toFixed(1) + '%';
      fill.style.background = REGION_COLORS[r];
      track.appendChild(fill);
      const value = document.createElement('span');
      value.className = 'value';
      value.dataset.testid = 'region-total-' + r;
      value.textContent = fmt(totals[r] || 0);
      row.append(label, track, value);
      node.appendChild(row);
    }
  }

  function talkers(rooms) {
    const node = $('talkers');
    node.textContent = '';
    node.className = 'talkers';
    if (!rooms.length) {
      const p = document.createElement('p');
      p.className = 'empty';
      p.textContent = 'Nobody has said anything since the reset.';
      node.appendChild(p);
      return;
    }
    for (const room of rooms) {
      const h = document.createElement('h4');
      h.textContent = '#' + room.roomId;
      const table = document.createElement('table');
      table.className = 'talkers';
      table.dataset.testid = 'talkers-' + room.roomId;
      for (const t of room.top) {
        const tr = table.insertRow();
        tr.insertCell().textContent = t.userId;
        const count = tr.insertCell();
        count.textContent = fmt(t.events);
        tr.dataset.user = t.userId;
        tr.dataset.events = String(t.events);
      }
      node.append(h, table);
    }
  }

  function notice(message) {
    const node = $('notice');
    node.hidden = false;
    node.textContent = message;
    clearTimeout(notice.timer);
    notice.timer = setTimeout(() => { node.hidden = true; }, 8000);
  }

  function status(state, label) {
    const node = $('status');
    node.dataset.state = state;
    node.textContent = label || state;
  }

  async function main() {
    const client = Dialogue.connect(undefined, { auth: async () => ({ token: await token() }) });
    client.onStateChange((state) => status(state));
    client.onError((e) => {
      if (e.code === 'CONNECT_REFUSED') status('refused', 'refused: ' + e.message);
    });
    try {
      // The last two minutes first, so that the charts are full from the start.
      const recent = await (await fetch('/api/recent', { cache: 'no-store' })).json();
      recent.forEach(render);
    } catch (e) {
      // live numbers only
    }
    try {
      await client.connect();
    } catch (e) {
      status('refused', 'refused: ' + (e.message || e.code));
      return;
    }
    status('connected');
    const role = claims(adminToken || '').role === 'admin' ? 'admin' : 'viewer';
    const pill = $('role');
    pill.textContent = role;
    pill.classList.toggle('admin', role === 'admin');
    document.body.dataset.role = role;
    await client.join('dashboard', (room) => {
      room.on('stats', (data) => render(data));
      room.on('notice', (data) => notice(`${data.text} by ${data.by} at ${new Date(data.at).toLocaleTimeString('en-GB')}`));
    });
    const button = $('reset-button');
    if (role === 'admin') {
      button.hidden = false;
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          const result = await client.request('reset', { reason: 'from the dashboard' });
          document.body.dataset.lastReset = String(result.resetAt);
        } catch (e) {
          notice(`Reset refused: ${e.code} ${e.message}`);
        } finally {
          button.disabled = false;
        }
      });
    }
    window.dashboard = { client };
    document.body.dataset.ready = 'true';
  }

  main();
})();
