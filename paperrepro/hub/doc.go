// Package hub fetches model checkpoints (config.json and weights) from the
// Hugging Face hub, or takes them from a local directory, so the grid can load
// them with neox.Load.
//
// It sits beside the pipeline rather than in it: the grid asks hub for a
// checkpoint directory, then hands that directory to the model loader.
//
// Downloads land in the hub's standard cache layout, the one Python's
// huggingface_hub uses, so checkpoints fetched by either are reused by the
// other:
//
//	$HF_HUB_CACHE (default $HF_HOME/hub, default ~/.cache/huggingface/hub)
//	  models--EleutherAI--pythia-70m/
//	    blobs/<etag>                      file contents; for LFS files the etag is their sha256
//	    refs/step1000                     the commit the revision pointed to
//	    snapshots/<commit>/config.json -> ../../blobs/<etag>
//
// A fetch resolves the revision to its commit through the hub's API
// (/api/models/{repo}/revision/{rev}), picks the weights the revision has
// (model.safetensors, else model.safetensors.index.json with its shards, else
// pytorch_model.bin, else pytorch_model.bin.index.json with its shards, as
// the step revisions of Pythia 2.8b-12b store them), asks each file's
// resolve URL for its etag, and downloads what the cache lacks with
// paperrepro/internal/download: resumable with HTTP Range from a .part file,
// with a progress bar, and verified against the hub's metadata (the LFS
// sha256 for weights, the git blob sha1 for small files). Requests give up
// on a server that stops answering (download.Policy), and an unreachable
// hub's error says what to do offline (Client.OfflineHelp).
//
// Environment: HF_ENDPOINT (default https://huggingface.co), HF_TOKEN (sent
// as "Authorization: Bearer"; else the token file that `huggingface-cli
// login` writes), HF_HUB_OFFLINE=1 (use only the cache and say what is
// missing), HF_HUB_CACHE and HF_HOME, HF_HUB_ETAG_TIMEOUT and
// HF_HUB_DOWNLOAD_TIMEOUT (seconds).
//
// Every Checkpoint carries the sha256 of the bytes of its weights and of
// its config.json, hashed on disk (once per version of a file, see
// internal/filesum), never taken from a file's name: a cache blob whose
// bytes do not match its name is damaged (DamagedError), and Fetch fetches
// it again. Some Pythia step branches hold the same weights as others
// (EleutherAI/pythia issue #205); the grid records this sum in every result
// so such duplicates are visible.
//
// Why not github.com/gomlx/go-huggingface v0.3.1 (read at that version): its
// hub package shares the blobs/snapshots layout, but it does not write
// refs/<revision> (it keeps its own info/ folder, so Python's offline lookups
// of our downloads fail), ignores HF_HUB_CACHE, HF_HOME and HF_HUB_OFFLINE (it
// always asks the server for the revision first), restarts an interrupted
// download from zero, verifies no sha256, and prints progress to stdout. Worse,
// a read error in the middle of a transfer is wrapped from a nil error, so a
// cut connection leaves a truncated file that is then cached as complete. Those
// are the properties this project needs, so hub is written here on top of
// internal/download.
package hub
