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
	Commit     string `json:"commit,omitempty"`
	GoVersion  string `json:"goVersion"`
	Platform   string `json:"platform"`
	SpecSHA256 string `json:"specSha256"`
}

// Current collects the version information of this binary.
func Current() Info {
	info := Info{Version: cloud.Version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				info.Commit = s.Value[:12]
			}
		}
	}
	return info
}

// String is the one-line form used by `chcloud --version`.
func String() string {
	i := Current()
	s := "chcloud version " + i.Version
	if i.Commit != "" {
		s += " (" + i.Commit + ")"
	}
	return s
}

// Options are the inputs of `chcloud version`.
type Options struct {
	F *cmdutil.Factory
}

// NewCommand wires `chcloud version`.
func NewCommand(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{F: f}
	return &cobra.Command{
		Use:   "version",
		Short: "Show the chcloud version and the API document it embeds",
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
		fmt.Fprintln(out, String())
		fmt.Fprintf(out, "go: %s %s\n", info.GoVersion, info.Platform)
		fmt.Fprintf(out, "api document sha256: %s\n", info.SpecSHA256)
		return nil
	}
	return f.Print(info, output.Table{})
}
