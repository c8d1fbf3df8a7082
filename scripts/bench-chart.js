#!/usr/bin/env node
'use strict';
/**
 * Renders the benchmark results as an SVG (plain string building, no dependencies): one row per
 * rate-limit model, grouped bars per N and strategy for wall ÷ lower bound and keyed requests per job.
 *   node scripts/bench-chart.js [bench/results/latest.json] [docs/bench.svg]
 */
const fs = require('fs');
const path = require('path');

const COLOURS = { node: '#2563eb', sdk: '#9ca3af', naive: '#f59e0b' };
const SHORT = { node: '(a) node', sdk: '(b) SDK run_async', naive: '(c) naive' };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v) => Math.round(v * 10) / 10;

function niceMax(v) {
	if (!(v > 0)) return 1;
	const p = 10 ** Math.floor(Math.log10(v));
	for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
	return 10 * p;
}

/**
 * One panel: groups (N) of bars (strategies). `value(row)` gives the bar; `log` uses a
 * log10(1 + v) axis; `lines` are reference lines [{ at, label }].
 */
function panel({ x, y, width, height, title, rows, sizes, strategies, value, format, log = false, lines = [], hideLost = false }) {
	const out = [];
	const left = x + 40;
	const plotW = width - 48;
	const top = y + 28;
	const plotH = height - 60;
	const values = rows.filter((r) => !(hideLost && r.lost)).map(value).filter((v) => v !== null && v !== undefined && Number.isFinite(v));
	const refMax = Math.max(0, ...lines.map((l) => l.at));
	const max = log ? niceMax(Math.max(1, ...values)) : niceMax(Math.max(refMax * 1.1, ...values));
	const scale = (v) => (log ? Math.log10(1 + v) / Math.log10(1 + max) : v / max);
	const yOf = (v) => top + plotH - Math.min(1, Math.max(0, scale(v))) * plotH;
	out.push(`<text x="${x + width / 2}" y="${y + 14}" class="title">${esc(title)}</text>`);
	const ticks = log
		? [0, ...Array.from({ length: Math.round(Math.log10(max)) + 1 }, (_, i) => 10 ** i)].filter((t) => t <= max)
		: Array.from({ length: 5 }, (_, i) => (max * i) / 4);
	for (const t of ticks) {
		const ty = yOf(t);
		out.push(`<line x1="${left}" x2="${left + plotW}" y1="${ty}" y2="${ty}" class="grid"/>`);
		out.push(`<text x="${left - 4}" y="${ty + 3}" class="tick" text-anchor="end">${esc(format(t, true))}</text>`);
	}
	const groupW = plotW / sizes.length;
	const barW = Math.min(22, (groupW - 10) / strategies.length);
	sizes.forEach((n, gi) => {
		const gx = left + gi * groupW + (groupW - barW * strategies.length) / 2;
		strategies.forEach((s, si) => {
			const row = rows.find((r) => r.size === n && r.strategy === s);
			if (!row) return;
			const v = value(row);
			const bx = gx + si * barW;
			if (row.lost && hideLost) {
				out.push(`<text x="${bx + barW / 2}" y="${top + plotH - 3}" class="lost">−${row.lost}<title>${esc(`${SHORT[s] || s}, N=${n}: ${row.lost} of ${n} lost`)}</title></text>`);
				return;
			}
			if (v === null || v === undefined || !Number.isFinite(v)) {
				out.push(`<text x="${bx + barW / 2}" y="${top + plotH - 3}" class="na">–</text>`);
				return;
			}
			const by = yOf(v);
			const clipped = !log && v > max;
			out.push(
				`<rect x="${bx + 1}" y="${by}" width="${barW - 2}" height="${Math.max(0.5, top + plotH - by)}" fill="${COLOURS[s] || '#666'}"${row.lost ? ' fill-opacity="0.45"' : ''}><title>${esc(`${SHORT[s] || s}, N=${n}: ${format(v)}${row.lost ? `, ${row.lost} of ${n} lost` : ''}`)}</title></rect>`,
			);
			out.push(`<text x="${bx + barW / 2}" y="${by - 3}" class="val">${esc(format(v))}${clipped ? '↑' : ''}</text>`);
			if (row.lost) out.push(`<text x="${bx + barW / 2}" y="${by - 13}" class="lost">−${row.lost}</text>`);
		});
		out.push(`<text x="${left + gi * groupW + groupW / 2}" y="${top + plotH + 14}" class="axis">${n === 'burst' ? 'burst 32×1' : `N=${n}`}</text>`);
	});
	for (const l of lines) {
		const ly = yOf(l.at);
		out.push(`<line x1="${left}" x2="${left + plotW}" y1="${ly}" y2="${ly}" class="ref"/>`);
		out.push(`<text x="${left + plotW}" y="${ly - 3}" class="reflabel" text-anchor="end">${esc(l.label)}</text>`);
	}
	out.push(`<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" class="base"/>`);
	return out.join('\n');
}

function renderChart(results) {
	const all = results.rows.filter((r) => r.binaryMode !== 'filesystem');
	const models = [...new Set(all.map((r) => r.model))];
	const sizes = [...new Set(all.map((r) => r.size))];
	const strategies = [...new Set(all.map((r) => r.strategy))];
	const modelNames = results.meta.models || {};
	const s = results.meta.settings;
	const width = 1000;
	const panelW = width / 2;
	const panelH = 230;
	const height = 60 + models.length * (panelH + 10) + 60;
	const parts = [];
	parts.push(
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
		'<style>.title{font-size:13px;font-weight:600;text-anchor:middle}.tick{font-size:10px;fill:#555}.axis{font-size:11px;text-anchor:middle}' +
			'.val{font-size:8.5px;text-anchor:middle;fill:#333;paint-order:stroke;stroke:#fff;stroke-width:2px}.lost{font-size:9px;text-anchor:middle;fill:#dc2626;font-weight:600}.na{font-size:10px;text-anchor:middle;fill:#999}' +
			'.grid{stroke:#e5e7eb}.base{stroke:#333}.ref{stroke:#dc2626;stroke-dasharray:4 3}.reflabel{font-size:9px;fill:#dc2626;paint-order:stroke;stroke:#fff;stroke-width:3px}.legend{font-size:11px}.note{font-size:10px;fill:#555}</style>',
		'<rect width="100%" height="100%" fill="#fff"/>',
		`<text x="12" y="20" font-size="15" font-weight="600">Segmind face-to-many: ${esc(strategies.map((x) => SHORT[x] || x).join(' vs '))}</text>`,
		`<text x="12" y="38" class="note">${esc(
			`jobs ${s.jobSeconds} s ± ${s.spread * 100}%, clock ×${s.scale}; rate limit ${s.requestsPerMinute} per ${s.windowSeconds} s window; node with defaults; ` +
				`${results.meta.date.slice(0, 10)}, ${results.meta.commit || ''}, Node ${results.meta.node}, ${results.meta.cpus} cores`,
		)}</text>`,
	);
	models.forEach((model, mi) => {
		const rows = all.filter((r) => r.model === model);
		const common = { y: 50 + mi * (panelH + 10), width: panelW - 10, height: panelH, rows, sizes, strategies };
		const name = modelNames[model] || model;
		parts.push(
			panel({
				...common,
				x: 0,
				title: `${name}: wall time ÷ lower bound`,
				value: (r) => r.wallOverLb,
				format: (v, tick) => (tick ? String(Math.round(v * 100) / 100) : v.toFixed(2)),
				lines: [{ at: 1.15, label: '1.15' }],
				hideLost: true,
			}),
			panel({
				...common,
				x: panelW,
				title: `${name}: keyed requests per job (log)`,
				value: (r) => r.keyedPerJob,
				format: (v) => num(v).toString(),
				log: true,
			}),
		);
	});
	const ly = height - 34;
	let lx = 12;
	for (const st of strategies) {
		parts.push(`<rect x="${lx}" y="${ly - 9}" width="12" height="10" fill="${COLOURS[st] || '#666'}"/>`);
		const label = (all.find((r) => r.strategy === st) || {}).label || st;
		parts.push(`<text x="${lx + 16}" y="${ly}" class="legend">${esc(label)}</text>`);
		lx += 16 + label.length * 6.2 + 18;
	}
	parts.push(`<text x="${lx}" y="${ly}" class="lost">−k</text><text x="${lx + 18}" y="${ly}" class="legend">items lost (no wall ÷ LB bar)</text>`);
	parts.push(
		`<text x="12" y="${ly + 20}" class="note">${esc('Lower bound from the API alone: all jobs in flight, the k-th job created no earlier than its submit window, ≥ 3 counted requests a job when every request counts. Reproduce: npm run bench')}</text>`,
	);
	parts.push('</svg>');
	return `${parts.join('\n')}\n`;
}

module.exports = { renderChart };

if (require.main === module) {
	const root = path.resolve(__dirname, '..');
	const input = path.resolve(root, process.argv[2] || 'bench/results/latest.json');
	const output = path.resolve(root, process.argv[3] || 'docs/bench.svg');
	fs.writeFileSync(output, renderChart(JSON.parse(fs.readFileSync(input, 'utf8'))));
	console.log(`Wrote ${path.relative(root, output)}`);
}
