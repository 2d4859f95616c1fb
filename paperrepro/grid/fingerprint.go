package grid

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// setup is everything that shapes a cell's numbers: the weights and
// config.json, the tokenizer, the backend and the engine version computing
// on it, the protocol with its options and compute dtype (and for the
// lossless protocol the batch size), and the data with its files' sums -
// but not where the files happen to be on this machine. Two runs with equal
// setups compute bit-identical chunk results, so a finished cell or a
// .partial file is reused only by a run with the same setup.
type setup struct {
	WeightsSHA256   string               `json:"weights_sha256"`
	ConfigSHA256    string               `json:"config_sha256"`
	TokenizerSHA256 string               `json:"tokenizer_sha256"`
	Backend         string               `json:"backend"`
	Engine          string               `json:"engine"`
	Protocol        results.ProtocolInfo `json:"protocol"`
	Data            datasets.Provenance  `json:"data"`
}

// setupOf is the setup a result file records.
func setupOf(c *results.Cell) setup {
	return setup{
		WeightsSHA256:   c.Checkpoint.WeightsSHA256,
		ConfigSHA256:    c.Checkpoint.ConfigSHA256,
		TokenizerSHA256: c.Tokenizer.SHA256,
		Backend:         c.Backend,
		Engine:          c.Engine,
		Protocol:        c.Protocol,
		Data:            portableData(c.Data),
	}
}

// fromEarlierVersion reports whether s was recorded by a paperrepro that
// left config.json and the engine out of a cell's setup, so that whether it
// matches a run's setup cannot be told.
func (s setup) fromEarlierVersion() bool {
	return s.ConfigSHA256 == "" || s.Engine == ""
}

// portableData drops the machine-specific part of a provenance (the data
// folder, the path separator of the file names) and what a JSON round trip
// changes (an empty list or map reads back as none).
func portableData(data datasets.Provenance) datasets.Provenance {
	data.Root = ""
	if len(data.Parameters) == 0 {
		data.Parameters = nil
	}
	data.Files = slices.Clone(data.Files)
	if len(data.Files) == 0 {
		data.Files = nil
	}
	for i := range data.Files {
		data.Files[i].Path = filepath.ToSlash(data.Files[i].Path)
	}
	data.Skipped = slices.Clone(data.Skipped)
	if len(data.Skipped) == 0 {
		data.Skipped = nil
	}
	for i := range data.Skipped {
		data.Skipped[i].Path = filepath.ToSlash(data.Skipped[i].Path)
	}
	return data
}

// fingerprint digests the setup into the hex string result files record.
func (s setup) fingerprint() (string, error) {
	s.Data = portableData(s.Data)
	blob, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("recording the setup of %s data under protocol %s: %w", s.Data.Modality, s.Protocol.Label(), err)
	}
	sum := sha256.Sum256(blob)
	return hex.EncodeToString(sum[:]), nil
}

// withCheckpoint is s with the weights, config.json and tokenizer of a
// checkpoint.
func (s setup) withCheckpoint(weightsSHA256, configSHA256, tokenizerSHA256 string) setup {
	s.WeightsSHA256, s.ConfigSHA256, s.TokenizerSHA256 = weightsSHA256, configSHA256, tokenizerSHA256
	return s
}

// withRun is s with the protocol and data of a run, which are the same for
// every checkpoint and known before any is fetched.
func (s setup) withRun(run setup) setup {
	s.Protocol, s.Data = run.Protocol, run.Data
	return s
}

// withBackend is s computed on backend by engine (Session.Engine).
func (s setup) withBackend(backend, engine string) setup {
	s.Backend, s.Engine = backend, engine
	return s
}

// differences names each way in which setup was (in a file) differs from
// now (this run), e.g. "weights sha256 1a2b3c4d... there, 5e6f7a8b... now".
func differences(was, now setup) []string {
	var diffs []string
	add := func(what, there, here string) {
		if there != here {
			diffs = append(diffs, fmt.Sprintf("%s %s there, %s now", what, orNone(there), orNone(here)))
		}
	}
	add("weights sha256", short(was.WeightsSHA256), short(now.WeightsSHA256))
	add("config.json sha256", short(was.ConfigSHA256), short(now.ConfigSHA256))
	add("tokenizer sha256", short(was.TokenizerSHA256), short(now.TokenizerSHA256))
	add("backend", was.Backend, now.Backend)
	add("engine", was.Engine, now.Engine)
	add("protocol", was.Protocol.Name, now.Protocol.Name)
	add("compute dtype", was.Protocol.ComputeDType, now.Protocol.ComputeDType)
	for _, key := range unionKeys(was.Protocol.Options, now.Protocol.Options) {
		add("protocol option "+key, jsonText(was.Protocol.Options[key]), jsonText(now.Protocol.Options[key]))
	}
	w, n := portableData(was.Data), portableData(now.Data)
	dataDiffs := len(diffs)
	add("data modality", w.Modality, n.Modality)
	add("chunk count", fmt.Sprint(w.Count), fmt.Sprint(n.Count))
	add("chunk size", fmt.Sprint(w.ChunkSize), fmt.Sprint(n.ChunkSize))
	add("data rule", w.Rule, n.Rule)
	add("data rule parameters", jsonText(w.Parameters), jsonText(n.Parameters))
	add("data files", filesText(w.Files), filesText(n.Files))
	if len(diffs) == dataDiffs { // other chunks follow from any other difference of the data
		add("chunks sha256", short(w.ChunksSHA256), short(n.ChunksSHA256))
	}
	add("skipped data files", jsonText(w.Skipped), jsonText(n.Skipped))
	return diffs
}

// short abbreviates a sha256 for messages.
func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12] + "..."
	}
	return sum
}

func orNone(s string) string {
	if s == "" || s == "null" {
		return "(none recorded)"
	}
	return s
}

func unionKeys(a, b map[string]any) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// jsonText is a value as JSON, so that 8 and 8.0 (an int now, a float64
// read back from a file) compare equal.
func jsonText(v any) string {
	blob, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var normal any
	if json.Unmarshal(blob, &normal) == nil {
		blob, _ = json.Marshal(normal)
	}
	return string(blob)
}

// filesText lists data files with abbreviated sums, for messages.
func filesText(files []datasets.FileRecord) string {
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = f.Path + " " + short(f.SHA256)
	}
	text := strings.Join(parts, ", ")
	if len(files) > 3 {
		sum := sha256.Sum256([]byte(text))
		text = fmt.Sprintf("%d files (digest %s)", len(files), hex.EncodeToString(sum[:4]))
	}
	return text
}
