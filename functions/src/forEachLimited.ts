/**
 * Runs `work` over `items` with at most `limit` in flight and returns the results in the items'
 * order. Every item runs even after one fails, so nothing is left running behind the caller's
 * back; then the first failure (in item order) is thrown. Used wherever many independent,
 * latency-bound calls go out at once: load jobs, lake uploads, data-quality checks.
 */
export async function forEachLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i).then(
        (value) => ({ status: "fulfilled", value }) as const,
        (reason: unknown) => ({ status: "rejected", reason }) as const,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return results.map((r) => (r as PromiseFulfilledResult<R>).value);
}

/**
 * Runs two different pieces of work at once and returns both results, with `forEachLimited`'s
 * promise: a failure of either is thrown only once both have ended (the first's, if both fail).
 */
export async function both<A, B>(
  first: () => Promise<A>,
  second: () => Promise<B>,
): Promise<[A, B]> {
  const [a, b] = await forEachLimited<() => Promise<unknown>, unknown>([first, second], 2, (work) =>
    work(),
  );
  return [a as A, b as B];
}
