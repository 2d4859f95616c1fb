// Times Hugging Face's tokenizers (Rust, through the npm package) on the
// enwik8 prefix mapped with chr(b % 128), chunk by chunk (2048 bytes), the
// same work as BenchmarkEncodeEnwik8 in paperrepro/tokenize, so the two can be
// compared on one machine:
//
//   mkdir -p /tmp/hftok && cd /tmp/hftok && npm install tokenizers@0.23.2
//   cd testdata/tokenizer
//   NODE_PATH=/tmp/hftok/node_modules node bench_hf.mjs tokenizer.json ../../../shared/data/enwik8/enwik8.prefix [passes]
//   go test -run '^$' -bench EncodeEnwik8 -count 5 ../../paperrepro/tokenize
//
// It prints, for each pass, MB/s and tokens/s of sequential encode calls
// (pass 1 starts with an empty word cache), then one call on the whole text,
// then encodeBatch over all chunks (which may use several threads).
//
// With --digest it instead prints one line per chunk, "index count sha256",
// where sha256 is of the ids written as decimal numbers joined by ",": the
// file enwik8_chunks.txt beside this script was made that way.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";

const require = createRequire(import.meta.url);
const { Tokenizer } = require("tokenizers");

const args = process.argv.slice(2);
const digest = args.includes("--digest");
const [tokenizerPath, dataPath, passesArg] = args.filter((a) => a !== "--digest");
const passes = Number(passesArg ?? 5);
const CHUNK = 2048;

const tokenizer = Tokenizer.fromFile(tokenizerPath);
const raw = readFileSync(dataPath);
const text = Array.from(raw, (b) => String.fromCharCode(b % 128)).join("");
const chunks = [];
for (let start = 0; start < text.length; start += CHUNK) chunks.push(text.slice(start, start + CHUNK));
const options = { addSpecialTokens: false };

if (digest) {
  for (const [i, chunk] of chunks.entries()) {
    const ids = Array.from((await tokenizer.encode(chunk, null, options)).getIds());
    const sum = createHash("sha256").update(ids.join(",")).digest("hex");
    console.log(`${i} ${ids.length} ${sum}`);
  }
  process.exit(0);
}

const mb = text.length / 1e6;
function report(label, seconds, tokens) {
  console.log(`${label}: ${(mb / seconds).toFixed(2)} MB/s, ${(tokens / seconds).toFixed(0)} tokens/s, ${tokens} tokens, ${seconds.toFixed(3)} s`);
}
for (let pass = 1; pass <= passes; pass++) {
  const t0 = process.hrtime.bigint();
  let tokens = 0;
  for (const chunk of chunks) tokens += (await tokenizer.encode(chunk, null, options)).getIds().length;
  report(`pass ${pass}, ${chunks.length} chunks, one call each`, Number(process.hrtime.bigint() - t0) / 1e9, tokens);
}
{
  const t0 = process.hrtime.bigint();
  const tokens = (await tokenizer.encode(text, null, options)).getIds().length;
  report("whole text in one call", Number(process.hrtime.bigint() - t0) / 1e9, tokens);
}
{
  const t0 = process.hrtime.bigint();
  const encodings = await tokenizer.encodeBatch(chunks, options);
  const tokens = encodings.reduce((n, e) => n + e.getIds().length, 0);
  report("encodeBatch of all chunks", Number(process.hrtime.bigint() - t0) / 1e9, tokens);
}
