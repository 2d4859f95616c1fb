package datasets

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/mewkiz/flac"
)

// RulePaper is the paper's rule for speech and for images: the examples in
// the order of the hub split the author streamed (a folder fetched by
// FetchSplit, whose manifest keeps that order). For speech each sample s
// becomes paperSample(s), as int16 little-endian, concatenated and cut into
// consecutive chunks; for images see RuleRandomCrop's variant in image.go.
const RulePaper = "paper"

// Speech rules for a folder of FLAC files in byte-wise sorted file-name order.
const (
	// RulePCM16 writes each sample as little-endian int16, two bytes: the
	// samples as the files hold them.
	RulePCM16 = "pcm16"
	// RulePCM8 writes each sample as one byte, sample>>8 + 128 (Deletang et
	// al. 2023).
	RulePCM8 = "pcm8"
)

// The speech format the modality requires: LibriSpeech's.
const (
	speechSampleRate = 16000
	speechChannels   = 1
	speechBits       = 16
)

// openSpeech decodes the FLAC files under dir, in the split's order (rule
// paper) or in byte-wise sorted file-name order (pcm16, pcm8), concatenates
// their samples and cuts consecutive chunks. Only the files needed for the
// requested chunks are read; each of them must be 16 kHz mono 16-bit.
func openSpeech(dir string, opts Options) (Source, error) {
	rule, err := resolveRule(Speech, dir, opts, RulePCM16, RulePCM16, RulePCM8)
	if err != nil {
		return nil, err
	}
	files, records, err := orderedFiles(dir, rule, ".flac")
	if err != nil {
		return nil, fmt.Errorf("speech: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("speech: no .flac files under %s", dir)
	}
	need := opts.ChunkSize * opts.Count
	data := make([]byte, 0, need)
	prov := Provenance{
		Modality: Speech, Rule: rule, ChunkSize: opts.ChunkSize, Count: opts.Count, Root: dir,
		Parameters: map[string]any{"sample_rate": speechSampleRate, "channels": speechChannels, "bits_per_sample": speechBits},
	}
	if rule == RulePaper {
		splitParameters(prov.Parameters, dir)
		prov.Parameters["conversion"] = "np.clip(s/32768*32767, -32768, 32767).astype(int16): s-1 for s > 0, s+1 for s < 0"
	}
	for _, path := range files {
		if len(data) >= need {
			break
		}
		raw, err := readSpeechFile(path)
		if err != nil {
			return nil, fmt.Errorf("speech: %w", err)
		}
		if err := checkSplitItem(records, path, raw); err != nil {
			return nil, fmt.Errorf("speech: %w", err)
		}
		if data, err = appendFLAC(data, raw, need, rule); err != nil {
			return nil, fmt.Errorf("speech: %s: %w", path, err)
		}
		prov.Files = append(prov.Files, FileRecord{Path: relPath(dir, path), SHA256: sha256Hex(raw), Bytes: int64(len(raw))})
	}
	if len(data) < need {
		return nil, tooFewChunks(len(data)/opts.ChunkSize, opts.Count, "speech: the %d FLAC files under %s decode to %d bytes (rule %s): %d whole chunks of %d bytes available, %d requested",
			len(files), dir, len(data), rule, len(data)/opts.ChunkSize, opts.ChunkSize, opts.Count)
	}
	return newMemorySource(Speech, opts.ChunkSize, data, prov), nil
}

// maxSpeechFileBytes bounds a speech file, which is read whole: hours of
// 16 kHz FLAC, far above any utterance's (LibriSpeech's are under 1 MB).
const maxSpeechFileBytes = 256 << 20

// readSpeechFile reads one FLAC file, refusing one larger than
// maxSpeechFileBytes before reading it.
func readSpeechFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Size() > maxSpeechFileBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a speech file may have here", path, info.Size(), maxSpeechFileBytes)
	}
	return os.ReadFile(path)
}

// appendFLAC decodes the FLAC stream raw and appends its samples to dst in
// the rule's encoding, stopping once dst holds limit bytes. A stream decoded
// to its end is checked against the MD5 of the audio its header carries.
func appendFLAC(dst, raw []byte, limit int, rule string) ([]byte, error) {
	stream, err := flac.New(bytes.NewReader(raw))
	if err != nil {
		return dst, fmt.Errorf("reading FLAC header: %w", err)
	}
	info := stream.Info
	if info.SampleRate != speechSampleRate || info.NChannels != speechChannels || info.BitsPerSample != speechBits {
		return dst, fmt.Errorf("%d Hz, %d channel(s), %d-bit; the speech modality needs %d Hz mono %d-bit FLAC (LibriSpeech's format)",
			info.SampleRate, info.NChannels, info.BitsPerSample, speechSampleRate, speechBits)
	}
	audioMD5 := md5.New()
	var pcm []byte
	for len(dst) < limit {
		frame, err := stream.ParseNext()
		if errors.Is(err, io.EOF) {
			if want := info.MD5sum; want != [md5.Size]byte{} && !bytes.Equal(audioMD5.Sum(nil), want[:]) {
				return dst, fmt.Errorf("decoded audio does not match the MD5 in the FLAC header: the file is corrupt")
			}
			return dst, nil
		}
		if err != nil {
			return dst, fmt.Errorf("decoding FLAC frame: %w", err)
		}
		pcm = pcm[:0]
		for _, sample := range frame.Subframes[0].Samples {
			pcm = binary.LittleEndian.AppendUint16(pcm, uint16(int16(sample)))
		}
		audioMD5.Write(pcm)
		switch rule {
		case RulePCM16:
			dst = append(dst, pcm[:min(len(pcm), limit-len(dst))]...)
		case RulePaper:
			for i := 0; i < len(pcm) && len(dst) < limit; i += 2 {
				sample := paperSample(int16(binary.LittleEndian.Uint16(pcm[i:])))
				dst = binary.LittleEndian.AppendUint16(dst, uint16(sample))
			}
			dst = dst[:min(len(dst), limit)]
		case RulePCM8:
			for i := 0; i < len(pcm) && len(dst) < limit; i += 2 {
				sample := int16(binary.LittleEndian.Uint16(pcm[i:]))
				dst = append(dst, byte(sample>>8)+128)
			}
		}
	}
	return dst, nil
}

// paperSample is what the paper's code makes of a 16-bit sample s. The
// datasets library decodes FLAC with soundfile, which scales s to the
// float x = s/32768; the code then writes np.clip(x*32767, -32768,
// 32767).astype(np.int16), and the cast truncates toward zero. So every
// sample but 0 moves one step toward 0 (s-1 for s > 0, s+1 for s < 0), the
// same in float32 and float64 (x*32767 = s - s/32768 never rounds across an
// integer).
func paperSample(s int16) int16 {
	x := float64(s) / 32768
	return int16(math.Max(-32768, math.Min(32767, x*32767)))
}
