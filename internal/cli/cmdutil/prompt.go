package cmdutil

import (
	"fmt"
	"strings"
)

// Confirm asks before something destructive. On a terminal it shows the warning and wants the
// user to type `expect` (for example the resource's ID or name); with --yes it goes ahead; when
// nobody can answer (stdin or stdout is not a terminal) it refuses with a usage error rather than
// deleting on a script's behalf without being told to.
func (f *Factory) Confirm(warning, expect string) error {
	if f.Yes || f.DryRun {
		return nil // --dry-run sends nothing that could need confirming
	}
	ios := f.IOStreams
	if !ios.CanPrompt() {
		return UsageErrorf("refusing to go ahead without confirmation: pass --yes (%s)", strings.TrimSpace(warning))
	}
	fmt.Fprintln(ios.ErrOut, warning)
	fmt.Fprintf(ios.ErrOut, "Type %q to confirm: ", expect)
	answer, err := ios.ReadLine()
	if err != nil {
		return fmt.Errorf("reading confirmation: %w", err)
	}
	if strings.TrimSpace(answer) != expect {
		return ErrCancelled
	}
	return nil
}
