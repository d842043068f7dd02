// kernel.js — the domain core (server/meeting, compiled to WebAssembly by
// scripts/build-wasm.sh) in the browser. The replica is folded with the very
// meeting.Apply the server runs; nothing of the rules is re-implemented here.
//
//   await loadKernel() → Kernel (loads ../wasm_exec.js and ../kernel.wasm
//                        relative to this module, once)
//   kernel.load(state)          replace the replica with a snapshot's state (object)
//   kernel.apply(event) → null | {kind,message,message_en}   fold one event
//   kernel.state()      → the replica (object, as meeting.State JSON)
//   kernel.seq()        → the replica's last seq
//   kernel.quorum()     → meeting.Quorum of the replica
//   kernel.queue(item?) → speaker requests of item (default: current item)
//   kernel.speech(nowMs)→ current speech + elapsed_ms/remaining_ms/overrun_ms, or null
//   kernel.checkBallot(pollID, ballot) → {valid, reason?, invalid?} (meeting.CheckBallot)
//   kernel.ballotForm(pollID) → 'strike' | 'approve' | 'single' | '' (meeting.Poll.Form)
//   kernel.fork()       → another Kernel with a replica of its own (a tablet
//                        follows its tổ's sitting beside the congress)
let loading = null;

export function loadKernel() {
  if (!loading) loading = start();
  return loading;
}

async function start() {
  await import(new URL('../wasm_exec.js', import.meta.url).href);
  const go = new globalThis.Go();
  const url = new URL('../kernel.wasm', import.meta.url);
  let result;
  try {
    result = await WebAssembly.instantiateStreaming(fetch(url), go.importObject);
  } catch {
    const bytes = await (await fetch(url)).arrayBuffer();
    result = await WebAssembly.instantiate(bytes, go.importObject);
  }
  go.run(result.instance); // returns a promise that never resolves: the kernel stays alive
  const k = globalThis.phonghopKernel;
  if (!k) throw new Error('kernel did not start');
  return new Kernel(k);
}

const parseErr = (s) => (s ? JSON.parse(s) : null);

export class Kernel {
  constructor(k) { this.k = k; }
  load(state) { return parseErr(this.k.load(JSON.stringify(state))); }
  apply(event) { return parseErr(this.k.apply(JSON.stringify(event))); }
  state() { return JSON.parse(this.k.state()); }
  seq() { return this.k.seq(); }
  quorum() { return JSON.parse(this.k.quorum()); }
  queue(item = '') { return JSON.parse(this.k.queue(item)); }
  speech(nowMs) { return JSON.parse(this.k.speech(nowMs)); }
  checkBallot(pollID, ballot) {
    const r = JSON.parse(this.k.checkBallot(pollID, JSON.stringify(ballot)));
    return r;
  }
  ballotForm(pollID) { return this.k.ballotForm(pollID); }
  fork() { return new Kernel(this.k.fork()); }
}
