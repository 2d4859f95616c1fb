package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// server is a Jupyter Notebook server serving one folder, with no token and
// no trusted notebooks.
type server struct {
	cmd *exec.Cmd
	url string // http://127.0.0.1:port
	log *os.File
	// exited is closed when the server has exited.
	exited chan struct{}
}

// startJupyter serves dir with `jupyter notebook` (Notebook 6), as a reader
// would open a fresh clone's notebooks: its notary keeps its signatures in
// memory, so no notebook is trusted, and its configuration and runtime files
// live in work, so that none of the user's (a trusted-notebooks database, a
// custom.js) applies. Its log goes to work/jupyter.log.
func startJupyter(ctx context.Context, jupyter, dir, work string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"notebook", "--no-browser", "--ip=127.0.0.1", "--port=" + strconv.Itoa(port), "--port-retries=0",
		"--notebook-dir=" + dir, "--NotebookApp.token=", "--NotebookApp.password=",
		"--NotebookNotary.db_file=:memory:"}
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root")
	}
	log, err := os.Create(filepath.Join(work, "jupyter.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(jupyter, args...)
	cmd.Env = append(os.Environ(), "JUPYTER_CONFIG_DIR="+filepath.Join(work, "config"), "JUPYTER_RUNTIME_DIR="+filepath.Join(work, "runtime"))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its kernels too are stopped with it
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("starting %s notebook: %w", jupyter, err)
	}
	s := &server{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port), log: log, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(s.exited) }()
	if err := s.waitReady(ctx); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w (its log: %s)", err, log.Name())
	}
	return s, nil
}

// waitReady waits until the server answers its API.
func (s *server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		if resp, err := http.Get(s.url + "/api"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("jupyter notebook exited before serving %s", s.url)
		case <-ctx.Done():
			return fmt.Errorf("jupyter notebook did not answer at %s within a minute", s.url)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stop ends the server and the kernels it started.
func (s *server) stop() {
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
	s.log.Close()
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
