package cmdutil

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"
)

// IsUUID reports whether s has the form of the IDs the API gives (a UUID). Such an argument is
// used as it is, without a lookup: it costs no request, and a name can never be mistaken for it.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// Candidate is one resource an argument could mean, as the ambiguity error lists it.
type Candidate struct {
	ID     string
	Name   string
	Detail string // state, or "…ABCD" for a key: what tells two of the same name apart
}

// AmbiguousError is a name (or key ID suffix) that more than one resource has. It is bad input
// (exit 2): the user must say which, by ID.
type AmbiguousError struct {
	Kind       string // "service", "API key"
	Arg        string
	By         string // "named", "whose key ID ends in"
	Candidates []Candidate
}

func (e *AmbiguousError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %ss are %s %q: give the ID of the one you mean", len(e.Candidates), e.Kind, e.By, e.Arg)
	for _, c := range e.Candidates {
		fmt.Fprintf(&b, "\n  %s  %s", c.ID, c.Name)
		if c.Detail != "" {
			fmt.Fprintf(&b, "  (%s)", c.Detail)
		}
	}
	return b.String()
}

// NotFoundError is a name that no resource has. It exits 1, like the API's 404 for an unknown ID:
// what exists is the server's state, not a mistake on the command line the CLI can see.
type NotFoundError struct {
	Kind  string
	Arg   string
	Close []Candidate // names that differ only in case, offered as "did you mean"
	List  string      // the command that lists what exists
	Note  string      // what else was tried, e.g. matching a key ID by its last four characters
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("no %s named %q", e.Kind, e.Arg)
	if e.Note != "" {
		msg += " " + e.Note
	}
	return msg
}

func (e *NotFoundError) hints() []string {
	var hints []string
	for _, c := range e.Close {
		hints = append(hints, fmt.Sprintf("did you mean %q (%s)?", c.Name, c.ID))
	}
	if e.List != "" {
		hints = append(hints, fmt.Sprintf("'%s' shows the names and IDs", e.List))
	}
	return hints
}

// pickByName returns the one candidate named name; ok is false when none is.
func pickByName(kind, arg string, items []Candidate) (id string, ok bool, err error) {
	var found []Candidate
	for _, c := range items {
		if c.Name == arg {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return "", false, nil
	case 1:
		return found[0].ID, true, nil
	}
	return "", false, &AmbiguousError{Kind: kind, Arg: arg, By: "named", Candidates: found}
}

// closeNames are the candidates whose name differs from arg only in case: never chosen on the
// user's behalf (a destructive command must act on exactly what was typed), only suggested.
func closeNames(arg string, items []Candidate) []Candidate {
	var close []Candidate
	for _, c := range items {
		if c.Name != arg && strings.EqualFold(c.Name, arg) {
			close = append(close, c)
		}
	}
	return close
}

// ResolveService returns the ID of the service arg means: arg itself when it is a UUID (no
// request), otherwise the one service of the organization with that exact name. Several
// services with that name are refused with the candidates listed (exit 2); none says so (exit 1).
func (f *Factory) ResolveService(ctx context.Context, arg string) (string, error) {
	if IsUUID(arg) {
		return arg, nil
	}
	if strings.TrimSpace(arg) == "" {
		return "", UsageErrorf("missing SERVICE: give a service ID or name")
	}
	items, err := f.listServices(ctx)
	if err != nil {
		return "", fmt.Errorf("looking up the service named %q: %w", arg, err)
	}
	id, ok, err := pickByName("service", arg, items)
	if err != nil || ok {
		return id, err
	}
	return "", &NotFoundError{Kind: "service", Arg: arg, Close: closeNames(arg, items), List: "chcloud service list"}
}

func (f *Factory) listServices(ctx context.Context) ([]Candidate, error) {
	c, org, err := f.ClientAndOrg(ctx)
	if err != nil {
		return nil, err
	}
	var list []struct{ ID, Name, State string }
	if err := Lookup(&list)(c.InstanceGetListWithResponse(ctx, org, nil)); err != nil {
		return nil, err
	}
	items := make([]Candidate, 0, len(list))
	for _, s := range list {
		items = append(items, Candidate{ID: s.ID, Name: s.Name, Detail: s.State})
	}
	return items, nil
}

// apiKeyEntry is what the key list tells about a key: keySuffix is the last four characters of
// its key ID (the Basic-auth user), the only part of the key ID the API ever shows again.
type apiKeyEntry struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	State     string `json:"state"`
	KeySuffix string `json:"keySuffix"`
}

// KeyIDHelp says, for the help of the key commands, what KEY may be.
const KeyIDHelp = `KEY is the key's ID (a UUID, as 'chcloud key list' shows it), its name, or the key ID it
signs in with (the Basic-auth user shown once by 'chcloud key create'). The API lists only the
last four characters of that key ID, so it is matched by those: two keys that share them are
refused with both listed. The key chcloud is using is recognised by its whole key ID.`

// ResolveKey returns the UUID of the API key arg means: arg itself when it is a UUID (no
// request); otherwise the one key with that exact name; otherwise the key whose credential key ID
// it is. The API shows only the last four characters of a key ID (keySuffix), so a key ID matches
// the keys ending in those, plus the key chcloud runs with when arg is its configured key ID.
func (f *Factory) ResolveKey(ctx context.Context, arg string) (string, error) {
	if IsUUID(arg) {
		return arg, nil
	}
	if strings.TrimSpace(arg) == "" {
		return "", UsageErrorf("missing KEY: give a key ID, name or UUID")
	}
	c, org, err := f.ClientAndOrg(ctx)
	if err != nil {
		return "", err
	}
	var keys []apiKeyEntry
	if err := Lookup(&keys)(c.OpenapiKeyGetListWithResponse(ctx, org)); err != nil {
		return "", fmt.Errorf("looking up the API key %q: %w", arg, err)
	}
	items := make([]Candidate, 0, len(keys))
	for _, k := range keys {
		items = append(items, keyCandidate(k))
	}
	id, ok, err := pickByName("API key", arg, items)
	if err != nil || ok {
		return id, err
	}
	found := matchKeyID(arg, keys)
	switch len(found) {
	case 1:
		return found[0].ID, nil
	case 0:
		nf := &NotFoundError{Kind: "API key", Arg: arg, Close: closeNames(arg, items), List: "chcloud key list"}
		if looksLikeKeyID(arg) {
			nf.Note = fmt.Sprintf("nor with a key ID ending in %q (the API lists only the last four characters of key IDs)",
				arg[len(arg)-4:])
		}
		return "", nf
	}
	return "", &AmbiguousError{Kind: "API key", Arg: arg, By: "whose key ID ends like", Candidates: found}
}

func keyCandidate(k apiKeyEntry) Candidate {
	detail := k.State
	if k.KeySuffix != "" {
		detail = strings.TrimPrefix(k.State+", ", ", ") + "key ID …" + k.KeySuffix
	}
	return Candidate{ID: k.ID, Name: k.Name, Detail: detail}
}

// looksLikeKeyID is the shape of a credential key ID: letters and digits, longer than the four
// characters the list shows. A name with other characters is never compared with suffixes.
func looksLikeKeyID(s string) bool {
	if len(s) <= 4 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// matchKeyID returns the keys a credential key ID can be: those whose keySuffix (the last four
// characters of the key ID, as the document's ApiKeyHashData.keyIdSuffix and the console say, and
// as the fake does) ends it.
func matchKeyID(arg string, keys []apiKeyEntry) []Candidate {
	if !looksLikeKeyID(arg) {
		return nil
	}
	var found []Candidate
	for _, k := range keys {
		if k.KeySuffix != "" && strings.HasSuffix(arg, k.KeySuffix) {
			found = append(found, keyCandidate(k))
		}
	}
	return found
}

// ServiceArgHelp says what SERVICE may be, for the help of the commands that take one.
const ServiceArgHelp = `SERVICE is a service's ID or its name. A name is looked up in the service list (one request);
a name that several services share is refused with their IDs listed, so give the ID then.`

// ResolveServiceArg replaces *arg, a service ID or name, by the service's ID (see ResolveService).
func (f *Factory) ResolveServiceArg(ctx context.Context, arg *string) error {
	id, err := f.ResolveService(ctx, *arg)
	if err != nil {
		return err
	}
	*arg = id
	return nil
}

// ResolveKeyArg replaces *arg, a key's UUID, name or credential key ID, by the key's UUID (see
// ResolveKey).
func (f *Factory) ResolveKeyArg(ctx context.Context, arg *string) error {
	id, err := f.ResolveKey(ctx, *arg)
	if err != nil {
		return err
	}
	*arg = id
	return nil
}

// TakesService gives every command under cmd whose first argument is SERVICE (its Use line says
// so) the completion of service names and IDs, and the help that says a name will do.
func (f *Factory) TakesService(cmd *cobra.Command) {
	for _, sub := range cmd.Commands() {
		if strings.HasPrefix(strings.TrimPrefix(sub.Use, sub.Name()), " SERVICE") {
			sub.ValidArgsFunction = f.CompleteServices
			if sub.Long == "" {
				sub.Long = sub.Short + "."
			}
			sub.Long += "\n\n" + ServiceArgHelp
		}
		f.TakesService(sub)
	}
}
