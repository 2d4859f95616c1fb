// Package datasets turns the paper's three data sets into numbered,
// fixed-size byte chunks: the first stage of the pipeline, before tokenize.
// A Source yields 2048 chunks of 2048 bytes by default, deterministically,
// and records its provenance (files, their SHA-256, the rule, its
// parameters).
//
// # Modalities and rules
//
//   - text: enwik8 (plain file, a prefix of it, or the official enwik8.zip).
//     Rule "consecutive": chunk i is bytes [2048 i, 2048 (i+1)). A file of
//     enwik8's full 100,000,000 bytes must have md5
//     a1fa5ffddb56f4953e226637dabbb36a, a longer one is refused, and a
//     shorter one is used as a prefix, with a warning, once its first
//     4,154,400 bytes have enwik8's sha256 (Enwik8PrefixSHA256); one too
//     short for that check is used with a warning that it was not checked.
//   - speech: LibriSpeech train-clean-100, 16 kHz mono 16-bit FLAC.
//     Rule "paper" (the default for a split fetched from the hub): the
//     utterances in the order of the hub split openslr/librispeech_asr
//     clean/train.100, decoded, each sample s written as the paper's code
//     wrote it, np.clip(x*32767, -32768, 32767).astype(int16) of the float
//     x = s/32768 the datasets library hands over, i.e. s-1 for s > 0 and
//     s+1 for s < 0, int16 little-endian, concatenated and cut into
//     consecutive chunks. Rule "pcm16" (the default for a folder of files):
//     the FLAC files in byte-wise sorted file-name order (the name, not the
//     path), samples as stored. Rule "pcm8" (Deletang et al.): that order,
//     one byte per sample, sample>>8 + 128. Every file read must be 16 kHz
//     mono 16-bit.
//   - image: 32 x 64 grayscale patches (32 rows of 64 pixels, row-major) from
//     JPEG and PNG images (ImageNet validation), gray by L = (19595 R +
//     38470 G + 7471 B + 32768) >> 16 on 8-bit R, G, B (PIL's convert("L"));
//     gray images as they are; images smaller than a patch are skipped.
//     Rule "paper" (the default for a split fetched from the hub): the images
//     in the order of the hub split ILSVRC/imagenet-1k validation, one patch
//     each, x0 = IntN(max(1, W-64)) then y0 = IntN(max(1, H-32)) from
//     math/rand/v2 rand.New(rand.NewPCG(seed, 0)): the range of the paper's
//     np.random.randint(0, max(1, W-64)), whose upper bound is exclusive.
//     The paper's generator was numpy's global one, never seeded, so its
//     offsets cannot be recovered; ours are seeded. No image is used twice.
//     Rule "random-crop" (the default for a folder of files): the images in
//     byte-wise sorted file-name order, one patch per image at x0 =
//     IntN(W-64+1) then y0 = IntN(H-32+1) from the same generator, cycling
//     through the images again when they run out. Rule "tiles" (Deletang et
//     al. 2023): every non-overlapping patch of each image in file-name
//     order, row-major, partial edge tiles dropped. An image that fails to
//     decode, or whose file or header claims more than a photograph has
//     (over 256 MiB, over 2^26 pixels: a decompression bomb), is skipped
//     with a warning naming it and listed in Provenance.Skipped, so one bad
//     file among 50,000 does not stop a run.
//
// A folder of files has no split order, so the "paper" rule refuses it; the
// default then falls back to the folder rule and says so (Options.Log and
// Provenance.Rule). The shared fixtures (../shared/fixtures/patches,
// expected_seed_protocol*.csv) are the bytes of "random-crop" and "pcm16".
//
// # The order the paper's examples came in
//
// The paper's code (github.com/rokosbasilisk/scaling-laws-for-compression,
// llmx.py at commit 2bd7815, 2025-07-19) streams
// load_dataset("librispeech_asr", "clean", split="train.100",
// streaming=True) and load_dataset("imagenet-1k", split="validation",
// streaming=True, trust_remote_code=True) and takes the examples as they
// come. Its committed notebook (llmx.ipynb) logged the run on 2025-07-07:
// 2048 image chunks "from imagenet-1k" in 27 s, 2048 LibriSpeech chunks in
// 4 s. The evidence for the order those streams had:
//
//   - The datasets library then was at most 3.6.0 (4.0.0, which dropped
//     loading scripts, came out on 2025-07-09). In 3.6.0 a streamed split
//     is read shard after shard in sorted order and row after row, with no
//     shuffling unless .shuffle() is called (src/datasets/iterable_dataset.py,
//     packaged_modules/parquet/parquet.py: row groups in file order).
//   - LibriSpeech went through the loading script, not parquet: the repo
//     committed the datasets cache lock
//     compression_cache_librispeech_asr_clean_2.1.0_2712a8f8...0432f.lock.
//     2.1.0 is the script's builder version, and 2712a8f8... is
//     datasets' _hash_python_lines of huggingface/datasets
//     datasets/librispeech_asr/librispeech_asr.py at commit 6b3f3ca3ef
//     (2022-08-30) with the task-template import and line removed, the hub's
//     later edit (recomputed: an exact match). The parquet export would have
//     hashed to a 40-digit commit, not 64 digits. That script streams
//     OpenSLR's train-clean-100.tar.gz with iter_archive and yields each
//     chapter's utterances, in its transcript's order, once the chapter's
//     FLAC files and .trans.txt have passed: the tar's order. Its first
//     example is 374-180298-0000 (232,480 samples; huggingface/datasets PR
//     #3290, 2021; the datasets documentation's streaming example shows its
//     first samples 7.019e-4, 7.324e-4, 7.324e-4, i.e. 23, 24, 24 / 32768),
//     and the author's first chunk (llmx.ipynb's "Audio Sample 1" waveform,
//     starting between 0.0006 and 0.0008) is consistent with it.
//   - The hub's parquet shards openslr/librispeech_asr
//     clean/train.100/0000.parquet ... 0013.parquet keep that order: their
//     rows hold the script's columns (audio {bytes, path}, id, file with the
//     converting machine's paths, i.e. the script's output) and streaming
//     them starts with 374-180298-0000 too (public notes pinning revision
//     71cacbfb7e2354c4226d01e70d77d5fca3d04ba1).
//   - ImageNet: ILSVRC/imagenet-1k still held its loading script
//     imagenet-1k.py in August 2025 (microsoft/Olive#2121: datasets 4
//     refuses "imagenet-1k.py"). With datasets 3.6 and
//     trust_remote_code=True it was read either by that script, which
//     yields data/val_images.tar.gz's JPEGs in archive order, or by the
//     complete parquet export of the same script's output; both give the
//     archive's order. The repository's parquet shards
//     data/validation-00000-of-00014.parquet ... -00013 are that split
//     converted; that the conversion kept the order is inferred (it did for
//     LibriSpeech), not verified here, since the hub cannot be reached from
//     where this was written.
//
// So the paper's order is the split's row order as the hub serves it now,
// which FetchSplit reads: shards in sorted path order, rows in file order.
// The paper's speech chunks are the first 131 s of 374-180298 (speaker 374,
// chapter 180298), not of speakers 103 and 1034 that file-name order gives.
//
// All chunks are built when the Source is opened (4 MiB at the defaults):
// the grid reads every chunk once per model and step, so decoding once is
// the cheap way.
//
// # Data directory
//
// ResolveDataDir picks the directory: a flag value, else $PAPERREPRO_DATA,
// else ~/.cache/paperrepro/data. Open looks there for the first of these
// that exists (Locate), or reads Options.Path instead:
//
//	DATA/enwik8/enwik8                              full enwik8 (Fetch puts it here)
//	DATA/enwik8/enwik8.zip                          the official archive, read as is
//	DATA/enwik8/enwik8.prefix                       a prefix, e.g. the shared sample
//	DATA/imagenet/validation/                       the hub split's first images + split.json (Fetch puts them here)
//	DATA/imagenet/val/                              ImageNet validation images, flat or in class folders
//	DATA/imagenet-sample/                           a few images, e.g. the shared sample
//	DATA/librispeech/train.100/                     the hub split's first utterances + split.json (Fetch puts them here)
//	DATA/librispeech/LibriSpeech/train-clean-100/   a LibriSpeech tree
//	DATA/librispeech/flac/                          any FLAC files, flat or nested
//	DATA/librispeech-sample/                        a few utterances, e.g. the shared sample
//
// The repository's ../shared/data folder follows this layout, so it can be
// used as a data directory as it is.
//
// # Downloads
//
// Fetch downloads enwik8 (http://mattmahoney.net/dc/enwik8.zip, the
// extracted file's md5 checked), and with FetchSplit the first examples of
// the speech and image splits: it reads each parquet shard's footer (its
// last 64 KiB) and then, with one HTTP range request per row group, only the
// example column's chunks of the row groups the requested chunks need. The
// example files land beside split.json, which records the commit, each
// shard's LFS sha256 and how many of its row groups were read, and every
// example's shard, row and sha256 (checked whenever it is read). A fetch
// resumes after the last complete row group; a shard that changed on the hub
// starts it over. ILSVRC/imagenet-1k is gated: it needs HF_TOKEN of an
// account that accepted its terms; without one the error says so and how to
// use image-net.org's ILSVRC2012_img_val.tar instead.
//
// The datasets library writes audio and image parquet files in row groups of
// 100 rows (config.PARQUET_ROW_GROUP_SIZE_FOR_AUDIO_DATASETS and
// ..._FOR_IMAGE_DATASETS). 2048 speech chunks are 4 MiB of int16, 131 s of
// audio, about ten utterances: the first row group of 0000.parquet, about
// 22 MB (train-clean-100 is 6.3 GB in 28,539 utterances, 221 KB each). 2048
// image chunks need 2048 images: 21 row groups of the first shard, about
// 270 MB (6.4 GB in 50,000 images, 128 KB each). These are estimates from
// the published sizes and that row-group size, not measurements: the hub
// cannot be reached from the machines this was built on. Were a shard
// written as one row group, the fetch would read that whole shard (about
// 450 MB), still not the whole split.
//
// # Byte-to-text mapping
//
// Chunks are bytes; the paper's mapping to text (chr(b % 128),
// protocol.Mod128) and the lossless one belong to package protocol.
package datasets
