// live.js — the live connection to a meeting (docs/protocol.md) and the
// replica folded by the WebAssembly kernel (kernel.js).
//
//   const live = new Live({ meeting, kernel, onChange, onStatus, onEnded, onEvent, onHidden, onSynced, onReplaced })
//     onChange(state, live)   the replica changed; called at most once per
//                             animation frame (coalesced re-render)
//     onStatus(status, live)  'connecting' | 'online' | 'reconnecting' | 'offline' | 'ended'
//                             | 'replaced'
//     onEnded(code, reason)   the session ended (close 4001): pair or log in again
//     onReplaced(live)        the meeting was opened in another tab or device with
//                             this session (close 4009): the Live has stopped and
//                             does not reconnect by itself (it would close the
//                             newer socket, which would reconnect in turn, for
//                             ever); live.takeBack() reconnects. By default the
//                             dialog of elsewhere.js says so and offers it.
//     onEvent(event, live)    every folded event (after Apply), e.g. to react to
//                             document.presented or a new notice
//     onHidden(event, live)   an event outside this viewer's audience (its
//                             content-free placeholder, folded); the hall screen
//                             then asks whether a document it may not show is
//                             being presented
//     onSynced(live)          the replica is live again (after every (re)connect)
//   live.start() / live.stop()
//   live.takeBack()          reconnect after 'replaced' (the other tab or device
//                            is closed with 4009 in turn)
//   live.state               the last replica (object) or null before the first snapshot
//   live.viewer              {participant, role} from the welcome
//   live.status              the current status
//   live.synced              true once the replica is live (after 'synced')
//   live.serverNow()         ms since epoch on the server's clock (offset from
//                            welcome.server_time of the current connection)
//   live.command(name, data) → Promise<result> (result.ok true; rejects with an
//                            ApiError-shaped error on !ok, or kind "network"
//                            when not connected)
//   live.castBallot(poll, ballot) → Promise<{status:'recorded'}> — sent with a
//                            random idempotency key and re-sent after every
//                            reconnect until the server answers; resolves only
//                            on the durable acknowledgement. Rejects on a
//                            refusal (e.g. conflict: already voted, or
//                            status 'not_counted' after the close).
//   live.ping()              send a ping now
//   live.resyncs             how many times an event failed to fold and the
//                            replica was rebuilt from a snapshot (should be 0)
//
// Reconnects with full-jitter exponential backoff (250 ms doubling to 10 s),
// sending since/epoch so the server replays or sends a snapshot; a failed
// Apply forces a fresh snapshot (since 0). Goes 'offline' on the browser's
// offline event and reconnects at once on 'online'. Sends a ping every 15 s and
// drops a connection silent for 45 s. Close codes (docs/protocol.md): 4001 ends
// the Live (onEnded), 4009 stops it until takeBack (onReplaced), 4002 asks for
// a fresh snapshot; any other code is retried.
import { ApiError } from './api.js';
import { openedElsewhere } from './elsewhere.js';

const BASE_MS = 250, CAP_MS = 10000, PING_MS = 15000, DEAD_MS = 45000, COMMAND_TIMEOUT_MS = 20000;

function randomKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export class Live {
  constructor({ meeting, kernel, onChange, onStatus, onEnded, onEvent, onHidden, onSynced, onReplaced }) {
    Object.assign(this, { meeting, kernel });
    this.onChange = onChange || (() => {});
    this.onStatus = onStatus || (() => {});
    this.onEnded = onEnded || (() => {});
    this.onEvent = onEvent || (() => {});
    this.onHidden = onHidden || (() => {});
    this.onSynced = onSynced || (() => {});
    this.onReplaced = onReplaced || ((live) => { live.closeNotice = openedElsewhere(() => live.takeBack()); });
    this.closeNotice = null; // removes the 'replaced' dialog, if shown
    this.ws = null;
    this.epoch = '';
    this.haveState = false;
    this.state = null;
    this.viewer = null;
    this.status = 'connecting';
    this.synced = false;
    this.offset = 0; // server clock - local clock, ms
    this.attempt = 0;
    this.stopped = true;
    this.nextID = 1;
    this.pending = new Map(); // id → {resolve, reject, timer}
    this.ballots = new Map(); // poll → {key, ballot, id, resolve, reject}
    this.frame = 0;
    this.lastHeard = 0;
    this.resyncs = 0; // replicas dropped because an event did not fold (should stay 0)
    this.onOnline = () => { if (!this.stopped) { this.attempt = 0; this.connectSoon(0); } };
    this.onOffline = () => { if (!this.stopped) { this.setStatus('offline'); this.drop(); } };
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.pinger = setInterval(() => this.tick(), PING_MS);
    if (navigator.onLine === false) this.setStatus('offline');
    else this.connect();
  }

  stop() {
    if (this.closeNotice) { this.closeNotice(); this.closeNotice = null; }
    this.halt();
    this.drop(1000);
  }

  // halt stops reconnecting and pinging, keeping the replica.
  halt() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    clearInterval(this.pinger);
    clearTimeout(this.retry);
  }

  // takeBack reconnects after 'replaced': the server then closes the other
  // tab's or device's socket (4009), which stops there in turn.
  takeBack() {
    if (this.closeNotice) { this.closeNotice(); this.closeNotice = null; }
    if (this.status !== 'replaced' || !this.stopped) return;
    this.attempt = 0;
    this.start();
  }

  serverNow() { return Date.now() + this.offset; }

  setStatus(s) {
    if (this.status === s) return;
    this.status = s;
    this.onStatus(s, this);
  }

  connect() {
    clearTimeout(this.retry);
    if (this.stopped || this.ws) return;
    this.setStatus(this.attempt === 0 && !this.haveState ? 'connecting' : 'reconnecting');
    const q = new URLSearchParams({ meeting: this.meeting });
    if (this.haveState && this.epoch) {
      q.set('since', String(this.kernel.seq()));
      q.set('epoch', this.epoch);
    }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    let ws;
    try {
      ws = new WebSocket(`${scheme}://${location.host}/ws?${q}`);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.synced = false;
    let welcomed = false;
    ws.onmessage = (m) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      welcomed = true;
      for (const line of String(m.data).split('\n')) {
        if (!line.trim()) continue;
        let msg;
        try { msg = JSON.parse(line); } catch { continue; }
        this.handle(msg);
        if (this.ws !== ws) return; // handle() dropped the connection
      }
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.synced = false;
      this.failPending();
      if (this.stopped) return;
      if (ev.code === 4001) {
        this.stopped = true;
        this.setStatus('ended');
        this.onEnded(ev.code, ev.reason);
        return;
      }
      if (ev.code === 4009) {
        // The session opened one socket more than the server allows, in
        // another tab or device, and this, the oldest, was closed. Do not
        // reconnect: that would close the newer one, whose page would
        // reconnect in turn. Stop until the person takes the meeting back.
        this.halt();
        this.setStatus('replaced');
        this.onReplaced(this);
        return;
      }
      if (ev.code === 4002) this.haveState = false; // role changed: fresh snapshot
      if (navigator.onLine === false) { this.setStatus('offline'); return; }
      if (!welcomed && this.attempt >= 2) {
        // Refused before the welcome, again: a session that ended (401) does not
        // come back by retrying.
        this.checkSession();
      }
      this.scheduleReconnect();
    };
  }

  async checkSession() {
    try {
      const r = await fetch('/api/me', { credentials: 'same-origin' });
      if (r.status === 401 && !this.stopped) {
        this.stop();
        this.setStatus('ended');
        this.onEnded(401, 'unauthorized');
      }
    } catch { /* network: keep retrying */ }
  }

  connectSoon(ms) {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.connect(), ms);
  }

  scheduleReconnect() {
    this.setStatus('reconnecting');
    const ceil = Math.min(CAP_MS, BASE_MS * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 16);
    this.connectSoon(Math.random() * ceil);
  }

  // drop closes the current connection without waiting for the close frame.
  drop(code = 4000) {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    this.synced = false;
    try { ws.close(code === 1000 ? 1000 : 4000); } catch { /* already closed */ }
    this.failPending();
  }

  tick() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.lastHeard && Date.now() - this.lastHeard > DEAD_MS) {
      this.drop();
      this.scheduleReconnect();
      return;
    }
    this.ping();
  }

  ping() {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.pingSent = Date.now();
      this.ws.send(JSON.stringify({ type: 'ping', id: 'p' + this.nextID++ }));
    }
  }

  handle(msg) {
    switch (msg.type) {
      case 'welcome':
        this.viewer = msg.viewer;
        if (msg.server_time) this.offset = Date.parse(msg.server_time) - Date.now();
        if (this.epoch && msg.epoch !== this.epoch) this.haveState = false;
        this.epoch = msg.epoch;
        break;
      case 'snapshot': {
        const err = this.kernel.load(msg.state);
        if (err) { this.resync(); return; }
        this.epoch = msg.epoch || this.epoch;
        this.haveState = true;
        this.changed();
        break;
      }
      case 'event': {
        const err = this.kernel.apply(msg.event);
        if (err) { this.resync(); return; }
        this.changed();
        if (msg.event.type !== 'hidden') this.onEvent(msg.event, this);
        else this.onHidden(msg.event, this);
        break;
      }
      case 'synced':
        this.synced = true;
        this.attempt = 0;
        this.setStatus('online');
        this.resendBallots();
        this.changed();
        this.onSynced(this);
        break;
      case 'result':
        this.result(msg);
        break;
      case 'error': {
        const p = msg.id && this.pending.get(msg.id);
        if (p) this.settle(msg.id, false, msg.error || {});
        break;
      }
      case 'pong':
        break;
    }
  }

  // resync drops the replica and reconnects for a snapshot: an event did not
  // fold (a lost event or a corrupt replica).
  resync() {
    this.resyncs++;
    this.haveState = false;
    this.drop();
    this.connectSoon(0);
  }

  changed() {
    if (this.frame) return;
    const run = () => {
      if (!this.frame) return;
      cancelAnimationFrame(this.frame.raf);
      clearTimeout(this.frame.timer);
      this.frame = 0;
      if (!this.haveState) return;
      this.state = this.kernel.state();
      this.onChange(this.state, this);
    };
    // requestAnimationFrame coalesces; the timer covers hidden tabs, where
    // frames do not run.
    this.frame = { raf: requestAnimationFrame(run), timer: setTimeout(run, 200) };
  }

  send(obj) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || !this.synced) return false;
    this.ws.send(JSON.stringify(obj));
    return true;
  }

  command(name, data = {}) {
    return new Promise((resolve, reject) => {
      const id = 'c' + this.nextID++;
      if (!this.send({ type: 'command', id, name, data })) {
        reject(new ApiError(0, { kind: 'network', message: 'Mất kết nối với máy chủ, hãy thử lại.', message_en: 'not connected to the server; try again' }));
        return;
      }
      const timer = setTimeout(() => this.settle(id, false, { kind: 'network', message: 'Máy chủ không trả lời.', message_en: 'the server did not answer' }), COMMAND_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  result(msg) {
    if (!this.pending.has(msg.id)) return;
    this.settle(msg.id, msg.ok, msg.ok ? msg : { ...(msg.error || {}), status: msg.status });
  }

  settle(id, ok, payload) {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (ok) p.resolve(payload);
    else {
      const e = new ApiError(payload.kind === 'network' ? 0 : 400, payload);
      e.status_text = payload.status;
      p.reject(e);
    }
  }

  // failPending rejects the commands in flight on a lost connection. Ballots
  // are not rejected: they are re-sent after the reconnect.
  failPending() {
    for (const id of [...this.pending.keys()]) {
      if (this.ballotByID(id)) { const p = this.pending.get(id); clearTimeout(p.timer); this.pending.delete(id); continue; }
      this.settle(id, false, { kind: 'network', message: 'Mất kết nối với máy chủ, hãy thử lại.', message_en: 'connection lost; try again' });
    }
  }

  ballotByID(id) {
    for (const b of this.ballots.values()) if (b.id === id) return b;
    return null;
  }

  castBallot(poll, ballot) {
    const prev = this.ballots.get(poll);
    if (prev) return prev.promise;
    const b = { key: randomKey(), ballot, id: '' };
    b.promise = new Promise((resolve, reject) => { b.resolve = resolve; b.reject = reject; });
    this.ballots.set(poll, b);
    this.sendBallot(poll, b);
    return b.promise;
  }

  sendBallot(poll, b) {
    const id = 'b' + this.nextID++;
    b.id = id;
    if (!this.send({ type: 'command', id, name: 'ballot.cast', data: { poll, key: b.key, ballot: b.ballot } })) return; // re-sent on 'synced'
    const timer = setTimeout(() => {
      // No answer: the connection is probably dead; resend on this one too.
      if (this.pending.get(id)) { this.pending.delete(id); this.sendBallot(poll, b); }
    }, COMMAND_TIMEOUT_MS);
    this.pending.set(id, {
      timer,
      resolve: (res) => { this.ballots.delete(poll); b.resolve({ status: res.status || 'recorded', key: b.key }); },
      reject: (err) => {
        if (err.kind === 'network') return; // re-sent after the reconnect
        this.ballots.delete(poll);
        b.reject(err);
      },
    });
  }

  resendBallots() {
    for (const [poll, b] of this.ballots) if (!this.pending.has(b.id)) this.sendBallot(poll, b);
  }

  // pendingBallot reports whether a ballot for poll is sent but not yet acknowledged.
  pendingBallot(poll) { return this.ballots.has(poll); }
}
