/**
 * `GET /ajax-api/2.0/mlflow/get-trace-artifact` for traces whose spans are in the database: MLflow 3's
 * handler reads the tracking store's spans first and answers them as trace data (`{"spans": [...]}`,
 * each span MLflow's dict), and only then the `traces.json` artifact. The artifact path stays the
 * route of ./traces.ts; this wraps it.
 */
import { TRACE_DATA_FILE_NAME } from './traces.js';
import type { TraceStore } from '../../stores/trace-store.js';
import type { ReplyTable } from './ajax.js';

export function addStoredSpansToTraceArtifact(t: ReplyTable, traces: TraceStore | undefined): void {
  const fromArtifact = t.get('/get-trace-artifact')?.GET;
  if (!fromArtifact || !traces?.spanContents) return;
  const spanContents = traces.spanContents.bind(traces);
  t.set('/get-trace-artifact', {
    GET: async (req) => {
      const requestId = new URLSearchParams(req.query).get('request_id');
      if (requestId) {
        // The trace must exist (a 404 otherwise, as the artifact path answers).
        await traces.getTraceInfo(requestId);
        const spans = await spanContents(requestId);
        if (spans.length) {
          // The stored dicts go out as stored: their nanosecond integers stay exact.
          return {
            status: 200,
            body: `{"spans": [${spans.join(', ')}]}`,
            headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': `attachment; filename=${TRACE_DATA_FILE_NAME}`, 'X-Content-Type-Options': 'nosniff' },
          };
        }
      }
      return fromArtifact(req);
    },
  });
}
