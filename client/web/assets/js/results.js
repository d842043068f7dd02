// results.js — poll results as SVG bar charts (no library), for the hall
// screen and the tablets.
//
//   resultChart(poll) → <figure data-testid="result-<poll id>"> with an SVG bar chart
//       (data-testid="result-chart") and a text table for screen readers, or null
//       when the poll has no result in this view.
//   outcomeText(poll) → "Thông qua" / "Không thông qua" / elected names, translated
import { h } from './ui.js';
import { t, lang } from './i18n.js';

// pct formats a meeting.Percent (hundredths of a percent): 33,33% in Vietnamese, 33.33% in English.
const pct = (p) => { const s = (p / 100).toFixed(2) + '%'; return lang() === 'vi' ? s.replace('.', ',') : s; };

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}


// rows returns [{label, votes, percent, mark}] of the poll's result.
function rows(poll) {
  const r = poll.result;
  if (!r) return [];
  // The bar that decided the outcome is green: "agree" when it passed.
  if (r.options) return r.options.map((o) => ({ label: t('choice.' + o.choice), votes: o.votes, percent: o.percent, mark: o.choice === 'agree' && r.passed, key: o.choice }));
  if (r.candidates) return r.candidates.map((c) => ({ label: c.name, votes: c.votes, percent: c.percent, mark: c.elected, key: c.id }));
  if (r.subjects) {
    // A rating: one row per person, with the level reached.
    return r.subjects.map((sub) => {
      const best = sub.levels.reduce((a, b) => (b.votes > a.votes ? b : a), sub.levels[0] || { votes: 0, percent: 0 });
      return { label: `${sub.name}: ${sub.level ? t('level.' + sub.level) : '—'}`, votes: best.votes, percent: best.percent, key: sub.id };
    });
  }
  return [];
}

export function outcomeText(poll) {
  const r = poll.result;
  if (!r) return '';
  if (r.options) return r.passed ? t('hall.passed') : t('hall.notpassed');
  if (r.candidates) {
    const names = (r.elected || []).map((id) => (r.candidates.find((c) => c.id === id) || {}).name).filter(Boolean);
    return names.length ? `${t('hall.elected')}: ${names.join(', ')}` : '';
  }
  return '';
}

export function resultChart(poll) {
  const data = rows(poll);
  if (!data.length) return null;
  // Sized for a projector: on the hall's wide column (about 1,200 px at
  // 1920×1080) a label is drawn at about 40 px.
  const W = 800, rowH = 64, labelW = 330, pad = 8, fs = 28;
  const H = data.length * rowH + pad * 2;
  const max = Math.max(1, ...data.map((d) => d.votes));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-label': poll.question, 'data-testid': 'result-chart' });
  data.forEach((d, i) => {
    const y = pad + i * rowH;
    const w = Math.round(((W - labelW - 190) * d.votes) / max);
    svg.append(s('text', { x: 0, y: y + rowH / 2 + 9, 'font-size': fs, class: 'bar-label' }, d.label.length > 23 ? d.label.slice(0, 22) + '…' : d.label));
    svg.append(s('rect', { x: labelW, y: y + 8, width: Math.max(2, w), height: rowH - 16, rx: 4, fill: d.mark ? '#0b6b2f' : '#a50e0e', 'data-key': d.key, 'data-votes': d.votes }));
    svg.append(s('text', { x: labelW + w + 10, y: y + rowH / 2 + 9, 'font-size': fs, class: 'bar-value' }, `${d.votes} (${pct(d.percent)})`));
  });
  const table = h('table', { class: 'sr-only' },
    h('tbody', null, data.map((d) => h('tr', null, h('th', { scope: 'row' }, d.label), h('td', null, String(d.votes)), h('td', null, pct(d.percent))))));
  const outcome = outcomeText(poll);
  return h('figure', { testid: 'result-' + poll.id, class: 'result' },
    h('figcaption', null, h('strong', null, poll.question), outcome ? h('div', { testid: 'result-outcome' }, outcome) : null),
    svg, table);
}
