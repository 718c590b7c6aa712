/**
 * `POST /v1/traces`: OTLP/HTTP span ingestion as MLflow's server has it (mlflow/server/otel_api.py),
 * which MLflow ≥ 3.4 clients use by default against a server whose `/version` is ≥ 3.4. The body is a
 * protobuf `ExportTraceServiceRequest` (gzip/deflate allowed), the experiment comes in the
 * `x-mlflow-experiment-id` header; spans are grouped by trace and stored with the store's `logSpans`,
 * and an optional `x-mlflow-run-id` header links those traces to a run. The answer is an empty
 * `ExportTraceServiceResponse`.
 *
 * Statuses are MLflow's (400 for a wrong content type or a body that is not OTLP, 422 for a missing
 * header or spans the store refused, 501 where the store keeps no spans, which turns the client's
 * span logging off); the bodies are MLflow's JSON error shape rather than FastAPI's `{"detail"}`.
 */
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { MlfError, type ErrorCode } from '../../lib/errors.js';
import { decodeExportTraceRequest, malformedOtlp, type OtlpSpan } from '../../tracking/otlp-decode.js';
import { mlflowTraceIdOf } from '../../tracking/spans.js';
import type { TraceStore } from '../../stores/trace-store.js';
import type { TrackingStore } from '../../stores/tracking-store.js';
import type { Reply, Req } from '../http.js';
import { MAX_JSON_BODY_BYTES } from '../request.js';

export const OTLP_TRACES_PATH = '/v1/traces';
export const MLFLOW_EXPERIMENT_ID_HEADER = 'x-mlflow-experiment-id';
export const MLFLOW_RUN_ID_HEADER = 'x-mlflow-run-id';

function reply(status: number, code: ErrorCode, message: string): Reply {
  return { status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ error_code: code, message }) };
}

// zlib's thread pool, not the event loop: a 64 MiB body inflating to the limit takes a while.
const inflaters = new Map<string, (buf: Buffer, opts: { maxOutputLength: number }) => Promise<Buffer>>([
  ['gzip', promisify(gunzip)],
  ['deflate', promisify(inflate)],
]);

async function decompress(body: Buffer, encoding: string): Promise<Buffer> {
  const inflater = inflaters.get(encoding);
  if (inflater) {
    try {
      return await inflater(body, { maxOutputLength: MAX_JSON_BODY_BYTES });
    } catch {
      throw new MlfError(`Failed to decompress the request body with Content-Encoding '${encoding}'.`, 'INVALID_PARAMETER_VALUE');
    }
  }
  if (encoding === 'identity' || encoding === '') return body;
  throw new MlfError(`Unsupported Content-Encoding: ${encoding}`, 'INVALID_PARAMETER_VALUE');
}

/** The `/v1/traces` handler; `traces` is undefined where the store keeps no traces. */
export function otlpTracesHandler(traces: TraceStore | undefined, store: TrackingStore): (req: Req) => Promise<Reply> {
  return async (req) => {
    if (req.method !== 'POST') return reply(405, 'BAD_REQUEST', `The method ${req.method} is not allowed for '${OTLP_TRACES_PATH}'. Allowed: POST.`);
    const contentType = req.header('content-type');
    if (contentType !== 'application/x-protobuf') {
      return reply(400, 'INVALID_PARAMETER_VALUE', `Invalid Content-Type: ${contentType ?? 'None'}. Expected: application/x-protobuf`);
    }
    const experimentId = req.header(MLFLOW_EXPERIMENT_ID_HEADER);
    if (!experimentId) return reply(422, 'INVALID_PARAMETER_VALUE', `Missing required header '${MLFLOW_EXPERIMENT_ID_HEADER}'.`);
    const raw = await req.body(MAX_JSON_BODY_BYTES, (size) => new MlfError(`Request body is too large: ${size} bytes (at most ${MAX_JSON_BODY_BYTES}).`, 'INVALID_PARAMETER_VALUE'));
    let spans: OtlpSpan[];
    try {
      spans = decodeExportTraceRequest(await decompress(raw, (req.header('content-encoding') ?? 'identity').toLowerCase()));
    } catch (e) {
      if (e instanceof MlfError) return reply(400, 'INVALID_PARAMETER_VALUE', e.message);
      throw malformedOtlp();
    }
    const byTrace = new Map<string, OtlpSpan[]>();
    for (const s of spans) {
      const id = mlflowTraceIdOf(s);
      const list = byTrace.get(id) ?? [];
      list.push(s);
      byTrace.set(id, list);
    }
    if (byTrace.size) {
      if (!traces?.logSpans) return reply(501, 'NOT_IMPLEMENTED', `REST OTLP span logging is not supported by ${store.kind === 'sql' ? 'SqlAlchemyStore' : store.kind === 'file' ? 'FileStore' : 'RestStore'}`);
      const errors: string[] = [];
      let code: ErrorCode = 'INVALID_PARAMETER_VALUE';
      for (const [traceId, list] of byTrace) {
        try {
          await traces.logSpans(experimentId, traceId, list);
        } catch (e) {
          if (!(e instanceof MlfError)) throw e;
          if (e.errorCode === 'TEMPORARILY_UNAVAILABLE') throw e;
          code = e.errorCode;
          errors.push(`Trace ${traceId}: ${e.message}`);
        }
      }
      if (errors.length) return reply(422, code, `Failed to log OpenTelemetry spans: ${errors.join('\n')}`);
      const runId = req.header(MLFLOW_RUN_ID_HEADER);
      if (runId && traces.linkTracesToRun) await traces.linkTracesToRun([...byTrace.keys()].slice(0, 100), runId);
    }
    return { status: 200, headers: { 'Content-Type': 'application/x-protobuf' }, body: Buffer.alloc(0) };
  };
}
