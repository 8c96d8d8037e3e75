// The training curve as a standalone SVG: loss (train / val) and accuracy (train / val) per epoch.

/** One point of the curve (any field may be missing); `epoch` may be fractional (mid-epoch points). */
export interface CurvePoint {
  epoch: number;
  trainLoss?: number;
  valLoss?: number;
  trainAcc?: number;
  valAcc?: number;
}

const SERIES: { key: keyof CurvePoint; panel: 0 | 1; color: string; label: string }[] = [
  { key: 'trainLoss', panel: 0, color: '#1f77b4', label: 'train loss' },
  { key: 'valLoss', panel: 0, color: '#ff7f0e', label: 'val loss' },
  { key: 'trainAcc', panel: 1, color: '#1f77b4', label: 'train acc' },
  { key: 'valAcc', panel: 1, color: '#ff7f0e', label: 'val acc' },
];

function niceNumber(v: number): string {
  return Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : v.toPrecision(3);
}

/**
 * Renders loss and accuracy against epoch as an SVG document (two panels, 800×320). Non-finite
 * values are skipped.
 *
 * @example
 * ```ts
 * writeFileSync('curve.svg', trainingCurveSvg(history.map((h) => ({ epoch: h.epoch + 1, trainLoss: h.trainLoss, valAcc: h.valAcc }))));
 * ```
 */
export function trainingCurveSvg(points: readonly CurvePoint[], title = 'training curve'): string {
  const W = 800;
  const H = 320;
  const pad = { l: 56, r: 16, t: 36, b: 40 };
  const panelW = (W - 2 * (pad.l + pad.r)) / 2;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${escapeXml(title)}</text>`,
  ];
  const xs = points.map((p) => p.epoch);
  const xMin = 0;
  const xMax = Math.max(Math.ceil(Math.max(...xs, 0)), 1);
  for (const panel of [0, 1] as const) {
    const x0 = pad.l + panel * (panelW + pad.l + pad.r);
    const y0 = pad.t;
    const h = H - pad.t - pad.b;
    const series = SERIES.filter((s) => s.panel === panel);
    const vals = series.flatMap((s) => points.map((p) => p[s.key] as number | undefined)).filter((v): v is number => v !== undefined && Number.isFinite(v));
    let yMin = panel === 1 ? 0 : Math.min(...vals, Infinity);
    let yMax = panel === 1 ? 1 : Math.max(...vals, -Infinity);
    if (!Number.isFinite(yMin) || !Number.isFinite(yMax)) [yMin, yMax] = [0, 1];
    if (yMax - yMin < 1e-12) yMax = yMin + 1;
    const sx = (x: number) => x0 + ((x - xMin) / (xMax - xMin)) * panelW;
    const sy = (y: number) => y0 + h - ((y - yMin) / (yMax - yMin)) * h;
    out.push(`<rect x="${x0}" y="${y0}" width="${panelW}" height="${h}" fill="none" stroke="#999"/>`);
    out.push(`<text x="${x0 + panelW / 2}" y="${H - 8}" text-anchor="middle">epoch</text>`);
    for (let i = 0; i <= 4; i++) {
      const y = yMin + ((yMax - yMin) * i) / 4;
      out.push(`<line x1="${x0}" x2="${x0 + panelW}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="#eee"/>`);
      out.push(`<text x="${x0 - 4}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${niceNumber(y)}</text>`);
    }
    out.push(`<text x="${x0}" y="${y0 + h + 14}">${xMin}</text><text x="${x0 + panelW}" y="${y0 + h + 14}" text-anchor="end">${xMax}</text>`);
    series.forEach((s, i) => {
      const pts = points
        .filter((p) => p[s.key] !== undefined && Number.isFinite(p[s.key] as number))
        .map((p) => `${sx(p.epoch).toFixed(1)},${sy(p[s.key] as number).toFixed(1)}`);
      if (pts.length) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.join(' ')}"><title>${s.label}</title></polyline>`);
      out.push(`<text x="${x0 + 8}" y="${y0 + 14 + 14 * i}" fill="${s.color}">${s.label}</text>`);
    });
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
