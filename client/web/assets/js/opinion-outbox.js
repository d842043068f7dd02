// opinion-outbox.js — opinions typed and sent from a tablet, kept in the
// browser's storage so that nothing typed is lost (docs/congress.md §1).
//
//   const box = new OpinionOutbox({ meeting, participant, send, onChange })
//     send(item) → Promise: gives opinion.give {draft, section, kind, text, key}
//     onChange()            called after every change (re-render)
//   box.typed(draft, section)            → {kind, text, at} typed and not sent yet, or null
//   box.type(draft, section, {kind, text}) keeps what is being typed (every keystroke)
//   box.queue(draft, section, kind, text) → the item queued for sending (a new key;
//                                          it replaces an unsent one of that section)
//   box.pending(draft, section)          → the queued item, or null
//   box.sending(draft, section)          → true while its command is in flight
//   box.error(draft, section)            → the server's refusal ({message_vi, message_en}), or null
//   box.flush()                          sends the queue in order; a network failure stops
//                                        it (it is tried again on the next flush: the tablet
//                                        calls flush when it is back online); a refusal takes
//                                        the item off the queue, keeps its text and the error
//
// Storage: localStorage "phonghop.opinions.<meeting>.<participant>", JSON
// {typed, outbox, errors}, written on every change. A resend after a lost
// answer carries the same key: the server answers ok and records nothing new.
// Only the last opinion of a section is ever queued, so an older one can
// never overwrite a newer one.

function randomKey() {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return 'o' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const k = (draft, section) => draft + '/' + (section || '');

export class OpinionOutbox {
  constructor({ meeting, participant, send, onChange }) {
    this.storeKey = `phonghop.opinions.${meeting}.${participant}`;
    this.send = send;
    this.onChange = onChange || (() => {});
    this.inflight = new Set();
    this.flushing = null;
    let saved = {};
    try { saved = JSON.parse(localStorage.getItem(this.storeKey) || '{}') || {}; } catch { saved = {}; }
    this.data = { typed: saved.typed || {}, outbox: Array.isArray(saved.outbox) ? saved.outbox : [], errors: saved.errors || {} };
  }

  save() {
    try { localStorage.setItem(this.storeKey, JSON.stringify(this.data)); } catch { /* storage full: kept in memory */ }
    this.onChange();
  }

  typed(draft, section) { return this.data.typed[k(draft, section)] || null; }

  type(draft, section, v) {
    this.data.typed[k(draft, section)] = { kind: v.kind || '', text: v.text || '', at: Date.now() };
    try { localStorage.setItem(this.storeKey, JSON.stringify(this.data)); } catch { /* kept in memory */ }
  }

  queue(draft, section, kind, text) {
    const key = k(draft, section);
    const item = { draft, section: section || '', kind, text, key: randomKey(), at: Date.now() };
    this.data.outbox = this.data.outbox.filter((x) => k(x.draft, x.section) !== key || this.inflight.has(x.key));
    this.data.outbox.push(item);
    this.data.typed[key] = { kind, text, at: Date.now() };
    delete this.data.errors[key];
    this.save();
    return item;
  }

  pending(draft, section) {
    const key = k(draft, section);
    for (let i = this.data.outbox.length - 1; i >= 0; i--) {
      if (k(this.data.outbox[i].draft, this.data.outbox[i].section) === key) return this.data.outbox[i];
    }
    return null;
  }

  sending(draft, section) {
    const p = this.pending(draft, section);
    return !!(p && this.inflight.has(p.key));
  }

  error(draft, section) { return this.data.errors[k(draft, section)] || null; }

  count() { return this.data.outbox.length; }

  // flush sends the queued items one after another, in order.
  flush() {
    if (this.flushing) return this.flushing;
    // Cleared asynchronously, after the assignment (a run with nothing to
    // send finishes synchronously).
    this.flushing = this.run().finally(() => { this.flushing = null; });
    return this.flushing;
  }

  async run() {
    while (this.data.outbox.length) {
      const item = this.data.outbox[0];
      this.inflight.add(item.key);
      this.onChange();
      try {
        await this.send({ draft: item.draft, section: item.section, kind: item.kind, text: item.text, key: item.key });
      } catch (e) {
        this.inflight.delete(item.key);
        if (!e || e.kind === 'network') { this.onChange(); return; } // offline: try again later
        // Refused: off the queue, the text kept with the reason.
        this.data.outbox = this.data.outbox.filter((x) => x.key !== item.key);
        this.data.errors[k(item.draft, item.section)] = { message_vi: e.message_vi || '', message_en: e.message_en || '', kind: e.kind };
        this.save();
        continue;
      }
      this.inflight.delete(item.key);
      // Sent: the replica holds it now; a newer edit stays queued.
      const key = k(item.draft, item.section);
      this.data.outbox = this.data.outbox.filter((x) => x.key !== item.key);
      const t = this.data.typed[key];
      if (t && t.kind === item.kind && t.text === item.text) delete this.data.typed[key];
      this.save();
    }
  }
}
