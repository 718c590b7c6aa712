/**
 * Requests as the auth layer needs them: one whose body can be read twice (once by the permission
 * check, once by the endpoint), and one with its parameters replaced (to fetch the next page of a
 * filtered search).
 */
import { Readable } from 'node:stream';
import type { MlfError } from '../../lib/errors.js';
import type { Req } from '../http.js';
import type { Params } from '../request.js';

/** Reads the inner body once and hands the same bytes to every reader, each with its own size limit. */
export class BufferedReq implements Req {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  private buf?: Promise<Buffer>;
  constructor(private readonly inner: Req) {
    this.method = inner.method;
    this.path = inner.path;
    this.query = inner.query;
  }
  header(name: string): string | undefined {
    return this.inner.header(name);
  }
  async body(limit: number, tooLarge: (size: number) => MlfError): Promise<Buffer> {
    // The first reader's limit bounds what is buffered; later readers check their own.
    this.buf ??= this.inner.body(limit, tooLarge);
    const b = await this.buf;
    if (b.length > limit) throw tooLarge(b.length);
    return b;
  }
  async hold(bytes: number): Promise<void> {
    await this.inner.hold?.(bytes);
  }
  stream(): Readable {
    const buf = this.buf;
    if (!buf) return this.inner.stream();
    return Readable.from(
      (async function* () {
        yield await buf;
      })(),
    );
  }
}

/** The same request with other parameters: in the query for GET, as a JSON body otherwise. */
export class ParamsReq implements Req {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  private readonly json: string;
  constructor(
    private readonly inner: Req,
    params: Params,
  ) {
    this.method = inner.method;
    this.path = inner.path;
    if (inner.method === 'GET' || inner.method === 'HEAD') {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) {
        if (Array.isArray(v)) for (const x of v) q.append(k, String(x));
        else if (v !== undefined && v !== null) q.append(k, String(v));
      }
      this.query = q.toString();
      this.json = '';
    } else {
      this.query = inner.query;
      this.json = JSON.stringify(params);
    }
  }
  header(name: string): string | undefined {
    if (name === 'content-length') return String(Buffer.byteLength(this.json));
    if (name === 'content-type' && this.json) return 'application/json';
    return this.inner.header(name);
  }
  async body(limit: number, tooLarge: (size: number) => MlfError): Promise<Buffer> {
    const b = Buffer.from(this.json);
    if (b.length > limit) throw tooLarge(b.length);
    return b;
  }
  stream(): Readable {
    return Readable.from([Buffer.from(this.json)]);
  }
  async hold(bytes: number): Promise<void> {
    await this.inner.hold?.(bytes);
  }
}
