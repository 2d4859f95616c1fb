// Writes golden token ids from Hugging Face's tokenizers (Rust, through the
// npm package) for the texts in a JSON file of {"name": ..., "text": ...}.
//
//   mkdir -p /tmp/hftok && cd /tmp/hftok && npm install tokenizers@0.23.2
//   NODE_PATH=/tmp/hftok/node_modules node golden_hf.mjs tokenizer.json texts.json > cases.jsonl
//
// Each output line is {"name", "text_b64", "ids"} with add_special_tokens=false,
// the format paperrepro/tokenize's golden test reads.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const { Tokenizer } = require("tokenizers");

const [tokenizerPath, textsPath] = process.argv.slice(2);
const tokenizer = Tokenizer.fromFile(tokenizerPath);
for (const { name, text } of JSON.parse(readFileSync(textsPath, "utf8"))) {
  const encoding = await tokenizer.encode(text, null, { addSpecialTokens: false });
  const ids = Array.from(encoding.getIds());
  const text_b64 = Buffer.from(text, "utf8").toString("base64");
  console.log(JSON.stringify({ name, text_b64, ids }));
}
