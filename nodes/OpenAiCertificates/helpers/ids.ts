/**
 * IDs become URL path segments. One rule decides which strings may, so no input can make the node
 * call another path or host: trimmed, non-empty, not `.`/`..`, at most 200 characters, and none of
 * `/ \ ? # %`, whitespace, control characters or malformed Unicode. Every segment the transport sends passes this rule.
 */
const FORBIDDEN_CHARACTERS = /[/\\?#%\s\u2028\u2029]/u;
const MAX_ID_LENGTH = 200;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function idProblem(id: string): string | undefined {
	if (id === '') return 'it is empty';
	if (id === '.' || id === '..') return 'it is a relative path segment';
	if (id.length > MAX_ID_LENGTH) return `it is longer than ${MAX_ID_LENGTH} characters`;
	// Malformed Unicode (a lone surrogate) cannot be sent in a URL at all.
	const lone = LONE_SURROGATE.exec(id);
	if (lone) {
		return `it contains malformed Unicode (a lone surrogate U+${lone[0].charCodeAt(0).toString(16).toUpperCase()})`;
	}
	const character = [...id].find((c) => isControlCharacter(c) || FORBIDDEN_CHARACTERS.test(c));
	if (character === undefined) return undefined;
	const shown =
		isControlCharacter(character) || /\s/u.test(character)
			? `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
			: `"${character}"`;
	return `it contains ${shown}, which is not allowed in an ID`;
}

function isControlCharacter(character: string): boolean {
	const code = character.codePointAt(0)!;
	return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** Trims a raw ID and returns it, or a reason it is refused. */
export function parseId(raw: unknown): { id: string } | { problem: string } {
	if (raw === undefined || raw === null) return { problem: 'it is empty' };
	if (typeof raw !== 'string' && typeof raw !== 'number') {
		return { problem: `it is a ${Array.isArray(raw) ? 'list' : typeof raw}, not text` };
	}
	const id = String(raw).trim();
	const problem = idProblem(id);
	return problem === undefined ? { id } : { problem };
}

/** A short, printable rendering of a refused value for error messages. */
export function showValue(raw: unknown): string {
	const text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
	const printable = [...text]
		.map((c) =>
			isControlCharacter(c) || c === '\u2028' || c === '\u2029' || LONE_SURROGATE.test(c) ? '?' : c,
		)
		.join('');
	return printable.length > 60 ? `${printable.slice(0, 57)}...` : printable;
}

/** Splits a list of IDs given as comma-separated text, an array, or one ID; drops duplicates. */
export function splitIdList(raw: unknown): unknown[] {
	const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw];
	const seen = new Set<string>();
	const result: unknown[] = [];
	for (const value of values) {
		if (typeof value === 'string' && value.trim() === '' && typeof raw === 'string') continue;
		const key =
			typeof value === 'string' || typeof value === 'number'
				? String(value).trim()
				: JSON.stringify(value);
		if (seen.has(key)) continue;
		seen.add(key);
		result.push(value);
	}
	return result;
}
