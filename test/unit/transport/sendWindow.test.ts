import { MAX_IN_FLIGHT, SendWindow, STALL_MS, START_IN_FLIGHT } from '../../../nodes/SegmindFaceToMany/transport/sendWindow';

describe('requests in flight (slow start)', () => {
	test('starts small, grows by one per clean answer up to the cap, halves on a 429; a stalled answer frees its place', () => {
		const window = new SendWindow();
		expect(window.limit).toBe(START_IN_FLIGHT);
		const slots = [window.enter(0), window.enter(0)];
		expect(window.delayMs(0)).toBe(STALL_MS);
		for (const slot of slots) window.leave(slot, 'clean');
		expect(window.limit).toBe(START_IN_FLIGHT + 2);
		window.leave(window.enter(0), 'rateLimited');
		expect(window.limit).toBe(Math.floor((START_IN_FLIGHT + 2) / 2));
		window.leave(window.enter(0), 'failed');
		expect(window.limit).toBe(Math.floor((START_IN_FLIGHT + 2) / 2));
		for (let i = 0; i < 500; i++) window.leave(window.enter(0), 'clean');
		expect(window.limit).toBe(MAX_IN_FLIGHT);
		// Wide (limit and window known): up to MAX_IN_FLIGHT whatever the window's size.
		const small = new SendWindow();
		for (let i = 0; i < 10; i++) small.enter(0);
		expect(small.delayMs(0)).toBeGreaterThan(0);
		expect(small.delayMs(0, true)).toBe(0);
		expect(small.delayMs(STALL_MS)).toBe(0);
	});
});
