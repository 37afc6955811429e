package cli

import "github.com/spf13/cobra"

// extraCommands are the commands other packages own: `chcloud mock` (the fake server) and
// `chcloud spec` (spec drift).
func extraCommands() []*cobra.Command {
	return nil
}
