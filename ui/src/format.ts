// Formatting shared by the views.
export function fmtTime(ms: unknown): string {
  const n = Number(ms);
  if (!ms || !Number.isFinite(n)) return '—';
  return new Date(n).toLocaleString();
}

export function fmtDuration(start: unknown, end: unknown): string {
  const s = Number(start);
  const e = Number(end);
  if (!s || !e || e < s) return '—';
  let sec = (e - s) / 1000;
  if (sec < 60) return `${sec.toFixed(1)}s`;
  const min = Math.floor(sec / 60);
  sec = Math.round(sec % 60);
  if (min < 60) return `${min}min ${sec}s`;
  return `${Math.floor(min / 60)}h ${min % 60}min`;
}

export function fmtNum(v: unknown): string {
  const n = Number(v);
  if (typeof v !== 'number' && typeof v !== 'string') return '';
  if (!Number.isFinite(n)) return String(v);
  return Math.abs(n) >= 1e6 || (n !== 0 && Math.abs(n) < 1e-3) ? n.toExponential(4) : String(Math.round(n * 1e6) / 1e6);
}

export function fmtSize(n: unknown): string {
  const b = Number(n);
  if (!Number.isFinite(b)) return '';
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} kB`;
  return `${(b / 1024 / 1024).toFixed(1)} MB`;
}

/** key → value of a list of `{key, value}` pairs. */
export function kv(list: { key: string; value: any }[] | undefined): Record<string, any> {
  const o: Record<string, any> = {};
  for (const x of list ?? []) o[x.key] = x.value;
  return o;
}

export function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function download(name: string, text: string, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
