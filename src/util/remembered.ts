/**
 * A string function that remembers its answers: for the names a protocol repeats in every message
 * (property names, type names), worked out once per process instead of once per use. Bounded,
 * since the names also come from peers and callers: only arguments of at most `maxLength` units
 * are kept, and at most `maxEntries` of them (when full it starts over).
 */
export function remembered(compute: (s: string) => string, maxEntries: number, maxLength: number): (s: string) => string {
  const kept = new Map<string, string>();
  return (s) => {
    let answer = kept.get(s);
    if (answer === undefined) {
      answer = compute(s);
      if (s.length <= maxLength) {
        if (kept.size >= maxEntries) kept.clear();
        kept.set(s, answer);
      }
    }
    return answer;
  };
}
