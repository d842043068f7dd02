// confirm.js — the one confirmation of an irreversible action, the same in
// every view: a modal dialog naming the action and what follows from it,
// with the action's own verb on the confirming button and "Hủy" (Cancel)
// beside it. Nothing happens until the confirming click; nothing arms or
// disarms by itself (no timer); Escape, Cancel or a click outside the box
// cancel. The focus starts on Cancel (Enter does not confirm by accident)
// and goes back to the button that asked.
//
//   const ok = await confirmAction({
//     title: 'Bế mạc cuộc họp?',             // the question
//     message: 'Sau khi bế mạc …',           // the consequence (string or Node)
//     confirm: 'Bế mạc',                     // the verb of the confirming button
//     cancel: 'Hủy',                         // optional (default Hủy / Cancel)
//     danger: true,                          // red confirming button (default)
//   });
//
// data-testid: confirm-dialog (data-action = opts.action), confirm-title,
// confirm-message, confirm-ok, confirm-cancel. One dialog at a time: asking
// again while one is open cancels the first.
import { lang } from './i18n.js';

let open = null; // {dialog, finish}

export function confirmAction(opts) {
  if (open) open.finish(false);
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const dialog = document.createElement('dialog');
    dialog.className = 'confirm';
    dialog.dataset.testid = 'confirm-dialog';
    if (opts.action) dialog.dataset.action = opts.action;
    dialog.setAttribute('role', 'alertdialog');
    dialog.setAttribute('aria-modal', 'true');
    dialog.setAttribute('aria-labelledby', 'confirm-title');
    dialog.setAttribute('aria-describedby', 'confirm-message');
    const title = el('h2', { id: 'confirm-title', 'data-testid': 'confirm-title' }, opts.title);
    const message = el('div', { id: 'confirm-message', class: 'confirm-message', 'data-testid': 'confirm-message' }, opts.message || '');
    const ok = el('button', { type: 'button', class: 'btn btn-big ' + (opts.danger === false ? 'btn-primary' : 'btn-danger'), 'data-testid': 'confirm-ok' }, opts.confirm);
    const cancel = el('button', { type: 'button', class: 'btn btn-big', 'data-testid': 'confirm-cancel' },
      opts.cancel || (lang() === 'en' ? 'Cancel' : 'Hủy'));
    dialog.append(title, message, el('div', { class: 'confirm-buttons' }, ok, cancel));
    let done = false;
    const finish = (answer) => {
      if (done) return;
      done = true;
      open = null;
      if (dialog.open) dialog.close();
      dialog.remove();
      if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus({ preventScroll: true });
      resolve(answer);
    };
    ok.addEventListener('click', () => finish(true));
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); finish(false); }); // Escape
    // A click on the backdrop (outside the box) cancels.
    dialog.addEventListener('click', (e) => {
      if (e.target !== dialog) return;
      const r = dialog.getBoundingClientRect();
      if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) finish(false);
    });
    document.body.append(dialog);
    open = { dialog, finish };
    dialog.showModal();
    cancel.focus();
  });
}

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const k of kids) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
}
