// The text forms of the scalars with no JavaScript type of their own, as the
// call API writes them (pydantic's JSON forms): a timedelta as an ISO 8601
// duration (`P1DT2H3M4.5S`, `-PT1S`, a year being 365 days), a UUID as its
// hyphenated hex, a datetime as Python's isoformat text.

const MICROS_PER_DAY = 86_400_000_000n;

/** A timedelta's normalised fields as pydantic writes the duration. */
export function durationText(days: number, seconds: number, microseconds: number): string {
  let total = BigInt(days) * MICROS_PER_DAY + BigInt(seconds) * 1_000_000n + BigInt(microseconds);
  const sign = total < 0n ? "-" : "";
  if (total < 0n) total = -total;
  const d = total / MICROS_PER_DAY;
  let rest = total % MICROS_PER_DAY;
  const h = rest / 3_600_000_000n; rest %= 3_600_000_000n;
  const m = rest / 60_000_000n; rest %= 60_000_000n;
  const s = rest / 1_000_000n, us = rest % 1_000_000n;
  const years = d / 365n, dd = d % 365n;
  let date = (years ? `${years}Y` : "") + (dd ? `${dd}D` : "");
  let time = (h ? `${h}H` : "") + (m ? `${m}M` : "");
  if (s || us) time += `${s}${us ? "." + us.toString().padStart(6, "0").replace(/0+$/, "") : ""}S`;
  if (!date && !time) time = "0S";
  date = `P${date}`;
  return sign + date + (time ? `T${time}` : "");
}

/** An ISO 8601 duration or a number of seconds, as normalised timedelta fields; null if neither. */
export function parseDuration(text: string): { days: number; seconds: number; microseconds: number } | null {
  const t = text.trim();
  let micros: bigint | null;
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) {
    micros = decimalMicros(t.replace(/^\+/, ""), 1_000_000n);
  } else {
    const m = /^([+-])?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(t);
    if (!m || t.endsWith("P") || t.endsWith("T") || !m.slice(2).some((x) => x !== undefined)) return null;
    const units = [365n * MICROS_PER_DAY, 30n * MICROS_PER_DAY, 7n * MICROS_PER_DAY, MICROS_PER_DAY,
      3_600_000_000n, 60_000_000n, 1_000_000n];
    micros = 0n;
    units.forEach((unit, i) => { const x = m[i + 2]; if (x !== undefined) micros! += decimalMicros(x, unit)!; });
    if (m[1] === "-") micros = -micros;
  }
  if (micros === null) return null;
  const days = micros >= 0n ? micros / MICROS_PER_DAY : -((-micros + MICROS_PER_DAY - 1n) / MICROS_PER_DAY);
  const rest = micros - days * MICROS_PER_DAY;
  return { days: Number(days), seconds: Number(rest / 1_000_000n), microseconds: Number(rest % 1_000_000n) };
}

/** `text` (digits, maybe a point) times `unit`, rounded to a whole number. */
function decimalMicros(text: string, unit: bigint): bigint | null {
  const negative = text.startsWith("-");
  const [whole = "0", frac = ""] = text.replace(/^-/, "").split(".");
  const scale = 10n ** BigInt(frac.length);
  const value = (BigInt(whole || "0") * scale + BigInt(frac || "0")) * unit;
  const rounded = (value + scale / 2n) / scale;
  return negative ? -rounded : rounded;
}

/** 16 bytes as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
export function uuidText(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UUID's text (with or without hyphens or braces) as its 16 bytes; null if it is not one. */
export function uuidBytes(text: string): Uint8Array | null {
  const hex = text.trim().replace(/^\{|\}$/g, "").replace(/^urn:uuid:/i, "").replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  return new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** A Date as Python's `datetime.isoformat()` writes an aware UTC datetime (microseconds kept as zeros). */
export function dateTimeText(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00");
}

/** A datetime's or time's text from the call API's JSON, where a zero offset is
 *  pydantic's `Z`, as Python's `isoformat()` writes it (`+00:00`), as the wire
 *  carries it: a graft answers the same text over HTTP and TCP. */
export function isoText(text: string): string {
  return text.replace(/[Zz]$/, "+00:00");
}

/** Bytes as standard base64 (the call API's form), and back. */
export function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function unbase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
