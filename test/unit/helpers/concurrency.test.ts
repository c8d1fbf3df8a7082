import { mapWithConcurrency } from '../../../nodes/SegmindFaceToMany/helpers/concurrency';

describe('mapWithConcurrency', () => {
	it('runs at most `limit` workers at once and keeps results in input order', async () => {
		let active = 0;
		let peak = 0;
		const results = await mapWithConcurrency([30, 10, 20, 5, 15, 1], 2, async (ms, i) => {
			active++;
			peak = Math.max(peak, active);
			await new Promise((r) => setTimeout(r, ms));
			active--;
			return i;
		});
		expect(results).toEqual([0, 1, 2, 3, 4, 5]);
		expect(peak).toBe(2);
	});

	it('runs every item at once with a limit of 0 (no cap)', async () => {
		let active = 0;
		let peak = 0;
		await mapWithConcurrency([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 0, async (n) => {
			active++;
			peak = Math.max(peak, active);
			await new Promise((r) => setTimeout(r, 10));
			active--;
			return n;
		});
		expect(peak).toBe(12);
	});
});
