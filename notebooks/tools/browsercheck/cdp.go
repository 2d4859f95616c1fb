package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
)

// browser is a headless Chromium driven through the DevTools protocol over
// --remote-debugging-pipe: JSON messages ending in a NUL byte, commands on
// the browser's file descriptor 3, replies and events on its 4. A pipe needs
// no WebSocket client and no port.
type browser struct {
	cmd *exec.Cmd
	out io.WriteCloser

	mu      sync.Mutex
	nextID  int
	pending map[int]chan reply
	// console collects the console messages of each session.
	console map[string][]string
	done    chan struct{} // closed when the browser's output ends
}

// reply is the browser's answer to one command.
type reply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// message is anything the browser sends: a reply (ID set) or an event.
type message struct {
	ID        int             `json:"id"`
	Method    string          `json:"method"`
	Params    json.RawMessage `json:"params"`
	SessionID string          `json:"sessionId"`
	reply
}

// startBrowser starts Chromium (the binary named chromium, headless, with
// a fresh profile in profileDir).
func startBrowser(chromium, profileDir string) (*browser, error) {
	toBrowser, commands, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	events, fromBrowser, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	args := []string{"--headless=new", "--remote-debugging-pipe", "--user-data-dir=" + profileDir,
		"--no-first-run", "--no-default-browser-check", "--disable-gpu", "--disable-extensions",
		"--hide-scrollbars", "--window-size=1280,1000", "about:blank"}
	if os.Geteuid() == 0 {
		args = append(args, "--no-sandbox") // Chromium refuses to run as root with its sandbox
	}
	cmd := exec.Command(chromium, args...)
	cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser} // its descriptors 3 and 4
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", chromium, err)
	}
	toBrowser.Close()
	fromBrowser.Close()
	b := &browser{cmd: cmd, out: commands, pending: map[int]chan reply{}, console: map[string][]string{}, done: make(chan struct{})}
	go b.read(events)
	return b, nil
}

// read dispatches the browser's messages until its output ends.
func (b *browser) read(r io.Reader) {
	defer close(b.done)
	in := bufio.NewReader(r)
	for {
		raw, err := in.ReadBytes(0)
		if err != nil {
			return
		}
		var m message
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.pending[m.ID]; ok {
				ch <- m.reply
				delete(b.pending, m.ID)
			}
		} else if text, ok := consoleText(m.Method, m.Params); ok {
			b.console[m.SessionID] = append(b.console[m.SessionID], text)
		}
		b.mu.Unlock()
	}
}

// consoleText returns the text of a console message or log entry event.
func consoleText(method string, params json.RawMessage) (string, bool) {
	switch method {
	case "Runtime.consoleAPICalled":
		var p struct {
			Args []struct {
				Value       any    `json:"value"`
				Description string `json:"description"`
			} `json:"args"`
		}
		if json.Unmarshal(params, &p) != nil {
			return "", false
		}
		var text string
		for i, a := range p.Args {
			if i > 0 {
				text += " "
			}
			if a.Value != nil {
				text += fmt.Sprint(a.Value)
			} else {
				text += a.Description
			}
		}
		return text, true
	case "Log.entryAdded":
		var p struct {
			Entry struct {
				Text string `json:"text"`
			} `json:"entry"`
		}
		if json.Unmarshal(params, &p) != nil {
			return "", false
		}
		return p.Entry.Text, true
	}
	return "", false
}

// call sends a command (to a page's session, or the browser when session is
// "") and decodes its result into result (when not nil).
func (b *browser) call(ctx context.Context, session, method string, params, result any) error {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan reply, 1)
	b.pending[id] = ch
	msg := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	raw, err := json.Marshal(msg)
	if err == nil {
		_, err = b.out.Write(append(raw, 0))
	}
	b.mu.Unlock()
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			return fmt.Errorf("%s: %s", method, r.Error.Message)
		}
		if result != nil {
			return json.Unmarshal(r.Result, result)
		}
		return nil
	case <-b.done:
		return fmt.Errorf("%s: the browser exited", method)
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// evaluate runs a JavaScript expression in a page and decodes its value.
func (b *browser) evaluate(ctx context.Context, session, expression string, value any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := b.call(ctx, session, "Runtime.evaluate", map[string]any{"expression": expression, "returnByValue": true, "awaitPromise": true}, &r); err != nil {
		return err
	}
	if e := r.ExceptionDetails; e != nil {
		return fmt.Errorf("evaluating in the page: %s %s", e.Text, e.Exception.Description)
	}
	if value == nil {
		return nil
	}
	return json.Unmarshal(r.Result.Value, value)
}

// consoleOf returns the console messages a session has logged so far.
func (b *browser) consoleOf(session string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console[session]...)
}

// close ends the browser.
func (b *browser) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5e9)
	defer cancel()
	if b.call(ctx, "", "Browser.close", map[string]any{}, nil) != nil {
		b.cmd.Process.Kill()
	}
	b.out.Close()
	err := b.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return nil // closed or killed on purpose
	}
	return err
}
