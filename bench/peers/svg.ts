/** The chart: one panel per size and task, a horizontal bar per row (median ms, log scale), written by hand. */
import {fmt, Report, ReportRow} from './report';

const W = 960;
const LABEL_W = 300;
const BAR_W = 520;
const ROW_H = 17;
const PANEL_HEAD = 34;
const AXIS_H = 22;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function color(r: ReportRow): string {
  if (r.ours) return r.family === 'native' ? '#c0392b' : r.family === 'wasm' ? '#e67e22' : '#8e5b3a';
  if (r.peer === 'floor') return '#7f8c8d';
  if (r.peer.startsWith('tfjs-layers')) return r.family === 'native' ? '#8e44ad' : '#b07cc6';
  return r.family === 'native' ? '#2c6fbb' : '#25a9b8';
}

function fmtMs(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
}

export function svgChart(rep: Report): string {
  const parts: string[] = [];
  let y = 0;
  const title = `tfjs-gru peer benchmark: median ms per run, log scale (shorter is faster); ${rep.meta.threads} thread(s), ${rep.meta.started.slice(0, 16)}Z`;
  parts.push(`<text x="10" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`);
  const legend: Array<[string, string]> = [
    ['#c0392b', 'ours, tfjs-node'], ['#e67e22', 'ours, wasm'], ['#8e5b3a', 'ours, cpu'], ['#8e44ad', 'tf.layers.gru, tfjs-node'],
    ['#b07cc6', 'tf.layers.gru, wasm'], ['#2c6fbb', 'native peer'], ['#25a9b8', 'wasm peer'], ['#7f8c8d', 'BLAS floor'],
  ];
  let lx = 10;
  for (const [c, t] of legend) {
    parts.push(`<rect x="${lx}" y="30" width="12" height="12" fill="${c}"/><text x="${lx + 16}" y="40" font-size="11">${esc(t)}</text>`);
    lx += 26 + t.length * 6.6;
  }
  y = 56;
  for (const size of rep.sizes) {
    for (const task of rep.tasks) {
      const rows = rep.rows.filter((r) => r.size === size.name && r.task === task);
      if (!rows.length) continue;
      const vals = rows.map((r) => r.medianMs).filter((v): v is number => v !== undefined && v > 0);
      const lo = Math.pow(10, Math.floor(Math.log10(vals.length ? Math.min(...vals) : 1)));
      const hi = Math.pow(10, Math.ceil(Math.log10(vals.length ? Math.max(...vals) * 1.0001 : 10)));
      const decades = Math.max(1, Math.round(Math.log10(hi / lo)));
      const xOf = (v: number) => LABEL_W + (Math.log10(v / lo) / decades) * BAR_W;
      parts.push(`<text x="10" y="${y + 20}" font-size="13" font-weight="bold">${esc(
          `${size.name} (B=${size.B}, T=${size.T}, D=${size.D}, U=${size.U}), ${task === 'train' ? 'training step (forward + backward)' : 'forward'}`)}</text>`);
      const top = y + PANEL_HEAD;
      const bottom = top + rows.length * ROW_H;
      for (let k = 0; k <= decades; k++) {
        const v = lo * Math.pow(10, k);
        const x = xOf(v);
        parts.push(`<line x1="${x.toFixed(1)}" y1="${top - 4}" x2="${x.toFixed(1)}" y2="${bottom}" stroke="#ccc" stroke-width="1"/>`);
        parts.push(`<text x="${x.toFixed(1)}" y="${bottom + 14}" font-size="10" text-anchor="middle" fill="#555">${esc(fmtMs(v))} ms</text>`);
      }
      rows.forEach((r, i) => {
        const ry = top + i * ROW_H;
        const name = `${r.peer} ${r.variant}`;
        parts.push(`<text x="${LABEL_W - 6}" y="${ry + 12}" font-size="11" text-anchor="end"${r.ours ? ' font-weight="bold"' : ''}>${esc(name)}</text>`);
        if (r.medianMs === undefined) {
          parts.push(`<text x="${LABEL_W + 4}" y="${ry + 12}" font-size="10" fill="#a00">${esc(`not measured: ${(r.error ?? '').slice(0, 80)}`)}</text>`);
          return;
        }
        const x1 = Math.max(LABEL_W + 1, xOf(r.medianMs));
        const ratio = r.ratioToOurs !== undefined && !r.ours ? `  (${fmt(r.ratioToOurs)}× ours)` : '';
        const flag = r.outputMatches === false ? '  OUTPUT DIFFERS' : '';
        parts.push(`<rect x="${LABEL_W}" y="${ry + 2}" width="${(x1 - LABEL_W).toFixed(1)}" height="${ROW_H - 4}" fill="${color(r)}"/>`);
        parts.push(`<text x="${(x1 + 4).toFixed(1)}" y="${ry + 12}" font-size="10">${esc(`${fmtMs(r.medianMs)} ms${ratio}${flag}`)}</text>`);
      });
      y = bottom + AXIS_H + 6;
    }
  }
  const unavailable = rep.peers.filter((p) => p.unavailable);
  for (const p of unavailable) {
    parts.push(`<text x="10" y="${y + 12}" font-size="10" fill="#a00">${esc(`not run: ${p.peer}: ${p.unavailable!.slice(0, 140)}`)}</text>`);
    y += 14;
  }
  const h = y + 10;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" ` +
         `font-family="DejaVu Sans, Arial, sans-serif">\n<rect width="${W}" height="${h}" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}
