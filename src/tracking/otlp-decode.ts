/**
 * A protobuf decoder for the one message `POST /v1/traces` receives: OTLP's
 * `ExportTraceServiceRequest` (opentelemetry/proto/collector/trace/v1). The wire format is small
 * (varints, fixed 32/64-bit, length-delimited), so the few fields MLflow reads are decoded here rather
 * than through a generated codec; unknown fields are skipped, as protobuf requires.
 *
 * Times stay exact: fixed64 nanoseconds are kept as decimal strings (a JS number loses the last
 * digits of a 2020s timestamp in ns).
 */
import { MlfError } from '../lib/errors.js';

export type AnyValue = string | boolean | number | bigint | Uint8Array | AnyValue[] | { [key: string]: AnyValue } | null;

export interface OtlpEvent {
  name: string;
  timeUnixNano: string;
  attributes: Record<string, AnyValue>;
}

export interface OtlpSpan {
  /** Lower-case hex: 32 digits for the trace, 16 for spans. */
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string | null;
  attributes: Record<string, AnyValue>;
  events: OtlpEvent[];
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
}

const MAX_NANOS = (1n << 63n) - 1n;

export const malformedOtlp = (detail = '') => new MlfError(`Invalid OpenTelemetry protobuf format${detail}`, 'INVALID_PARAMETER_VALUE');

class Reader {
  pos: number;
  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  /** A varint as a number: tags, lengths, enums and booleans (exact up to 2^53, which these never reach). */
  uint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw malformedOtlp();
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (!(b & 0x80)) return result;
      mul *= 128;
    }
    throw malformedOtlp();
  }
  /** A varint as an exact 64-bit value (int64 attribute values). */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw malformedOtlp();
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result & 0xffffffffffffffffn;
      shift += 7n;
    }
    throw malformedOtlp();
  }
  fixed(bytes: 4 | 8): Uint8Array {
    if (this.pos + bytes > this.end) throw malformedOtlp();
    const out = this.buf.subarray(this.pos, this.pos + bytes);
    this.pos += bytes;
    return out;
  }
  bytes(): Uint8Array {
    const len = this.uint();
    if (len < 0 || this.pos + len > this.end) throw malformedOtlp();
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  sub(): Reader {
    const len = this.uint();
    if (this.pos + len > this.end) throw malformedOtlp();
    const r = new Reader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }
  /** The next field's number and wire type. */
  tag(): [number, number] {
    const t = this.uint();
    const field = Math.floor(t / 8);
    if (field === 0) throw malformedOtlp();
    return [field, t % 8];
  }
  skip(wire: number): void {
    if (wire === 0) this.uint();
    else if (wire === 1) this.fixed(8);
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.fixed(4);
    else throw malformedOtlp(); // groups (3/4) are not used by OTLP
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
function text(b: Uint8Array): string {
  try {
    return utf8.decode(b);
  } catch {
    throw malformedOtlp(' - a string field is not valid UTF-8');
  }
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const u64 = (b: Uint8Array) => Buffer.from(b).readBigUInt64LE(0);
const signed = (v: bigint) => (v >= 1n << 63n ? v - (1n << 64n) : v);
/** An int64 as a number when exact, else as a bigint. */
const intValue = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

function expect(wire: number, want: number): void {
  if (wire !== want) throw malformedOtlp();
}

function anyValue(r: Reader): AnyValue {
  let out: AnyValue = null;
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1) (expect(w, 2), (out = text(r.bytes())));
    else if (f === 2) (expect(w, 0), (out = r.uint() !== 0));
    else if (f === 3) (expect(w, 0), (out = intValue(signed(r.varint()))));
    else if (f === 4) (expect(w, 1), (out = Buffer.from(r.fixed(8)).readDoubleLE(0)));
    else if (f === 5) {
      expect(w, 2);
      const list: AnyValue[] = [];
      const a = r.sub();
      while (!a.done) {
        const [af, aw] = a.tag();
        if (af === 1 && aw === 2) list.push(anyValue(a.sub()));
        else a.skip(aw);
      }
      out = list;
    } else if (f === 6) {
      expect(w, 2);
      out = keyValues(r.sub());
    } else if (f === 7) (expect(w, 2), (out = new Uint8Array(r.bytes())));
    else r.skip(w);
  }
  return out;
}

/** A `KeyValueList` (or a run of repeated `KeyValue` fields numbered 1). */
function keyValues(r: Reader): Record<string, AnyValue> {
  const out: Record<string, AnyValue> = {};
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1 && w === 2) Object.assign(out, keyValue(r.sub()));
    else r.skip(w);
  }
  return out;
}

function keyValue(r: Reader): Record<string, AnyValue> {
  let key = '';
  let value: AnyValue = null;
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1) (expect(w, 2), (key = text(r.bytes())));
    else if (f === 2) (expect(w, 2), (value = anyValue(r.sub())));
    else r.skip(w);
  }
  return { [key]: value };
}

function event(r: Reader): OtlpEvent {
  const e: OtlpEvent = { name: '', timeUnixNano: '0', attributes: {} };
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1) (expect(w, 1), (e.timeUnixNano = u64(r.fixed(8)).toString()));
    else if (f === 2) (expect(w, 2), (e.name = text(r.bytes())));
    else if (f === 3) (expect(w, 2), Object.assign(e.attributes, keyValue(r.sub())));
    else r.skip(w);
  }
  return e;
}

function span(r: Reader): OtlpSpan {
  const s: OtlpSpan = {
    traceId: '',
    spanId: '',
    parentSpanId: null,
    traceState: '',
    name: '',
    kind: 0,
    startTimeUnixNano: '0',
    endTimeUnixNano: null,
    attributes: {},
    events: [],
    statusCode: 0,
    statusMessage: '',
  };
  while (!r.done) {
    const [f, w] = r.tag();
    switch (f) {
      case 1:
        expect(w, 2);
        s.traceId = hex(r.bytes());
        break;
      case 2:
        expect(w, 2);
        s.spanId = hex(r.bytes());
        break;
      case 3:
        expect(w, 2);
        s.traceState = text(r.bytes());
        break;
      case 4: {
        expect(w, 2);
        const p = r.bytes();
        s.parentSpanId = p.length ? hex(p) : null;
        break;
      }
      case 5:
        expect(w, 2);
        s.name = text(r.bytes());
        break;
      case 6:
        expect(w, 0);
        s.kind = r.uint();
        break;
      case 7:
        expect(w, 1);
        s.startTimeUnixNano = u64(r.fixed(8)).toString();
        break;
      case 8: {
        expect(w, 1);
        const end = u64(r.fixed(8));
        s.endTimeUnixNano = end === 0n ? null : end.toString();
        break;
      }
      case 9:
        expect(w, 2);
        Object.assign(s.attributes, keyValue(r.sub()));
        break;
      case 11:
        expect(w, 2);
        s.events.push(event(r.sub()));
        break;
      case 15: {
        expect(w, 2);
        const st = r.sub();
        while (!st.done) {
          const [sf, sw] = st.tag();
          if (sf === 2 && sw === 2) s.statusMessage = text(st.bytes());
          else if (sf === 3 && sw === 0) s.statusCode = st.uint();
          else st.skip(sw);
        }
        break;
      }
      default:
        r.skip(w);
    }
  }
  if (s.traceId.length !== 32 || s.spanId.length !== 16) throw malformedOtlp(' - a span has no valid trace_id or span_id');
  // The columns are signed BIGINT: a time past 2^63 - 1 ns (year 2262) cannot be stored.
  for (const t of [s.startTimeUnixNano, s.endTimeUnixNano]) if (t !== null && BigInt(t) > MAX_NANOS) throw malformedOtlp(' - a span time is out of range');
  if (s.parentSpanId !== null && s.parentSpanId.length !== 16) throw malformedOtlp(' - a span has an invalid parent_span_id');
  return s;
}

/** Every span of an `ExportTraceServiceRequest`; refuses a body that holds no resource spans, as MLflow does. */
export function decodeExportTraceRequest(body: Uint8Array): OtlpSpan[] {
  const r = new Reader(body);
  const spans: OtlpSpan[] = [];
  let resourceSpans = 0;
  while (!r.done) {
    const [f, w] = r.tag();
    if (f !== 1 || w !== 2) {
      r.skip(w);
      continue;
    }
    resourceSpans++;
    const rs = r.sub();
    while (!rs.done) {
      const [rf, rw] = rs.tag();
      if (rf !== 2 || rw !== 2) {
        rs.skip(rw);
        continue;
      }
      const ss = rs.sub();
      while (!ss.done) {
        const [sf, sw] = ss.tag();
        if (sf === 2 && sw === 2) spans.push(span(ss.sub()));
        else ss.skip(sw);
      }
    }
  }
  if (!resourceSpans) throw malformedOtlp(' - no spans found');
  return spans;
}
