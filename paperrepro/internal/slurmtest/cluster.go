// Package slurmtest stands up a real single-node Slurm cluster for a test:
// munged with a key made for the test, slurmctld and slurmd in the
// foreground as children of the test, on free ports, with every file -
// configuration, state, spool, logs, munge socket - in the test's temporary
// folder. Nothing outside that folder is read or changed, so it runs beside
// another cluster, or another test's.
//
// It needs Debian's slurmctld, slurmd, slurm-client and munge packages
// (setup.sh beside this file installs them). The configuration works in a
// container without systemd or cgroups: processes are tracked through /proc
// (proctrack/linuxproc), tasks are not confined (task/none), and there is no
// accounting database.
package slurmtest

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// Programs are the programs a cluster needs.
var Programs = []string{"munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel"}

// Missing lists the Programs not on PATH (or in /usr/sbin, where Debian
// puts the daemons).
func Missing() []string {
	var missing []string
	for _, p := range Programs {
		if _, err := lookPath(p); err != nil {
			missing = append(missing, p)
		}
	}
	return missing
}

func lookPath(name string) (string, error) {
	if path, err := exec.LookPath(name); err == nil {
		return path, nil
	}
	return exec.LookPath(filepath.Join("/usr/sbin", name))
}

// Node is the name of the cluster's one compute node.
const Node = "paperrepro-node"

// Cluster is a running single-node cluster.
type Cluster struct {
	// Dir holds the cluster's files; Conf is its slurm.conf, which client
	// commands find through SLURM_CONF (see Env).
	Dir, Conf string
	// CPUs is the node's number of CPUs.
	CPUs int

	t       testing.TB
	daemons []*exec.Cmd
}

// Start starts a cluster whose node has cpus CPUs, and stops it when the
// test ends (cancelling whatever jobs are left). It fails the test when a
// daemon does not come up, showing its log.
func Start(t testing.TB, cpus int) *Cluster {
	t.Helper()
	if missing := Missing(); len(missing) > 0 {
		t.Fatalf("slurmtest: missing %s (install Debian's slurmctld, slurmd, slurm-client and munge)", strings.Join(missing, ", "))
	}
	c := &Cluster{Dir: t.TempDir(), CPUs: cpus, t: t}
	c.Conf = filepath.Join(c.Dir, "slurm.conf")
	t.Cleanup(c.stop)
	for _, sub := range []string{"state", "spool", "log"} {
		if err := os.Mkdir(filepath.Join(c.Dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c.startMunge()
	c.writeConf()
	c.startDaemon("slurmctld", "-D", "-i", "-f", c.Conf)
	c.startDaemon("slurmd", "-D", "-N", Node, "-f", c.Conf)
	deadline := time.Now().Add(60 * time.Second)
	for {
		state, _ := c.Command("sinfo", "-h", "-n", Node, "-o", "%T").Output()
		if strings.TrimSpace(string(state)) == "idle" {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("slurmtest: node %s not idle after 60 s (sinfo says %q)\n%s", Node, state, c.Logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// startMunge starts munged with a fresh key; Slurm's daemons and clients
// find its socket through AuthInfo in slurm.conf.
func (c *Cluster) startMunge() {
	dir := filepath.Join(c.Dir, "munge")
	if err := os.Mkdir(dir, 0o700); err != nil {
		c.t.Fatal(err)
	}
	key := make([]byte, 1024)
	if _, err := rand.Read(key); err != nil {
		c.t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "munge.key")
	if err := os.WriteFile(keyFile, key, 0o400); err != nil {
		c.t.Fatal(err)
	}
	c.startDaemon("munged", "--foreground", "--force", "--key-file="+keyFile, "--socket="+c.mungeSocket(),
		"--pid-file="+filepath.Join(dir, "munged.pid"), "--seed-file="+filepath.Join(dir, "seed"),
		"--log-file="+filepath.Join(c.Dir, "log", "munged.log"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(c.mungeSocket()); err == nil {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("slurmtest: munged made no socket in 10 s\n%s", c.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *Cluster) mungeSocket() string { return filepath.Join(c.Dir, "munge.socket") }

var confTemplate = template.Must(template.New("slurm.conf").Parse(`# A one-node cluster for a test, made by paperrepro/internal/slurmtest.
ClusterName=paperrepro-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={{.CtldPort}}
SlurmdPort={{.DPort}}
SlurmUser={{.User}}
SlurmdUser={{.User}}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={{.Munge}}
StateSaveLocation={{.Dir}}/state
SlurmdSpoolDir={{.Dir}}/spool
SlurmctldPidFile={{.Dir}}/slurmctld.pid
SlurmdPidFile={{.Dir}}/slurmd.pid
SlurmctldLogFile={{.Dir}}/log/slurmctld.log
SlurmdLogFile={{.Dir}}/log/slurmd.log
# No systemd, no cgroups: track processes through /proc, do not confine tasks.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobRequeue=1
KillWait=5
MinJobAge=600
NodeName={{.Node}} NodeAddr=127.0.0.1 NodeHostname=localhost CPUs={{.CPUs}} State=UNKNOWN
PartitionName=test Nodes={{.Node}} Default=YES MaxTime=INFINITE State=UP
`))

func (c *Cluster) writeConf() {
	me, err := user.Current()
	if err != nil {
		c.t.Fatal(err)
	}
	ports := freePorts(c.t, 2)
	var buf bytes.Buffer
	err = confTemplate.Execute(&buf, map[string]any{
		"CtldPort": ports[0], "DPort": ports[1], "User": me.Username, "Munge": c.mungeSocket(),
		"Dir": c.Dir, "Node": Node, "CPUs": c.CPUs,
	})
	if err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(c.Conf, buf.Bytes(), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// freePorts returns n TCP ports free on localhost at the time of asking.
func freePorts(t testing.TB, n int) []int {
	var ports []int
	var listeners []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("slurmtest: no free port: %v", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range listeners {
		l.Close()
	}
	return ports
}

func (c *Cluster) startDaemon(name string, args ...string) {
	path, err := lookPath(name)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = c.Env()
	log, err := os.Create(filepath.Join(c.Dir, "log", name+".out"))
	if err != nil {
		c.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("slurmtest: starting %s: %v", name, err)
	}
	log.Close()
	c.daemons = append(c.daemons, cmd)
}

// Env is the environment for the cluster's client commands: this process's
// with SLURM_CONF pointing at the cluster.
func (c *Cluster) Env() []string {
	return append(os.Environ(), "SLURM_CONF="+c.Conf)
}

// Command prepares a client command (sbatch, squeue, scontrol, ...) for the
// cluster.
func (c *Cluster) Command(name string, args ...string) *exec.Cmd {
	path, err := lookPath(name)
	if err != nil {
		path = name
	}
	cmd := exec.Command(path, args...)
	cmd.Env = c.Env()
	return cmd
}

// Run runs a client command and returns its standard output; it fails the
// test when the command fails.
func (c *Cluster) Run(name string, args ...string) string {
	c.t.Helper()
	var stderr bytes.Buffer
	cmd := c.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		c.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// Job returns the fields of a job (an array task as "ID_TASK") as scontrol
// shows them, e.g. "JobState" and "Restarts".
func (c *Cluster) Job(id string) map[string]string {
	c.t.Helper()
	fields := map[string]string{}
	for _, f := range strings.Fields(c.Run("scontrol", "-o", "show", "job", id)) {
		if k, v, ok := strings.Cut(f, "="); ok {
			if _, seen := fields[k]; !seen {
				fields[k] = v
			}
		}
	}
	return fields
}

// WaitQueueEmpty waits until no job is pending or running, failing the test
// after timeout.
func (c *Cluster) WaitQueueEmpty(timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if strings.TrimSpace(c.Run("squeue", "-h", "-o", "%i %T")) == "" {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("slurmtest: jobs still queued after %s:\n%s", timeout, c.Run("squeue", "-o", "%i %T %r"))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// Logs returns the daemons' logs, for a failure message.
func (c *Cluster) Logs() string {
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(c.Dir, "log", "*"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		fmt.Fprintf(&b, "==> %s (last lines) <==\n%s\n", f, strings.Join(lines[max(0, len(lines)-20):], "\n"))
	}
	return b.String()
}

// stop cancels every job left, shuts the daemons down and waits for them.
func (c *Cluster) stop() {
	if len(c.daemons) >= 2 { // slurmctld was started
		c.Command("scancel", "--partition=test").Run()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			out, err := c.Command("squeue", "-h").Output()
			if err != nil || strings.TrimSpace(string(out)) == "" {
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
		c.Command("scontrol", "shutdown").Run()
	}
	for i := len(c.daemons) - 1; i >= 0; i-- {
		d := c.daemons[i]
		exited := make(chan struct{})
		go func() { d.Wait(); close(exited) }()
		if filepath.Base(d.Path) == "munged" {
			d.Process.Signal(syscall.SIGTERM)
		}
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			d.Process.Kill()
			<-exited
		}
	}
}
