package cli

import (
	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/internal/cli/mockcmd"
	"github.com/chcloud-dev/chcloud/internal/cli/speccmd"
)

// extraCommands are the commands other packages own: `chcloud mock` (the fake server) and
// `chcloud spec` (spec drift).
func extraCommands() []*cobra.Command {
	return []*cobra.Command{mockcmd.NewCommand(), speccmd.NewCommand()}
}
