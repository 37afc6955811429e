package key

import (
	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
)

// beyondConsoleCommands are the key commands the console does not offer (rotation and audit,
// issue 14). They live in their own files so that the console's commands in key.go stay short.
func beyondConsoleCommands(f *cmdutil.Factory) []*cobra.Command {
	return nil
}
