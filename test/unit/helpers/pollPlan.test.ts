import { DurationStats, JobDurations, PRIOR_JOB_MS, type DurationRange } from '../../../nodes/SegmindFaceToMany/helpers/jobDurations';
import { ADAPTIVE_CAP_UNITS, fitToDeadline, nextPollDelayMs, RESERVE_MAX_MS } from '../../../nodes/SegmindFaceToMany/helpers/pollPlan';

describe('adaptive polling schedule (simulated clock)', () => {
	const u = 1000;

	/** When each job is found done: checks on the schedule until the job's duration has passed. */
	function simulate(durations: number[], knowledge: (ms: number) => DurationRange | undefined, economical = false, random = Math.random) {
		return durations.map((duration) => {
			let t = 0;
			let checks = 0;
			while (t < duration) {
				t += nextPollDelayMs(t, checks, { unitMs: u, mode: 'adaptive', durations: knowledge(t), economical, random });
				checks++;
			}
			return { duration, foundAt: t, checks };
		});
	}

	const spread = (n: number, low: number, high: number) => Array.from({ length: n }, (_, k) => low + ((high - low) * k) / Math.max(1, n - 1));

	test('fixed mode: always the interval', () => {
		expect([0, 1, 5].map((checks) => nextPollDelayMs(checks * u, checks, { unitMs: u, mode: 'fixed' }))).toEqual([u, u, u]);
	});

	test('one job, nothing measured: the first check at the fast end of Segmind\'s 22 s, then found at most 10 % late', () => {
		expect(nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive' })).toBe(0.7 * PRIOR_JOB_MS);
		const runs = simulate(spread(40, 16_000, 60_000), () => undefined);
		for (const run of runs) expect(run.foundAt).toBeLessThanOrEqual(run.duration * 1.1);
		// A typical job costs 5 to 7 checks (the SDK: 23); a 60 s one 17, at most 10 poll intervals apart.
		expect(simulate([22_000], () => undefined)[0].checks).toBeLessThanOrEqual(7);
		expect(simulate([60_000], () => undefined)[0].checks).toBeLessThanOrEqual(17);
		expect(nextPollDelayMs(200_000, 30, { unitMs: u, mode: 'adaptive' })).toBe(ADAPTIVE_CAP_UNITS * u);
	});

	test('a batch: the first checks come when nearly all jobs are done, so the first wave costs about one check a job', () => {
		// 32 jobs of 22 s ± 20 %, all waiting on the key, nothing measured yet; each job draws where in
		// the top fifth of the share its first check falls: try the earliest, the latest and random draws.
		const durations = spread(32, 17_600, 26_400);
		for (const random of [() => 0, () => 0.999, Math.random]) {
			const runs = simulate(durations, () => ({ count: 0, waiting: 32 }), false, random);
			const checks = runs.reduce((sum, run) => sum + run.checks, 0);
			expect(checks).toBeLessThanOrEqual(38);
			// The batch is out when its slowest job is found: within 10 % of it.
			expect(Math.max(...runs.map((r) => r.foundAt))).toBeLessThanOrEqual(26_400 * 1.1);
		}
		// First checks are spread over 0.8 to 1 times the share.
		const at = (random: number) => nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: { count: 0, waiting: 32 }, random: () => random });
		expect(at(1) / at(0)).toBeCloseTo((0.7 + 0.6 * 0.8 * (31 / 33)) / (0.7 + 0.6 * (31 / 33)), 5);
		// The old schedule (first check after 2 s, then half the time waited) spent 6.5 a job here.
		// 8 jobs: about 1.2 a job; the more jobs wait, the later (nearer the slow end) the first check.
		const eight = simulate(spread(8, 17_600, 26_400), () => ({ count: 0, waiting: 8 }), false, () => 0.5);
		expect(eight.reduce((sum, run) => sum + run.checks, 0)).toBeLessThanOrEqual(12);
		const first = (n: number) => nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: { count: 0, waiting: n }, random: () => 0 });
		expect(first(1)).toBeLessThan(first(2));
		expect(first(8)).toBeLessThan(first(32));
		expect(first(1000)).toBeLessThanOrEqual(1.3 * PRIOR_JOB_MS);
	});

	test('learns from measured jobs of the key; a job found done at its first check only when it says the estimate was too high', () => {
		const stats = new DurationStats();
		const view = new JobDurations(stats, 10);
		// Found done at its first check, at 27 s: it took at most that, as assumed (22 s): nothing new.
		view.record({ doneAt: 27_000 });
		expect(view.range()).toMatchObject({ count: 0, waiting: 9, priorMs: PRIOR_JOB_MS });
		// A job of 20 s, within the prior's range: blended with it (the prior counting as one job)…
		const near = new JobDurations(new DurationStats(), 2);
		near.record({ runningAt: 19_000, doneAt: 21_000 });
		expect(nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: { ...near.range(), waiting: 1 }, random: () => 0 })).toBeCloseTo(0.7 * 21_000, 5);
		// …a job of 10 s, far outside it (running at 9 s, done at 11 s): the prior was wrong, the measured time alone counts…
		view.record({ runningAt: 9000, doneAt: 11_000 });
		const one = nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: { ...view.range(), waiting: 1 }, random: () => 0 });
		expect(one).toBeCloseTo(0.7 * 10_000, 5);
		// …and with three or more measured, uses their own range.
		for (let i = 0; i < 2; i++) view.record({ runningAt: 10_000 + i * 1000, doneAt: 10_000 + i * 1000 });
		expect(nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: { ...view.range(), waiting: 1 } })).toBe(9500);
		expect(nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: { ...view.range(), waiting: 1000 }, random: () => 0 })).toBeGreaterThan(10_000);
		view.close();
		expect(stats.waiting).toBe(0);
		// "Expected Job Time" replaces Segmind's 22 s as the prior.
		const own = new JobDurations(new DurationStats(), 1, 2000);
		expect(nextPollDelayMs(0, 0, { unitMs: 100, mode: 'adaptive', durations: own.range() })).toBe(1400);
	});

	test('learns downward: Segmind\'s own time, or half of the first check when it found the job done long before the estimate', () => {
		// Segmind reports 2.5 s for a job found done at its first check (15.4 s): that is what is learned.
		const reported = new DurationStats();
		reported.observe({ doneAt: 15_400, reportedMs: 2500 });
		expect(reported.range()).toMatchObject({ count: 1, mean: 2500 });
		// A reported time is fitted into what the checks prove: after the last "running", before "done".
		reported.observe({ runningAt: 4000, doneAt: 5000, reportedMs: 2500 });
		reported.observe({ runningAt: 1000, doneAt: 2000, reportedMs: 9000 });
		expect(reported.range()).toMatchObject({ min: 2000, max: 4000 });
		// Without a reported time: a job found done at 15.4 s when 22 s were assumed took at most
		// 15.4 s; half of it is recorded, and the next first check comes far earlier.
		const censored = new JobDurations(new DurationStats(), 3);
		const before = nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: censored.range(), random: () => 0 });
		censored.record({ doneAt: 15_400 });
		expect(censored.range()).toMatchObject({ count: 1, mean: 7700 });
		const after = nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: { ...censored.range(), waiting: 1 }, random: () => 0 });
		expect(after).toBeLessThan(0.7 * before);
		// Three editor runs of one 2.5 s job each, found done at their first check, bring the first
		// check from 15.4 s to within a second of the job (Segmind's metrics give its time).
		const runs = new DurationStats();
		const firstChecks: number[] = [];
		for (let run = 0; run < 4; run++) {
			const view = new JobDurations(runs, 1);
			const first = nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: view.range(), random: () => 0 });
			firstChecks.push(first);
			view.record({ doneAt: Math.max(first, 2500), reportedMs: 2500 });
			view.close();
		}
		expect(firstChecks[0]).toBe(0.7 * PRIOR_JOB_MS);
		expect(firstChecks[3]).toBeLessThan(3500);
	});

	test('when checks are scarce: one job first checked at the typical time, then 20 % of the time waited', () => {
		const scarce = { unitMs: u, mode: 'adaptive' as const, economical: true, random: () => 0 };
		expect(nextPollDelayMs(0, 0, scarce)).toBe(PRIOR_JOB_MS);
		expect(nextPollDelayMs(22_000, 1, scarce)).toBe(4400);
		const runs = simulate(spread(20, 15_400, 28_600), () => undefined, true, () => 0);
		for (const run of runs) expect(run.checks).toBeLessThanOrEqual(3);
	});

	test('durations keep the recent 20 and give percentiles', () => {
		const durations = new DurationStats();
		expect(durations.range()).toEqual({ count: 0, waiting: 1 });
		for (let i = 1; i <= 30; i++) durations.record(i * 1000);
		durations.record(0); // ignored
		expect(durations.range()).toMatchObject({ count: 20, low: 15_000, median: 21_000, high: 27_000, min: 11_000, max: 30_000 });
	});

	test('deadlines first: the first check by halfway to the last useful moment, a check at it at the latest, never at the deadline', () => {
		// Timeout 8 s: a fifth (1.6 s) is kept for the result and the download; the plan said 15.4 s.
		expect(fitToDeadline(15_400, { now: 0, checks: 0, startedAt: 0, deadline: 8000 })).toBe(3200);
		// Later checks land at 6.4 s at the latest, then go on until the deadline.
		expect(fitToDeadline(5000, { now: 3200, checks: 1, startedAt: 0, deadline: 8000 })).toBe(3200);
		expect(fitToDeadline(5000, { now: 6400, checks: 2, startedAt: 0, deadline: 8000 })).toBe(1600);
		// The reserve is at most 5 s; with a long Timeout the plan stands.
		expect(fitToDeadline(22_000, { now: 0, checks: 0, startedAt: 0, deadline: 600_000 })).toBe(22_000);
		expect(fitToDeadline(1_000_000, { now: 590_000, checks: 3, startedAt: 0, deadline: 600_000 })).toBe(10_000 - RESERVE_MAX_MS);
		// Past the deadline: no wait.
		expect(fitToDeadline(1000, { now: 9000, checks: 1, startedAt: 0, deadline: 8000 })).toBe(0);
	});
});
