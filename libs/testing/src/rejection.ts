/**
 * The error `work` rejects with, to assert on its class and message together; rejects itself (failing
 * the test) with "expected a rejection" if `work` resolves.
 */
export async function rejection(work: Promise<unknown>): Promise<Error> {
  return work.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
}
