package protocol

import (
	"fmt"
	"math"
	"strings"
)

// standinTokenizer is a small BPE-like tokenizer for tests: id 0 is
// "<|endoftext|>" (matched literally, like a special token), ids 1..128 are
// the ASCII characters, then a few common pairs, matched greedily. It is
// lossy in one place on purpose, like a normalising tokenizer: "\r\n" encodes
// as the token for "\n", which the lossless protocol must detect.
type standinTokenizer struct {
	pieces []string
	index  map[string]int
}

func newStandinTokenizer() *standinTokenizer {
	t := &standinTokenizer{index: map[string]int{}}
	t.add("<|endoftext|>")
	for c := range 128 {
		t.add(string(rune(c)))
	}
	for _, p := range []string{"th", "he", "in", "er", "an", " t", "e ", "s ", "the", " the", "and", "ing", "</", "[[", "]]"} {
		t.add(p)
	}
	return t
}

func (t *standinTokenizer) add(p string) {
	t.index[p] = len(t.pieces)
	t.pieces = append(t.pieces, p)
}

func (t *standinTokenizer) Encode(text string) ([]int, error) {
	var ids []int
	for len(text) > 0 {
		if strings.HasPrefix(text, "\r\n") {
			ids = append(ids, t.index["\n"])
			text = text[2:]
			continue
		}
		best := ""
		for n := 1; n <= min(len(text), 13); n++ {
			if _, ok := t.index[text[:n]]; ok {
				best = text[:n]
			}
		}
		if best == "" {
			return nil, fmt.Errorf("standin tokenizer: cannot encode %q", text[:1])
		}
		ids = append(ids, t.index[best])
		text = text[len(best):]
	}
	return ids, nil
}

func (t *standinTokenizer) Decode(ids []int) (string, error) {
	var sb strings.Builder
	for _, id := range ids {
		if id < 0 || id >= len(t.pieces) {
			return "", fmt.Errorf("standin tokenizer: id %d not in vocabulary of %d", id, len(t.pieces))
		}
		sb.WriteString(t.pieces[id])
	}
	return sb.String(), nil
}

// standinModel is an adaptive stand-in language model: per stream, the
// next-token distribution mixes token counts seen so far with a preference
// for the token after the previous one. Its vocabulary is larger than the
// tokenizer's, as Pythia's padded one is. Computations are in a fixed order,
// so it is deterministic like the real Decoder.
type standinModel struct {
	vocab   int
	backend string
	engine  string // "" is standinEngine
	// steps counts Next calls over all decoders, to check lockstep batching.
	steps int
	// streams records the batch of every decoder made, in order.
	streams []int
}

func (m *standinModel) Backend() string { return m.backend }

// standinEngine is the stand-in's engine, as a container records it.
const standinEngine = "standin v1"

func (m *standinModel) Engine() string {
	if m.engine == "" {
		return standinEngine
	}
	return m.engine
}

func (m *standinModel) NewDecoder(batch, maxLen int) (*standinDecoder, error) {
	if batch < 1 || maxLen < 1 {
		return nil, fmt.Errorf("standin model: batch %d, maxLen %d", batch, maxLen)
	}
	m.streams = append(m.streams, batch)
	d := &standinDecoder{model: m, batch: batch, maxLen: maxLen, counts: make([][]float64, batch), prev: make([]int, batch)}
	for b := range d.counts {
		d.counts[b] = make([]float64, m.vocab)
	}
	return d, nil
}

func (m *standinModel) TokenBits(seqs [][]int) ([][]float64, error) {
	out := make([][]float64, len(seqs))
	for b, seq := range seqs {
		d, err := m.NewDecoder(1, max(1, len(seq)))
		if err != nil {
			return nil, err
		}
		for t := 0; t+1 < len(seq); t++ {
			logp, err := d.Next([]int{seq[t]})
			if err != nil {
				return nil, err
			}
			out[b] = append(out[b], -float64(logp[0][seq[t+1]])/math.Ln2)
		}
	}
	return out, nil
}

type standinDecoder struct {
	model  *standinModel
	batch  int
	maxLen int
	fed    int
	counts [][]float64
	prev   []int
	closed bool
}

func (d *standinDecoder) Close() { d.closed = true }

func (d *standinDecoder) Next(ids []int) ([][]float32, error) {
	if d.closed {
		return nil, fmt.Errorf("standin decoder: closed")
	}
	if len(ids) != d.batch {
		return nil, fmt.Errorf("standin decoder: %d ids for %d streams", len(ids), d.batch)
	}
	if d.fed >= d.maxLen {
		return nil, fmt.Errorf("standin decoder: step %d beyond maxLen %d", d.fed+1, d.maxLen)
	}
	d.fed++
	d.model.steps++
	out := make([][]float32, d.batch)
	for b, id := range ids {
		if id == EndedStream {
			continue
		}
		if id < 0 || id >= d.model.vocab {
			return nil, fmt.Errorf("standin decoder: id %d outside vocabulary %d", id, d.model.vocab)
		}
		d.counts[b][id]++
		d.prev[b] = id
		out[b] = d.distribution(b)
	}
	return out, nil
}

func (d *standinDecoder) distribution(b int) []float32 {
	v := d.model.vocab
	follow := (d.prev[b]*31 + 7) % v
	w := make([]float64, v)
	sum := 0.0
	for j := range w {
		w[j] = d.counts[b][j] + 0.02
		if j == follow {
			w[j] += 3
		}
		sum += w[j]
	}
	logp := make([]float32, v)
	for j := range w {
		logp[j] = float32(math.Log(w[j] / sum))
	}
	return logp
}
