package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// child is the running server process.
type child struct {
	cmd      *exec.Cmd
	base     string // http://127.0.0.1:PORT
	pprof    string // http://127.0.0.1:PORT or ""
	startup  time.Duration
	lines    chan string
	exited   chan error
	writerOK [3]int64 // events written, dropped, failed (after stop)
}

// startServer starts the server child and returns once it has answered its
// first homepage request; the time from exec to that answer is the start-up
// time.
func startServer(ctx context.Context, dbPath, addr string, withPprof bool, logFile io.Writer) (*child, error) {
	args := []string{childServe, "--db", dbPath, "--addr", addr}
	if withPprof {
		args = append(args, "--pprof")
	}
	c := &child{lines: make(chan string, 8), exited: make(chan error, 1)}
	c.cmd = exec.Command(self(), args...)
	c.cmd.Stderr = logFile
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	began := time.Now()
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("loadtest: start server: %w", err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
		c.exited <- c.cmd.Wait()
	}()
	deadline := time.After(60 * time.Second)
	for c.base == "" {
		select {
		case line, ok := <-c.lines:
			if !ok {
				return nil, fmt.Errorf("loadtest: server exited before listening (see the server log)")
			}
			if addr, ok := strings.CutPrefix(line, "pprof "); ok {
				c.pprof = "http://" + addr
			}
			if addr, ok := strings.CutPrefix(line, "listen "); ok {
				c.base = "http://" + addr
			}
		case <-deadline:
			c.kill()
			return nil, fmt.Errorf("loadtest: server did not listen within 60 s")
		case <-ctx.Done():
			c.kill()
			return nil, ctx.Err()
		}
	}
	res, err := http.Get(c.base + "/")
	if err != nil {
		c.kill()
		return nil, fmt.Errorf("loadtest: first request: %w", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	c.startup = time.Since(began)
	if res.StatusCode != http.StatusOK {
		c.kill()
		return nil, fmt.Errorf("loadtest: first request answered %s", res.Status)
	}
	return c, nil
}

// memoryParts reads the child's resident set now and at its peak, in bytes,
// with the resident set's parts: anonymous memory (Go's heap and stacks,
// SQLite's caches), file pages (the binary, the search index's files) and
// shared memory (SQLite's WAL index).
func (c *child) memoryParts() (rss, peak int64, parts [3]int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0, 0, parts
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = v * 1024
		case "VmHWM:":
			peak = v * 1024
		case "RssAnon:":
			parts[0] = v * 1024
		case "RssFile:":
			parts[1] = v * 1024
		case "RssShmem:":
			parts[2] = v * 1024
		}
	}
	return rss, peak, parts
}

// stop asks the server to shut down gracefully (it drains the event
// writer) and waits for it, killing it after a bound.
func (c *child) stop() error {
	c.cmd.Process.Signal(syscall.SIGTERM)
	timeout := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				c.lines = nil
				continue
			}
			if f := strings.Fields(line); len(f) == 4 && f[0] == "events" {
				for i := range 3 {
					c.writerOK[i], _ = strconv.ParseInt(f[i+1], 10, 64)
				}
			}
		case err := <-c.exited:
			return err
		case <-timeout:
			c.kill()
			return fmt.Errorf("loadtest: server did not stop within 60 s; killed")
		}
	}
}

func (c *child) kill() { c.cmd.Process.Kill() }

// servers are the instances of one run, all on the same database.
type servers []*child

// startServers starts n server children on the database one after the
// other (each migrates and loads its caches on start). With a fixed addr,
// instance i listens i×2 ports above it (its pprof on the port after).
func startServers(ctx context.Context, db, addr string, n int, withPprof bool, logFile io.Writer) (servers, error) {
	var out servers
	for i := range n {
		c, err := startServer(ctx, db, portPlus(addr, 2*i), withPprof, logFile)
		if err != nil {
			out.kill()
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (s servers) bases() []string {
	out := make([]string, len(s))
	for i, c := range s {
		out[i] = c.base
	}
	return out
}

func (s servers) kill() {
	for _, c := range s {
		c.kill()
	}
}

// stop stops every instance gracefully and sums their event writers'
// counters (written, dropped, failed).
func (s servers) stop(log io.Writer) [3]int64 {
	var sum [3]int64
	for _, c := range s {
		if err := c.stop(); err != nil {
			fmt.Fprintf(log, "bench: server stop: %v\n", err)
		}
		for i := range sum {
			sum[i] += c.writerOK[i]
		}
	}
	return sum
}

// portPlus is addr with its port raised by k; a zero port stays random.
func portPlus(addr string, k int) string {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n == 0 || k == 0 {
		return addr
	}
	return net.JoinHostPort(host, strconv.Itoa(n+k))
}

// dbKind names the database a run serves from.
func dbKind(db string) string {
	if db != "" {
		return "PostgreSQL"
	}
	return "SQLite"
}

// cpuTicks is the CPU time the child has used, in clock ticks (user +
// system, /proc/PID/stat fields 14 and 15).
func (c *child) cpuTicks() (int64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces; fields after it follow ")".
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	return utime + stime, err1 == nil && err2 == nil
}

// Settling: the server is idle once it used under idleShare of one core in
// each of idleWindows consecutive windows of idleWindow; settle waits at
// most settleMax for that.
const (
	idleWindow  = 500 * time.Millisecond
	idleWindows = 2
	idleShare   = 0.1
	settleMax   = 60 * time.Second
	clockTicks  = 100 // USER_HZ on Linux
)

// settle waits until every instance's background work is done: no
// measurement starts while the server is still busy with earlier work.
func (s servers) settle(ctx context.Context, log io.Writer) {
	began := time.Now()
	for _, c := range s {
		quiet := 0
		last, ok := c.cpuTicks()
		for ok && quiet < idleWindows && time.Since(began) < settleMax && ctx.Err() == nil {
			time.Sleep(idleWindow)
			now, ok2 := c.cpuTicks()
			if !ok2 {
				break
			}
			if float64(now-last)/clockTicks < idleShare*idleWindow.Seconds() {
				quiet++
			} else {
				quiet = 0
			}
			last = now
		}
	}
	waited := time.Since(began)
	if waited >= settleMax {
		fmt.Fprintf(log, "bench: the server was still busy after %s; measuring anyway\n", settleMax)
		return
	}
	fmt.Fprintf(log, "bench: server idle after %s\n", waited.Round(100*time.Millisecond))
}
