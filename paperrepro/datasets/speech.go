package datasets

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mewkiz/flac"
)

// Speech rules.
const (
	// RulePCM16 writes each sample as little-endian int16, two bytes (the
	// paper's code).
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

// openSpeech decodes the FLAC files under dir in byte-wise sorted file-name
// order, concatenates their samples and cuts consecutive chunks. Only the
// files needed for the requested chunks are read; each of them must be
// 16 kHz mono 16-bit.
func openSpeech(dir string, opts Options) (Source, error) {
	rule := opts.Rule
	if rule == "" {
		rule = RulePCM16
	}
	if rule != RulePCM16 && rule != RulePCM8 {
		return nil, fmt.Errorf("speech: unknown rule %q (want %q or %q)", rule, RulePCM16, RulePCM8)
	}
	files, err := listFiles(dir, ".flac")
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
	for _, path := range files {
		if len(data) >= need {
			break
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("speech: %w", err)
		}
		if data, err = appendFLAC(data, raw, need, rule); err != nil {
			return nil, fmt.Errorf("speech: %s: %w", path, err)
		}
		prov.Files = append(prov.Files, FileRecord{Path: relPath(dir, path), SHA256: sha256Hex(raw), Bytes: int64(len(raw))})
	}
	if len(data) < need {
		return nil, fmt.Errorf("speech: the %d FLAC files under %s decode to %d bytes (rule %s): %d whole chunks of %d bytes available, %d requested",
			len(files), dir, len(data), rule, len(data)/opts.ChunkSize, opts.ChunkSize, opts.Count)
	}
	return &memorySource{modality: Speech, size: opts.ChunkSize, data: data, prov: prov}, nil
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
		if rule == RulePCM16 {
			dst = append(dst, pcm[:min(len(pcm), limit-len(dst))]...)
			continue
		}
		for i := 0; i < len(pcm) && len(dst) < limit; i += 2 {
			sample := int16(binary.LittleEndian.Uint16(pcm[i:]))
			dst = append(dst, byte(sample>>8)+128)
		}
	}
	return dst, nil
}
