/**
 * A cap on request-body bytes held in memory across all requests of one server process. Each
 * body reserves its bytes before they are buffered (its Content-Length up front, or chunk by chunk
 * when the length is unknown) and gives them back when its reply is finished. A request that does
 * not fit waits, oldest first, for at most `waitMs`; then it gets MLflow's TEMPORARILY_UNAVAILABLE
 * (503) with `Retry-After`, instead of the process running out of memory.
 *
 * @example
 * const budget = new BodyBudget(256 * 1024 * 1024);
 * const release = await budget.reserve(contentLength); // may throw BudgetExceeded after 10 s
 * try { ... } finally { release(); }
 */
import { MlfError } from '../lib/errors.js';

export const DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 256 * 1024 * 1024;
export const BODY_BUDGET_ENV = 'MLF_SERVER_MAX_BODY_BYTES_IN_FLIGHT';
const DEFAULT_WAIT_MS = 10_000;

/** 503 with the seconds a client should wait before retrying (sent as `Retry-After`). */
export class BudgetExceeded extends MlfError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('The server is busy reading other request bodies; retry later.', 'TEMPORARILY_UNAVAILABLE');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

interface Waiter {
  bytes: number;
  grant: () => void;
}

export class BodyBudget {
  private used = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    readonly limit: number,
    private readonly waitMs = DEFAULT_WAIT_MS,
  ) {}

  /** Bytes reserved now (for tests and figures). */
  get inFlight(): number {
    return this.used;
  }

  /**
   * Reserves `bytes` (a body larger than the whole budget waits until it is alone). Resolves to
   * the function that gives them back; calling it twice gives back once.
   */
  async reserve(bytes: number): Promise<() => void> {
    const n = Math.min(Math.max(0, bytes), this.limit);
    if (this.queue.length === 0 && this.used + n <= this.limit) {
      this.used += n;
      return this.releaser(n);
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        bytes: n,
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const i = this.queue.indexOf(waiter);
        if (i !== -1) this.queue.splice(i, 1);
        // Someone behind this waiter may fit now that it has left the queue.
        this.drain();
        reject(new BudgetExceeded(Math.max(1, Math.ceil(this.waitMs / 1000))));
      }, this.waitMs);
      timer.unref?.();
      this.queue.push(waiter);
    });
    return this.releaser(n);
  }

  private releaser(n: number): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.used -= n;
      this.drain();
    };
  }

  private drain(): void {
    while (this.queue.length > 0 && this.used + this.queue[0]!.bytes <= this.limit) {
      const w = this.queue.shift()!;
      this.used += w.bytes;
      w.grant();
    }
  }
}

/** The process's budget, from MLF_SERVER_MAX_BODY_BYTES_IN_FLIGHT (bytes) or 256 MiB. */
export function budgetFromEnv(env: NodeJS.ProcessEnv = process.env): BodyBudget {
  const raw = env[BODY_BUDGET_ENV];
  if (raw === undefined || raw === '') return new BodyBudget(DEFAULT_MAX_BODY_BYTES_IN_FLIGHT);
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) {
    throw new MlfError(`Invalid ${BODY_BUDGET_ENV} '${raw}': expected a positive number of bytes.`, 'INVALID_PARAMETER_VALUE', 2);
  }
  return new BodyBudget(Number(raw));
}
