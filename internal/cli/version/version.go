// Package version is `chcloud version`: the CLI's version, the commit it was built from and the
// API document it embeds.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
	"github.com/chcloud-dev/chcloud/spec"
)

// Info is what `chcloud version` reports; JSON output uses these field names.
type Info struct {
	Version    string `json:"version"`
	Commit     string `json:"commit,omitempty"`     // the full revision the binary was built from
	Modified   bool   `json:"modified,omitempty"`   // built with uncommitted changes
	CommitTime string `json:"commitTime,omitempty"` // when that revision was committed (RFC 3339)
	GoVersion  string `json:"goVersion"`
	Platform   string `json:"platform"`
	SpecSHA256 string `json:"specSha256"`
}

// Current collects the version information of this binary from the build info the Go toolchain
// embeds: nothing is injected at link time, so `go install ./cmd/chcloud` from a clone, `go install
// github.com/chcloud-dev/chcloud/cmd/chcloud@v1.2.3` and the release workflow all report the same way.
func Current() Info {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return fromBuildInfo(bi)
	}
	return fromBuildInfo(nil)
}

// fromBuildInfo reads the version and the commit from bi (nil when the binary has none):
//   - the version is the main module's: the tag of a release or of `go install ...@v1.2.3`, or
//     the pseudo-version the toolchain derives from the checkout ("v0.2.1-0.20260901...-abcdef",
//     "+dirty" when modified). A build that carries none ("(devel)": go run, tests, builds with
//     -buildvcs=false) reports the SDK's version, cloud.Version.
//   - the commit is vcs.revision, with vcs.modified and vcs.time; they are stamped when the
//     binary is built inside a git checkout with -buildvcs left on (the Makefile says
//     -buildvcs=auto, since some environments turn it off in GOFLAGS).
func fromBuildInfo(bi *debug.BuildInfo) Info {
	info := Info{Version: cloud.Version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi == nil {
		return info
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		info.Version = v
	}
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Commit = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		case "vcs.time":
			info.CommitTime = s.Value
		}
	}
	return info
}

// String is the one-line form used by `chcloud --version`: "chcloud version v1.2.3 (0123456789ab)",
// with ", modified" after the commit when the build had uncommitted changes.
func String() string { return Current().line() }

func (i Info) line() string {
	s := "chcloud version " + i.Version
	if i.Commit != "" {
		commit := i.Commit
		if len(commit) > 12 {
			commit = commit[:12]
		}
		if i.Modified {
			commit += ", modified"
		}
		s += " (" + commit + ")"
	}
	return s
}

// Options are the inputs of `chcloud version`.
type Options struct {
	F *cmdutil.Factory
}

// Top is how `chcloud --help` lists `chcloud version`.
var Top = cmdutil.Top{Use: "version", Short: "Show the chcloud version and the API document it embeds"}

// NewCommand wires `chcloud version`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{F: f}
	return &cobra.Command{
		Use:   Top.Use,
		Short: Top.Short,
		Args:  cmdutil.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return Run(opts) },
	}
}

// Run prints the version: one readable block on a terminal (or with --output table), JSON otherwise.
func Run(opts *Options) error {
	info := Current()
	info.SpecSHA256 = spec.SHA256()
	f := opts.F
	if f.Output.JQ == "" && f.Output.Resolve(f.IOStreams.IsStdoutTTY()) == "table" {
		out := f.IOStreams.Out
		fmt.Fprintln(out, info.line())
		if info.Commit != "" {
			fmt.Fprintf(out, "commit: %s", info.Commit)
			if info.CommitTime != "" {
				fmt.Fprintf(out, " (%s)", info.CommitTime)
			}
			if info.Modified {
				fmt.Fprint(out, ", with uncommitted changes")
			}
			fmt.Fprintln(out)
		}
		fmt.Fprintf(out, "go: %s %s\n", info.GoVersion, info.Platform)
		fmt.Fprintf(out, "api document sha256: %s\n", info.SpecSHA256)
		return nil
	}
	return f.Print(info, output.Table{})
}
