import { balanceJson, creditFields, readBalance } from '../../../nodes/SegmindFaceToMany/actions/credits';

describe('readBalance (GET /v1/get-user-credits)', () => {
	it('adds free credits to paid credits', () => {
		expect(readBalance({ credits: 0, 'free-credits': 0.0184 })).toEqual({ total: 0.0184, credits: 0, freeCredits: 0.0184 });
		expect(readBalance({ credits: 12.3456, 'free-credits': 0.1 })?.total).toBe(12.4456);
	});

	it('reads numbers sent as text, and either field alone', () => {
		expect(readBalance({ credits: '2.5' })).toEqual({ total: 2.5, credits: 2.5, freeCredits: 0 });
		expect(readBalance({ free_credits: 1 })?.total).toBe(1);
	});

	it('is undefined when the answer has no balance', () => {
		expect(readBalance({ error: 'nope' })).toBeUndefined();
		expect(readBalance({ credits: 'n/a' })).toBeUndefined();
	});
});

describe('creditFields', () => {
	it('lifts cost and remaining_credits when they are numbers, and nothing else', () => {
		expect(creditFields({ inference_time: 1, cost: 0.0246, remaining_credits: '9.9754' })).toEqual({ cost: 0.0246, remaining_credits: 9.9754 });
	});

	it('gives both fields on every job, null when Segmind did not report them', () => {
		expect(creditFields({ inference_time: 1 })).toEqual({ cost: null, remaining_credits: null });
	});
});

describe('balanceJson (what Get Credit Balance returns)', () => {
	it('names the fields so an expression can read them ($json.free_credits), values unchanged', () => {
		expect(balanceJson({ credits: 0, 'free-credits': 0.0184 })).toEqual({ credits: 0, free_credits: 0.0184 });
	});
});
