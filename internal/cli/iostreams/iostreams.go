// Package iostreams holds the standard input, output and error streams of a command together
// with whether each is a terminal, so commands can print tables for people and JSON for scripts,
// and tests can substitute buffers that pretend to be (or not be) a terminal.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	// noColor is set when NO_COLOR is set and not empty (https://no-color.org) or TERM is dumb.
	noColor bool
	// readPassword reads a line without echo; nil means "read a plain line from In".
	readPassword func() ([]byte, error)
}

// System returns the process's streams, with terminal detection done once here.
func System() *IOStreams {
	ios := &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		noColor:   os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb",
	}
	if ios.stdinTTY {
		ios.readPassword = func() ([]byte, error) { return term.ReadPassword(int(os.Stdin.Fd())) }
	}
	return ios
}

// Test returns streams backed by buffers; none is a terminal until the Set*TTY methods say so.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsStdinTTY reports whether standard input is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether standard error is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// ColorEnabled reports whether output to stdout may be coloured: only on a terminal, and never
// when NO_COLOR is set (https://no-color.org) or TERM is dumb. chcloud colours nothing today;
// anything that starts to must ask this first.
func (s *IOStreams) ColorEnabled() bool { return s.stdoutTTY && !s.noColor }

// SetNoColor records NO_COLOR (or not). For tests.
func (s *IOStreams) SetNoColor(v bool) { s.noColor = v }

// CanPrompt reports whether the user can be asked a question: both stdin and stdout are terminals.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stdoutTTY }

// SetStdinTTY marks standard input as a terminal (or not). For tests.
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = v }

// SetStdoutTTY marks standard output as a terminal (or not). For tests.
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetStderrTTY marks standard error as a terminal (or not). For tests.
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// SetTTY marks all three streams as terminals (or not). For tests.
func (s *IOStreams) SetTTY(v bool) { s.stdinTTY, s.stdoutTTY, s.stderrTTY = v, v, v }

// ReadLine reads one line from In, without its line ending.
func (s *IOStreams) ReadLine() (string, error) {
	var line []byte
	buf := make([]byte, 1)
	for {
		n, err := s.In.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			line = append(line, buf[0])
		}
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				break
			}
			return "", err
		}
	}
	return string(bytes.TrimRight(line, "\r")), nil
}

// ReadSecret reads one line without echoing it when In is a terminal.
func (s *IOStreams) ReadSecret() (string, error) {
	if s.readPassword != nil {
		b, err := s.readPassword()
		return string(b), err
	}
	return s.ReadLine()
}
