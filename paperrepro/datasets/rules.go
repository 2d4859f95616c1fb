package datasets

import (
	"fmt"
	"strings"
)

// resolveRule returns the rule a modality's chunks are cut by from dir:
// opts.Rule when set, else the paper's rule for a fetched hub split and
// folderDefault for a plain folder of files, which has no split order (the
// choice is logged and recorded in the provenance). folderRules are the
// modality's rules for folders.
func resolveRule(modality, dir string, opts Options, folderDefault string, folderRules ...string) (string, error) {
	ordered := hasSplitManifest(dir)
	rule := opts.Rule
	if rule == "" {
		if ordered {
			return RulePaper, nil
		}
		fmt.Fprintf(opts.Log, "%s: %s is a folder of files without the hub split's order (no %s), so rule %q takes them in file-name order; the paper's rule %q needs the split fetched by `%s`\n",
			modality, dir, SplitManifestName, folderDefault, RulePaper, FetchDataCommand(modality))
		return folderDefault, nil
	}
	if rule == RulePaper {
		if !ordered {
			return "", fmt.Errorf("%s: rule %q takes the examples in the order of the hub split the paper streamed, and %s is a folder of files without that order (no %s): fetch the split with `%s`, or choose rule %s",
				modality, RulePaper, dir, SplitManifestName, FetchDataCommand(modality), strings.Join(quoted(folderRules), " or "))
		}
		return rule, nil
	}
	for _, r := range folderRules {
		if rule == r {
			return rule, nil
		}
	}
	return "", fmt.Errorf("%s: unknown rule %q (want %q or %s)", modality, rule, RulePaper, strings.Join(quoted(folderRules), " or "))
}

// orderedFiles lists the example files of dir for rule: the split's order
// for the paper's rule, else byte-wise sorted file names. records, non-nil
// for a fetched split, hold the sha256 each item must have.
func orderedFiles(dir, rule string, exts ...string) ([]string, map[string]SplitItem, error) {
	var records map[string]SplitItem
	if hasSplitManifest(dir) {
		ordered, recs, err := splitFiles(dir)
		if err != nil {
			return nil, nil, err
		}
		if rule == RulePaper {
			return ordered, recs, nil
		}
		records = recs
	}
	files, err := listFiles(dir, exts...)
	return files, records, err
}

// splitParameters adds what identifies a fetched split to a provenance's
// parameters.
func splitParameters(params map[string]any, dir string) {
	m, err := ReadSplitManifest(dir)
	if err != nil {
		return
	}
	params["order"] = "hub split " + m.Dataset + " " + m.Split + " (rows in shard order)"
	params["commit"] = m.Commit
}

// FetchDataCommand is the command line that fetches a modality's data, for
// messages that tell a user how to get what is missing.
func FetchDataCommand(modality string) string {
	return "go run ./paperrepro/cmd/paperrepro fetch-data -modalities " + modality
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}
