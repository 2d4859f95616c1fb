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
//     a1fa5ffddb56f4953e226637dabbb36a; a shorter file is used as a prefix,
//     with a warning.
//   - image: 32 x 64 grayscale patches (32 rows of 64 pixels, row-major) from
//     JPEG and PNG images (ImageNet validation), taken in byte-wise sorted
//     file-name order, gray by L = (19595 R + 38470 G + 7471 B + 32768) >> 16
//     on 8-bit R, G, B (PIL's convert("L")); gray images as they are. Images
//     smaller than a patch are skipped. Rule "random-crop" (the paper's):
//     one patch per image, x0 = IntN(W-64+1) then y0 = IntN(H-32+1) from
//     math/rand/v2 rand.New(rand.NewPCG(seed, 0)), cycling through the images
//     again when they run out. Rule "tiles" (Deletang et al. 2023): every
//     non-overlapping patch of each image, row-major, partial edge tiles
//     dropped. An image that fails to decode is skipped with a warning naming
//     it and listed in Provenance.Skipped, so one bad file among 50,000 does
//     not stop a run.
//   - speech: LibriSpeech FLAC files (a LibriSpeech tree or a flat directory),
//     in byte-wise sorted file-name order (the name, not the path), decoded
//     and concatenated. Rule "pcm16" (the paper's): little-endian int16
//     samples, cut into consecutive chunks. Rule "pcm8" (Deletang et al.):
//     one byte per sample, sample>>8 + 128. Every file read must be 16 kHz
//     mono 16-bit.
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
//	DATA/imagenet/val/                              ImageNet validation images, flat or in class folders
//	DATA/imagenet-sample/                           a few images, e.g. the shared sample
//	DATA/librispeech/LibriSpeech/train-clean-100/   LibriSpeech tree (Fetch puts it here)
//	DATA/librispeech/flac/                          any FLAC files, flat or nested
//	DATA/librispeech-sample/                        a few utterances, e.g. the shared sample
//
// The repository's ../shared/data folder follows this layout, so it can be
// used as a data directory as it is.
//
// # Downloads
//
// Fetch downloads enwik8 (http://mattmahoney.net/dc/enwik8.zip, the
// extracted file's md5 checked) and LibriSpeech train-clean-100 (OpenSLR,
// 6.4 GB, sha256 checked, only the .flac files extracted), resumably and
// with a progress bar. ImageNet cannot be downloaded without an account:
// register at https://image-net.org, download ILSVRC2012_img_val.tar (the
// 50,000 validation images, 6.3 GB) and extract its JPEGs into
// DATA/imagenet/val/ (for example: mkdir -p DATA/imagenet/val && tar -xf
// ILSVRC2012_img_val.tar -C DATA/imagenet/val).
//
// # Byte-to-text mapping
//
// Chunks are bytes; the paper's mapping to text (chr(b % 128),
// protocol.Mod128) and the lossless one belong to package protocol.
package datasets
