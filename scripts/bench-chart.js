#!/usr/bin/env node
'use strict';
/**
 * The benchmark's results as a chart and as tables (plain string building, no dependencies):
 *   - renderChart: an SVG heat map of the grid, one panel per number of processes, a row per plan
 *     and limit model, a column per N, job time and round trip; each cell shows the node's wall ÷
 *     the API's lower bound, green when its wall-time target is met, red when missed;
 *   - markdownTables: the README's table (a few cells users recognise), a compact summary per
 *     plan and limit model, the whole grid and the extras.
 *   node scripts/bench-chart.js [bench/results/latest.json] [docs/bench.svg]   # chart + tables
 */
const fs = require('fs');
const path = require('path');

const { GRID, TARGETS } = require('./bench-lib');

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fixed = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(d));
const COUNTS = { submits: 'only submits count', all: 'every request counts' };
const ok = (row) => row.node && !row.node.failed;

/** Short marks of the targets a cell missed (besides wall time, which the colour shows). */
function missedMarks(row) {
	if (!row.targets) return '';
	const t = row.targets;
	return [!t.per429.met && '429', !t.requests.met && 'req', !t.noTimeoutLoss.met && 'lost', t.handled && !t.handled.met && 'rej'].filter(Boolean).join(' ');
}

function renderChart(results) {
	const cells = results.cells || [];
	const axes = GRID;
	const columns = [];
	for (const n of axes.sizes) for (const jobS of axes.jobs) for (const latencyMs of axes.latencies) columns.push({ n, jobS, latencyMs });
	const rows = [];
	for (const plan of [...axes.plans].sort((a, b) => b - a)) for (const counts of axes.counts) rows.push({ plan, counts });
	const cw = 46;
	const ch = 30;
	const labelW = 150;
	const panelW = labelW + columns.length * cw + 20;
	const top = 104;
	const width = panelW * axes.processes.length + 10;
	const height = top + rows.length * ch + 96;
	const m = results.meta;
	const parts = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
		'<style>.title{font-size:13px;font-weight:600}.h{font-size:10px;text-anchor:middle;fill:#333}.row{font-size:10.5px;text-anchor:end;fill:#111}' +
			'.v{font-size:10px;text-anchor:middle;font-weight:600}.m{font-size:7.5px;text-anchor:middle;fill:#7f1d1d}.note{font-size:10px;fill:#555}.legend{font-size:10.5px}</style>',
		'<rect width="100%" height="100%" fill="#fff"/>',
		`<text x="12" y="20" font-size="15" font-weight="600">Segmind face-to-many node, defaults: wall time ÷ the API's lower bound</text>`,
		`<text x="12" y="38" class="note">${esc(
			`emulated Segmind, jobs mean ± ${m.settings.spread * 100}%, 60 s windows, compressed clock (per cell); ${m.date.slice(0, 10)}, ${m.commit || ''}, Node ${m.node}, ${m.cpus} cores; npm run bench`,
		)}</text>`,
	];
	axes.processes.forEach((processes, pi) => {
		const x0 = 10 + pi * panelW;
		parts.push(`<text x="${x0}" y="52" class="title">${processes === 1 ? '1 process' : `${processes} processes sharing the key (queue mode), N items each`}</text>`);
		// Three header rows: N, job time, round trip (each spanning the columns below it).
		const span = (key, from) => {
			let to = from;
			while (to + 1 < columns.length && columns.slice(from, to + 2).every((c) => key(c) === key(columns[from]))) to++;
			return to;
		};
		const header = (key, label, y, line) => {
			for (let ci = 0; ci < columns.length; ) {
				const to = span(key, ci);
				const x1 = x0 + labelW + ci * cw;
				const x2 = x0 + labelW + (to + 1) * cw;
				parts.push(`<text x="${(x1 + x2) / 2}" y="${y}" class="h">${esc(label(columns[ci]))}</text>`);
				if (line) parts.push(`<line x1="${x1 + 3}" x2="${x2 - 3}" y1="${y + 3}" y2="${y + 3}" stroke="#bbb"/>`);
				ci = to + 1;
			}
		};
		header((c) => c.n, (c) => `N = ${c.n}`, top - 34, true);
		header((c) => `${c.n}/${c.jobS}`, (c) => `jobs ${c.jobS} s`, top - 20, true);
		header((c) => `${c.n}/${c.jobS}/${c.latencyMs}`, (c) => `${c.latencyMs} ms`, top - 6, false);
		rows.forEach((r, ri) => {
			const y = top + ri * ch;
			parts.push(`<text x="${x0 + labelW - 6}" y="${y + ch / 2 + 4}" class="row">${esc(`${r.plan}/min, ${r.counts === 'all' ? 'all count' : 'submits count'}`)}</text>`);
			columns.forEach((c, ci) => {
				const x = x0 + labelW + ci * cw;
				const row = cells.find(
					(cell) => cell.cell.processes === processes && cell.cell.plan === r.plan && cell.cell.counts === r.counts && cell.cell.n === c.n && cell.cell.jobS === c.jobS && cell.cell.latencyMs === c.latencyMs,
				);
				let fill = '#f3f4f6';
				let text = '';
				let tip = 'not run';
				if (row && row.node && row.node.failed) {
					fill = '#9ca3af';
					text = 'fail';
					tip = row.node.failed;
				} else if (row && ok(row)) {
					const met = row.targets && row.targets.wall.met;
					fill = row.node.lost ? '#b91c1c' : met ? '#86efac' : row.node.wallOverLb <= 2 ? '#fca5a5' : '#f87171';
					text = row.node.lost ? `−${row.node.lost}` : fixed(row.node.wallOverLb, row.node.wallOverLb >= 10 ? 0 : row.node.wallOverLb >= 3 ? 1 : 2);
					tip = `${row.id}: ${fixed(row.node.wallS, 1)} s, LB ${fixed(row.lowerBoundS, 1)} s${row.naive && row.naive.wallS ? `, naive ${fixed(row.naive.wallS, 1)} s` : ''}, ${row.node.done}/${row.node.n} done, ${fixed(row.node.requestsPerJob, 1)} req/job, ${row.node.rateLimited} × 429`;
				}
				parts.push(`<rect x="${x + 1}" y="${y + 1}" width="${cw - 2}" height="${ch - 2}" fill="${fill}"><title>${esc(tip)}</title></rect>`);
				if (text) parts.push(`<text x="${x + cw / 2}" y="${y + 14}" class="v"${row.node && row.node.lost ? ' fill="#fff"' : ''}>${esc(text)}</text>`);
				const marks = row ? missedMarks(row) : '';
				if (marks) parts.push(`<text x="${x + cw / 2}" y="${y + 25}" class="m"${row.node && row.node.lost ? ' fill="#fff"' : ''}>${esc(marks)}</text>`);
			});
		});
	});
	const ly = top + rows.length * ch + 26;
	const legend = [
		['#86efac', `wall ≤ ${TARGETS.wallFactor} × LB (or × the naive loop)`],
		['#fca5a5', 'missed, ≤ 2 × LB'],
		['#f87171', 'missed, > 2 × LB'],
		['#b91c1c', '−k: items lost'],
		['#f3f4f6', 'not run'],
	];
	let lx = 12;
	for (const [colour, label] of legend) {
		parts.push(`<rect x="${lx}" y="${ly - 10}" width="14" height="12" fill="${colour}" stroke="#ccc"/><text x="${lx + 18}" y="${ly}" class="legend">${esc(label)}</text>`);
		lx += 30 + label.length * 5.6;
	}
	parts.push(
		`<text x="12" y="${ly + 20}" class="note">${esc(`Small marks: other targets missed: 429 (> ${TARGETS.per429Change} × 429 per process per change of its share), req (> ${TARGETS.requestsPerJob} requests a job), lost (items lost although the bound fits in the 600 s Timeout), rej (promises rejected unobserved).`)}</text>`,
		`<text x="12" y="${ly + 36}" class="note">${esc('Columns: N items per process, mean job time (± 30 %), round trip. Lower bound from the API alone: jobs in flight at once, the k-th job created no earlier than its submit window, ≥ 3 counted requests a job when every request counts, 3 round trips after the last job.')}</text>`,
		'</svg>',
	);
	return `${parts.join('\n')}\n`;
}

/** The whole grid, one row per cell. */
function gridTable(results) {
	const lines = [
		'| plan | counted | N | jobs | RTT | P | LB (s) | node (s) | ÷ LB | naive (s) | node ÷ naive | req/job | 429s (worst per process per change) | lost (timed out) | billed, not delivered | clock | targets missed |',
		'|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
	];
	for (const row of results.cells) {
		const c = row.cell;
		const n = row.node;
		const nv = row.naive;
		const naive = !nv ? '' : nv.skipped ? 'not run' : nv.failed ? 'failed' : `${fixed(nv.wallS, 1)}${nv.lost ? ` (${nv.lost} lost)` : ''}`;
		const vsNaive = n && !n.failed && nv && nv.wallS && !nv.lost ? fixed(n.wallS / nv.wallS) : '';
		const missed = row.targets
			? [
					!row.targets.wall.met && 'wall',
					!row.targets.per429.met && '429',
					!row.targets.requests.met && 'requests',
					!row.targets.noTimeoutLoss.met && 'lost',
					row.targets.handled && !row.targets.handled.met && `${row.node.unhandledRejections} unhandled rejections`,
				]
					.filter(Boolean)
					.join(', ') || '–'
			: '';
		lines.push(
			n && !n.failed
				? `| ${c.plan} | ${c.counts} | ${c.n} | ${c.jobS} s | ${c.latencyMs} ms | ${c.processes} | ${fixed(row.lowerBoundS, 1)} | ${fixed(n.wallS, 1)} | ${fixed(n.wallOverLb)} | ${naive} | ${vsNaive} | ${fixed(n.requestsPerJob, 1)} | ${n.rateLimited} (${fixed(n.max429PerChange, 1)}) | ${n.lost}${n.lostToTimeout ? ` (${n.lostToTimeout})` : ''} | ${n.billedNotDelivered} | ×${n.scale} | ${missed} |`
				: `| ${c.plan} | ${c.counts} | ${c.n} | ${c.jobS} s | ${c.latencyMs} ms | ${c.processes} | ${fixed(row.lowerBoundS, 1)} | ${n ? `failed: ${n.failed}` : ''} | | ${naive} | | | | | | | |`,
		);
	}
	return lines.join('\n');
}

/** Per plan and limit model: how many cells met the wall-time target, the spread of wall ÷ LB, losses, 429s, requests. */
function compactTable(results) {
	const lines = [
		'| plan | counted | cells | wall target met | wall ÷ LB, cells without losses: median (worst) | items lost (cells) | 429s per process per change (worst) | requests a job (worst) |',
		'|---:|---|---:|---:|---:|---:|---:|---:|',
	];
	const rows = results.cells.filter(ok);
	const plans = [...new Set(rows.map((r) => r.cell.plan))].sort((a, b) => a - b);
	for (const plan of plans) {
		for (const counts of ['submits', 'all']) {
			const group = rows.filter((r) => r.cell.plan === plan && r.cell.counts === counts);
			if (!group.length) continue;
			// A run that lost items ends early: its wall ÷ LB says nothing about speed.
			const ratios = group.filter((r) => !r.node.lost).map((r) => r.node.wallOverLb).sort((a, b) => a - b);
			const median = ratios.length ? ratios[Math.floor((ratios.length - 1) / 2)] : null;
			const lossy = group.filter((r) => r.node.lost);
			const lost = lossy.reduce((s, r) => s + r.node.lost, 0);
			const total = group.reduce((s, r) => s + r.node.n, 0);
			lines.push(
				`| ${plan}/min | ${COUNTS[counts]} | ${group.length} | ${group.filter((r) => r.targets && r.targets.wall.met).length} | ${ratios.length ? `${fixed(median)} (${fixed(ratios[ratios.length - 1])})` : '–'} | ${lost} of ${total}${lossy.length ? ` (${lossy.length})` : ''} | ${fixed(Math.max(...group.map((r) => r.node.max429PerChange)), 1)} | ${fixed(Math.max(...group.map((r) => r.node.requestsPerJob)), 1)} |`,
			);
		}
	}
	return lines.join('\n');
}

function extrasTable(results) {
	if (!results.extras || !results.extras.length) return '';
	const lines = ['| extra | wall (s) | ÷ LB | requests a job | 429s | done | peak RSS growth (MB) | ÷ image bytes |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
	for (const e of results.extras) {
		lines.push(
			e.failed
				? `| ${e.id} | failed: ${e.failed} | | | | | | |`
				: `| ${e.id} | ${fixed(e.wallS, 1)} | ${fixed(e.wallOverLb)} | ${fixed(e.requestsPerJob, 1)} | ${e.rateLimited} | ${e.done}/${e.n} | ${fixed(e.rssGrowthMb, 1)} | ${fixed(e.growthOverImageBytes)} |`,
		);
	}
	return lines.join('\n');
}

/** The README's table: wall ÷ LB of a few cells users recognise (200 ms round trips), per plan and limit model. */
function readmeTable(results) {
	const columns = [
		['1 item', { n: 1, jobS: 22, processes: 1 }],
		['1 item, 5 s job', { n: 1, jobS: 5, processes: 1 }],
		['32 items', { n: 32, jobS: 22, processes: 1 }],
		['32 items, 5 s jobs', { n: 32, jobS: 5, processes: 1 }],
		['3 workers × 32 items', { n: 32, jobS: 22, processes: 3 }],
		['300 items', { n: 300, jobS: 22, processes: 1 }],
	];
	const lines = [`| plan | ${columns.map(([label]) => label).join(' | ')} |`, `|---|${columns.map(() => '---:').join('|')}|`];
	for (const plan of [5, 50, 120, 1000]) {
		for (const counts of ['submits', 'all']) {
			const cells = columns.map(([, axes]) => {
				const row = results.cells.find((r) => ok(r) && r.cell.plan === plan && r.cell.counts === counts && r.cell.latencyMs === 200 && Object.entries(axes).every(([k, v]) => r.cell[k] === v));
				if (!row) return '';
				return row.node.lost ? `${row.node.lost} of ${row.node.n} lost` : fixed(row.node.wallOverLb);
			});
			if (cells.every((c) => !c)) continue;
			lines.push(`| ${plan}/min, ${COUNTS[counts]} | ${cells.join(' | ')} |`);
		}
	}
	return lines.join('\n');
}

function markdownTables(results) {
	return [readmeTable(results), compactTable(results), gridTable(results), extrasTable(results)].filter(Boolean).join('\n\n');
}

module.exports = { renderChart, markdownTables, readmeTable, gridTable, compactTable, extrasTable };

if (require.main === module) {
	const root = path.resolve(__dirname, '..');
	const input = path.resolve(root, process.argv[2] || 'bench/results/latest.json');
	const output = path.resolve(root, process.argv[3] || 'docs/bench.svg');
	const results = JSON.parse(fs.readFileSync(input, 'utf8'));
	fs.writeFileSync(output, renderChart(results));
	console.log(markdownTables(results));
	console.log(`\nWrote ${path.relative(root, output)}`);
}
