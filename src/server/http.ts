/**
 * The server's own tiny HTTP abstraction: a request (`Req`) and a reply (`Reply`), with two adapters
 * — `node:http` directly (what `mlf server` listens with) and the web `Request`/`Response` pair (for
 * in-process tests and for mounting the app in any fetch-based server).
 *
 * Why not @hono/node-server: it turns every node request into a web `Request` (undici, an
 * AbortSignal, a web stream for the body) and every reply back, which cost more per request than
 * the SQLite insert behind `runs/create`. Here a JSON reply is one string written with `res.end`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { MlfError } from '../lib/errors.js';
import type { BodyBudget } from './body-budget.js';

export interface Req {
  readonly method: string;
  /** Path without the query, percent-decoded as a router sees it (`%25` and reserved characters kept). */
  readonly path: string;
  /** Raw query string without the `?` ('' if none). */
  readonly query: string;
  /** A header by lower-case name. */
  header(name: string): string | undefined;
  /** The whole body, refused with `tooLarge(size)` beyond `limit` bytes (Content-Length is checked first). */
  body(limit: number, tooLarge: (size: number) => MlfError): Promise<Buffer>;
  /** The body as a stream (artifact uploads). */
  stream(): Readable;
  /**
   * Counts `bytes` more against the server's body budget until the reply is done (what parsing the
   * body will hold beyond its bytes). May wait, or throw BudgetExceeded (503), as the body itself.
   */
  hold?(bytes: number): Promise<void>;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as UTF-8 with its Content-Length; so is an array of strings, their text joined (json-pieces.ts). */
  body?: string | string[] | Buffer | Readable;
}

export type HandleFn = (req: Req) => Promise<Reply>;

/** `decodeURI` that keeps `%25` (so a decoded path never gains a new escape), tolerant of bad escapes. */
export function decodePath(p: string): string {
  if (p.indexOf('%') === -1) return p;
  const keep = p.includes('%25') ? p.replace(/%25/g, '%2525') : p;
  try {
    return decodeURI(keep);
  } catch {
    return keep.replace(/(?:%[0-9A-Fa-f]{2})+/g, (m) => {
      try {
        return decodeURI(m);
      } catch {
        return m;
      }
    });
  }
}

function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  const h = url.indexOf('#');
  const end = q === -1 ? (h === -1 ? url.length : h) : q;
  const query = q === -1 ? '' : url.slice(q + 1, h > q ? h : undefined);
  return { path: decodePath(url.slice(0, end)) || '/', query };
}

// ---- node:http ----

class NodeReq implements Req {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  private readonly releases: (() => void)[] = [];
  constructor(
    private readonly msg: IncomingMessage,
    private readonly budget?: BodyBudget,
  ) {
    this.method = msg.method ?? 'GET';
    const { path, query } = splitUrl(msg.url ?? '/');
    this.path = path;
    this.query = query;
  }
  header(name: string): string | undefined {
    const v = this.msg.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  }
  /** Gives the body's bytes back to the budget (when the reply is done). */
  release(): void {
    for (const r of this.releases.splice(0)) r();
  }
  async body(limit: number, tooLarge: (size: number) => MlfError): Promise<Buffer> {
    const len = Number(this.msg.headers['content-length'] ?? NaN);
    if (len > limit) throw tooLarge(len);
    const known = Number.isFinite(len);
    if (this.budget && known) this.releases.push(await this.budget.reserve(len));
    // Without a Content-Length, each chunk is reserved as it comes, the stream paused meanwhile.
    const perChunk = this.budget && !known ? this.budget : undefined;
    const msg = this.msg;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        msg.off('data', onData);
        // Let the rest drain (node discards it) so the connection stays usable for the reply.
        msg.resume();
        reject(e);
      };
      const onData = (c: Buffer) => {
        size += c.length;
        if (size > limit) return fail(tooLarge(size));
        chunks.push(c);
        if (perChunk) {
          msg.pause();
          perChunk.reserve(c.length).then((r) => {
            this.releases.push(r);
            if (!settled) msg.resume();
          }, fail);
        }
      };
      msg.on('data', onData);
      msg.once('end', () => {
        if (settled) return;
        settled = true;
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      });
      // A client gone before the end of its body: nothing to answer, but the promise must settle
      // (and the log must not call it a server error).
      // Node emits 'close' after every body, read or not: the error (and its stack) only when unsettled.
      const ended = () => {
        if (!settled) fail(new MlfError('The request body ended early.', 'BAD_REQUEST'));
      };
      msg.once('error', ended);
      msg.once('close', ended);
    });
  }
  stream(): Readable {
    return this.msg;
  }
  async hold(bytes: number): Promise<void> {
    if (this.budget && bytes > 0) this.releases.push(await this.budget.reserve(bytes, this));
  }
}

/**
 * A `node:http` request listener around `handle`. Buffered bodies count against `budget` until
 * their reply is finished.
 */
export function nodeListener(handle: HandleFn, budget?: BodyBudget): (req: IncomingMessage, res: ServerResponse) => void {
  return (msg, res) => {
    const req = new NodeReq(msg, budget);
    if (budget) res.once('close', () => req.release());
    handle(req).then(
      (reply) => send(res, reply, msg),
      (err) => {
        // handle() maps every error to a reply; this is the last guard against a crash.
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String((err as Error)?.message ?? err));
      },
    );
  };
}

/** How long a reply waits, fully written but not ended, for the unread rest of its request body. */
export const LINGER_IDLE_MS = 5_000;
export const LINGER_MAX_MS = 30_000;

/**
 * Discards what is left of a request body the handler did not read (a body refused as too large,
 * a wrong Content-Type): resolves at its end, when the client goes, or after a pause of
 * LINGER_IDLE_MS or LINGER_MAX_MS in all.
 */
function drainUnread(msg: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    let idle: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(idle);
      clearTimeout(cap);
      msg.off('data', onData);
      resolve();
    };
    const onData = () => {
      clearTimeout(idle);
      idle = setTimeout(done, LINGER_IDLE_MS);
    };
    const cap = setTimeout(done, LINGER_MAX_MS);
    msg.on('data', onData);
    msg.once('end', done);
    msg.once('close', done);
    onData();
    msg.resume();
  });
}

function send(res: ServerResponse, reply: Reply, msg?: IncomingMessage): void {
  const given = reply.body;
  if (Array.isArray(given)) return sendPieces(res, reply, given, msg);
  if (given !== undefined && !Buffer.isBuffer(given) && typeof given !== 'string') {
    res.writeHead(reply.status, reply.headers);
    given.once('error', () => res.destroy());
    given.pipe(res);
    return;
  }
  // Content-Length goes through setHeader so reply.headers (often a shared constant) is never copied or changed.
  // A text body is encoded once here: its length, then writing the string, would walk it twice, and
  // node glues the headers to a string body's first write (a copy of the whole reply).
  const body = typeof given === 'string' ? Buffer.from(given) : given;
  res.setHeader('Content-Length', body === undefined ? 0 : body.length);
  res.writeHead(reply.status, reply.headers);
  if (msg === undefined || msg.complete || msg.destroyed) {
    res.end(body);
    return;
  }
  // A reply sent before the body was read: closing the connection at once (Node does when the client
  // asked for it) would reset it while the client is still writing, and the client would lose the
  // answer to a broken pipe. The whole answer goes out now (its Content-Length tells the client it is
  // complete); the response ends, and the connection with it, once the client's body is discarded.
  if (body !== undefined) res.write(body);
  void drainUnread(msg).then(() => res.end());
}

/** A body in text pieces: each encoded on its own (small buffers, see json-pieces.ts), sent as one write. */
function sendPieces(res: ServerResponse, reply: Reply, pieces: string[], msg?: IncomingMessage): void {
  const bufs = pieces.map((p) => Buffer.from(p));
  let length = 0;
  for (const b of bufs) length += b.length;
  res.setHeader('Content-Length', length);
  res.writeHead(reply.status, reply.headers);
  res.cork();
  for (const b of bufs) res.write(b);
  res.uncork();
  if (msg === undefined || msg.complete || msg.destroyed) res.end();
  else void drainUnread(msg).then(() => res.end()); // as in send: the answer first, then the unread body
}

// ---- web Request/Response ----

class WebReq implements Req {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  constructor(private readonly request: Request) {
    this.method = request.method;
    const u = request.url;
    const { path, query } = splitUrl(u.slice(u.indexOf('/', u.indexOf(':') + 3)));
    this.path = path;
    this.query = query;
  }
  header(name: string): string | undefined {
    return this.request.headers.get(name) ?? undefined;
  }
  async body(limit: number, tooLarge: (size: number) => MlfError): Promise<Buffer> {
    const len = Number(this.request.headers.get('content-length') ?? NaN);
    if (len > limit) throw tooLarge(len);
    const buf = Buffer.from(await this.request.arrayBuffer());
    if (buf.length > limit) throw tooLarge(buf.length);
    return buf;
  }
  stream(): Readable {
    const b = this.request.body;
    return b ? Readable.fromWeb(b as import('node:stream/web').ReadableStream) : Readable.from([]);
  }
}

/** A fetch-style handler (`(Request) => Promise<Response>`) around `handle`. */
export function webHandler(handle: HandleFn): (request: Request) => Promise<Response> {
  return async (request) => {
    const reply = await handle(new WebReq(request));
    const b = reply.body;
    const body =
      b === undefined || typeof b === 'string'
        ? b
        : Array.isArray(b)
          ? b.join('')
          : Buffer.isBuffer(b)
            ? new Uint8Array(b)
            : (Readable.toWeb(b) as ReadableStream);
    return new Response(body ?? null, { status: reply.status, headers: reply.headers });
  };
}
