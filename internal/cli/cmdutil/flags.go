package cmdutil

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// IfChanged returns &v when the flag was given on the command line and nil otherwise, so a
// request body carries only what the user set (the API rejects some fields sent with defaults).
func IfChanged[T any](cmd *cobra.Command, flag string, v T) *T {
	if cmd.Flags().Changed(flag) {
		return &v
	}
	return nil
}

// Body is a JSON request body built field by field.
type Body map[string]any

// Set adds a field when its value is set (a non-nil pointer).
func Set[T any](b Body, field string, v *T) {
	if v != nil {
		b[field] = *v
	}
}

// ParseTags reads Key=Value pairs (Value may be empty) as the API's [{key, value}] tags.
func ParseTags(pairs []string) ([]map[string]string, error) {
	tags := make([]map[string]string, 0, len(pairs))
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		if k == "" {
			return nil, UsageErrorf("invalid tag %q: expected Key=Value", p)
		}
		tag := map[string]string{"key": k}
		if v != "" {
			tag["value"] = v
		}
		tags = append(tags, tag)
	}
	return tags, nil
}

// OneOf checks a flag value against its allowed values.
func OneOf(flag, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return UsageErrorf("invalid --%s %q: use one of %s", flag, value, strings.Join(allowed, ", "))
}

// Noun returns a command group such as `chcloud service` whose bare use prints help
// and whose unknown subcommands are usage errors.
func Noun(use, short string, aliases ...string) *cobra.Command {
	return &cobra.Command{
		Use:     use,
		Short:   short,
		Aliases: aliases,
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return UsageErrorf("unknown command %q for %q\nsee '%s --help'", args[0], cmd.CommandPath(), cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
}

// Plural returns "1 service" or "3 services".
func Plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
