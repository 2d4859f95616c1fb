package notebook

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

// Place is where an input was found.
type Place string

// The places, in lookup order.
const (
	DataFolder Place = "data folder"
	HubCache   Place = "Hugging Face cache"
	Testdata   Place = "testdata/"
	Shared     Place = "../shared"
)

// Found is an input and where it was found.
type Found struct {
	Path  string
	Place Place
}

// String says where the input is, for a notebook's note on its inputs. A
// path inside or beside the checkout is given relative to it (testdata/...,
// ../shared/...) and one in the home folder with ~, so that committed
// outputs do not name the folders of the machine that made them.
func (f Found) String() string {
	wd, _ := os.Getwd()
	home, _ := os.UserHomeDir()
	return fmt.Sprintf("`%s` (%s)", shortPath(f.Path, repoRoot(wd), home), f.Place)
}

// shortPath returns path relative to the checkout repo when it lies inside
// it or in a folder beside it, else with the home folder written as ~.
func shortPath(path, repo, home string) string {
	if repo != "" {
		if rel, err := filepath.Rel(repo, path); err == nil && !strings.HasPrefix(rel, ".."+string(filepath.Separator)+"..") && rel != ".." {
			return filepath.ToSlash(rel)
		}
	}
	if home != "" {
		if rel, err := filepath.Rel(home, path); err == nil && !strings.HasPrefix(rel, "..") {
			return "~/" + filepath.ToSlash(rel)
		}
	}
	return path
}

// Places are the folders the lookup reads, resolved once.
type Places struct {
	DataDir  string // the data folder
	HubCache string // the Hugging Face hub cache
	Repo     string // the repository root ("" when not inside a checkout)
	Shared   string // ../shared or $PAPERREPRO_SHARED ("" when unknown)
}

// DefaultPlaces resolves the places from the environment and the working
// directory (a notebook runs in notebooks/ of the checkout).
func DefaultPlaces() Places {
	p := Places{HubCache: hub.CacheDirFromEnv()}
	p.DataDir, _ = datasets.ResolveDataDir("")
	if wd, err := os.Getwd(); err == nil {
		p.Repo = repoRoot(wd)
	}
	p.Shared = os.Getenv("PAPERREPRO_SHARED")
	if p.Shared == "" && p.Repo != "" {
		p.Shared = filepath.Join(filepath.Dir(p.Repo), "shared")
	}
	return p
}

// repoRoot returns the nearest folder at or above dir whose go.mod is this
// module's, or "".
func repoRoot(dir string) string {
	for {
		if isModuleRoot(filepath.Join(dir, "go.mod")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func isModuleRoot(goMod string) bool {
	f, err := os.Open(goMod)
	if err != nil {
		return false
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if line := strings.TrimSpace(scanner.Text()); strings.HasPrefix(line, "module ") {
			return strings.TrimSpace(strings.TrimPrefix(line, "module ")) == "github.com/paperrepro/paperrepro"
		}
	}
	return false
}

// The commands that bring each input.
const (
	pythiaRepo        = "EleutherAI/pythia-70m"
	pythiaRevision    = "step143000"
	tokenizerCommand  = "go run ./paperrepro/cmd/paperrepro fetch-data -modalities tokenizer"
	modelCommand      = "make data-model"
	tinyModelFixture  = "fixtures/pythia-tiny/pythia-tiny-32/step2000"
	tokenizerFileName = "tokenizer.json"
)

// Tokenizer finds Pythia's tokenizer.json: the data folder's
// tokenizer/tokenizer.json, a Pythia checkpoint's in the Hugging Face cache,
// testdata/tokenizer/tokenizer.json, then ../shared/data/tokenizer/.
func (p Places) Tokenizer() (Found, error) {
	var tried []string
	try := func(place Place, path string) (Found, bool) {
		if path == "" {
			return Found{}, false
		}
		if _, err := os.Stat(path); err == nil {
			return Found{path, place}, true
		}
		tried = append(tried, path)
		return Found{}, false
	}
	if f, ok := try(DataFolder, join(p.DataDir, "tokenizer", tokenizerFileName)); ok {
		return f, nil
	}
	if p.HubCache != "" {
		client := &hub.Client{CacheDir: p.HubCache}
		for _, rev := range []string{"main", pythiaRevision} {
			if path, err := client.CachedFile(pythiaRepo, rev, tokenizerFileName); err == nil {
				return Found{path, HubCache}, nil
			}
		}
		tried = append(tried, hub.RepoFolder(p.HubCache, pythiaRepo))
	}
	if f, ok := try(Testdata, join(p.Repo, "testdata", "tokenizer", tokenizerFileName)); ok {
		return f, nil
	}
	if f, ok := try(Shared, join(p.Shared, "data", "tokenizer", tokenizerFileName)); ok {
		return f, nil
	}
	return Found{}, &MissingError{What: "Pythia's tokenizer.json", Tried: tried, Command: tokenizerCommand}
}

// Data finds a modality's data set: the data folder, the repository's
// testdata/data (a small sample of enwik8 and LibriSpeech ships with every
// clone), then ../shared/data. The Hugging Face cache holds none.
func (p Places) Data(modality string) (Found, error) {
	var tried []string
	for _, c := range []struct {
		place Place
		dir   string
	}{{DataFolder, p.DataDir}, {Testdata, join(p.Repo, "testdata", "data")}, {Shared, join(p.Shared, "data")}} {
		if c.dir == "" {
			continue
		}
		path, err := datasets.Locate(modality, c.dir)
		if err == nil {
			return Found{path, c.place}, nil
		}
		tried = append(tried, c.dir)
	}
	missing := &MissingError{What: "the " + modality + " data", Tried: tried, Command: dataCommand}
	if modality == datasets.Image {
		missing.Note = imageNetNote
	}
	return Found{}, missing
}

// dataCommand brings the data sets; ImageNet needs imageNetNote first.
const (
	dataCommand  = "make data"
	imageNetNote = "ImageNet is gated: first accept its terms at https://huggingface.co/datasets/ILSVRC/imagenet-1k and set HF_TOKEN."
)

// Model finds a GPT-NeoX checkpoint folder to run: pythia-70m at step
// 143000 in the Hugging Face cache, else the tests' tiny random checkpoint
// with Pythia's vocabulary in ../shared. real says which one it is.
func (p Places) Model() (found Found, real bool, err error) {
	var tried []string
	if p.HubCache != "" {
		client := &hub.Client{CacheDir: p.HubCache}
		if ckpt, err := client.Cached(pythiaRepo, pythiaRevision); err == nil {
			return Found{ckpt.Dir, HubCache}, true, nil
		}
		tried = append(tried, hub.RepoFolder(p.HubCache, pythiaRepo))
	}
	if tiny := join(p.Shared, filepath.FromSlash(tinyModelFixture)); tiny != "" {
		if _, err := os.Stat(filepath.Join(tiny, "config.json")); err == nil {
			return Found{tiny, Shared}, false, nil
		}
		tried = append(tried, tiny)
	}
	return Found{}, false, &MissingError{What: "a Pythia checkpoint (" + pythiaRepo + "@" + pythiaRevision + ")", Tried: tried, Command: modelCommand}
}

// join is filepath.Join, or "" when the base is unknown.
func join(base string, elem ...string) string {
	if base == "" {
		return ""
	}
	return filepath.Join(append([]string{base}, elem...)...)
}

// MissingError says that an input is in none of the places, which were
// tried, and the command that brings it (a command a reader can paste into
// a shell, and what else it needs in Note).
type MissingError struct {
	What    string
	Tried   []string
	Command string
	Note    string
}

func (e *MissingError) Error() string {
	msg := fmt.Sprintf("%s is not here (looked in %s); run `%s` in the repository to fetch it", e.What, strings.Join(e.Tried, ", "), e.Command)
	if e.Note != "" {
		msg += " (" + strings.TrimSuffix(e.Note, ".") + ")"
	}
	return msg
}

// Available reports whether err (from a lookup or a load) left the input
// usable. When it did not, the cell shows what is missing and the command
// that fetches it, and the caller returns; under CI=true a missing input
// stops the notebook instead, as a skipped check must not look green there.
func Available(err error) bool {
	if err == nil {
		return true
	}
	if os.Getenv("CI") == "true" {
		panic(fmt.Errorf("CI=true, so a missing input is a failure: %w", err))
	}
	var missing *MissingError
	if errors.As(err, &missing) {
		md := fmt.Sprintf("*%s is not here (looked in %s). To fetch it, run in the repository:*\n\n    %s",
			capitalize(missing.What), strings.Join(missing.Tried, ", "), missing.Command)
		if missing.Note != "" {
			md += "\n\n*" + missing.Note + "*"
		}
		Markdown(md)
		return false
	}
	Markdown(fmt.Sprintf("*Cannot use this input here: %v*", err))
	return false
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// OpenData opens the first n chunks of a modality with its default rule
// from the first place that has the data, or as many as it holds when that
// is fewer (the sample in testdata/ holds 128 enwik8 chunks); when no place
// has the data it shows what is missing (see Available) and returns ok
// false. src.NumChunks() says how many it opened.
func OpenData(modality string, n int) (src datasets.Source, found Found, ok bool) {
	return OpenDataWith(modality, datasets.Options{Count: n})
}

// OpenDataWith is OpenData with the chunks chosen by opts (a rule, a count,
// a seed): the data of the first place that has it, read with opts and
// opts.Path set to where it was found, up to opts.Count chunks.
func OpenDataWith(modality string, opts datasets.Options) (src datasets.Source, found Found, ok bool) {
	found, err := DefaultPlaces().Data(modality)
	if err == nil {
		opts.Path = found.Path
		src, err = openUpTo(modality, opts)
	}
	if !Available(err) {
		return nil, Found{}, false
	}
	return src, found, true
}

// openUpTo opens up to opts.Count chunks (0: datasets.DefaultCount): all
// the data holds when that is fewer.
func openUpTo(modality string, opts datasets.Options) (datasets.Source, error) {
	src, err := datasets.Open(modality, "", opts)
	var few *datasets.TooFewChunksError
	if errors.As(err, &few) && few.Available > 0 {
		opts.Count = few.Available
		src, err = datasets.Open(modality, "", opts)
	}
	return src, err
}

// Chunks returns n consecutive chunks of a modality from chunk first on,
// joined, from the first place that has the data; when it does not hold
// them it shows what is missing and returns ok false.
func Chunks(modality string, first, n int) (data []byte, ok bool) {
	src, _, ok := OpenData(modality, first+n)
	if !ok {
		return nil, false
	}
	if src.NumChunks() < first+n {
		Available(fmt.Errorf("the %s data here holds %d chunks, and chunks %d to %d are asked for", modality, src.NumChunks(), first, first+n-1))
		return nil, false
	}
	for i := first; i < first+n; i++ {
		data = append(data, Must(src.Chunk(i))...)
	}
	return data, true
}

// Tokenizer returns the path of Pythia's tokenizer.json from the first place
// that has it, or shows what is missing (see Available) and returns ok false.
func Tokenizer() (Found, bool) {
	found, err := DefaultPlaces().Tokenizer()
	return found, Available(err)
}

// LoadTokenizer loads Pythia's tokenizer from the first place that has it
// (see Tokenizer), or shows what is missing or why it does not load and
// returns ok false.
func LoadTokenizer() (tok *tokenize.Tokenizer, found Found, ok bool) {
	found, ok = Tokenizer()
	if !ok {
		return nil, Found{}, false
	}
	tok, err := tokenize.Load(found.Path)
	if !Available(err) {
		return nil, Found{}, false
	}
	return tok, found, true
}

// Model returns a checkpoint folder (see Places.Model), or shows what is
// missing and returns ok false.
func Model() (found Found, real, ok bool) {
	found, real, err := DefaultPlaces().Model()
	return found, real, Available(err)
}
