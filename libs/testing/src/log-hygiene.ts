/**
 * Log hygiene: personal data must never reach the logs. Every test app scans its own log output when it
 * closes — for the values tests registered as sensitive (seeded names, phones, narratives) and for
 * anything shaped like a CURP — and fails the test file if one appears.
 */
const registered = new Set<string>();

/** Marks values a test seeds as personal data (names, CURPs, phones, free text). */
export function registerSensitive(...values: string[]): void {
  for (const v of values) if (v && v.length >= 4) registered.add(v);
}

const CURP = /\b[A-Z][AEIOUX][A-Z]{2}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z]\d\b/;

export function sensitiveFindings(logs: string[]): string[] {
  const findings: string[] = [];
  logs.forEach((line, i) => {
    for (const v of registered) if (line.includes(v)) findings.push(`log line ${i + 1} contains a registered sensitive value`);
    const m = CURP.exec(line);
    if (m) findings.push(`log line ${i + 1} contains a CURP-shaped value`);
  });
  return findings;
}
