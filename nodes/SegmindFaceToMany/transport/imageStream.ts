/**
 * Watching a streamed response body (an image download or a v1 answer) as it arrives, in constant
 * memory: bytes over the cap end it at once, the image type is read from the first bytes, and an
 * image that ends before it is whole (PNG without IEND, JPEG without EOI, WebP shorter than its
 * RIFF size) ends in an error instead of a clean end, so whoever stores it fails too.
 *
 * n8n's community-node rules allow no `stream` import, so instead of piping through a Transform
 * the watch wraps the body's own `push()` (which the HTTP parser, or a decompressor, calls for
 * every chunk): what it refuses never enters the stream's buffer.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { detectImageType, ImageCompleteness, type ImageType } from '../helpers/image';

/** What n8n's prepareBinaryData accepts (a Buffer or a Readable). */
export type BinarySource = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

interface PushableBody {
	push(chunk: unknown, encoding?: BufferEncoding): boolean;
	unshift(chunk: unknown): void;
	read(): unknown;
	destroy(error?: Error): unknown;
	on(event: string, listener: (...args: unknown[]) => void): unknown;
	/** Node's readable state: `ended` once the last chunk was pushed. */
	_readableState?: { ended?: boolean };
}

export type WatchEnd =
	| { reason: 'tooLarge'; bytes: number }
	| { reason: 'incomplete'; problem: string }
	| { reason: 'stopped' };

/** A streamed body as n8n hands it over: a Readable (not imported: n8n's rules allow no `stream` import). */
export type StreamBody = Exclude<BinarySource, Buffer> & PushableBody;

export function isStreamBody(body: unknown): body is StreamBody {
	const b = body as Partial<PushableBody> | null | undefined;
	return !!b && typeof b.push === 'function' && typeof b.destroy === 'function' && typeof b.on === 'function';
}

export class BodyWatch {
	private count = 0;

	private readonly early: Buffer[] = [];

	private earlyBytes = 0;

	private checker?: ImageCompleteness;

	private finished = false;

	/** Why the body was cut short by the watch (undefined: it was not). */
	ended?: WatchEnd;

	/** The body failed on its own (connection cut, server closed early). */
	broken = false;

	private waiters: Array<() => void> = [];

	constructor(
		private readonly body: PushableBody,
		private readonly maxBytes: number,
	) {
		const push = body.push.bind(body);
		// Errors are read from `ended`/`broken`; a listener keeps an early error from crashing the process.
		body.on('error', () => {
			this.broken = true;
			this.wake();
		});
		body.on('close', () => {
			if (!this.finished) this.broken = true;
			this.wake();
		});
		body.push = (chunk: unknown, encoding?: BufferEncoding) => {
			if (this.ended) return false;
			if (chunk === null || chunk === undefined) {
				const problem = this.checker?.problem();
				if (problem) {
					this.stop({ reason: 'incomplete', problem });
					return false;
				}
				this.finished = true;
				this.wake();
				return push(null);
			}
			const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, encoding);
			return this.see(bytes) ? push(chunk, encoding) : false;
		};
		// What arrived before the watch began (often the whole of a small answer) is taken out,
		// counted and put back in front.
		const ended = body._readableState?.ended === true;
		const before: Buffer[] = [];
		for (let chunk = body.read(); chunk !== null && chunk !== undefined; chunk = body.read()) {
			before.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
		}
		if (before.length) {
			const bytes = Buffer.concat(before);
			if (this.see(bytes)) body.unshift(bytes);
		}
		if (ended && !this.ended) this.finished = true;
	}

	/** Count and keep track of bytes passing; false (and the body ended) when over the cap. */
	private see(bytes: Buffer): boolean {
		this.count += bytes.length;
		if (this.count > this.maxBytes) {
			this.stop({ reason: 'tooLarge', bytes: this.count });
			return false;
		}
		if (this.checker) this.checker.push(bytes);
		else if (this.earlyBytes < 65536) {
			this.early.push(bytes);
			this.earlyBytes += bytes.length;
		}
		this.wake();
		return true;
	}

	get bytes(): number {
		return this.count;
	}

	/** True once the body ended cleanly (every byte passed the checks). */
	get complete(): boolean {
		return this.finished && !this.ended;
	}

	/** The first bytes seen (up to 64 KB), for sniffing and for error texts. */
	head(): Buffer {
		return Buffer.concat(this.early);
	}

	/** Resolves once `n` bytes arrived, or the body ended, failed or was cut. */
	async waitFor(n: number): Promise<void> {
		while (this.earlyBytes < n && !this.finished && !this.ended && !this.broken && !this.checker) {
			await new Promise<void>((resolve) => this.waiters.push(resolve));
		}
	}

	/** The image type of the first bytes; from now on the image is checked whole as it passes. */
	sniff(): ImageType | undefined {
		const type = detectImageType(this.head());
		if (type) {
			this.checker = new ImageCompleteness(type);
			for (const bytes of this.early) this.checker.push(bytes);
			this.early.length = 0;
			// A body that already ended was pushed through before the type was known: check it now.
			if (this.finished) {
				const problem = this.checker.problem();
				if (problem) this.stop({ reason: 'incomplete', problem });
			}
		}
		return type;
	}

	/** End the body with an error (its reader fails), e.g. at a deadline or a cancel. */
	stop(end: WatchEnd): void {
		if (this.ended) return;
		this.ended = end;
		this.body.destroy(new Error(`download stopped: ${end.reason}`));
		this.wake();
	}

	private wake(): void {
		const waiters = this.waiters;
		this.waiters = [];
		for (const resolve of waiters) resolve();
	}
}
