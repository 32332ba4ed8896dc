/** Certificate dates (Unix seconds, as the API gives them). Pure: "now" is an argument. */

export const SECONDS_PER_DAY = 86_400;

export function isExpired(expiresAt: number | undefined, nowSeconds: number): boolean {
	return expiresAt !== undefined && expiresAt <= nowSeconds;
}

/** Expires within `days` from now; already expired counts. */
export function expiresWithinDays(
	expiresAt: number | undefined,
	days: number,
	nowSeconds: number,
): boolean {
	return expiresAt !== undefined && expiresAt <= nowSeconds + days * SECONDS_PER_DAY;
}

/** Whole days until expiry, negative once expired (rounded down). */
export function daysUntil(expiresAt: number, nowSeconds: number): number {
	return Math.floor((expiresAt - nowSeconds) / SECONDS_PER_DAY);
}
