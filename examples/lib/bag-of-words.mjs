// Seeded bag-of-words rows for the intent classifier benchmark (intentModel in ./models.mjs):
// `vocab` word columns, `words` distinct words set to 1 per sample (about half drawn from 40
// words typical of the sample's class, the rest from the whole vocabulary), one-hot classes.
// The same arguments give the same data in every process (wt-18b's native peers port it).
import { mulberry32 } from './random.mjs';

/** @returns {{ x: Float32Array, y: Float32Array, n: number, vocab: number, classes: number }} */
export function bagOfWords({ n = 8192, vocab = 2000, words = 8, classes = 20, typical = 40, seed = 1 } = {}) {
  const rand = mulberry32(seed);
  const pick = (k) => Math.floor(rand() * k);
  // Each class's typical words: a seeded sample of the vocabulary.
  const typicalWords = Array.from({ length: classes }, () => Array.from({ length: typical }, () => pick(vocab)));
  const x = new Float32Array(n * vocab);
  const y = new Float32Array(n * classes);
  for (let r = 0; r < n; r++) {
    const c = pick(classes);
    y[r * classes + c] = 1;
    let set = 0;
    while (set < words) {
      const w = rand() < 0.5 ? typicalWords[c][pick(typical)] : pick(vocab);
      if (x[r * vocab + w] === 0) { x[r * vocab + w] = 1; set++; }
    }
  }
  return { x, y, n, vocab, classes };
}
