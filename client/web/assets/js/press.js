// press.js — redraws that never steal a tap.
//
//   const redraw = afterPress(fn)   → redraw(...args) calls fn(...args) now, or,
//       while a pointer is down on the page (for at most 1.5 s), once after its
//       release with the latest arguments.
//
// The apps redraw whole sections on every change — several times a second
// during a vote. A redraw between a finger's press and its release swaps the
// button under it and the tap is lost. Deferring the redraw until the release
// lets the click run on the button that was pressed (the click is dispatched
// before the deferred redraw, which waits for the next task).

const HOLD_MS = 1500; // a finger resting on the screen no longer holds the page back

const press = { down: false, since: 0 };
const waiting = new Set(); // redraws deferred until the release
document.addEventListener('pointerdown', () => { press.down = true; press.since = Date.now(); }, true);
for (const type of ['pointerup', 'pointercancel']) {
  document.addEventListener(type, () => setTimeout(() => { press.down = false; flush(); }, 0), true);
}

function flush() {
  for (const w of [...waiting]) w();
}

export function afterPress(fn) {
  let pending = null; // the latest arguments while deferred
  const run = () => {
    if (!pending) return;
    const args = pending;
    pending = null;
    waiting.delete(run);
    redraw(...args);
  };
  function redraw(...args) {
    if (press.down && Date.now() - press.since < HOLD_MS) {
      if (!pending) setTimeout(run, HOLD_MS + 100);
      pending = args;
      waiting.add(run);
      return;
    }
    fn(...args);
  }
  return redraw;
}
