// results.js — published poll results as bar charts (HTML, no library), for
// the hall screen and the tablets. They read right at a glance:
//   - every bar is drawn on the poll's base (the count its threshold is
//     reckoned on: the summoned, the ballots cast, …), not on the largest
//     option, and the threshold is a dashed line across the bars;
//   - the colours are the Okabe–Ito colour-blind-safe ones, distinct for
//     agree, disagree and abstain (and elected / not elected), and never
//     carry the meaning alone: each bar names its choice, its count and, for
//     a candidate, "trúng cử" or "không trúng cử";
//   - every kind of poll has its outcome line (passed, elected, tie, short,
//     nobody elected, the levels of a rating);
//   - nothing is truncated: labels wrap.
//
//   resultChart(poll) → <figure data-testid="result-<poll id>" data-outcome=…>:
//       figcaption (the question, result-outcome), result-chart (a list: one
//       li.bar-row per bar, data-key = choice | candidate id | subject id,
//       data-votes, data-kind = agree | disagree | abstain | elected |
//       not-elected | level; inside .bar-label, .bar-track > .bar-fill
//       (data-share: votes / base) and .bar-threshold (data-share:
//       required / base), .bar-value), result-base (the base and threshold
//       in words); null when the poll has no result in this view.
//   outcomeText(poll) → the outcome line, translated.
import { h } from './ui.js';
import { t, lang } from './i18n.js';
import './room-strings.js';

// pct formats a meeting.Percent (hundredths of a percent): 33,33% in Vietnamese, 33.33% in English.
const pct = (p) => { const s = (p / 100).toFixed(2) + '%'; return lang() === 'vi' ? s.replace('.', ',') : s; };

// share is n over base as a fraction in [0, 1] (0 for an empty base).
const share = (n, base) => (base > 0 ? Math.min(1, Math.max(0, n / base)) : 0);

// required is the smallest count reaching threshold th over base (as
// meeting.Threshold does it on integers: 2·votes > base for "more than 1/2").
function required(th, base) {
  if (!th || !th.den) return 0;
  return th.at_least ? Math.ceil((th.num * base) / th.den) : Math.floor((th.num * base) / th.den) + 1;
}

function thresholdText(th) {
  if (!th || !th.den) return '';
  return t(th.at_least ? 'result.threshold.at_least' : 'result.threshold.more_than', { num: th.num, den: th.den });
}

function levelName(l) { return t('level.' + l); }

// bars returns the rows of the chart: {key, kind, label, votes, base, need, value, note}.
function bars(poll) {
  const r = poll.result;
  if (r.options) {
    return r.options.map((o) => ({ key: o.choice, kind: o.choice, label: t('choice.' + o.choice), votes: o.votes, base: r.base_count, need: r.required,
      value: t('result.votes', { votes: o.votes, percent: pct(o.percent) }) }));
  }
  if (r.candidates) {
    const tied = new Set(r.tie || []);
    return r.candidates.map((c) => {
      const mark = c.elected ? t('result.elected') : tied.has(c.id) ? t('result.tied') : t('result.not_elected');
      return { key: c.id, kind: c.elected ? 'elected' : 'not-elected', label: c.name, votes: c.votes, base: r.base_count, need: r.required,
        value: t('result.votes', { votes: c.votes, percent: pct(c.percent) }) + ' · ' + mark };
    });
  }
  if (r.subjects) {
    const confidence = poll.scale === 'confidence';
    return r.subjects.map((sub) => {
      const levels = sub.levels || [];
      // The bar is the level reached (review) or "low confidence"; the
      // counts of every level are listed under it.
      const shown = confidence ? (levels.find((l) => l.level === 'low') || { level: 'low', votes: 0, percent: 0 })
        : (levels.find((l) => l.level === sub.level) || levels.reduce((a, b) => (b.votes > a.votes ? b : a), levels[0] || { level: '', votes: 0, percent: 0 }));
      const reached = confidence ? lowText(sub) : (sub.level ? levelName(sub.level) : t('result.outcome.no_level'));
      return { key: sub.id, kind: 'level', label: sub.name, votes: shown.votes, base: sub.base_count, need: required(r.threshold, sub.base_count),
        value: t('result.votes', { votes: shown.votes, percent: pct(shown.percent) }), note: reached };
    });
  }
  return [];
}

// lowText is a confidence vote's finding for one person (QĐ 96-QĐ/TW: over
// 1/2, or at least 2/3, of the ballots returned say "tín nhiệm thấp").
function lowText(sub) {
  if (sub.low_two_thirds) return t('result.low_two_thirds');
  if (sub.low_over_half) return t('result.low_over_half');
  return t('level.low') + ' ' + t('result.low_none');
}

export function outcomeText(poll) {
  const r = poll.result;
  if (!r) return '';
  if (r.options) return r.passed ? t('hall.passed') : t('hall.notpassed');
  if (r.candidates) {
    const name = (id) => (r.candidates.find((c) => c.id === id) || {}).name || id;
    const parts = [];
    const elected = (r.elected || []).map(name);
    parts.push(elected.length ? t('result.outcome.elected', { names: elected.join(', ') }) : t('result.outcome.none'));
    if (r.outcome === 'tie' && (r.tie || []).length) parts.push(t('result.outcome.tie', { names: r.tie.map(name).join(', '), seats: r.tie_seats || 1 }));
    else if (r.short) parts.push(t('result.outcome.short', { n: r.short }));
    return parts.join('. ');
  }
  if (r.subjects) {
    // How many people at each level (each person's level is on their row).
    if (poll.scale === 'confidence') {
      return t('result.outcome.confidence', { n: r.subjects.length, over: r.subjects.filter((s) => s.low_over_half && !s.low_two_thirds).length,
        two: r.subjects.filter((s) => s.low_two_thirds).length });
    }
    const count = new Map();
    for (const s of r.subjects) count.set(s.level || '', (count.get(s.level || '') || 0) + 1);
    const order = ['excellent', 'good', 'done', 'failed', ''];
    return t('result.outcome.rated', { n: r.subjects.length, list: order.filter((l) => count.has(l))
      .map((l) => `${l ? levelName(l) : t('result.outcome.no_level')} ${count.get(l)}`).join('; ') });
  }
  return '';
}

export function resultChart(poll) {
  if (!poll.result) return null;
  const r = poll.result;
  const data = bars(poll);
  if (!data.length) return null;
  const list = h('ul', { class: 'chart', testid: 'result-chart', 'aria-label': poll.question },
    data.map((d) => {
      const s = share(d.votes, d.base), need = share(d.need, d.base);
      return h('li', { class: 'bar-row bar-' + d.kind, 'data-key': d.key, 'data-votes': String(d.votes), 'data-kind': d.kind },
        h('span', { class: 'bar-label' }, d.label),
        h('span', { class: 'bar-track', 'aria-hidden': 'true' },
          h('span', { class: 'bar-fill', 'data-share': s.toFixed(4), style: `width:${(s * 100).toFixed(2)}%` }),
          d.need > 0 && d.base > 0 ? h('span', { class: 'bar-threshold', 'data-share': need.toFixed(4), style: `left:${(need * 100).toFixed(2)}%`, title: t('result.threshold_mark', { required: d.need }) }) : null),
        h('span', { class: 'bar-value' }, d.value),
        d.note ? h('span', { class: 'bar-note' }, d.note) : null);
    }));
  const baseName = t('result.base.' + r.base);
  const base = h('p', { class: 'result-base', testid: 'result-base' },
    t('result.base', { base: baseName === 'result.base.' + r.base ? r.base : baseName, count: r.base_count, required: r.required, threshold: thresholdText(r.threshold) }));
  const outcome = outcomeText(poll);
  return h('figure', { testid: 'result-' + poll.id, class: 'result', 'data-outcome': r.outcome || '' },
    h('figcaption', null, h('strong', null, poll.question), outcome ? h('div', { testid: 'result-outcome', class: 'outcome-' + (r.outcome || '') }, outcome) : null),
    list, r.subjects ? null : base);
}
