// Package baselines measures classical compressors (gzip, xz, zstd, bzip2,
// PNG, FLAC) on exactly the chunks the grid scores, so that the language
// models' compression ratios can be read against them.
//
// # What is measured
//
// Run takes chunk sources from package datasets (any rule: the grid's, that
// is the paper's split order or on a plain folder random-crop and pcm16 (see
// PaperRules); Deletang et al.'s tiles and pcm8) and, for every
// codec that suits the modality (CodecsFor), records three accountings, as
// Deletang et al. ("Language Modeling Is Compression", ICLR 2024) did:
//
//   - Stream: all chunks concatenated and compressed as one input.
//   - PerChunk: every chunk compressed on its own, sizes summed, each with
//     its format's fixed header and trailer.
//   - PerChunkHeaderOnce: the same with the header counted once for all
//     chunks, Deletang et al.'s formula (their compress.py): sum - (N-1) h,
//     where h, the header, is measured as the compressed size of the
//     smallest input the format holds (one zero byte, one zero sample, one
//     1x1 pixel). h includes that unit's coded bits, so it overstates the
//     pure header by a byte or two; Result.HeaderBytes records it.
//
// The compression ratio is compressed bytes / original bytes (the paper's
// CR, lower is better) and bits per byte is 8 CR.
//
// # Codecs and why these implementations
//
//   - gzip -9 -n, xz -9e, zstd --ultra -22, bzip2 -9, flac -8: the
//     reference command-line tools (Debian packages gzip, xz-utils, zstd,
//     bzip2, flac; `make setup` installs them), many chunks per process.
//     A baseline called "xz" should be xz's ratio, and the Go encoders are
//     other codecs: on 1 MiB of enwik8, github.com/ulikunitz/xz v0.5.17
//     gave 14% more bytes than xz -9e, github.com/klauspost/compress
//     v1.20.4 at its strongest level 7% more than zstd -19 (it matches
//     zstd -11), github.com/dsnet/compress v0.0.1's bzip2 8% more than
//     bzip2 -9; Go's compress/gzip at level 9 was 1-4% away from GNU gzip
//     -9 on the shared image and speech chunks; github.com/mewkiz/flac's
//     encoder has fixed predictors only, with one Rice partition, no LPC.
//   - PNG: Go's image/png at BestCompression, each chunk as an 8-bit gray
//     image 64 pixels wide (32x64 patches), and a second variant 32 pixels
//     wide, which is how Deletang et al.'s png.py reshapes a 2048-byte chunk.
//     Its filters are libpng's (the minimum-sum-of-differences choice per
//     row), its deflate Go's: on the filtered rows of 256 shared patches
//     that deflate was 2-4% smaller than zlib's level 9, which libpng and
//     PIL use. No PNG tool is among the reference CLIs. Deletang et al. used
//     PIL with optimize=True; TestPNG32WideAgainstPIL checks png-32wide
//     against it on the shared tiles (within 1%; it runs where Debian's
//     python3-pil is installed).
//   - FLAC: flac -8 on the chunk as raw mono 16 kHz samples at the rule's
//     width (pcm16: signed 16-bit little-endian; pcm8: unsigned 8-bit),
//     without padding or seek table (only the metadata flac always writes).
//
// The tests check each command-line codec against the tool run by hand on
// the same bytes, and every codec by decoding its output back to the input.
//
// # Reading the results
//
// Table holds the results and writes and reads them as CSV with their
// provenance (WriteCSV, ReadCSV). Compare puts the paper's best language
// model at its last training step beside the codecs for each modality;
// ComparePublished puts ours beside the figures Deletang et al. published,
// DeletangSetup cites how they made them, and SampleSizeCurve shows how
// much a codec's ratio depends on the chunks it is given (ours are a few
// thousand from a few dozen files, theirs 488,281); figures.Baselines draws the codecs as lines beside the models. The
// command line's `paperrepro baselines` does all of it.
package baselines
