package cmdutil

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// CompletionTimeout bounds the requests a shell completion makes. The shell waits for them at
// every Tab, so a slow or unreachable API must cost at most this, and then complete nothing.
var CompletionTimeout = 2 * time.Second

// CompleteServices is a ValidArgsFunction for commands whose first argument is a service: it
// offers the organization's service names and IDs. Any failure (no credentials, no network, a
// refusal, the timeout) completes nothing and prints nothing: a completion is a convenience, and
// an error message would land in the middle of the user's command line.
func (f *Factory) CompleteServices(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ctx, cancel := completionContext(cmd)
	defer cancel()
	items, err := f.listServices(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return completions(items, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// CompleteKeys is a ValidArgsFunction for the key commands: key names and UUIDs.
func (f *Factory) CompleteKeys(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ctx, cancel := completionContext(cmd)
	defer cancel()
	c, org, err := f.ClientAndOrg(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var keys []apiKeyEntry
	if err := Lookup(&keys)(c.OpenapiKeyGetListWithResponse(ctx, org)); err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	items := make([]Candidate, 0, len(keys))
	for _, k := range keys {
		items = append(items, keyCandidate(k))
	}
	return completions(items, toComplete), cobra.ShellCompDirectiveNoFileComp
}

func completionContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithTimeout(ctx, CompletionTimeout)
}

// completions offers each item by name and by ID, with the other as the description the shells
// that show descriptions (zsh, fish) print beside it.
func completions(items []Candidate, toComplete string) []string {
	var out []string
	add := func(value, desc string) {
		if value == "" || !strings.HasPrefix(value, toComplete) {
			return
		}
		// A tab or newline would break cobra's line format; such names are not offered.
		if strings.ContainsAny(value, "\t\n") {
			return
		}
		out = append(out, value+"\t"+strings.ReplaceAll(desc, "\n", " "))
	}
	for _, it := range items {
		detail := ""
		if it.Detail != "" {
			detail = " (" + it.Detail + ")"
		}
		add(it.Name, it.ID+detail)
		add(it.ID, it.Name+detail)
	}
	return out
}
