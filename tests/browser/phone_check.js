// The checks the phone sweep (test_phone_sweep.py) runs in each page, at the phone's width.
// Returns { width, overflow: [...], small: [...], charts: [...] }; empty lists when fine.
({ dir, width }) => {
  const W = width;  // the phone's: a page too wide may widen the layout viewport
  const out = { width: document.documentElement.scrollWidth, overflow: [], small: [], charts: [] };
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList.length) s += '.' + Array.from(el.classList).join('.');
    if (el.name) s += '[name=' + el.name + ']';
    if (el.type && el.tagName === 'INPUT') s += '[type=' + el.type + ']';
    const text = (el.innerText || el.value || '').trim().slice(0, 30);
    return text ? s + ' "' + text + '"' : s;
  };
  // Out of the screen (either side: in Arabic a page too wide overflows to the
  // left) and not inside a scrolling or clipping box (a table's .table-wrap).
  const outside = (r) => r.width && (r.right > W + 1 || r.left < -1);
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  window.scrollTo(0, 0);
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!outside(r) || clipped(el)) continue;
    if (el.parentElement && outside(el.parentElement.getBoundingClientRect())) continue;
    out.overflow.push(describe(el) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    if (out.overflow.length >= 6) break;
  }
  if (out.width > W + 1 && !out.overflow.length) out.overflow.push('the document');
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const targets = [];
  for (const el of document.querySelectorAll(selector)) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
    targets.push({ el, r, small: r.width < 23.5 || r.height < 23.5 });
  }
  const inSentence = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const block = el.parentElement;
    return block && block.textContent.trim().length > el.textContent.trim().length + 2;
  };
  for (const t of targets) {
    if (!t.small) continue;
    const box = t.el.matches('input[type=radio], input[type=checkbox]');
    if (!box && inSentence(t.el)) continue;
    let clash = box;
    const cx = t.r.left + t.r.width / 2, cy = t.r.top + t.r.height / 2;
    for (const o of targets) {
      if (clash) break;
      if (o === t || o.el.contains(t.el) || t.el.contains(o.el)) continue;
      const dx = Math.max(o.r.left - cx, 0, cx - o.r.right);
      const dy = Math.max(o.r.top - cy, 0, cy - o.r.bottom);
      if (Math.hypot(dx, dy) < 12) clash = true;
      if (o.small) {
        const ox = o.r.left + o.r.width / 2, oy = o.r.top + o.r.height / 2;
        if (Math.hypot(ox - cx, oy - cy) < 24) clash = true;
      }
    }
    if (clash) {
      out.small.push(describe(t.el) + ' ' + Math.round(t.r.width) + 'x' + Math.round(t.r.height));
    }
  }
  const rtl = dir === 'rtl';
  for (const svg of document.querySelectorAll('figure.chart svg')) {
    const box = (e) => e.getBoundingClientRect();
    const labels = Array.from(svg.querySelectorAll('text.chart-label')).map(box);
    const bars = Array.from(svg.querySelectorAll('rect')).map(box);
    if (!labels.length || !bars.length) continue;
    const ok = rtl
      ? Math.min(...labels.map(r => r.left)) >= Math.max(...bars.map(r => r.right)) - 1
      : Math.max(...labels.map(r => r.right)) <= Math.min(...bars.map(r => r.left)) + 1;
    if (!ok) out.charts.push('chart not mirrored for ' + dir + ': ' + describe(svg.closest('figure')));
  }
  for (const svg of document.querySelectorAll('svg.bar')) {
    const [track, value] = Array.from(svg.querySelectorAll('rect')).map(e => e.getBoundingClientRect());
    if (!track || !value || !value.width) continue;
    const ok = rtl ? Math.abs(value.right - track.right) < 1 : Math.abs(value.left - track.left) < 1;
    if (!ok) { out.charts.push('signal bar not mirrored for ' + dir); break; }
  }
  return out;
}
