package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/paperrepro/paperrepro/paperrepro/hub"
)

func newFetchCommand() *command {
	fs := flag.NewFlagSet("fetch", flag.ContinueOnError)
	models := fs.String("models", paperModels, "comma-separated models: Pythia sizes (70m ... 12b, each also -deduped) or hub repositories ORG/NAME")
	steps := fs.String("steps", paperSteps, "comma-separated training steps (1000 or step1000) or other hub revisions")
	return &command{
		name:    "fetch",
		summary: "download checkpoints from the Hugging Face hub into its cache (resumable, sha256-checked)",
		help: `Fetch downloads config.json, tokenizer.json and the weights of each model at
each step into the Hugging Face cache ($HF_HUB_CACHE, else $HF_HOME/hub,
else ~/.cache/huggingface/hub), where Python's huggingface_hub finds them
too, and where it reuses what Python downloaded. An interrupted download
resumes; every weights file is checked against the hub's sha256.

It prints each checkpoint's commit and the sha256 of its weights' bytes (a
cached file whose bytes do not match the hub's sum is fetched again). Some
Pythia step branches hold the same weights as others (EleutherAI/pythia
issue #205); fetch flags checkpoints of one model whose weights are
identical. Pythia 2.8b, 6.9b and 12b store their step checkpoints as sharded
pytorch_model.bin files, which fetch and run read like any other.

HF_TOKEN is sent when set; HF_HUB_OFFLINE=1 only checks the cache. A hub
that does not answer is given up on (HF_HUB_ETAG_TIMEOUT and
HF_HUB_DOWNLOAD_TIMEOUT, in seconds, set the waits); the error says how to
work offline: HF_ENDPOINT for a mirror, or a cache copied from a machine
with a network and HF_HUB_OFFLINE=1.

Examples:
  paperrepro fetch                                  # the paper's 25 checkpoints (about 30 GB)
  paperrepro fetch -models 70m -steps 1000,143000
  paperrepro fetch -models 12b,12b-deduped -steps 143000
  paperrepro fetch -models EleutherAI/pythia-160m-deduped -steps step3000`,
		flags: fs,
		run: func(ctx context.Context, out streams, args []string) error {
			if len(args) != 0 {
				return usagef("fetch takes no arguments, got %q", args)
			}
			mf := &modelFlags{models: models, steps: steps, modelDir: new(string), modelName: new(string), step: new(int)}
			cks, err := mf.checkpoints()
			if err != nil {
				return err
			}
			client := hub.NewFromEnv()
			client.Progress = out.Err
			table := tabwriter.NewWriter(out.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(table, "checkpoint\tcommit\tweights sha256\tsame weights as")
			seen := map[string]string{}
			for _, ck := range cks {
				got, err := client.Fetch(ctx, ck.Repo, ck.Revision)
				if err != nil {
					return err
				}
				same := seen[ck.Repo+" "+got.WeightsSHA256]
				if same == "" {
					seen[ck.Repo+" "+got.WeightsSHA256] = got.Name()
					same = "-"
				}
				fmt.Fprintf(table, "%s\t%s\t%s\t%s\n", got.Name(), got.Commit, got.WeightsSHA256, same)
			}
			fmt.Fprintf(out.Out, "hub cache: %s\n", client.CacheDir)
			return table.Flush()
		},
	}
}
