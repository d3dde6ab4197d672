/**
 * Refusing misspelt options. `fit(x, y, { classWeigth: … })` must not train as if the option were
 * absent: every options object the library takes is checked against the keys it knows, and an
 * unknown key throws naming it and the closest known key (by edit distance).
 */

/**
 * Throw when `options` has an own key not in `known`. `where` names the call ('fit',
 * 'optimizers.adam', …). `notSupported` are keys Keras has and wasm-mlp does not: given, they
 * are refused as such; they also count as near matches for a misspelling. Non-objects pass (the
 * caller checks the type and says what it expected).
 */
export function checkOptionKeys(options: unknown, known: readonly string[], where: string, notSupported: readonly string[] = []): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return;
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const takes = `${where} takes ${known.map((k) => `'${k}'`).join(', ')}`;
    if (notSupported.includes(key)) throw new Error(`${where}: option '${key}' is not supported by wasm-mlp (${takes})`);
    const near = closestKey(key, [...known, ...notSupported]);
    const hint = near === undefined ? '' : `; did you mean '${near}'?${notSupported.includes(near) ? ` (not supported by wasm-mlp)` : ''}`;
    throw new Error(`${where}: unknown option '${key}'${hint} (${takes})`);
  }
}

/** The known key nearest to `key` (case-insensitive optimal-string-alignment distance); ties go to the first. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance with adjacent transpositions counted as one edit ('Weigth' → 'Weight' is 1). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1, cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * The option keys of an options interface, checked by tsc to be exactly its keys (a key added to
 * the interface and not here, or the reverse, fails to compile): `optionKeys<FitArgs>()([...])`.
 */
export function optionKeys<T>() {
  return <const K extends readonly (keyof T & string)[]>(
    keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : { missingKeys: Exclude<keyof T, K[number]> }),
  ): K => keys;
}
