/**
 * The trace half of a tracking store (MLflow's `start_trace`, `end_trace`, `get_trace_info`,
 * `search_traces`, `delete_traces`, `set_trace_tag`, `delete_trace_tag`). A capability, not part of
 * `TrackingStore`: stores that have it are found with `traceStoreOf` (server/routes/traces.ts).
 */
import type { PagedList } from '../tracking/entities.js';
import type { TraceInfo, TraceStatus } from '../tracking/traces.js';
import type { TraceInfoV3, TraceV3 } from '../tracking/traces-v3.js';
import type { Assessment, AssessmentChanges } from '../tracking/assessments.js';
import type { OtlpSpan } from '../tracking/otlp-decode.js';
import type { PromptVersionRef } from '../tracking/traces-v3.js';

export interface SearchTracesOptions {
  experimentIds: string[];
  filter?: string;
  /** MLflow 3's grammar: also `span.name`, `span.type`, `span.status`. */
  spanFilters?: boolean;
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

  // ---- MLflow 3 (optional: a store without them answers these endpoints with a 400) ----
  /** StartTraceV3: inserts the trace, or merges into the row span ingestion created (its spans and tags stay). */
  startTraceV3?(info: TraceInfoV3): Promise<TraceInfoV3>;
  /** `RESOURCE_DOES_NOT_EXIST` ("Trace with ID '…' not found.") if missing. */
  getTraceInfoV3?(traceId: string): Promise<TraceInfoV3>;
  /** The trace with its spans from `spans` (empty when its spans live in `traces.json`). */
  getTraceV3?(traceId: string): Promise<TraceV3>;
  /** The stored `content` (MLflow's span dict, JSON text) of each span of a trace, by start time; [] when none. */
  spanContents?(traceId: string): Promise<string[]>;
  /** The traces that exist, in the order asked; unknown ids are left out. */
  batchGetTracesV3?(traceIds: string[]): Promise<TraceV3[]>;
  searchTracesV3?(opts: SearchTracesOptions): Promise<PagedList<TraceInfoV3>>;
  /** MLflow's `log_spans` for spans of one trace: creates or widens the trace_info row, upserts the spans. */
  logSpans?(experimentId: string, traceId: string, spans: OtlpSpan[]): Promise<void>;
  /** At most 100 ids; recorded as the trace's `mlflow.sourceRun` metadata (see the SQL store). */
  linkTracesToRun?(traceIds: string[], runId: string): Promise<void>;
  /** MLflow's `link_prompts_to_trace`: the versions merged into the trace's `mlflow.linkedPrompts` tag (and, on a database, link rows). */
  linkPromptsToTrace?(traceId: string, versions: PromptVersionRef[]): Promise<void>;
  createAssessment?(a: Assessment): Promise<Assessment>;
  getAssessment?(traceId: string, assessmentId: string): Promise<Assessment>;
  updateAssessment?(traceId: string, assessmentId: string, changes: AssessmentChanges): Promise<Assessment>;
  /** Idempotent: a missing assessment is not an error. */
  deleteAssessment?(traceId: string, assessmentId: string): Promise<void>;
}

export type { AssessmentChanges } from '../tracking/assessments.js';
