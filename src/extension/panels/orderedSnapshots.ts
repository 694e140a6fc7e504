/**
 * A panel's snapshots made and delivered one at a time. Two made at once could be delivered in the
 * wrong order (the older one's data source answering last), and the page would show the older
 * state after the newer one until the next change. So a snapshot asked for while one is being
 * made waits for it, and one more is made after it, shared by everyone who asked meanwhile: the
 * last delivery is always the newest state, a burst of refreshes costs two snapshots, and a
 * steady stream of them cannot starve delivery (each one made is delivered).
 */
export function orderedSnapshots<Snapshot>(options: {
  readonly make: () => Promise<Snapshot>;
  readonly deliver: (snapshot: Snapshot) => Promise<void> | void;
  /** A snapshot that could not be made or delivered; the next one is still made. */
  readonly onError: (error: unknown) => void;
}): { request(): Promise<void> } {
  let inFlight: Promise<void> | undefined;
  let isAskedAgain = false;
  const makeUntilSettled = async () => {
    do {
      isAskedAgain = false;
      try {
        await options.deliver(await options.make());
      } catch (error) {
        options.onError(error);
      }
    } while (isAskedAgain);
  };
  return {
    /** Resolves once a snapshot made after this call was delivered (or failed). */
    request() {
      if (inFlight) {
        isAskedAgain = true;
        return inFlight;
      }
      const run = makeUntilSettled().finally(() => {
        inFlight = undefined;
      });
      inFlight = run;
      return run;
    },
  };
}
