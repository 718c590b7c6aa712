/**
 * A cap on request-body bytes held in memory across all requests of one server process. Each
 * body reserves its bytes before they are buffered (its Content-Length up front, or chunk by chunk
 * when the length is unknown) and gives them back when its reply is finished. A request that does
 * not fit waits, oldest first, for at most `waitMs`; then it gets MLflow's TEMPORARILY_UNAVAILABLE
 * (503) with `Retry-After`, instead of the process running out of memory.
 *
 * A request that already holds bytes may ask for more (`growth`: what parsing its body will hold,
 * json-depth.ts). Growth is served before new bodies, and when it does not fit, one request at a
 * time may overdraw the limit by it (all its growth, at most MAX_JSON_VALUES × PARSED_BYTES_PER_VALUE
 * a parse): otherwise requests that filled the budget with their bodies could all wait for each
 * other's growth until they time out.
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
  /** The request whose growth this is (undefined for a new body). */
  growthOf?: object;
  grant: (overdraft: boolean) => void;
}

export class BodyBudget {
  private used = 0;
  private readonly queue: Waiter[] = [];
  /** The one request whose growth is granted beyond the limit now, and how many such grants it holds. */
  private overdraftOf?: object;
  private overdrafts = 0;

  constructor(
    readonly limit: number,
    private readonly waitMs = DEFAULT_WAIT_MS,
  ) {}

  /** Bytes reserved now (for tests and figures). */
  get inFlight(): number {
    return this.used;
  }

  /**
   * Reserves `bytes` (a body larger than the whole budget waits until it is alone); `growthOf`: more
   * for that request, which already holds some. Resolves to the function that gives them back;
   * calling it twice gives back once.
   */
  async reserve(bytes: number, growthOf?: object): Promise<() => void> {
    const n = Math.min(Math.max(0, bytes), this.limit);
    // The overdrawing request never waits for those waiting on it (a double-encoded body parses twice).
    if (growthOf && this.overdraftOf === growthOf) return this.releaser(this.overdraw(n, growthOf), true);
    const ahead = growthOf ? this.queue.some((w) => w.growthOf) : this.queue.length > 0;
    if (!ahead && this.used + n <= this.limit) {
      this.used += n;
      return this.releaser(n, false);
    }
    if (growthOf && !ahead && this.mayOverdraw(growthOf)) return this.releaser(this.overdraw(n, growthOf), true);
    const overdraft = await new Promise<boolean>((resolve, reject) => {
      const waiter: Waiter = {
        bytes: n,
        growthOf,
        grant: (over) => {
          clearTimeout(timer);
          resolve(over);
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
      // Growth goes ahead of every new body, behind earlier growth.
      const at = growthOf ? this.queue.findIndex((w) => !w.growthOf) : -1;
      if (at === -1) this.queue.push(waiter);
      else this.queue.splice(at, 0, waiter);
    });
    return this.releaser(n, overdraft);
  }

  private releaser(n: number, overdraft: boolean): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.used -= n;
      if (overdraft && --this.overdrafts === 0) this.overdraftOf = undefined;
      this.drain();
    };
  }

  private mayOverdraw(owner: object): boolean {
    return this.overdraftOf === undefined || this.overdraftOf === owner;
  }

  private overdraw(n: number, owner: object): number {
    this.overdraftOf = owner;
    this.overdrafts++;
    this.used += n;
    return n;
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const w = this.queue[0]!;
      const fits = this.used + w.bytes <= this.limit;
      const overdraft = !fits && w.growthOf !== undefined && this.mayOverdraw(w.growthOf);
      if (!fits && !overdraft) return;
      this.queue.shift();
      if (overdraft) this.overdraw(w.bytes, w.growthOf!);
      else this.used += w.bytes;
      w.grant(overdraft);
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
