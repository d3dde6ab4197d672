// Seeded synthetic data for the bag-of-words intent classifier of the benchmarks (the seeds'
// chatbot model, examples/intent-classifier.mjs, at the size of a real assistant): each sample is
// a 0/1 vector over a `vocabulary`-word dictionary with exactly `wordsPerSample` words set, so the
// input is ~99.6 % zeros, as bag-of-words inputs are. Learnable, not noise: every intent has its
// own 40 "topic" words and draws most of a sample's words from them, the rest from the whole
// vocabulary (the filler words of a sentence).
import { mulberry32 } from './random.mjs';

/** The benchmark's intent data set: 2,000-word vocabulary, 8 words per sample, 20 intents. */
export const INTENT_DATA = { vocabulary: 2000, wordsPerSample: 8, classes: 20, topicWords: 40, topicShare: 0.7 };

/**
 * @returns {{ x: Float32Array, y: Float32Array, n: number, vocabulary: number, classes: number }}
 *   x: n × vocabulary (row-major, 0/1), y: n × classes one-hot.
 */
export function intentData({ n = 8000, seed = 1, ...options } = {}) {
  const { vocabulary, wordsPerSample, classes, topicWords, topicShare } = { ...INTENT_DATA, ...options };
  if (wordsPerSample > vocabulary || topicWords > vocabulary) {
    throw new Error(`intentData: wordsPerSample (${wordsPerSample}) and topicWords (${topicWords}) must not exceed the vocabulary (${vocabulary})`);
  }
  const rand = mulberry32(seed);
  const pick = (k) => Math.floor(rand() * k);
  const topics = Array.from({ length: classes }, () => Array.from({ length: topicWords }, () => pick(vocabulary)));
  const x = new Float32Array(n * vocabulary);
  const y = new Float32Array(n * classes);
  for (let r = 0; r < n; r++) {
    const c = pick(classes);
    y[r * classes + c] = 1;
    const row = x.subarray(r * vocabulary, (r + 1) * vocabulary);
    // Exactly wordsPerSample distinct words: a drawn word already in the sentence is drawn again.
    for (let set = 0; set < wordsPerSample; ) {
      const word = rand() < topicShare ? topics[c][pick(topicWords)] : pick(vocabulary);
      if (row[word] === 0) {
        row[word] = 1;
        set++;
      }
    }
  }
  return { x, y, n, vocabulary, classes };
}
