// picker.js — a searchable list, for lists too long to scroll through (the
// 1,600 delegates of a congress, the 600 time zones): a search field that
// narrows a list box (<select size>). Matching ignores case, Vietnamese
// diacritics and punctuation: "nguyen van an" finds "Nguyễn Văn An",
// "ho chi" finds "Asia/Ho_Chi_Minh".
//
//   const p = picker({testid, size})
//     p.search      the search field (testid + '-search'), label it
//     p.list        the list box (testid), label it
//     p.setOptions([{value, label}])  the choices (kept when unchanged; the
//                   chosen one stays chosen while it still matches)
//     p.value()     the value chosen in the list, else the one last set
//                   ('' for none)
//     p.set(value)  choose value (the search typed is kept: a redraw never
//                   takes the list from under the person searching it)
//     p.onPick(fn)  fn(value) on a double click or Enter in the list
//
// The caller wraps the two controls in its own labelled fields.

// fold returns s lower-cased, without diacritics (đ as d) and with
// punctuation as spaces, for matching.
export function fold(s) {
  return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd')
    .toLowerCase().replace(/[^a-z0-9+:]+/g, ' ').trim();
}

export function picker({testid, size}) {
  const search = document.createElement('input');
  search.type = 'search';
  search.autocomplete = 'off';
  search.dataset.testid = testid + '-search';
  const list = document.createElement('select');
  list.size = size || 6;
  list.dataset.testid = testid;
  let all = []; // [{value, label, key}]
  let given = null; // the options last set, and their JSON
  let okey = '';
  let current = ''; // the value last set
  let pick = null;

  const draw = () => {
    const words = fold(search.value).split(' ').filter(Boolean);
    const keep = list.value || current;
    const shown = all.filter((o) => words.every((w) => o.key.includes(w)));
    list.replaceChildren(...shown.map((o) => {
      const el = document.createElement('option');
      el.value = o.value;
      el.textContent = o.label;
      return el;
    }));
    list.dataset.count = String(shown.length);
    if (shown.some((o) => o.value === keep)) list.value = keep;
  };
  search.addEventListener('input', draw);
  // Down from the search field goes into the list, as in a combo box.
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' && list.options.length) {
      ev.preventDefault();
      if (!list.value) list.value = list.options[0].value;
      list.focus();
    }
  });
  list.addEventListener('dblclick', () => { if (pick && list.value) pick(list.value); });
  list.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && pick && list.value) { ev.preventDefault(); pick(list.value); }
  });

  return {
    search,
    list,
    setOptions(options) {
      if (options === given) return;
      given = options;
      const k = JSON.stringify(options);
      if (k === okey) return;
      okey = k;
      all = options.map((o) => ({value: o.value, label: o.label, key: fold(o.label + ' ' + o.value)}));
      draw();
    },
    value() { return list.value || current; },
    set(value) {
      current = value || '';
      if ([...list.options].some((o) => o.value === current)) list.value = current;
    },
    onPick(fn) { pick = fn; },
  };
}
