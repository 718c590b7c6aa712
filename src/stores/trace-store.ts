/**
 * The trace half of a tracking store (MLflow's `start_trace`, `end_trace`, `get_trace_info`,
 * `search_traces`, `delete_traces`, `set_trace_tag`, `delete_trace_tag`). A capability, not part of
 * `TrackingStore`: stores that have it are found with `traceStoreOf` (server/routes/traces.ts).
 */
import type { PagedList } from '../tracking/entities.js';
import type { TraceInfo, TraceStatus } from '../tracking/traces.js';

export interface SearchTracesOptions {
  experimentIds: string[];
  filter?: string;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface DeleteTracesOptions {
  maxTimestampMillis?: number;
  maxTraces?: number;
  requestIds?: string[];
}

export interface TraceStore {
  /** A new IN_PROGRESS trace in an active experiment; adds the `mlflow.artifactLocation` tag. */
  startTrace(experimentId: string, timestampMs: number, requestMetadata: Record<string, string>, tags: Record<string, string>): Promise<TraceInfo>;
  /** Sets the execution time (end − start) and status; metadata and tags are merged in. */
  endTrace(requestId: string, timestampMs: number, status: TraceStatus, requestMetadata: Record<string, string>, tags: Record<string, string>): Promise<TraceInfo>;
  /** `RESOURCE_DOES_NOT_EXIST` if missing. */
  getTraceInfo(requestId: string): Promise<TraceInfo>;
  /** Default order `timestamp_ms DESC, request_id ASC`; offset page tokens. */
  searchTraces(opts: SearchTracesOptions): Promise<PagedList<TraceInfo>>;
  /** Returns how many traces went (oldest first when `maxTraces` caps a time-based delete). */
  deleteTraces(experimentId: string, opts: DeleteTracesOptions): Promise<number>;
  setTraceTag(requestId: string, key: string, value: string): Promise<void>;
  /** `RESOURCE_DOES_NOT_EXIST` if the tag is missing. */
  deleteTraceTag(requestId: string, key: string): Promise<void>;
}
