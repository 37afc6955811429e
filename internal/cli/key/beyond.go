package key

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
)

// beyondConsoleCommands are the key commands the console does not offer (rotation and audit,
// issue 14). They live in their own files so that the console's commands in key.go stay short.
func beyondConsoleCommands(f *cmdutil.Factory) []*cobra.Command {
	return []*cobra.Command{newRotateCmd(f), newAuditCmd(f)}
}

// ParseDays reads a duration as key lifetimes are spoken of, in days ("14d"), or in Go's units
// ("36h", "90m"). It must be positive: a window of nothing is a typo, not a setting.
func ParseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days > 0 {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("%q is not a duration such as 14d, 36h or 90m (more than zero)", s)
}

// daysFlag is a duration flag that takes days (ParseDays). It keeps the text as typed, so that
// the help shows "(default 14d)" rather than "336h0m0s".
type daysFlag struct {
	d    *time.Duration
	text string
}

func newDaysFlag(d *time.Duration, def string) *daysFlag {
	if def != "" {
		*d, _ = ParseDays(def)
	}
	return &daysFlag{d: d, text: def}
}

func (f *daysFlag) Set(s string) error {
	d, err := ParseDays(s)
	if err != nil {
		return err
	}
	*f.d, f.text = d, s
	return nil
}

func (f *daysFlag) String() string { return f.text }
func (f *daysFlag) Type() string   { return "duration" }

// daysText says a duration in days when it is a whole number of them, as the flags take it.
func daysText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
