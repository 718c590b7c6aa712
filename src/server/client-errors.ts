/**
 * Socket-level protection for the `node:http` server: timeouts against slow clients (slowloris)
 * and an answer in MLflow's JSON error shape for what Node's HTTP parser refuses before any
 * request handler runs (a bad method token, control characters in a header, an oversize header
 * or query string, a request that took too long). Node's default answer is an empty 400.
 *
 * @example
 * const server = http.createServer(HTTP_SERVER_OPTIONS, listener);
 * protectServer(server);
 */
import type { Server, ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';

/** The whole request head must arrive within this (Node's default is 60 s). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** The whole request, body included, must arrive within this (artifact uploads are the long ones). */
export const REQUEST_TIMEOUT_MS = 10 * 60_000;
/** An idle keep-alive connection is closed after this. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** Options for `http.createServer`: how often Node checks the two timeouts above (default 30 s). */
export const HTTP_SERVER_OPTIONS: ServerOptions = {
  headersTimeout: HEADERS_TIMEOUT_MS,
  requestTimeout: REQUEST_TIMEOUT_MS,
  keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  connectionsCheckingInterval: 1_000,
};

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** Status and message for a parser error code (`HPE_*`, `ERR_HTTP_REQUEST_TIMEOUT`). */
export function describeClientError(code: string | undefined): { status: number; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: 'Bad Request. The request line or headers are too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'Bad Request. The request took too long to arrive.' };
    case 'HPE_INVALID_METHOD':
      return { status: 400, message: 'Bad Request. The HTTP method is not valid.' };
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_LF_EXPECTED':
    case 'HPE_CR_EXPECTED':
      return { status: 400, message: 'Bad Request. A header is not valid HTTP.' };
    case 'HPE_INVALID_URL':
      return { status: 400, message: 'Bad Request. The request target is not valid.' };
    default:
      return { status: 400, message: 'Bad Request. The request is not valid HTTP.' };
  }
}

/** A complete raw HTTP/1.1 reply with MLflow's error body; the connection is closed after it. */
export function clientErrorResponse(code: string | undefined): string {
  const { status, message } = describeClientError(code);
  const body = JSON.stringify({ error_code: 'BAD_REQUEST', message });
  return (
    `HTTP/1.1 ${status} ${REASONS[status]}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/** Sets the timeouts and answers parser errors with JSON (Node's own check: only before a reply started). */
export function protectServer(server: Server): Server {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (err.code === 'ECONNRESET' || !socket.writable || started) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorResponse(err.code));
  });
  return server;
}
