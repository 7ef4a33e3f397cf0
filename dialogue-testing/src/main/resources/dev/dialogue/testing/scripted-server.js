// A scripted stand-in for the server, installed as window.WebSocket, for what the real server does
// not do on demand: recovery with missed events (and overlaps), silent heartbeats, unanswered
// requests. It speaks the same Engine.IO / Socket.IO text frames as the real one.
(() => {
  const server = (window.scripted = {
    sockets: [],
    requests: [], // [event, payload] in arrival order, across connections
    pingInterval: 100000,
    pingTimeout: 100000,
    // event name -> function(payload, connectionIndex) returning the ack body, or undefined to stay silent
    answers: {},
    live(socket, envelope) {
      socket.receive('42' + JSON.stringify(['dialogue:event', envelope]));
    },
    dropLatest() {
      server.sockets[server.sockets.length - 1].serverClose();
    },
  });

  class ScriptedSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.index = server.sockets.length;
      server.sockets.push(this);
      setTimeout(() => {
        this.readyState = 1;
        this.receive('0' + JSON.stringify({sid: 's' + this.index, upgrades: [], pingInterval: server.pingInterval, pingTimeout: server.pingTimeout}));
      }, 0);
    }

    send(text) {
      if (this.readyState !== 1) throw new Error('not open');
      this.sent.push(text);
      // Replies go out after the current task, as from a network.
      const reply = (frame) => setTimeout(() => this.receive(frame), 0);
      if (text.startsWith('40')) {
        this.auth = JSON.parse(text.slice(2) || '{}');
        reply('40{"sid":"n' + this.index + '"}');
        reply('42' + JSON.stringify(['dialogue:connected', {clientId: 'c' + this.index, userId: this.auth.userId}]));
      } else if (text.startsWith('42')) {
        const m = /^42(\d+)(.*)$/.exec(text);
        const [event, payload] = JSON.parse(m[2]);
        server.requests.push([event, payload]);
        const answer = server.answers[event] ? server.answers[event](payload, this.index) : {};
        if (answer !== undefined) reply('43' + m[1] + JSON.stringify([{ok: true, ...answer}]));
      }
    }

    receive(text) {
      if (this.readyState === 1 && this.onmessage) this.onmessage({data: text});
    }

    close() {
      if (this.readyState === 3) return;
      this.readyState = 3;
      setTimeout(() => this.onclose && this.onclose({}), 0);
    }

    serverClose() {
      this.close();
    }
  }
  ScriptedSocket.OPEN = 1;
  window.WebSocket = ScriptedSocket;
})();
