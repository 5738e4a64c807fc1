// A time limit per delivery, and the daemon's own stop signal, as one AbortSignal: whichever comes first
// ends the attempt with a reason a clerk can read.

export class DeliveryStoppedError extends Error {}

/**
 * Runs `work` with a signal that aborts after `timeoutMs` or when `outer` aborts, and settles as soon as
 * either happens even if `work` ignores its signal (nodemailer cannot be cancelled mid-send).
 */
export async function withDeadline<T>(
  work: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  outer?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DeliveryStoppedError(`no answer within ${formatSeconds(timeoutMs)}`)),
    timeoutMs,
  );
  const onOuterAbort = (): void =>
    controller.abort(new DeliveryStoppedError('cancelled: coffer is stopping'));
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  const stopped = new Promise<never>((_, reject) => {
    const fail = (): void => reject(controller.signal.reason as Error);
    if (controller.signal.aborted) fail();
    else controller.signal.addEventListener('abort', fail, { once: true });
  });
  const running = controller.signal.aborted ? stopped : work(controller.signal);
  // whichever loses the race may still settle later; nobody is waiting for it then
  running.catch(() => {});
  stopped.catch(() => {});
  try {
    return await Promise.race([running, stopped]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
