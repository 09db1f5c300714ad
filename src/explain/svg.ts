import {GruExplanation, TensorView} from './explainGru';

/**
 * Fill colors of the gates in {@link renderExplanationSvg}: reset, update, candidate.
 * @category Explain
 */
export const GATE_COLORS = {r: '#e8853d', z: '#3f8f5f', h: '#3d74c4'} as const;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate with at most two decimals. */
function r2(v: number): number {
  return Math.round(v * 100) / 100;
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${r2(x)}" y="${r2(y)}" ${attrs}>${esc(s)}</text>`;
}

/** The two drawn axes of a tensor: rows and columns (a 1-D tensor is one row; ONNX's leading direction axis is dropped). */
function drawnAxes(t: TensorView): {rowAxis: number|null, colAxis: number} {
  if (t.dims.length === 1) return {rowAxis: null, colAxis: 0};
  return {rowAxis: t.dims.length - 2, colAxis: t.dims.length - 1};
}

/** Tick marks along one axis: every segment boundary, labelled in D and U and with its number. */
function ticks(t: TensorView, axis: number): Array<{at: number, label: string}> {
  const seen = new Map<number, string>();
  for (const s of t.segments) {
    if (s.axis !== axis) continue;
    seen.set(s.range[0], s.symbolic[0] === String(s.range[0]) ? s.symbolic[0] : `${s.symbolic[0]}=${s.range[0]}`);
    seen.set(s.range[1], s.symbolic[1] === String(s.range[1]) ? s.symbolic[1] : `${s.symbolic[1]}=${s.range[1]}`);
  }
  return [...seen].sort((a, b) => a[0] - b[0]).map(([at, label]) => ({at, label}));
}

/**
 * A labeled block diagram of the explained layout's tensors as SVG text:
 * each tensor a grid of D and U cells, each explicit block (Wr, Ur, br, …)
 * a region colored by its gate ({@link GATE_COLORS}) and labelled with its
 * name, the slice bounds on the axes in D and U and as numbers. Pure string
 * work: browser-safe.
 * @category Explain
 */
export function renderExplanationSvg(e: GruExplanation): string {
  const v = e.explained;
  const maxDim = Math.max(...v.tensors.flatMap((t) => t.dims.slice(-2)));
  // the largest axis is drawn at most 420 px long, however large D and U are
  const cell = Math.min(28, 420 / maxDim);
  const left = 120;
  const parts: string[] = [];
  let y = 34;
  const title = `${e.name ? `${e.name}: ` : ''}'${v.layout}' GRU weights, D = ${e.inputSize}, U = ${e.units} (${e.family})`;
  parts.push(text(16, 22, title, 'font-size="16" font-weight="bold" class="title"'));
  // legend
  let lx = 16;
  y += 8;
  for (const g of ['r', 'z', 'h'] as const) {
    parts.push(`<rect x="${lx}" y="${y}" width="14" height="14" fill="${GATE_COLORS[g]}" class="legend gate-${g}"/>`);
    const label = `${v.gateNames[g]}: ${g === 'r' ? 'reset gate' : g === 'z' ? 'update gate' : 'candidate'}`;
    parts.push(text(lx + 20, y + 12, label, 'font-size="12"'));
    lx += 30 + label.length * 7;
  }
  y += 40;
  let width = Math.max(lx + 16, 16 + title.length * 9);

  for (const t of v.tensors) {
    const {rowAxis, colAxis} = drawnAxes(t);
    const rows = rowAxis == null ? 1 : t.dims[rowAxis];
    const cols = t.dims[colAxis];
    parts.push(text(16, y, `${t.name}  ${t.shape} = [${t.dims.join(', ')}]`, 'font-size="13" font-weight="bold" class="tensor-name"'));
    y += 30;
    const top = y;
    // a bias (one or two rows) stays readable when D and U are large
    const rowCell = rows <= 2 ? Math.max(cell, 18) : cell;
    const w = cols * cell;
    const h = rows * rowCell;
    parts.push(`<g class="tensor" data-tensor="${esc(t.name)}">`);
    parts.push(`<rect x="${left}" y="${r2(top)}" width="${r2(w)}" height="${r2(h)}" fill="#f2f2f2" stroke="#333" stroke-width="1"/>`);
    for (const b of v.blocks) {
      for (const s of b.sources) {
        if (s.tensor !== t.name) continue;
        const r0 = rowAxis == null ? 0 : s.begin[rowAxis];
        const rn = rowAxis == null ? 1 : s.size[rowAxis];
        const c0 = s.begin[colAxis];
        const cn = s.size[colAxis];
        const x = left + c0 * cell;
        const yy = top + r0 * rowCell;
        parts.push(`<rect x="${r2(x)}" y="${r2(yy)}" width="${r2(cn * cell)}" height="${r2(rn * rowCell)}" fill="${GATE_COLORS[b.gate]}" ` +
                   `fill-opacity="${b.operand.startsWith('bias') || b.operand === 'x' ? 0.95 : 0.7}" stroke="#fff" ` +
                   `stroke-width="1.5" class="block gate-${b.gate}" data-block="${b.block}"/>`);
        const boxW = cn * cell;
        const boxH = rn * rowCell;
        let label = `${b.block}${s.transpose ? 'ᵀ' : ''}${s.note ? ` (${s.note})` : ''}`;
        const fit = (l: string) => Math.min(14, boxH * 0.8, boxW / (0.62 * l.length + 0.5));
        if (fit(label) < 8) label = `${b.block}${s.transpose ? 'ᵀ' : ''}`;
        const fs = Math.max(7, fit(label));
        parts.push(text(x + boxW / 2, yy + boxH / 2 + fs / 3, label,
                        `font-size="${fs.toFixed(1)}" text-anchor="middle" fill="#fff" class="block-label"`));
      }
    }
    parts.push('</g>');
    for (const tick of ticks(t, colAxis)) {
      const x = left + tick.at * cell;
      parts.push(`<line x1="${r2(x)}" y1="${r2(top - 4)}" x2="${r2(x)}" y2="${r2(top)}" stroke="#333"/>`);
      parts.push(text(x, top - 7, tick.label, 'font-size="10" text-anchor="middle" class="tick col-tick"'));
    }
    if (rowAxis != null) {
      for (const tick of ticks(t, rowAxis)) {
        const yy = top + tick.at * rowCell;
        parts.push(`<line x1="${left - 4}" y1="${r2(yy)}" x2="${left}" y2="${r2(yy)}" stroke="#333"/>`);
        parts.push(text(left - 7, yy + 4, tick.label, 'font-size="10" text-anchor="end" class="tick row-tick"'));
      }
      for (const [axis, what] of [[rowAxis, 'rows'], [colAxis, 'cols']] as const) {
        // one label per run of indices; runs shared by blocks with different operands list them all
        const runs = new Map<string, string[]>();
        for (const s of t.segments) {
          if (s.axis !== axis || !s.meaning.startsWith('multiply')) continue;
          const key = s.range.join(':');
          runs.set(key, [...(runs.get(key) ?? []), `${s.meaning.slice('multiply '.length)} (${s.blocks.join(' ')})`]);
        }
        for (const [key, meanings] of runs) {
          const [a, b] = key.split(':').map(Number);
          const yy = axis === rowAxis ? top + (a + b) / 2 * rowCell + 4 : top + 12;
          const label = `${what} multiply ${meanings.join('; ')}`;
          parts.push(text(left + w + 8, yy, label, 'font-size="11" class="axis-meaning"'));
          width = Math.max(width, left + w + 16 + label.length * 6.5);
        }
      }
    }
    width = Math.max(width, left + w + 40);
    y = top + h + 30;
  }
  const height = Math.ceil(y);
  width = Math.ceil(width);
  return `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="DejaVu Sans, Helvetica, Arial, sans-serif">\n` +
      `<rect width="100%" height="100%" fill="#ffffff"/>\n${parts.join('\n')}\n</svg>\n`;
}
