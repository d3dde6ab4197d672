// A bag-of-words chatbot intent classifier: the Keras model from the course notes
//   Dense(256, relu) → Dropout(0.5) → Dense(128, relu) → Dropout(0.5) → Dense(classes, softmax)
// trained on examples/data/intents.json. The optimizer, loss and epochs are our choice (the notes
// give none): Adam and categorical cross-entropy on one-hot intents.
//
//   node examples/intent-classifier.mjs                  # train, then chat (when stdin is a terminal)
//   node examples/intent-classifier.mjs --ask "where is my parcel?"
//   node examples/intent-classifier.mjs --quick          # fewer epochs, demo questions only
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import * as nn from 'wasm-mlp';

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    ask: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});

// ---- tokenizer: lowercase, strip punctuation, split, crude suffix stemming -----------------------
const SUFFIXES = ['ing', 'ed', 'es', 'ly', 's'];
export function stem(word) {
  for (const s of SUFFIXES) if (word.endsWith(s) && word.length - s.length >= 3) return word.slice(0, -s.length);
  return word;
}
export function tokenize(text) {
  return text.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, ' ').split(/\s+/).filter(Boolean).map(stem);
}

const { intents } = JSON.parse(readFileSync(new URL('./data/intents.json', import.meta.url), 'utf8'));
const tags = intents.map((i) => i.tag);
const vocab = [...new Set(intents.flatMap((i) => i.patterns.flatMap(tokenize)))].sort();
const index = new Map(vocab.map((w, i) => [w, i]));

/** 1 for every vocabulary word present in the text (words outside the vocabulary are ignored). */
function bagOfWords(text) {
  const v = new Float32Array(vocab.length);
  for (const t of tokenize(text)) if (index.has(t)) v[index.get(t)] = 1;
  return v;
}

const samples = intents.flatMap((intent, c) => intent.patterns.map((p) => [bagOfWords(p), c]));
const x = nn.tensor2d(new Float32Array(samples.flatMap(([v]) => [...v])), [samples.length, vocab.length]);
const y = nn.tensor2d(samples.map(([, c]) => tags.map((_, k) => (k === c ? 1 : 0))));

await nn.ready();
const model = nn.sequential({ seed: Number(opt.seed) });
model.add(nn.layers.dense({ units: 256, activation: 'relu', inputShape: [vocab.length] }));
model.add(nn.layers.dropout({ rate: 0.5 }));
model.add(nn.layers.dense({ units: 128, activation: 'relu' }));
model.add(nn.layers.dropout({ rate: 0.5 }));
model.add(nn.layers.dense({ units: tags.length, activation: 'softmax' }));
model.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.001 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const epochs = Number(opt.epochs ?? (opt.quick ? 60 : 200));
const t0 = performance.now();
const history = await model.fit(x, y, { epochs, batchSize: 8 });
const acc = model.evaluate(x, y).accuracy;
console.log(`${intents.length} intents, ${samples.length} patterns, vocabulary of ${vocab.length} stems; model ${vocab.length} → 256 → 128 → ${tags.length} (${model.countParams()} parameters)`);
console.log(`trained ${epochs} epochs in ${((performance.now() - t0) / 1000).toFixed(2)}s: loss ${history.history.loss.at(-1).toFixed(4)}, training accuracy ${(100 * acc).toFixed(1)}%\n`);

const CONFIDENT = 0.4;
function classify(text) {
  const p = model.predict([Array.from(bagOfWords(text))]).data;
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
  return { tag: tags[best], p: p[best] };
}
function reply(text) {
  const { tag, p } = classify(text);
  const responses = intents.find((i) => i.tag === tag).responses;
  const answer = p >= CONFIDENT ? responses[text.length % responses.length] : "Sorry, I didn't understand that. Could you rephrase it?";
  return `[${tag} ${(100 * p).toFixed(0)}%] ${answer}`;
}

if (opt.ask !== undefined) {
  console.log(`> ${opt.ask}\n${reply(opt.ask)}`);
} else if (process.stdin.isTTY && !opt.quick) {
  console.log('Ask me something (an empty line or Ctrl+D quits).');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  rl.on('close', () => process.exit(0));
  for (;;) {
    const line = (await rl.question('> ')).trim();
    if (!line) break;
    console.log(reply(line));
  }
  rl.close();
} else {
  // Phrasings that are not in the training patterns.
  const demo = ['hello, anybody there?', 'when does the shop open on saturday', 'my parcel still has not arrived', 'can i get a refund for a broken product', 'do you accept credit cards', 'tell me something funny', 'i would like to speak to a real human', 'thank you very much'];
  for (const q of demo) console.log(`> ${q}\n${reply(q)}`);
}
model.dispose();
