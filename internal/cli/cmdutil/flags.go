package cmdutil

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Optional binds a flag that a request body carries only when the user gives it (the API rejects
// some fields sent with defaults, and a PATCH must not reset what was not asked for): *into stays
// nil unless the command line sets the flag, and then points at its value. def is what --help
// shows as the default (what the API assumes); it is never sent on its own. The flag looks and
// parses exactly like fl.Float64Var (IntVar, StringVar, BoolVar) would make it.
func Optional[T float64 | int | string | bool](fl *pflag.FlagSet, into **T, name string, def T, usage string) {
	v := new(T)
	switch p := any(v).(type) {
	case *float64:
		fl.Float64Var(p, name, any(def).(float64), usage)
	case *int:
		fl.IntVar(p, name, any(def).(int), usage)
	case *string:
		fl.StringVar(p, name, any(def).(string), usage)
	case *bool:
		fl.BoolVar(p, name, any(def).(bool), usage)
	}
	flag := fl.Lookup(name)
	given := optional{Value: flag.Value, given: func() { *into = v }}
	if _, ok := any(v).(*bool); ok {
		flag.Value = optionalBool{given} // --flag alone means true, and --help shows a bool
	} else {
		flag.Value = given
	}
}

// optional is a flag's own pflag.Value that also says when the command line set it.
type optional struct {
	pflag.Value
	given func()
}

func (o optional) Set(s string) error {
	if err := o.Value.Set(s); err != nil {
		return err
	}
	o.given()
	return nil
}

type optionalBool struct{ optional }

func (optionalBool) IsBoolFlag() bool { return true }

// Top is what `chcloud --help` shows of a top-level command: its use line, its short help and its
// aliases. Each command's package declares its own once; internal/cli/topcommands.go lists them
// (and stands in with them for the subtrees a run does not build), and NewCommand builds from it.
type Top struct {
	Use, Short string
	Aliases    []string
}

// Noun is the noun command t describes (see Noun), with its subcommands.
func (t Top) Noun(subcommands ...*cobra.Command) *cobra.Command {
	cmd := Noun(t.Use, t.Short, t.Aliases...)
	cmd.AddCommand(subcommands...)
	return cmd
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
