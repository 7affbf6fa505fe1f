/** The column name closest to `name` (edit distance, case-insensitive), if any is close. */
export function closestName(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const cand of names) {
    const d = editDistance(name.toLowerCase(), cand.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = cand;
    }
  }
  // close, and not a name that shares nothing with it ('z' for 'y')
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) && bestD < name.length ? best : undefined;
}

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
