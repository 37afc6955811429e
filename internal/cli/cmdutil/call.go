package cmdutil

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// Most commands run the same chain: check the arguments, get the client and the organization,
// call one operation, take the result as the API sent it, print it. Begin and Show are the two
// ends of that chain, so a command file says only what is particular to it:
//
//	c, org, err := f.Begin(ctx, cmdutil.ValidateID("user", id))
//	if err != nil {
//		return err
//	}
//	return f.Show(Table)(c.MemberGetWithResponse(ctx, org, id))
//
// A command that is nothing but this chain is not written out at all: see ListOf, GetOf and
// DeleteOf (command.go).

// Begin returns the first failed check (such as ValidateID's answer), else the client and the
// organization. The checks come first so that a malformed argument is a usage error before any
// credentials or network are needed.
func (f *Factory) Begin(ctx context.Context, checks ...error) (*cloud.Client, string, error) {
	for _, err := range checks {
		if err != nil {
			return nil, "", err
		}
	}
	return f.ClientAndOrg(ctx)
}

// Show returns a function that prints a generated response's result with table (an error
// status becomes a *cloud.APIError, see RawResult). It is curried so that it takes a generated
// call's two results directly.
func (f *Factory) Show(table output.Table) func(resp any, err error) error {
	return func(resp any, err error) error {
		result, err := RawResult(resp, err)
		if err != nil {
			return err
		}
		return f.Print(result, table)
	}
}

// ShowList is Show for a list result (see PrintList: an empty table says "No <plural> found").
func (f *Factory) ShowList(table output.Table, plural string) func(resp any, err error) error {
	return func(resp any, err error) error {
		result, err := RawResult(resp, err)
		if err != nil {
			return err
		}
		return f.PrintList(result, table, plural)
	}
}

// CreateResult is RawResult for a create: when the answer was lost (cloud.IsOutcomeUnknown), it
// looks for what the request made (SettleLostCreate) and returns that instead of failing.
func (f *Factory) CreateResult(ctx context.Context, c *cloud.Client, lc LostCreate) func(resp any, err error) (json.RawMessage, error) {
	return func(resp any, err error) (json.RawMessage, error) {
		result, err := RawResult(resp, err)
		if !cloud.IsOutcomeUnknown(err) {
			return result, err
		}
		found, err := f.SettleLostCreate(ctx, c, err, lc)
		if err != nil {
			return nil, err
		}
		return found.Raw, nil
	}
}

// NameIn is the "name" field of a JSON request body ("" when it has none): what a lost answer to a
// create sent from a file (role, ClickPipe) is looked up by.
func NameIn(body []byte) string {
	var named struct{ Name string }
	_ = json.Unmarshal(body, &named)
	return named.Name
}

// Tags reads Key=Value flags (Value may be empty, and is then left out) as the API's tags.
func Tags(pairs []string) ([]cloudapi.ResourceTagsV1, error) {
	tags := make([]cloudapi.ResourceTagsV1, 0, len(pairs))
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		if k == "" {
			return nil, UsageErrorf("invalid tag %q: expected Key=Value", p)
		}
		tag := cloudapi.ResourceTagsV1{Key: k}
		if v != "" {
			tag.Value = &v
		}
		tags = append(tags, tag)
	}
	return tags, nil
}

// Float32 converts a float64 flag value (nil: not given) to the float32 the document declares.
func Float32(v *float64) *float32 {
	if v == nil {
		return nil
	}
	return new(float32(*v))
}

// Run is a cobra RunE that stores the positional arguments in args, in order (cobra has checked
// their number), and calls run with the command's context: the wiring every command repeats.
func Run(run func(context.Context) error, args ...*string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, given []string) error {
		for i, dst := range args {
			if i < len(given) {
				*dst = given[i]
			}
		}
		return run(cmd.Context())
	}
}
