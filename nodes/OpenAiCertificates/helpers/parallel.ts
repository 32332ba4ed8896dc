/**
 * Running independent reads several at a time: at most `limit` calls in flight, results in the order
 * of the values. After a failure no new call is started; the first failure is thrown once the calls
 * in flight have settled (none is left running unobserved).
 */
export async function inParallel<T, R>(
	values: readonly T[],
	limit: number,
	call: (value: T) => Promise<R>,
): Promise<R[]> {
	const results: R[] = new Array(values.length);
	let next = 0;
	let failure: { error: unknown } | undefined;
	const worker = async () => {
		while (next < values.length && failure === undefined) {
			const index = next++;
			try {
				results[index] = await call(values[index]);
			} catch (error) {
				failure ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, values.length)) }, worker));
	if (failure !== undefined) throw failure.error;
	return results;
}
