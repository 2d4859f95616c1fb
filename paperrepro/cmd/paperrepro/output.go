package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Every command that writes names its output the same way and follows the
// same rule, through the flags below.
//
// The name: a command that writes one file takes -o FILE, one that writes
// files into a folder takes -out DIR, and each accepts the other spelling as
// an alias (its --help lists it as "same as ..."), except where the command
// uses the other spelling for something else (slurm writes a script with -o
// and names its tasks' results folder with -out).
//
// The rule: a command never writes over one of its inputs, and replaces an
// existing file only when given -f. It checks both, and that the output's
// folder can be written into, before any work. (run's results folder is not
// an output in this sense: run adds cells to it and resumes from it, and
// never rewrites a finished cell.)

// Output flag spellings.
const (
	fileFlag   = "o"
	folderFlag = "out"
	forceFlag  = "f"
)

// output is where a command writes: one file (-o FILE) or a folder of files
// (-out DIR), and whether existing files may be replaced (-f).
type output struct {
	path   string
	force  bool
	folder bool
}

// addOutputFile defines -o FILE (usage says what goes into it; "" means
// the command does not write one), its alias -out, and -f.
func addOutputFile(fs *flag.FlagSet, usage string) *output {
	o := &output{}
	defineOutput(fs, &o.path, "", fileFlag, folderFlag, usage)
	fs.BoolVar(&o.force, forceFlag, false, "replace the output file if it exists (never an input)")
	return o
}

// addOutputFolder defines -out DIR with its default value (usage says what
// goes into it), its alias -o, and -f.
func addOutputFolder(fs *flag.FlagSet, value, usage string) *output {
	o := &output{folder: true}
	defineOutput(fs, &o.path, value, folderFlag, fileFlag, usage)
	fs.BoolVar(&o.force, forceFlag, false, "replace files the output folder already holds (never an input)")
	return o
}

// addResultsFolder defines run's -out DIR, the results folder a run adds
// cells to, and its alias -o; it takes no -f, since run never replaces a
// finished cell.
func addResultsFolder(fs *flag.FlagSet, value, usage string) *string {
	var path string
	defineOutput(fs, &path, value, folderFlag, fileFlag, usage)
	return &path
}

// defineOutput defines the flag name on p and, unless the command already
// has a flag spelled alias, alias as another name for it.
func defineOutput(fs *flag.FlagSet, p *string, value, name, alias, usage string) {
	fs.StringVar(p, name, value, usage)
	if fs.Lookup(alias) == nil {
		fs.StringVar(p, alias, value, "same as -"+name)
	}
}

// flagName is how messages name the output flag.
func (o *output) flagName() string {
	if o.folder {
		return "-" + folderFlag
	}
	return "-" + fileFlag
}

// given reports whether an output was named.
func (o *output) given() bool { return o.path != "" }

// file is the path of the file name in the output folder, or the output
// file itself when name is "".
func (o *output) file(name string) string {
	if name == "" {
		return o.path
	}
	return filepath.Join(o.path, name)
}

// check refuses, before any work, what would break the rule: for an output
// file, the file itself; for an output folder, each of the files names it
// will hold. None may be one of inputs (the files the command reads), be a
// folder, or exist already unless -f was given; and the folder they go into
// must be writable. An output folder is made if missing.
func (o *output) check(inputs []string, names ...string) error {
	if o.folder {
		if info, err := os.Stat(o.path); err == nil && !info.IsDir() {
			return usagef("%s %s is a file: name a folder", o.flagName(), o.path)
		}
		if err := os.MkdirAll(o.path, 0o755); err != nil {
			return fmt.Errorf("output folder: %w", err)
		}
		if err := atomicfile.CheckWritable(o.path); err != nil {
			return err
		}
	} else {
		names = []string{""}
	}
	for _, name := range names {
		if err := o.checkFile(o.file(name), inputs); err != nil {
			return err
		}
	}
	if !o.folder {
		abs, err := filepath.Abs(o.path)
		if err != nil {
			return err
		}
		return atomicfile.CheckWritable(filepath.Dir(abs))
	}
	return nil
}

// checkFile checks one file the output will write.
func (o *output) checkFile(path string, inputs []string) error {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil // nobody reads it, it replaces nothing
	case err != nil:
		return err
	case info.IsDir():
		return usagef("the output %s is a folder: name a file with %s", path, o.flagName())
	}
	for _, in := range inputs {
		if inInfo, err := os.Stat(in); err == nil && os.SameFile(inInfo, info) {
			return usagef("the output %s is an input: name another with %s", path, o.flagName())
		}
	}
	if !o.force {
		return usagef("%s exists: give -%s to replace it, or name another output with %s", path, forceFlag, o.flagName())
	}
	return nil
}

// resultInputs are the files results.Read(path) reads, as inputs for
// output.check; none when path does not read (Read then says why).
func resultInputs(path string) []string {
	files, _ := results.Sources(path)
	return files
}

// dataInputs are the data files a chunk source read, as inputs for
// output.check: its root (a file, for text) and the files in it.
func dataInputs(prov datasets.Provenance) []string {
	inputs := []string{prov.Root}
	for _, f := range prov.Files {
		inputs = append(inputs, filepath.Join(prov.Root, filepath.FromSlash(f.Path)))
	}
	for _, f := range prov.Skipped {
		inputs = append(inputs, filepath.Join(prov.Root, filepath.FromSlash(f.Path)))
	}
	return inputs
}
