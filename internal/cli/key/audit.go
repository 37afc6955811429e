package key

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// AuditOptions are the inputs of `key audit`.
type AuditOptions struct {
	F                          *cmdutil.Factory
	Expiring, Unused, Disabled time.Duration
	MaxAdmin                   int
	// FailOn is --fail-on: "", "warning" or "critical".
	FailOn string
}

func newAuditCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &AuditOptions{F: f}
	cmd := &cobra.Command{
		Use:   "audit [--fail-on warning|critical] [flags]",
		Short: "Find risky API keys: expiring, expired, unused, over-privileged, open to every address",
		Long: `Check every API key of the organization against the rules below and print one finding per
key and rule, most serious first. The key chcloud is using is marked (* in the table, "current"
in JSON).

` + auditRulesHelp() + `
Findings print as a table on a terminal and as a JSON array otherwise (--output yaml, --jq).

--fail-on LEVEL makes the exit code fit CI: ` + fmt.Sprint(cmdutil.ExitFindings) + ` when a finding at LEVEL or above exists
(the findings are printed first), 0 otherwise; 1, 2 and 4 keep their usual meanings (the
audit could not run, bad input, credentials rejected).`,
		Example: "  chcloud key audit\n" +
			"  chcloud key audit --expiring 30d --unused 60d --fail-on critical\n" +
			"  chcloud key audit --jq '.[] | select(.level == \"critical\") | .keyName'",
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Run(func(ctx context.Context) error { return RunAudit(ctx, opts) }),
	}
	fs := cmd.Flags()
	fs.Var(newDaysFlag(&opts.Expiring, daysText(cloud.DefaultKeyAuditExpiring)), "expiring", "report keys that expire within this (expiring)")
	fs.Var(newDaysFlag(&opts.Unused, daysText(cloud.DefaultKeyAuditUnused)), "unused", "report keys not used for longer than this (unused)")
	fs.Var(newDaysFlag(&opts.Disabled, daysText(cloud.DefaultKeyAuditDisabled)), "disabled", "report keys disabled and unused for longer than this (delete-candidate)")
	fs.IntVar(&opts.MaxAdmin, "max-admin", cloud.DefaultKeyAuditMaxAdmin, "report admin keys when there are more than this many (too-many-admins)")
	fs.StringVar(&opts.FailOn, "fail-on", "", fmt.Sprintf("exit %d when a finding at this level or above exists: warning or critical", cmdutil.ExitFindings))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"warning", "critical"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// auditRulesHelp is the rule table of the help, written from the SDK's own table so that the
// help says what the code does.
func auditRulesHelp() string {
	var b strings.Builder
	b.WriteString("Rules (level, rule, what it finds):\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, r := range cloud.KeyAuditRules {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Level, r.ID, r.Description)
	}
	_ = tw.Flush()
	return b.String()
}

// AuditTable shows findings; the key chcloud is using is marked with "*".
var AuditTable = output.Table{Spec: []string{"LEVEL:level", "KEY:", "RULE:rule", "MESSAGE:message"},
	Formats: []output.Format{{Header: "KEY", Format: func(v any) string {
		m, _ := v.(map[string]any)
		name := output.Scalar(m["keyName"])
		if s, _ := m["keySuffix"].(string); s != "" {
			name += " (…" + s + ")"
		}
		if cur, _ := m["current"].(bool); cur {
			return "* " + name
		}
		return name
	}}}}

// RunAudit audits the organization's keys, prints the findings and, with --fail-on, returns an
// error with cmdutil.ExitFindings when one is at that level or above.
func RunAudit(ctx context.Context, opts *AuditOptions) error {
	f := opts.F
	var failOn cloud.KeyFindingLevel
	if opts.FailOn != "" {
		if err := cmdutil.OneOf("fail-on", opts.FailOn, string(cloud.KeyFindingWarning), string(cloud.KeyFindingCritical)); err != nil {
			return err
		}
		failOn = cloud.KeyFindingLevel(opts.FailOn)
	}
	if opts.MaxAdmin < 1 {
		return cmdutil.UsageErrorf("invalid --max-admin %d: give 1 or more", opts.MaxAdmin)
	}
	c, org, err := f.Begin(ctx)
	if err != nil {
		return err
	}
	findings, err := c.AuditKeys(ctx, org, cloud.KeyAuditOptions{
		Expiring: opts.Expiring, Unused: opts.Unused, Disabled: opts.Disabled, MaxAdmin: opts.MaxAdmin,
	})
	if err != nil {
		return err
	}
	if findings == nil {
		findings = []cloud.KeyFinding{} // [] for scripts, never null
	}
	if f.IsTable() && f.Output.JQ == "" {
		if len(findings) == 0 {
			f.Infof("No findings: every API key passes the %d rules.", len(cloud.KeyAuditRules))
		} else if err := f.Print(findings, AuditTable); err != nil {
			return err
		}
		for _, x := range findings {
			if x.Current {
				fmt.Fprintln(f.IOStreams.Out, "\n* the key chcloud is using")
				break
			}
		}
	} else if err := f.Print(findings, AuditTable); err != nil {
		return err
	}
	if failOn == "" {
		return nil
	}
	n := 0
	for _, x := range findings {
		if x.Level.AtLeast(failOn) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return &cmdutil.Error{Code: cmdutil.ExitFindings,
		Err: fmt.Errorf("%s at level %s or above (--fail-on %s)", cmdutil.Plural(n, "finding"), failOn, failOn)}
}
