package protocol

// Encoder turns text into token ids without adding special tokens.
// *tokenize.Tokenizer satisfies it.
type Encoder interface {
	Encode(text string) ([]int, error)
}

// Tokenizer turns text into token ids and back. *tokenize.Tokenizer
// satisfies it.
type Tokenizer interface {
	Encoder
	Decode(ids []int) (string, error)
}

// Scorer scores whole sequences in one forward pass: out[b][t-1] =
// -log2 p(seqs[b][t] | seqs[b][:t]) for t = 1..len(seqs[b])-1. *neox.Model
// satisfies it.
type Scorer interface {
	TokenBits(seqs [][]int) ([][]float64, error)
}

// StepDecoder runs a model incrementally over a fixed number of independent
// streams: each Next call feeds one token per stream and returns, per
// stream, the natural-log distribution of the token after it, which may
// live only until the next call. A stream fed EndedStream has ended: it is
// fed EndedStream from then on, its distribution is not read, and it changes
// no other stream's floats. It must be deterministic: the same fed tokens
// give bit-identical floats. *neox.Decoder satisfies it.
type StepDecoder interface {
	Next(ids []int) ([][]float32, error)
}

// EndedStream is the id fed to a StepDecoder's ended stream
// (neox.EndedStream): the decoder may skip its work.
const EndedStream = -1

// Model makes StepDecoders for batch streams of up to maxLen tokens and
// names the backend computing them. *neox.Model satisfies Model[*neox.Decoder].
type Model[D StepDecoder] interface {
	NewDecoder(batch, maxLen int) (D, error)
	Backend() string
	// Engine names the software computing the floats, with its versions
	// ("gomlx v0.28.16, compute v0.1.14, go-xla v0.4.13"): another version may round
	// differently, so containers record it.
	Engine() string
}

// closeDecoder frees a decoder's resources when it has a Close method.
func closeDecoder(d any) {
	switch c := d.(type) {
	case interface{ Close() }:
		c.Close()
	case interface{ Close() error }:
		_ = c.Close()
	}
}
