// console-data.js — the secretary console's data layer.
//
// It gives the console one small interface, whatever carries the data:
//
//   const src = await openMeeting(id, {onChange, onEvent, onStatus});
//   src.state            the meeting as the secretary may see it (meeting.View)
//   src.command(name, data) → Promise<{seq}> (rejects with an ApiError)
//   src.close()
//
// The live path uses the shared WebSocket client (live.js, folding events
// through the domain's Apply compiled to WebAssembly). When live.js cannot
// be loaded or connect (an old browser without WebAssembly, a proxy that
// drops WebSockets), the console falls back to REST: it polls the event log
// (GET /api/meetings/:id/events?after=) and re-reads the state when
// something changed, and sends commands with POST /api/meetings/:id/commands.
// Either way the console renders from the state (support requests and the
// presented page included); onEvent is only a hint.

// ApiError is the server's error shape: kind, message (Vietnamese),
// message_en, problems [{row, field, message, message_en}], and the HTTP
// status when it came over REST.
export class ApiError extends Error {
  constructor(body, status) {
    super((body && (body.message_en || body.message)) || 'error');
    this.kind = (body && body.kind) || 'internal';
    this.vi = (body && body.message) || 'Đã xảy ra lỗi.';
    this.en = (body && body.message_en) || 'An error occurred.';
    this.problems = (body && body.problems) || [];
    this.status = status || 0;
    this.body = body || {};
  }
}

// networkError is what a failed fetch becomes.
function networkError(err) {
  return new ApiError({kind: 'internal', message: 'Không kết nối được máy chủ. Vui lòng thử lại.',
    message_en: 'Cannot reach the server. Please try again. (' + (err && err.message) + ')'}, 0);
}

// request sends a REST call. body: undefined, a plain object (JSON), a
// string (sent with the given contentType) or FormData. Resolves with the
// parsed JSON (or null for 204), rejects with an ApiError.
export async function request(method, path, body, contentType) {
  const opts = {method, credentials: 'same-origin', headers: {Accept: 'application/json'}};
  if (body instanceof FormData) {
    opts.body = body;
  } else if (typeof body === 'string' || body instanceof Blob) {
    opts.body = body;
    opts.headers['Content-Type'] = contentType || 'text/plain; charset=utf-8';
  } else if (body !== undefined) {
    opts.body = JSON.stringify(body);
    opts.headers['Content-Type'] = 'application/json';
  }
  let resp;
  try {
    resp = await fetch(path, opts);
  } catch (err) {
    throw networkError(err);
  }
  if (resp.status === 204) return null;
  const text = await resp.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!resp.ok) {
    if (data && data.kind) throw new ApiError(data, resp.status);
    if (resp.status === 404) {
      throw new ApiError({kind: 'not_found', message: 'Chức năng này chưa có trên máy chủ.', message_en: 'Not available on this server.'}, 404);
    }
    throw new ApiError({kind: 'internal', message: `Máy chủ trả lời lỗi ${resp.status}.`, message_en: `The server answered ${resp.status}.`}, resp.status);
  }
  return data;
}

export const api = {
  get: (p) => request('GET', p),
  post: (p, b) => request('POST', p, b === undefined ? {} : b),
  patch: (p, b) => request('PATCH', p, b),
  del: (p) => request('DELETE', p),
};

const enc = encodeURIComponent;

// meetingPath returns /api/meetings/<id><rest>.
export function meetingPath(id, rest) { return '/api/meetings/' + enc(id) + (rest || ''); }

// openMeeting connects to meeting id: live (live.js + the wasm kernel)
// when it syncs within a few seconds, else REST polling.
export async function openMeeting(id, hooks) {
  try {
    const src = await LiveSource.start(id, hooks);
    if (src) return src;
  } catch (err) {
    console.warn('console: live connection unavailable, using REST polling', err);
  }
  return RestSource.start(id, hooks);
}

// LiveSource adapts live.js (the shared WebSocket client whose replica is
// folded by meeting.Apply compiled to WebAssembly) to the console.
class LiveSource {
  static async start(id, hooks) {
    const [{Live}, {loadKernel}] = await Promise.all([import('./live.js'), import('./kernel.js')]);
    const kernel = await loadKernel();
    const src = new LiveSource();
    src.kind = 'live';
    src.id = id;
    src.kernel = kernel;
    src.state = null;
    let ready;
    const first = new Promise((res) => { ready = res; });
    src.live = new Live({
      meeting: id,
      kernel,
      onChange: (st) => { src.state = st; if (src.live.synced) ready(true); hooks.onChange && hooks.onChange(st); },
      onEvent: (ev) => { hooks.onEvent && hooks.onEvent(ev); },
      // Ready once the replica is live: live.state is set by the first
      // onChange after 'synced' (the status comes a frame earlier).
      onStatus: (s) => { if (s === 'ended') ready(false); hooks.onStatus && hooks.onStatus(s); },
      onEnded: () => { hooks.onEnded && hooks.onEnded(); },
    });
    src.live.start();
    // Do not wait forever for a socket that never syncs: REST takes over.
    const ok = await Promise.race([first, new Promise((r) => setTimeout(() => r(false), 8000))]);
    if (!ok || !src.live.state) { src.live.stop(); return null; }
    src.state = src.live.state;
    return src;
  }

  // now is the server's clock (ms), for countdowns.
  now() { return this.live.serverNow(); }

  // quorum and speech come from the kernel: the domain's own rules.
  quorum() { try { return this.kernel.quorum(); } catch { return null; } }
  speech(nowMs) { try { return this.kernel.speech(nowMs); } catch { return null; } }

  async command(name, data) {
    try {
      return (await this.live.command(name, data || {})) || {};
    } catch (err) {
      throw toApiError(err);
    }
  }

  close() { this.live.stop(); }
}

// toApiError turns live.js/api.js errors (message_vi, message_en) into this
// module's ApiError.
export function toApiError(err) {
  if (err instanceof ApiError) return err;
  if (err && (err.kind || err.message_en || err.message_vi)) {
    return new ApiError({kind: err.kind === 'network' ? 'internal' : err.kind, message: err.message_vi || err.message, message_en: err.message_en || err.message, problems: err.problems}, err.status || 0);
  }
  return networkError(err);
}

// RestSource polls the event log and re-reads the state when it moved.
class RestSource {
  static async start(id, hooks) {
    const src = new RestSource();
    src.kind = 'rest';
    src.id = id;
    src.hooks = hooks;
    src.after = 0;
    src.closed = false;
    src.state = await api.get(meetingPath(id));
    src.after = src.state.seq || 0;
    hooks.onChange && hooks.onChange(src.state);
    hooks.onStatus && hooks.onStatus('rest');
    src.loop();
    return src;
  }

  // drainEvents reads the log from after; reports whether anything came.
  async drainEvents(notify) {
    let moved = false;
    for (;;) {
      const page = await api.get(meetingPath(this.id, '/events?after=' + this.after + '&limit=1000'));
      const evs = (page && page.events) || [];
      for (const ev of evs) {
        this.after = ev.seq;
        moved = true;
        if (notify && this.hooks.onEvent) this.hooks.onEvent(ev);
      }
      if (evs.length < 1000) break;
    }
    return moved;
  }

  async refresh() {
    if (await this.drainEvents(true)) {
      this.state = await api.get(meetingPath(this.id));
      this.hooks.onChange && this.hooks.onChange(this.state);
    }
  }

  loop() {
    if (this.closed) return;
    this.timer = setTimeout(async () => {
      try {
        await this.refresh();
        this.hooks.onStatus && this.hooks.onStatus('rest');
      } catch (err) {
        this.hooks.onStatus && this.hooks.onStatus('offline');
      }
      this.loop();
    }, 1500);
  }

  async command(name, data) {
    const res = await api.post(meetingPath(this.id, '/commands'), {name, data: data || {}});
    try { await this.refresh(); } catch { /* the next poll will */ }
    return res || {};
  }

  now() { return Date.now(); }
  quorum() { return null; }
  speech() { return null; }

  close() { this.closed = true; clearTimeout(this.timer); }
}
