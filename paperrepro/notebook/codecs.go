package notebook

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/baselines"
	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// CodecChunks is how many chunks per modality and rule the notebooks'
// classical codecs compress: enough for a stable ratio, few enough for
// seconds (`paperrepro baselines` runs all 2048).
const CodecChunks = 256

// CodecSources opens up to CodecChunks chunks of every modality as the grid
// does (rule "": the paper's split order when fetched, else the folder
// rule) and under Delétang et al.'s rules, each distinct rule once; it
// shows the command that fetches a missing data set. notes say where each
// source's chunks come from.
func CodecSources() (sources []datasets.Source, notes []string) {
	for _, m := range results.Modalities {
		seen := map[string]bool{}
		for _, rule := range []string{"", baselines.DeletangRules[m]} {
			src, found, ok := OpenDataWith(m, datasets.Options{Rule: rule, Count: CodecChunks})
			if !ok {
				break
			}
			if r := src.Provenance().Rule; !seen[r] {
				seen[r] = true
				sources = append(sources, src)
				notes = append(notes, fmt.Sprintf("%s, rule `%s`: %d chunks from %s", m, r, src.NumChunks(), found))
			}
		}
	}
	return sources, notes
}

// codecsCSV is where the cell that runs the codecs leaves their results for
// the cells after it (GoNB runs each cell as a program of its own).
func codecsCSV() string {
	return filepath.Join(cmp.Or(os.Getenv("GONB_TMP_DIR"), os.TempDir()), "paperrepro-notebook-baselines.csv")
}

// RunCodecs compresses CodecSources' chunks with every classical codec
// (baselines.Run), says which chunks, and keeps the results for Codecs; ok
// is false when no data set is here (the cell has shown what fetches one).
func RunCodecs() (baselines.Table, bool) {
	sources, notes := CodecSources()
	if len(sources) == 0 {
		return baselines.Table{}, false
	}
	t, err := baselines.Run(context.Background(), sources, baselines.Options{})
	if !Available(err) {
		return baselines.Table{}, false
	}
	Markdown("Chunks compressed: " + strings.Join(notes, "; ") + ".")
	Check(baselines.WriteCSV(codecsCSV(), t))
	return t, true
}

// sessionValue returns what compute returns, computed once per GoNB
// session: the first cell that asks computes it and keeps it, as JSON in
// the session's temporary folder under name, for the cells after it (GoNB
// runs each cell as a program of its own). Outside GoNB, with no session,
// it computes every time. ok false (nothing to keep) is not kept.
func sessionValue[T any](name string, compute func() (T, bool)) (v T, ok bool) {
	dir := os.Getenv("GONB_TMP_DIR")
	if dir == "" {
		return compute()
	}
	path := filepath.Join(dir, "paperrepro-notebook-"+name+".json")
	if data, err := os.ReadFile(path); err == nil && json.Unmarshal(data, &v) == nil {
		return v, true
	}
	if v, ok = compute(); ok {
		Check(os.WriteFile(path, Must(json.Marshal(v)), 0o644))
	}
	return v, ok
}

// Codecs returns the results RunCodecs kept in this session, else runs them.
func Codecs() (baselines.Table, bool) {
	if t, err := baselines.ReadCSV(codecsCSV()); err == nil {
		return t, true
	}
	return RunCodecs()
}

// CodecTable is one row per modality, rule and codec: its CR and bits per
// byte under each accounting.
func CodecTable(t baselines.Table) Table {
	head := []Cell{{Text: "modality", RowSpan: 2}, {Text: "rule", RowSpan: 2}, {Text: "codec", RowSpan: 2}, {Text: "setting", RowSpan: 2}}
	var sub []Cell
	for _, a := range baselines.Accountings {
		head = append(head, Cell{Text: string(a), Cols: 2})
		sub = append(sub, Row("CR", "bits/byte")...)
	}
	tab := Table{Head: [][]Cell{head, sub}}
	for _, r := range t.Rows {
		if r.Accounting != baselines.Stream {
			continue
		}
		row := []string{r.Modality, r.Rule, r.Codec, r.Setting}
		for _, a := range baselines.Accountings {
			x, _ := t.Find(r.Modality, r.Rule, r.Codec, a)
			row = append(row, fmt.Sprintf("%.3f", x.CR()), fmt.Sprintf("%.2f", x.BitsPerByte()))
		}
		tab.Add(row...)
	}
	return tab
}

// VerdictTable sets the paper's best model beside each codec
// (baselines.Compare's verdicts).
func VerdictTable(vs []baselines.Verdict) Table {
	t := NewTable([]string{"modality", "paper's best model", "paper CR", "ours, lossless", "codec", "codec CR", "codec CR, every header", "codec − paper", "lower CR"})
	for _, v := range vs {
		lossless := "–"
		if v.HasOurs {
			lossless = fmt.Sprintf("%.3f", v.OursCR)
		}
		winner := v.Codec
		if v.ModelWins() {
			winner = "model"
		}
		t.Add(v.Modality, v.Model+" step "+figures.Count(float64(v.Step)), fmt.Sprintf("%.3f", v.ModelCR), lossless, v.Codec,
			fmt.Sprintf("%.3f", v.CodecCR), fmt.Sprintf("%.3f", v.CodecCRWithHeaders), fmt.Sprintf("%+.3f", v.Margin()), winner)
	}
	return t
}

// BestCodecs returns, per modality in the verdicts' order, the verdict of
// the codec with the lowest CR.
func BestCodecs(vs []baselines.Verdict) []baselines.Verdict {
	var best []baselines.Verdict
	at := map[string]int{}
	for _, v := range vs {
		i, seen := at[v.Modality]
		switch {
		case !seen:
			at[v.Modality] = len(best)
			best = append(best, v)
		case v.CodecCR < best[i].CodecCR:
			best[i] = v
		}
	}
	return best
}

// PublishedTable sets Delétang et al.'s published ratios, cited, beside
// ours on chunks cut by their rules (baselines.ComparePublished's rows).
func PublishedTable(rows []baselines.PublishedRow) Table {
	t := NewTable([]string{"modality", "their data", "codec", "published (cited)", "ours, header once", "ours, every header", "ours, whole stream"})
	for _, r := range rows {
		t.Add(r.Modality, r.Published.Data, fmt.Sprintf("%s (%s)", r.Codec, r.Setting), r.Published.Cited().Markdown(),
			fmt.Sprintf("%.3f", r.CR[baselines.PerChunkHeaderOnce]), fmt.Sprintf("%.3f", r.CR[baselines.PerChunk]), fmt.Sprintf("%.3f", r.CR[baselines.Stream]))
	}
	return t
}

// NearSilence is the share of a source's 8-bit unsigned samples (rule
// pcm8) within one step of the zero level 128, which FLAC codes almost
// for free.
func NearSilence(src datasets.Source) float64 {
	quiet, n := 0, 0
	for i := range src.NumChunks() {
		for _, v := range Must(src.Chunk(i)) {
			if v >= 127 && v <= 129 {
				quiet++
			}
			n++
		}
	}
	return float64(quiet) / float64(n)
}
