'use strict';
/**
 * A tiny OpenAI-compatible chat model on 127.0.0.1 for the editor test: n8n's OpenAI Chat Model
 * (Base URL in its credential) talks to it as to OpenAI's Chat Completions API.
 *
 * It plays a model that uses the one tool it is offered: the first turn answers with a call of
 * that tool, its arguments filled from the tool's own JSON schema (whatever names n8n gave the
 * $fromAI keys: a key about a URL gets `photoUrl`, one about the style `style`, one about the
 * prompt `prompt`); once the tool has answered, it replies with a final text quoting the tool's
 * answer. It records every request, so a test can see what the agent offered and sent.
 */
const http = require('http');

function createChatModel({ photoUrl, style = 'video game', prompt = 'a smiling person' }) {
	const requests = [];
	const sockets = new Set();
	let url = '';

	/** Arguments for the offered tool, from its parameter schema. */
	function argumentsFor(tool) {
		const properties = (tool.function.parameters && tool.function.parameters.properties) || {};
		const args = {};
		for (const key of Object.keys(properties)) {
			if (/url|image|photo/i.test(key)) args[key] = photoUrl;
			else if (/style/i.test(key)) args[key] = style;
			else if (/prompt/i.test(key)) args[key] = prompt;
		}
		return args;
	}

	function answer(body) {
		const tools = body.tools || [];
		const toolResult = (body.messages || []).filter((m) => m.role === 'tool').pop();
		if (!toolResult && tools.length) {
			const tool = tools[0];
			return {
				message: {
					role: 'assistant',
					content: null,
					tool_calls: [
						{ id: 'call_segmind_1', type: 'function', function: { name: tool.function.name, arguments: JSON.stringify(argumentsFor(tool)) } },
					],
				},
				finish_reason: 'tool_calls',
			};
		}
		const said = toolResult ? (typeof toolResult.content === 'string' ? toolResult.content : JSON.stringify(toolResult.content)) : '';
		return { message: { role: 'assistant', content: `Done. The tool answered: ${said}` }, finish_reason: 'stop' };
	}

	function sendJson(res, status, json) {
		const text = JSON.stringify(json);
		res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
		res.end(text);
	}

	function completion(res, body) {
		const { message, finish_reason } = answer(body);
		const base = { id: `chatcmpl-${requests.length}`, created: Math.floor(Date.now() / 1000), model: body.model || 'fake-model' };
		if (!body.stream) {
			return sendJson(res, 200, {
				...base,
				object: 'chat.completion',
				choices: [{ index: 0, message, finish_reason, logprobs: null }],
				usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
			});
		}
		// Streamed (server-sent events), as OpenAI streams a turn: the message in one delta, then the end.
		res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
		const chunk = (delta, reason = null) =>
			res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: reason }] })}\n\n`);
		const delta = { role: 'assistant', content: message.content ?? null };
		if (message.tool_calls) delta.tool_calls = message.tool_calls.map((call, index) => ({ index, ...call }));
		chunk(delta);
		chunk({}, finish_reason);
		res.write('data: [DONE]\n\n');
		res.end();
	}

	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			let body;
			try {
				body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
			} catch {
				body = undefined;
			}
			const path = req.url.split('?')[0];
			requests.push({ method: req.method, path, body });
			if (req.method === 'GET' && /\/models$/.test(path)) {
				return sendJson(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'test' }] });
			}
			if (req.method === 'POST' && /\/chat\/completions$/.test(path)) return completion(res, body || {});
			sendJson(res, 404, { error: { message: `not here: ${req.method} ${path}` } });
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	return {
		requests,
		get url() {
			return url;
		},
		async start() {
			await new Promise((resolve, reject) => {
				server.once('error', reject);
				server.listen(0, '127.0.0.1', resolve);
			});
			url = `http://127.0.0.1:${server.address().port}`;
			return url;
		},
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

module.exports = { createChatModel };
