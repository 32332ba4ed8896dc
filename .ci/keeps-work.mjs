// Checks the README's promise that what a user builds in `npm start`'s editor survives Ctrl-C and the next start.
// Usage: node .ci/keeps-work.mjs <n8n port> build|check
//   build  signs in as the printed owner and saves a workflow, as a user would in the editor
//   check  signs in again and finds that workflow, and the example workflows exactly once each
import { readdirSync, readFileSync } from 'node:fs';

const [port, step] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}/rest`;
const NAME = 'Built in the editor before a restart';

async function signIn() {
	const response = await fetch(`${base}/login`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({
			emailOrLdapLoginId: 'owner@sandbox.local',
			password: 'Sandbox-Password-1',
		}),
	});
	if (!response.ok)
		throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
	return response.headers
		.getSetCookie()
		.map((cookie) => cookie.split(';')[0])
		.join('; ');
}

async function call(cookie, method, path, body) {
	const response = await fetch(`${base}${path}`, {
		method,
		headers: { 'Content-Type': 'application/json', cookie, 'browser-id': 'ci' },
		body: body && JSON.stringify(body),
	});
	if (!response.ok)
		throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
	return (await response.json()).data;
}

const cookie = await signIn();
if (step === 'build') {
	await call(cookie, 'POST', '/workflows', {
		name: NAME,
		nodes: [],
		connections: {},
		settings: {},
		active: false,
	});
	console.log(`saved the workflow "${NAME}"`);
} else {
	const names = (await call(cookie, 'GET', '/workflows')).map((workflow) => workflow.name);
	const examples = readdirSync('examples').map(
		(file) => JSON.parse(readFileSync(`examples/${file}`, 'utf8')).name,
	);
	const problems = [
		...(names.includes(NAME) ? [] : [`"${NAME}" is gone`]),
		...examples
			.filter((name) => names.filter((found) => found === name).length !== 1)
			.map(
				(name) => `example "${name}" found ${names.filter((found) => found === name).length} times`,
			),
	];
	if (problems.length)
		throw new Error(`after a restart: ${problems.join('; ')} (workflows: ${names.join(', ')})`);
	console.log(
		`after the restart: "${NAME}" is there and each of the ${examples.length} examples once`,
	);
}
