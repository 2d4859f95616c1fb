package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
)

// slurmFlags are the slurm command's flags besides the grid's and the data's.
type slurmFlags struct {
	tokenizer, out                        *string
	batch, tasks, gpus, cpus              *int
	mem, timeLimit, partition, account    *string
	extra, jobName, hfHome, binary, paper *string
}

func newSlurmCommand() *command {
	fs := flag.NewFlagSet("slurm", flag.ContinueOnError)
	gridDef := addGridFlags(fs)
	data := addDataFlags(fs)
	f := &slurmFlags{
		tokenizer: fs.String("tokenizer", "", "run's -tokenizer: a tokenizer.json every node can read (default: the checkpoint's own)"),
		batch:     fs.Int("batch", 0, "run's -batch: chunks per forward pass (default: each task chooses from its GPU's or node's memory; the lossless protocol needs one value for all tasks)"),
		out:       fs.String("out", "results", "the shared results folder every task writes its cells into"),
		tasks:     fs.Int("tasks", 0, "array tasks, each with its share of the cells (default: one per checkpoint)"),
		gpus:      fs.Int("gpus", 1, "GPUs per array task (0: CPU only)"),
		cpus:      fs.Int("cpus", 4, "CPUs per array task"),
		mem:       fs.String("mem", "", `memory per array task, e.g. "32G" (default: the cluster's)`),
		timeLimit: fs.String("time", "", `time limit per array task, e.g. "12:00:00" (default: the cluster's); size it with 'paperrepro bench'`),
		partition: fs.String("partition", "", "Slurm partition (default: the cluster's)"),
		account:   fs.String("account", "", "Slurm account to charge (default: yours)"),
		extra:     fs.String("sbatch", "", `more sbatch options for every job, separated by spaces, e.g. "--qos=high --constraint=a100"`),
		jobName:   fs.String("job-name", "paperrepro", "Slurm job name"),
		hfHome:    fs.String("hf-home", "", "shared Hugging Face folder every node sees; checkpoints go to its hub/ (default: the cache this machine uses: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub)"),
		binary:    fs.String("binary", "", "the paperrepro executable the tasks run, on a path every node sees (default: this one)"),
		paper:     fs.String("paper", defaultExpectedDir, "folder of the paper's numbers (expected/), for tables and fit after the array"),
	}
	script := addOutputFile(fs, "write the script to this `FILE` (made executable) instead of standard output")
	return &command{
		name:    "slurm",
		summary: "print a script that runs the grid as a Slurm job array into one shared results folder",
		help: `Slurm writes a bash script for the grid the flags name (the same grid flags
as 'run'), ready for a Slurm cluster whose nodes share a file system:

  bash grid.sh              on a login node: fetch every checkpoint once into the
                            shared Hugging Face cache, submit the job array
                            (sbatch --array=0-N-1), in which each task runs its
                            share of the cells (run -shard i/N) offline, and a job
                            that waits for the array, checks that every cell is
                            done and writes the tables, the fit and the figures
  bash grid.sh status       how far it is ('paperrepro status' with the grid flags)
  bash grid.sh submit 2,5   submit array tasks 2 and 5 again (after a failure) and
                            the job after them

Shards are balanced by expected cost (model size x chunks). The tasks share
one results folder safely: each cell is computed under a lock, a finished
cell is never rewritten, and a task killed mid-cell loses at most its
unfinished batch - the next task to reach the cell takes over the dead
task's lock and resumes. Size -tasks and -time with 'paperrepro bench', which
gives the ETA per GPU. With -o the script goes to a file, which replaces an
existing one only with -f. The executable has GoMLX's XLA backend compiled in
wherever cgo works; install a CUDA PJRT plugin ('paperrepro install-plugin',
see the grid package) or export PJRT_PLUGIN_LIBRARY_PATH before submitting:
jobs inherit the environment.

Examples:
  paperrepro slurm -float16 -tasks 25 -time 12:00:00 -out /shared/results -hf-home /shared/hf -o grid.sh
  paperrepro slurm -models 70m,160m,410m,1b,1.4b,2.8b,6.9b,12b -steps 1000,2000,4000 -partition gpu -o big.sh`,
		flags: fs,
		run: func(_ context.Context, stdio streams, args []string) error {
			if len(args) != 0 {
				return usagef("slurm takes no arguments, got %q", args)
			}
			s, err := buildSlurmScript(fs, gridDef, data, f, stdio)
			if err != nil {
				return err
			}
			if script.given() {
				if err := script.check([]string{s.Binary}); err != nil {
					return err
				}
			}
			var buf bytes.Buffer
			if err := slurmTemplate.Execute(&buf, s); err != nil {
				return err
			}
			if !script.given() {
				_, err := stdio.Out.Write(buf.Bytes())
				return err
			}
			if err := atomicfile.Write(script.path, buf.Bytes(), 0o755); err != nil {
				return err
			}
			fmt.Fprintf(stdio.Out, "wrote %s: %d cells in %d array tasks; submit it from a login node with: bash %s\n", script.path, s.Cells, s.Tasks, script.path)
			return nil
		},
	}
}

// buildSlurmScript checks the flags and fills in the script: every path
// absolute, the data in place, the executable one the nodes can run.
func buildSlurmScript(fs *flag.FlagSet, gridDef *gridFlags, data *dataFlags, f *slurmFlags, stdio streams) (*slurmScript, error) {
	if err := gridDef.validate(); err != nil {
		return nil, err
	}
	if *f.gpus < 0 || *f.cpus < 1 || *f.batch < 0 || *f.tasks < 0 {
		return nil, usagef("-gpus, -tasks and -batch must be 0 or more, -cpus at least 1 (got %d, %d, %d, %d)", *f.gpus, *f.tasks, *f.batch, *f.cpus)
	}
	if *f.batch == 0 && *gridDef.protocol == grid.ProtocolLossless {
		// The lossless coder's floats depend on the batch, so a results
		// folder holds one batch size: tasks must not each choose their own.
		return nil, usagef("the lossless protocol codes with one batch size for the whole folder: give -batch")
	}
	cks, err := gridDef.checkpoints()
	if err != nil {
		return nil, err
	}
	protocol, err := gridDef.protocolInfo()
	if err != nil {
		return nil, err
	}
	exe, err := executable(*f.binary)
	if err != nil {
		return nil, err
	}
	paper, err := filepath.Abs(*f.paper)
	if err != nil || !isDir(paper) {
		return nil, usagef("-paper %s: no such folder; the job after the array compares with the paper's numbers in expected/ (run from the repository root, or give -paper)", *f.paper)
	}
	dataDir, err := datasets.ResolveDataDir(*data.dir)
	if err != nil {
		return nil, err
	}
	if dataDir, err = filepath.Abs(dataDir); err != nil {
		return nil, err
	}
	// Open the chunks as every task will, so that missing or short data fails
	// here rather than in each task.
	modalities := splitList(*gridDef.modalities)
	if _, err := data.open(modalities, dataDir, *gridDef.chunks, streams{Out: io.Discard, Err: io.Discard}); err != nil {
		return nil, fmt.Errorf("the array tasks could not read their data: %w", err)
	}
	out, err := filepath.Abs(*f.out)
	if err != nil {
		return nil, err
	}
	cache := hub.CacheDirFromEnv()
	if *f.hfHome != "" {
		cache = filepath.Join(*f.hfHome, "hub")
	}
	if cache, err = filepath.Abs(cache); err != nil {
		return nil, err
	}
	for _, p := range []string{out, dataDir, cache} {
		if nodeLocal(p) {
			fmt.Fprintf(stdio.Err, "paperrepro slurm: warning: %s is usually private to each node; tasks on other nodes will not see it\n", p)
		}
	}

	cells := len(cks) * len(modalities)
	tasks := *f.tasks
	if tasks == 0 {
		tasks = len(cks)
	}
	if tasks > cells {
		fmt.Fprintf(stdio.Err, "paperrepro slurm: %d tasks for %d cells: using %d tasks, one cell each\n", tasks, cells, cells)
		tasks = cells
	}

	// The grid flags exactly as given, so that every task splits the same
	// grid the same way; paths made absolute.
	var gridArgs, fetchArgs []string
	if *gridDef.models.modelDir != "" {
		dir, err := filepath.Abs(*gridDef.models.modelDir)
		if err != nil {
			return nil, err
		}
		gridArgs = append(gridArgs, "-model-dir", shellQuote(dir), "-model-name", shellQuote(cks[0].Model), "-step", fmt.Sprint(cks[0].Step))
	} else {
		fetchArgs = []string{"-models", shellQuote(*gridDef.models.models), "-steps", shellQuote(*gridDef.models.steps)}
		gridArgs = append(gridArgs, fetchArgs...)
	}
	gridArgs = append(gridArgs, "-modalities", shellQuote(*gridDef.modalities), "-chunks", fmt.Sprint(*gridDef.chunks),
		"-protocol", shellQuote(*gridDef.protocol), fmt.Sprintf("-float16=%v", *gridDef.float16))
	runArgs := []string{"-data-dir", shellQuote(dataDir), "-image-seed", fmt.Sprint(*data.imageSeed)}
	if *f.batch > 0 {
		runArgs = append(runArgs, "-batch", fmt.Sprint(*f.batch))
	}
	if *data.imageRule != "" {
		runArgs = append(runArgs, "-image-rule", shellQuote(*data.imageRule))
	}
	if *data.speechRule != "" {
		runArgs = append(runArgs, "-speech-rule", shellQuote(*data.speechRule))
	}
	if *f.tokenizer != "" {
		tok, err := filepath.Abs(*f.tokenizer)
		if err != nil {
			return nil, err
		}
		runArgs = append(runArgs, "-tokenizer", shellQuote(tok))
	}

	var common []string
	if *f.partition != "" {
		common = append(common, "--partition="+shellQuote(*f.partition))
	}
	if *f.account != "" {
		common = append(common, "--account="+shellQuote(*f.account))
	}
	common = append(common, strings.Fields(*f.extra)...)
	task := []string{fmt.Sprintf("--cpus-per-task=%d", *f.cpus)}
	if *f.gpus > 0 {
		task = append(task, fmt.Sprintf("--gres=gpu:%d", *f.gpus))
	}
	if *f.mem != "" {
		task = append(task, "--mem="+shellQuote(*f.mem))
	}
	if *f.timeLimit != "" {
		task = append(task, "--time="+shellQuote(*f.timeLimit))
	}

	command := []string{"paperrepro", "slurm"}
	fs.Visit(func(fl *flag.Flag) { command = append(command, "-"+fl.Name+"="+shellQuote(fl.Value.String())) })
	commandLine := strings.ReplaceAll(strings.Join(command, " "), "\n", " ") // it goes into a comment
	return &slurmScript{
		Command:  commandLine,
		Shape:    describeGrid(cks, modalities),
		Binary:   exe,
		Cells:    cells,
		Tasks:    tasks,
		Chunks:   *gridDef.chunks,
		Protocol: protocol.Label(),
		JobName:  shellQuote(*f.jobName),
		Grid:     strings.Join(gridArgs, " "),
		Run:      strings.Join(runArgs, " "),
		Fetch:    strings.Join(fetchArgs, " "),
		Out:      shellQuote(out),
		Cache:    shellQuote(cache),
		Paper:    shellQuote(paper),
		Fit:      fittable(cks),
		Common:   strings.Join(common, " "),
		Task:     strings.Join(task, " "),
	}, nil
}

// slurmScript fills slurmTemplate. The argument lists are shell-quoted.
type slurmScript struct {
	Command  string // the paperrepro slurm command line that wrote it
	Shape    string // e.g. "2 models x 2 steps x 3 modalities"
	Binary   string
	Cells    int
	Tasks    int
	Chunks   int
	Protocol string // the protocol's folder under Out
	JobName  string
	Grid     string // the grid flags, for run and status
	Run      string // run's other flags
	Fetch    string // fetch's flags; empty for a local checkpoint folder
	Out      string
	Cache    string // the shared hub cache
	Paper    string // the paper's numbers
	Fit      bool   // whether the grid is large enough to fit
	Common   string // sbatch options for every job
	Task     string // sbatch options for each array task
}

var slurmTemplate = template.Must(template.New("slurm").Parse(`#!/bin/bash
# paperrepro grid as a Slurm job array: {{.Shape}} = {{.Cells}} cells of
# {{.Chunks}} chunks, protocol {{.Protocol}}, in {{.Tasks}} array tasks sharing one results folder.
# Written by: {{.Command}}
#
#   bash THIS-SCRIPT              on a login node: fetch the checkpoints once, submit
#                                 the array and the job that runs after it
#   bash THIS-SCRIPT status       how far the grid is
#   bash THIS-SCRIPT submit 2,5   submit array tasks 2 and 5 again (after a failure),
#                                 and the job after them
#
# Each task runs its share of the cells (balanced by model size x chunks) with
# the checkpoints read offline from the shared cache. A cell is computed under
# a lock and never rewritten once done; a task killed mid-cell loses at most
# its unfinished batch, and whichever task reaches the cell next takes over the
# dead task's lock and resumes it. After the array, one job checks that every
# cell is done and writes the tables{{if .Fit}}, the fit{{end}} and the figures under the results folder.
# Size the tasks and their time limit with 'paperrepro bench' (ETA per GPU).
set -eo pipefail # (no -u: bash before 4.4 calls an empty array unbound)

PAPERREPRO={{.Binary}}
OUT={{.Out}}
TASKS={{.Tasks}}
GRID=({{.Grid}})
RUN=({{.Run}})
export HF_HUB_CACHE={{.Cache}}
SBATCH_COMMON=({{.Common}})
SBATCH_TASK=({{.Task}})

case "${1:-submit}" in
submit)
	script=$(realpath "$0")
	tasks=${2:-0-$((TASKS - 1))}
	mkdir -p "$OUT/slurm-logs"
{{- if .Fetch}}
	# Once, here, with network access: every checkpoint into the shared cache.
	"$PAPERREPRO" fetch {{.Fetch}}
{{- else}}
	# The checkpoint is a local folder: nothing to fetch.
{{- end}}
	array=$(sbatch --parsable "${SBATCH_COMMON[@]}" "${SBATCH_TASK[@]}" --job-name={{.JobName}} \
		--array="$tasks" --requeue --open-mode=append --output="$OUT/slurm-logs/%x-%A_%a.log" "$script" work)
	after=$(sbatch --parsable "${SBATCH_COMMON[@]}" --job-name={{.JobName}}-after --dependency=afterany:"${array%%;*}" \
		--output="$OUT/slurm-logs/%x-%j.log" "$script" after)
	echo "submitted array job ${array%%;*} (tasks $tasks) and job ${after%%;*} after it; logs in $OUT/slurm-logs"
	echo "watch it with: bash $script status"
	;;
work)
	export HF_HUB_OFFLINE=1
	exec "$PAPERREPRO" run "${GRID[@]}" "${RUN[@]}" -out "$OUT" -shard "$SLURM_ARRAY_TASK_ID/$TASKS"
	;;
after)
	export HF_HUB_OFFLINE=1
	"$PAPERREPRO" status -complete -shards "$TASKS" "${GRID[@]}" "$OUT"
	# Every cell is done: the tables, and all of them as $OUT/tables/compression_ratios.csv
	# (read from the cells; no model is loaded, so this job needs no GPU).
	# -f: the tables, fit and figures of an earlier pass are this job's own (after a resubmission).
	"$PAPERREPRO" tables -f -paper {{.Paper}} -out "$OUT/tables" "$OUT/{{.Protocol}}"
{{- if .Fit}}
	"$PAPERREPRO" fit -f -paper {{.Paper}} -o "$OUT/table1.csv" "$OUT/{{.Protocol}}"
{{- else}}
	# No fit: it needs at least 6 cells from 2 model sizes and 2 steps per modality.
{{- end}}
	"$PAPERREPRO" figures -f -out "$OUT/figures" "$OUT/{{.Protocol}}"
	;;
status)
	exec "$PAPERREPRO" status -shards "$TASKS" "${GRID[@]}" "$OUT"
	;;
*)
	echo "usage: bash $0 [submit [TASKS] | status]" >&2
	exit 2
	;;
esac
`))

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=,+@%-]+$`)

// shellQuote quotes s for bash when it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// executable is the paperrepro binary the tasks run: given, else this one.
// A binary that 'go run' built in a temporary folder is refused, since it
// vanishes when the command ends.
func executable(given string) (string, error) {
	path := given
	if path == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", err
		}
		path = exe
		if strings.Contains(exe, string(filepath.Separator)+"go-build") {
			return "", usagef("this paperrepro was built by 'go run' in a temporary folder the tasks cannot run: build one where every node sees it (go build -o /shared/bin/paperrepro ./paperrepro/cmd/paperrepro) and run that, or give -binary")
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if info, err := os.Stat(abs); err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
		return "", usagef("-binary %s is not an executable file", abs)
	}
	return shellQuote(abs), nil
}

// nodeLocal reports whether path lies in a folder that is usually private
// to each node of a cluster.
func nodeLocal(path string) bool {
	for _, local := range []string{"/tmp", "/dev/shm", "/var/tmp"} {
		if path == local || strings.HasPrefix(path, local+"/") {
			return true
		}
	}
	return false
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// describeGrid names a grid's shape, e.g. "2 models x 2 steps x 3 modalities".
func describeGrid(cks []grid.Checkpoint, modalities []string) string {
	models, steps := map[string]bool{}, map[int]bool{}
	for _, ck := range cks {
		models[ck.Model], steps[ck.Step] = true, true
	}
	return fmt.Sprintf("%s x %s x %s", plural(len(models), "model"), plural(len(steps), "step"), plural(len(modalities), "modality"))
}

// fittable reports whether a grid is large enough for 'paperrepro fit': 6
// cells from 2 model sizes and 2 steps per modality.
func fittable(cks []grid.Checkpoint) bool {
	models, steps := map[string]bool{}, map[int]bool{}
	for _, ck := range cks {
		models[ck.Model], steps[ck.Step] = true, true
	}
	return len(cks) >= 6 && len(models) >= 2 && len(steps) >= 2
}
